// The crossdock rule (PRODUCT.md, "Offers, order quantity and the best offer", "Analogs"): every tie,
// the pack and minimum-order arithmetic, currencies, analogs, and today's rule as its special case.
import { describe, expect, it } from 'vitest';
import type { Offer } from '../src-worker/crossdock/best-offer.ts';
import {
  AS_IS,
  bestOf,
  bestOffer,
  codePointCompare,
  offerGroup,
  orderQty,
  pickScratch,
  rankOffers,
  whyNone,
  type OfferGroup,
  type Pricing,
} from '../src-worker/crossdock/rule.ts';

const offer = (supplier: string, price: number, quantity: number, more: Partial<Offer> = {}): Offer => ({
  supplier,
  name: 'x',
  price,
  currency: 'RUB',
  quantity,
  deliveryDays: 1,
  minQty: 1,
  pack: 1,
  ...more,
});
const own = (...offers: Offer[]): OfferGroup => offerGroup('B', 'A1', false, offers);
const analog = (brand: string, article: string, ...offers: Offer[]): OfferGroup =>
  offerGroup(brand, article, true, offers);
const best = (offers: Offer[], q: number, pricing: Pricing = AS_IS) => bestOf([own(...offers)], q, pricing);

describe('order quantity: packs and minimum orders', () => {
  it('full: the smallest multiple of the pack ≥ max(q, min) that the stock covers', () => {
    expect(orderQty(5, offer('S', 1, 100))).toBe(5);
    expect(orderQty(5, offer('S', 1, 100, { pack: 10 }))).toBe(10);
    expect(orderQty(10, offer('S', 1, 100, { pack: 10 }))).toBe(10);
    expect(orderQty(11, offer('S', 1, 100, { pack: 10 }))).toBe(20);
    expect(orderQty(3, offer('S', 1, 100, { minQty: 4 }))).toBe(4);
    expect(orderQty(3, offer('S', 1, 100, { minQty: 4, pack: 10 }))).toBe(10);
    expect(orderQty(3, offer('S', 1, 100, { minQty: 12, pack: 5 }))).toBe(15);
    expect(orderQty(20, offer('S', 1, 20, { pack: 10 }))).toBe(20);
  });
  it('partial: the largest multiple of the pack ≤ min(q, stock), when > 0 and ≥ min (negative = partial)', () => {
    expect(orderQty(10, offer('S', 1, 7))).toBe(-7);
    expect(orderQty(25, offer('S', 1, 23, { pack: 10 }))).toBe(-20);
    expect(orderQty(28, offer('S', 1, 8, { pack: 3 }))).toBe(-6);
    expect(orderQty(30, offer('S', 1, 25, { minQty: 20 }))).toBe(-25);
  });
  it('unusable: no stock, or what can be ordered is below the minimum', () => {
    expect(orderQty(1, offer('S', 1, 0))).toBe(0);
    expect(orderQty(30, offer('S', 1, 15, { minQty: 20 }))).toBe(0);
    expect(orderQty(3, offer('S', 1, 3, { minQty: 4 }))).toBe(0);
    expect(orderQty(5, offer('S', 1, 9, { pack: 10 }))).toBe(0);
  });
  it('a missing or nonsensical pack or minimum counts as 1', () => {
    expect(orderQty(5, offer('S', 1, 100, { pack: 0, minQty: 0 }))).toBe(5);
    expect(orderQty(5, offer('S', 1, 100, { pack: Number.NaN, minQty: -3 }))).toBe(5);
  });
});

