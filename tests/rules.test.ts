import { describe, expect, it } from 'vitest';
import { resultBaseName, safeNamePart } from '../src-main/engine/output-name.ts';
import { bestOffer, rankOffers, type Offer } from '../src-worker/crossdock/best-offer.ts';
import { detectColumns } from '../src-worker/crossdock/columns.ts';
import { cellText, normalizeArticle, normalizeBrand, parseQuantity } from '../src-main/common/normalize.ts';

const offer = (supplier: string, price: number, quantity: number, deliveryDays = 1): Offer => ({
  supplier,
  name: 'x',
  price,
  currency: 'RUB',
  quantity,
  deliveryDays,
});

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
  it('quantity: missing or empty = 1', () => {
    expect(parseQuantity(null)).toBe(1);
    expect(parseQuantity('')).toBe(1);
    expect(parseQuantity('5 шт')).toBe(5);
    expect(parseQuantity('2,5')).toBe(2.5);
    expect(parseQuantity(7)).toBe(7);
    expect(parseQuantity(-3)).toBe(1);
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

describe('the best-offer rule', () => {
  it('1. enough stock: lowest price, then fewer days, then supplier name', () => {
    const r = bestOffer(
      [offer('B', 10, 5, 3), offer('A', 10, 5, 3), offer('C', 9, 1), offer('D', 10, 9, 2)],
      4,
    );
    expect(r).toEqual({ offer: offer('D', 10, 9, 2), status: 'found' });
    expect(bestOffer([offer('B', 10, 5, 3), offer('A', 10, 5, 3)], 4).offer?.supplier).toBe('A');
  });
  it('2. else largest stock, then lowest price, then supplier name', () => {
    const r = bestOffer([offer('B', 5, 3), offer('A', 7, 3), offer('C', 1, 2), offer('Z', 1, 0)], 10);
    expect(r).toEqual({ offer: offer('B', 5, 3), status: 'partial' });
    expect(bestOffer([offer('B', 5, 3), offer('A', 5, 3)], 10).offer?.supplier).toBe('A');
  });
  it('3. no offer or only zero stock: not found', () => {
    expect(bestOffer([], 1)).toEqual({ offer: null, status: 'not_found' });
    expect(bestOffer([offer('A', 1, 0)], 1)).toEqual({ offer: null, status: 'not_found' });
  });
  it('ranks alternatives the same way: full offers first, then partial ones', () => {
    const ranked = rankOffers(
      [offer('P', 1, 2), offer('F2', 5, 10), offer('F1', 4, 10), offer('Z', 1, 0)],
      5,
    );
    expect(ranked.map((o) => o.supplier)).toEqual(['F1', 'F2', 'P']);
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
