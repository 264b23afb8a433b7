import { describe, expect, it } from 'vitest';
import { resultBaseName, safeNamePart } from '../src-main/engine/output-name.ts';
import { detectColumns } from '../src-worker/crossdock/columns.ts';
import {
  cellText,
  lineProblem,
  normalizeArticle,
  normalizeBrand,
  parseQuantity,
} from '../src-main/common/normalize.ts';

describe('normalization (PRODUCT.md)', () => {
  it('brand: trim, collapse spaces, upper-case, Unicode-aware', () => {
    expect(normalizeBrand('  mann   filter ')).toBe('MANN FILTER');
    expect(normalizeBrand('lemförder')).toBe('LEMFÖRDER');
    expect(normalizeBrand('автоваз\u00a0 спорт')).toBe('АВТОВАЗ СПОРТ');
    expect(normalizeBrand(null)).toBe('');
  });
  it('article: upper-case, Cyrillic look-alikes to Latin, only letters and digits, zeros kept', () => {
    expect(normalizeArticle('w 712/75')).toBe('W71275');
    expect(normalizeArticle('0 986-452.041')).toBe('0986452041');
    expect(normalizeArticle('00123')).toBe('00123');
    expect(normalizeArticle('АВЕКМНОРСТХУ-1')).toBe('ABEKMHOPCTXY1');
    expect(normalizeArticle('ак-47')).toBe('AK47');
    expect(normalizeArticle('ЖЁЛТЫЙ')).toBe('ЖЁЛTЫЙ'); // other Cyrillic letters stay
    expect(normalizeArticle('---')).toBe('');
  });
  it('a numeric cell and a text cell match', () => {
    expect(normalizeArticle(123)).toBe(normalizeArticle('123'));
    expect(cellText(1234567890123456)).toBe('1234567890123456');
    expect(cellText(1e21)).toBe('1000000000000000000000');
    expect(cellText(1.5)).toBe('1.5');
  });
  it('quantity: missing or empty = 1; a whole number ≥ 1 as a number or text digits', () => {
    expect(parseQuantity(null)).toBe(1);
    expect(parseQuantity('')).toBe(1);
    expect(parseQuantity('   ')).toBe(1);
    expect(parseQuantity(7)).toBe(7);
    expect(parseQuantity(7.0)).toBe(7);
    expect(parseQuantity(' 12 ')).toBe(12);
    expect(parseQuantity('\u00a05\u00a0')).toBe(5);
    expect(parseQuantity('007')).toBe(7);
  });
  it('quantity: anything else names why the line is invalid', () => {
    expect(parseQuantity(0)).toBe('qty_zero');
    expect(parseQuantity('0')).toBe('qty_zero');
    expect(parseQuantity(-3)).toBe('qty_negative');
    expect(parseQuantity('-3')).toBe('qty_negative');
    expect(parseQuantity(2.5)).toBe('qty_fraction');
    expect(parseQuantity('2,5')).toBe('qty_fraction');
    expect(parseQuantity('x')).toBe('qty_text');
    expect(parseQuantity('5 шт')).toBe('qty_text');
    expect(parseQuantity('1e3')).toBe('qty_text');
    expect(parseQuantity(true)).toBe('qty_text');
    expect(parseQuantity(new Date(0))).toBe('qty_text');
    expect(parseQuantity(Number.NaN)).toBe('qty_text');
    expect(parseQuantity(1e300)).toBe('qty_text');
  });
  it('a line is invalid for its first missing field, then its quantity', () => {
    expect(lineProblem('', '', 'x')).toBe('brand');
    expect(lineProblem('BOSCH', '', 'x')).toBe('article');
    expect(lineProblem('BOSCH', '0986', 'x')).toBe('qty_text');
    expect(lineProblem('BOSCH', '0986', null)).toBeNull();
  });
});

describe('column detection', () => {
  it('finds the header row within the first 20 rows, in English and Russian, any case and punctuation', () => {
    const rows = [['Заявка'], [], ['№', 'ПРОИЗВОДИТЕЛЬ', 'Каталожный  номер', 'Кол-во']];
    expect(detectColumns(rows)).toEqual({ headerRowIndex: 2, brand: 1, article: 2, quantity: 3 });
    expect(detectColumns([['Make', 'Part No.', 'QTY']])).toEqual({
      headerRowIndex: 0,
      brand: 0,
      article: 1,
      quantity: 2,
    });
    expect(detectColumns([['Марка', 'Номер']])).toMatchObject({ brand: 0, article: 1, quantity: null });
    expect(detectColumns([['Brand', 'Price']])).toBeNull();
    const late = Array.from({ length: 20 }, () => ['x']);
    expect(detectColumns([...late, ['Brand', 'SKU']])).toBeNull();
  });
  it('takes user mappings by header name or 1-based index', () => {
    expect(
      detectColumns([['Fabricant', 'Ref', 'N']], { brand: 'fabricant', article: '2', quantity: 'n' }),
    ).toMatchObject({
      brand: 0,
      article: 1,
      quantity: 2,
    });
    expect(detectColumns([['a', 'b', 'c']], { brand: '3', article: '1' })).toMatchObject({
      brand: 2,
      article: 0,
    });
  });
});

describe('result file names', () => {
  it('are <input>_<list>_<YYYYMMDD-HHmmss> and safe on every file system', () => {
    const at = new Date(2026, 10, 24, 9, 5, 7);
    expect(resultBaseName('заявка.xlsx', 'ОПТ-1', at)).toBe('заявка_ОПТ-1_20261124-090507');
    expect(resultBaseName('a<b>:c"d|e?f*.csv', 'x/y\\z', at)).toBe('a_b__c_d_e_f__x_y_z_20261124-090507');
    expect(safeNamePart('CON')).toBe('_CON');
    expect(safeNamePart('name. . ')).toBe('name');
    expect(Buffer.byteLength(safeNamePart('я'.repeat(500)))).toBeLessThanOrEqual(120);
  });
});
