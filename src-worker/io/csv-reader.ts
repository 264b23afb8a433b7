// Streaming CSV reader: detects the encoding (BOM, valid UTF-8, else Windows-1251, the usual legacy
// encoding of Russian exports) and the delimiter, then parses RFC 4180 with indexOf-driven scanning.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { RowParser } from './row-batches.ts';
import { InputError, type Row, type RowBatch, type SheetReader, type WorkbookReader } from './types.ts';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1251';
export type CsvDelimiter = ',' | ';' | '\t';

export interface CsvOptions {
  /** Bytes per read (smaller in tests to exercise chunk boundaries). */
  chunkSize?: number;
}

const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_LINES = 200;
// A value this long is a quote that never closes (or not a CSV at all); refuse before memory runs out.
const MAX_FIELD_CHARS = 32 * 1024 * 1024;
// At most this many characters per decoded string: as UTF-16 they stay below V8's 128 KiB limit for
// objects in the young generation.
const DECODE_BYTES = 32 * 1024;

export function detectEncoding(
  sample: Uint8Array,
  complete: boolean,
): { encoding: CsvEncoding; bom: number } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  try {
    // stream: a multi-byte character cut by the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete });
    return { encoding: 'utf-8', bom: 0 };
  } catch {
    return { encoding: 'windows-1251', bom: 0 };
  }
}

const CANDIDATES: readonly CsvDelimiter[] = ['\t', ';', ','];

/**
 * Picks the delimiter that splits the sampled lines most consistently. Ties go to tab, then ';'
 * (Excel's choice where ',' is the decimal separator), then ','. Also returns the number of lines
 * looked at and how many characters they spanned (for the row estimate).
 */
export function detectDelimiter(
  text: string,
  complete: boolean,
): { delimiter: CsvDelimiter; lines: number; chars: number } {
  const perLine: number[][] = [[], [], []];
  const cur = [0, 0, 0];
  let inQuotes = false;
  let content = false;
  let chars = 0;
  const endLine = (at: number): void => {
    if (content) for (let k = 0; k < 3; k++) perLine[k].push(cur[k]);
    cur.fill(0);
    content = false;
    chars = at;
  };
  for (let i = 0; i < text.length && perLine[0].length < SAMPLE_LINES; i++) {
    const ch = text[i];
    if (ch === '"') {
      inQuotes = !inQuotes;
      content = true;
    } else if (inQuotes) {
      continue;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endLine(i + 1);
    } else {
      const k = CANDIDATES.indexOf(ch as CsvDelimiter);
      if (k >= 0) cur[k]++;
      content = true;
    }
  }
  if (complete && content && perLine[0].length < SAMPLE_LINES) endLine(text.length);
  const lines = perLine[0].length;

  let best: CsvDelimiter = ',';
  let bestScore = -1;
  let bestMode = 0;
  CANDIDATES.forEach((delimiter, k) => {
    const freq = new Map<number, number>();
    for (const n of perLine[k]) if (n > 0) freq.set(n, (freq.get(n) ?? 0) + 1);
    let mode = 0;
    let hits = 0;
    for (const [n, f] of freq) if (f > hits || (f === hits && n > mode)) [mode, hits] = [n, f];
    if (mode === 0) return;
    // Consistent beyond 90% counts as fully consistent, so priority decides between good candidates.
    const score = Math.min(hits / lines, 0.9);
    if (score > bestScore || (score === bestScore && bestScore < 0.9 && mode > bestMode)) {
      best = delimiter;
      bestScore = score;
      bestMode = mode;
    }
  });
  return { delimiter: best, lines, chars };
}

/** Incremental RFC 4180 parser; lenient about stray quotes inside unquoted values. */
export class CsvParser extends RowParser<string> {
  /** The fields of the open row: cells[0, width) (a row is sliced out of it at its exact length). */
  private readonly cells: Row = [];
  private width = 0;
  private rowHasValue = false;
  private field = '';
  private fieldStarted = false;
  private inQuotes = false;
  private pendingQuote = false;
  private pendingCR = false;
  private record = 1;

  constructor(private readonly delimiter: CsvDelimiter) {
    super();
  }

  push(s: string): void {
    const len = s.length;
    if (len === 0) return;
    const delim = this.delimiter;
    let i = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (s.charCodeAt(0) === 10) i = 1;
    } else if (this.pendingQuote) {
      // The previous chunk ended on a quote inside a quoted value: "" (escape) or the closing quote.
      this.pendingQuote = false;
      if (s.charCodeAt(0) === 34) {
        this.field += '"';
        i = 1;
      } else {
        this.inQuotes = false;
      }
    }
    // Next delimiter / LF / CR at or after i; len when none is left in this chunk. Cached so that a
    // file without CR does not rescan the chunk for one at every field.
    let nd = -1;
    let nl = -1;
    let nc = -1;
    while (i < len) {
      if (this.inQuotes) {
        const q = s.indexOf('"', i);
        if (q < 0) {
          this.append(s, i, len);
          return;
        }
        this.append(s, i, q);
        if (q + 1 === len) {
          this.pendingQuote = true;
          return;
        }
        if (s.charCodeAt(q + 1) === 34) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      if (!this.fieldStarted) {
        this.fieldStarted = true;
        if (s.charCodeAt(i) === 34) {
          this.inQuotes = true;
          i++;
          continue;
        }
      }
      if (nd < i) nd = indexOrLen(s, delim, i);
      if (nl < i) nl = indexOrLen(s, '\n', i);
      if (nc < i) nc = indexOrLen(s, '\r', i);
      const end = nd < nl ? (nd < nc ? nd : nc) : nl < nc ? nl : nc;
      if (end === len) {
        this.append(s, i, end);
        return;
      }
      if (this.field === '') {
        // The whole (rest of the) field is in this piece: stored without going through this.field.
        if (end > i) {
          this.cells[this.width++] = s.slice(i, end);
          this.rowHasValue = true;
        } else this.cells[this.width++] = null;
        this.fieldStarted = false;
      } else {
        this.append(s, i, end);
        this.endField();
      }
      if (end === nd) {
        i = end + 1;
        continue;
      }
      this.endRow();
      i = end + 1;
      if (end === nc) {
        if (i === len) this.pendingCR = true;
        else if (s.charCodeAt(i) === 10) i++;
      }
    }
  }

