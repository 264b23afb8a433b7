import { basename } from 'node:path';
import { OFFER_STYLES, type LineStatus } from '../crossdock/best-offer.ts';
import { OfferMatcher } from '../crossdock/matcher.ts';
import { AS_IS, type Pricing } from '../crossdock/rule.ts';
import { cellText } from '../../src-main/common/normalize.ts';
import { RESULT_TEXT, type ResultText } from '../../src-main/common/result-text.ts';
import { openSpreadsheet } from '../io/open-spreadsheet.ts';
import { InputError, type CellValue, type Row, type RowBatch } from '../io/types.ts';
import { XlsxWriter, type ColumnStyle, type RowOptions, type WorkbookState } from '../io/xlsx-writer.ts';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import type { CrossdockInput, PartSummary, TaskStats } from '../protocol.ts';
import { openSource } from '../sources/open-source.ts';
import { unknownListError, type OfferSource } from '../sources/types.ts';
import type { TaskContext } from '../task-context.ts';
import { locateHeader } from './locate-header.ts';
import { ResultLines, round2, type LineCounts, type SupplierTotal } from './result-lines.ts';

// Rows matched together when the source does not say (OfferSource.batchLines): one lookup call per
// this many rows, two batches in flight. A batch's rows, keys and slots cost ~1.2-1.5 KB a line
// while it is in flight, so bigger batches cost memory (ClickHouse sets its own: sources/clickhouse.ts).
const LOOKUP_ROWS = 16_000;

/** The appended columns of the Result sheet in the job's language (PRODUCT.md, Result workbook). */
export function appendedColumns(
  t: ResultText,
  analogs: boolean,
): { names: string[]; styles: (ColumnStyle | undefined)[] } {
  const h = t.headers;
  const names = [h.supplier, h.offerName];
  const styles: (ColumnStyle | undefined)[] = [undefined, undefined];
  if (analogs) {
    names.push(h.offerBrand, h.offerArticle);
    styles.push(undefined, 'text');
  }
  names.push(h.price, h.currency, h.available, h.deliveryDays, h.orderQty, h.lineTotal, h.status, h.note);
  styles.push(...OFFER_STYLES.slice(2), 'integer', 'money', undefined, undefined);
  return { names, styles };
}

/** The Status cell's fill per status: found green, partial amber, not found red, invalid grey. */
export const FILL_COLOR = { found: 'green', partial: 'amber', not_found: 'red', invalid: 'grey' } as const;

/** request list × supplier list → result workbook (PRODUCT.md "Best offer" and "Result workbook"). */
export async function runCrossdock(
  input: CrossdockInput,
  ctx: TaskContext,
  open: (config: CrossdockInput['source'], signal: AbortSignal) => Promise<OfferSource> = openSource,
): Promise<{ stats: TaskStats; files: { tmp: string; final: string }[] }> {
  // The request file is opened and its header looked for while the source answers its first
  // questions (a ClickHouse server's lists, aliases and rates are round trips): neither waits for the
  // other. A bad file still fails the job only after a bad list would have.
  const opening = openSpreadsheet(input.inputPath);
  const locating = opening.then((wb) =>
    locateHeader(wb, input.columns, undefined, input.sheet, input.lang ?? 'en'),
  );
  // Awaited below; until then a failure must not count as unhandled.
  locating.catch(() => undefined);
  try {
    return await crossdockWith(input, ctx, open, opening, locating);
  } finally {
    const wb = await opening.catch(() => null);
    await locating.catch(() => undefined);
    if (wb) await wb.close();
  }
}

