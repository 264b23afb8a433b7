/**
 * Supplier names, currencies and offer names repeat across thousands of offers; keeping one copy of
 * each keeps a job's offer cache several times smaller. Bounded: it starts over when full.
 *
 * fromBytes() pools UTF-8 straight out of an answer buffer: the bytes are hashed and compared where
 * they lie, so a value seen before costs no decoding and leaves no garbage (a ClickHouse answer
 * repeats its suppliers, currencies and names on every row).
 */
// The byte side keeps its values' bytes in one buffer, grown up to this size before it starts over.
const MAX_ARENA = 16 << 20;

export class StringPool {
  private readonly pool = new Map<string, string>();
  // The byte side: an open-addressing table of entries (hash, where the bytes are kept, the string).
  private slots = new Int32Array(0);
  private hashes = new Int32Array(0);
  private starts = new Int32Array(0);
  private lengths = new Int32Array(0);
  private values: string[] = [];
  private arena = Buffer.alloc(0);
  private used = 0;
  private entries = 0;

  constructor(private readonly limit = 200_000) {}

  get(s: string): string {
    const known = this.pool.get(s);
    if (known !== undefined) return known;
    if (this.pool.size >= this.limit) this.pool.clear();
    this.pool.set(s, s);
    return s;
  }

  /** The string of the UTF-8 bytes buf[start..end), one copy per distinct value. */
  fromBytes(buf: Buffer, start: number, end: number): string {
    const len = end - start;
    // FNV-1a over the bytes, or for a long value over its length and 16 of its bytes (first,
    // middle, last): a collision only costs a comparison.
    let h = 0x811c9dc5 ^ len;
    if (len <= 16) for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    else {
      const mid = start + (len >> 1) - 2;
      for (let i = start; i < start + 4; i++) h = Math.imul(h ^ buf[i], 0x01000193);
      for (let i = mid; i < mid + 4; i++) h = Math.imul(h ^ buf[i], 0x01000193);
      for (let i = end - 8; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    }
    // murmur3's finalizer, so that every byte hashed moves the low bits the table indexes by.
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    if (this.slots.length === 0) this.startOver(len);
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.slots[slot] - 1;
      if (e < 0) break;
      if (this.hashes[e] === h && this.lengths[e] === len && this.sameBytes(e, buf, start, len)) {
        return this.values[e];
      }
    }
    const s = buf.toString('utf8', start, end);
    if (this.used + len > this.arena.length && this.arena.length < MAX_ARENA) this.grow(len);
    if (this.entries >= this.limit || this.used + len > this.arena.length) this.startOver(len);
    else if (this.entries === this.hashes.length) this.growEntries();
    this.add(h, buf, start, len, s);
    return s;
  }

  private sameBytes(e: number, buf: Buffer, start: number, len: number): boolean {
    const arena = this.arena;
    const at = this.starts[e];
    if (len > 256) return arena.compare(buf, start, start + len, at, at + len) === 0;
    for (let i = 0; i < len; i++) if (arena[at + i] !== buf[start + i]) return false;
    return true;
  }

  private add(h: number, buf: Buffer, start: number, len: number, s: string): void {
    const e = this.entries++;
    this.hashes[e] = h;
    this.starts[e] = this.used;
    this.lengths[e] = len;
    this.values[e] = s;
    buf.copy(this.arena, this.used, start, start + len);
    this.used += len;
    const mask = this.slots.length - 1;
    let slot = h & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = e + 1;
  }

  private grow(len: number): void {
    const arena = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.used + len));
    this.arena.copy(arena, 0, 0, this.used);
    this.arena = arena;
  }

  /**
   * Empties the byte side, sized for a few entries (it grows up to `limit`, at most half full) and
   * at least `len` bytes: a source whose answers repeat a few hundred names keeps a small table.
   */
  private startOver(len: number): void {
    const entries = Math.min(FIRST_ENTRIES, this.limit);
    this.slots = new Int32Array(slotsFor(entries));
    this.hashes = new Int32Array(entries);
    this.starts = new Int32Array(entries);
    this.lengths = new Int32Array(entries);
    this.values = [];
    this.arena = Buffer.allocUnsafe(Math.max(FIRST_ARENA, len));
    this.used = 0;
    this.entries = 0;
  }

  /** Room for twice the entries (up to `limit`): the slots are filled again from the hashes. */
  private growEntries(): void {
    const entries = Math.min(this.hashes.length * 2, this.limit);
    const widen = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(entries);
      b.set(a);
      return b;
    };
    this.hashes = widen(this.hashes);
    this.starts = widen(this.starts);
    this.lengths = widen(this.lengths);
    const slots = new Int32Array(slotsFor(entries));
    const mask = slots.length - 1;
    for (let e = 0; e < this.entries; e++) {
      let slot = this.hashes[e] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}

const FIRST_ENTRIES = 1024;
const FIRST_ARENA = 64 << 10;

/** Slots for `entries` at most half full: a power of two. */
function slotsFor(entries: number): number {
  let size = 1024;
  while (size < entries * 2) size *= 2;
  return size;
}
