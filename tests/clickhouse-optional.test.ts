// ClickHouse's optional schema against a real 18.16 server (PRODUCT.md "Data sources"): offers'
// min_qty and pack, the crosses, brand_aliases and rates tables. A database without them works as
// before; with them, the source answers what the demo catalog answers for the same demo data; keys
// are data, never SQL text, whatever they hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeArticle, normalizeBrand } from '../src-main/common/normalize.ts';
import type { Offer } from '../src-worker/crossdock/best-offer.ts';
import { InputError } from '../src-worker/io/types.ts';
import { ClickHouseConnection, ClickHouseSource } from '../src-worker/sources/clickhouse.ts';
import { createDemoData } from '../src-worker/sources/clickhouse-demo.ts';
import type { AnswerSink } from '../src-worker/sources/clickhouse-http.ts';
import {
  ListSnapshot,
  SNAPSHOT_MIN_LINES,
  snapshotFits,
  snapshotQueries,
} from '../src-worker/sources/clickhouse-list-snapshot.ts';
import { allCrosses, lookupCrosses, lookupOffers } from '../src-worker/sources/clickhouse-lookup.ts';
import { quoteString } from '../src-worker/sources/clickhouse-quote.ts';
import { DemoCatalog, ensureDemoCatalog } from '../src-worker/sources/demo-catalog.ts';
import { DEMO_PARTS, demoPart, SHOWCASE_PARTS } from '../src-worker/sources/demo-data.ts';
import { StringPool } from '../src-worker/sources/string-pool.ts';
import { lookupKey, type LookupKey } from '../src-worker/sources/types.ts';
import { startClickHouse, type ClickHouseServer } from './support/clickhouse-server.ts';
import { tempDir } from './helpers.ts';

const OFFERS = `(brand String, article String, supplier String, name String, price Float64, currency String,
  quantity UInt32, delivery_days UInt16) ENGINE = MergeTree ORDER BY (brand, article)`;
const LISTS = '(list String, supplier String) ENGINE = MergeTree ORDER BY (list, supplier)';
const CROSSES =
  '(brand String, article String, cross_brand String, cross_article String) ENGINE = MergeTree ORDER BY (brand, article)';

const HOSTILE = [
  "'; DROP TABLE crosses; --",
  "'",
  '\\',
  "\\'",
  'a\0b',
  '\0',
  'tab\there',
  'line1\nline2\r\n',
  '\r\n--crossdock-boundary\r\n',
  'Ёлка-ПАЛКА',
  'ЛЕМФЁРДЕР',
  '`backticks`',
  "') OR ('1'='1",
  '🙂🚚',
  'z'.repeat(5_000),
];

let ch: ClickHouseServer;
let demo: DemoCatalog;
const open: ClickHouseSource[] = [];

async function source(database: string): Promise<ClickHouseSource> {
  const s = await ClickHouseSource.open({ url: ch.url, database });
  open.push(s);
  return s;
}
const values = (rows: (string | number | null)[][]): string =>
  rows
    .map(
      (r) =>
        `(${r.map((v) => (typeof v === 'string' ? quoteString(v) : v === null ? 'NULL' : String(v))).join(', ')})`,
    )
    .join(', ');
const key = (brand: string, display: string): LookupKey => ({
  brand: normalizeBrand(brand),
  article: normalizeArticle(display),
});
const partKey = (i: number) => key(demoPart(i).brand, demoPart(i).display);
/** Offers per key in a fixed order, so two maps compare regardless of row order. */
const canonical = (m: Map<string, Offer[]>) =>
  [...m]
    .map(([k, o]): [string, string[]] => [k, o.map((x) => JSON.stringify(x)).sort()])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));

