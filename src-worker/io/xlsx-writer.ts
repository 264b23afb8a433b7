import type { CellValue } from './types.ts';
import { ascii, putBytes, putNumber, putUint, putXmlText } from './write-xml.ts';
import { chunkBuffer, ZipWriter, type EntryState, type ZipEntryWriter } from './zip-writer.ts';

export interface XlsxWriterOptions {
  /** zlib level 0..9; default 1. */
  compressionLevel?: number;
  /** docProps/core.xml dc:creator and cp:lastModifiedBy. */
  creator?: string;
  /** docProps/core.xml dc:identifier (e.g. a job id, to trace a file back to its run). */
  identifier?: string;
  /** Creation time for docProps and the zip entries; default now. */
  created?: Date;
  /** Test hook, passed to the zip writer: force Zip64 records at this size. */
  zip64Threshold?: number;
  /**
   * Carry on a workbook from a `checkpoint()` taken before a crash: add the same sheets, with the same
   * options and in the same order, and they continue where the checkpoint left them.
   */
  resume?: WorkbookState;
}

/** A workbook's progress at a checkpoint (JSON-safe). */
export interface WorkbookState {
  partCount: number;
  names: string[];
  sheets: SheetState[];
}

interface SheetState {
  parts: { name: string; path: string; rows: number; selected: boolean; entry: EntryState }[];
  dataRows: number;
  head: string;
  sampling: boolean;
}

/** Number format of a column: 'text' keeps e.g. an article 00123 as text, also when the user edits it. */
export type ColumnStyle = 'text' | 'money' | 'integer' | 'date';

export interface SheetOptions {
  /** Bold first row; repeated at the top of every split part. */
  header?: readonly string[];
  columnStyles?: readonly (ColumnStyle | null | undefined)[];
  /** Keep the header visible while scrolling; default true when there is a header. */
  freezeHeader?: boolean;
  /** Filter buttons on the header; default true when there is a header. */
  autoFilter?: boolean;
  /** When a sheet is full, continue in "Name (2)", ... instead of throwing; default false. */
  splitRows?: boolean;
  /** Rows per sheet, the header included; default (and at most) Excel's 1,048,576. Smaller values are for tests. */
  maxRowsPerSheet?: number;
  /** Printed landscape, every column on the page's width (a result a buyer prints or saves as PDF). */
  printFitWidth?: boolean;
}

/** The fill of one cell of a row (a status): Excel's Good / Neutral / Bad colours and a grey. */
export type CellFill = 'green' | 'amber' | 'red' | 'grey';

export interface RowOptions {
  bold?: boolean;
  /** One cell filled and its text coloured to match; pass a shared constant (this is per row). */
  fill?: { column: number; color: CellFill };
}

export const EXCEL_MAX_ROWS = 1_048_576;
const EXCEL_MAX_COLS = 16_384;
const EXCEL_MAX_CELL_CHARS = 32_767;
/** Rows held back per sheet to size the columns (`<cols>` must precede `<sheetData>`). */
const WIDTH_SAMPLE_ROWS = 100;
const MIN_WIDTH = 6;
const MAX_WIDTH = 60;
const UNKNOWN_WIDTH = 10;
const DAY_MS = 86_400_000;
/** Days from Excel's epoch (1899-12-30 in the 1900 system) to 1970-01-01. */
const UNIX_EPOCH_SERIAL = 25_569;
/** Serials below this (before 1900-03-01) fall before Excel's fictitious 1900-02-29 and would be a day off. */
const FIRST_SAFE_SERIAL = 61;

/** Number formats; a cell's style id is `format * 2 + (bold ? 1 : 0)`, matching the cellXfs in STYLES. */
const Fmt = { General: 0, Text: 1, Money: 2, Integer: 3, Date: 4, DateTime: 5 } as const;
type Fmt = (typeof Fmt)[keyof typeof Fmt];
const FMT_OF: Record<ColumnStyle, Fmt> = {
  text: Fmt.Text,
  money: Fmt.Money,
  integer: Fmt.Integer,
  date: Fmt.Date,
};
/** numFmtId per Fmt: built-ins 49 "@", 4 "#,##0.00" (shown with the user's locale separators), 1 "0"; 164/165 custom. */
const NUM_FMT_IDS = [0, 49, 4, 1, 164, 165];

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/**
 * A streaming .xlsx writer with hand-written XML: inline strings (no shared-strings table to hold in memory),
 * never formulas. Each sheet streams into its own deflated zip entry, so sheets can be written concurrently.
 */
export class XlsxWriter {
  private readonly sheets: XlsxSheet[] = [];
  private readonly names = new Set<string>();
  private partCount = 0;
  private state: 'open' | 'finishing' | 'done' = 'open';

