// The result workbook a buyer forwards (PRODUCT.md, Result workbook): Order qty, Line total = cost in
// the base currency, Note, coloured Status cells, the result language, the Summary naming the currency,
// and the rule's packs, minimums, currencies, aliases and analogs end to end through the crossdock task.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Offer } from '../src-worker/crossdock/best-offer.ts';
import ExcelJS from 'exceljs';
import type { CrossdockInput } from '../src-worker/protocol.ts';
import { lookupKey, type LookupKey, type OfferSource } from '../src-worker/sources/types.ts';
import { TaskContext } from '../src-worker/task-context.ts';
import { runCrossdock } from '../src-worker/tasks/crossdock.ts';
import { readXlsx, tempDir, writeXlsx } from './helpers.ts';

const o = (supplier: string, price: number, quantity: number, more: Partial<Offer> = {}): Offer => ({
  supplier,
  name: `${supplier} part`,
  price,
  currency: 'RUB',
  quantity,
  deliveryDays: 2,
  minQty: 1,
  pack: 1,
  ...more,
});

/**
 * An in-memory source with everything PRODUCT.md's tables can hold; `whole`: it holds its crosses
 * table whole, so the matcher takes each key's crosses at once (crossesNow) instead of asking.
 */
function fakeSource(
  tables: {
    offers: Record<string, Offer[]>;
    crosses?: [string, string, string, string][];
    aliases?: Record<string, string>;
    rates?: Record<string, number>;
  },
  whole = false,
): OfferSource & { lookups: number; crossLookups: number } {
  const calls = { lookups: 0, crossLookups: 0 };
  const crossesOf = (k: LookupKey): LookupKey[] => {
    const out: LookupKey[] = [];
    for (const [b, a, cb, ca] of tables.crosses ?? []) {
      if (b === k.brand && a === k.article) out.push({ brand: cb, article: ca });
      if (cb === k.brand && ca === k.article) out.push({ brand: b, article: a });
    }
    return out;
  };
  const now = whole
    ? {
        crossesNow: () => ({
          get: (brand: string, article: string) => {
            const found = crossesOf({ brand, article });
            return found.length > 0 ? found : undefined;
          },
        }),
      }
    : {};
  return Object.assign(calls, now, {
    async supplierLists() {
      return ['ОПТ-1'];
    },
    async lookup(_list: string, keys: readonly LookupKey[]) {
      calls.lookups++;
      const m = new Map<string, Offer[]>();
      for (const k of keys) {
        const found = tables.offers[`${k.brand} ${k.article}`];
        if (found) m.set(lookupKey(k.brand, k.article), found);
      }
      return m;
    },
    async crosses(keys: readonly LookupKey[]) {
      calls.crossLookups++;
      const m = new Map<string, LookupKey[]>();
      for (const k of keys) {
        const found = crossesOf(k);
        if (found.length > 0) m.set(lookupKey(k.brand, k.article), found);
      }
      return m;
    },
    async brandAliases() {
      return new Map(Object.entries(tables.aliases ?? {}));
    },
    async rates() {
      return new Map(Object.entries(tables.rates ?? {}));
    },
    async close() {},
  });
}

const TABLES = {
  offers: {
    'BOSCH F001': [o('A', 10, 100), o('B', 9, 100, { deliveryDays: 9 })],
    'BOSCH F002': [o('A', 1, 100, { pack: 10 }), o('B', 1.5, 100)],
    'BOSCH F003': [o('A', 1, 100, { pack: 10 })],
    'BOSCH F004': [o('A', 5, 7)],
    'BOSCH F005': [o('A', 5, 0)],
    'BOSCH F006': [o('EU', 1, 50, { currency: 'EUR' }), o('RU', 120, 50)],
    'BOSCH F007': [o('CN', 1, 50, { currency: 'CNY' })],
    'MANN-FILTER W712': [o('A', 300, 10)],
    'KNECHT OC90': [o('B', 250, 10)],
    'MAHLE OX1': [o('A', 400, 10)],
    'BOSCH F008': [o('A', 2, 30, { minQty: 20 })],
  },
  crosses: [
    ['MAHLE', 'OX1', 'KNECHT', 'OC90'],
    ['MAHLE', 'OX2', 'KNECHT', 'OC90'],
  ] as [string, string, string, string][],
  aliases: { MANN: 'MANN-FILTER' },
  rates: { EUR: 100, USD: 90 },
};

