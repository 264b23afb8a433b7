// Streaming .xlsx reader. Sheet XML is inflated and scanned with indexOf over the decoded text by a
// hand-written scanner that only understands the handful of elements a value needs (row, c, v, is, t):
// a general XML parser costs ~10x more per cell and reading is the pipeline's first bottleneck.
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseRows, RowParser } from './row-batches.ts';
import { type CellValue, InputError, type RowBatch, type SheetReader, type WorkbookReader } from './types.ts';
import { damaged, type ZipEntry, type ZipLimits, ZipReader } from './zip-reader.ts';

export interface XlsxOptions {
  /** Shared-string table budget (estimated bytes of string memory) before the file is refused. */
  maxSharedStringBytes?: number;
  zipLimits?: ZipLimits;
}

const DEFAULT_MAX_SHARED_STRING_BYTES = 1024 ** 3;
// workbook.xml, rels and styles.xml are read whole; real ones are kilobytes (styles a few MB at most).
const MAX_METADATA_PART = 128 * 1024 ** 2;
// One element still open at a chunk boundary is carried over; a real cell is at most ~32k characters.
const MAX_PENDING_CHARS = 32 * 1024 ** 2;
// Excel's last column is XFD; anything beyond is corrupt or hostile (rows are padded up to it).
const MAX_COLUMNS = 16384;
const HEAD_LIMIT_CHARS = 1024 * 1024;

const REL_WORKSHEET = /\/worksheet$/;

export function doctypeError(): InputError {
  return new InputError('XML_DOCTYPE', {});
}

function notWorkbookError(name: string): InputError {
  return new InputError('NOT_XLSX', { name });
}

function checkNoDoctype(xml: string): void {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) throw doctypeError();
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Expands the five predefined XML entities and numeric references; anything else is left as is. */
const X_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Cell text: XML entities, then OOXML's `_xHHHH_` escapes (how Excel stores characters XML cannot
 * carry, and `_x005F_` for a literal underscore before such a sequence).
 */
export function decodeText(s: string): string {
  const text = decodeEntities(s);
  if (!text.includes('_x')) return text;
  return text.replace(X_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    out += s.slice(from, amp);
    // Only a short run may be a reference; searching further would make "&&&&..." quadratic.
    const near = s.slice(amp + 1, amp + 12).indexOf(';');
    const semi = near < 0 ? -1 : amp + 1 + near;
    let rep: string | null = null;
    if (semi > amp + 1) {
      const name = s.slice(amp + 1, semi);
      switch (name) {
        case 'amp':
          rep = '&';
          break;
        case 'lt':
          rep = '<';
          break;
        case 'gt':
          rep = '>';
          break;
        case 'quot':
          rep = '"';
          break;
        case 'apos':
          rep = "'";
          break;
        default:
          if (name.charCodeAt(0) === 35 /* # */) {
            const hex = name.charCodeAt(1) === 120 || name.charCodeAt(1) === 88;
            const digits = hex ? name.slice(2) : name.slice(1);
            const ok = hex ? /^[0-9a-fA-F]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
            const cp = ok ? parseInt(digits, hex ? 16 : 10) : -1;
            if (cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) rep = String.fromCodePoint(cp);
          }
      }
    }
    if (rep === null) {
      out += '&';
      from = amp + 1;
    } else {
      out += rep;
      from = semi + 1;
    }
    amp = s.indexOf('&', from);
  }
  return out + s.slice(from);
}

/**
 * A copy of `s` that does not keep the decoded chunk it was sliced from alive. V8 represents slices
 * of 13+ characters as views into the parent string; a shared-string table built from views would
 * pin every chunk of sharedStrings.xml, including the parts we skipped.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

// ---------------------------------------------------------------------------------------------
// Small XML parts (workbook, rels, styles) are read whole and walked tag by tag.

interface Tag {
  local: string;
  close: boolean;
  selfClosing: boolean;
  attrs: Map<string, string>;
}

function* tags(xml: string): Generator<Tag> {
  checkNoDoctype(xml);
  let p = 0;
  for (;;) {
    const lt = xml.indexOf('<', p);
    if (lt < 0) return;
    const c = xml.charCodeAt(lt + 1);
    if (c === 33 || c === 63) {
      p = skipSpecial(xml, lt);
      if (p < 0) return;
      continue;
    }
    const close = c === 47;
    const ns = close ? lt + 2 : lt + 1;
    const ne = nameEnd(xml, ns);
    if (ne < 0) return;
    const gt = tagEnd(xml, ne);
    if (gt < 0) return;
    const selfClosing = !close && xml.charCodeAt(gt - 1) === 47;
    yield {
      local: xml.slice(localStart(xml, ns, ne), ne),
      close,
      selfClosing,
      attrs: parseAttrs(xml, ne, selfClosing ? gt - 1 : gt),
    };
    p = gt + 1;
  }
}

function parseAttrs(xml: string, from: number, to: number): Map<string, string> {
  const attrs = new Map<string, string>();
  let p = from;
  for (;;) {
    const eq = xml.indexOf('=', p);
    if (eq < 0 || eq >= to) return attrs;
    const name = xml.slice(p, eq).trim();
    let q = eq + 1;
    while (q < to && xml.charCodeAt(q) <= 32) q++;
    const quote = xml[q];
    if (quote !== '"' && quote !== "'") return attrs;
    const end = xml.indexOf(quote, q + 1);
    if (end < 0 || end >= to) return attrs;
    attrs.set(name, decodeEntities(xml.slice(q + 1, end)));
    p = end + 1;
  }
}

/** An attribute by exact name, else by local name with any prefix (r:id may be written as d2p1:id). */
function attr(t: Tag, name: string): string | undefined {
  const exact = t.attrs.get(name);
  if (exact !== undefined) return exact;
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const suffix = name.slice(colon);
  for (const [k, v] of t.attrs) if (k.endsWith(suffix)) return v;
  return undefined;
}