  private constructor(
    private readonly zip: ZipWriter,
    private readonly options: XlsxWriterOptions,
  ) {}

  static async create(path: string, options: XlsxWriterOptions = {}): Promise<XlsxWriter> {
    const zip = await ZipWriter.create(path, {
      compressionLevel: options.compressionLevel,
      mtime: options.created,
      zip64Threshold: options.zip64Threshold,
    });
    const writer = new XlsxWriter(zip, options);
    if (options.resume) {
      writer.partCount = options.resume.partCount;
      for (const n of options.resume.names) writer.names.add(n);
    }
    return writer;
  }

  /**
   * Makes every sheet written so far durable and returns where the workbook stands; a writer created
   * with `{ resume: state }` continues from there. Column widths are fixed at the first checkpoint.
   */
  async checkpoint(): Promise<WorkbookState> {
    if (this.state !== 'open') throw new Error('workbook is already finished');
    const sheets: SheetState[] = [];
    for (const sheet of this.sheets) sheets.push(await sheet.checkpoint());
    return { partCount: this.partCount, names: [...this.names], sheets };
  }

  /** @internal Finished or aborted: no more rows. */
  get closed(): boolean {
    return this.state === 'done';
  }

  /** @internal Where sheet number `index` stood at the checkpoint being resumed, if any. */
  resumeState(index: number): SheetState | null {
    return this.options.resume?.sheets[index] ?? null;
  }

  /** @internal A part restored from a checkpoint: its zip entry carries on from the recorded state. */
  restorePart(sheet: XlsxSheet, p: SheetState['parts'][number]): Part {
    const entry = this.zip.addEntry(p.path, p.entry);
    return {
      name: p.name,
      path: p.path,
      entry,
      rows: p.rows,
      selected: p.selected,
      sheet,
      ended: p.entry.ended ? Promise.resolve() : null,
    };
  }

  /** Adds a sheet after the existing ones. The name is cleaned up for Excel (≤ 31 chars, no []:*?/\) and made unique. */
  addSheet(name: string, options: SheetOptions = {}): XlsxSheet {
    if (this.state !== 'open') throw new Error('workbook is already finished');
    const sheet = new XlsxSheet(this, cleanSheetName(name), options, this.resumeState(this.sheets.length));
    this.sheets.push(sheet);
    return sheet;
  }

