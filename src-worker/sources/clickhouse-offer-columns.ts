// A lookup's answer as it streams in (clickhouse-lookup.ts): RowBinary rows decoded straight into
// columns (typed arrays, pooled strings), no object per row, no copy of the whole answer. Once the
// answer is complete its rows are put in a stable order, key by key, as the crossdock's OfferRows.
import { gatherFloat, groupByKey, OfferRows } from '../crossdock/offer-rows.ts';
import type { AnswerSink } from './clickhouse-http.ts';
import { orderUnit } from './optional-tables.ts';
import type { StringPool } from './string-pool.ts';

/** The lookup query's columns, in this order (see lookupOffers). */
export const ANSWER_COLUMNS = {
  fixed: 'crossdock_key, toFloat64(price), toUInt32(quantity), toUInt16(delivery_days)',
  extras: (minQty: boolean, pack: boolean): string =>
    `${minQty ? 'toUInt32(ifNull(min_qty, 0))' : 'toUInt32(1)'}, ${pack ? 'toUInt32(ifNull(pack, 0))' : 'toUInt32(1)'}`,
  strings: 'toString(supplier), toString(currency), toString(name)',
};

const FIXED_BYTES = 4 + 8 + 4 + 2;
const EXTRA_BYTES = 8;

/**
 * Decodes a lookup's answers: rows of (key index, price, quantity, days, [min, pack], supplier,
 * currency, name). One lookup may take several queries: each answers keys from `keyBase` on
 * (`startQuery`), and its key indexes count from there.
 */
export class OfferColumns implements AnswerSink {
  rows = 0;
  private keyBase = 0;
  private queryKeys: number;
  /** Rows before the current query's (a query sent again starts over from here). */
  private queryRow = 0;
  private key = new Uint32Array(0);
  private price = new Float64Array(0);
  private quantity = new Uint32Array(0);
  private days = new Uint16Array(0);
  private minQty: Uint32Array | null = null;
  private pack: Uint32Array | null = null;
  private supplier: string[] = [];
  private currency: string[] = [];
  private name: string[] = [];
  private readonly cut = new CutRows();
  private readonly rowBytes: number;
  /** A row that is not what the query asks for (a key index out of range). */
  malformed = false;

  constructor(
    private readonly strings: StringPool,
    private readonly keyCount: number,
    private readonly withExtras: boolean,
    expectedRows = 1024,
  ) {
    this.rowBytes = FIXED_BYTES + (withExtras ? EXTRA_BYTES : 0);
    this.queryKeys = keyCount;
    this.grow(Math.max(16, expectedRows));
  }

  /** The next query answers `count` keys from `base` on: its rows' key indexes count from 0 again. */
  startQuery(base: number, count: number): void {
    if (base + count > this.keyCount) throw new Error(`keys ${base}+${count} past ${this.keyCount}`);
    this.keyBase = base;
    this.queryKeys = count;
    this.queryRow = this.rows;
    this.cut.tail = null;
  }

  /** The current query is sent again: its rows so far are dropped. */
  reset(): void {
    const r = this.queryRow;
    this.rows = r;
    this.cut.tail = null;
    this.malformed = false;
    this.supplier.length = r;
    this.currency.length = r;
    this.name.length = r;
  }

  /** The answer ended at a row boundary. */
  get complete(): boolean {
    return this.cut.tail === null && !this.malformed;
  }

  write(chunk: Buffer): void {
    if (!this.malformed) this.cut.feed(chunk, this.parse);
  }

