import { basename } from 'node:path';
import {
  bestOffer,
  OFFER_COLUMNS,
  OFFER_STYLES,
  rankOffers,
  type LineStatus,
  type Offer,
} from '../crossdock/best-offer.ts';
import { OfferMatcher } from '../crossdock/matcher.ts';
import { cellText, parseQuantity } from '../../src-main/common/normalize.ts';
import { openSpreadsheet } from '../io/open-spreadsheet.ts';
import { InputError, type CellValue, type Row, type RowBatch } from '../io/types.ts';
import { XlsxWriter, type ColumnStyle, type WorkbookState } from '../io/xlsx-writer.ts';
import { existsSync, statSync } from 'node:fs';
import type { CrossdockInput, TaskStats } from '../protocol.ts';
import { openSource } from '../sources/open-source.ts';
import type { TaskContext } from '../task-context.ts';
import { locateHeader } from './locate-header.ts';

/** What the result adds to each request line: the winning offer, its line total and the status. */
export const APPENDED_COLUMNS = [...OFFER_COLUMNS, 'Line total', 'Status'];
const ALTERNATIVE_COLUMNS = ['Row', 'Brand', 'Article', 'Quantity', 'Rank', ...OFFER_COLUMNS];
// Rows matched together: one lookup round trip per this many rows. ClickHouse pays ~100 ms a query
// whatever its size, so bigger is faster, but two batches are in flight. Measured on 1M lines against
// 3M offers: 25k rows 19.9 s / 418 MB peak, 20k 22.0 s / 401 MB, 16k 23.3 s / 365 MB.
const LOOKUP_ROWS = 16_000;

interface SupplierTotal {
  lines: number;
  cost: Map<string, number>;
}

