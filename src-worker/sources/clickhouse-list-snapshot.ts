// A big request list against a list whose offers are not many more than its lines: every lookup
// query would read most of the table anyway (clickhouse-lookup.ts), so the list's offers are read
// once, in one streamed query, into columns (typed arrays; the texts as ids into one table of
// distinct values; a byte-keyed index of the keys), and the job's lookups are answered from there.
// A batch's keys get their rows copied out into a few compact columns (OfferRows), never as Offer
// objects. Nothing in the columns is a JS object, so the garbage collector has nothing of them to mark. Measured on 18.16, 3M offers, 1M lines (1.5M offers in the list): one query of
// ~0.6 s server CPU instead of 63 of ~0.3-0.5 s each.
import type { Offer } from '../crossdock/best-offer.ts';
import { OfferRows } from '../crossdock/offer-rows.ts';
import type { AnswerSink } from './clickhouse-http.ts';
import { ANSWER_COLUMNS, CutRows, offerRowOrder, type OfferRowColumns } from './clickhouse-offer-columns.ts';
import type { OfferExtras } from './clickhouse-lookup.ts';
import { quoteString } from './clickhouse-quote.ts';
import { orderUnit } from './optional-tables.ts';
import { varintSize, writeVarint } from './rowbinary.ts';
import type { StringPool } from './string-pool.ts';
import { lookupKey, type LookupKey } from './types.ts';

/** Whether a job of `lines` lines may read its list whole: `offers` of the list, counted first. */
export function snapshotFits(lines: number, offers: number): boolean {
  return lines >= SNAPSHOT_MIN_LINES && offers <= Math.min(3 * lines, SNAPSHOT_MAX_OFFERS);
}
/** Below this many lines a few key queries cost less than reading the list. */
export const SNAPSHOT_MIN_LINES = 300_000;
/** ~26-40 bytes an offer in columns (and ~50 a key): at most ~250 MB, whatever the table. */
const SNAPSHOT_MAX_OFFERS = 4_000_000;

/** The query counting the list's offers (snapshotFits) and the one reading them. */
export function snapshotQueries(list: string, extras: OfferExtras): { count: string; read: string } {
  const where = `supplier IN (SELECT supplier FROM supplier_lists WHERE list = ${quoteString(list)})`;
  const withExtras = extras.minQty || extras.pack;
  const columns = [
    'toString(brand), toString(article), toFloat64(price), toUInt32(quantity), toUInt16(delivery_days)',
    ...(withExtras ? [ANSWER_COLUMNS.extras(extras.minQty, extras.pack)] : []),
    ANSWER_COLUMNS.strings,
  ].join(', ');
  return {
    count: `SELECT count() AS n FROM offers WHERE ${where}`,
    read: `SELECT ${columns}\nFROM offers\nWHERE ${where}\nFORMAT RowBinary`,
  };
}

const FIXED_BYTES = 8 + 4 + 2;
/** Rows per row with a minimum order or pack ≠ 1 below which those are kept by row, not in columns. */
const DENSE_UNITS = 64;

type TextIds = Uint16Array | Uint32Array;

/**
 * The offers of one list, by key. Built by writing the read query's RowBinary answer into it
 * (write/reset: an AnswerSink), then `finish()`; `offers(key)` answers a key as lookupOffers does.
 */