async function crossdockWith(
  input: CrossdockInput,
  ctx: TaskContext,
  open: (config: CrossdockInput['source'], signal: AbortSignal) => Promise<OfferSource>,
  opening: ReturnType<typeof openSpreadsheet>,
  locating: ReturnType<typeof locateHeader>,
): Promise<{ stats: TaskStats; files: { tmp: string; final: string }[] }> {
  const source = await open(input.source, ctx.signal);
  try {
    // A first guess from the file's size (~55-70 bytes a line in xlsx and CSV alike), so that a
    // source can get ready (the demo catalog's lookup thread boots) while the header is looked for;
    // the sheet's own count follows below.
    source.expectLines?.(Math.round(statSync(input.inputPath).size / 60));
    const lists = await source.supplierLists();
    if (!lists.includes(input.list)) throw unknownListError(input.list, lists);
    // A big job's ClickHouse list is read whole: that read starts now, beside finding the header.
    source.prepareList?.(input.list, ctx.signal);
    const t = RESULT_TEXT[input.lang ?? 'en'];
    const mode = input.analogs ?? 'off';
    const withAnalogs = mode !== 'off';
    if (withAnalogs) source.prepareCrosses?.(ctx.signal);
    const base = input.baseCurrency ?? 'RUB';
    const [aliases, rates] = await Promise.all([source.brandAliases(ctx.signal), source.rates(ctx.signal)]);
    const pricing: Pricing = rates.size === 0 ? AS_IS : { base, rates };
    ctx.logCoded('info', 'LOG_PRICING', { base, rates: rates.size });
    ctx.progress(0, null, 'reading', true);
    const wb = await opening;
    // The workbook stays open to the end of the job: runCrossdock closes it.
    const located = await locating;
    const { mapping, sheet } = located;
    const width = Math.max(
      located.header.length,
      mapping.brand + 1,
      mapping.article + 1,
      (mapping.quantity ?? 0) + 1,
    );
    const header: CellValue[] = [];
    for (let c = 0; c < width; c++) header.push(located.header[c] ?? null);
    ctx.logCoded('info', 'LOG_HEADER_FOUND', {
      sheet: sheet.name,
      row: located.headerRowNumber,
      brand: mapping.brand + 1,
      article: mapping.article + 1,
      quantity: mapping.quantity === null ? null : mapping.quantity + 1,
    });

    const resume = validCheckpoint(input.resume);
    const writer = await XlsxWriter.create(input.tmpPath, {
      identifier: input.jobId,
      resume: resume?.writer,
    });
    try {
      const styles: (ColumnStyle | undefined)[] = new Array(width).fill(undefined);
      styles[mapping.article] = 'text';
      const appended = appendedColumns(t, withAnalogs);
      styles.push(...appended.styles);
      const statusCol = width + appended.names.length - 2;
      const fills: Record<LineStatus, RowOptions> = {
        found: { fill: { column: statusCol, color: FILL_COLOR.found } },
        partial: { fill: { column: statusCol, color: FILL_COLOR.partial } },
        not_found: { fill: { column: statusCol, color: FILL_COLOR.not_found } },
        invalid: { fill: { column: statusCol, color: FILL_COLOR.invalid } },
      };
      const { result, summarySheet, alt } = addResultSheets(
        writer,
        [...header.map((h) => cellText(h)), ...appended.names],
        styles,
        t,
        withAnalogs,
        input,
      );

      const stats: TaskStats = resume
        ? { ...resume.stats }
        : { rows: 0, found: 0, partial: 0, notFound: 0, invalid: 0 };
      const counts = resume?.counts ?? { analogs: 0, rounded: 0, aliased: 0 };
      const perSupplier = new Map<string, SupplierTotal>(
        (resume?.perSupplier ?? []).map(([name, lines, cost]) => [name, { lines, cost: new Map(cost) }]),
      );
      if (resume) ctx.logCoded('info', 'LOG_RESUMING', { line: resume.stats.rows });
      let lastCheckpoint = Date.now();
      // An xlsx dimension counts the rows exactly; a CSV's estimate comes from its first lines only,
      // so there the share of bytes read extrapolates better.
      const part = input.part;
      const whole =
        sheet.estimatedRows === null || wb.format === 'csv'
          ? null
          : Math.max(0, sheet.estimatedRows - located.headerRowNumber);
      // A part of a split job counts only its own lines.
      const estimated = !part
        ? whole
        : part.lines !== null
          ? part.lines
          : whole === null
            ? null
            : Math.max(0, whole - part.from);

      // Without a dimension (or in a CSV) the file size tells roughly: ~55-70 bytes a line in the
      // bench's xlsx and CSV files.
      source.expectLines?.(sheet.estimatedRows ?? Math.round(statSync(input.inputPath).size / 60));
      const matcher = new OfferMatcher(source, input.list, mapping, ctx.signal, {
        aliases,
        analogs: withAnalogs,
        pricing,
      });
      const ownRows = part ? takeRows(skipRows(located.batches, part.from), part.lines) : located.batches;
      const rowsIn = resume ? skipRows(ownRows, resume.stats.rows) : ownRows;
      const batches = regroup(rowsIn, () => source.batchLines ?? LOOKUP_ROWS)[Symbol.asyncIterator]();
      const first = await batches.next();
      let current = first.done ? null : matcher.prepare(first.value);
      const lines = new ResultLines({
        width,
        outWidth: width + appended.names.length,
        mapping,
        t,
        mode,
        pricing,
        base,
        fills,
        result,
        alt,
        alternatives: input.alternatives,
        stats,
        counts,
        perSupplier,
        widerRows: resume?.widerRows ?? 0,
      });
      while (current) {
        ctx.checkpoint();
        // Read and start looking up the next batch while this one's offers arrive and are written.
        const next = await batches.next();
        const ahead = next.done ? null : matcher.prepare(next.value);
        await current.ready;
        lines.start(current);
        const n = current.batch.rows.length;
        for (let i = 0; i < n; i++) {
          const wait = lines.line(i);
          if (wait) await wait;
          if (alt) await lines.alternatives(i);
        }
        const p = sheet.progress();
        const total =
          estimated ??
          (p.done > 0 ? Math.max(stats.rows, Math.round((stats.rows * p.total) / p.done)) : null);
        ctx.progress(stats.rows, total, 'matching');
        if (Date.now() - lastCheckpoint >= (input.checkpointEveryMs ?? CHECKPOINT_EVERY_MS)) {
          // Everything written so far is made durable; a crash after this resumes from here.
          const state: CrossdockCheckpoint = {
            v: 2,
            stats: { ...stats },
            counts: { ...counts },
            perSupplier: [...perSupplier].map(([name, st]) => [name, st.lines, [...st.cost]]),
            widerRows: lines.widerRows,
            writer: await writer.checkpoint(),
          };
          ctx.saveCheckpoint(state);
          lastCheckpoint = Date.now();
        }
        current = ahead;
      }
      if (stats.rows === 0 && !part) {
        throw new InputError('NO_DATA_ROWS', {});
      }
      if (lines.widerRows > 0) {
        ctx.logCoded('warn', 'LOG_WIDER_ROWS', { lines: lines.widerRows });
      }
      if (matcher.unrated > 0)
        ctx.logCoded('warn', 'LOG_NO_RATE', {
          offers: matcher.unrated,
          currencies: [...matcher.unratedCurrencies].sort(),
          base,
        });
      ctx.progress(stats.rows, stats.rows, 'writing', true);
      const costs = new Map<string, number>();
      for (const st of perSupplier.values())
        for (const [c, v] of st.cost) costs.set(c, (costs.get(c) ?? 0) + v);
      await writeSummary(summarySheet, t, input, pricing, stats, costs, perSupplier);
      await writer.finish();
      if (part) {
        const summary: PartSummary = {
          v: 1,
          stats,
          counts,
          unrated: matcher.unrated,
          perSupplier: [...perSupplier].map(([name, st]) => [name, st.lines, [...st.cost]]),
          rated: pricing.rates !== null,
          base,
          sourceKind: input.source.kind,
          width,
          articleColumn: mapping.article,
        };
        writeFileSync(part.summaryPath, JSON.stringify(summary));
      }
      logMatched(ctx, input.list, stats, counts);
      const rule = { ...counts, unrated: matcher.unrated, baseCurrency: base };
      return { stats: { ...stats, rule }, files: [{ tmp: input.tmpPath, final: input.finalPath }] };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } finally {
    await source.close();
  }
}

/**
 * The result workbook's sheets, in order: Result (frozen header, filter, split past the row limit,
 * printed to fit the width), Summary, and Alternatives when asked for. One place, so a split team
 * job's merge writes the workbook an unsplit run does.
 */
export function addResultSheets(
  writer: XlsxWriter,
  header: string[],
  styles: (ColumnStyle | undefined)[],
  t: ResultText,
  analogs: boolean,
  o: { alternatives: number; maxRowsPerSheet?: number },
) {
  const result = writer.addSheet('Result', {
    header,
    columnStyles: styles,
    freezeHeader: true,
    autoFilter: true,
    splitRows: true,
    maxRowsPerSheet: o.maxRowsPerSheet,
    printFitWidth: true,
  });
  // Column C holds money only (the totals and the per-supplier cost), so it can carry the money format.
  const summarySheet = writer.addSheet('Summary', { columnStyles: [undefined, undefined, 'money'] });
  const alt =
    o.alternatives > 0
      ? writer.addSheet('Alternatives', alternativesSheet(t, analogs, o.maxRowsPerSheet))
      : null;
  return { result, summarySheet, alt };
}

export function alternativesSheet(t: ResultText, analogs: boolean, maxRowsPerSheet: number | undefined) {
  const a = t.alternatives;
  const appended = appendedColumns(t, analogs);
  // The offer's columns without Status and Note.
  const names = appended.names.slice(0, -2);
  const styles = appended.styles.slice(0, -2);
  return {
    header: [a.row, a.brand, a.article, a.quantity, a.rank, ...names],
    columnStyles: ['integer', undefined, 'text', 'integer', 'integer', ...styles] as (
      ColumnStyle | undefined
    )[],
    freezeHeader: true,
    autoFilter: true,
    splitRows: true,
    maxRowsPerSheet,
  };
}

type SheetHandle = ReturnType<XlsxWriter['addSheet']>;

export async function writeSummary(
  sheet: SheetHandle,
  t: ResultText,
  input: { inputName: string; list: string; analogs?: CrossdockInput['analogs']; source: { kind: string } },
  pricing: Pricing,
  stats: TaskStats,
  costs: Map<string, number>,
  perSupplier: Map<string, SupplierTotal>,
): Promise<void> {
  const L = t.summary;
  const rows: { values: CellValue[]; bold?: boolean }[] = [
    { values: [L.title], bold: true },
    { values: [L.requestList, basename(input.inputName)] },
    { values: [L.supplierList, input.list] },
    { values: [L.source, input.source.kind === 'demo' ? L.demoCatalog : L.clickhouse] },
    { values: [L.analogs, L.analogModes[input.analogs ?? 'off']] },
    { values: [L.created, new Date()] },
  ];
  if (pricing.rates) rows.push({ values: [L.baseCurrency, pricing.base] });
  rows.push(
    { values: [] },
    { values: [L.linesTotal, stats.rows] },
    { values: [L.found, stats.found] },
    { values: [L.partial, stats.partial] },
    { values: [L.notFound, stats.notFound] },
    { values: [L.invalid, stats.invalid] },
  );
  // With rates every cost is in the base currency; without, one total per currency.
  const currencies = pricing.rates ? [pricing.base] : [...costs.keys()].sort();
  if (currencies.length === 0) rows.push({ values: [L.total, null, 0] });
  for (const c of currencies) rows.push({ values: [L.total, null, round2(costs.get(c) ?? 0), c] });
  rows.push({ values: [] }, { values: [L.supplier, L.linesWon, L.cost, L.currency], bold: true });
  const suppliers = [...perSupplier.entries()].sort(
    (a, b) => b[1].lines - a[1].lines || (a[0] < b[0] ? -1 : 1),
  );
  for (const [name, st] of suppliers) {
    for (const [currency, cost] of [...st.cost.entries()].sort())
      rows.push({ values: [name, st.lines, round2(cost), currency] });
  }
  for (const r of rows) {
    const wait = sheet.writeRow(r.values as Row, r.bold ? { bold: true } : undefined);
    if (wait) await wait;
  }
}

/** The job log's last word on the lines: how many of each status, and the rule's counts if any. */
export function logMatched(ctx: TaskContext, list: string, stats: TaskStats, counts: LineCounts): void {
  ctx.logCoded('info', 'LOG_MATCHED', {
    rows: stats.rows,
    list,
    found: stats.found,
    partial: stats.partial,
    notFound: stats.notFound,
    invalid: stats.invalid,
  });
  if (counts.analogs + counts.rounded + counts.aliased > 0) ctx.logCoded('info', 'LOG_RULE_COUNTS', counts);
}

/** What a long crossdock saves now and then, to resume there after a crash (JSON). */
interface CrossdockCheckpoint {
  v: 2;
  /** Lines won by an analog, orders rounded to a pack or minimum, lines with an aliased brand. */
  counts: LineCounts;
  /** The counts so far; `rows` is also how many data lines are done. */
  stats: TaskStats;
  perSupplier: [string, number, [string, number][]][];
  widerRows: number;
  writer: WorkbookState;
}

const CHECKPOINT_EVERY_MS = 5000;

function validCheckpoint(data: unknown): CrossdockCheckpoint | null {
  const c = data as CrossdockCheckpoint | null | undefined;
  if (
    !c ||
    c.v !== 2 ||
    typeof c.counts?.analogs !== 'number' ||
    typeof c.stats?.rows !== 'number' ||
    !c.writer ||
    !Array.isArray(c.writer.sheets)
  )
    return null;
  const entries = c.writer.sheets.flatMap((sh) => sh.parts.map((p) => p.entry));
  // The partial files must still be there (a cleanup, or another machine, may have removed them).
  return entries.every((e) => existsSync(e.tempPath) && statSync(e.tempPath).size >= e.compressed) ? c : null;
}

/** Drops the first `n` data rows: the ones a checkpoint already covers. */
async function* skipRows(batches: AsyncIterable<RowBatch>, n: number): AsyncGenerator<RowBatch> {
  let left = n;
  for await (const b of batches) {
    if (left >= b.rows.length) {
      left -= b.rows.length;
      continue;
    }
    if (left > 0) {
      yield { rows: b.rows.slice(left), rowNumbers: b.rowNumbers.slice(left) };
      left = 0;
    } else yield b;
  }
}

/** At most `n` data rows (null: all of them). */
async function* takeRows(batches: AsyncIterable<RowBatch>, n: number | null): AsyncGenerator<RowBatch> {
  if (n === null) {
    yield* batches;
    return;
  }
  let left = n;
  for await (const b of batches) {
    if (left <= 0) return;
    if (b.rows.length <= left) {
      left -= b.rows.length;
      yield b;
    } else {
      yield { rows: b.rows.slice(0, left), rowNumbers: b.rowNumbers.slice(0, left) };
      return;
    }
  }
}

/** Joins small reader batches into batches of about `size()` rows (asked again for each batch). */
async function* regroup(batches: AsyncIterable<RowBatch>, sizeOf: () => number): AsyncGenerator<RowBatch> {
  let rows: Row[] = [];
  let rowNumbers: number[] = [];
  let size = sizeOf();
  for await (const b of batches) {
    if (rows.length === 0 && b.rows.length >= size) {
      yield b;
      size = sizeOf();
      continue;
    }
    for (let i = 0; i < b.rows.length; i++) {
      rows.push(b.rows[i]);
      rowNumbers.push(b.rowNumbers[i]);
    }
    if (rows.length >= size) {
      yield { rows, rowNumbers };
      rows = [];
      rowNumbers = [];
      size = sizeOf();
    }
  }
  if (rows.length) yield { rows, rowNumbers };
}
