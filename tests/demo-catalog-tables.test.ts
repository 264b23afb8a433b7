// The demo catalog's optional schema (PRODUCT.md "Data sources", "Analogs"): packs and minimum
// orders on offers, crosses both ways round, brand aliases and rates; the showcase parts that show
// them off; and a catalog made before them, which must read as before and is brought up to date.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeArticle, normalizeBrand } from '../src-main/common/normalize.ts';
import {
  CATALOG_FILE,
  DEMO_CATALOG_VERSION,
  DemoCatalog,
  ensureDemoCatalog,
} from '../src-worker/sources/demo-catalog.ts';
import {
  DEMO_BRAND_ALIASES,
  DEMO_PARTS,
  DEMO_RATES,
  demoCrosses,
  demoListMembers,
  demoOffers,
  demoPart,
  SHOWCASE_PARTS,
  showcaseOffers,
} from '../src-worker/sources/demo-data.ts';
import { lookupKey, type LookupKey } from '../src-worker/sources/types.ts';
import { freshDataDir, openEngine, readXlsx, ROOT, runJob, SAMPLE, tempDir } from './helpers.ts';

const BUNDLE = join(ROOT, 'dist', 'demo-lookup.mjs');
const key = (brand: string, display: string): LookupKey => ({
  brand: normalizeBrand(brand),
  article: normalizeArticle(display),
});
const id = (k: LookupKey) => lookupKey(k.brand, k.article);
const partKey = (i: number) => key(demoPart(i).brand, demoPart(i).display);

// Strings a spreadsheet may hold that break naive SQL building.
const HOSTILE = [
  "'; DROP TABLE crosses; --",
  "O'Brien",
  '\\',
  "\\'",
  'a\0b',
  '\0',
  'line1\nline2',
  'Ёлка-ПАЛКА',
  'ЛЕМФЁРДЕР',
  '"double"',
  "') OR ('1'='1",
  '🙂',
];

let catalog: string;
const open: DemoCatalog[] = [];
function source(file = catalog, threaded = false, keyByKey = false): DemoCatalog {
  const s = new DemoCatalog(file, {
    ...(threaded ? { lookupThreadFile: BUNDLE } : {}),
    ...(keyByKey ? { crossesWholeMax: 0 } : {}),
  });
  open.push(s);
  return s;
}

beforeAll(() => {
  catalog = ensureDemoCatalog(tempDir());
});
afterAll(async () => {
  for (const s of open) await s.close().catch(() => undefined);
});

/** A catalog as versions before packs, crosses, aliases and rates made it, with an imported supplier. */
function oldCatalog(): string {
  const dir = tempDir('cd-old-catalog-');
  const file = join(dir, CATALOG_FILE);
  const db = new Database(file);
  db.exec(`
    CREATE TABLE offers (
      brand TEXT NOT NULL, article TEXT NOT NULL, supplier TEXT NOT NULL, name TEXT NOT NULL,
      price REAL NOT NULL, currency TEXT NOT NULL, quantity INTEGER NOT NULL, delivery_days INTEGER NOT NULL
    );
    CREATE INDEX offers_key ON offers (brand, article);
    CREATE INDEX offers_supplier ON offers (supplier);
    CREATE TABLE supplier_lists (list TEXT NOT NULL, supplier TEXT NOT NULL, PRIMARY KEY (list, supplier));
  `);
  const insert = db.prepare('INSERT INTO offers VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < 50; i++) {
    const k = partKey(i);
    for (const o of demoOffers(i))
      insert.run(
        k.brand,
        k.article,
        o.supplier,
        demoPart(i).name,
        o.price,
        o.currency,
        o.quantity,
        o.deliveryDays,
      );
  }
  insert.run('ACME', 'ZZ001', 'Мой поставщик', 'Фильтр ACME', 99.5, 'RUB', 10, 2);
  const member = db.prepare('INSERT INTO supplier_lists VALUES (?, ?)');
  for (const [list, supplier] of demoListMembers().slice(0, 34)) member.run(list, supplier);
  member.run('МОЙ', 'Мой поставщик');
  db.pragma('journal_mode = WAL');
  db.close();
  return file;
}

