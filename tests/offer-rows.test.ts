// Offers as columns (src-worker/crossdock/offer-rows.ts) and the string pool the sources share:
// what the rule reads must be exactly what the sources were given, key by key, in their order.
import { describe, expect, it } from 'vitest';
import type { Offer } from '../src-worker/crossdock/best-offer.ts';
import { groupByKey, OfferRows, OfferRowsBuilder } from '../src-worker/crossdock/offer-rows.ts';
import { bestOf, offerGroup } from '../src-worker/crossdock/rule.ts';
import { StringPool } from '../src-worker/sources/string-pool.ts';

const offer = (supplier: string, price: number, more: Partial<Offer> = {}): Offer => ({
  supplier,
  name: `${supplier} part`,
  price,
  currency: 'RUB',
  quantity: 10,
  deliveryDays: 2,
  minQty: 1,
  pack: 1,
  ...more,
});

describe('OfferRows', () => {
  it('groups rows by key stably: each key keeps the order its offers were added in', () => {
    const key = [2, 0, 2, 1, 0, 2];
    const { order, from, to } = groupByKey(key, key.length, 4);
    expect([...order]).toEqual([1, 4, 3, 0, 2, 5]);
    expect([...from]).toEqual([0, 2, 3, 6]);
    expect([...to]).toEqual([2, 3, 6, 6]);
  });

  it('gives back the offers it was built from, key by key, whatever order keys came in', () => {
    const lists: Offer[][] = [
      [offer('A', 10), offer('B', 9.5, { currency: 'EUR', minQty: 3, pack: 2 })],
      [],
      [offer('Поставщик 😀', 1e15, { quantity: 0, deliveryDays: 0.5 })],
    ];
    const rows = OfferRows.fromLists(lists);
    expect(rows.keys).toBe(3);
    expect(rows.rows).toBe(3);
    expect(rows.lists()).toEqual(lists);
    // Added key by key out of order, the rows still come out grouped and in order.
    const b = new OfferRowsBuilder(3);
    const add = (k: number, o: Offer) =>
      b.add(k, o.supplier, o.name, o.price, o.currency, o.quantity, o.deliveryDays, o.minQty, o.pack);
    add(2, lists[2][0]);
    add(0, lists[0][0]);
    add(0, lists[0][1]);
    expect(b.finish().lists()).toEqual(lists);
    // A key's offers interleaved with another's: sorted by key, each key's in the order added.
    const mixed = new OfferRowsBuilder(3);
    mixed.addOffer(0, lists[0][0]);
    mixed.addOffer(2, lists[2][0]);
    mixed.addOffer(0, lists[0][1]);
    expect(mixed.finish().lists()).toEqual(lists);
  });

  it('takes packed offers with their text ids: the same id is the same text, names shared in a run', () => {
    const b = new OfferRowsBuilder(2);
    const packed = (o: Offer, supplierId: number, currencyId: number) => ({ ...o, supplierId, currencyId });
    const a = offer('A', 1);
    const e = offer('E', 2, { currency: 'EUR', name: 'A part' });
    b.addPacked(1, packed(a, 7, 3));
    b.addPacked(1, packed(e, 9, 4));
    b.addPacked(0, packed(offer('A', 3, { name: 'other' }), 7, 3));
    const rows = b.finish();
    expect(rows.lists()).toEqual([[offer('A', 3, { name: 'other' })], [a, e]]);
    expect(rows.texts.filter((t) => t === 'A')).toHaveLength(1);
    expect(rows.texts.filter((t) => t === 'A part')).toHaveLength(1);
    expect(rows.supplier[0]).toBe(rows.supplier[2]);
  });

  it('keeps no pack or minimum columns when every offer has 1, and shares rows between keys', () => {
    const rows = OfferRows.fromLists([[offer('A', 1)], [offer('B', 2)]]);
    expect(rows.minQty).toBeNull();
    expect(rows.pack).toBeNull();
    const both = rows.withSpans(Uint32Array.of(1, 0, 1), Uint32Array.of(2, 1, 2));
    expect(both.lists().map((l) => l.map((o) => o.supplier))).toEqual([['B'], ['A'], ['B']]);
  });

  it('prices through the rates: the base currency counts 1, a currency without a rate is left out', () => {
    const rows = OfferRows.fromLists([
      [offer('R', 100), offer('E', 1, { currency: 'EUR' }), offer('X', 1, { currency: 'XXX' })],
    ]);
    const pricing = { base: 'RUB', rates: new Map([['EUR', 95]]) };
    const f = rows.factors(pricing);
    expect([0, 1, 2].map((r) => rows.price[r] * f[rows.currency[r]])).toEqual([100, 95, NaN]);
    expect(rows.factors(pricing)).toBe(f);
    const unrated = rows.unrated(pricing);
    expect([unrated.offers, [...unrated.currencies]]).toEqual([1, ['XXX']]);
    expect(bestOf([offerGroup('B', 'A', false, rows.offersOf(0))], 1, pricing)?.supplier).toBe('E');
  });
});

describe('StringPool', () => {
  it('answers every distinct value once, well past its first table and arena, until its limit', () => {
    const pool = new StringPool(5000);
    const values = Array.from({ length: 4000 }, (_, i) => `Поставщик ${i} ${'x'.repeat(i % 40)}`);
    const bytes = values.map((v) => Buffer.from(v, 'utf8'));
    const first = bytes.map((b) => pool.fromBytes(b, 0, b.length));
    expect(first).toEqual(values);
    // A second time, each is the very string the first call made (one copy per value).
    for (let i = 0; i < bytes.length; i++) {
      const again = Buffer.concat([Buffer.from('<'), bytes[i], Buffer.from('>')]);
      expect(pool.fromBytes(again, 1, again.length - 1)).toBe(first[i]);
    }
    // Past the limit it starts over and still answers right.
    const more = Array.from({ length: 2000 }, (_, i) => `more ${i}`);
    for (const m of more) expect(pool.fromBytes(Buffer.from(m), 0, Buffer.byteLength(m))).toBe(m);
  });
});