  /** Ends all sheets, writes the workbook parts and the zip. On failure everything is removed. */
  async finish(): Promise<void> {
    if (this.state !== 'open') throw new Error('workbook is already finished');
    this.state = 'finishing';
    try {
      await Promise.all(this.sheets.map((s) => s.end()));
      const parts = this.sheets.flatMap((s) => s.parts);
      if (parts.length === 0) throw new Error('a workbook needs at least one sheet');
      this.zip.addFile('[Content_Types].xml', contentTypes(parts));
      this.zip.addFile('_rels/.rels', ROOT_RELS);
      this.zip.addFile('docProps/app.xml', APP_XML);
      this.zip.addFile('docProps/core.xml', coreXml(this.options));
      this.zip.addFile('xl/workbook.xml', workbookXml(parts));
      this.zip.addFile('xl/_rels/workbook.xml.rels', workbookRels(parts));
      this.zip.addFile('xl/styles.xml', STYLES);
      await this.zip.finish();
      this.state = 'done';
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Removes everything written so far (the output too, if already finished). Safe to call twice. */
  async abort(): Promise<void> {
    this.state = 'done';
    await this.zip.abort();
  }

  /** @internal */
  newPart(sheet: XlsxSheet, baseName: string, firstSuffix: number): Part {
    const name = this.uniqueName(baseName, firstSuffix);
    const index = ++this.partCount;
    const path = `xl/worksheets/sheet${index}.xml`;
    return { name, path, entry: this.zip.addEntry(path), rows: 0, selected: index === 1, sheet, ended: null };
  }

  /** `base` itself for suffix 1, else "base (n)"; counts up while taken (Excel compares names case-insensitively). */
  private uniqueName(base: string, firstSuffix: number): string {
    let k = firstSuffix;
    let name = withSuffix(base, k);
    while (this.names.has(name.toLowerCase())) name = withSuffix(base, Math.max(++k, 2));
    this.names.add(name.toLowerCase());
    return name;
  }
}

/** @internal One worksheet part: a logical sheet has several once it is split. */
interface Part {
  name: string;
  path: string;
  entry: ZipEntryWriter;
  /** Rows written, header included; also the last row number. */
  rows: number;
  /** The tab shown when the file opens (the first sheet). */
  selected: boolean;
  sheet: XlsxSheet;
  ended: Promise<void> | null;
}

/** A sheet being written. Obtain from `XlsxWriter.addSheet`. */
export class XlsxSheet {
  /** @internal Parts in workbook order. */
  readonly parts: Part[] = [];
  private part: Part;
  private dataRows = 0;
  private readonly header: readonly string[] | null;
  private readonly formats: Fmt[];
  private readonly freeze: boolean;
  private readonly filter: boolean;
  private readonly fitWidth: boolean;
  private readonly split: boolean;
  private readonly maxRows: number;
  /** Column letters by index, grown on demand. */
  private readonly letters: string[] = [];
  /** Cell fragments by column, kind, style and type (see `fragment`), for rows of `fragDigits` digits. */
  private frags: (Uint8Array | undefined)[][] = [];
  private fragDigits = 0;
  /** Where the row number starts in a column's fragment, after what closes the cell before. */
  private readonly refAt: number[] = [];
  /**
   * The XML not yet handed to the current part's zip entry, as UTF-8: rows are rendered straight into
   * it, and it goes to the entry (which then owns it) whenever it is full.
   */
  private buf: Buffer = chunkBuffer();
  /** `buf` for word-sized stores. */
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  private pos = 0;
  /** The current row's number, in digits; with 4 or more, also its first and last four as little-endian words. */
  private readonly rowDigits = new Uint8Array(16);
  private digitsHead = 0;
  private digitsTail = 0;
  /** A chunk handed to the entry during this row: its promise is what writeRow returns. */
  private wait: void | Promise<void> = undefined;
  /** `pos` when writeRow last had its caller yield to the event loop (see YIELD_BYTES). */
  private yieldedAt = 0;
  /**
   * Until the widths are known, rows are held back (`<cols>` must precede `<sheetData>`): they stay in
   * `buf` from `sampleStart` on (which then grows rather than being handed on) while the widest text
   * seen per column is noted. `sampleRows` counts them, the header included; -1 once the widths are known.
   */
  private sampleRows = 0;
  private sampleStart = 0;
  private widths: number[] = [];
  private head = '';
  private ended: Promise<void> | null = null;

  /** @internal */
  constructor(
    private readonly workbook: XlsxWriter,
    readonly name: string,
    options: SheetOptions,
    resume: SheetState | null = null,
  ) {
    this.header = options.header && options.header.length > 0 ? options.header : null;
    this.formats = (options.columnStyles ?? []).map((s) => (s ? FMT_OF[s] : Fmt.General));
    this.freeze = this.header !== null && (options.freezeHeader ?? true);
    this.filter = this.header !== null && (options.autoFilter ?? true);
    this.fitWidth = options.printFitWidth === true;
    this.split = options.splitRows ?? false;
    this.maxRows = Math.min(options.maxRowsPerSheet ?? EXCEL_MAX_ROWS, EXCEL_MAX_ROWS);
    if (!Number.isInteger(this.maxRows) || this.maxRows < (this.header ? 2 : 1)) {
      throw new RangeError(`bad maxRowsPerSheet ${options.maxRowsPerSheet}`);
    }
    if (this.header && this.header.length > EXCEL_MAX_COLS) throw new RangeError('too many columns');
    if (resume) {
      for (const p of resume.parts) this.parts.push(this.workbook.restorePart(this, p));
      this.part = this.parts[this.parts.length - 1];
      this.dataRows = resume.dataRows;
      this.head = resume.head;
      this.sampleRows = resume.sampling ? 0 : -1;
      if (this.header) this.measureHeader(this.header);
    } else {
      this.part = this.startPart();
    }
    this.name = this.part.name;
  }

  /** @internal See XlsxWriter.checkpoint. */
  async checkpoint(): Promise<SheetState> {
    // Rows held back for sizing columns must reach the file; a sheet with nothing yet may keep sampling.
    if (this.sampleRows > 0) this.flushSample();
    if (!this.part.ended) {
      const wait = this.hand();
      if (wait) await wait;
    }
    const parts: SheetState['parts'] = [];
    for (const p of this.parts) {
      parts.push({
        name: p.name,
        path: p.path,
        rows: p.rows,
        selected: p.selected,
        entry: await p.entry.syncPoint(),
      });
    }
    return { parts, dataRows: this.dataRows, head: this.head, sampling: this.sampleRows >= 0 };
  }

  /** Names of all parts, e.g. ["Result", "Result (2)"]. */
  get names(): string[] {
    return this.parts.map((p) => p.name);
  }

  /** Data rows written (headers not counted). */
  get rowCount(): number {
    return this.dataRows;
  }

  /**
   * Appends a row: strings as inline strings, numbers, booleans, dates (as Excel serials with a date format);
   * null, '', NaN and ±Infinity leave the cell empty. Usually returns nothing; once per filled chunk
   * (~256 KiB of XML) it returns a Promise that resolves when compression has caught up (often at once).
   * Await it before writing more: that is what bounds memory.
   */
  writeRow(values: readonly CellValue[], options?: RowOptions): void | Promise<void> {
    // (A sheet resumed from a checkpoint taken after it ended has its last part ended.)
    if (this.ended || this.part.ended) throw new Error(`sheet ${this.name} is already ended`);
    if (this.workbook.closed) throw new Error('workbook is already finished');
    if (values.length > EXCEL_MAX_COLS)
      throw new RangeError(`row has ${values.length} cells, Excel allows 16384`);
    let part = this.part;
    if (part.rows >= this.maxRows) {
      if (!this.split) throw new RangeError(`sheet ${this.name} is full (${this.maxRows} rows)`);
      this.endPart(part);
      part = this.part = this.startPart();
    }
    const bold = options?.bold === true;
    this.renderRow(values, ++part.rows, bold, options?.fill);
    this.dataRows++;
    if (this.sampleRows >= 0) {
      // Titles (bold rows) may spill into the next cells; sizing a column to them would waste space.
      if (!bold) this.measure(values);
      if (++this.sampleRows >= WIDTH_SAMPLE_ROWS) this.flushSample();
    }
    const wait = this.wait;
    this.wait = undefined;
    if (wait === undefined && this.pos - this.yieldedAt >= YIELD_BYTES) {
      this.yieldedAt = this.pos;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return wait;
  }

  /** Closes the sheet (the workbook's `finish` does it too). */
  end(): Promise<void> {
    if (!this.ended) {
      this.endPart(this.part);
      this.ended = Promise.all(this.parts.map((p) => p.ended)).then(() => undefined);
    }
    return this.ended;
  }

  /** @internal The autoFilter range of a part, as an absolute reference; null without a filter. */
  filterRange(part: Part): string | null {
    return this.filter ? `$A$1:$${this.colLetters(this.header!.length - 1)}$${part.rows}` : null;
  }

  private startPart(): Part {
    const first = this.parts.length === 0;
    const part = this.workbook.newPart(this, first ? this.name : this.parts[0].name, this.parts.length + 1);
    this.parts.push(part);
    this.part = part;
    this.putString(XML_DECL + `<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">`);
    if (this.sampleRows >= 0) {
      this.sampleStart = this.pos;
      if (this.header) {
        this.measureHeader(this.header);
        this.renderRow(this.header, ++part.rows, true, undefined);
        this.sampleRows++;
      }
    } else {
      this.putString(this.sheetHead(part));
      if (this.header) this.renderRow(this.header, ++part.rows, true, undefined);
    }
    return part;
  }

  private endPart(part: Part): void {
    if (part.ended) return;
    if (this.sampleRows >= 0) this.flushSample();
    let tail = '</sheetData>';
    if (this.filter) tail += `<autoFilter ref="A1:${this.colLetters(this.header!.length - 1)}${part.rows}"/>`;
    tail += '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>';
    if (this.fitWidth) tail += '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>';
    tail += '</worksheet>';
    this.putString(tail);
    ignore(this.hand());
    ignore(this.wait);
    this.wait = undefined;
    part.ended = part.entry.end();
    // Failures surface through end()/finish(); until then they must not count as unhandled.
    ignore(part.ended);
  }

  /** The held-back rows go out after the sheet's head, now that the widths are known. */
  private flushSample(): void {
    const rows = Buffer.from(this.buf.subarray(this.sampleStart, this.pos));
    this.pos = this.sampleStart;
    this.sampleRows = -1;
    this.putString(this.sheetHead(this.part));
    this.room(rows.length);
    this.pos += rows.copy(this.buf, this.pos);
  }

  /** Writes a string that is not on the hot path (heads, tails). */
  private putString(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos);
  }

  /** Makes room for `n` more bytes: hands the full chunk on, or while sampling grows it. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.sampleRows >= 0) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.setChunk(bigger);
      return;
    }
    const wait = this.hand();
    if (wait) {
      ignore(this.wait);
      this.wait = wait;
    }
    if (n > this.buf.length) this.setChunk(Buffer.allocUnsafe(n));
  }

  private setChunk(buf: Buffer): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  /** Overwrites the placeholder digits at `q` with the current row's number (`nd` digits). */
  private putDigits(q: number, nd: number): void {
    if (nd >= 4) {
      this.view.setUint32(q, this.digitsHead, true);
      this.view.setUint32(q + nd - 4, this.digitsTail, true);
    } else {
      const buf = this.buf;
      const digits = this.rowDigits;
      for (let d = 0; d < nd; d++) buf[q + d] = digits[d];
    }
  }

  /** Hands what the chunk holds to the part's entry (which keeps it until compressed) and starts a new one. */
  private hand(): void | Promise<void> {
    if (this.pos === 0) return;
    const bytes = this.buf.subarray(0, this.pos);
    this.setChunk(chunkBuffer());
    this.pos = 0;
    this.yieldedAt = 0;
    // Only a checkpoint hands on while sampling, and only with no rows held back: they start afresh.
    this.sampleStart = 0;
    return this.part.entry.writeBytes(bytes);
  }

  /** Everything between `<worksheet>` and the first row. */
  private sheetHead(part: Part): string {
    if (!this.head) {
      let cols = '';
      for (let i = 0; i < this.widths.length; i++) {
        const fmt = this.formats[i] ?? Fmt.General;
        const style = fmt === Fmt.General ? '' : ` style="${fmt * 2}"`;
        // A column empty in the sample gets a middling width rather than the narrowest.
        const seen = this.widths[i] > 0 ? this.widths[i] + 2 : UNKNOWN_WIDTH;
        const width = Math.min(Math.max(seen, MIN_WIDTH), MAX_WIDTH);
        cols += `<col min="${i + 1}" max="${i + 1}" width="${width}" customWidth="1"${style}/>`;
      }
      this.head =
        '<sheetFormatPr defaultRowHeight="15"/>' + (cols ? `<cols>${cols}</cols>` : '') + '<sheetData>';
    }
    const pane = this.freeze
      ? '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
      : '';
    const selected = part.selected ? ' tabSelected="1"' : '';
    const fit = this.fitWidth ? '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' : '';
    return `${fit}<sheetViews><sheetView workbookViewId="0"${selected}>${pane}</sheetView></sheetViews>${this.head}`;
  }

  private colLetters(index: number): string {
    const letters = this.letters;
    while (letters.length <= index) letters.push(columnName(letters.length));
    return letters[index];
  }

  /**
   * The bytes that start a cell, cached: what closes the cell before it (`kind`), `<c r="A`, the row
   * number (digits to overwrite: every row of this digit count shares the fragment), and what follows
   * up to the value (`type` and `style`: e.g. `" s="5" t="inlineStr"><is><t>`), or the whole cell for
   * a boolean.
   */
  private fragment(i: number, kind: number, style: number, type: number, digits: number): Uint8Array {
    if (digits !== this.fragDigits) {
      this.frags = [];
      this.fragDigits = digits;
    }
    // One packed array per column (a sparse one would fall back to slow dictionary elements).
    const column = this.frags[i] ?? this.columnFragments(i);
    const at = (kind * STYLE_COUNT + style) * AFTER_REF.length + type;
    let f = column[at];
    if (f === undefined) {
      const letters = this.colLetters(i);
      f = ascii(`${CLOSE[kind]}<c r="${letters}${'0'.repeat(digits)}"${STYLE_ATTR[style]}${AFTER_REF[type]}`);
      column[at] = f;
    }
    return f;
  }

  private columnFragments(i: number): (Uint8Array | undefined)[] {
    while (this.frags.length <= i) {
      this.frags.push(Array.from({ length: CLOSE.length * STYLE_COUNT * AFTER_REF.length }, () => undefined));
    }
    while (this.refAt.length <= i) this.refAt.push(6 + this.colLetters(this.refAt.length).length);
    return this.frags[i];
  }

  /** An inline-string cell at `p`, its fragment chosen by `kind` and `style`; -1 if the text has characters XML does not allow. */
  private putTextCell(p: number, i: number, kind: number, style: number, nd: number, text: string): number {
    const buf = this.buf;
    const f = this.fragment(i, kind, style, T_STR, nd);
    buf.set(f, p);
    this.putDigits(p + CLOSE_LENGTH[kind] + this.refAt[i], nd);
    const start = p + f.length;
    const end = putXmlText(buf, start, text);
    if (end < 0) return -1;
    // Leading or trailing whitespace (a CR is written as &#13;, other control characters never get
    // here) needs xml:space="preserve": rare, so checked on the bytes and mended by moving the text.
    if (
      buf[start] <= 32 ||
      buf[end - 1] <= 32 ||
      (buf[start] === 38 && buf[start + 1] === 35) ||
      (end - start >= 5 && buf[end - 1] === 59 && buf[end - 4] === 35 && buf[end - 5] === 38)
    ) {
      buf.copyWithin(start + PRESERVE.length, start, end);
      putBytes(buf, start - 1, PRESERVE_OPEN);
      return end + PRESERVE.length;
    }
    return end;
  }

  /**
   * One `<row>`, rendered into the chunk: the hot path, hence the cached fragments (one copy per cell
   * plus its row number and value) and no strings built. Each cell first makes room for its largest
   * possible size, so a row may straddle two chunks.
   */
  private renderRow(values: readonly CellValue[], r: number, bold: boolean, fill: RowOptions['fill']): void {
    const formats = this.formats;
    const b = bold ? 1 : 0;
    const digits = this.rowDigits;
    const nd = putUint(digits, 0, r);
    if (nd >= 4) {
      this.digitsHead = digits[0] | (digits[1] << 8) | (digits[2] << 16) | (digits[3] << 24);
      this.digitsTail =
        digits[nd - 4] | (digits[nd - 3] << 8) | (digits[nd - 2] << 16) | (digits[nd - 1] << 24);
    }
    const filled = fill ? fill.column : -1;
    this.room(ROW_ROOM);
    let buf = this.buf;
    let p = putBytes(buf, this.pos, ROW_OPEN);
    for (let d = 0; d < nd; d++) buf[p++] = digits[d];
    buf[p++] = 34; // "
    buf[p++] = 62; // >
    /** What the last cell written left open: nothing, a string's `<t>`, a value's `<v>`. */
    let kind = K_NONE;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const n = typeof v === 'string' ? v.length : 0;
      if (n === 0 && typeof v === 'string') continue;
      const need = CELL_ROOM + 7 * (n < EXCEL_MAX_CELL_CHARS ? n : EXCEL_MAX_CELL_CHARS);
      if (p + need > buf.length) {
        this.pos = p;
        this.room(need);
        buf = this.buf;
        p = this.pos;
      }
      let fmt: Fmt;
      let style: number;
      if (i === filled) {
        fmt = Fmt.General;
        style = FILL_STYLE[fill!.color];
      } else {
        fmt = i < formats.length ? formats[i] : Fmt.General;
        style = fmt * 2 + b;
      }
      let type: number;
      let text: string | null = null;
      let num = 0;
      switch (typeof v) {
        case 'string':
          text = v;
          type = T_STR;
          break;
        case 'number':
          if (!Number.isFinite(v)) continue;
          num = v;
          type = fmt === Fmt.Text ? T_NUM_TEXT : T_NUM;
          if (fmt === Fmt.Text) style = Fmt.Text * 2 + b;
          break;
        case 'boolean':
          type = v ? T_TRUE : T_FALSE;
          break;
        default: {
          if (i === filled) {
            text = v.toISOString();
            type = T_STR;
            break;
          }
          const t = v.getTime();
          if (Number.isNaN(t)) continue;
          num = t / DAY_MS + UNIX_EPOCH_SERIAL;
          if (num < FIRST_SAFE_SERIAL) {
            text = v.toISOString();
            type = T_STR;
            style = b;
            break;
          }
          type = T_NUM;
          style = (fmt === Fmt.Date || t % DAY_MS === 0 ? Fmt.Date : Fmt.DateTime) * 2 + b;
        }
      }
      const start = p;
      if (text !== null) {
        p = text.length <= EXCEL_MAX_CELL_CHARS ? this.putTextCell(p, i, kind, style, nd, text) : -1;
        if (p < 0) {
          // Characters XML does not allow (control characters, lone surrogates), or too long.
          text = truncateChars(text.replace(ILLEGAL, ''), EXCEL_MAX_CELL_CHARS);
          if (text.length === 0) {
            p = start;
            continue;
          }
          p = this.putTextCell(start, i, kind, style, nd, text);
        }
        kind = K_STR;
      } else {
        const f = this.fragment(i, kind, style, type, nd);
        buf.set(f, p);
        this.putDigits(p + CLOSE_LENGTH[kind] + this.refAt[i], nd);
        p += f.length;
        if (type === T_NUM) {
          p = putNumber(buf, p, num);
          kind = K_NUM;
        } else if (type === T_NUM_TEXT) {
          p = putNumber(buf, p, num);
          kind = K_STR;
        } else kind = K_NONE;
      }
    }
    if (p + ROW_ROOM > buf.length) {
      this.pos = p;
      this.room(ROW_ROOM);
      buf = this.buf;
      p = this.pos;
    }
    this.pos = putBytes(buf, p, ROW_CLOSE[kind]);
  }

  private measureHeader(header: readonly string[]): void {
    // Room for the filter button next to the title.
    const extra = this.filter ? 2 : 0;
    for (let i = 0; i < header.length; i++) this.widen(i, (header[i]?.length ?? 0) + extra);
  }

  private measure(values: readonly CellValue[]): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const fmt = this.formats[i] ?? Fmt.General;
      let width: number;
      if (typeof v === 'string') width = longestLine(v);
      else if (typeof v === 'boolean') width = 5;
      else if (typeof v === 'number') {
        if (!Number.isFinite(v)) continue;
        if (fmt === Fmt.Money) {
          const digits = Math.abs(v).toFixed(0).length;
          width = digits + Math.floor((digits - 1) / 3) + 3 + (v < 0 ? 1 : 0);
        } else if (fmt === Fmt.Integer) width = Math.round(v).toString().length;
        else if (fmt === Fmt.Date) width = 10;
        else width = String(v).length;
      } else width = fmt === Fmt.Date || v.getTime() % DAY_MS === 0 ? 10 : 19;
      this.widen(i, width);
    }
  }

  private widen(i: number, width: number): void {
    while (this.widths.length <= i) this.widths.push(0);
    if (width > this.widths[i]) this.widths[i] = Math.ceil(width);
  }
}

