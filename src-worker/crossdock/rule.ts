// The crossdock rule (PRODUCT.md, "Offers, order quantity and the best offer" and "Analogs"), pure:
// no I/O, no allocation per offer on the hot path. With pack = min_qty = 1 and one currency it is the
// old rule: the lowest price among suppliers that have the whole quantity, else the most stock.
// Offers are read where they lie, in the lookup's columns (offer-rows.ts): rows from..to of `rows`.
import type { Offer } from './best-offer.ts';
import { OfferRows } from './offer-rows.ts';

/** Offers of one part: the line's own (brand, article) or one of its analogs: rows from ≤ r < to. */
export interface OfferGroup {
  brand: string;
  article: string;
  analog: boolean;
  rows: OfferRows;
  from: number;
  to: number;
}

/** A group of offers given as objects (tests, and callers that have them so). */
export function offerGroup(
  brand: string,
  article: string,
  analog: boolean,
  offers: readonly Offer[],
): OfferGroup {
  const rows = OfferRows.fromLists([offers]);
  return { brand, article, analog, rows, from: 0, to: rows.rows };
}

/**
 * How prices compare: through `rates` into `base`, or as they are when `rates` is null (no rates
 * table, or an empty one). The base currency counts 1 whatever the table says of it.
 */
export interface Pricing {
  base: string;
  rates: ReadonlyMap<string, number> | null;
}

export const AS_IS: Pricing = { base: '', rates: null };

/** An offer that can be ordered for a line: row `row` of `rows`, with what the rule made of it. */
export class Pick {
  constructor(
    public rows: OfferRows,
    public row: number,
    public group: OfferGroup,
    public full: boolean,
    public orderQty: number,
    public basePrice: number,
    /** base price × order qty, unrounded. */
    public cost: number,
  ) {}

  /** The offer as an object (made on each call: read the columns where that matters). */
  get offer(): Offer {
    return this.rows.offer(this.row);
  }

  get supplier(): string {
    return this.rows.supplierOf(this.row);
  }
}

const whole = (n: number): number => (Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1);

/**
 * The order quantity of an offer for `q` units: full when the smallest multiple of the pack that is
 * ≥ max(q, min) fits in stock; else partial when the largest multiple of the pack that is ≤ min(q,
 * stock) is > 0 and ≥ min; else 0 (unusable). Returns the quantity, negative for a partial one.
 */
export function orderQty(q: number, offer: Offer): number {
  return orderQtyOf(q, offer.quantity, offer.minQty, offer.pack);
}

/** orderQty of an offer given by its stock, minimum order and pack. */
export function orderQtyOf(q: number, stock: number, minQty: number, packOf: number): number {
  const pack = whole(packOf);
  const min = whole(minQty);
  const need = q > min ? q : min;
  const full = pack === 1 ? need : Math.ceil(need / pack) * pack;
  if (full <= stock) return full;
  const upTo = q < stock ? q : stock;
  const partial = pack === 1 ? upTo : Math.floor(upTo / pack) * pack;
  return partial > 0 && partial >= min ? -partial : 0;
}

/** Strings in code-point order (JS `<` compares UTF-16 units, which differs past the BMP). */
export function codePointCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate belongs to a code point past U+FFFF: above every BMP character, also U+E000–U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** The name ties, after the numeric ones: the original part first, then supplier, brand, article. */
function nameTies(a: Pick, b: Pick): number {
  if (a.group.analog !== b.group.analog) return a.group.analog ? 1 : -1;
  return (
    codePointCompare(a.supplier, b.supplier) ||
    codePointCompare(a.group.brand, b.group.brand) ||
    codePointCompare(a.group.article, b.group.article)
  );
}

/** Full offers: lowest cost, then lower base price, fewer delivery days, then the name ties. */
export function fullFirst(a: Pick, b: Pick): number {
  return (
    a.cost - b.cost || a.basePrice - b.basePrice || a.rows.days[a.row] - b.rows.days[b.row] || nameTies(a, b)
  );
}

/** Partial offers: largest order qty, then lower base price, then the name ties. */
export function partialFirst(a: Pick, b: Pick): number {
  return b.orderQty - a.orderQty || a.basePrice - b.basePrice || nameTies(a, b);
}

/** Every usable offer of the groups for `q` units (offers without a rate left out). */
export function usableOffers(groups: readonly OfferGroup[], q: number, pricing: Pricing): Pick[] {
  const out: Pick[] = [];
  for (const group of groups) {
    const { rows, from, to } = group;
    const factors = rows.factors(pricing);
    for (let r = from; r < to; r++) {
      const basePrice = rows.price[r] * factors[rows.currency[r]];
      if (basePrice !== basePrice) continue;
      const o = orderQtyOf(q, rows.quantity[r], rows.minQtyOf(r), rows.packOf(r));
      if (o === 0) continue;
      const qty = o > 0 ? o : -o;
      out.push(new Pick(rows, r, group, o > 0, qty, basePrice, basePrice * qty));
    }
  }
  return out;
}

/**
 * The winner among the groups' offers: the best full one, else the best partial one, else null.
 * With `scratch`, the Pick is one of its objects: valid until the next call given the same scratch.
 */
export function bestOf(
  groups: readonly OfferGroup[],
  q: number,
  pricing: Pricing,
  scratch: PickScratch = pickScratch(),
): Pick | null {
  const best = start(scratch);
  for (const group of groups) considerGroup(best, group, q, pricing);
  return best.full ?? best.partial;
}