beforeAll(async () => {
  ch = await startClickHouse();
  await createDemoData({ url: ch.url, database: 'demo' }, { offers: 350_000 });
  demo = new DemoCatalog(ensureDemoCatalog(tempDir()));
  await ch.query('CREATE DATABASE plain');
  await ch.query(`CREATE TABLE plain.offers ${OFFERS}`);
  await ch.query(`CREATE TABLE plain.supplier_lists ${LISTS}`);
  await ch.query("INSERT INTO plain.supplier_lists VALUES ('L', 'S'), ('L', 'T')");
  await ch.query(
    `INSERT INTO plain.offers VALUES ${values([
      ['BOSCH', 'F001', 'S', 'Filter', 10.5, 'RUB', 5, 1],
      ['BOSCH', 'F001', 'T', 'Filter', 11, 'EUR', 50, 2],
      ['BOSCH', 'F002', 'S', 'Filter 2', 3, 'RUB', 0, 1],
    ])}`,
  );
}, 120_000);

afterAll(async () => {
  for (const s of open) await s.close();
  await demo?.close();
  await ch?.stop();
});

describe('a database without the optional columns and tables', () => {
  it('answers as before: packs and minimums 1, no crosses, aliases or rates', async () => {
    const s = await source('plain');
    const k = { brand: 'BOSCH', article: 'F001' };
    const offers = (await s.lookup('L', [k, { brand: 'BOSCH', article: 'F002' }])).get(
      lookupKey('BOSCH', 'F001'),
    )!;
    expect(offers).toEqual([
      {
        supplier: 'S',
        name: 'Filter',
        price: 10.5,
        currency: 'RUB',
        quantity: 5,
        deliveryDays: 1,
        minQty: 1,
        pack: 1,
      },
      {
        supplier: 'T',
        name: 'Filter',
        price: 11,
        currency: 'EUR',
        quantity: 50,
        deliveryDays: 2,
        minQty: 1,
        pack: 1,
      },
    ]);
    expect((await s.crosses([k])).size).toBe(0);
    expect((await s.brandAliases()).size).toBe(0);
    expect((await s.rates()).size).toBe(0);
  });
});

describe('createDemoData and the demo catalog', () => {
  it('fill the optional tables alike: crosses, aliases, rates, packs and currencies answer the same', async () => {
    const s = await source('demo');
    expect(await s.rates()).toEqual(await demo.rates());
    expect(await s.brandAliases()).toEqual(await demo.brandAliases());
    const keys = [
      ...SHOWCASE_PARTS.map((p) => key(p.brand, p.display)),
      ...Array.from({ length: DEMO_PARTS / 10 }, (_, i) => partKey(i * 10)),
      { brand: 'BOSCH', article: 'NOSUCH' },
    ];
    const crosses = await s.crosses(keys);
    expect(crosses).toEqual(await demo.crosses(keys));
    expect(crosses.size).toBeGreaterThan(100);
    // A big job reads the (small) crosses table once and answers the same from it.
    const big = await source('demo');
    big.expectLines(SNAPSHOT_MIN_LINES);
    // Asked for crosses only once it reads the table whole: then crossesNow answers at once, alike.
    expect(big.crossesNow()).toBeNull();
    await big.lookup('ОПТ-1', keys.slice(0, 10));
    expect(await big.crosses(keys)).toEqual(crosses);
    const now = big.crossesNow()!;
    expect(now).not.toBeNull();
    for (const k of keys)
      expect(now.get(k.brand, k.article) ?? null).toEqual(crosses.get(lookupKey(k.brand, k.article)) ?? null);
    // A small job asks batch by batch: it holds no table.
    expect(s.crossesNow()).toBeNull();
    const queries = async (): Promise<number> =>
      Number((await ch.query("SELECT value FROM system.events WHERE event = 'Query'")).trim());
    const before = await queries();
    expect(await big.crosses(keys.slice(0, 500))).toEqual(
      new Map(
        [...crosses].filter(([id]) => keys.slice(0, 500).some((k) => lookupKey(k.brand, k.article) === id)),
      ),
    );
    expect((await queries()) - before).toBe(1); // the counting query itself
    expect(crosses.get(lookupKey('MANN-FILTER', 'W71295'))).toEqual([
      { brand: 'FILTRON', article: 'OP6411' },
      { brand: 'KNECHT', article: 'OC1051' },
    ]);
    for (const list of ['ОПТ-1', 'ОПТ-2', 'РОЗН']) {
      const a = await s.lookup(list, keys);
      expect(canonical(a)).toEqual(canonical(await demo.lookup(list, keys)));
    }
    const ngk = (await s.lookup('ОПТ-1', [key('NGK', 'BKR6E-11')])).get(lookupKey('NGK', 'BKR6E11'))!;
    expect(ngk.find((o) => o.supplier === 'Склад-Комплект')).toMatchObject({ pack: 4, minQty: 1 });
  });

  it('looks the crosses of a batch up in one query', async () => {
    const conn = new ClickHouseConnection({ url: ch.url, database: 'demo' });
    try {
      let queries = 0;
      const keys = Array.from({ length: 30_000 }, (_, i) => partKey(i));
      const found = await lookupCrosses(keys, ch.url, ({ sql, ...request }) => {
        queries++;
        return conn.run(sql, { ...request, readOnly: true });
      });
      expect(queries).toBe(1);
      expect(found.size).toBeGreaterThan(300);
    } finally {
      await conn.close();
    }
  });
});