// These patterns exist to find control characters.
/* eslint-disable no-control-regex */
const ILLEGAL =
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/* eslint-enable no-control-regex */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Fill colours (background, text) in the order of their cellXfs after the number formats' ones. */
const FILLS: readonly [CellFill, string, string][] = [
  ['green', 'FFC6EFCE', 'FF006100'],
  ['amber', 'FFFFEB9C', 'FF9C5700'],
  ['red', 'FFFFC7CE', 'FF9C0006'],
  ['grey', 'FFE7E6E6', 'FF3F3F3F'],
];
const FILL_STYLE = Object.fromEntries(FILLS.map(([name], k) => [name, NUM_FMT_IDS.length * 2 + k])) as Record<
  CellFill,
  number
>;
const STYLE_COUNT = NUM_FMT_IDS.length * 2 + FILLS.length;

/** ` s="n"` by cell style id; nothing for the default style 0. */
const STYLE_ATTR = Array.from({ length: STYLE_COUNT }, (_, s) => (s ? ` s="${s}"` : ''));

/** Rows are rendered into chunks of this size; each is one CRC update and one deflate call. */
/**
 * Rendered bytes after which writeRow has its caller yield to the event loop (a resolved-next-turn
 * promise) even when no chunk was handed on. Deflate and the reader's inflate run on the thread pool
 * but move one step per event-loop turn (their completions are taken in the poll phase); a writer
 * that yields only per 256 KiB chunk left deflate one chunk behind, so the job waited for 'drain'
 * (measured on 1m-xlsx: 218 waits, 0.8 s idle). Yielding every 64 KiB keeps both streams fed.
 */
