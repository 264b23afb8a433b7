import type { WriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { CellValue } from './types.ts';
import { putAscii, putBytes, putCsvQuoted, putCsvText, putNumber } from './write-xml.ts';

export interface CsvWriterOptions {
  /** Field separator, one character; default ','. (Excel in e.g. Russian locales expects ';'.) */
  delimiter?: string;
  /** Written as the first row. */
  header?: readonly string[];
}

/** Rows are encoded straight into chunks of this size: one stream write per chunk, not per row. */
const CHUNK_BYTES = 256 * 1024;
/** Room a field needs besides 3 bytes per UTF-16 unit of its text: delimiter, quotes, prefix, a number or date. */
const FIELD_ROOM = 40;
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
const TRUE = new Uint8Array([84, 82, 85, 69]);
const FALSE = new Uint8Array([70, 65, 76, 83, 69]);
const HIGH_WATER = 1024 * 1024;
const DAY_MS = 86_400_000;

/**
 * A streaming CSV writer: UTF-8 with BOM (so Excel detects the encoding), CRLF line ends, RFC 4180 quoting.
 * Text that a spreadsheet would take for a formula is defused with a leading apostrophe.
 */
export class CsvWriter {
  /** Rows are written straight into this chunk as UTF-8; it goes to the stream (which then owns it) when full. */
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private readonly delimiterBytes: Uint8Array;
  /** The delimiter as one UTF-16 unit; -1 for one outside the BMP (then found with includes()). */
  private readonly delimiterCode: number;
  private rows = 0;
  private error: Error | null = null;
  private readonly waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private state: 'open' | 'finished' | 'aborted' = 'open';
  /** Resolves once the stream has closed the file (after fsync when ended normally). */
  private readonly closed: Promise<void>;

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
    private readonly delimiter: string,
  ) {
    this.delimiterBytes = Buffer.from(delimiter, 'utf8');
    this.delimiterCode = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
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
    writer.pos = putBytes(writer.buf, 0, BOM);
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
    let wait: void | Promise<void> = undefined;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const need = FIELD_ROOM + (typeof v === 'string' ? 3 * v.length : 0);
      if (this.pos + need > this.buf.length) wait = later(wait, this.spill(need));
      const buf = this.buf;
      let p = this.pos;
      if (i > 0) p = putBytes(buf, p, this.delimiterBytes);
      if (v !== null && v !== undefined) {
        switch (typeof v) {
          case 'number':
            if (Number.isFinite(v)) p = putNumber(buf, p, v);
            break;
          case 'boolean':
            p = putBytes(buf, p, v ? TRUE : FALSE);
            break;
          case 'string':
            p = this.putText(buf, p, v);
            break;
          default:
            p = putAscii(buf, p, formatDate(v));
        }
      }
      this.pos = p;
    }
    if (this.pos + 2 > this.buf.length) wait = later(wait, this.spill(2));
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
    this.rows++;
    return wait;
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

  private putText(buf: Buffer, p: number, s: string): number {
    if (s.length === 0) return p;
    const c = s.charCodeAt(0);
    // = + - @ start a formula in Excel/LibreOffice/Sheets; tab and CR can hide such a start (OWASP CSV injection).
    const prefix = c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 ? 39 : 0;
    const delimiter = this.delimiterCode;
    if (!((prefix && delimiter === 39) || (delimiter < 0 && s.includes(this.delimiter)))) {
      let q = p;
      if (prefix) buf[q++] = prefix;
      q = putCsvText(buf, q, s, delimiter);
      if (q >= 0) return q;
    }
    return putCsvQuoted(buf, p, s, prefix);
  }

  /** Hands on the full chunk and starts one with room for `need` bytes. */
  private spill(need: number): void | Promise<void> {
    const wait = this.flush();
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    return wait;
  }

  private flush(): void | Promise<void> {
    if (this.pos === 0) return;
    const bytes = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    return this.hand(bytes);
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

/** The later of two waits (a chunk handed on in the same row); the earlier one must not go unobserved. */
function later(earlier: void | Promise<void>, next: void | Promise<void>): void | Promise<void> {
  if (!next) return earlier;
  if (earlier) earlier.catch(() => undefined);
  return next;
}

/** ISO date (yyyy-mm-dd), with " HH:MM:SS" when there is a time part. UTC, as the readers produce it. */
export function formatDate(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) return '';
  const iso = d.toISOString();
  if (t % DAY_MS === 0) return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