describe('optional tables with hostile and odd values', () => {
  beforeAll(async () => {
    await ch.query('CREATE DATABASE odd');
    // min_qty absent, pack Nullable: NULL and 0 read as 1
    await ch.query(`CREATE TABLE odd.offers (brand String, article String, supplier String, name String,
      price Float64, currency String, quantity UInt32, delivery_days UInt16, pack Nullable(UInt32))
      ENGINE = MergeTree ORDER BY (brand, article)`);
    await ch.query(`CREATE TABLE odd.supplier_lists ${LISTS}`);
    await ch.query(`CREATE TABLE odd.crosses ${CROSSES}`);
    await ch.query(
      'CREATE TABLE odd.brand_aliases (alias String, brand Nullable(String)) ENGINE = MergeTree ORDER BY alias',
    );
    await ch.query(
      'CREATE TABLE odd.rates (currency String, rate Float64) ENGINE = MergeTree ORDER BY currency',
    );
    await ch.query(`INSERT INTO odd.supplier_lists VALUES ${values([['L', 'S']])}`);
    const offers: (string | number | null)[][] = [];
    const crosses: string[][] = [];
    HOSTILE.forEach((h, i) => {
      offers.push([h, `${h}#${i}`, 'S', `name ${h}`, 1 + i, 'RUB', i, 1, [null, 0, 6][i % 3]]);
      crosses.push([h, `${h}#${i}`, 'BOSCH', `X${i}`]);
      // the same pair again, the other way round: one analog
      crosses.push(['BOSCH', `X${i}`, h, `${h}#${i}`]);
    });
    crosses.push(['X\uFFFD', 'A', 'BOSCH', 'LONE']);
    await ch.query(`INSERT INTO odd.offers VALUES ${values(offers)}`);
    await ch.query(`INSERT INTO odd.crosses VALUES ${values(crosses)}`);
    await ch.query(
      `INSERT INTO odd.brand_aliases VALUES ${values([
        ['lemforder', 'LEMFÖRDER'],
        ["O'Brien  \\ Ltd", "o'brien"],
        ['ЛЕМФЁРДЕР', 'lemförder'],
        ['same', 'SAME'],
        ['', 'EMPTY'],
        ['nobrand', null],
        ['a\0b', 'NUL BRAND'],
      ])}`,
    );
    await ch.query(
      `INSERT INTO odd.rates VALUES ${values([
        [' eur ', 95.5],
        ['USD', 0],
        ['CNY', -3],
        ['JPY', 0.6],
        ["X'\\", 2],
      ])}, ('INF', inf), ('NAN', nan)`,
    );
  });

  it('reads packs 1 for NULL and 0, min_qty 1 without the column, whatever the keys hold', async () => {
    const s = await source('odd');
    const keys = HOSTILE.map((h, i) => ({ brand: h, article: `${h}#${i}` }));
    const found = await s.lookup('L', keys);
    HOSTILE.forEach((h, i) => {
      const offers = found.get(lookupKey(h, `${h}#${i}`))!;
      expect(offers, h).toHaveLength(1);
      expect(offers[0]).toMatchObject({
        name: `name ${h}`,
        price: 1 + i,
        minQty: 1,
        pack: i % 3 === 2 ? 6 : 1,
      });
    });
  });

  it('finds crosses both ways round, once each, for hostile keys and a lone surrogate', async () => {
    const s = await source('odd');
    const keys = HOSTILE.map((h, i) => ({ brand: h, article: `${h}#${i}` }));
    const found = await s.crosses([
      ...keys,
      { brand: 'X\uD800', article: 'A' },
      { brand: 'BOSCH', article: 'X3' },
    ]);
    HOSTILE.forEach((h, i) => {
      expect(found.get(lookupKey(h, `${h}#${i}`)), h).toEqual([{ brand: 'BOSCH', article: `X${i}` }]);
    });
    expect(found.get(lookupKey('X\uD800', 'A'))).toEqual([{ brand: 'BOSCH', article: 'LONE' }]);
    // the analog side comes back normalized
    expect(found.get(lookupKey('BOSCH', 'X3'))).toEqual([
      { brand: normalizeBrand(HOSTILE[3]), article: normalizeArticle(`${HOSTILE[3]}#3`) },
    ]);
    expect((await ch.query('SELECT count() FROM odd.crosses')).trim()).toBe(String(HOSTILE.length * 2 + 1));
    // The whole table read at once answers every one of those keys alike.
    const conn = new ClickHouseConnection({ url: ch.url, database: 'odd' });
    try {
      const whole = await allCrosses(ch.url, (sql) => conn.run(sql, { readOnly: true }));
      expect(whole).not.toBeNull();
      for (const k of [...keys, { brand: 'X\uD800', article: 'A' }, { brand: 'BOSCH', article: 'X3' }])
        expect(whole!.get(k.brand, k.article) ?? null).toEqual(
          found.get(lookupKey(k.brand, k.article)) ?? null,
        );
    } finally {
      await conn.close();
    }
  });

  it('normalizes aliases and keeps only usable rates', async () => {
    const s = await source('odd');
    expect(await s.brandAliases()).toEqual(
      new Map([
        ['LEMFORDER', 'LEMFÖRDER'],
        ["O'BRIEN \\ LTD", "O'BRIEN"],
        ['ЛЕМФЁРДЕР', 'LEMFÖRDER'],
        ['A\0B', 'NUL BRAND'],
      ]),
    );
    expect(await s.rates()).toEqual(
      new Map([
        ['EUR', 95.5],
        ['JPY', 0.6],
        ["X'\\", 2],
      ]),
    );
  });

  it('an optional table without the columns it needs is the schema sentence; the rest still works', async () => {
    await ch.query('CREATE DATABASE wrong');
    await ch.query(`CREATE TABLE wrong.offers ${OFFERS}`);
    await ch.query(`CREATE TABLE wrong.supplier_lists ${LISTS}`);
    await ch.query("INSERT INTO wrong.supplier_lists VALUES ('L', 'S')");
    await ch.query('CREATE TABLE wrong.rates (code String, value Float64) ENGINE = Memory');
    const s = await source('wrong');
    const err = await s.rates().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('CLICKHOUSE_MISSING_COLUMNS');
    expect((err as Error).message).toContain('wrong.rates');
    expect((await s.lookup('L', [{ brand: 'A', article: 'B' }])).size).toBe(1);
    expect((await s.brandAliases()).size).toBe(0);
  });

  it('a cancelled crosses lookup rejects with the signal reason', async () => {
    const s = await source('demo');
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(s.crosses([partKey(0)], controller.signal)).rejects.toBe(reason);
  });
});