  /** End of input: a last line without a line break still counts; an open quote ends here. */
  end(): void {
    this.inQuotes = false;
    this.pendingQuote = false;
    if (this.fieldStarted || this.width > 0) {
      this.endField();
      this.endRow();
    }
  }

  private append(s: string, from: number, to: number): void {
    if (to <= from) return;
    this.field = this.field === '' ? s.slice(from, to) : this.field + s.slice(from, to);
    if (this.field.length > MAX_FIELD_CHARS) {
      throw new InputError('CSV_FIELD_TOO_LONG', { row: this.record });
    }
  }

  private endField(): void {
    if (this.field === '') {
      this.cells[this.width++] = null;
    } else {
      this.cells[this.width++] = this.field;
      this.rowHasValue = true;
    }
    this.field = '';
    this.fieldStarted = false;
  }

  private endRow(): void {
    if (this.rowHasValue) {
      this.rows.push(this.cells.slice(0, this.width));
      this.rowNumbers.push(this.record);
    }
    this.record++;
    this.width = 0;
    this.rowHasValue = false;
  }
}

function indexOrLen(s: string, ch: string, from: number): number {
  const i = s.indexOf(ch, from);
  return i < 0 ? s.length : i;
}

class CsvSheet implements SheetReader {
  private read = 0;

  constructor(
    readonly name: string,
    readonly estimatedRows: number | null,
    private readonly path: string,
    private readonly size: number,
    private readonly encoding: CsvEncoding,
    private readonly delimiter: CsvDelimiter,
    private readonly chunkSize: number,
  ) {}

  progress(): { done: number; total: number } {
    return { done: this.read, total: this.size };
  }

  async *batches(): AsyncGenerator<RowBatch, void, undefined> {
    this.read = 0;
    const stream = createReadStream(this.path, { highWaterMark: this.chunkSize });
    const parser = new CsvParser(this.delimiter);
    // TextDecoder drops a UTF-8/UTF-16 BOM by itself (ignoreBOM defaults to false).
    const decoder = new TextDecoder(this.encoding);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        this.read += chunk.length;
        // Decoded a piece at a time: a string past V8's regular object size is allocated in the
        // large-object space, which only a full GC frees, and the values sliced from it keep it alive.
        for (let at = 0; at < chunk.length; at += DECODE_BYTES) {
          parser.push(decoder.decode(chunk.subarray(at, at + DECODE_BYTES), { stream: true }));
        }
        const batch = parser.take();
        if (batch) yield batch;
      }
      parser.push(decoder.decode());
      parser.end();
      const batch = parser.take();
      if (batch) yield batch;
    } finally {
      stream.destroy();
    }
  }
}

class CsvWorkbook implements WorkbookReader {
  readonly format = 'csv' as const;
  readonly sheetNames: string[];

  constructor(private readonly only: CsvSheet) {
    this.sheetNames = [only.name];
  }

  sheet(index: number): SheetReader {
    if (index !== 0) throw new RangeError(`No sheet at index ${index} (a CSV file has one).`);
    return this.only;
  }

  async close(): Promise<void> {
    // Each batches() call opens and closes its own stream.
  }
}

/** Lines with content in a whole file's text; a line break inside quotes does not end a line. */
function countLines(text: string): number {
  let lines = 0;
  let inQuotes = false;
  let content = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      inQuotes = !inQuotes;
      content = true;
    } else if (!inQuotes && (ch === 10 || ch === 13)) {
      if (content) lines++;
      content = false;
    } else content = true;
  }
  return content ? lines + 1 : lines;
}

export async function openCsv(path: string, options: CsvOptions = {}): Promise<WorkbookReader> {
  const { size } = await stat(path);
  const fh = await open(path, 'r');
  let sample: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    sample = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const complete = sample.length >= size;
  const { encoding, bom } = detectEncoding(sample, complete);
  const text = new TextDecoder(encoding).decode(sample.subarray(bom), { stream: !complete });
  const { delimiter, lines, chars } = detectDelimiter(text, complete);

  let estimatedRows: number | null = null;
  if (lines > 0) {
    // A file read whole is counted exactly (the delimiter sample stops after SAMPLE_LINES lines).
    if (complete) estimatedRows = lines < SAMPLE_LINES ? lines : countLines(text);
    else if (chars > 0) {
      const bytesPerLine = (chars / lines) * ((sample.length - bom) / Math.max(text.length, 1));
      estimatedRows = Math.max(lines, Math.round((size - bom) / bytesPerLine));
    }
  }
  const name = basename(path, extname(path));
  return new CsvWorkbook(
    new CsvSheet(name, estimatedRows, path, size, encoding, delimiter, options.chunkSize ?? 256 * 1024),
  );
}