const REQUEST = [
  ['Бренд', 'Артикул', 'Кол-во', 'Комментарий'],
  ['Bosch', 'F001', 5, 'cheapest'],
  ['Bosch', 'F002', 5, 'pack loses'],
  ['Bosch', 'F003', 3, 'pack of 10'],
  ['Bosch', 'F004', 10, 'partial'],
  ['Bosch', 'F005', 1, 'out of stock'],
  ['Bosch', 'F006', 2, 'EUR wins'],
  ['Bosch', 'F007', 2, 'no rate'],
  ['mann', 'W712', 1, 'alias'],
  ['MAHLE', 'OX2', 1, 'only analog'],
  ['MAHLE', 'OX1', 1, 'own dearer'],
  ['Bosch', 'F008', 3, 'minimum'],
  ['Bosch', 'F001', 'x', 'words'],
  ['Bosch', 'F001', -3, 'negative'],
  ['Bosch', 'F001', 2.5, 'fraction'],
  ['', 'F001', 1, 'no brand'],
  ['Bosch', 'F001', 0, 'zero'],
];

async function run(options: Partial<CrossdockInput>, rows: unknown[][] = REQUEST, wholeCrosses = false) {
  const dir = tempDir('result-wb-');
  const inputPath = await writeXlsx(join(dir, 'request.xlsx'), rows);
  const source = fakeSource(TABLES, wholeCrosses);
  const input: CrossdockInput = {
    jobId: 'test',
    inputPath,
    inputName: 'request.xlsx',
    list: 'ОПТ-1',
    source: { kind: 'demo', catalogFile: '' },
    columns: {},
    alternatives: 0,
    tmpPath: join(dir, 'out.tmp'),
    finalPath: join(dir, 'out.xlsx'),
    workDir: dir,
    ...options,
  };
  const ctx = new TaskContext(null);
  const { stats } = await runCrossdock(input, ctx, async () => source);
  return { stats, sheets: await readXlsx(input.tmpPath), file: input.tmpPath, source };
}