function resolvePart(baseDir: string, target: string): string {
  const raw = target.replace(/\\/g, '/');
  const parts = (raw.startsWith('/') ? raw : baseDir + raw).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

function dirOf(part: string): string {
  const i = part.lastIndexOf('/');
  return i < 0 ? '' : part.slice(0, i + 1);
}

interface Rel {
  type: string;
  target: string;
}

async function readRels(zip: ZipReader, part: string): Promise<Map<string, Rel>> {
  const rels = new Map<string, Rel>();
  const relsPath = `${dirOf(part)}_rels/${part.slice(dirOf(part).length)}.rels`;
  const entry = zip.find(relsPath);
  if (!entry) return rels;
  for (const t of tags(await zip.readText(entry, MAX_METADATA_PART))) {
    if (t.close || t.local !== 'Relationship') continue;
    const id = t.attrs.get('Id');
    const target = t.attrs.get('Target');
    if (!id || target === undefined || t.attrs.get('TargetMode') === 'External') continue;
    rels.set(id, { type: t.attrs.get('Type') ?? '', target: resolvePart(dirOf(part), target) });
  }
  return rels;
}

// ---------------------------------------------------------------------------------------------
// Dates

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);
// Ids 27-36 and 50-58 are East Asian locale date formats that Excel only names implicitly.
for (let i = 27; i <= 36; i++) BUILTIN_DATE_FORMATS.add(i);
for (let i = 50; i <= 58; i++) BUILTIN_DATE_FORMATS.add(i);

export function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '');
  return /[dmyhs]/i.test(bare);
}

function parseDateStyles(xml: string | null): Uint8Array {
  if (xml === null) return new Uint8Array(0);
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  let inNumFmts = false;
  for (const t of tags(xml)) {
    if (t.local === 'numFmts') {
      inNumFmts = !t.close && !t.selfClosing;
    } else if (inNumFmts && t.local === 'numFmt' && !t.close) {
      const id = Number(t.attrs.get('numFmtId'));
      custom.set(id, t.attrs.get('formatCode') ?? '');
    } else if (t.local === 'cellXfs') {
      inCellXfs = !t.close && !t.selfClosing;
    } else if (inCellXfs && t.local === 'xf' && !t.close) {
      xfFormats.push(Number(t.attrs.get('numFmtId') ?? 0));
    }
  }
  const out = new Uint8Array(xfFormats.length);
  xfFormats.forEach((id, i) => {
    const code = custom.get(id);
    out[i] = (code !== undefined ? isDateFormatCode(code) : BUILTIN_DATE_FORMATS.has(id)) ? 1 : 0;
  });
  return out;
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** Excel serial day number to a UTC Date; out-of-range serials stay numbers. */
export function excelSerialToDate(serial: number, date1904: boolean): Date | number {
  if (!(serial > -700_000 && serial < 2_958_466)) return serial;
  let epoch = date1904 ? EPOCH_1904 : EPOCH_1900;
  // Excel counts the non-existent 1900-02-29 (serial 60), so serials before it are one day early.
  if (!date1904 && serial >= 1 && serial < 60) epoch += DAY_MS;
  return new Date(epoch + Math.round(serial * DAY_MS));
}

function isoToDate(s: string): Date | string {
  // Without a zone JS would read date-times as local time; cell dates are zone-less wall clock.
  const iso = /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s) ? s + 'Z' : s;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? s : d;
}

// ---------------------------------------------------------------------------------------------
// Shared scanning primitives over decoded text. All return -1 when the text ends before the
// construct does, so the caller can keep the tail and retry with the next chunk.

function isNameEnd(ch: number): boolean {
  return ch === 32 || ch === 62 || ch === 47 || ch === 9 || ch === 10 || ch === 13;
}