/** request list × supplier list → result workbook (PRODUCT.md "Best offer" and "Result workbook"). */
export async function runCrossdock(
  input: CrossdockInput,
  ctx: TaskContext,
): Promise<{ stats: TaskStats; files: { tmp: string; final: string }[] }> {
  const source = await openSource(input.source, ctx.signal);
  try {
    const lists = await source.supplierLists();
    if (!lists.includes(input.list)) {
      throw new InputError('NO_SUCH_LIST', { list: input.list, known: lists });
    }
    ctx.progress(0, null, 'reading', true);
    const wb = await openSpreadsheet(input.inputPath);
    try {
      const located = await locateHeader(wb, input.columns, undefined, input.sheet);
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
        styles.push(...OFFER_STYLES, 'money', undefined); // APPENDED_COLUMNS
        const result = writer.addSheet('Result', {
          header: [...header.map((h) => cellText(h)), ...APPENDED_COLUMNS],
          columnStyles: styles,
          freezeHeader: true,
          autoFilter: true,
          splitRows: true,
          maxRowsPerSheet: input.maxRowsPerSheet,
        });
        // Column C holds money only (the totals and the per-supplier cost), so it can carry the money format.
        const summarySheet = writer.addSheet('Summary', { columnStyles: [undefined, undefined, 'money'] });
        const alt =
          input.alternatives > 0
            ? writer.addSheet('Alternatives', {
                header: ALTERNATIVE_COLUMNS,
                columnStyles: ['integer', undefined, 'text', undefined, 'integer', ...OFFER_STYLES],
                freezeHeader: true,
                autoFilter: true,
                splitRows: true,
                maxRowsPerSheet: input.maxRowsPerSheet,
              })
            : null;

        const stats: TaskStats = resume
          ? { ...resume.stats }
          : { rows: 0, found: 0, partial: 0, notFound: 0, invalid: 0 };
        const perSupplier = new Map<string, SupplierTotal>(
          (resume?.perSupplier ?? []).map(([name, lines, cost]) => [name, { lines, cost: new Map(cost) }]),
        );
        let widerRows = resume?.widerRows ?? 0;
        if (resume) ctx.logCoded('info', 'LOG_RESUMING', { line: resume.stats.rows });
        let lastCheckpoint = Date.now();
        // An xlsx dimension counts the rows exactly; a CSV's estimate comes from its first lines only,
        // so there the share of bytes read extrapolates better.
        const estimated =
          sheet.estimatedRows === null || wb.format === 'csv'
            ? null
            : Math.max(0, sheet.estimatedRows - located.headerRowNumber);

        // Without a dimension (or in a CSV) the file size tells roughly: ~55-70 bytes a line in the
        // bench's xlsx and CSV files.
        source.expectLines?.(sheet.estimatedRows ?? Math.round(statSync(input.inputPath).size / 60));
        const matcher = new OfferMatcher(source, input.list, mapping, ctx.signal);
        const rowsIn = resume ? skipRows(located.batches, resume.stats.rows) : located.batches;
        const batches = regroup(rowsIn, LOOKUP_ROWS)[Symbol.asyncIterator]();
        const first = await batches.next();
        let current = first.done ? null : matcher.prepare(first.value);
        while (current) {
          ctx.checkpoint();
          // Read and start looking up the next batch while this one's offers arrive and are written.
          const next = await batches.next();
          const ahead = next.done ? null : matcher.prepare(next.value);
          await current.ready;
          const { rows, rowNumbers } = current.batch;
          const { lineBrand, articles } = current;
          const n = rows.length;
          for (let i = 0; i < n; i++) {
            const row = rows[i];
            if (row.length > width && hasValueFrom(row, width)) widerRows++;
            const out: CellValue[] = new Array(width + APPENDED_COLUMNS.length);
            for (let c = 0; c < width; c++) out[c] = row[c] ?? null;
            const articleCell = row[mapping.article];
            if (articleCell !== null && articleCell !== undefined)
              out[mapping.article] = cellText(articleCell);
            const qty = parseQuantity(mapping.quantity === null ? null : (row[mapping.quantity] ?? null));
            let status: LineStatus;
            let offer: Offer | null = null;
            const byArticle = lineBrand[i];
            const offers = byArticle === null ? null : (byArticle.get(articles[i]) ?? []);
            if (offers === null) status = 'invalid';
            else ({ offer, status } = bestOffer(offers, qty));
            stats.rows++;
            if (status === 'found') stats.found++;
            else if (status === 'partial') stats.partial++;
            else if (status === 'not_found') stats.notFound++;
            else stats.invalid++;
            let w = width;
            if (offer) {
              const total = round2(offer.price * qty);
              out[w++] = offer.supplier;
              out[w++] = offer.name;
              out[w++] = offer.price;
              out[w++] = offer.currency;
              out[w++] = offer.quantity;
              out[w++] = offer.deliveryDays;
              out[w++] = total;
              let s = perSupplier.get(offer.supplier);
              if (!s) perSupplier.set(offer.supplier, (s = { lines: 0, cost: new Map() }));
              s.lines++;
              s.cost.set(offer.currency, (s.cost.get(offer.currency) ?? 0) + total);
            } else {
              for (let k = 0; k < 7; k++) out[w++] = null;
            }
            out[w] = status;
            const wait = result.writeRow(out);
            if (wait) await wait;
            if (alt && offers && offers.length > 1) {
              const ranked = rankOffers(offers, qty);
              for (let r = 1; r < ranked.length && r <= input.alternatives; r++) {
                const o = ranked[r];
                const altWait = alt.writeRow([
                  rowNumbers[i],
                  cellText(row[mapping.brand] ?? null),
                  cellText(articleCell ?? null),
                  qty,
                  r,
                  o.supplier,
                  o.name,
                  o.price,
                  o.currency,
                  o.quantity,
                  o.deliveryDays,
                ]);
                if (altWait) await altWait;
              }
            }
          }
          const p = sheet.progress();
          const total =
            estimated ??
            (p.done > 0 ? Math.max(stats.rows, Math.round((stats.rows * p.total) / p.done)) : null);
          ctx.progress(stats.rows, total, 'matching');
          if (Date.now() - lastCheckpoint >= (input.checkpointEveryMs ?? CHECKPOINT_EVERY_MS)) {
            // Everything written so far is made durable; a crash after this resumes from here.
            const state: CrossdockCheckpoint = {
              v: 1,
              stats: { ...stats },
              perSupplier: [...perSupplier].map(([name, t]) => [name, t.lines, [...t.cost]]),
              widerRows,
              writer: await writer.checkpoint(),
            };
            ctx.saveCheckpoint(state);
            lastCheckpoint = Date.now();
          }
          current = ahead;
        }
        if (stats.rows === 0) {
          throw new InputError('NO_DATA_ROWS', {});
        }
        if (widerRows > 0) {
          ctx.logCoded('warn', 'LOG_WIDER_ROWS', { lines: widerRows });
        }
        ctx.progress(stats.rows, stats.rows, 'writing', true);
        const costs = new Map<string, number>();
        for (const t of perSupplier.values())
          for (const [c, v] of t.cost) costs.set(c, (costs.get(c) ?? 0) + v);
        await writeSummary(summarySheet, input, stats, costs, perSupplier);
        await writer.finish();
        ctx.logCoded('info', 'LOG_MATCHED', {
          rows: stats.rows,
          list: input.list,
          found: stats.found,
          partial: stats.partial,
          notFound: stats.notFound,
          invalid: stats.invalid,
        });
        return { stats, files: [{ tmp: input.tmpPath, final: input.finalPath }] };
      } catch (err) {
        await writer.abort();
        throw err;
      }
    } finally {
      await wb.close();
    }
  } finally {
    await source.close();
  }
}