describe('1. full offers: the lowest cost wins', () => {
  it('cost = base price × order qty: a pack of 10 at 1.00 loses to 5 units at 1.50', () => {
    const r = best([offer('PACK', 1, 100, { pack: 10 }), offer('UNIT', 1.5, 100)], 5);
    expect(r?.offer.supplier).toBe('UNIT');
    expect(r?.cost).toBe(7.5);
    expect(r?.orderQty).toBe(5);
  });
  it('ties on cost → the lower base price', () => {
    // 10 × 1.0 = 10 and 5 × 2.0 = 10 for q = 5: the lower unit price wins.
    const r = best([offer('A', 2, 100), offer('Z', 1, 100, { pack: 10 })], 5);
    expect(r?.offer.supplier).toBe('Z');
    expect(r?.orderQty).toBe(10);
  });
  it('then fewer delivery days', () => {
    const r = best([offer('A', 1, 9, { deliveryDays: 5 }), offer('B', 1, 9, { deliveryDays: 2 })], 3);
    expect(r?.offer.supplier).toBe('B');
  });
  it('then the original part before an analog', () => {
    const r = bestOffer(own(offer('Z', 1, 9)), [analog('B', 'A0', offer('A', 1, 9))], 'always', 3, AS_IS);
    expect(r?.group.analog).toBe(false);
    expect(r?.offer.supplier).toBe('Z');
  });
  it('then the supplier name in code-point order', () => {
    expect(best([offer('b', 1, 9), offer('B', 1, 9), offer('Б', 1, 9)], 3)?.offer.supplier).toBe('B');
    expect(best([offer('Б', 1, 9), offer('b', 1, 9)], 3)?.offer.supplier).toBe('b');
  });
  it('then the offer brand, then the offer article (among analogs)', () => {
    const groups = [
      own(),
      analog('MANN', 'W2', offer('S', 1, 9)),
      analog('KNECHT', 'W9', offer('S', 1, 9)),
      analog('KNECHT', 'W1', offer('S', 1, 9)),
    ];
    const r = bestOf(groups, 3, AS_IS);
    expect([r?.group.brand, r?.group.article]).toEqual(['KNECHT', 'W1']);
  });
  it('a full offer beats any partial one, however much cheaper', () => {
    const r = best([offer('CHEAP', 0.01, 2), offer('FULL', 100, 3)], 3);
    expect([r?.offer.supplier, r?.full]).toEqual(['FULL', true]);
  });
});

describe('2. else partial offers: the largest order qty wins', () => {
  it('largest order qty (after packs), not the largest stock', () => {
    const r = best([offer('STOCK', 1, 19, { pack: 10 }), offer('UNITS', 5, 14)], 25);
    expect([r?.offer.supplier, r?.orderQty, r?.full]).toEqual(['UNITS', 14, false]);
  });
  it('ties → the lower base price, not delivery days', () => {
    const r = best([offer('A', 2, 5, { deliveryDays: 1 }), offer('B', 1, 5, { deliveryDays: 9 })], 10);
    expect(r?.offer.supplier).toBe('B');
  });
  it('ties on price → delivery days do not count; the original part, then the supplier', () => {
    const r = best([offer('B', 1, 5, { deliveryDays: 1 }), offer('A', 1, 5, { deliveryDays: 9 })], 10);
    expect(r?.offer.supplier).toBe('A');
    const a = bestOffer(own(offer('Z', 1, 5)), [analog('B', 'A0', offer('A', 1, 5))], 'always', 10, AS_IS);
    expect(a?.group.analog).toBe(false);
  });
  it('then offer brand, offer article', () => {
    const groups = [own(), analog('X', 'K2', offer('S', 1, 5)), analog('X', 'K1', offer('S', 1, 5))];
    expect(bestOf(groups, 10, AS_IS)?.group.article).toBe('K1');
  });
});

