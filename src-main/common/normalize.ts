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
  const text = cellText(value);
  const ascii = asciiArticle(text);
  if (ascii !== null) return ascii;
  const upper = text.toUpperCase();
  if (ASCII_ALNUM_UPPER.test(upper)) return upper;
  return upper.replace(LOOKALIKE_RE, (ch) => LOOKALIKE[ch] ?? ch).replace(NOT_ALNUM, '');
}

/**
 * The article of an all-ASCII text in one pass (the usual case: "W 712/75", "0986452041"): letters
 * upper-cased, digits kept, the rest dropped, which is what the general rule does to ASCII. Null
 * when the text has anything past ASCII (the general rule handles it).
 */
function asciiArticle(s: string): string | null {
  const n = s.length;
  let out = '';
  let runStart = 0;
  let clean = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90)) continue;
    if (c > 127) return null;
    if (c >= 97 && c <= 122) {
      clean = false;
      continue;
    }
    // A character the article drops: keep the run before it.
    if (i > runStart) out += s.slice(runStart, i);
    runStart = i + 1;
    clean = false;
  }
  if (clean) return s;
  if (n > runStart) out += s.slice(runStart, n);
  return out.toUpperCase();
}

/** Why a request line cannot be priced (PRODUCT.md, Normalization); the Note and the preview name it. */
export type LineProblem = 'brand' | 'article' | 'qty_zero' | 'qty_negative' | 'qty_fraction' | 'qty_text';
export const LINE_PROBLEMS: readonly LineProblem[] = [
  'brand',
  'article',
  'qty_zero',
  'qty_negative',
  'qty_fraction',
  'qty_text',
];

const WHOLE = /^\d+$/;
const NUMBER_TEXT = /^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/;

/**
 * The requested quantity (PRODUCT.md): a whole number ≥ 1, as a number or as text digits (surrounding
 * spaces allowed); empty = 1. Anything else is the reason the line is invalid: 0, negative, fractional,
 * or not a number at all (words, dates, booleans, "5 pcs").
 */
export function parseQuantity(value: CellValue): number | Exclude<LineProblem, 'brand' | 'article'> {
  if (value === null) return 1;
  if (typeof value === 'number') return numberQuantity(value);
  if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return 1;
    if (WHOLE.test(s)) return numberQuantity(Number(s));
    if (NUMBER_TEXT.test(s)) return numberQuantity(Number(s.replace(',', '.')));
    return 'qty_text';
  }
  return 'qty_text';
}

function numberQuantity(n: number): number | 'qty_zero' | 'qty_negative' | 'qty_fraction' | 'qty_text' {
  if (!Number.isFinite(n) || n > Number.MAX_SAFE_INTEGER) return 'qty_text';
  if (n < 0) return 'qty_negative';
  if (!Number.isInteger(n)) return 'qty_fraction';
  if (n === 0) return 'qty_zero';
  return n;
}

/** The first reason a line with these normalized keys and quantity cell is invalid, or null. */
export function lineProblem(brand: string, article: string, quantity: CellValue): LineProblem | null {
  if (brand === '') return 'brand';
  if (article === '') return 'article';
  const q = parseQuantity(quantity);
  return typeof q === 'number' ? null : q;
}

/** Header text reduced for matching: case-, space- and punctuation-insensitive. */
export function headerKey(value: CellValue): string {
  return cellText(value).toLowerCase().replace(/ё/g, 'е').replace(NOT_ALNUM, '');
}
