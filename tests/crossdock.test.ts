import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src-main/engine/engine.ts';
import { normalizeArticle, normalizeBrand } from '../src-main/common/normalize.ts';
import { DEMO_LISTS, DEMO_SUPPLIERS, demoPart } from '../src-worker/sources/demo-data.ts';
import {
  filesIn,
  freshDataDir,
  openEngine,
  readXlsx,
  runJob,
  SAMPLE,
  tempDir,
  writeCsv,
  writeXlsx,
} from './helpers.ts';

const APPENDED = [
  'Supplier',
  'Offer name',
  'Price',
  'Currency',
  'Available',
  'Delivery days',
  'Order qty',
  'Line total',
  'Status',
  'Note',
];

interface Expected {
  supplier: string | null;
  price: number | null;
  /** The price in the base currency (RUB), through the catalog's rates table. */
  base: number | null;
  available: number | null;
  status: string;
}

/**
 * An independent oracle: the best-offer rule written as SQL over the catalog (the generated parts
 * have no packs or minimums; prices compare in RUB through the rates table, offers without a rate left out).
 */
function oracle(db: Database.Database, list: string, brand: string, article: string, qty: number): Expected {
  const base = `SELECT o.supplier, o.price, o.price * r.rate AS base, o.quantity FROM offers o
                JOIN supplier_lists l ON l.supplier = o.supplier AND l.list = ?
                JOIN rates r ON r.currency = o.currency
                WHERE o.brand = ? AND o.article = ?`;
  type Row = { supplier: string; price: number; base: number; quantity: number };
  const full = db
    .prepare(
      `${base} AND o.quantity >= ? AND o.quantity > 0 ORDER BY base, o.delivery_days, o.supplier LIMIT 1`,
    )
    .get(list, brand, article, qty) as Row | undefined;
  if (full)
    return {
      supplier: full.supplier,
      price: full.price,
      base: full.base,
      available: full.quantity,
      status: 'found',
    };
  const part = db
    .prepare(`${base} AND o.quantity > 0 ORDER BY o.quantity DESC, base, o.supplier LIMIT 1`)
    .get(list, brand, article) as Row | undefined;
  if (part)
    return {
      supplier: part.supplier,
      price: part.price,
      base: part.base,
      available: part.quantity,
      status: 'partial',
    };
  return { supplier: null, price: null, base: null, available: null, status: 'not_found' };
}

