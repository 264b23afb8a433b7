// A lookup's offers as columns: what the matcher caches and the rule reads. No object per offer; an
// Offer object is made only where one is shown (a line's winner, an alternative) or asked for by a
// caller that wants objects (OfferSource.lookup). Every source answers in this one shape, so the
// rule's loop reads the same typed arrays whatever the source (one shape: V8 keeps it monomorphic).
import type { Offer } from './best-offer.ts';
import type { Pricing } from './rule.ts';

/**
 * An offer whose supplier and currency also come as ids of its source's own table of texts (the demo
 * catalog's pack_strings): one id per text, so a builder interns them by number.
 */
export interface OfferWithTextIds extends Offer {
  supplierId: number;
  currencyId: number;
}

/**
 * Offers of many keys: row r is one offer, texts as ids into `texts`; key k's offers are the rows
 * from[k] ≤ r < to[k], in the order the source gives them (ties are broken by that order).
 */
export class OfferRows {
  /** Rows by currency id: its factor into the base currency, NaN without a rate (per pricing). */
  private factorCache: { pricing: Pricing; factors: Float64Array } | null = null;

  constructor(
    readonly texts: readonly string[],
    readonly supplier: Int32Array,
    readonly name: Int32Array,
    readonly currency: Int32Array,
    readonly price: Float64Array,
    readonly quantity: Float64Array,
    readonly days: Float64Array,
    /** Minimum orders, null when every row's is 1. */
    readonly minQty: Float64Array | null,
    /** Order multiples, null when every row's is 1. */
    readonly pack: Float64Array | null,
    readonly from: Uint32Array,
    readonly to: Uint32Array,
  ) {}

  get rows(): number {
    return this.price.length;
  }

  get keys(): number {
    return this.from.length;
  }

  supplierOf(r: number): string {
    return this.texts[this.supplier[r]];
  }

  currencyOf(r: number): string {
    return this.texts[this.currency[r]];
  }

  nameOf(r: number): string {
    return this.texts[this.name[r]];
  }

  minQtyOf(r: number): number {
    return this.minQty === null ? 1 : this.minQty[r];
  }

  packOf(r: number): number {
    return this.pack === null ? 1 : this.pack[r];
  }

  /** The same rows answering other keys: key k's are rows from[k] ≤ r < to[k]. */
  withSpans(from: Uint32Array, to: Uint32Array): OfferRows {
    return new OfferRows(
      this.texts,
      this.supplier,
      this.name,
      this.currency,
      this.price,
      this.quantity,
      this.days,
      this.minQty,
      this.pack,
      from,
      to,
    );
  }

  /** Row r as an object. */
  offer(r: number): Offer {
    return {
      supplier: this.supplierOf(r),
      name: this.nameOf(r),
      price: this.price[r],
      currency: this.currencyOf(r),
      quantity: this.quantity[r],
      deliveryDays: this.days[r],
      minQty: this.minQtyOf(r),
      pack: this.packOf(r),
    };
  }

  /** Key k's offers as objects. */
  offersOf(k: number): Offer[] {
    const out: Offer[] = [];
    for (let r = this.from[k]; r < this.to[k]; r++) out.push(this.offer(r));
    return out;
  }

  /** Every key's offers as objects: element k holds key k's. */
  lists(): Offer[][] {
    const out: Offer[][] = new Array<Offer[]>(this.keys);
    for (let k = 0; k < this.keys; k++) out[k] = this.offersOf(k);
    return out;
  }

  /**
   * Per text id (only currencies' are filled in): the factor that turns a price in that currency into
   * the base currency, 1 for the base currency or without rates, NaN for a currency without a rate.
   * A price times its factor is the price itself when the factor is 1, so one multiplication serves.
   */
  factors(pricing: Pricing): Float64Array {
    const cached = this.factorCache;
    if (cached !== null && cached.pricing === pricing) return cached.factors;
    const factors = new Float64Array(this.texts.length).fill(1);
    const rates = pricing.rates;
    if (rates !== null) {
      const done = new Uint8Array(this.texts.length);
      const currency = this.currency;
      for (let r = 0; r < currency.length; r++) {
        const id = currency[r];
        if (done[id] === 1) continue;
        done[id] = 1;
        const code = this.texts[id];
        factors[id] = code === pricing.base ? 1 : (rates.get(code) ?? NaN);
      }
    }
    this.factorCache = { pricing, factors };
    return factors;
  }

