// Scanning primitives over inflated XML bytes, and the carry that joins chunks. Markup is ASCII, so
// the scanners read bytes and decode only the values they keep: decoding a whole sheet to JS strings
// cost more than scanning it. Every primitive returns -1 when the bytes end before the construct does,
// and decides only from what it has seen, so a construct cut by a chunk boundary is simply retried.
import { decodeText, doctypeError } from './read-xml-text.ts';
import { damaged } from './zip-reader.ts';

const LT = 60;
const GT = 62;
const SLASH = 47;
const QUOTE = 34;
const APOS = 39;
const BANG = 33;
const QMARK = 63;
const COLON = 58;

export function isNameEnd(ch: number): boolean {
  return ch === 32 || ch === 62 || ch === 47 || ch === 9 || ch === 10 || ch === 13;
}

/** Index of `byte` at or after `from`, or -1. A loop: the distances are short, a native call costs more. */
export function indexOfByte(buf: Buffer, byte: number, from: number): number {
  const len = buf.length;
  for (let i = from; i < len; i++) if (buf[i] === byte) return i;
  return -1;
}

/** Whether the ASCII text `s` is at `at`. */
export function bytesAt(buf: Buffer, at: number, s: string): boolean {
  if (at + s.length > buf.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** End (exclusive) of the tag name starting at `from`, or -1 if the bytes end first. */
export function nameEnd(buf: Buffer, from: number): number {
  const len = buf.length;
  let p = from;
  while (p < len && !isNameEnd(buf[p])) p++;
  return p < len ? p : -1;
}

/** Start of the local part of the name in [from, end) (after any "prefix:"). */
export function localStart(buf: Buffer, from: number, end: number): number {
  for (let p = end - 1; p >= from; p--) if (buf[p] === COLON) return p + 1;
  return from;
}

export function isLocal(buf: Buffer, from: number, end: number, name: string): boolean {
  if (end - from !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (buf[from + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** Local name of the end tag whose '</' is at `lt` and '>' at `gt`: [start, end). */
export function endTagLocal(buf: Buffer, lt: number, gt: number, out: Range): void {
  let e = gt;
  while (e > lt + 2 && isNameEnd(buf[e - 1])) e--;
  out.start = localStart(buf, lt + 2, e);
  out.end = e;
}

/**
 * Index of the '>' closing the start tag whose attributes begin at `from` ('>' may occur inside
 * quoted values), or -1.
 */
export function tagEnd(buf: Buffer, from: number): number {
  const len = buf.length;
  for (let p = from; p < len; p++) {
    const ch = buf[p];
    if (ch === GT) return p;
    if (ch === QUOTE || ch === APOS) {
      p = indexOfByte(buf, ch, p + 1);
      if (p < 0) return -1;
    }
  }
  return -1;
}

function indexOfText(buf: Buffer, s: string, from: number): number {
  return from >= buf.length ? -1 : buf.indexOf(s, from, 'latin1');
}

/**
 * Skips markup starting with '<!' or '<?' at `lt`; returns the index after it or -1.
 * DOCTYPE and ENTITY declarations are refused outright (billion-laughs and external entities).
 */
export function skipSpecial(buf: Buffer, lt: number): number {
  if (buf[lt + 1] === QMARK) {
    const e = indexOfText(buf, '?>', lt + 2);
    return e < 0 ? -1 : e + 2;
  }
  if (buf.length < lt + 9) return -1;
  if (bytesAt(buf, lt, '<!--')) {
    const e = indexOfText(buf, '-->', lt + 4);
    return e < 0 ? -1 : e + 3;
  }
  if (bytesAt(buf, lt, '<![CDATA[')) {
    const e = indexOfText(buf, ']]>', lt + 9);
    return e < 0 ? -1 : e + 3;
  }
  throw doctypeError();
}

/**
 * Index of the next start or end tag at or after `p`, passing over comments, CDATA and processing
 * instructions; -1 when the bytes end first.
 */
export function nextTag(buf: Buffer, p: number): number {
  for (;;) {
    const lt = indexOfByte(buf, LT, p);
    if (lt < 0 || lt + 1 >= buf.length) return -1;
    const c = buf[lt + 1];
    if (c !== BANG && c !== QMARK) return lt;
    p = skipSpecial(buf, lt);
    if (p < 0) return -1;
  }
}

/**
 * Skips the element whose start tag begins at `lt` (with its content); returns the index after it.
 * Used for children we do not read (f, extLst, rPh); well-formedness is assumed.
 */
export function skipElement(buf: Buffer, lt: number): number {
  let depth = 0;
  let p = lt;
  for (;;) {
    const open = nextTag(buf, p);
    if (open < 0) return -1;
    const c = buf[open + 1];
    const gt = c === SLASH ? indexOfByte(buf, GT, open + 2) : tagEnd(buf, open + 1);
    if (gt < 0) return -1;
    if (c === SLASH) depth--;
    else if (buf[gt - 1] !== SLASH) depth++;
    p = gt + 1;
    if (depth <= 0) return p;
  }
}

export interface Range {
  start: number;
  end: number;
}

/** What readTextChild and readRichText read; each reader keeps one, so no cell allocates it. */
export interface TextOut extends Range {
  /** readRichText: the text, entities not yet decoded. */
  text: string;
}

/**
 * Reads a child holding only text (t, v) whose name ends at `ne`: sets `out.start` and `out.end` (the
 * text's bytes; start -1 when it is self-closing) and returns the index after its end tag, or -1.
 */
export function readTextChild(buf: Buffer, ne: number, out: Range): number {
  const gt = buf[ne] === GT ? ne : tagEnd(buf, ne);
  if (gt < 0) return -1;
  if (buf[gt - 1] === SLASH) {
    out.start = -1;
    return gt + 1;
  }
  const end = indexOfByte(buf, LT, gt + 1);
  if (end < 0) return -1;
  const close = indexOfByte(buf, GT, end);
  if (close < 0) return -1;
  out.start = gt + 1;
  out.end = end;
  return close + 1;
}

/**
 * Reads rich text (si or is content) starting right after the container's start tag: concatenates
 * every t, ignoring phonetic runs (rPh). Sets `out.text` and returns the index after the end tag.
 */
export function readRichText(buf: Buffer, from: number, out: TextOut): number {
  let text = '';
  let p = from;
  for (;;) {
    const lt = nextTag(buf, p);
    if (lt < 0) return -1;
    if (buf[lt + 1] === SLASH) {
      const gt = indexOfByte(buf, GT, lt + 2);
      if (gt < 0) return -1;
      endTagLocal(buf, lt, gt, out);
      p = gt + 1;
      if (isLocal(buf, out.start, out.end, 'si') || isLocal(buf, out.start, out.end, 'is')) {
        out.text = text;
        return p;
      }
      continue;
    }
    const ne = nameEnd(buf, lt + 1);
    if (ne < 0) return -1;
    const ls = localStart(buf, lt + 1, ne);
    if (isLocal(buf, ls, ne, 't')) {
      p = readTextChild(buf, ne, out);
      if (p < 0) return -1;
      if (out.start >= 0) {
        const part = buf.toString('utf8', out.start, out.end);
        text = text === '' ? part : text + part;
      }
    } else if (isLocal(buf, ls, ne, 'rPh')) {
      p = skipElement(buf, lt);
      if (p < 0) return -1;
    } else {
      const gt = tagEnd(buf, ne);
      if (gt < 0) return -1;
      p = gt + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Chunk joining

/** A scanner of complete constructs, fed by ByteCarry. */
export interface ByteScanner {
  /** Set once the rest of the input is not needed. */
  readonly done: boolean;
  /**
   * Consumes the complete constructs of `buf` from `from` on, stopping before the first one that
   * starts at or after `stopAt`. Returns where it stopped: `stopAt` or later when it got there (or
   * `buf.length` when the bytes ran out between constructs), else the start of a construct that the
   * bytes end inside of (nothing of which was consumed).
   */
  scan(buf: Buffer, from: number, stopAt: number): number;
}

// The carried bytes are first joined with this much of the next chunk only, so that a construct cut
// by the boundary costs a short copy, not a copy of the whole chunk.
const JOIN_WINDOW = 4096;
// A construct still open past this many bytes is rescanned only once what is carried has doubled:
// a huge cell read chunk by chunk would otherwise be rescanned from its start at every chunk.
const RESCAN_FREE = 1024 * 1024;

/**
 * Feeds inflated chunks to a ByteScanner, carrying the bytes of a construct cut by a chunk boundary
 * over to the next chunk.
 */
export class ByteCarry {
  private pending: Buffer = Buffer.alloc(0);
  private pendingLen = 0;
  private retryAt = 0;

  constructor(
    private readonly scanner: ByteScanner,
    /** Bytes one open construct may hold before the file counts as damaged. */
    private readonly maxPending: number,
  ) {}

  push(chunk: Buffer): void {
    const s = this.scanner;
    if (s.done || chunk.length === 0) return;
    if (this.pendingLen === 0) {
      this.keepRest(chunk, s.scan(chunk, 0, chunk.length));
      return;
    }
    if (this.pendingLen + chunk.length < this.retryAt) {
      this.reserve(this.pendingLen + chunk.length);
      chunk.copy(this.pending, this.pendingLen);
      this.pendingLen += chunk.length;
      this.check();
      return;
    }
    // A window at least as long as what is carried keeps the rescans of a long construct linear.
    let window = Math.min(chunk.length, Math.max(JOIN_WINDOW, this.pendingLen));
    for (;;) {
      const carried = this.pendingLen;
      const joinedLen = carried + window;
      this.reserve(joinedLen);
      chunk.copy(this.pending, carried, 0, window);
      const r = s.scan(this.pending.subarray(0, joinedLen), 0, carried);
      if (s.done) return this.release();
      if (r >= carried) {
        // What was carried is consumed: the rest is read in place.
        this.pendingLen = 0;
        this.retryAt = 0;
        this.keepRest(chunk, s.scan(chunk, r - carried, chunk.length));
        return;
      }
      // Still inside the construct at r: keep it (and the part of the chunk joined to it).
      this.pending.copyWithin(0, r, joinedLen);
      this.pendingLen = carried - r;
      if (window === chunk.length) {
        this.pendingLen += window;
        this.check();
        this.retryAt = this.pendingLen > RESCAN_FREE ? this.pendingLen * 2 : 0;
        return;
      }
      window = Math.min(chunk.length, window * 8);
    }
  }

  /** The input ended: scans what is still carried (if a rescan was put off), then drops it. */
  finish(): void {
    if (this.pendingLen > 0 && this.retryAt > 0 && !this.scanner.done) {
      this.scanner.scan(this.pending.subarray(0, this.pendingLen), 0, this.pendingLen);
    }
    this.release();
  }

  private release(): void {
    this.pending = Buffer.alloc(0);
    this.pendingLen = 0;
    this.retryAt = 0;
  }

  private keepRest(chunk: Buffer, r: number): void {
    if (this.scanner.done) return this.release();
    const rest = chunk.length - r;
    this.pendingLen = 0;
    this.retryAt = 0;
    if (rest <= 0) return;
    this.reserve(rest);
    chunk.copy(this.pending, 0, r);
    this.pendingLen = rest;
    this.check();
  }

  private reserve(bytes: number): void {
    if (this.pending.length >= bytes) return;
    // Doubling, but never past the limit (what is carried is at most the limit plus one chunk).
    const next = Buffer.allocUnsafe(Math.max(bytes, Math.min(this.pending.length * 2, this.maxPending)));
    this.pending.copy(next, 0, 0, this.pendingLen);
    this.pending = next;
  }

  private check(): void {
    if (this.pendingLen > this.maxPending) throw damaged();
  }
}

// ---------------------------------------------------------------------------------------------
// Repeated short texts

const CACHE_SLOTS = 4096;
const CACHE_WIDTH = 32;

/**
 * Cell texts by their bytes: a brand, a currency or a status word repeats down a column, and finding
 * it here costs a hash and a compare of up to 32 bytes, where decoding it costs a call into Node
 * (about 4x more). A slot holds the last text that hashed to it; longer texts are decoded every time.
 */
export class TextCache {
  private readonly keys = new Uint8Array(CACHE_SLOTS * CACHE_WIDTH);
  private readonly lengths = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly texts: string[] = new Array<string>(CACHE_SLOTS).fill('');

  /** decodeText() of the UTF-8 in buf[from, to). */
  text(buf: Buffer, from: number, to: number): string {
    const n = to - from;
    if (n > CACHE_WIDTH) return decodeText(buf.toString('utf8', from, to));
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i], 16777619);
    const slot = (h >>> 0) & (CACHE_SLOTS - 1);
    const at = slot * CACHE_WIDTH;
    const keys = this.keys;
    if (this.lengths[slot] === n) {
      let i = 0;
      while (i < n && keys[at + i] === buf[from + i]) i++;
      if (i === n) return this.texts[slot];
    }
    const text = decodeText(buf.toString('utf8', from, to));
    for (let i = 0; i < n; i++) keys[at + i] = buf[from + i];
    this.lengths[slot] = n;
    this.texts[slot] = text;
    return text;
  }
}
