import {
  columnHeaderName,
  detectColumns,
  HEADER_SEARCH_ROWS,
  isColumnIndex,
  isNoColumn,
  listHeaders,
  noHeaderError,
  type ColumnMapping,
  type ColumnOverrides,
} from '../crossdock/columns.ts';
import { InputError, type Row, type RowBatch, type SheetReader, type WorkbookReader } from '../io/types.ts';

export interface LocatedSheet {
  sheet: SheetReader;
  mapping: ColumnMapping;
  /**
   * The header row's cells. A sheet without a header row (`headerRow: 0`) gets its columns' names,
   * "Column A", "Column B"…, as wide as its first rows (and the chosen columns).
   */
  header: Row;
  /** Data rows already read while looking for the header, then the rest of the sheet. */
  batches: AsyncGenerator<RowBatch, void, undefined>;
  /** Sheet row number of the header row; 0 when the sheet has no header row. */
  headerRowNumber: number;
  /** The rows read above the data: the header row and what is above it (none without a header row). */
  above: RowBatch;
}

/** Every sheet in order, or only the one the user chose (a missing name is the user's to fix). */
export function sheetIndexes(wb: WorkbookReader, sheetName?: string): number[] {
  if (sheetName === undefined) return wb.sheetNames.map((_, i) => i);
  const i = wb.sheetNames.indexOf(sheetName);
  if (i < 0) throw new InputError('NO_SHEET', { sheet: sheetName, sheets: wb.sheetNames });
  return [i];
}

type Detect = (rows: Row[], o: ColumnOverrides) => ColumnMapping | null;

/** A sheet's first rows as read so far (with their sheet row numbers), and the reader to go on with. */
interface SheetStart {
  sheet: SheetReader;
  it: AsyncGenerator<RowBatch, void, undefined>;
  rows: Row[];
  numbers: number[];
  ended: boolean;
}

/** Reads whole batches until a row past sheet row `last` has been read, or the sheet ends. */
async function readThrough(sheet: SheetReader, last: number): Promise<SheetStart> {
  const it = sheet.batches();
  const rows: Row[] = [];
  const numbers: number[] = [];
  let ended = false;
  while (numbers.length === 0 || numbers[numbers.length - 1] <= last) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    rows.push(...next.value.rows);
    numbers.push(...next.value.rowNumbers);
  }
  return { sheet, it, rows, numbers, ended };
}

/** How many of the rows read are within sheet rows 1…last (they come first: rows are in order). */
function within(numbers: number[], last: number): number {
  let k = 0;
  while (k < numbers.length && numbers[k] <= last) k++;
  return k;
}

/** The located sheet: its rows from index `from` of those read, then the rest of the sheet. */
function located(
  s: SheetStart,
  mapping: ColumnMapping,
  header: Row,
  headerRowNumber: number,
  from: number,
): LocatedSheet {
  const { it, ended } = s;
  const head: RowBatch = { rows: s.rows.slice(from), rowNumbers: s.numbers.slice(from) };
  const above: RowBatch = { rows: s.rows.slice(0, from), rowNumbers: s.numbers.slice(0, from) };
  async function* rest(): AsyncGenerator<RowBatch, void, undefined> {
    try {
      if (head.rows.length) yield head;
      if (ended) return;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      if (!ended) await it.return(undefined);
    }
  }
  return { sheet: s.sheet, mapping, header, batches: rest(), headerRowNumber, above };
}

async function close(s: SheetStart): Promise<void> {
  if (!s.ended) await s.it.return(undefined);
}

/**
 * The worksheet, header row and columns a job reads (PRODUCT.md, Column detection):
 * - by default the first worksheet with a Brand and an Article header within its rows 1–20, as the
 *   sheet numbers them (blank rows count: a header on row 21 is not found);
 * - `overrides.headerRow` N ≥ 1: the header is sheet row N (of the chosen sheet, or of the first
 *   sheet where that row has the columns); the columns are detected, or named, in that row only;
 * - `overrides.headerRow` 0: no header row. The columns must be given by index, every row of the
 *   chosen (or first) sheet is data, and the header is the columns' names (`columnHeaderName`).
 * `lang` is the language of those names.
 */
export async function locateHeader(
  wb: WorkbookReader,
  overrides: ColumnOverrides,
  detect: Detect = detectColumns,
  sheetName?: string,
  lang: 'en' | 'ru' = 'en',
): Promise<LocatedSheet> {
  if (overrides.headerRow === 0) return withoutHeaderRow(wb, overrides, detect, sheetName, lang);
  if (overrides.headerRow !== undefined)
    return atHeaderRow(wb, overrides, overrides.headerRow, detect, sheetName);
  // The first sheet's rows within rows 1–20 (what the error quotes), and whether it has any row at all.
  let firstSheet: { candidates: Row[]; empty: boolean } | null = null;
  for (const i of sheetIndexes(wb, sheetName)) {
    const s = await readThrough(wb.sheet(i), HEADER_SEARCH_ROWS);
    const candidates = s.rows.slice(0, within(s.numbers, HEADER_SEARCH_ROWS));
    firstSheet ??= { candidates, empty: s.rows.length === 0 };
    let mapping: ColumnMapping | null;
    try {
      mapping = detect(candidates, overrides);
    } catch (err) {
      await close(s);
      throw err;
    }
    if (!mapping) {
      await close(s);
      continue;
    }
    const h = mapping.headerRowIndex;
    return located(s, mapping, s.rows[h], s.numbers[h], h + 1);
  }
  if (!firstSheet || firstSheet.empty)
    throw sheetName !== undefined
      ? new InputError('EMPTY_SHEET', { sheet: sheetName })
      : new InputError('NO_ROWS', {});
  throw noHeaderError(firstSheet.candidates, overrides);
}