describe('the demo catalog: packs, crosses, aliases, rates', () => {
  it('is made at the current version, with every optional table filled', () => {
    const db = new Database(catalog, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(DEMO_CATALOG_VERSION);
      const count = (t: string) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get();
      expect(count('crosses')).toBe(demoCrosses().length);
      expect(count('brand_aliases')).toBe(DEMO_BRAND_ALIASES.length);
      expect(count('rates')).toBe(3);
      expect(count('supplier_lists')).toBe(demoListMembers().length);
      // packs and minimums only on showcase offers
      expect(db.prepare('SELECT count(*) FROM offers WHERE min_qty <> 1 OR pack <> 1').pluck().get()).toBe(
        showcaseOffers().filter((o) => o.minQty !== 1 || o.pack !== 1).length,
      );
    } finally {
      db.close();
    }
  });

  it('has showcase parts that no generated part shares a key with', () => {
    const generated = new Set<string>();
    for (let i = 0; i < DEMO_PARTS; i++) generated.add(id(partKey(i)));
    const showcase = SHOWCASE_PARTS.map((p) => id(key(p.brand, p.display)));
    expect(new Set(showcase).size).toBe(showcase.length);
    for (const k of showcase) expect(generated.has(k), k).toBe(false);
  });

  it('answers rates and aliases normalized', async () => {
    const s = source();
    expect(await s.rates()).toEqual(new Map(DEMO_RATES));
    const aliases = await s.brandAliases();
    expect(aliases.get('LEMFORDER')).toBe('LEMFÖRDER');
    expect(aliases.get('MANN')).toBe('MANN-FILTER');
    expect(aliases.get('MERCEDES')).toBe('MERCEDES-BENZ');
    expect(aliases.get('MERCEDES BENZ')).toBe('MERCEDES-BENZ');
    expect(aliases.get('БОШ')).toBe('BOSCH');
    expect(aliases.size).toBe(DEMO_BRAND_ALIASES.length);
    for (const [a, b] of aliases) {
      expect(normalizeBrand(a)).toBe(a);
      expect(normalizeBrand(b)).toBe(b);
    }
  });

  it('answers crosses both ways round, without the key itself, keys without crosses absent', async () => {
    const s = source();
    const mann = key('MANN-FILTER', 'W 712/95');
    const knecht = key('KNECHT', 'OC 1051');
    const bosch = key('BOSCH', '0 986 494 294');
    const lonely = key('NGK', 'BKR6E-11');
    const found = await s.crosses([mann, knecht, bosch, lonely, mann, partKey(0), partKey(1), partKey(2)]);
    expect(found.get(id(mann))).toEqual([key('FILTRON', 'OP 641/1'), knecht]);
    expect(found.get(id(knecht))).toEqual([mann]); // stored the other way round
    expect(found.get(id(bosch))).toEqual([key('TEXTAR', '2391901'), key('TRW', 'GDB1550')]);
    expect(found.has(id(lonely))).toBe(false);
    // generated: part 0 with part 1, and part 2 with part 0 (written the other way round)
    expect(found.get(id(partKey(0)))).toEqual(
      [partKey(1), partKey(2)].sort((a, b) => (a.brand < b.brand ? -1 : 1)),
    );
    expect(found.get(id(partKey(1)))).toEqual([partKey(0)]);
    expect(found.get(id(partKey(2)))).toEqual([partKey(0)]);
    expect(found.size).toBe(6);
    expect((await s.crosses([])).size).toBe(0);
  });

  it('answers the crosses of many keys across brands in one call', async () => {
    const s = source();
    const keys: LookupKey[] = [];
    for (let i = 0; i < DEMO_PARTS; i += 7) keys.push(partKey(i));
    const found = await s.crosses(keys);
    const expected = new Set<string>();
    const asked = new Set(keys.map(id));
    for (const [b, a, cb, ca] of demoCrosses()) {
      if (asked.has(lookupKey(b, a))) expected.add(lookupKey(b, a));
      if (asked.has(lookupKey(cb, ca))) expected.add(lookupKey(cb, ca));
    }
    expect(new Set(found.keys())).toEqual(expected);
    expect(found.size).toBeGreaterThan(50);
    // The table read whole (it is small) and asked key by key answer alike.
    expect(await source(catalog, false, true).crosses(keys)).toEqual(found);
  });

  it('gives offers their pack and minimum order, 1 where there is none, here and in the lookup thread', async () => {
    const keys = [
      key('NGK', 'BKR6E-11'),
      key('FILTRON', 'OP 526'),
      key('CONTITECH', 'CT 1028'),
      key('BREMBO', '09.A820.11'),
      ...Array.from({ length: 2500 }, (_, i) => partKey(i * 13)),
    ];
    const here = await source().lookup('ОПТ-1', keys);
    const ngk = here.get(id(keys[0]))!;
    expect(ngk.find((o) => o.supplier === 'Склад-Комплект')).toMatchObject({
      price: 310,
      pack: 4,
      minQty: 1,
    });
    expect(ngk.find((o) => o.supplier === 'Омега')).toMatchObject({ pack: 10, minQty: 1 });
    expect(here.get(id(keys[1]))!.find((o) => o.supplier === 'Склад-Комплект')).toMatchObject({
      minQty: 10,
      pack: 1,
    });
    expect(here.get(id(keys[2]))!.find((o) => o.supplier === 'Склад-Комплект')).toMatchObject({
      minQty: 4,
      pack: 10,
    });
    const brembo = here.get(id(keys[3]))!;
    expect(brembo.map((o) => [o.supplier, o.currency]).sort()).toEqual([
      ['Euro Spares BV', 'EUR'],
      ['Pacific Parts', 'USD'],
      ['Автоальянс', 'RUB'],
    ]);
    for (const k of keys.slice(4))
      for (const o of here.get(id(k))!) expect([o.minQty, o.pack]).toEqual([1, 1]);
    if (!existsSync(BUNDLE)) return; // the global setup builds it; run alone, the thread case is skipped
    const threaded = source(catalog, true);
    const there = await threaded.lookup('ОПТ-1', keys);
    expect(threaded.threadRunning).toBe(true);
    const sorted = (m: typeof here) =>
      [...m]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([k, o]) => [k, [...o].sort((x, y) => (x.supplier < y.supplier ? -1 : 1))]);
    expect(sorted(there)).toEqual(sorted(here));
  });

  it('keeps hostile strings as data in crosses and aliases', async () => {
    const dir = tempDir();
    const file = ensureDemoCatalog(dir);
    const db = new Database(file);
    const cross = db.prepare('INSERT INTO crosses VALUES (?, ?, ?, ?)');
    const alias = db.prepare('INSERT INTO brand_aliases VALUES (?, ?)');
    HOSTILE.forEach((h, i) => {
      cross.run(h, `A${i}${h}`, 'BOSCH', `X${i}`);
      alias.run(`${h} ${i}`, h);
    });
    db.close();
    const s = source(file);
    const keys = HOSTILE.map((h, i) => ({ brand: h, article: `A${i}${h}` }));
    const found = await s.crosses(keys);
    HOSTILE.forEach((h, i) =>
      expect(found.get(lookupKey(h, `A${i}${h}`))).toEqual([{ brand: 'BOSCH', article: `X${i}` }]),
    );
    // the other way round: the hostile part is BOSCH X<i>'s analog, normalized
    const byKey = source(file, false, true);
    expect(await byKey.crosses(keys)).toEqual(found);
    // The table held whole answers any key at once, as the calls do; asked key by key, it is not held.
    const now = s.crossesNow()!;
    for (const k of [...keys, ...HOSTILE.map((_, i) => ({ brand: 'BOSCH', article: `X${i}` }))])
      expect(now.get(k.brand, k.article) ?? null).toEqual(
        (await byKey.crosses([k])).get(lookupKey(k.brand, k.article)) ?? null,
      );
    expect(now.get('BOSCH', 'NO SUCH')).toBeUndefined();
    expect(byKey.crossesNow()).toBeNull();
    const back = await s.crosses(HOSTILE.map((_, i) => ({ brand: 'BOSCH', article: `X${i}` })));
    expect(await byKey.crosses(HOSTILE.map((_, i) => ({ brand: 'BOSCH', article: `X${i}` })))).toEqual(back);
    HOSTILE.forEach((h, i) =>
      expect(back.get(lookupKey('BOSCH', `X${i}`))).toEqual([
        { brand: normalizeBrand(h), article: normalizeArticle(`A${i}${h}`) },
      ]),
    );
    const aliases = await s.brandAliases();
    HOSTILE.forEach((h, i) => {
      if (normalizeBrand(h) !== '') expect(aliases.get(normalizeBrand(`${h} ${i}`))).toBe(normalizeBrand(h));
    });
    const tables = new Database(file, { readonly: true });
    expect(tables.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'crosses'").pluck().get()).toBe(1);
    tables.close();
  });
});

