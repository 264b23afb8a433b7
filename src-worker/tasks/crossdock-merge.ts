// The parts of a split team crossdock (each the same task on a range of the lines, crossdock.ts
// `part`), joined in order into the one workbook an unsplit run writes: the Result and Alternatives
// rows as the parts wrote them, with the same sheets, styles and status fills; the Summary from the
// parts' totals added up (PartSummary), not from their own Summary sheets.
import { readFileSync } from 'node:fs';
import type { LineStatus } from '../crossdock/best-offer.ts';
import { RESULT_TEXT } from '../../src-main/common/result-text.ts';
import { openSpreadsheet } from '../io/open-spreadsheet.ts';
import type { Row } from '../io/types.ts';
import { XlsxWriter, type ColumnStyle, type RowOptions } from '../io/xlsx-writer.ts';
import type { CrossdockMergeInput, PartSummary, TaskStats } from '../protocol.ts';
import type { TaskContext } from '../task-context.ts';
import { addResultSheets, appendedColumns, FILL_COLOR, logMatched, writeSummary } from './crossdock.ts';

type SheetHandle = ReturnType<XlsxWriter['addSheet']>;

function readSummary(path: string): PartSummary {
  const s = JSON.parse(readFileSync(path, 'utf8')) as PartSummary;
  if (
    s?.v !== 1 ||
    typeof s.stats?.rows !== 'number' ||
    !Array.isArray(s.perSupplier) ||
    !Number.isInteger(s.width) ||
    !Number.isInteger(s.articleColumn)
  )
    throw new Error('a part of the split job left no usable summary');
  return s;
}

/** The data rows of a logical sheet of a part's workbook (its split sheets too), header row skipped. */
async function* dataRows(path: string, name: string): AsyncGenerator<Row[]> {
  const wb = await openSpreadsheet(path);
  try {
    const parts = wb.sheetNames
      .map((n, i) => ({ n, i }))
      .filter(({ n }) => n === name || (n.startsWith(`${name} (`) && n.endsWith(')')));
    for (const { i } of parts) {
      let first = true;
      for await (const b of wb.sheet(i).batches()) {
        const rows = first && b.rowNumbers[0] === 1 ? b.rows.slice(1) : b.rows;
        first = false;
        if (rows.length) yield rows;
      }
    }
  } finally {
    await wb.close();
  }
}

async function headerOf(path: string, name: string): Promise<Row> {
  const wb = await openSpreadsheet(path);
  try {
    const at = wb.sheetNames.indexOf(name);
    if (at < 0) throw new Error(`a part of the split job has no ${name} sheet`);
    for await (const b of wb.sheet(at).batches()) if (b.rows.length) return b.rows[0];
    throw new Error(`a part of the split job has an empty ${name} sheet`);
  } finally {
    await wb.close();
  }
}

async function copyRows(
  from: AsyncIterable<Row[]>,
  to: SheetHandle,
  options: (row: Row) => RowOptions | undefined,
  ctx: TaskContext,
): Promise<number> {
  let n = 0;
  for await (const rows of from) {
    ctx.checkpoint();
    for (const r of rows) {
      const wait = to.writeRow(r, options(r));
      if (wait) await wait;
    }
    n += rows.length;
  }
  return n;
}

export async function runCrossdockMerge(
  input: CrossdockMergeInput,
  ctx: TaskContext,
): Promise<{ stats: TaskStats; files: { tmp: string; final: string }[] }> {
  if (input.parts.length === 0) throw new Error('a split job has no parts');
  const t = RESULT_TEXT[input.lang ?? 'en'];
  const withAnalogs = (input.analogs ?? 'off') !== 'off';
  const summaries = input.parts.map((p) => readSummary(p.summary));
  const first = summaries[0];
  const stats: TaskStats = { rows: 0, found: 0, partial: 0, notFound: 0, invalid: 0 };
  const counts = { analogs: 0, rounded: 0, aliased: 0 };
  const perSupplier = new Map<string, { lines: number; cost: Map<string, number> }>();
  for (const s of summaries) {
    for (const k of ['rows', 'found', 'partial', 'notFound', 'invalid'] as const) stats[k] += s.stats[k];
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += s.counts[k] ?? 0;
    for (const [name, lines, cost] of s.perSupplier) {
      let st = perSupplier.get(name);
      if (!st) perSupplier.set(name, (st = { lines: 0, cost: new Map() }));
      st.lines += lines;
      for (const [c, v] of cost) st.cost.set(c, (st.cost.get(c) ?? 0) + v);
    }
  }
  ctx.progress(0, stats.rows, 'merging', true);
  const header = await headerOf(input.parts[0].workbook, 'Result');
  const appended = appendedColumns(t, withAnalogs);
  const styles: (ColumnStyle | undefined)[] = new Array(first.width).fill(undefined);
  styles[first.articleColumn] = 'text';
  styles.push(...appended.styles);
  const statusCol = first.width + appended.names.length - 2;
  const fillOf = new Map<unknown, RowOptions>(
    (Object.keys(FILL_COLOR) as LineStatus[]).map((st) => [
      t.status[st],
      { fill: { column: statusCol, color: FILL_COLOR[st] } },
    ]),
  );

  const writer = await XlsxWriter.create(input.tmpPath, { identifier: input.jobId });
  try {
    const { result, summarySheet, alt } = addResultSheets(
      writer,
      header.map((h) => (h === null || h === undefined ? '' : String(h))),
      styles,
      t,
      withAnalogs,
      input,
    );
    let done = 0;
    for (const p of input.parts) {
      done += await copyRows(dataRows(p.workbook, 'Result'), result, (r) => fillOf.get(r[statusCol]), ctx);
      if (alt) await copyRows(dataRows(p.workbook, 'Alternatives'), alt, () => undefined, ctx);
      ctx.progress(done, stats.rows, 'merging');
    }
    if (done !== stats.rows) throw new Error(`the parts hold ${done} lines, their summaries ${stats.rows}`);
    ctx.progress(stats.rows, stats.rows, 'writing', true);
    const costs = new Map<string, number>();
    for (const st of perSupplier.values())
      for (const [c, v] of st.cost) costs.set(c, (costs.get(c) ?? 0) + v);
    const pricing = { base: first.base, rates: first.rated ? new Map<string, number>() : null };
    await writeSummary(
      summarySheet,
      t,
      {
        inputName: input.inputName,
        list: input.list,
        analogs: input.analogs,
        source: { kind: first.sourceKind },
      },
      pricing,
      stats,
      costs,
      perSupplier,
    );
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  logMatched(ctx, input.list, stats, counts);
  const unrated = summaries.reduce((n, s) => n + (s.unrated ?? 0), 0);
  const rule = { ...counts, unrated, baseCurrency: first.base };
  return { stats: { ...stats, rule }, files: [{ tmp: input.tmpPath, final: input.finalPath }] };
}