/** End (exclusive) of the tag name starting at `from`, or -1 if the text ends first. */
function nameEnd(buf: string, from: number): number {
  const len = buf.length;
  let p = from;
  while (p < len && !isNameEnd(buf.charCodeAt(p))) p++;
  return p < len ? p : -1;
}

/** Start of the local part of the name in [from, end) (after any "prefix:"). */
function localStart(buf: string, from: number, end: number): number {
  for (let p = end - 1; p >= from; p--) if (buf.charCodeAt(p) === 58 /* : */) return p + 1;
  return from;
}

function isLocal(buf: string, from: number, end: number, name: string): boolean {
  return end - from === name.length && buf.startsWith(name, from);
}

/**
 * Index of the '>' closing the start tag whose attributes begin at `from` ('>' may occur inside
 * quoted values). Walks the few characters of the tag; indexOf for a quote could run far ahead.
 */
function tagEnd(buf: string, from: number): number {
  const len = buf.length;
  for (let p = from; p < len; p++) {
    const ch = buf.charCodeAt(p);
    if (ch === 62) return p;
    if (ch === 34 || ch === 39) {
      p = buf.indexOf(ch === 34 ? '"' : "'", p + 1);
      if (p < 0) return -1;
    }
  }
  return -1;
}

/**
 * Skips markup starting with '<!' or '<?' at `lt`; returns the index after it or -1.
 * DOCTYPE and ENTITY declarations are refused outright (billion-laughs and external entities).
 */
function skipSpecial(buf: string, lt: number): number {
  if (buf.charCodeAt(lt + 1) === 63 /* ? */) {
    const e = buf.indexOf('?>', lt + 2);
    return e < 0 ? -1 : e + 2;
  }
  if (buf.length < lt + 9) return -1;
  if (buf.startsWith('<!--', lt)) {
    const e = buf.indexOf('-->', lt + 4);
    return e < 0 ? -1 : e + 3;
  }
  if (buf.startsWith('<![CDATA[', lt)) {
    const e = buf.indexOf(']]>', lt + 9);
    return e < 0 ? -1 : e + 3;
  }
  throw doctypeError();
}

/**
 * Index of the next start or end tag at or after `p`, passing over comments, CDATA and processing
 * instructions; -1 when the text ends first.
 */
function nextTag(buf: string, p: number): number {
  for (;;) {
    const lt = buf.indexOf('<', p);
    if (lt < 0 || lt + 1 >= buf.length) return -1;
    const c = buf.charCodeAt(lt + 1);
    if (c !== 33 && c !== 63) return lt;
    p = skipSpecial(buf, lt);
    if (p < 0) return -1;
  }
}

/**
 * Skips the element whose start tag begins at `lt` (with its content); returns the index after it.
 * Used for children we do not read (f, extLst, rPh); well-formedness is assumed.
 */
function skipElement(buf: string, lt: number): number {
  let depth = 0;
  let p = lt;
  for (;;) {
    const open = nextTag(buf, p);
    if (open < 0) return -1;
    const c = buf.charCodeAt(open + 1);
    const gt = c === 47 ? buf.indexOf('>', open + 2) : tagEnd(buf, open + 1);
    if (gt < 0) return -1;
    if (c === 47) depth--;
    else if (buf.charCodeAt(gt - 1) !== 47) depth++;
    p = gt + 1;
    if (depth <= 0) return p;
  }
}

/** What readTextChild and readRichText read; each reader keeps one, so no cell allocates it. */
interface TextOut {
  /** readRichText: the text, entities not yet decoded. */
  text: string;
  /** readTextChild: the range of the element's text in the buffer; start -1 when it is self-closing. */
  start: number;
  end: number;
}

/**
 * Reads a child holding only text (t, v) whose name ends at `ne`: sets `out.start` and `out.end` and
 * returns the index after its end tag, or -1 when the text ends first.
 */
function readTextChild(buf: string, ne: number, out: TextOut): number {
  const gt = buf.charCodeAt(ne) === 62 ? ne : tagEnd(buf, ne);
  if (gt < 0) return -1;
  if (buf.charCodeAt(gt - 1) === 47) {
    out.start = -1;
    return gt + 1;
  }
  const end = buf.indexOf('<', gt + 1);
  if (end < 0) return -1;
  const close = buf.indexOf('>', end);
  if (close < 0) return -1;
  out.start = gt + 1;
  out.end = end;
  return close + 1;
}

/**
 * Reads rich text (si or is content) starting right after the container's start tag: concatenates
 * every t, ignoring phonetic runs (rPh). Sets `out.text` and returns the index after the end tag.
 */
