import type { WriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { CellValue } from './types.ts';
import { Utf8Chunks } from './utf8-chunks.ts';

export interface CsvWriterOptions {
  /** Field separator, one character; default ','. (Excel in e.g. Russian locales expects ';'.) */
  delimiter?: string;
  /** Written as the first row. */
  header?: readonly string[];
}

/** Rows are encoded straight into chunks of this size: one stream write per chunk, not per row. */
const CHUNK_BYTES = 256 * 1024;
const HIGH_WATER = 1024 * 1024;
const DAY_MS = 86_400_000;

/**
 * A streaming CSV writer: UTF-8 with BOM (so Excel detects the encoding), CRLF line ends, RFC 4180 quoting.
 * Text that a spreadsheet would take for a formula is defused with a leading apostrophe.
 */
export class CsvWriter {
  private readonly chunks = new Utf8Chunks(CHUNK_BYTES);
  private rows = 0;
  private error: Error | null = null;
  private readonly waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private readonly needsQuotes: RegExp;
  private state: 'open' | 'finished' | 'aborted' = 'open';
  /** Resolves once the stream has closed the file (after fsync when ended normally). */
  private readonly closed: Promise<void>;

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
    private readonly delimiter: string,
  ) {
    this.needsQuotes = new RegExp(`["\\r\\n${delimiter.replace(/[\\\]^-]/g, '\\$&')}]`);
    stream.on('drain', () => this.wake());
    stream.on('error', (err) => {
      this.error ??= err;
      this.wake();
    });
    this.closed = new Promise((resolve) => stream.once('close', resolve));
  }

  static async create(path: string, options: CsvWriterOptions = {}): Promise<CsvWriter> {
    const delimiter = options.delimiter ?? ',';
    if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
      throw new RangeError(`bad CSV delimiter ${JSON.stringify(delimiter)}`);
    }
    // Opened here, not lazily by the stream, so that a bad path fails now. `flush` fsyncs before closing.
    const file = await open(path, 'w');
    const stream = file.createWriteStream({ highWaterMark: HIGH_WATER, flush: true });
    const writer = new CsvWriter(path, stream, delimiter);
    writer.append('\uFEFF');
    if (options.header) await writer.writeRow(options.header);
    return writer;
  }

  /** Rows written so far, the header included. */
  get rowCount(): number {
    return this.rows;
  }

  /**
   * Usually returns nothing; once per filled chunk (~256 KiB) it returns a Promise that resolves when the
   * disk has caught up (often at once). Await it before writing more.
   */
  writeRow(values: readonly CellValue[]): void | Promise<void> {
    if (this.error) throw this.error;
    if (this.state !== 'open') throw new Error(`CSV writer is ${this.state}`);
    let line = '';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) line += this.delimiter;
      line += this.field(values[i]);
    }
    this.rows++;
    return this.append(line + '\r\n');
  }

  /** Writes what is left, fsyncs and closes the file. */
  async finish(): Promise<void> {
    if (this.state !== 'open') throw new Error(`CSV writer is ${this.state}`);
    try {
      if (this.error) throw this.error;
      await this.flush();
      this.stream.end();
      await this.closed;
      if (this.error) throw this.error;
      this.state = 'finished';
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Stops and removes the file (also after `finish`). Safe to call twice. */
  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    this.error ??= new Error('aborted');
    this.wake();
    if (wasOpen) {
      this.stream.destroy();
      // Windows cannot delete a file that is still open.
      await this.closed;
    }
    await rm(this.path, { force: true });
  }

  private field(v: CellValue | undefined): string {
    if (v === null || v === undefined) return '';
    switch (typeof v) {
      case 'number':
        return Number.isFinite(v) ? String(v) : '';
      case 'boolean':
        return v ? 'TRUE' : 'FALSE';
      case 'string':
        return this.text(v);
      default:
        return formatDate(v);
    }
  }

  private text(s: string): string {
    if (s.length === 0) return s;
    const c = s.charCodeAt(0);
    // = + - @ start a formula in Excel/LibreOffice/Sheets; tab and CR can hide such a start (OWASP CSV injection).
    if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) s = "'" + s;
    return this.needsQuotes.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
  }

  private append(text: string): void | Promise<void> {
    const full = this.chunks.append(text);
    if (full) return this.hand(full);
  }

  private flush(): void | Promise<void> {
    return this.hand(this.chunks.take());
  }

  /** Hands a chunk to the stream (which keeps it until written). */
  private hand(bytes: Buffer): void | Promise<void> {
    if (bytes.length === 0) return;
    if (!this.stream.write(bytes)) {
      if (this.error) return Promise.reject(this.error);
      return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
    // Write completions arrive through the event loop; yielding once per chunk lets them keep up.
    return new Promise((resolve) => setImmediate(resolve));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) {
      if (this.error) w.reject(this.error);
      else w.resolve();
    }
  }
}

/** ISO date (yyyy-mm-dd), with " HH:MM:SS" when there is a time part. UTC, as the readers produce it. */
export function formatDate(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) return '';
  const iso = d.toISOString();
  if (t % DAY_MS === 0) return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