const YIELD_BYTES = 64 * 1024;
/** Room a cell needs besides its text (7 bytes per UTF-16 unit at most: "_" becomes "_x005F_"). */
const CELL_ROOM = 160;
const ROW_ROOM = 48;
const ROW_OPEN = ascii('<row r="');
/** What the previous cell of a row left open: nothing, an inline string's `<t>`, a value's `<v>`. */
const K_NONE = 0;
const K_STR = 1;
const K_NUM = 2;
const CLOSE = ['', '</t></is></c>', '</v></c>'];
const CLOSE_LENGTH = CLOSE.map((c) => c.length);
const ROW_CLOSE = CLOSE.map((c) => ascii(`${c}</row>`));
/** Cell types: what follows the reference and style. */
const T_STR = 0;
const T_NUM = 1;
const T_TRUE = 2;
const T_FALSE = 3;
/** A number in a text column: an inline string. */
const T_NUM_TEXT = 4;
const AFTER_REF = [
  ' t="inlineStr"><is><t>',
  '><v>',
  ' t="b"><v>1</v></c>',
  ' t="b"><v>0</v></c>',
  ' t="inlineStr"><is><t>',
];
/** Leading/trailing whitespace is dropped by XML readers unless asked to keep it: goes before `<t`'s `>`. */
const PRESERVE = ' xml:space="preserve"';
const PRESERVE_OPEN = ascii(`${PRESERVE}>`);

