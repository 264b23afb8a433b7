// The demo catalog answers lookups from offer_packs (one row per part): every answer must equal the
// offers query's, in the same order, whatever wrote to offers since, and a catalog made before packs
// gains them.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offer } from '../src-worker/crossdock/best-offer.ts';
import { normalizeArticle, normalizeBrand } from '../src-main/common/normalize.ts';
import { DemoCatalog, DEMO_CATALOG_VERSION, ensureDemoCatalog } from '../src-worker/sources/demo-catalog.ts';
import { DEMO_PARTS, demoPart } from '../src-worker/sources/demo-data.ts';
import { prepareLookups, queryBrand } from '../src-worker/sources/demo-lookup-thread.ts';
import { buildPacks, decodePack, encodePack, hasPacks } from '../src-worker/sources/demo-packs.ts';

/** pack_strings stand-in: ids by first use. */
function ids() {
  const texts: string[] = [];
  return { texts, idOf: (v: string) => (texts.includes(v) ? texts.indexOf(v) : texts.push(v) - 1) };
}
import { orderUnit } from '../src-worker/sources/optional-tables.ts';
import { openSqlite } from '../src-worker/sources/sqlite.ts';
import { lookupKey, type LookupKey } from '../src-worker/sources/types.ts';
import { ROOT, tempDir } from './helpers.ts';

const BUNDLE = join(ROOT, 'dist', 'demo-lookup.mjs');
let catalog: string;
const open: DemoCatalog[] = [];

function keys(n: number, step = 7919): LookupKey[] {
  const out: LookupKey[] = [];
  for (let i = 0; i < n; i++) {
    const p = demoPart((i * step) % DEMO_PARTS);
    out.push({ brand: normalizeBrand(p.brand), article: normalizeArticle(p.display) });
  }
  out.push({ brand: 'BOSCH', article: 'NOSUCHPART' });
  return out;
}

/** The offers query alone (no packs), as the catalog answered before them. */
function classic(file: string, list: string, ks: readonly LookupKey[]): Map<string, Offer[]> {
  const db = openSqlite(file, { readonly: true });
  try {
    const statements = prepareLookups(db);
    const out = new Map<string, Offer[]>();
    const byBrand = new Map<string, string[]>();
    for (const k of ks) {
      const id = lookupKey(k.brand, k.article);
      if (out.has(id)) continue;
      out.set(id, []);
      byBrand.set(k.brand, [...(byBrand.get(k.brand) ?? []), k.article]);
    }
    for (const [brand, articles] of byBrand)
      queryBrand(statements, list, brand, articles, (r) =>
        out.get(lookupKey(brand, r[0]))!.push({
          supplier: r[1],
          name: r[2],
          price: r[3],
          currency: r[4],
          quantity: r[5],
          deliveryDays: r[6],
          minQty: orderUnit(r[7]),
          pack: orderUnit(r[8]),
        }),
      );
    return out;
  } finally {
    db.close();
  }
}

const plain = (m: Map<string, Offer[]>) =>
  [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, o]) => [k, o.map((x) => ({ ...x }))]);

async function answers(file: string, list: string, ks: LookupKey[]) {
  const here = new DemoCatalog(file);
  const there = new DemoCatalog(file, { lookupThreadFile: BUNDLE });
  open.push(here, there);
  return { here: await here.lookup(list, ks), there: await there.lookup(list, ks) };
}

beforeAll(() => {
  catalog = ensureDemoCatalog(tempDir());
});

afterAll(async () => {
  for (const s of open) await s.close().catch(() => undefined);
});

