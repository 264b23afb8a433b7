// The list read whole (sources/clickhouse-list-snapshot.ts) decoding RowBinary rows without a server:
// its compact columns (16-bit text ids until a list has more than 65,536 texts, minimum orders and
// packs kept by row while few have one) answer every key with exactly the offers it was given.
import { describe, expect, it } from 'vitest';
import type { Offer } from '../src-worker/crossdock/best-offer.ts';
import { ListSnapshot } from '../src-worker/sources/clickhouse-list-snapshot.ts';
import { rowBinaryString } from '../src-worker/sources/rowbinary.ts';
import { StringPool } from '../src-worker/sources/string-pool.ts';

interface Row {
  brand: string;
  article: string;
  offer: Offer;
}

/** The read query's answer: brand, article, price, quantity, days, [min, pack], supplier, currency, name. */
function rowBinary(rows: Row[], extras: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const { brand, article, offer: o } of rows) {
    const fixed = Buffer.alloc(14 + (extras ? 8 : 0));
    fixed.writeDoubleLE(o.price, 0);
    fixed.writeUInt32LE(o.quantity, 8);
    fixed.writeUInt16LE(o.deliveryDays, 12);
    if (extras) {
      fixed.writeUInt32LE(o.minQty, 14);
      fixed.writeUInt32LE(o.pack, 18);
    }
    parts.push(
      rowBinaryString(brand),
      rowBinaryString(article),
      fixed,
      rowBinaryString(o.supplier),
      rowBinaryString(o.currency),
      rowBinaryString(o.name),
    );
  }
  return Buffer.concat(parts);
}

function load(rows: Row[], extras: boolean, piece = 64 * 1024): ListSnapshot {
  const snapshot = new ListSnapshot(new StringPool(), extras, 16);
  const bytes = rowBinary(rows, extras);
  for (let at = 0; at < bytes.length; at += piece) snapshot.write(bytes.subarray(at, at + piece));
  expect(snapshot.complete).toBe(true);
  snapshot.finish();
  return snapshot;
}

const offer = (i: number, o: Partial<Offer> = {}): Offer => ({
  supplier: `S${i % 7}`,
  name: `part ${i % 5}`,
  price: 10 + (i % 13) / 4,
  currency: i % 3 === 0 ? 'EUR' : 'RUB',
  quantity: i % 50,
  deliveryDays: i % 9,
  minQty: 1,
  pack: 1,
  ...o,
});

/** Each key's offers in the order the snapshot gives them (supplier, price, days, stock desc, …). */
function expected(rows: Row[]): Map<string, Offer[]> {
  const by = new Map<string, Offer[]>();
  for (const r of rows) {
    const k = `${r.brand}\u0000${r.article}`;
    const list = by.get(k) ?? [];
    list.push(r.offer);
    by.set(k, list);
  }
  for (const list of by.values())
    list.sort(
      (a, b) =>
        (a.supplier < b.supplier ? -1 : a.supplier > b.supplier ? 1 : 0) ||
        a.price - b.price ||
        a.deliveryDays - b.deliveryDays ||
        b.quantity - a.quantity ||
        a.minQty - b.minQty ||
        a.pack - b.pack ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
        (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0),
    );
  return by;
}

function answersAll(snapshot: ListSnapshot, rows: Row[]): void {
  const want = expected(rows);
  const keys = [...want.keys()].map((k) => {
    const [brand, article] = k.split('\u0000');
    return { brand, article };
  });
  expect(snapshot.lookupRows(keys).lists()).toEqual([...want.values()]);
  expect(snapshot.lookupRows([{ brand: 'NONE', article: 'NONE' }]).lists()).toEqual([[]]);
}

/** 5,000 offers of 1,700 keys across 11 brands, row i's minimum order and pack as `units(i)` says. */
function withUnits(units: (i: number) => Partial<Offer>): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 5000; i++)
    rows.push({ brand: `B${i % 11}`, article: `A${i % 1700}`, offer: offer(i, units(i)) });
  return rows;
}

describe('the list read whole', () => {
  it('keeps the few minimum orders and packs by row, and answers them', () => {
    const rows = withUnits((i) => (i % 1000 === 7 ? { minQty: 5, pack: 10 } : {}));
    answersAll(load(rows, true, 5), rows);
  });

  it('turns to columns once many offers have a minimum order or pack', () => {
    const rows = withUnits((i) => (i % 3 === 0 ? { minQty: 1 + (i % 4), pack: 1 + (i % 6) } : {}));
    answersAll(load(rows, true), rows);
  });

  it('keeps 150,000 keys and a key of 1.5 MB apart', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 150_000; i++)
      rows.push({ brand: `BRAND${i % 3}`, article: `ARTICLE-${i}`, offer: offer(i) });
    rows.push({ brand: 'LONG', article: 'A'.repeat(1_500_000), offer: offer(1) });
    rows.push({ brand: 'AFTER', article: 'X', offer: offer(2) });
    answersAll(load(rows, false), rows);
  });

  it('widens its text ids past 65,536 distinct texts', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 70_000; i++)
      rows.push({ brand: 'B', article: `A${i % 30_000}`, offer: offer(i, { name: `name ${i}` }) });
    const snapshot = load(rows, false);
    answersAll(snapshot, rows);
  });
});