export class ListSnapshot implements AnswerSink {
  private rows = 0;
  private keyOf = new Uint32Array(0);
  private price = new Float64Array(0);
  private quantity = new Uint32Array(0);
  private days = new Uint16Array(0);
  /**
   * Minimum order and pack: most offers have neither (1), so the few that do are kept by row, until
   * they are more than one row in DENSE_UNITS; then in columns (1.5M offers: 12 MB for the 4 that had one).
   */
  private units: Map<number, readonly [number, number]> | null = null;
  private minQty: Uint32Array | null = null;
  private pack: Uint32Array | null = null;
  /** Ids into `texts`: 16 bits each until there are more than 65,536 texts (a list has few names). */
  private supplier: TextIds = new Uint16Array(0);
  private currency: TextIds = new Uint16Array(0);
  private name: TextIds = new Uint16Array(0);
  /** The distinct supplier names, currencies and offer names, by id (`textIds` keys their bytes). */
  private texts: string[] = [];
  private textIds = new KeyTable();
  private readonly cut = new CutRows();
  private readonly keys = new KeyTable();
  /**
   * After finish(): key id → its rows starts[id]..starts[id + 1] - 1, in lookup order (finish()
   * moves the rows into that order in place: no second copy of a column, no row order kept).
   */
  private starts = new Uint32Array(0);
  private scratch = Buffer.allocUnsafe(1024);

  /** `rows`: how many the list has (counted first), so the columns are allocated once. */
  constructor(
    private readonly strings: StringPool,
    private readonly withExtras: boolean,
    rows = 1 << 16,
  ) {
    this.grow(Math.max(16, rows));
  }

  reset(): void {
    this.rows = 0;
    this.units = null;
    this.minQty = null;
    this.pack = null;
    this.cut.tail = null;
    this.texts = [];
    this.textIds = new KeyTable();
    this.keys.clear();
  }

  /** The id of the text buf[start..end) in `texts`, added when new. */
  private textId(buf: Buffer, start: number, end: number): number {
    const id = this.textIds.idOf(buf, start, end, true);
    if (id === this.texts.length) {
      if (id === 0x10000) this.widenTextIds();
      this.texts.push(this.strings.fromBytes(buf, start, end));
    }
    return id;
  }

  write(chunk: Buffer): void {
    this.cut.feed(chunk, this.parse);
  }

  /** Reads whole rows of buf from `off` on, at most `most`; returns where the last one ends. */
  private readonly parse = (buf: Buffer, off: number, most: number): number => {
    const end = buf.length;
    const fixed = FIXED_BYTES + (this.withExtras ? 8 : 0);
    // The end of the last whole row.
    let done = off;
    let n = 0;
    // Where each of a row's five strings starts (after its length) and ends.
    const s = [0, 0, 0, 0, 0];
    const e = [0, 0, 0, 0, 0];
    rows: while (off < end && n < most) {
      const row = off;
      for (let f = 0; f < 5; f++) {
        if (f === 2) {
          if (off + fixed > end) break rows;
          off += fixed;
        }
        let len = 0;
        let shift = 1;
        for (;;) {
          if (off >= end) break rows;
          const byte = buf[off++];
          len += (byte & 0x7f) * shift;
          if (byte < 0x80) break;
          shift *= 0x80;
        }
        if (off + len > end) break rows;
        s[f] = off;
        e[f] = off += len;
      }
      const r = this.rows;
      if (r === this.keyOf.length) this.grow(r * 2);
      // The key's bytes as sent (brand and article, each with its length): what offers() encodes.
      this.keyOf[r] = this.keys.idOf(buf, row, e[1], true);
      const at = e[1];
      this.price[r] = buf.readDoubleLE(at);
      this.quantity[r] = buf.readUInt32LE(at + 8);
      this.days[r] = buf.readUInt16LE(at + 12);
      if (this.withExtras) {
        const minQty = orderUnit(buf.readUInt32LE(at + FIXED_BYTES));
        const pack = orderUnit(buf.readUInt32LE(at + FIXED_BYTES + 4));
        if (this.minQty && this.pack) {
          this.minQty[r] = minQty;
          this.pack[r] = pack;
        } else if (minQty !== 1 || pack !== 1) this.addUnits(r, minQty, pack);
      }
      // Ids first: a new text may widen the id columns, and `this.x[r] = …` picks its column before.
      const supplier = this.textId(buf, s[2], e[2]);
      const currency = this.textId(buf, s[3], e[3]);
      const name = this.textId(buf, s[4], e[4]);
      this.supplier[r] = supplier;
      this.currency[r] = currency;
      this.name[r] = name;
      this.rows = r + 1;
      done = off;
      n++;
    }
    return done;
  };