describe('offer packs', () => {
  it('a new catalog has a pack for every part, and lookups equal the offers query, order included', async () => {
    const db = openSqlite(catalog, { readonly: true });
    const packs = db.prepare('SELECT count(*) FROM offer_packs').pluck().get() as number;
    const parts = db
      .prepare('SELECT count(*) FROM (SELECT DISTINCT brand, article FROM offers)')
      .pluck()
      .get();
    expect(db.prepare('SELECT complete FROM pack_state').pluck().get()).toBe(1);
    db.close();
    expect(packs).toBe(parts);
    for (const list of ['ОПТ-1', 'РОЗН']) {
      const ks = keys(5000);
      const want = classic(catalog, list, ks);
      const { here, there } = await answers(catalog, list, ks);
      expect(plain(here)).toEqual(plain(want));
      expect(plain(there)).toEqual(plain(want));
      expect([...want.values()].filter((o) => o.length > 0).length).toBeGreaterThan(2000);
    }
  });

  it("a write to offers by anyone drops that part's pack, and lookups see the write at once", async () => {
    const file = join(tempDir(), 'catalog.sqlite');
    copyFileSync(catalog, file);
    const [k1, k2, k3] = keys(3, 104_729);
    const db = openSqlite(file);
    db.prepare(
      `INSERT INTO offers (brand, article, supplier, name, price, currency, quantity, delivery_days, min_qty, pack)
       SELECT brand, article, supplier, 'changed', 1.5, currency, 999, 1, 2, 3 FROM offers WHERE brand = ? AND article = ? LIMIT 1`,
    ).run(k1.brand, k1.article);
    db.prepare('UPDATE offers SET price = price + 1000 WHERE brand = ? AND article = ?').run(
      k2.brand,
      k2.article,
    );
    db.prepare('DELETE FROM offers WHERE brand = ? AND article = ?').run(k3.brand, k3.article);
    const left = db.prepare('SELECT count(*) FROM offer_packs WHERE brand = ? AND article = ?').pluck();
    expect([k1, k2, k3].map((k) => left.get(k.brand, k.article))).toEqual([0, 0, 0]);
    // Packs are no longer complete: a key without one may have offers now.
    expect(db.prepare('SELECT complete FROM pack_state').pluck().get()).toBe(0);
    db.close();
    const ks = [...keys(3000), k1, k2, k3];
    for (const list of ['ОПТ-1', 'РОЗН']) {
      const want = classic(file, list, ks);
      const { here, there } = await answers(file, list, ks);
      expect(plain(here)).toEqual(plain(want));
      expect(plain(there)).toEqual(plain(want));
    }
    // buildPacks makes the missing ones again, and the answers stay the same.
    const w = openSqlite(file);
    expect(buildPacks(w)).toBe(2);
    expect(w.prepare('SELECT complete FROM pack_state').pluck().get()).toBe(1);
    w.close();
    const want = classic(file, 'РОЗН', ks);
    const { here } = await answers(file, 'РОЗН', ks);
    expect(plain(here)).toEqual(plain(want));
  });

  it('a part whose offers a pack cannot hold as they are stays with the offers query', async () => {
    const file = join(tempDir(), 'catalog.sqlite');
    copyFileSync(catalog, file);
    const [k] = keys(1, 15_485_863);
    const db = openSqlite(file);
    db.prepare("UPDATE offers SET quantity = 'lots' WHERE brand = ? AND article = ?").run(k.brand, k.article);
    buildPacks(db);
    expect(
      db
        .prepare('SELECT count(*) FROM offer_packs WHERE brand = ? AND article = ?')
        .pluck()
        .get(k.brand, k.article),
    ).toBe(0);
    // One key cannot be packed: packs stay incomplete, so keys without one are still looked up.
    expect(db.prepare('SELECT complete FROM pack_state').pluck().get()).toBe(0);
    db.close();
    const want = classic(file, 'РОЗН', [k]);
    const { here } = await answers(file, 'РОЗН', [k]);
    // Offers are held as numbers (OfferRows): a text stock reads as NaN, which no rule step can use.
    const asNumbers = plain(want).map(([id, offers]) => [
      id,
      (offers as Offer[]).map((o) => ({ ...o, quantity: Number(o.quantity) })),
    ]);
    expect(plain(here)).toEqual(asNumbers);
    expect(encodePack([['S', 'N', 1, 'RUB', 'lots', 1, 1, 1]], ids())).toBeNull();
    expect(encodePack([['S', 'x'.repeat(70_000), 1, 'RUB', 1, 1, 1, 1]], ids())).toBeNull();
  });

  it('packs round-trip UTF-8 names, odd numbers and minimums as orderUnit reads them', () => {
    const rows: [string, string, number, string, number, number, unknown, unknown][] = [
      ['Поставщик 😀', 'Фильтр "масляный" & <co>', 0.1 + 0.2, 'EUR', 1e15, -3, 2.7, null],
      ['', '', -0, 'RUB', 0, 0, 'x', 12],
    ];
    const out: object[] = [];
    const scratch = {
      supplier: '',
      name: '',
      currency: '',
      supplierId: 0,
      currencyId: 0,
      price: 0,
      quantity: 0,
      deliveryDays: 0,
      minQty: 1,
      pack: 1,
    };
    const dict = ids();
    const data = encodePack(rows, dict)!;
    const text = (id: number) => dict.texts[id];
    expect(
      decodePack(
        data,
        text,
        () => true,
        scratch,
        ({ supplierId, currencyId, ...o }) => {
          // The ids are the dictionary's for the texts given.
          expect([text(supplierId), text(currencyId)]).toEqual([o.supplier, o.currency]);
          out.push(o);
        },
      ),
    ).toBe(true);
    // Only the wanted suppliers' offers; an id the dictionary does not know makes the pack unusable.
    const some: object[] = [];
    decodePack(
      data,
      text,
      (id) => text(id) === '',
      scratch,
      (o) => some.push({ ...o }),
    );
    expect(some).toHaveLength(1);
    expect(
      decodePack(
        data,
        (id) => (id === 0 ? undefined : text(id)),
        () => true,
        scratch,
        () => {},
      ),
    ).toBe(false);
    expect(out).toEqual([
      {
        supplier: 'Поставщик 😀',
        name: 'Фильтр "масляный" & <co>',
        price: 0.1 + 0.2,
        currency: 'EUR',
        quantity: 1e15,
        deliveryDays: -3,
        minQty: 2,
        pack: 1,
      },
      {
        supplier: '',
        name: '',
        price: -0,
        currency: 'RUB',
        quantity: 0,
        deliveryDays: 0,
        minQty: 1,
        pack: 12,
      },
    ]);
    // A pack cut short is not used (the offers table answers for its key instead).
    expect(
      decodePack(
        data.subarray(0, data.length - 1),
        text,
        () => true,
        scratch,
        () => {},
      ),
    ).toBe(false);
  });

  it('a catalog made before packs gains them when opened, and answers the same', async () => {
    const file = join(tempDir(), 'catalog.sqlite');
    copyFileSync(catalog, file);
    const db = openSqlite(file);
    db.exec(`DROP TRIGGER offer_packs_insert; DROP TRIGGER offer_packs_delete; DROP TRIGGER offer_packs_update;
             DROP TABLE offer_packs; DROP TABLE pack_strings; PRAGMA user_version = 2;`);
    expect(hasPacks(db)).toBe(false);
    db.close();
    const ks = keys(2000);
    const before = classic(file, 'ОПТ-1', ks);
    const dir = join(file, '..');
    ensureDemoCatalog(dir);
    const after = openSqlite(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(DEMO_CATALOG_VERSION);
    expect(hasPacks(after)).toBe(true);
    after.close();
    const { here, there } = await answers(file, 'ОПТ-1', ks);
    expect(plain(here)).toEqual(plain(before));
    expect(plain(there)).toEqual(plain(before));
  });
});
