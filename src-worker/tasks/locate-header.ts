import {
  detectColumns,
  HEADER_SEARCH_ROWS,
  noHeaderError,
  type ColumnMapping,
  type ColumnOverrides,
} from '../crossdock/columns.ts';
import { InputError, type Row, type RowBatch, type SheetReader, type WorkbookReader } from '../io/types.ts';

export interface LocatedSheet {
  sheet: SheetReader;
  mapping: ColumnMapping;
  header: Row;
  /** Data rows already read while looking for the header, then the rest of the sheet. */
  batches: AsyncGenerator<RowBatch, void, undefined>;
  /** Sheet row number of the header row. */
  headerRowNumber: number;
}

/** Every sheet in order, or only the one the user chose (a missing name is the user's to fix). */
export function sheetIndexes(wb: WorkbookReader, sheetName?: string): number[] {
  if (sheetName === undefined) return wb.sheetNames.map((_, i) => i);
  const i = wb.sheetNames.indexOf(sheetName);
  if (i < 0) throw new InputError('NO_SHEET', { sheet: sheetName, sheets: wb.sheetNames });
  return [i];
}

/**
 * The first worksheet with a Brand and an Article header within its first rows
 * (PRODUCT.md: "Data comes from the first worksheet that has such a header row").
 */
export async function locateHeader(
  wb: WorkbookReader,
  overrides: ColumnOverrides,
  detect: (rows: Row[], o: ColumnOverrides) => ColumnMapping | null = detectColumns,
  sheetName?: string,
): Promise<LocatedSheet> {
  let firstSheetRows: Row[] | null = null;
  for (const i of sheetIndexes(wb, sheetName)) {
    const sheet = wb.sheet(i);
    const it = sheet.batches();
    const rows: Row[] = [];
    const numbers: number[] = [];
    let ended = false;
    while (rows.length < HEADER_SEARCH_ROWS) {
      const next = await it.next();
      if (next.done) {
        ended = true;
        break;
      }
      rows.push(...next.value.rows);
      numbers.push(...next.value.rowNumbers);
    }
    firstSheetRows ??= rows;
    const mapping = detect(rows.slice(0, HEADER_SEARCH_ROWS), overrides);
    if (!mapping) {
      if (!ended) await it.return(undefined);
      continue;
    }
    const h = mapping.headerRowIndex;
    const head: RowBatch = { rows: rows.slice(h + 1), rowNumbers: numbers.slice(h + 1) };
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
    return { sheet, mapping, header: rows[h], batches: rest(), headerRowNumber: numbers[h] };
  }
  if (sheetName !== undefined && (!firstSheetRows || firstSheetRows.length === 0)) {
    throw new InputError('EMPTY_SHEET', { sheet: sheetName });
  }
  if (!firstSheetRows || firstSheetRows.length === 0) {
    throw new InputError('NO_ROWS', {});
  }
  throw noHeaderError(firstSheetRows, overrides);
}