  get complete(): boolean {
    return this.cut.tail === null;
  }

  /** Groups the rows by key, each key's in the order lookups give them. */
  finish(): void {
    const n = this.rows;
    const keys = this.keys.size;
    const starts = new Uint32Array(keys + 1);
    for (let r = 0; r < n; r++) starts[this.keyOf[r] + 1]++;
    for (let k = 0; k < keys; k++) starts[k + 1] += starts[k];
    const order = new Uint32Array(n);
    const at = starts.slice(0, keys);
    for (let r = 0; r < n; r++) order[at[this.keyOf[r]]++] = r;
    const columns = this.orderColumns();
    const cmp = (a: number, b: number): number => offerRowOrder(columns, a, b);
    for (let k = 0; k < keys; k++)
      if (starts[k + 1] - starts[k] > 1) order.subarray(starts[k], starts[k + 1]).sort(cmp);
    this.keyOf = new Uint32Array(0);
    this.permute(order);
    this.starts = starts;
    // Only the load looks texts up by their bytes.
    this.textIds = new KeyTable(16);
  }

  /** The offers of the keys, keyed by lookupKey (every key asked has an entry), as lookupOffers gives them. */
  lookup(keys: readonly LookupKey[]): Map<string, Offer[]> {
    const rows = this.lookupRows(keys);
    const out = new Map<string, Offer[]>();
    for (let i = 0; i < keys.length; i++) {
      const id = lookupKey(keys[i].brand, keys[i].article);
      if (!out.has(id)) out.set(id, rows.offersOf(i));
    }
    return out;
  }