/** The header is sheet row `row`: of the chosen sheet, or of the first sheet where it has the columns. */
async function atHeaderRow(
  wb: WorkbookReader,
  overrides: ColumnOverrides,
  row: number,
  detect: Detect,
  sheetName?: string,
): Promise<LocatedSheet> {
  let first: { sheet: string; header: Row | null; last: number } | null = null;
  for (const i of sheetIndexes(wb, sheetName)) {
    const s = await readThrough(wb.sheet(i), row);
    const k = within(s.numbers, row);
    const last = s.numbers.length ? s.numbers[s.numbers.length - 1] : 0;
    // A blank row N (rows below it exist) is an empty header: columns given by index still work.
    const at = k > 0 && s.numbers[k - 1] === row ? k - 1 : -1;
    const beyond = s.ended && last < row;
    const header: Row | null = beyond ? null : at >= 0 ? s.rows[at] : [];
    first ??= { sheet: s.sheet.name, header, last };
    let mapping: ColumnMapping | null = null;
    try {
      if (header) mapping = detect([header], overrides);
    } catch (err) {
      await close(s);
      throw err;
    }
    if (!mapping || !header) {
      await close(s);
      continue;
    }
    return located(s, { ...mapping, headerRowIndex: at }, header, row, k);
  }
  if (!first) throw new InputError('NO_ROWS', {});
  if (first.last === 0)
    throw sheetName !== undefined
      ? new InputError('EMPTY_SHEET', { sheet: sheetName })
      : new InputError('NO_ROWS', {});
  if (!first.header)
    throw new InputError('HEADER_ROW_BEYOND_SHEET', { row, sheet: first.sheet, last: first.last });
  const found = { row, sheet: first.sheet, ...listHeaders(first.header) };
  if (overrides.brand === undefined && overrides.article === undefined && overrides.quantity === undefined)
    throw new InputError('HEADER_ROW_NO_COLUMNS', found);
  throw new InputError('NAMED_COLUMNS_NOT_IN_ROW', {
    brand: overrides.brand ?? null,
    article: overrides.article ?? null,
    quantity: overrides.quantity ?? null,
    ...found,
  });
}

/** Rows read to size a header-less sheet's columns. */
const WIDTH_SAMPLE_ROWS = 100;

/** No header row: the chosen (or first) sheet, every row data, the columns by index and named by letter. */
async function withoutHeaderRow(
  wb: WorkbookReader,
  overrides: ColumnOverrides,
  detect: Detect,
  sheetName: string | undefined,
  lang: 'en' | 'ru',
): Promise<LocatedSheet> {
  const byIndex = [overrides.brand, overrides.article].every(isColumnIndex);
  const q = overrides.quantity;
  if (!byIndex || (q !== undefined && !isColumnIndex(q) && !isNoColumn(q)))
    throw new InputError('NO_HEADER_ROW_NEEDS_INDEXES', {});
  const index = sheetIndexes(wb, sheetName)[0];
  if (index === undefined) throw new InputError('NO_ROWS', {});
  const s = await readThrough(wb.sheet(index), WIDTH_SAMPLE_ROWS);
  if (s.rows.length === 0) {
    await close(s);
    throw sheetName !== undefined
      ? new InputError('EMPTY_SHEET', { sheet: sheetName })
      : new InputError('NO_ROWS', {});
  }
  const picked = [overrides.brand, overrides.article, overrides.quantity].map((v) =>
    isColumnIndex(v) ? Number(v) : 0,
  );
  let width = Math.max(...picked);
  for (let r = 0; r < Math.min(s.rows.length, WIDTH_SAMPLE_ROWS); r++)
    width = Math.max(width, s.rows[r].length);
  const header: Row = Array.from({ length: width }, (_, c) => columnHeaderName(c, lang));
  let mapping: ColumnMapping | null;
  try {
    // The named columns are indexes, so this only checks them (and lets a price list find its own).
    mapping = detect([header], overrides);
  } catch (err) {
    await close(s);
    throw err;
  }
  if (!mapping) {
    await close(s);
    throw new InputError('NO_HEADER_ROW_NEEDS_INDEXES', {});
  }
  return located(s, { ...mapping, headerRowIndex: -1 }, header, 0, 0);
}