describe('a demo catalog made before packs, crosses, aliases and rates', () => {
  it('reads as before: no crosses, aliases or rates, every pack and minimum 1', async () => {
    const file = oldCatalog();
    const s = source(file);
    const k = partKey(3);
    const offers = (await s.lookup('ОПТ-1', [k])).get(id(k))!;
    expect(offers.length).toBeGreaterThan(0);
    for (const o of offers) expect([o.minQty, o.pack]).toEqual([1, 1]);
    expect((await s.crosses([partKey(0), k])).size).toBe(0);
    expect((await s.brandAliases()).size).toBe(0);
    expect((await s.rates()).size).toBe(0);
  });

  it('is brought up to date in place, imported offers kept; a second look changes nothing', async () => {
    const file = oldCatalog();
    const dir = join(file, '..');
    expect(ensureDemoCatalog(dir)).toBe(file);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(DEMO_CATALOG_VERSION);
      expect(
        db.prepare("SELECT price, min_qty, pack FROM offers WHERE supplier = 'Мой поставщик'").get(),
      ).toEqual({
        price: 99.5,
        min_qty: 1,
        pack: 1,
      });
      expect(db.prepare("SELECT count(*) FROM supplier_lists WHERE list = 'МОЙ'").pluck().get()).toBe(1);
      expect(db.prepare('SELECT count(*) FROM crosses').pluck().get()).toBe(demoCrosses().length);
      expect(db.prepare("SELECT count(*) FROM offers WHERE supplier = 'Euro Spares BV'").pluck().get()).toBe(
        showcaseOffers().filter((o) => o.supplier === 'Euro Spares BV').length,
      );
    } finally {
      db.close();
    }
    const s = source(file);
    expect((await s.rates()).get('EUR')).toBe(95);
    const ngk = key('NGK', 'BKR6E-11');
    expect((await s.lookup('ОПТ-1', [ngk])).get(id(ngk))!.some((o) => o.pack === 4)).toBe(true);
    // a second process (or a later run) finds it current and leaves it as it is
    const before = new Database(file, { readonly: true });
    const offers = before.prepare('SELECT count(*) FROM offers').pluck().get();
    before.close();
    const { migrateDemoCatalog } = await import('../src-worker/sources/demo-catalog.ts');
    migrateDemoCatalog(file);
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT count(*) FROM offers').pluck().get()).toBe(offers);
    after.close();
  });
});