  /**
   * The keys' offers as columns (OfferSource.lookupRows): keys[i]'s rows are copied out of the
   * snapshot's, in their order, as rows from[i] ≤ r < to[i] of the answer. Copied, not referenced:
   * a batch reads its offers from a few compact arrays instead of all over the snapshot.
   */
  lookupRows(keys: readonly LookupKey[]): OfferRows {
    const n = keys.length;
    const from = new Uint32Array(n);
    const to = new Uint32Array(n);
    const at = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const key = this.keyId(keys[i].brand, keys[i].article);
      at[i] = key;
      from[i] = total;
      if (key >= 0) total += this.starts[key + 1] - this.starts[key];
      to[i] = total;
    }
    const supplier = new Int32Array(total);
    const name = new Int32Array(total);
    const currency = new Int32Array(total);
    const price = new Float64Array(total);
    const quantity = new Float64Array(total);
    const days = new Float64Array(total);
    const mayHaveUnits = (this.minQty !== null && this.pack !== null) || this.units !== null;
    const minQty = mayHaveUnits ? new Float64Array(total) : null;
    const pack = mayHaveUnits ? new Float64Array(total) : null;
    let units = false;
    let w = 0;
    for (let i = 0; i < n; i++) {
      const key = at[i];
      if (key < 0) continue;
      for (let r = this.starts[key]; r < this.starts[key + 1]; r++) {
        supplier[w] = this.supplier[r];
        name[w] = this.name[r];
        currency[w] = this.currency[r];
        price[w] = this.price[r];
        quantity[w] = this.quantity[r];
        days[w] = this.days[r];
        if (minQty !== null && pack !== null) {
          const m = this.minQtyOf(r);
          const p = this.packOf(r);
          minQty[w] = m;
          pack[w] = p;
          if (m !== 1 || p !== 1) units = true;
        }
        w++;
      }
    }
    return new OfferRows(
      this.texts,
      supplier,
      name,
      currency,
      price,
      quantity,
      days,
      units ? minQty : null,
      units ? pack : null,
      from,
      to,
    );
  }

  /** The key's index in the snapshot, -1 for a key the list has no offers for. */
  private keyId(brand: string, article: string): number {
    const b = Buffer.byteLength(brand, 'utf8');
    const a = Buffer.byteLength(article, 'utf8');
    const size = b + a + varintSize(b) + varintSize(a);
    if (size > this.scratch.length) this.scratch = Buffer.allocUnsafe(size * 2);
    const buf = this.scratch;
    let off = writeVarint(buf, 0, b);
    off += buf.write(brand, off, 'utf8');
    off = writeVarint(buf, off, a);
    off += buf.write(article, off, 'utf8');
    return this.keys.idOf(buf, 0, off, false);
  }

  /**
   * Moves the rows so that row i holds what row order[i] held, in place: each cycle of the
   * permutation is walked once, a row at a time through one saved row (the columns are the
   * snapshot's biggest arrays; a sorted copy of each would double them for a moment).
   */
  private permute(order: Uint32Array): void {
    const n = this.rows;
    if (this.units !== null) {
      const moved = new Map<number, readonly [number, number]>();
      for (let i = 0; i < n; i++) {
        const u = this.units.get(order[i]);
        if (u !== undefined) moved.set(i, u);
      }
      this.units = moved;
    }
    const { price, quantity, days, supplier, currency, name, minQty, pack } = this;
    const placed = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (placed[i] === 1) continue;
      placed[i] = 1;
      if (order[i] === i) continue;
      const p = price[i];
      const q = quantity[i];
      const d = days[i];
      const s = supplier[i];
      const c = currency[i];
      const m = name[i];
      const mq = minQty === null ? 0 : minQty[i];
      const pk = pack === null ? 0 : pack[i];
      let j = i;
      for (let k = order[j]; k !== i; k = order[j]) {
        price[j] = price[k];
        quantity[j] = quantity[k];
        days[j] = days[k];
        supplier[j] = supplier[k];
        currency[j] = currency[k];
        name[j] = name[k];
        if (minQty !== null && pack !== null) {
          minQty[j] = minQty[k];
          pack[j] = pack[k];
        }
        placed[k] = 1;
        j = k;
      }
      price[j] = p;
      quantity[j] = q;
      days[j] = d;
      supplier[j] = s;
      currency[j] = c;
      name[j] = m;
      if (minQty !== null && pack !== null) {
        minQty[j] = mq;
        pack[j] = pk;
      }
    }
  }

  private readonly minQtyOf = (r: number): number =>
    this.minQty ? this.minQty[r] : (this.units?.get(r)?.[0] ?? 1);

  private readonly packOf = (r: number): number =>
    this.pack ? this.pack[r] : (this.units?.get(r)?.[1] ?? 1);

  /** A row whose minimum order or pack is not 1. */
  private addUnits(r: number, minQty: number, pack: number): void {
    const units = (this.units ??= new Map());
    units.set(r, [minQty, pack]);
    if (units.size * DENSE_UNITS <= this.price.length) return;
    this.minQty = new Uint32Array(this.price.length).fill(1);
    this.pack = new Uint32Array(this.price.length).fill(1);
    for (const [row, [m, p]] of units) {
      this.minQty[row] = m;
      this.pack[row] = p;
    }
    this.units = null;
  }

  /** The 65,537th text: the id columns become 32-bit. */
  private widenTextIds(): void {
    this.supplier = Uint32Array.from(this.supplier);
    this.currency = Uint32Array.from(this.currency);
    this.name = Uint32Array.from(this.name);
  }

  /** These columns as offerRowOrder reads them (the arrays as they are now: take it after growing). */
  private orderColumns(): OfferRowColumns {
    const { supplier, price, days, quantity, name, currency, texts } = this;
    return {
      supplierOf: (r) => texts[supplier[r]],
      nameOf: (r) => texts[name[r]],
      currencyOf: (r) => texts[currency[r]],
      price,
      days,
      quantity,
      minQtyOf: this.minQtyOf,
      packOf: this.packOf,
    };
  }

  private grow(size: number): void {
    const copy = <T extends Uint32Array | Float64Array | Uint16Array>(from: T, to: T): T => {
      to.set(from.subarray(0, this.rows));
      return to;
    };
    const ids = (from: TextIds): TextIds =>
      from instanceof Uint16Array ? copy(from, new Uint16Array(size)) : copy(from, new Uint32Array(size));
    this.keyOf = copy(this.keyOf, new Uint32Array(size));
    this.price = copy(this.price, new Float64Array(size));
    this.quantity = copy(this.quantity, new Uint32Array(size));
    this.days = copy(this.days, new Uint16Array(size));
    this.supplier = ids(this.supplier);
    this.currency = ids(this.currency);
    this.name = ids(this.name);
    if (this.minQty && this.pack) {
      this.minQty = copy(this.minQty, new Uint32Array(size).fill(1));
      this.pack = copy(this.pack, new Uint32Array(size).fill(1));
    }
  }
}