describe('big lookups: streamed into columns, or the list read whole', () => {
  const demoKeys = (): LookupKey[] => [
    ...SHOWCASE_PARTS.map((p) => key(p.brand, p.display)),
    ...Array.from({ length: 20_000 }, (_, i) => partKey((i * 7) % (DEMO_PARTS + 3_000))),
    { brand: 'BOSCH', article: 'NOSUCH' },
  ];
  /** A sink's answer handed on in pieces of `size` bytes, so rows straddle every boundary. */
  const pieces = (sink: AnswerSink, size: number): AnswerSink => ({
    write: (chunk) => {
      for (let i = 0; i < chunk.length; i += size) sink.write(chunk.subarray(i, i + size));
    },
    reset: () => sink.reset(),
  });

  it('an answer cut anywhere decodes the same; one that ends mid-row is a transient error', async () => {
    const s = await source('demo');
    const keys = demoKeys();
    const expected = await s.lookup('ОПТ-1', keys);
    expect([...expected.values()].filter((o) => o.length > 0).length).toBeGreaterThan(5_000);
    const conn = new ClickHouseConnection({ url: ch.url, database: 'demo' });
    try {
      for (const size of [1, 7, 4096]) {
        const got = await lookupOffers(
          'ОПТ-1',
          keys,
          new StringPool(),
          ch.url,
          ({ sql, ...request }, sink) =>
            conn.runInto(sql, { ...request, readOnly: true }, pieces(sink, size)),
          { minQty: true, pack: true },
        );
        expect(got).toEqual(expected);
      }
      const cut = lookupOffers(
        'ОПТ-1',
        keys,
        new StringPool(),
        ch.url,
        async ({ sql, ...request }, sink) => {
          const whole = await conn.run(sql, { ...request, readOnly: true });
          sink.write(whole.subarray(0, whole.length - 3));
        },
        { minQty: true, pack: true },
      );
      await expect(cut).rejects.toMatchObject({ code: 'CLICKHOUSE_TRUNCATED_ANSWER', transient: true });
    } finally {
      await conn.close();
    }
  });

  it('a job of many lines with analogs reads a small crosses table once, from the start', async () => {
    const keys = demoKeys();
    const queries = async (): Promise<number> =>
      Number((await ch.query("SELECT value FROM system.events WHERE event = 'Query'")).trim());
    const byKey = await source('demo');
    byKey.prepareCrosses(); // a job of unknown size: nothing read ahead
    const expected = await byKey.crosses(keys);
    expect(expected.size).toBeGreaterThan(100);
    const whole = await source('demo');
    whole.expectLines(100_000);
    const before = await queries();
    whole.prepareCrosses();
    expect(await whole.crosses(keys)).toEqual(expected);
    const few = keys.slice(0, 300);
    const ids = new Set(few.map((k) => lookupKey(k.brand, k.article)));
    expect(await whole.crosses(few)).toEqual(new Map([...expected].filter(([id]) => ids.has(id))));
    // The count and the read, once (and the counting query itself): no crosses query per batch.
    expect((await queries()) - before).toBeLessThanOrEqual(3);
  });

  it('a big job reads the list once and answers exactly what key queries answer', async () => {
    const keys = demoKeys();
    const byKey = await source('demo');
    const whole = await source('demo');
    whole.expectLines(SNAPSHOT_MIN_LINES);
    expect(whole.batchLines).toBe(16_000);
    const queries = async (): Promise<number> =>
      Number((await ch.query("SELECT value FROM system.events WHERE event = 'Query'")).trim());
    for (const list of ['ОПТ-1', 'ОПТ-2', 'РОЗН']) {
      const expected = await byKey.lookup(list, keys);
      const before = await queries();
      expect(await whole.lookup(list, keys)).toEqual(expected);
      // the count, the read and the counting query itself (and the first time, the list check)
      expect((await queries()) - before).toBeLessThanOrEqual(list === 'ОПТ-1' ? 4 : 3);
      // Key by key too (what the matcher asks for), and by the key queries' path alike.
      const each = keys.map((k) => expected.get(lookupKey(k.brand, k.article)));
      expect((await whole.lookupRows(list, keys)).lists()).toEqual(each);
      expect((await byKey.lookupRows(list, keys.slice(0, 2000))).lists()).toEqual(each.slice(0, 2000));
      const again = await queries();
      const few = keys.slice(0, 500);
      const ids = new Set(few.map((k) => lookupKey(k.brand, k.article)));
      expect(await whole.lookup(list, few)).toEqual(new Map([...expected].filter(([id]) => ids.has(id))));
      expect((await queries()) - again).toBe(1);
      // Answered from memory: small batches, and no offers kept across them.
      expect(whole.batchLines).toBe(4000);
      expect(whole.cacheKeys).toBe(0);
    }
    // Told the list early (prepareList), the read starts at once and the first lookup waits for it:
    // the same answer, the same queries.
    const early = await source('demo');
    early.expectLines(SNAPSHOT_MIN_LINES);
    const before = await queries();
    early.prepareList('ОПТ-1');
    const expected = await byKey.lookup('ОПТ-1', keys);
    const fromKeys = (await queries()) - before;
    expect((await early.lookupRows('ОПТ-1', keys)).lists()).toEqual(
      keys.map((k) => expected.get(lookupKey(k.brand, k.article))),
    );
    expect((await queries()) - before - fromKeys).toBeLessThanOrEqual(4);
    expect(early.cacheKeys).toBe(0);
    // A first guess the sheet's own count then contradicts: the list read whole is not used.
    const guessed = await source('demo');
    guessed.expectLines(SNAPSHOT_MIN_LINES);
    guessed.prepareList('ОПТ-1');
    guessed.expectLines(1000);
    expect((await guessed.lookupRows('ОПТ-1', keys.slice(0, 100))).lists()).toEqual(
      keys.slice(0, 100).map((k) => expected.get(lookupKey(k.brand, k.article))),
    );
    expect(guessed.cacheKeys).toBeUndefined();
    expect(guessed.batchLines).toBe(16_000);
    // The same rows decoded from pieces of 5 bytes.
    const conn = new ClickHouseConnection({ url: ch.url, database: 'demo' });
    try {
      const snapshot = new ListSnapshot(new StringPool(), true);
      const sink = pieces(snapshot, 5);
      await conn.runInto(
        snapshotQueries('РОЗН', { minQty: true, pack: true }).read,
        { readOnly: true },
        sink,
      );
      expect(snapshot.complete).toBe(true);
      snapshot.finish();
      expect(snapshot.lookup(keys)).toEqual(await byKey.lookup('РОЗН', keys));
    } finally {
      await conn.close();
    }
  });

  it('a small job, or a list much bigger than the job, is looked up by key', () => {
    expect(snapshotFits(100_000, 50_000)).toBe(false);
    expect(snapshotFits(1_000_000, 1_500_000)).toBe(true);
    expect(snapshotFits(1_000_000, 30_000_000)).toBe(false);
  });

  it('the list read whole gives hostile keys and lone surrogates what key queries give', async () => {
    await ch.query(
      `INSERT INTO odd.offers VALUES ${values([
        ['X\uFFFD', 'A', 'S', 'replacement', 2, 'RUB', 1, 1, 3],
        ['', '', 'S', 'empty key', 2, 'RUB', 1, 1, 0],
      ])}`,
    );
    const keys: LookupKey[] = [
      ...HOSTILE.map((h, i) => ({ brand: h, article: `${h}#${i}` })),
      { brand: 'X\uD800', article: 'A' },
      { brand: 'X\uFFFD', article: 'A' },
      { brand: '', article: '' },
      { brand: 'NONE', article: 'NONE' },
    ];
    const byKey = await source('odd');
    const whole = await source('odd');
    whole.expectLines(1_000_000);
    const expected = await byKey.lookup('L', keys);
    expect(expected.get(lookupKey('X\uD800', 'A'))).toHaveLength(1);
    expect(expected.get(lookupKey('X\uFFFD', 'A'))).toHaveLength(1);
    expect(await whole.lookup('L', keys)).toEqual(expected);
    expect((await ch.query('SELECT count() FROM odd.offers')).trim()).toBe(String(HOSTILE.length + 2));
  });
});