  /** Reads whole rows of buf from `off` on, at most `most`; returns where the last one ends. */
  private readonly parse = (buf: Buffer, off: number, most: number): number => {
    const end = buf.length;
    const strings = this.strings;
    const extras = this.withExtras;
    for (let n = 0; n < most; n++) {
      const row = off;
      if (off + this.rowBytes > end) break;
      const k = buf.readUInt32LE(off);
      off += 4;
      const price = buf.readDoubleLE(off);
      off += 8;
      const quantity = buf.readUInt32LE(off);
      off += 4;
      const days = buf.readUInt16LE(off);
      off += 2;
      let minQty = 1;
      let pack = 1;
      if (extras) {
        minQty = buf.readUInt32LE(off);
        pack = buf.readUInt32LE(off + 4);
        off += 8;
      }
      // Three strings, each its LEB128 length then its bytes.
      let s0 = 0;
      let e0 = 0;
      let s1 = 0;
      let e1 = 0;
      let s2 = 0;
      let ok = true;
      for (let f = 0; f < 3; f++) {
        let len = 0;
        let shift = 1;
        for (;;) {
          if (off >= end) {
            ok = false;
            break;
          }
          const byte = buf[off++];
          len += (byte & 0x7f) * shift;
          if (byte < 0x80) break;
          shift *= 0x80;
        }
        if (!ok || off + len > end) {
          ok = false;
          break;
        }
        if (f === 0) {
          s0 = off;
          e0 = off + len;
        } else if (f === 1) {
          s1 = off;
          e1 = off + len;
        } else s2 = off;
        off += len;
      }
      if (!ok) {
        off = row;
        break;
      }
      if (k >= this.queryKeys) {
        this.malformed = true;
        return end;
      }
      const r = this.rows;
      if (r === this.key.length) this.grow(r * 2);
      this.key[r] = this.keyBase + k;
      this.price[r] = price;
      this.quantity[r] = quantity;
      this.days[r] = days;
      if (this.minQty && this.pack) {
        this.minQty[r] = orderUnit(minQty);
        this.pack[r] = orderUnit(pack);
      }
      this.supplier.push(strings.fromBytes(buf, s0, e0));
      this.currency.push(strings.fromBytes(buf, s1, e1));
      this.name.push(strings.fromBytes(buf, s2, off));
      this.rows = r + 1;
    }
    return off;
  };

  /**
   * Each key's offers (key k: the key's index in the lookup), in a stable order: ClickHouse returns
   * rows in whatever order its threads finish, and ties and alternatives must come out the same
   * from run to run. Suppliers and names keep their row's place in the texts (ids r and n + r of the
   * row before ordering: no hashing per row); currencies, few, are interned after them.
   */
  offerRows(): OfferRows {
    const n = this.rows;
    const keys = this.keyCount;
    const { order, from, to } = groupByKey(this.key, n, keys);
    const columns = this.orderColumns();
    const cmp = (a: number, b: number): number => offerRowOrder(columns, a, b);
    for (let k = 0; k < keys; k++) {
      const start = from[k];
      const end = to[k];
      if (end - start <= 1) continue;
      // Most keys have a few offers: sorted in place (a subarray and a sort call per key cost ~0.5 µs
      // each, 90k keys); the order is total (rows break ties), so any sort gives the same one.
      if (end - start > 16) {
        order.subarray(start, end).sort(cmp);
        continue;
      }
      for (let i = start + 1; i < end; i++) {
        const r = order[i];
        let j = i - 1;
        while (j >= start && cmp(order[j], r) > 0) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = r;
      }
    }
    const texts: string[] = this.supplier.slice(0, n).concat(this.name.slice(0, n));
    const supplier = new Int32Array(n);
    const name = new Int32Array(n);
    const currency = new Int32Array(n);
    const currencyIds = new Map<string, number>();
    // Currencies are pooled texts and mostly the same one: the last one's id is checked first.
    let last: string | null = null;
    let lastId = 0;
    for (let i = 0; i < n; i++) {
      const r = order[i];
      supplier[i] = r;
      name[i] = n + r;
      const c = this.currency[r];
      if (c !== last) {
        let id = currencyIds.get(c);
        if (id === undefined) {
          id = texts.length;
          texts.push(c);
          currencyIds.set(c, id);
        }
        last = c;
        lastId = id;
      }
      currency[i] = lastId;
    }
    let units = false;
    if (this.minQty && this.pack)
      for (let r = 0; r < n; r++)
        if (this.minQty[r] !== 1 || this.pack[r] !== 1) {
          units = true;
          break;
        }
    return new OfferRows(
      texts,
      supplier,
      name,
      currency,
      gatherFloat(this.price, order),
      gatherFloat(this.quantity, order),
      gatherFloat(this.days, order),
      units ? gatherFloat(this.minQty!, order) : null,
      units ? gatherFloat(this.pack!, order) : null,
      from,
      to,
    );
  }