/**
 * Byte strings → dense ids 0, 1, 2, …: open addressing over one growing buffer. A slot holds the
 * id and the hash side by side, an entry its start and length side by side: a look-up of a key
 * among ~600k touches three places in memory, not five.
 */
class KeyTable {
  size = 0;
  /** Per slot: id + 1 (0: free), then the hash. */
  private slots: Int32Array;
  /** Per id: where its bytes start in the arena, then how many. */
  private entries: Int32Array<ArrayBuffer>;
  private arena: Buffer;
  private used = 0;

  /** `keys` (a power of two): how many it is sized for at first (it grows). */
  constructor(keys = 1 << 16) {
    this.slots = new Int32Array(4 * keys);
    this.entries = new Int32Array(2 * keys);
    this.arena = Buffer.allocUnsafe(Math.max(256, 16 * keys));
  }

  clear(): void {
    this.size = 0;
    this.used = 0;
    this.slots.fill(0);
  }

  /** The id of buf[start..end), added when `add` (else -1 when unknown). */
  idOf(buf: Buffer, start: number, end: number, add: boolean): number {
    const len = end - start;
    let h = 0x811c9dc5 ^ len;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    h = mix(h);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = h & mask;
    for (; ; slot = (slot + 1) & mask) {
      const e = slots[2 * slot] - 1;
      if (e < 0) break;
      if (slots[2 * slot + 1] !== h || this.entries[2 * e + 1] !== len) continue;
      const at = this.entries[2 * e];
      const arena = this.arena;
      let same = true;
      for (let i = 0; i < len; i++)
        if (arena[at + i] !== buf[start + i]) {
          same = false;
          break;
        }
      if (same) return e;
    }
    if (!add) return -1;
    const id = this.size++;
    if (2 * id === this.entries.length) this.entries = grown(this.entries);
    if (this.used + len > this.arena.length) {
      const arena = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.used + len));
      this.arena.copy(arena, 0, 0, this.used);
      this.arena = arena;
    }
    buf.copy(this.arena, this.used, start, end);
    this.entries[2 * id] = this.used;
    this.entries[2 * id + 1] = len;
    this.used += len;
    slots[2 * slot] = id + 1;
    slots[2 * slot + 1] = h;
    // At most three quarters full (slots holds two numbers a slot).
    if (this.size * 8 > slots.length * 3) this.rehash(slots.length * 2);
    return id;
  }

  private rehash(size: number): void {
    const old = this.slots;
    const slots = new Int32Array(size);
    const mask = (size >> 1) - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s] === 0) continue;
      let slot = old[s + 1] & mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[s];
      slots[2 * slot + 1] = old[s + 1];
    }
    this.slots = slots;
  }
}

/** murmur3's finalizer: every input bit moves the low bits the table indexes by. */
export function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function grown(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(16, a.length * 2));
  b.set(a);
  return b;
}