describe('the sample request list on the demo catalog', () => {
  /** The sample's last 8 lines (the showcase) as Supplier, Offer brand, Offer article, Price, Currency, Order qty, Line total, Status. */
  async function showcaseLines(analogs: 'off' | 'missing' | 'always'): Promise<unknown[][]> {
    const engine = openEngine(freshDataDir());
    engine.start();
    try {
      const job = await runJob(engine, {
        kind: 'crossdock',
        input: SAMPLE,
        list: 'ОПТ-1',
        outDir: tempDir(),
        analogs,
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      const result = (await readXlsx(job.outputs[0])).get('Result')!;
      const header = result[0] as string[];
      const col = (name: string) => header.indexOf(name);
      const cols = [
        'Supplier',
        'Offer brand',
        'Offer article',
        'Price',
        'Currency',
        'Order qty',
        'Line total',
        'Status',
      ];
      return result.slice(-8).map((r) => cols.map((c) => (col(c) < 0 ? undefined : (r[col(c)] ?? null))));
    } finally {
      await engine.close();
    }
  }

  it('shows an analog, alias-matched brands, a pack and a minimum order, EUR and USD offers winning', async () => {
    const off = await showcaseLines('off');
    expect(off).toEqual([
      [null, undefined, undefined, null, null, null, null, 'not_found'], // MANN-FILTER W 712/95: only out of stock
      ['Автоальянс', undefined, undefined, 1890, 'RUB', 1, 1890, 'found'], // Mercedes → MERCEDES-BENZ
      ['Берг', undefined, undefined, 4120, 'RUB', 2, 8240, 'found'], // Lemforder → LEMFÖRDER
      ['Склад-Комплект', undefined, undefined, 310, 'RUB', 8, 2480, 'found'], // 6 asked, pack of 4
      ['Склад-Комплект', undefined, undefined, 260, 'RUB', 10, 2600, 'found'], // 8 asked, minimum 10
      ['Euro Spares BV', undefined, undefined, 96.4, 'EUR', 2, 18316, 'found'], // 96.40 EUR = 9,158 RUB
      ['Pacific Parts', undefined, undefined, 4.1, 'USD', 10, 3690, 'found'], // 4.10 USD = 369 RUB
      ['Автоальянс', undefined, undefined, 3150, 'RUB', 4, 12600, 'found'],
    ]);
    const missing = await showcaseLines('missing');
    expect(missing[0]).toEqual(['Лидер-Авто', 'KNECHT', 'OC1051', 498, 'RUB', 4, 1992, 'found']);
    expect(missing[7]).toEqual(['Автоальянс', 'BOSCH', '0986494294', 3150, 'RUB', 4, 12600, 'found']);
    const always = await showcaseLines('always');
    expect(always[7]).toEqual(['Лидер-Авто', 'TRW', 'GDB1550', 2680, 'RUB', 4, 10720, 'found']);
  });
});