function withSuffix(base: string, k: number): string {
  if (k < 2) return base;
  const suffix = ` (${k})`;
  return truncateChars(base, 31 - suffix.length) + suffix;
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncateChars(s: string, max: number): string {
  if (s.length <= max) return s;
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

function longestLine(s: string): number {
  let longest = 0;
  for (let start = 0; start <= s.length && longest < MAX_WIDTH;) {
    const end = s.indexOf('\n', start);
    const stop = end < 0 ? s.length : end;
    longest = Math.max(longest, stop - start);
    start = stop + 1;
  }
  return longest;
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** Makes a name Excel accepts: no []:*?/\ or control characters, no apostrophe at either end, 1..31 chars. */
export function cleanSheetName(name: string): string {
  let s = name
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\x00-\x1F\x7F]/g, '')
    .replace(/[[\]:*?/\\]/g, '_')
    .replace(ILLEGAL, '');
  s = truncateChars(s.replace(/^'+|'+$/g, '').trim(), 31).trim();
  if (s.length === 0) return 'Sheet';
  // Excel reserves "History" for change tracking.
  if (s.toLowerCase() === 'history') return 'History_';
  return s;
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function escapeText(s: string): string {
  return s.replace(ILLEGAL, '').replace(/[&<>]/g, (c) => ESCAPES[c]);
}

function ignore(p: void | Promise<void>): void {
  if (p) p.catch(() => undefined);
}

function contentTypes(parts: Part[]): string {
  const sheet = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml';
  return (
    XML_DECL +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    parts.map((p) => `<Override PartName="/${p.path}" ContentType="${sheet}"/>`).join('') +
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>' +
    '</Types>'
  );
}

const ROOT_RELS =
  XML_DECL +
  `<Relationships xmlns="${NS_PKG_REL}">` +
  `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/>` +
  `<Relationship Id="rId2" Type="${NS_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>` +
  `<Relationship Id="rId3" Type="${NS_REL}/extended-properties" Target="docProps/app.xml"/>` +
  '</Relationships>';

// "Microsoft Excel" as the application, as other writers do: some readers switch on compatibility quirks by it.
const APP_XML =
  XML_DECL +
  '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">' +
  '<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>' +
  '</Properties>';

function coreXml(options: XlsxWriterOptions): string {
  const created = (options.created ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const creator = options.creator ? escapeText(options.creator) : '';
  return (
    XML_DECL +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"' +
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"' +
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    (creator ? `<dc:creator>${creator}</dc:creator><cp:lastModifiedBy>${creator}</cp:lastModifiedBy>` : '') +
    (options.identifier ? `<dc:identifier>${escapeText(options.identifier)}</dc:identifier>` : '') +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${created}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${created}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

function workbookXml(parts: Part[]): string {
  let sheets = '';
  let names = '';
  parts.forEach((p, i) => {
    sheets += `<sheet name="${escapeAttr(p.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`;
    const range = p.sheet.filterRange(p);
    if (range) {
      // Excel expects this hidden name next to every autoFilter, and may call the file damaged without it.
      const ref = `'${p.name.replace(/'/g, "''")}'!${range}`;
      names += `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">${escapeText(ref)}</definedName>`;
    }
  });
  return (
    XML_DECL +
    `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
    '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>' +
    `<sheets>${sheets}</sheets>` +
    (names ? `<definedNames>${names}</definedNames>` : '') +
    '</workbook>'
  );
}

function workbookRels(parts: Part[]): string {
  return (
    XML_DECL +
    `<Relationships xmlns="${NS_PKG_REL}">` +
    parts
      .map(
        (p, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="${p.path.slice(3)}"/>`,
      )
      .join('') +
    `<Relationship Id="rId${parts.length + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>` +
    '</Relationships>'
  );
}

const FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>';
const STYLES =
  XML_DECL +
  `<styleSheet xmlns="${NS_MAIN}">` +
  '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>' +
  '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>' +
  `<fonts count="${2 + FILLS.length}"><font>${FONT}</font><font><b/>${FONT}</font>` +
  FILLS.map(([, , text]) => `<font><color rgb="${text}"/>${FONT}</font>`).join('') +
  '</fonts>' +
  // Excel requires the first two fills to be these.
  `<fills count="${2 + FILLS.length}"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
  FILLS.map(
    ([, bg]) =>
      `<fill><patternFill patternType="solid"><fgColor rgb="${bg}"/><bgColor indexed="64"/></patternFill></fill>`,
  ).join('') +
  '</fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  `<cellXfs count="${STYLE_COUNT}">` +
  NUM_FMT_IDS.map((id) =>
    [0, 1]
      .map(
        (bold) =>
          `<xf numFmtId="${id}" fontId="${bold}" fillId="0" borderId="0" xfId="0"` +
          `${id ? ' applyNumberFormat="1"' : ''}${bold ? ' applyFont="1"' : ''}/>`,
      )
      .join(''),
  ).join('') +
  FILLS.map(
    (_, k) =>
      `<xf numFmtId="0" fontId="${2 + k}" fillId="${2 + k}" borderId="0" xfId="0" applyFont="1" applyFill="1"/>`,
  ).join('') +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>' +
  '</styleSheet>';
