import type { CellValue } from './types.ts';

const SPACES = /\s+/g;
const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;
const ASCII_ALNUM_UPPER = /^[A-Z0-9]*$/;
// Cyrillic letters that look like Latin ones: buyers type articles on either keyboard layout.
const LOOKALIKE: Record<string, string> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  У: 'Y',
};
const LOOKALIKE_RE = /[АВЕКМНОРСТХУ]/g;

/** A cell as text, numbers without exponent or grouping (so 123 and "123" compare equal). */
export function cellText(value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return value.toISOString().slice(0, 10);
}

export function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
  const s = String(n);
  if (!s.includes('e')) return s;
  // Tiny fractions: fixed notation with enough digits, trailing zeros dropped.
  return n.toFixed(20).replace(/\.?0+$/, '');
}

export function normalizeBrand(value: CellValue): string {
  const s = cellText(value).trim();
  if (s === '') return '';
  return s.replace(SPACES, ' ').toUpperCase();
}

export function normalizeArticle(value: CellValue): string {
  const upper = cellText(value).toUpperCase();
  if (ASCII_ALNUM_UPPER.test(upper)) return upper;
  return upper.replace(LOOKALIKE_RE, (ch) => LOOKALIKE[ch] ?? ch).replace(NOT_ALNUM, '');
}

/** Requested quantity: a positive number, or 1 when missing, empty or unreadable. */
export function parseQuantity(value: CellValue): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const m = /^\s*(\d+(?:[.,]\d+)?)/.exec(value.replace(/[\s\u00a0]/g, ''));
    n = m ? Number(m[1].replace(',', '.')) : NaN;
  } else n = NaN;
  return Number.isFinite(n) && n > 0 ? n : 1;
}

/** Header text reduced for matching: case-, space- and punctuation-insensitive. */
export function headerKey(value: CellValue): string {
  return cellText(value).toLowerCase().replace(/ё/g, 'е').replace(NOT_ALNUM, '');
}