describe('3. else not found', () => {
  it('no offer, only zero stock, or none that can be ordered', () => {
    expect(best([], 1)).toBeNull();
    expect(best([offer('A', 1, 0)], 1)).toBeNull();
    expect(best([offer('A', 1, 3, { minQty: 5 })], 10)).toBeNull();
  });
  it('says why for the Note', () => {
    expect(whyNone(own(), [], AS_IS)).toBeNull();
    expect(whyNone(own(offer('A', 1, 0)), [], AS_IS)).toEqual({ kind: 'out_of_stock' });
    expect(whyNone(own(offer('A', 1, 3, { minQty: 5 })), [], AS_IS)).toEqual({ kind: 'below_minimum' });
    const rub: Pricing = { base: 'RUB', rates: new Map([['EUR', 100]]) };
    expect(whyNone(own(offer('A', 1, 3, { currency: 'USD' })), [], rub)).toEqual({
      kind: 'no_rate',
      currencies: ['USD'],
    });
    // The analogs' offers count too: in stock only there, rated only there.
    expect(
      whyNone(own(offer('A', 1, 0)), [analog('X', 'X1', offer('B', 1, 3, { minQty: 5 }))], AS_IS),
    ).toEqual({
      kind: 'below_minimum',
    });
    expect(whyNone(own(), [analog('X', 'X1', offer('B', 1, 0))], AS_IS)).toEqual({ kind: 'out_of_stock' });
    expect(
      whyNone(own(offer('A', 1, 3, { currency: 'USD' })), [analog('X', 'X1', offer('B', 1, 0))], rub),
    ).toEqual({ kind: 'out_of_stock' });
  });
});

describe('currencies', () => {
  const rates: Pricing = {
    base: 'RUB',
    rates: new Map([
      ['EUR', 100],
      ['USD', 90],
      ['RUB', 7],
    ]),
  };
  it('prices compare in the base currency; the base counts 1 whatever the table says', () => {
    const r = best([offer('EUR', 1.2, 9, { currency: 'EUR' }), offer('RUB', 110, 9)], 2, rates);
    expect([r?.offer.supplier, r?.basePrice, r?.cost]).toEqual(['RUB', 110, 220]);
    const e = best([offer('EUR', 1, 9, { currency: 'EUR' }), offer('RUB', 110, 9)], 2, rates);
    expect([e?.offer.supplier, e?.basePrice, e?.cost]).toEqual(['EUR', 100, 200]);
  });
  it('offers in a currency without a rate are left out, as if they did not exist', () => {
    const r = best([offer('CNY', 0.01, 9, { currency: 'CNY' }), offer('RUB', 110, 9)], 2, rates);
    expect(r?.offer.supplier).toBe('RUB');
    expect(best([offer('CNY', 0.01, 9, { currency: 'CNY' })], 2, rates)).toBeNull();
  });
  it('without rates prices compare as they are', () => {
    const r = best([offer('EUR', 1.2, 9, { currency: 'EUR' }), offer('RUB', 110, 9)], 2);
    expect(r?.offer.supplier).toBe('EUR');
  });
});

describe('analogs', () => {
  const cheapAnalog = analog('KNECHT', 'OC90', offer('A', 1, 9));
  it('off: only the own part', () => {
    expect(bestOffer(own(offer('S', 5, 9)), [cheapAnalog], 'off', 3, AS_IS)?.offer.supplier).toBe('S');
    expect(bestOffer(own(), [cheapAnalog], 'off', 3, AS_IS)).toBeNull();
  });
  it('missing: analogs join only when the own part has no full offer', () => {
    expect(bestOffer(own(offer('S', 5, 9)), [cheapAnalog], 'missing', 3, AS_IS)?.group.analog).toBe(false);
    // The own part is only partial: the analogs join and compete with it.
    const r = bestOffer(own(offer('S', 5, 2)), [cheapAnalog], 'missing', 3, AS_IS);
    expect([r?.group.brand, r?.full]).toEqual(['KNECHT', true]);
    expect(bestOffer(own(), [cheapAnalog], 'missing', 3, AS_IS)?.group.analog).toBe(true);
  });
  it('always: analogs always compete', () => {
    const r = bestOffer(own(offer('S', 5, 9)), [cheapAnalog], 'always', 3, AS_IS);
    expect(r?.group.brand).toBe('KNECHT');
  });
  it('alternatives rank own and analog offers together', () => {
    const ranked = rankOffers([own(offer('S', 5, 9), offer('P', 1, 1)), cheapAnalog], 3, AS_IS);
    expect(ranked.map((p) => [p.offer.supplier, p.group.analog, p.full])).toEqual([
      ['A', true, true],
      ['S', false, true],
      ['P', false, false],
    ]);
  });
});