  /** Rows whose currency has no rate under `pricing`, and those currencies. */
  unrated(pricing: Pricing): { offers: number; currencies: Set<string> } {
    const currencies = new Set<string>();
    let offers = 0;
    if (pricing.rates === null) return { offers, currencies };
    const f = this.factors(pricing);
    for (let r = 0; r < this.currency.length; r++) {
      const id = this.currency[r];
      if (f[id] !== f[id]) {
        offers++;
        currencies.add(this.texts[id]);
      }
    }
    return { offers, currencies };
  }

  /** Offers given as objects, element k for key k (a source that has them so, and tests). */
  static fromLists(lists: readonly (readonly Offer[])[]): OfferRows {
    const b = new OfferRowsBuilder(lists.length);
    for (let k = 0; k < lists.length; k++) for (const o of lists[k]) b.addOffer(k, o);
    return b.finish();
  }
}

/** No offers for no keys: what a key's slot holds until its lookup answers. */
export const NO_ROWS = new OfferRows(
  [],
  new Int32Array(0),
  new Int32Array(0),
  new Int32Array(0),
  new Float64Array(0),
  new Float64Array(0),
  new Float64Array(0),
  null,
  null,
  new Uint32Array(0),
  new Uint32Array(0),
);

/**
 * Builds OfferRows from offers given one at a time with their key's index, in any key order: rows are
 * grouped by key at the end, each key's in the order they were added. Texts are interned per build.
 */
export class OfferRowsBuilder {
  private n = 0;
  private key = new Uint32Array(64);
  private supplier = new Int32Array(64);
  private name = new Int32Array(64);
  private currency = new Int32Array(64);
  private price = new Float64Array(64);
  private quantity = new Float64Array(64);
  private days = new Float64Array(64);
  private minQty = new Float64Array(64);
  private pack = new Float64Array(64);
  private units = false;
  private readonly texts: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Per pack_strings id (addPacked): its text's id in this build, -1 until seen. */
  private packTexts = new Int32Array(0);
  /** The last name added by addPacked, and its id: a pack's offers mostly share one name. */
  private lastName: string | null = null;
  private lastNameId = 0;
  /**
   * Every key's rows so far came as one run (packs give a key's offers together): then finish
   * copies the columns instead of sorting them by key. `hasRows` marks the keys whose run is over.
   */
  private grouped = true;
  private lastKey = -1;
  private readonly hasRows: Uint8Array;

  constructor(private readonly keyCount: number) {
    this.hasRows = new Uint8Array(keyCount);
  }