/** bestOf of one group, without the array. */
function bestOfGroup(group: OfferGroup, q: number, pricing: Pricing, scratch: PickScratch): Pick | null {
  const best = start(scratch);
  considerGroup(best, group, q, pricing);
  return best.full ?? best.partial;
}

/**
 * What bestOf and bestOffer reuse across calls (the Pick they return stays valid until the next):
 * the leaders so far, and a Pick to fill for the next candidate (one is made only when one wins).
 * One per crossdock, so that it makes no rule objects per line.
 */
export class PickScratch {
  full: Pick | null = null;
  partial: Pick | null = null;
  spare: Pick | null = null;
  /** Picks of an earlier call, to fill again. */
  readonly free: Pick[] = [];
}
type Best = PickScratch;

export function pickScratch(): PickScratch {
  return new PickScratch();
}

/** The scratch emptied for a new choice: the last call's Picks go back to be filled again. */
function start(best: PickScratch): Best {
  if (best.full !== null) best.free.push(best.full);
  if (best.partial !== null) best.free.push(best.partial);
  best.full = null;
  best.partial = null;
  return best;
}

function considerGroup(best: Best, group: OfferGroup, q: number, pricing: Pricing): void {
  const { rows, from, to } = group;
  if (from === to) return;
  const factors = rows.factors(pricing);
  const { quantity, price, currency, minQty, pack } = rows;
  for (let r = from; r < to; r++) {
    const stock = quantity[r];
    if (stock <= 0) continue;
    const basePrice = price[r] * factors[currency[r]];
    if (basePrice !== basePrice) continue; // NaN: no rate for its currency
    const o = orderQtyOf(q, stock, minQty === null ? 1 : minQty[r], pack === null ? 1 : pack[r]);
    if (o === 0 || (o < 0 && best.full !== null)) continue;
    const qty = o > 0 ? o : -o;
    let pick = best.spare ?? best.free.pop() ?? null;
    if (pick === null) pick = new Pick(rows, r, group, o > 0, qty, basePrice, basePrice * qty);
    else {
      pick.rows = rows;
      pick.row = r;
      pick.group = group;
      pick.full = o > 0;
      pick.orderQty = qty;
      pick.basePrice = basePrice;
      pick.cost = basePrice * qty;
    }
    best.spare = pick;
    if (o > 0) {
      if (best.full === null || fullFirst(pick, best.full) < 0) {
        best.spare = best.full;
        best.full = pick;
      }
    } else if (best.partial === null || partialFirst(pick, best.partial) < 0) {
      best.spare = best.partial;
      best.partial = pick;
    }
  }
}

/** Every usable offer, best first: the full ones in the rule's order, then the partial ones. */
export function rankOffers(groups: readonly OfferGroup[], q: number, pricing: Pricing): Pick[] {
  const all = usableOffers(groups, q, pricing);
  const full = all.filter((p) => p.full).sort(fullFirst);
  const partial = all.filter((p) => !p.full).sort(partialFirst);
  return full.concat(partial);
}

export type AnalogMode = 'off' | 'missing' | 'always';

/**
 * The line's best offer under an analogs mode: `own` is the line's part, `analogs` its crosses'.
 * `missing`: analogs join only when the own part has no full offer, and then compete with it.
 * With `scratch`, as bestOf: the Pick is valid until the next call given the same scratch.
 */
export function bestOffer(
  own: OfferGroup,
  analogs: readonly OfferGroup[],
  mode: AnalogMode,
  q: number,
  pricing: Pricing,
  scratch: PickScratch = pickScratch(),
): Pick | null {
  if (mode === 'off' || analogs.length === 0) return bestOfGroup(own, q, pricing, scratch);
  if (mode === 'missing') {
    const mine = bestOfGroup(own, q, pricing, scratch);
    if (mine !== null && mine.full) return mine;
  }
  return bestOf([own, ...analogs], q, pricing, scratch);
}

/** The groups the line's alternatives are ranked among (the same ones its winner was chosen from). */
export function candidateGroups(
  own: OfferGroup,
  analogs: readonly OfferGroup[],
  mode: AnalogMode,
  winner: Pick | null,
): OfferGroup[] {
  if (mode === 'off' || analogs.length === 0) return [own];
  if (mode === 'missing' && winner !== null && winner.full && !winner.group.analog) return [own];
  return [own, ...analogs];
}

/**
 * Why a line with offers (its own part's, `own`, and its analogs') has no usable one (only for the
 * Note): stock, minimum or rates.
 */
export function whyNone(
  own: OfferGroup,
  analogs: readonly OfferGroup[],
  pricing: Pricing,
): { kind: 'out_of_stock' } | { kind: 'below_minimum' } | { kind: 'no_rate'; currencies: string[] } | null {
  let any = false;
  let inStock = false;
  // Made only when an offer has no rate; no array of the groups either: this runs for every line
  // without an offer.
  let unrated: Set<string> | null = null;
  let rated = false;
  for (let k = -1; k < analogs.length; k++) {
    const g = k < 0 ? own : analogs[k];
    const { rows } = g;
    const factors = rows.factors(pricing);
    for (let r = g.from; r < g.to; r++) {
      any = true;
      if (Number.isNaN(factors[rows.currency[r]])) {
        (unrated ??= new Set()).add(rows.currencyOf(r));
        continue;
      }
      rated = true;
      if (rows.quantity[r] > 0) inStock = true;
    }
  }
  if (!any) return null;
  if (!rated) return { kind: 'no_rate', currencies: [...(unrated ?? [])].sort() };
  return inStock ? { kind: 'below_minimum' } : { kind: 'out_of_stock' };
}