describe('code-point order', () => {
  it('orders past the BMP by code point, not by UTF-16 unit', () => {
    // U+FF21 (Ａ) < U+1F600 (😀) by code point, though its UTF-16 unit 0xFF21 > 0xD83D.
    expect(codePointCompare('\uff21', '\u{1f600}')).toBeLessThan(0);
    expect(codePointCompare('\u{1f600}', '\uff21')).toBeGreaterThan(0);
    expect(codePointCompare('A', 'B')).toBeLessThan(0);
    expect(codePointCompare('AB', 'A')).toBeGreaterThan(0);
    expect(codePointCompare('x', 'x')).toBe(0);
  });
});

// ── today's rule as a special case ─────────────────────────────────────────────────────────────

/** The rule before packs, minimums, currencies and analogs (verbatim from the last release). */
function legacyBest(offers: readonly Offer[], requested: number): { offer: Offer | null; status: string } {
  const byName = (a: Offer, b: Offer): number =>
    a.supplier < b.supplier ? -1 : a.supplier > b.supplier ? 1 : 0;
  const fullFirst = (a: Offer, b: Offer) =>
    a.price - b.price || a.deliveryDays - b.deliveryDays || byName(a, b);
  const partialFirst = (a: Offer, b: Offer) => b.quantity - a.quantity || a.price - b.price || byName(a, b);
  let full: Offer | null = null;
  let partial: Offer | null = null;
  for (const o of offers) {
    if (o.quantity >= requested && o.quantity > 0) {
      if (full === null || fullFirst(o, full) < 0) full = o;
    } else if (o.quantity > 0 && full === null) {
      if (partial === null || partialFirst(o, partial) < 0) partial = o;
    }
  }
  if (full) return { offer: full, status: 'found' };
  if (partial) return { offer: partial, status: 'partial' };
  return { offer: null, status: 'not_found' };
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('with pack = min_qty = 1 and one currency it is the old rule', () => {
  it('agrees with the old rule on 20,000 random lines (winner, status, cost)', () => {
    const rnd = random(42);
    const names = ['ALPHA', 'BETA', 'GAMMA', 'DELTA', 'ОПТ', 'b'];
    for (let line = 0; line < 20_000; line++) {
      const offers: Offer[] = [];
      const count = Math.floor(rnd() * 6);
      for (let k = 0; k < count; k++)
        offers.push(
          offer(
            names[Math.floor(rnd() * names.length)] + k,
            Math.round(rnd() * 40) / 4,
            Math.floor(rnd() * 12),
            {
              deliveryDays: Math.floor(rnd() * 4),
            },
          ),
        );
      const q = 1 + Math.floor(rnd() * 10);
      const old = legacyBest(offers, q);
      const now = best(offers, q);
      expect(now?.offer ?? null).toEqual(old.offer);
      expect(now === null ? 'not_found' : now.full ? 'found' : 'partial').toBe(old.status);
      if (now) expect(now.orderQty).toBe(now.full ? q : now.offer.quantity);
    }
  });
});

describe('one scratch reused from line to line', () => {
  it('chooses what fresh objects choose, call after call, in every analogs mode', () => {
    // A deterministic stream of lines: own offers and analogs with stock, packs and minimums that
    // make full, partial and unusable offers, so the reused Picks change roles between calls.
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const offers = (): Offer[] =>
      Array.from({ length: rnd(5) }, (_, i) =>
        offer(`S${rnd(4)}`, 1 + rnd(50), rnd(12), { pack: 1 + rnd(3), minQty: 1 + rnd(3), deliveryDays: i }),
      );
    const scratch = pickScratch();
    for (let line = 0; line < 2000; line++) {
      const mine = own(...offers());
      const analogs = Array.from({ length: rnd(3) }, (_, k) => analog('C', `X${k}`, ...offers()));
      const mode = (['off', 'missing', 'always'] as const)[line % 3];
      const q = 1 + rnd(9);
      const fresh = bestOffer(mine, analogs, mode, q, AS_IS);
      const reused = bestOffer(mine, analogs, mode, q, AS_IS, scratch);
      expect(reused === null ? null : { ...reused }).toEqual(fresh === null ? null : { ...fresh });
    }
  });
});