  /** These columns as offerRowOrder reads them (the arrays as they are now: take it after growing). */
  private orderColumns(): OfferRowColumns {
    const { supplier, price, days, quantity, minQty, pack, name, currency } = this;
    return {
      supplierOf: (r) => supplier[r],
      nameOf: (r) => name[r],
      currencyOf: (r) => currency[r],
      price,
      days,
      quantity,
      minQtyOf: (r) => (minQty ? minQty[r] : 1),
      packOf: (r) => (pack ? pack[r] : 1),
    };
  }

  private grow(size: number): void {
    const copy = <T extends Uint32Array | Float64Array | Uint16Array>(from: T, to: T): T => {
      to.set(from.subarray(0, this.rows));
      return to;
    };
    this.key = copy(this.key, new Uint32Array(size));
    this.price = copy(this.price, new Float64Array(size));
    this.quantity = copy(this.quantity, new Uint32Array(size));
    this.days = copy(this.days, new Uint16Array(size));
    if (this.withExtras) {
      this.minQty = copy(this.minQty ?? new Uint32Array(0), new Uint32Array(size));
      this.pack = copy(this.pack ?? new Uint32Array(0), new Uint32Array(size));
    }
  }
}

/**
 * An answer's rows across its chunks: `parse` reads whole rows of a buffer (at most `most`, from
 * `off` on) and says where the last one ends; a row cut at a chunk's end waits in `tail`, and only
 * it is copied (with as much of the next chunk as completes it), never a whole chunk.
 */
export class CutRows {
  tail: Buffer | null = null;

  feed(chunk: Buffer, parse: (buf: Buffer, off: number, most: number) => number): void {
    let from = 0;
    const tail = this.tail;
    if (tail) {
      for (let take = Math.min(chunk.length, Math.max(1024, tail.length)); ;) {
        const joined = Buffer.concat([tail, chunk.subarray(0, take)]);
        const end = parse(joined, 0, 1);
        if (end > 0) {
          from = end - tail.length;
          break;
        }
        if (take === chunk.length) {
          this.tail = joined;
          return;
        }
        take = Math.min(chunk.length, take * 4);
      }
    }
    const done = parse(chunk, from, Infinity);
    // Copied: a subarray would keep the whole chunk alive.
    this.tail = done < chunk.length ? Buffer.from(chunk.subarray(done)) : null;
  }
}

function textOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The columns offerRowOrder compares (both column stores have them). */
export interface OfferRowColumns {
  supplierOf(row: number): string;
  readonly price: Float64Array;
  readonly days: Uint16Array;
  readonly quantity: Uint32Array;
  minQtyOf(row: number): number;
  packOf(row: number): number;
  nameOf(row: number): string;
  currencyOf(row: number): string;
}

/** The order lookups have always given a key's offers: supplier, price, delivery, stock, …, rows a and b. */
export function offerRowOrder(c: OfferRowColumns, a: number, b: number): number {
  const sa = c.supplierOf(a);
  const sb = c.supplierOf(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  return (
    c.price[a] - c.price[b] ||
    c.days[a] - c.days[b] ||
    c.quantity[b] - c.quantity[a] ||
    c.minQtyOf(a) - c.minQtyOf(b) ||
    c.packOf(a) - c.packOf(b) ||
    textOrder(c.nameOf(a), c.nameOf(b)) ||
    textOrder(c.currencyOf(a), c.currencyOf(b))
  );
}