function readRichText(buf: string, from: number, out: TextOut): number {
  let text = '';
  let p = from;
  for (;;) {
    const lt = nextTag(buf, p);
    if (lt < 0) return -1;
    const c = buf.charCodeAt(lt + 1);
    if (c === 47) {
      const gt = buf.indexOf('>', lt + 2);
      if (gt < 0) return -1;
      let e = gt;
      while (e > lt + 2 && isNameEnd(buf.charCodeAt(e - 1))) e--;
      const ls = localStart(buf, lt + 2, e);
      p = gt + 1;
      if (isLocal(buf, ls, e, 'si') || isLocal(buf, ls, e, 'is')) {
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
        const part = buf.slice(out.start, out.end);
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

/**
 * Decodes inflated chunks to strings, carrying what the scanner could not finish (an element cut by
 * the chunk boundary, or a partial UTF-8 sequence) over to the next chunk as bytes. Joining strings
 * instead would hand the scanner a cons string, and indexOf/charCodeAt on those run 2-3x slower.
 */
class Utf8Carry {
  private carry: Buffer | null = null;
  private tail: Buffer | null = null;

  /** Text of the carried bytes plus `chunk`, up to the last complete character. */
  text(chunk: Buffer): string {
    const data = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    let cut = data.length;
    // Step back over a trailing incomplete multi-byte sequence (at most 3 bytes).
    for (let i = data.length - 1, n = 1; i >= 0 && n <= 4; i--, n++) {
      const b = data[i];
      if ((b & 0xc0) === 0x80) continue;
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (need > n) cut = i;
      break;
    }
    this.tail = cut < data.length ? data.subarray(cut) : null;
    return data.toString('utf8', 0, cut);
  }

  /** Keeps `text` from `stop` on for the next chunk. */
  keep(text: string, stop: number): void {
    if (text.length - stop > MAX_PENDING_CHARS) throw damaged();
    const rest = stop < text.length ? Buffer.from(text.slice(stop), 'utf8') : null;
    if (rest === null) this.carry = this.tail === null ? null : Buffer.from(this.tail);
    else this.carry = this.tail === null ? rest : Buffer.concat([rest, this.tail]);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared strings

async function loadSharedStrings(
  zip: ZipReader,
  entry: ZipEntry | undefined,
  maxBytes: number,
): Promise<string[]> {
  const table: string[] = [];
  if (!entry) return table;
  const tooMany = (): InputError => new InputError('TOO_MUCH_TEXT', {});
  // Memory held by the table is bounded by the part's size; refuse early when that alone is too much.
  if (entry.uncompressedSize > maxBytes * 2) throw tooMany();
  const stream = await zip.openEntry(entry);
  const carry = new Utf8Carry();
  const rich: TextOut = { text: '', start: -1, end: -1 };
  let used = 0;
  try {
    for await (const chunk of stream) {
      // A DOCTYPE anywhere ends up in skipSpecial(), which refuses it.
      const buf = carry.text(chunk as Buffer);
      let p = 0;
      for (;;) {
        const lt = buf.indexOf('<', p);
        if (lt < 0) {
          p = buf.length;
          break;
        }
        if (lt + 1 >= buf.length) {
          p = lt;
          break;
        }
        const c = buf.charCodeAt(lt + 1);
        if (c === 33 || c === 63) {
          const e = skipSpecial(buf, lt);
          if (e < 0) {
            p = lt;
            break;
          }
          p = e;
          continue;
        }
        const ne = c === 47 ? lt + 1 : nameEnd(buf, lt + 1);
        if (ne < 0) {
          p = lt;
          break;
        }
        if (c !== 47 && isLocal(buf, localStart(buf, lt + 1, ne), ne, 'si')) {
          const gt = tagEnd(buf, ne);
          if (gt < 0) {
            p = lt;
            break;
          }
          let e: number;
          const plainEnd = buf.startsWith('<t>', gt + 1) ? buf.indexOf('<', gt + 4) : -1;
          if (plainEnd > 0 && buf.startsWith('</t></si>', plainEnd)) {
            // The common <si><t>text</t></si>.
            rich.text = buf.slice(gt + 4, plainEnd);
            e = plainEnd + 9;
          } else if (buf.charCodeAt(gt - 1) === 47) {
            rich.text = '';
            e = gt + 1;
          } else {
            e = readRichText(buf, gt + 1, rich);
            if (e < 0) {
              p = lt;
              break;
            }
          }
          const s = detach(decodeText(rich.text));
          used += s.length * 2 + 32;
          if (used > maxBytes) throw tooMany();
          table.push(s);
          p = e;
          continue;
        }
        const gt = c === 47 ? buf.indexOf('>', lt) : tagEnd(buf, ne);
        if (gt < 0) {
          p = lt;
          break;
        }
        p = gt + 1;
      }
      carry.keep(buf, p);
    }
  } finally {
    stream.destroy();
  }
  return table;
}

// ---------------------------------------------------------------------------------------------
// Sheet scanning

const T_NUMBER = 0;
const T_SHARED = 1;
const T_STR = 2;
const T_INLINE = 3;
const T_BOOL = 4;
const T_ERROR = 5;
const T_DATE = 6;

/**
 * Incremental scanner for one worksheet's XML: push() each inflated chunk, take() the non-empty rows
 * completed so far.
 */
export class SheetScanner extends RowParser<Buffer> {
  private readonly carry = new Utf8Carry();
  private inSheetData = false;
  private row: CellValue[] | null = null;
  private rowNum = 0;
  private rowHasValue = false;
  private col = -1;
  private readonly scratch: TextOut = { text: '', start: -1, end: -1 };

  // Attributes of the last start tag read by attrs(); positions into the current buffer.
  private aCol = -1;
  private aRow = -1;
  private aType = T_NUMBER;
  private aStyle = 0;

  constructor(
    private readonly shared: readonly string[],
    private readonly dateStyles: Uint8Array,
    private readonly date1904: boolean,
  ) {
    super();
  }

  /** Scans the next inflated chunk of the part. */
  push(chunk: Buffer): void {
    if (this.done) return;
    const buf = this.carry.text(chunk);
    this.carry.keep(buf, this.scan(buf));
  }

  /** The input ended: a row left open by a truncated part is still delivered. */
  end(): void {
    if (this.row !== null) this.finishRow();
    this.done = true;
  }

  /** Scans complete constructs in `buf`; returns where the unfinished tail starts. */
  private scan(buf: string): number {
    let p = 0;
    for (;;) {
      const lt = buf.indexOf('<', p);
      if (lt < 0) return buf.length;
      if (lt + 1 >= buf.length) return lt;
      const c = buf.charCodeAt(lt + 1);
      if (c === 47 /* / */) {
        const gt = buf.indexOf('>', lt + 2);
        if (gt < 0) return lt;
        let e = gt;
        while (e > lt + 2 && isNameEnd(buf.charCodeAt(e - 1))) e--;
        const ls = localStart(buf, lt + 2, e);
        if (isLocal(buf, ls, e, 'row')) {
          if (this.row !== null) this.finishRow();
        } else if (isLocal(buf, ls, e, 'sheetData')) {
          this.end();
          return buf.length;
        }
        p = gt + 1;
        continue;
      }
      if (c === 99 /* c */ && this.inSheetData && lt + 2 < buf.length && buf.charCodeAt(lt + 2) === 32) {
        const e = this.cell(buf, lt + 2);
        if (e < 0) return lt;
        p = e;
        continue;
      }
      if (c === 33 || c === 63) {
        const e = skipSpecial(buf, lt);
        if (e < 0) return lt;
        p = e;
        continue;
      }
      const ne = nameEnd(buf, lt + 1);
      if (ne < 0) return lt;
      const ls = localStart(buf, lt + 1, ne);
      if (this.inSheetData) {
        if (ne - ls === 1 && buf.charCodeAt(ls) === 99 /* c */) {
          const e = this.cell(buf, ne);
          if (e < 0) return lt;
          p = e;
          continue;
        }
        if (isLocal(buf, ls, ne, 'row')) {
          const gt = this.attrs(buf, ne);
          if (gt < 0) return lt;
          if (this.row !== null) this.finishRow();
          this.rowNum = this.aRow >= 0 ? this.aRow : this.rowNum + 1;
          this.col = -1;
          if (buf.charCodeAt(gt - 1) !== 47) {
            this.row = [];
            this.rowHasValue = false;
          }
          p = gt + 1;
          continue;
        }
      } else if (isLocal(buf, ls, ne, 'sheetData')) {
        const gt = tagEnd(buf, ne);
        if (gt < 0) return lt;
        if (buf.charCodeAt(gt - 1) === 47) {
          this.end();
          return buf.length;
        }
        this.inSheetData = true;
        p = gt + 1;
        continue;
      }
      const gt = tagEnd(buf, ne);
      if (gt < 0) return lt;
      p = gt + 1;
    }
  }

  /**
   * Reads the attributes of a start tag from `from` (just after its name), keeping r (as column and
   * row number), t and s. Returns the index of its '>' or -1 when the tag is cut off.
   */
  private attrs(buf: string, from: number): number {
    this.aCol = -1;
    this.aRow = -1;
    this.aType = T_NUMBER;
    this.aStyle = 0;
    // With a '>' ahead, every read below stays inside the string: reading past its end would
    // deoptimize this hot function (V8 assumes in-bounds charCodeAt until proven wrong).
    let gt = buf.indexOf('>', from);
    if (gt < 0) return -1;
    let p = from;
    for (;;) {
      let ch = buf.charCodeAt(p);
      while (ch === 32 || ch === 9 || ch === 10 || ch === 13) ch = buf.charCodeAt(++p);
      if (ch === 62 /* > */) return p;
      if (ch === 47 /* / */) {
        if (buf.charCodeAt(p + 1) === 62) return p + 1;
        throw damaged();
      }
      let eq: number;
      let name = -1;
      if (buf.charCodeAt(p + 1) === 61 /* = */) {
        eq = p + 1;
        name = ch;
      } else {
        eq = buf.indexOf('=', p);
        if (eq < 0) return -1;
        let ne = eq;
        while (ne > p && buf.charCodeAt(ne - 1) <= 32) ne--;
        if (ne - p === 1) name = ch;
      }
      if (eq > gt) throw damaged();
      let v = eq + 1;
      let quote = buf.charCodeAt(v);
      while (quote === 32 || quote === 9 || quote === 10 || quote === 13) quote = buf.charCodeAt(++v);
      if (quote !== 34 && quote !== 39) throw damaged();
      v++;
      let c = buf.charCodeAt(v);
      if (name === 114 /* r */) {
        // "B12": letters give the column, digits the row; read in one pass up to the quote.
        let col = 0;
        while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
          col = col * 26 + (c & 31);
          c = buf.charCodeAt(++v);
        }
        let row = 0;
        const digitsFrom = v;
        while (c >= 48 && c <= 57) {
          row = row * 10 + c - 48;
          c = buf.charCodeAt(++v);
        }
        this.aCol = col - 1;
        this.aRow = v > digitsFrom ? row : -1;
      } else if (name === 115 /* s */) {
        let style = 0;
        while (c >= 48 && c <= 57) {
          style = style * 10 + c - 48;
          c = buf.charCodeAt(++v);
        }
        this.aStyle = style;
      } else if (name === 116 /* t */ && buf.charCodeAt(v + 1) === quote) {
        this.aType = typeCode(buf, v, v + 1);
        v++;
        c = quote;
      }
      if (c !== quote) {
        const e = buf.indexOf(quote === 34 ? '"' : "'", v);
        if (e < 0) return -1;
        if (name === 116) this.aType = typeCode(buf, v, e);
        v = e;
      }
      p = v + 1;
      if (p > gt) {
        // The '>' found first was inside a quoted value.
        gt = buf.indexOf('>', p);
        if (gt < 0) return -1;
      }
    }
  }

  /** Reads one c element whose name ends at `ne`; returns the index after it or -1. */
  private cell(buf: string, ne: number): number {
    const gt = this.attrs(buf, ne);
    if (gt < 0) return -1;
    const type = this.aType;
    const style = this.aStyle;
    const col = this.aCol >= 0 ? this.aCol : this.col + 1;
    if (buf.charCodeAt(gt - 1) === 47) {
      this.col = col;
      return gt + 1;
    }

    let p = gt + 1;
    // Fast path for the common unprefixed <v>...</v></c>.
    if (buf.startsWith('<v>', p)) {
      const vEnd = buf.indexOf('<', p + 3);
      if (vEnd > 0 && buf.startsWith('</v></c>', vEnd)) {
        this.col = col;
        this.store(col, type, style, buf, p + 3, vEnd, null);
        return vEnd + 8;
      }
    }

    let vStart = -1;
    let vEnd = -1;
    let inline: string | null = null;
    for (;;) {
      const lt = nextTag(buf, p);
      if (lt < 0) return -1;
      if (buf.charCodeAt(lt + 1) === 47) {
        // Children are consumed whole, so the first end tag here closes the cell.
        const e = buf.indexOf('>', lt + 2);
        if (e < 0) return -1;
        p = e + 1;
        break;
      }
      const n = nameEnd(buf, lt + 1);
      if (n < 0) return -1;
      const ls = localStart(buf, lt + 1, n);
      if (n - ls === 1 && buf.charCodeAt(ls) === 118 /* v */) {
        p = readTextChild(buf, n, this.scratch);
        if (p < 0) return -1;
        if (this.scratch.start >= 0) {
          vStart = this.scratch.start;
          vEnd = this.scratch.end;
        }
      } else if (isLocal(buf, ls, n, 'is')) {
        const igt = tagEnd(buf, n);
        if (igt < 0) return -1;
        if (buf.charCodeAt(igt - 1) === 47) {
          p = igt + 1;
          inline = '';
          continue;
        }
        p = readRichText(buf, igt + 1, this.scratch);
        if (p < 0) return -1;
        inline = this.scratch.text;
      } else {
        p = skipElement(buf, lt);
        if (p < 0) return -1;
      }
    }
    this.col = col;
    this.store(col, type, style, buf, vStart, vEnd, inline);
    return p;
  }

  /** Converts the cell's v text (buf[vStart, vEnd)) or inline string and stores it in the row. */
  private store(
    col: number,
    type: number,
    style: number,
    buf: string,
    vStart: number,
    vEnd: number,
    inline: string | null,
  ): void {
    let value: CellValue = null;
    if (inline !== null && (type === T_INLINE || vStart < 0)) {
      value = inline === '' ? null : detach(decodeText(inline));
    } else if (vStart >= 0 && vEnd > vStart) {
      switch (type) {
        case T_SHARED: {
          const s = this.shared[parseNumber(buf, vStart, vEnd)];
          value = s === undefined || s === '' ? null : s;
          break;
        }
        case T_NUMBER: {
          const num = parseNumber(buf, vStart, vEnd);
          if (num !== num) {
            const raw = buf.slice(vStart, vEnd).trim();
            value = raw === '' ? null : raw;
          } else if (style < this.dateStyles.length && this.dateStyles[style] === 1) {
            value = excelSerialToDate(num, this.date1904);
          } else {
            value = num;
          }
          break;
        }
        case T_STR:
        case T_INLINE: // some writers put an inline string's text in v
          value = detach(decodeText(buf.slice(vStart, vEnd)));
          break;
        case T_BOOL: {
          const ch = buf.charCodeAt(vStart);
          value = ch === 49 /* 1 */ || ch === 116; /* t */
          break;
        }
        case T_DATE:
          value = isoToDate(buf.slice(vStart, vEnd).trim());
          break;
        default:
          value = null; // T_ERROR: #N/A, #REF! etc. carry no data
      }
    }
    if (value !== null) this.setCell(col, value);
  }

  private setCell(col: number, value: CellValue): void {
    const row = this.row;
    if (row === null) return;
    if (col >= MAX_COLUMNS) throw damaged();
    if (col === row.length) row.push(value);
    else if (col > row.length) {
      while (row.length < col) row.push(null);
      row.push(value);
    } else row[col] = value;
    this.rowHasValue = true;
  }

  private finishRow(): void {
    if (this.rowHasValue && this.row !== null) {
      this.rows.push(this.row);
      this.rowNumbers.push(this.rowNum);
    }
    this.row = null;
    this.rowHasValue = false;
  }
}

/** Number(buf.slice(from, to)) without the slice for plain integers (most cells). */
function parseNumber(buf: string, from: number, to: number): number {
  if (to - from < 16) {
    let i = from;
    const neg = buf.charCodeAt(i) === 45;
    if (neg) i++;
    let n = 0;
    const digitsFrom = i;
    for (; i < to; i++) {
      const d = buf.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === to && i > digitsFrom) return neg ? -n : n;
  }
  return Number(buf.slice(from, to));
}

function typeCode(buf: string, from: number, to: number): number {
  const len = to - from;
  const c = buf.charCodeAt(from);
  if (len === 1) {
    if (c === 115) return T_SHARED;
    if (c === 110) return T_NUMBER;
    if (c === 98) return T_BOOL;
    if (c === 101) return T_ERROR;
    if (c === 100) return T_DATE;
  } else if (len === 3 && c === 115) return T_STR;
  else if (len === 9 && c === 105) return T_INLINE;
  return T_NUMBER;
}

// ---------------------------------------------------------------------------------------------
// Sheet head: the dimension element (row estimate) sits before sheetData.

async function readSheetHead(zip: ZipReader, entry: ZipEntry): Promise<number | null> {
  const stream = await zip.openEntry(entry, { readChunkSize: 16 * 1024, inflateChunkSize: 16 * 1024 });
  const decoder = new StringDecoder('utf8');
  let head = '';
  try {
    for await (const chunk of stream) {
      head += decoder.write(chunk as Buffer);
      const sd = head.search(/<([\w.-]+:)?sheetData[\s/>]/);
      if (sd >= 0 || head.length > HEAD_LIMIT_CHARS) {
        if (sd >= 0) head = head.slice(0, sd);
        break;
      }
    }
  } finally {
    stream.destroy();
  }
  checkNoDoctype(head);
  const m = /<([\w.-]+:)?dimension\s[^>]*ref\s*=\s*["']([^"']*)["']/.exec(head);
  if (!m) return null;
  const rows = m[2].split(':').map((ref) => Number(/\d+/.exec(ref)?.[0] ?? NaN));
  if (rows.some((n) => !Number.isFinite(n))) return null;
  return rows.length === 2 ? Math.abs(rows[1] - rows[0]) + 1 : 1;
}

// ---------------------------------------------------------------------------------------------
// Workbook

interface SheetInfo {
  name: string;
  entry: ZipEntry;
  estimatedRows: number | null;
}

class XlsxSheet implements SheetReader {
  private consumed = 0;

  constructor(
    private readonly book: XlsxWorkbook,
    private readonly info: SheetInfo,
  ) {}

  get name(): string {
    return this.info.name;
  }

  get estimatedRows(): number | null {
    return this.info.estimatedRows;
  }

  progress(): { done: number; total: number } {
    return { done: this.consumed, total: this.info.entry.compressedSize };
  }

  async *batches(): AsyncGenerator<RowBatch, void, undefined> {
    const shared = await this.book.sharedStrings();
    const scanner = new SheetScanner(shared, this.book.dateStyles, this.book.date1904);
    this.consumed = 0;
    const stream = await this.book.zip.openEntry(this.info.entry, {
      onCompressedBytes: (n) => (this.consumed += n),
    });
    try {
      yield* parseRows(stream as AsyncIterable<Buffer>, scanner);
    } finally {
      stream.destroy();
    }
  }
}

class XlsxWorkbook implements WorkbookReader {
  readonly format = 'xlsx' as const;
  readonly sheetNames: string[];
  private readonly sheets: XlsxSheet[];
  private shared: Promise<string[]> | null = null;

  constructor(
    readonly zip: ZipReader,
    infos: SheetInfo[],
    readonly dateStyles: Uint8Array,
    readonly date1904: boolean,
    private readonly sharedEntry: ZipEntry | undefined,
    private readonly maxSharedStringBytes: number,
  ) {
    this.sheetNames = infos.map((s) => s.name);
    this.sheets = infos.map((info) => new XlsxSheet(this, info));
  }

  sheet(index: number): SheetReader {
    const s = this.sheets[index];
    if (!s) throw new RangeError(`No sheet at index ${index} (the workbook has ${this.sheets.length}).`);
    return s;
  }

  /** Loaded on first use, so listing sheets stays fast even with a huge string table. */
  sharedStrings(): Promise<string[]> {
    this.shared ??= loadSharedStrings(this.zip, this.sharedEntry, this.maxSharedStringBytes);
    return this.shared;
  }

  close(): Promise<void> {
    return this.zip.close();
  }
}

export async function openXlsx(path: string, options: XlsxOptions = {}): Promise<WorkbookReader> {
  const zip = await ZipReader.open(path, options.zipLimits);
  return openXlsxZip(zip, basename(path), options);
}

/** Opens the workbook in an already opened zip; the reader owns `zip` (closed on failure too). */
export async function openXlsxZip(
  zip: ZipReader,
  displayName: string,
  options: XlsxOptions = {},
): Promise<WorkbookReader> {
  try {
    return await readWorkbook(zip, displayName, options);
  } catch (err) {
    await zip.close().catch(() => undefined);
    throw err;
  }
}

async function readWorkbook(
  zip: ZipReader,
  displayName: string,
  options: XlsxOptions,
): Promise<WorkbookReader> {
  const rootRels = await readRels(zip, '');
  let workbookPart = 'xl/workbook.xml';
  for (const rel of rootRels.values()) {
    if (rel.type.endsWith('/officeDocument') && zip.has(rel.target)) workbookPart = rel.target;
  }
  const workbookEntry = zip.find(workbookPart);
  if (!workbookEntry) throw notWorkbookError(displayName);

  let date1904 = false;
  let isWorkbook = false;
  const declared: { name: string; rid: string | undefined }[] = [];
  for (const t of tags(await zip.readText(workbookEntry, MAX_METADATA_PART))) {
    if (t.close) continue;
    if (t.local === 'workbook') {
      isWorkbook = true;
    } else if (t.local === 'workbookPr') {
      const v = t.attrs.get('date1904');
      date1904 = v === '1' || v === 'true';
    } else if (t.local === 'sheet') {
      declared.push({ name: t.attrs.get('name') ?? `Sheet${declared.length + 1}`, rid: attr(t, 'r:id') });
    }
  }

  // A .docx or .pptx also has an officeDocument part, just not a workbook.
  if (!isWorkbook) throw notWorkbookError(displayName);

  const rels = await readRels(zip, workbookPart);
  const relOfType = (suffix: string): string | undefined =>
    [...rels.values()].find((r) => r.type.endsWith(suffix))?.target;
  const baseDir = dirOf(workbookPart);

  const infos: SheetInfo[] = [];
  for (const [i, s] of declared.entries()) {
    const rel = s.rid !== undefined ? rels.get(s.rid) : undefined;
    // Chart sheets, dialog and macro sheets hold no cells.
    if (rel && rel.type !== '' && !REL_WORKSHEET.test(rel.type)) continue;
    const entry = zip.find(rel ? rel.target : `${baseDir}worksheets/sheet${i + 1}.xml`);
    if (!entry) throw damaged();
    infos.push({ name: s.name, entry, estimatedRows: null });
  }
  if (infos.length === 0) {
    throw new InputError('NO_SHEETS', { name: displayName });
  }

  const stylesEntry = zip.find(relOfType('/styles') ?? `${baseDir}styles.xml`);
  const dateStyles = parseDateStyles(stylesEntry ? await zip.readText(stylesEntry, MAX_METADATA_PART) : null);
  for (const info of infos) info.estimatedRows = await readSheetHead(zip, info.entry);

  const sharedEntry = zip.find(relOfType('/sharedStrings') ?? `${baseDir}sharedStrings.xml`);
  return new XlsxWorkbook(
    zip,
    infos,
    dateStyles,
    date1904,
    sharedEntry,
    options.maxSharedStringBytes ?? DEFAULT_MAX_SHARED_STRING_BYTES,
  );
}
