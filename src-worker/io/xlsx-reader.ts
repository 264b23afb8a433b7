// Streaming .xlsx reader: the workbook's parts (workbook, rels, styles, the sheets' heads) are read
// here; the sheet XML itself is inflated and scanned as bytes by a hand-written scanner that only
// understands the handful of elements a value needs (read-sheet-scanner.ts): a general XML parser
// costs ~10x more per cell and reading is the pipeline's first bottleneck.
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { loadSharedStrings } from './read-shared-strings.ts';
import { SheetScanner } from './read-sheet-scanner.ts';
import { decodeEntities, doctypeError } from './read-xml-text.ts';
import { parseRows } from './row-batches.ts';
import { InputError, type RowBatch, type SheetReader, type WorkbookReader } from './types.ts';
import { damaged, type ZipEntry, type ZipLimits, ZipReader } from './zip-reader.ts';

export { SheetScanner } from './read-sheet-scanner.ts';
export { decodeEntities, decodeText, doctypeError, excelSerialToDate } from './read-xml-text.ts';

export interface XlsxOptions {
  /** Shared-string table budget (estimated bytes of string memory) before the file is refused. */
  maxSharedStringBytes?: number;
  zipLimits?: ZipLimits;
}

const DEFAULT_MAX_SHARED_STRING_BYTES = 1024 ** 3;
// workbook.xml, rels and styles.xml are read whole; real ones are kilobytes (styles a few MB at most).
const MAX_METADATA_PART = 128 * 1024 ** 2;
const HEAD_LIMIT_CHARS = 1024 * 1024;

const REL_WORKSHEET = /\/worksheet$/;

function notWorkbookError(name: string): InputError {
  return new InputError('NOT_XLSX', { name });
}

function checkNoDoctype(xml: string): void {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) throw doctypeError();
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

// ---------------------------------------------------------------------------------------------
// Scanning primitives over the decoded text of a small part (the sheet and the shared strings are
// scanned as bytes: read-xml-bytes.ts).

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