const col = (header: unknown[], name: string): number => {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name} in ${header.join(', ')}`);
  return i;
};

describe('the result workbook', () => {
  it('gives Order qty, Line total in the base currency, Status and Note per the rule', async () => {
    const { sheets, stats } = await run({ analogs: 'missing' });
    const [header, ...rows] = sheets.get('Result')!;
    expect(header).toEqual([
      'Бренд',
      'Артикул',
      'Кол-во',
      'Комментарий',
      'Supplier',
      'Offer name',
      'Offer brand',
      'Offer article',
      'Price',
      'Currency',
      'Available',
      'Delivery days',
      'Order qty',
      'Line total',
      'Status',
      'Note',
    ]);
    const get = (i: number, name: string) => rows[i][col(header, name)] ?? null;
    // cheapest full offer wins; ties and delivery days only after cost
    expect([get(0, 'Supplier'), get(0, 'Order qty'), get(0, 'Line total'), get(0, 'Status')]).toEqual([
      'B',
      5,
      45,
      'found',
    ]);
    // a pack of 10 at 1.00 (cost 10) loses to 5 units at 1.50 (cost 7.5)
    expect([get(1, 'Supplier'), get(1, 'Order qty'), get(1, 'Line total')]).toEqual(['B', 5, 7.5]);
    expect(get(2, 'Order qty')).toBe(10);
    expect(get(2, 'Note')).toBe('pack of 10');
    // partial: the line total prices what can be bought, not the whole request
    expect([get(3, 'Order qty'), get(3, 'Line total'), get(3, 'Status'), get(3, 'Note')]).toEqual([
      7,
      35,
      'partial',
      'short by 3',
    ]);
    expect([get(4, 'Status'), get(4, 'Note')]).toEqual(['not_found', 'only out of stock']);
    // EUR 1 × 100 = 100 RUB beats 120 RUB; the price stays in its own currency, the total in RUB
    expect([get(5, 'Supplier'), get(5, 'Price'), get(5, 'Currency'), get(5, 'Line total')]).toEqual([
      'EU',
      1,
      'EUR',
      200,
    ]);
    expect([get(6, 'Status'), get(6, 'Note')]).toEqual([
      'not_found',
      'only offers in CNY (no exchange rate)',
    ]);
    expect([get(7, 'Offer brand'), get(7, 'Status'), get(7, 'Note')]).toEqual([
      'MANN-FILTER',
      'found',
      'brand read as MANN-FILTER',
    ]);
    expect([get(8, 'Offer brand'), get(8, 'Offer article'), get(8, 'Note')]).toEqual([
      'KNECHT',
      'OC90',
      'analog of MAHLE OX2',
    ]);
    // missing: the own part has a full offer, so the cheaper analog does not join
    expect([get(9, 'Offer brand'), get(9, 'Line total')]).toEqual(['MAHLE', 400]);
    expect([get(10, 'Order qty'), get(10, 'Note')]).toEqual([20, 'minimum order 20']);
    const notes = rows.slice(11).map((r) => [r[col(header, 'Status')], r[col(header, 'Note')]]);
    expect(notes).toEqual([
      ['invalid', 'quantity "x" is not a number'],
      ['invalid', 'negative quantity -3'],
      ['invalid', 'quantity 2.5 is not a whole number'],
      ['invalid', 'no brand'],
      ['invalid', 'quantity is 0'],
    ]);
    expect(stats).toMatchObject({ rows: 16, found: 8, partial: 1, notFound: 2, invalid: 5 });
    // OX2 by its analog; F003's pack and F008's minimum; mann through the alias; F007's CNY offer without a rate.
    expect(stats.rule).toEqual({ analogs: 1, rounded: 2, aliased: 1, unrated: 1, baseCurrency: 'RUB' });
    // original columns come back as they were
    expect(rows.map((r) => r[3])).toEqual(REQUEST.slice(1).map((r) => r[3]));
  });

  it('with analogs always, a cheaper analog wins over the own full offer', async () => {
    const { sheets } = await run({ analogs: 'always' });
    const [header, ...rows] = sheets.get('Result')!;
    expect(rows[9][col(header, 'Offer brand')]).toBe('KNECHT');
    expect(rows[9][col(header, 'Note')]).toBe('analog of MAHLE OX1');
  });

  it('is the same whether the source holds its crosses table whole or is asked batch by batch', async () => {
    // Lines repeating a part and an analog (OC90) asked by several lines exercise the matcher's cache.
    const rows = [...REQUEST, ...REQUEST.slice(1), ['KNECHT', 'OC90', 2, 'analog asked itself']];
    for (const analogs of ['missing', 'always'] as const) {
      const asked = await run({ analogs, alternatives: 2 }, rows);
      const whole = await run({ analogs, alternatives: 2 }, rows, true);
      expect(asked.source.crossLookups).toBeGreaterThan(0);
      expect(whole.source.crossLookups).toBe(0);
      for (const name of ['Result', 'Alternatives'])
        expect(whole.sheets.get(name), name).toEqual(asked.sheets.get(name));
      expect(whole.stats).toEqual(asked.stats);
    }
  });

  it('without analogs the offer brand and article columns are left out, and crosses are not looked up', async () => {
    const { sheets, source } = await run({ analogs: 'off' });
    const header = sheets.get('Result')![0];
    expect(header).not.toContain('Offer brand');
    expect(source.crossLookups).toBe(0);
    expect(sheets.get('Result')![9][col(header, 'Status')]).toBe('not_found');
  });

  it('is written in Russian with --lang ru: headers, statuses, notes and the Summary; originals untouched', async () => {
    const { sheets } = await run({ lang: 'ru', analogs: 'missing', alternatives: 2 });
    const [header, ...rows] = sheets.get('Result')!;
    expect(header.slice(0, 4)).toEqual(['Бренд', 'Артикул', 'Кол-во', 'Комментарий']);
    expect(header.slice(4)).toEqual([
      'Поставщик',
      'Наименование предложения',
      'Бренд предложения',
      'Артикул предложения',
      'Цена',
      'Валюта',
      'В наличии',
      'Срок, дн.',
      'Заказ',
      'Сумма',
      'Статус',
      'Примечание',
    ]);
    const status = rows.map((r) => r[col(header, 'Статус')]);
    expect(new Set(status)).toEqual(new Set(['найдено', 'частично', 'не найдено', 'некорректная']));
    expect(rows[3][col(header, 'Примечание')]).toBe('не хватает 3');
    expect(rows[2][col(header, 'Примечание')]).toBe('кратность 10');
    expect(rows[8][col(header, 'Примечание')]).toBe('аналог MAHLE OX2');
    expect(rows[11][col(header, 'Примечание')]).toBe('количество «x» — не число');
    const summary = sheets.get('Summary')!;
    const label = (l: string) => summary.find((r) => r[0] === l);
    expect(label('Всего строк')?.[1]).toBe(16);
    expect(label('Найдено')?.[1]).toBe(8);
    expect(label('Частично')?.[1]).toBe(1);
    expect(label('Не найдено')?.[1]).toBe(2);
    expect(label('Некорректные')?.[1]).toBe(5);
    expect(label('Базовая валюта')?.[1]).toBe('RUB');
    const total = summary.find((r) => String(r[0]).startsWith('Итого'));
    expect(total?.[3]).toBe('RUB');
    expect(summary.some((r) => r[0] === 'Поставщик' && r[1] === 'Строк')).toBe(true);
    expect(sheets.get('Alternatives')![0].slice(0, 5)).toEqual([
      'Строка',
      'Бренд',
      'Артикул',
      'Количество',
      'Место',
    ]);
  });

  it('names the base currency in the Summary and totals every line in it', async () => {
    const { sheets } = await run({ baseCurrency: 'EUR' });
    const summary = sheets.get('Summary')!;
    const total = summary.find((r) => r[0] === 'Total cost (found + partial)')!;
    expect(total[3]).toBe('EUR');
    // 0.01 EUR per RUB is not in the table (EUR is the base, RUB has no rate): RUB offers are left out
    const [header, ...rows] = sheets.get('Result')!;
    expect(rows[5][col(header, 'Supplier')]).toBe('EU');
    expect(rows[0][col(header, 'Status')]).toBe('not_found');
  });

  it('colours the Status cell by status, freezes and filters the header', async () => {
    const { file } = await run({});
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Result')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
    // The Status column is M: 4 original columns, then Supplier … Line total.
    const fill = (row: number) => {
      const cell = ws.getCell(`M${row}`);
      return (cell.fill as { fgColor?: { argb?: string } } | undefined)?.fgColor?.argb;
    };
    expect(ws.getCell('M2').value).toBe('found');
    expect(fill(2)).toBe('FFC6EFCE'); // found: green
    expect(fill(5)).toBe('FFFFEB9C'); // partial: amber
    expect(fill(6)).toBe('FFFFC7CE'); // not found: red
    expect(fill(13)).toBe('FFE7E6E6'); // invalid: grey
    expect(fill(1)).toBeUndefined(); // the header is not filled
    expect((ws.getCell('L2').fill as { pattern?: string } | undefined)?.pattern).not.toBe('solid');
  });
});