type SheetHandle = ReturnType<XlsxWriter['addSheet']>;

async function writeSummary(
  sheet: SheetHandle,
  input: CrossdockInput,
  stats: TaskStats,
  costs: Map<string, number>,
  perSupplier: Map<string, SupplierTotal>,
): Promise<void> {
  const rows: { values: CellValue[]; bold?: boolean }[] = [
    { values: ['Crossdock summary'], bold: true },
    { values: ['Request list', basename(input.inputName)] },
    { values: ['Supplier list', input.list] },
    { values: ['Source', input.source.kind === 'demo' ? 'Demo catalog' : 'ClickHouse'] },
    { values: ['Created', new Date()] },
    { values: [] },
    { values: ['Lines total', stats.rows] },
    { values: ['Found', stats.found] },
    { values: ['Partial', stats.partial] },
    { values: ['Not found', stats.notFound] },
    { values: ['Invalid', stats.invalid] },
  ];
  const currencies = [...costs.keys()].sort();
  if (currencies.length === 0) rows.push({ values: ['Total cost (found + partial)', null, 0] });
  for (const c of currencies)
    rows.push({ values: ['Total cost (found + partial)', null, round2(costs.get(c) ?? 0), c] });
  rows.push({ values: [] }, { values: ['Supplier', 'Lines won', 'Cost', 'Currency'], bold: true });
  const suppliers = [...perSupplier.entries()].sort(
    (a, b) => b[1].lines - a[1].lines || (a[0] < b[0] ? -1 : 1),
  );
  for (const [name, t] of suppliers) {
    for (const [currency, cost] of [...t.cost.entries()].sort())
      rows.push({ values: [name, t.lines, round2(cost), currency] });
  }
  for (const r of rows) {
    const wait = sheet.writeRow(r.values as Row, r.bold ? { bold: true } : undefined);
    if (wait) await wait;
  }
}

/** What a long crossdock saves now and then, to resume there after a crash (JSON). */
interface CrossdockCheckpoint {
  v: 1;
  /** The counts so far; `rows` is also how many data lines are done. */
  stats: TaskStats;
  perSupplier: [string, number, [string, number][]][];
  widerRows: number;
  writer: WorkbookState;
}

const CHECKPOINT_EVERY_MS = 5000;

function validCheckpoint(data: unknown): CrossdockCheckpoint | null {
  const c = data as CrossdockCheckpoint | null | undefined;
  if (!c || c.v !== 1 || typeof c.stats?.rows !== 'number' || !c.writer || !Array.isArray(c.writer.sheets))
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

/** Joins small reader batches into batches of about `size` rows. */
async function* regroup(batches: AsyncIterable<RowBatch>, size: number): AsyncGenerator<RowBatch> {
  let rows: Row[] = [];
  let rowNumbers: number[] = [];
  for await (const b of batches) {
    if (rows.length === 0 && b.rows.length >= size) {
      yield b;
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
    }
  }
  if (rows.length) yield { rows, rowNumbers };
}

function hasValueFrom(row: Row, from: number): boolean {
  for (let c = from; c < row.length; c++) if (row[c] !== null && row[c] !== '') return true;
  return false;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