describe('crossdock job on the demo catalog', () => {
  let dataDir: string;
  let out: string;
  let engine: Engine;
  let catalog: Database.Database;

  beforeAll(() => {
    dataDir = freshDataDir();
    out = tempDir('cd-out-');
    engine = openEngine(dataDir);
    engine.start();
    catalog = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
  });
  afterAll(async () => {
    catalog.close();
    await engine.close();
  });

  it('gives every line the offer the rule picks, cell by cell', async () => {
    const rows: unknown[][] = [['Бренд', 'Артикул', 'Кол-во', 'Примечание']];
    const expected: Expected[] = [];
    for (let i = 0; i < 400; i++) {
      const part = demoPart(i * 131);
      const qty = 1 + (i % 25);
      // messy spellings of the same key
      const article =
        i % 3 === 0
          ? part.display.toLowerCase()
          : i % 3 === 1
            ? ` ${part.display.replace(/ /g, '-')} `
            : part.display;
      rows.push([i % 4 === 0 ? `  ${part.brand.toLowerCase()}  ` : part.brand, article, qty, `n${i}`]);
      expected.push(
        oracle(catalog, 'ОПТ-2', normalizeBrand(part.brand), normalizeArticle(part.display), qty),
      );
    }
    const input = await writeXlsx(join(tempDir(), 'order.xlsx'), rows);
    const job = await runJob(engine, { kind: 'crossdock', input, list: 'ОПТ-2', outDir: out });
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(job.outputs).toHaveLength(1);
    expect(basename(job.outputs[0])).toMatch(/^order_ОПТ-2_\d{8}-\d{6}\.xlsx$/);
    const sheets = await readXlsx(job.outputs[0]);
    expect([...sheets.keys()]).toEqual(['Result', 'Summary']);
    const result = sheets.get('Result')!;
    expect(result[0]).toEqual(['Бренд', 'Артикул', 'Кол-во', 'Примечание', ...APPENDED]);
    expect(result).toHaveLength(401);
    const counts = { found: 0, partial: 0, not_found: 0 };
    for (let i = 0; i < 400; i++) {
      const r = result[i + 1];
      const e = expected[i];
      expect(r.slice(0, 4)).toEqual(rows[i + 1]);
      expect(r[4] ?? null).toBe(e.supplier);
      expect(r[6] ?? null).toBe(e.price);
      expect(r[8] ?? null).toBe(e.available);
      expect(r[12]).toBe(e.status);
      // Order qty: the whole quantity when found, the stock when partial; Line total = price × order qty.
      const ordered = e.status === 'found' ? 1 + (i % 25) : e.available;
      expect(r[10] ?? null).toBe(ordered);
      if (e.base !== null && ordered !== null) expect(r[11]).toBeCloseTo(e.base * ordered, 2);
      if (e.status === 'partial') expect(r[13]).toBe(`short by ${1 + (i % 25) - Number(e.available)}`);
      counts[e.status as keyof typeof counts]++;
    }
    // the sample exercises all three outcomes
    expect(counts.found).toBeGreaterThan(100);
    expect(counts.partial).toBeGreaterThan(5);
    expect(job.result).toEqual({
      rows: 400,
      found: counts.found,
      partial: counts.partial,
      notFound: counts.not_found,
      invalid: 0,
      rule: {
        analogs: 0,
        rounded: expect.any(Number),
        aliased: expect.any(Number),
        unrated: 0,
        baseCurrency: 'RUB',
      },
    });
    const summary = sheets.get('Summary')!;
    const value = (label: string) => summary.find((r) => r[0] === label)?.[1];
    expect(value('Lines total')).toBe(400);
    expect(value('Found')).toBe(counts.found);
    expect(value('Partial')).toBe(counts.partial);
    expect(value('Not found')).toBe(counts.not_found);
    expect(value('Invalid')).toBe(0);
    const supplierTable = summary.findIndex((r) => r[0] === 'Supplier' && r[1] === 'Lines won');
    expect(supplierTable).toBeGreaterThan(0);
    const won = summary.slice(supplierTable + 1).reduce((n, r) => n + Number(r[1] ?? 0), 0);
    expect(won).toBe(counts.found + counts.partial);
    const members = new Set(DEMO_LISTS['ОПТ-2'].map((s) => DEMO_SUPPLIERS[s].name));
    for (const r of result.slice(1)) if (r[4]) expect(members.has(String(r[4]))).toBe(true);
  });

  it('keeps original values and types, articles as text, and formulas as text', async () => {
    const part = demoPart(7);
    const rows: unknown[][] = [
      ['Заявка №5'],
      [],
      ['Марка', 'Номер', 'Qty', 'Дата', 'Флаг', 'Формула'],
      [part.brand, part.display, 2, new Date(Date.UTC(2026, 0, 15)), true, '=HYPERLINK("http://x","y")'],
      ['bosch', '00123', null, null, false, '+1+1'],
      ['BOSCH', 1234567890123, '3', null, null, '@SUM(A1)'],
      ['', 'ABC', 1, null, null, '-2'],
      ['BOSCH', '---', 1, null, null, null],
    ];
    const input = await writeXlsx(join(tempDir(), 'types.xlsx'), rows);
    const job = await runJob(engine, {
      kind: 'crossdock',
      input,
      list: 'ОПТ-1',
      outDir: out,
      alternatives: 3,
    });
    expect(job.status, job.error ?? '').toBe('succeeded');
    const sheets = await readXlsx(job.outputs[0]);
    const result = sheets.get('Result')!;
    expect(result[0].slice(0, 6)).toEqual(['Марка', 'Номер', 'Qty', 'Дата', 'Флаг', 'Формула']);
    expect(result).toHaveLength(6); // title rows above the header are not data
    expect(result[1][3]).toEqual(new Date(Date.UTC(2026, 0, 15)));
    expect(result[1][4]).toBe(true);
    expect(result[1][5]).toBe('=HYPERLINK("http://x","y")');
    expect(result[2][1]).toBe('00123');
    expect(result[2][5]).toBe('+1+1');
    expect(result[3][1]).toBe('1234567890123'); // a numeric article comes back as text, no exponent
    expect(result[3][14]).not.toBe('invalid');
    expect(result[4][14]).toBe('invalid');
    expect(result[4][15]).toBe('no brand');
    expect(result[5][14]).toBe('invalid');
    expect(result[5][15]).toBe('no article');
    expect(job.result?.invalid).toBe(2);
    expect(sheets.has('Alternatives')).toBe(true);
    const alternatives = sheets.get('Alternatives')!;
    expect(alternatives[0]).toEqual([
      'Row',
      'Brand',
      'Article',
      'Quantity',
      'Rank',
      'Supplier',
      'Offer name',
      'Price',
      'Currency',
      'Available',
      'Delivery days',
      'Order qty',
      'Line total',
    ]);
    for (const a of alternatives.slice(1)) expect(Number(a[4])).toBeGreaterThanOrEqual(1);
  });

  it('reads CSV in Windows-1251 with semicolons and writes the result', async () => {
    const part = demoPart(42);
    const text = `Производитель;Артикул;Количество\r\n${part.brand};"${part.display}";2\r\nНЕТ-ТАКОГО;X1;1\r\n`;
    const bytes = Buffer.from(
      [...text].map((ch) => {
        const c = ch.charCodeAt(0);
        if (c < 128) return c;
        if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
        if (c === 0x401) return 0xa8;
        if (c === 0x451) return 0xb8;
        throw new Error(`no cp1251 for ${ch}`);
      }),
    );
    const input = join(tempDir(), 'заявка.csv');
    (await import('node:fs')).writeFileSync(input, bytes);
    const job = await runJob(engine, { kind: 'crossdock', input, list: 'ОПТ-1', outDir: out });
    expect(job.status, job.error ?? '').toBe('succeeded');
    const result = (await readXlsx(job.outputs[0])).get('Result')!;
    expect(result[0].slice(0, 3)).toEqual(['Производитель', 'Артикул', 'Количество']);
    expect(result[2][0]).toBe('НЕТ-ТАКОГО');
    expect(result[2][11]).toBe('not_found');
  });

  it('splits the result across sheets past the row limit', async () => {
    const rows: unknown[][] = [['Brand', 'Article', 'Qty']];
    for (let i = 0; i < 45; i++) rows.push([demoPart(i).brand, demoPart(i).display, 1]);
    const input = writeCsv(join(tempDir(), 'split.csv'), rows);
    const job = await runJob(engine, {
      kind: 'crossdock',
      input,
      list: 'РОЗН',
      outDir: out,
      maxRowsPerSheet: 20,
    });
    expect(job.status, job.error ?? '').toBe('succeeded');
    const sheets = await readXlsx(job.outputs[0]);
    expect([...sheets.keys()]).toEqual(['Result', 'Result (2)', 'Result (3)', 'Summary']);
    const total = ['Result', 'Result (2)', 'Result (3)']
      .map((n) => sheets.get(n)!.length - 1)
      .reduce((a, b) => a + b);
    expect(total).toBe(45);
    for (const n of ['Result', 'Result (2)', 'Result (3)'])
      expect(sheets.get(n)![0].slice(0, 3)).toEqual(['Brand', 'Article', 'Qty']);
  });

  it('uses the columns the user names when headers are not recognised', async () => {
    const part = demoPart(3);
    const input = writeCsv(join(tempDir(), 'mapped.csv'), [
      ['Fabricant', 'Référence', 'Nombre'],
      [part.brand, part.display, 4],
    ]);
    const failed = await runJob(engine, { kind: 'crossdock', input, list: 'ОПТ-1', outDir: out });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/no Brand and Article header.*Found: Fabricant, Référence, Nombre/);
    const job = await runJob(engine, {
      kind: 'crossdock',
      input,
      list: 'ОПТ-1',
      outDir: out,
      columns: { brand: 'fabricant', article: '2', quantity: 'Nombre' },
    });
    expect(job.status, job.error ?? '').toBe('succeeded');
    const result = (await readXlsx(job.outputs[0])).get('Result')!;
    expect(result[1][3 + 7]).not.toBe('invalid');
  });

  it('runs the committed sample and leaves only the result in the output folder', async () => {
    const dir = tempDir('cd-sample-');
    const job = await runJob(engine, { kind: 'crossdock', input: SAMPLE, list: 'ОПТ-1', outDir: dir });
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(filesIn(dir)).toEqual([basename(job.outputs[0])]);
    expect(job.result!.rows).toBe(1500);
    expect(job.result!.found).toBeGreaterThan(900);
    expect(job.result!.invalid).toBeGreaterThan(0);
    expect(job.result!.notFound).toBeGreaterThan(0);
    expect(existsSync(job.outputs[0])).toBe(true);
  });
});
