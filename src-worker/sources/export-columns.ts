// What an export yields, whichever source it reads: the column types and chunks, the columns and
// order of a supplier-list export, and the cell conversions both sources share.
import { normalizeBrand } from '../../src-main/common/normalize.ts';
import type { CellValue } from '../io/types.ts';
import type { ExportWhat } from '../protocol.ts';

export type ExportColumnType = 'string' | 'number' | 'date' | 'datetime' | 'boolean';

export interface ExportColumn {
  name: string;
  type: ExportColumnType;
}

/**
 * What exportRows yields: once the columns (with the row count when it is known up front: list
 * exports count first), then batches of rows, each row one cell per column.
 */
export type ExportChunk = { columns: ExportColumn[]; total?: number | null } | { rows: CellValue[][] };

/** The columns of a supplier-list export, in order. */
export const LIST_COLUMNS: readonly ExportColumn[] = [
  { name: 'Brand', type: 'string' },
  { name: 'Article', type: 'string' },
  { name: 'Supplier', type: 'string' },
  { name: 'Offer name', type: 'string' },
  { name: 'Price', type: 'number' },
  { name: 'Currency', type: 'string' },
  { name: 'Quantity', type: 'number' },
  { name: 'Delivery days', type: 'number' },
];

// The offer columns in LIST_COLUMNS order, and a total order on them: brand, article, price as
// PRODUCT.md asks, then the rest so that two runs over the same data give the same file.
export const OFFER_FIELDS = 'brand, article, supplier, name, price, currency, quantity, delivery_days';
export const OFFER_ORDER = 'brand, article, price, supplier, delivery_days, quantity, name, currency';

/** The brand a list export is limited to, normalized as the catalogs store it; '' = every brand. */
export function listBrand(what: Extract<ExportWhat, { kind: 'list' }>): string {
  return what.brand === undefined ? '' : normalizeBrand(what.brand);
}

/** Raw rows (one value per column) → cells, by each column's converter. */
export function convertRows(raw: unknown[][], convert: ((v: unknown) => CellValue)[]): CellValue[][] {
  const rows: CellValue[][] = new Array(raw.length);
  for (let r = 0; r < raw.length; r++) {
    const src = raw[r];
    const row: CellValue[] = new Array(convert.length);
    for (let c = 0; c < convert.length; c++) row[c] = convert[c](src[c]);
    rows[r] = row;
  }
  return rows;
}

/**
 * A date `YYYY-MM-DD` or date-time `YYYY-MM-DD[ T]hh:mm[:ss[.fff]][Z]` as the Date that shows the
 * same wall-clock time in UTC (the writers show dates in UTC); null for anything else.
 */
export function parseDateTime(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z?)?$/.exec(s);
  if (!m) return null;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
  const d = new Date(t);
  // Reject 2024-02-31 and the like rather than roll over.
  return Number.isNaN(t) || d.getUTCDate() !== +m[3] || d.getUTCMonth() !== +m[2] - 1 ? null : d;
}
