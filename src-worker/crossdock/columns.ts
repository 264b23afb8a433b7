import { InputError, type Row } from '../io/types.ts';
import { cellText, headerKey } from '../../src-main/common/normalize.ts';
import { columnLetter } from '../../src-main/common/column-letters.ts';

export { columnLetter };

export interface ColumnMapping {
  headerRowIndex: number; // index in the rows given to detectColumns
  brand: number;
  article: number;
  quantity: number | null;
}

/** What the user asked for on the command line or in the mapping dialog: header text or 1-based index. */
export interface ColumnOverrides {
  brand?: string;
  article?: string;
  /** Also "0": no quantity column (see isNoColumn). */
  quantity?: string;
  /**
   * The header row as a sheet row number (locateHeader reads it; detectColumns is given that row only).
   * 0: the sheet has no header row, the columns are given by index and every row is data.
   */
  headerRow?: number;
}

const COLUMN_WORD = { en: 'Column', ru: 'Столбец' } as const;

/**
 * The header a sheet without a header row gets for its column (0-based): "Column A", "Column B"… (in
 * Russian "Столбец A"), so the result's original columns are named after their letters.
 */
export function columnHeaderName(index: number, lang: 'en' | 'ru' = 'en'): string {
  return `${COLUMN_WORD[lang]} ${columnLetter(index)}`;
}

/**
 * Quantity "0": the user says there is no quantity column (every line asks for 1), so none is
 * detected either (the new-job sheet's "None", `--qty-col 0`).
 */
export const isNoColumn = (v: string | undefined): boolean => v !== undefined && /^\s*0+\s*$/.test(v);

/** True for a 1-based column index as the CLI and the spec give it ("3"). */
export const isColumnIndex = (v: string | undefined): v is string =>
  v !== undefined && /^\d+$/.test(v.trim()) && Number(v) >= 1;

const HEADERS = {
  brand: ['brand', 'make', 'manufacturer', 'бренд', 'производитель', 'марка'],
  article: ['article', 'partnumber', 'partno', 'pn', 'sku', 'артикул', 'номер', 'каталожныйномер'],
  quantity: ['qty', 'quantity', 'количество', 'колво', 'кол'],
} as const;
type Field = keyof typeof HEADERS;
const KEYS: Record<Field, Set<string>> = {
  brand: new Set(HEADERS.brand),
  article: new Set(HEADERS.article),
  quantity: new Set(HEADERS.quantity),
};

export const HEADER_SEARCH_ROWS = 20;

function matches(row: Row, field: Field): number[] {
  const found: number[] = [];
  for (let i = 0; i < row.length; i++) if (KEYS[field].has(headerKey(row[i]))) found.push(i);
  return found;
}

function override(row: Row, wanted: string): number | undefined {
  if (/^\d+$/.test(wanted.trim())) return Number(wanted) - 1;
  const key = headerKey(wanted);
  const i = row.findIndex((c) => headerKey(c) === key && key !== '');
  return i >= 0 ? i : undefined;
}

/** The header row's names as a message quotes them: the first 12, and whether there are more. */
export function listHeaders(row: Row | undefined): { headers: string[]; more: boolean } {
  const names = (row ?? []).map((c) => cellText(c).trim()).filter((s) => s !== '');
  return { headers: names.slice(0, 12), more: names.length > 12 };
}

function firstNonEmpty(rows: Row[]): number {
  const i = rows.findIndex((r) => r.some((c) => cellText(c).trim() !== ''));
  return i < 0 ? 0 : i;
}

/**
 * Finds the header row (the first of the given rows, at most 20: locateHeader gives the sheet's rows
 * 1–20, or the one row the user chose, with a Brand and an Article header) and the columns.
 * Returns null when no row qualifies, so the caller can try the next sheet.
 * Throws InputError when detection is ambiguous.
 */
export function detectColumns(rows: Row[], overrides: ColumnOverrides = {}): ColumnMapping | null {
  const limit = Math.min(rows.length, HEADER_SEARCH_ROWS);
  for (let r = 0; r < limit; r++) {
    const row = rows[r];
    const pick = (field: Field): number | null | undefined => {
      const wanted = overrides[field];
      if (field === 'quantity' && isNoColumn(wanted)) return null;
      if (wanted !== undefined) return override(row, wanted) ?? undefined;
      const found = matches(row, field);
      if (found.length > 1) {
        const columns = found.map((i) => cellText(row[i]).trim());
        throw new InputError('AMBIGUOUS_COLUMNS', { field, columns });
      }
      return found.length === 1 ? found[0] : field === 'quantity' ? null : undefined;
    };
    const brand = pick('brand');
    const article = pick('article');
    if (brand == null || article == null) continue;
    const quantity = pick('quantity');
    if (quantity === undefined) continue; // an explicit quantity header that this row lacks
    if (brand === article) {
      throw new InputError('SAME_COLUMN', {});
    }
    return { headerRowIndex: r, brand, article, quantity };
  }
  // Explicit 1-based indexes need no header text: the first non-empty row is the header.
  const allIndexes = [overrides.brand, overrides.article].every(
    (v) => v !== undefined && /^\d+$/.test(v.trim()),
  );
  if (allIndexes && rows.length > 0) {
    const q = overrides.quantity;
    return {
      headerRowIndex: firstNonEmpty(rows),
      brand: Number(overrides.brand) - 1,
      article: Number(overrides.article) - 1,
      quantity: isColumnIndex(q) ? Number(q) - 1 : null,
    };
  }
  return null;
}

/** The codes of a file whose columns the user maps by hand (the new-job sheet shows them as its problem). */
export const MAPPING_PROBLEMS: ReadonlySet<string> = new Set([
  'NO_HEADER',
  'NAMED_COLUMNS_NOT_FOUND',
  'AMBIGUOUS_COLUMNS',
  'SAME_COLUMN',
  'HEADER_ROW_BEYOND_SHEET',
  'HEADER_ROW_NO_COLUMNS',
  'NAMED_COLUMNS_NOT_IN_ROW',
  'NO_HEADER_ROW_NEEDS_INDEXES',
]);

export function noHeaderError(firstRows: Row[], overrides: ColumnOverrides): InputError {
  const found = { rows: HEADER_SEARCH_ROWS, ...listHeaders(firstRows[firstNonEmpty(firstRows)]) };
  const named = (v: string | undefined): string | null => (v === undefined ? null : v);
  if (overrides.brand === undefined && overrides.article === undefined && overrides.quantity === undefined)
    return new InputError('NO_HEADER', found);
  return new InputError('NAMED_COLUMNS_NOT_FOUND', {
    brand: named(overrides.brand),
    article: named(overrides.article),
    quantity: named(overrides.quantity),
    ...found,
  });
}

/** Index of the only header in `row` that matches one of `names` (reduced with headerKey), or null. */
export function findColumn(row: Row, names: readonly string[], overrideName?: string): number | null {
  if (overrideName !== undefined) return override(row, overrideName) ?? null;
  const keys = new Set(names);
  const i = row.findIndex((c) => keys.has(headerKey(c)));
  return i >= 0 ? i : null;
}