  /** The id of a text in this build. */
  text(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** An offer given as an object (its fields are copied: the object may be reused). */
  addOffer(key: number, o: Offer): void {
    this.add(key, o.supplier, o.name, o.price, o.currency, o.quantity, o.deliveryDays, o.minQty, o.pack);
  }

  /**
   * An offer of a demo catalog pack: its supplier and currency are interned by their pack_strings
   * ids (a few dozen), not by text (the fields are copied: the object is reused).
   */
  addPacked(key: number, o: OfferWithTextIds): void {
    const r = this.row(key);
    this.supplier[r] = this.packText(o.supplierId, o.supplier);
    this.currency[r] = this.packText(o.currencyId, o.currency);
    const name = o.name;
    if (name !== this.lastName) {
      this.lastName = name;
      this.lastNameId = this.text(name);
    }
    this.name[r] = this.lastNameId;
    this.numbers(r, o.price, o.quantity, o.deliveryDays, o.minQty, o.pack);
  }

  add(
    key: number,
    supplier: string,
    name: string,
    price: number,
    currency: string,
    quantity: number,
    days: number,
    minQty: number,
    pack: number,
  ): void {
    const r = this.row(key);
    this.supplier[r] = this.text(supplier);
    this.name[r] = this.text(name);
    this.currency[r] = this.text(currency);
    this.numbers(r, price, quantity, days, minQty, pack);
  }

  /** The next row, for `key`. */
  private row(key: number): number {
    const r = this.n;
    if (r === this.price.length) this.grow(r * 2);
    this.key[r] = key;
    if (key !== this.lastKey) {
      if (this.lastKey >= 0) this.hasRows[this.lastKey] = 1;
      if (this.hasRows[key] === 1) this.grouped = false;
      this.lastKey = key;
    }
    this.n = r + 1;
    return r;
  }

  private packText(id: number, text: string): number {
    if (id >= this.packTexts.length) {
      const more = new Int32Array(Math.max(64, id * 2 + 1)).fill(-1);
      more.set(this.packTexts);
      this.packTexts = more;
    }
    let t = this.packTexts[id];
    if (t < 0) t = this.packTexts[id] = this.text(text);
    return t;
  }

  private numbers(
    r: number,
    price: number,
    quantity: number,
    days: number,
    minQty: number,
    pack: number,
  ): void {
    this.price[r] = price;
    this.quantity[r] = quantity;
    this.days[r] = days;
    this.minQty[r] = minQty;
    this.pack[r] = pack;
    if (minQty !== 1 || pack !== 1) this.units = true;
  }

  /** The rows, grouped by key; with a pool, each text is its pooled copy (one across builds). */
  finish(pool?: { get(s: string): string }): OfferRows {
    const n = this.n;
    const texts = pool ? this.texts.map((t) => pool.get(t)) : this.texts;
    let from: Uint32Array;
    let to: Uint32Array;
    let ids: (c: Int32Array) => Int32Array;
    let nums: (c: Float64Array) => Float64Array;
    if (this.grouped) {
      // Each key's rows are one run already: its span is that run, the columns are copied as they are.
      from = new Uint32Array(this.keyCount);
      to = new Uint32Array(this.keyCount);
      const key = this.key;
      for (let r = 0; r < n; r++) {
        const k = key[r];
        if (r === 0 || key[r - 1] !== k) from[k] = r;
        to[k] = r + 1;
      }
      ids = (c) => c.slice(0, n);
      nums = (c) => c.slice(0, n);
    } else {
      const sorted = groupByKey(this.key, n, this.keyCount);
      from = sorted.from;
      to = sorted.to;
      ids = (c) => gatherInt(c, sorted.order);
      nums = (c) => gatherFloat(c, sorted.order);
    }
    return new OfferRows(
      texts,
      ids(this.supplier),
      ids(this.name),
      ids(this.currency),
      nums(this.price),
      nums(this.quantity),
      nums(this.days),
      this.units ? nums(this.minQty) : null,
      this.units ? nums(this.pack) : null,
      from,
      to,
    );
  }

  private grow(size: number): void {
    const g = <T extends Uint32Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.key = g(this.key, (s) => new Uint32Array(s));
    this.supplier = g(this.supplier, (s) => new Int32Array(s));
    this.name = g(this.name, (s) => new Int32Array(s));
    this.currency = g(this.currency, (s) => new Int32Array(s));
    this.price = g(this.price, (s) => new Float64Array(s));
    this.quantity = g(this.quantity, (s) => new Float64Array(s));
    this.days = g(this.days, (s) => new Float64Array(s));
    this.minQty = g(this.minQty, (s) => new Float64Array(s));
    this.pack = g(this.pack, (s) => new Float64Array(s));
  }
}

/**
 * A stable counting sort of rows by key: order[i] is the row that goes to place i, and key k's rows
 * go to from[k] ≤ i < to[k], in their original order. `key[r]` < keyCount for r < n.
 */
export function groupByKey(
  key: ArrayLike<number>,
  n: number,
  keyCount: number,
): { order: Uint32Array; from: Uint32Array; to: Uint32Array } {
  const from = new Uint32Array(keyCount);
  const to = new Uint32Array(keyCount);
  for (let r = 0; r < n; r++) to[key[r]]++;
  let at = 0;
  for (let k = 0; k < keyCount; k++) {
    from[k] = at;
    at += to[k];
    to[k] = from[k];
  }
  const order = new Uint32Array(n);
  for (let r = 0; r < n; r++) order[to[key[r]]++] = r;
  return { order, from, to };
}

/** c[order[i]] for each i, as a new column. */
export function gatherInt(c: ArrayLike<number>, order: Uint32Array): Int32Array {
  const out = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = c[order[i]];
  return out;
}

export function gatherFloat(c: ArrayLike<number>, order: Uint32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = c[order[i]];
  return out;
}
