import { createWriteStream, existsSync, fsync, truncateSync, type WriteStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { Utf8Chunks } from './utf8-chunks.ts';

export interface ZipWriterOptions {
  /** zlib deflate level 0..9; default 1 (the output is mostly repetitive XML, higher levels cost speed for little gain). */
  compressionLevel?: number;
  /** Modification time stored for every entry; default now. */
  mtime?: Date;
  /** Test hook: sizes, offsets and counts at or above this value are written as Zip64. Default 0xFFFFFFFF. */
  zip64Threshold?: number;
}

/** Where a streamed entry stands on disk at a sync point: enough to carry on after a crash. */
export interface EntryState {
  tempPath: string;
  /** Compressed bytes on disk up to the sync point (the temp file is cut back to this on resume). */
  compressed: number;
  crc: number;
  size: number;
  ended: boolean;
}

/** One streamed entry. Call `write` until done, then `end`. */
export interface ZipEntryWriter {
  readonly name: string;
  /**
   * Queues text (encoded as UTF-8). Usually returns nothing; once per filled chunk (~256 KiB) it returns a
   * Promise, which resolves at once or, when deflate/disk are behind, once they caught up. The caller must
   * await it before writing more, or memory grows without bound.
   */
  write(text: string): void | Promise<void>;
  /**
   * Queues bytes that are already UTF-8, after any text queued before; the entry takes them over (the
   * caller must not touch them again). Returns a Promise to await before writing more, as `write` does
   * for a full chunk: hand chunks of ~256 KiB, not small pieces.
   */
  writeBytes(bytes: Uint8Array): Promise<void>;
  /** Flushes, closes the temporary file; resolves once it is complete on disk. */
  end(): Promise<void>;
  /**
   * Makes everything written so far durable and byte-aligned (a deflate sync flush, then fsync), and
   * says where the entry stands: a writer resumed from that state continues the same entry.
   */
  syncPoint(): Promise<EntryState>;
}

/**
 * Text is encoded straight into chunks of this size (cheaper than joining strings first) and each chunk is
 * one CRC update and one deflate call.
 */
export const CHUNK_BYTES = 256 * 1024;

// Chunks deflate is done with, to be filled again. A 1M-line Result renders ~740 MB in 256 KiB chunks:
// a fresh buffer for each left tens of MB of dead ones waiting for the garbage collector at any time
// (their memory is outside the JS heap, which does not see the pressure soon enough).
const spareChunks: Buffer[] = [];
const pooled = new WeakSet<ArrayBufferLike>();
const MAX_SPARE = 8;

/** A chunk of CHUNK_BYTES to render into and hand to writeBytes whole or as its start (subarray). */
export function chunkBuffer(): Buffer {
  const spare = spareChunks.pop();
  if (spare) return spare;
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  pooled.add(buf.buffer);
  return buf;
}

/** Takes a chunk from chunkBuffer back once nothing reads it any more (others are left to the GC). */
function recycle(bytes: Uint8Array): void {
  if (!pooled.has(bytes.buffer) || spareChunks.length >= MAX_SPARE) return;
  spareChunks.push(Buffer.from(bytes.buffer, 0, CHUNK_BYTES));
}
/** How much deflate may hold before `write` asks the caller to wait. */
const DEFLATE_HIGH_WATER = 1024 * 1024;
/** zlib's output buffer; each fill costs a round trip to the thread pool, so the 16 KiB default is too small. */
const DEFLATE_OUT_CHUNK = 128 * 1024;
const COPY_BUFFER = 1024 * 1024;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Plain-JS CRC-32 (the zip polynomial), for runtimes without `zlib.crc32`. */
export function tableCrc32(data: Uint8Array, value = 0): number {
  let crc = ~value;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

// zlib.crc32 arrived in Node 20.15/22.2; keep working on older runtimes (e.g. an Electron with an older Node).
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof nativeCrc32 === 'function' ? nativeCrc32 : tableCrc32;

interface Entry {
  name: string;
  nameBytes: Buffer;
  crc: number;
  size: number;
  compressedSize: number;
  /** Compressed bytes in memory (small files) or in a temporary file (streamed entries). */
  data: Buffer | null;
  tempPath: string | null;
}

class StreamedEntry implements ZipEntryWriter {
  readonly entry: Entry;
  private readonly chunks = new Utf8Chunks(CHUNK_BYTES);
  /** Text is waiting in `chunks`. */
  private textPending = false;
  private crc = 0;
  private size = 0;
  private readonly deflate: zlib.DeflateRaw;
  private readonly file: WriteStream;
  private error: Error | null = null;
  private ended: Promise<void> | null = null;
  private readonly waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  /** Always resolves (failures land in `error`) so an unobserved failure never becomes an unhandled rejection. */
  private readonly closed: Promise<void>;
  /** The temporary file's descriptor is closed (Windows cannot delete or reliably reopen it before). */
  private readonly fileClosed: Promise<void>;
  /** Compressed bytes already in the temp file when this writer took it over (resume). */
  private readonly base: number;

  constructor(name: string, tempPath: string, level: number, resume?: EntryState) {
    this.entry = {
      name,
      nameBytes: Buffer.from(name, 'utf8'),
      crc: 0,
      size: 0,
      compressedSize: 0,
      data: null,
      tempPath,
    };
    // Zlib streams take stream options too, though @types/node's ZlibOptions does not list them.
    const options: zlib.ZlibOptions = { level, chunkSize: DEFLATE_OUT_CHUNK };
    Object.assign(options, { writableHighWaterMark: DEFLATE_HIGH_WATER });
    this.deflate = zlib.createDeflateRaw(options);
    if (resume) {
      // What followed the sync point is an unfinished tail: cut it off and append after it. A fresh
      // deflate stream may follow a sync-flushed one: inflate reads on through the next block.
      truncateSync(tempPath, resume.compressed);
      this.base = resume.compressed;
      this.crc = resume.crc;
      this.size = resume.size;
      this.file = createWriteStream(tempPath, { flags: 'r+', start: resume.compressed });
    } else {
      this.base = 0;
      this.file = createWriteStream(tempPath);
    }
    this.fileClosed = new Promise((resolve) => this.file.once('close', resolve));
    this.deflate.on('drain', () => this.wake());
    this.closed = new Promise((resolve) => {
      pipeline(this.deflate, this.file, (err) => {
        if (err) this.error ??= err;
        else if (!this.ended) this.error ??= new Error(`zip entry ${name} closed early`);
        resolve();
        this.wake();
      });
    });
  }

  get name(): string {
    return this.entry.name;
  }

  write(text: string): void | Promise<void> {
    if (this.error) throw this.error;
    if (this.ended) throw new Error(`zip entry ${this.entry.name} is already ended`);
    const full = this.chunks.append(text);
    this.textPending = true;
    if (full) return this.hand(full);
  }

  writeBytes(bytes: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    if (this.ended) throw new Error(`zip entry ${this.entry.name} is already ended`);
    if (this.textPending) ignore(this.flush());
    return this.hand(bytes) ?? Promise.resolve();
  }

  end(): Promise<void> {
    this.ended ??= this.close();
    return this.ended;
  }

  async syncPoint(): Promise<EntryState> {
    if (this.error) throw this.error;
    const state = (ended: boolean): EntryState => ({
      tempPath: this.entry.tempPath!,
      compressed: this.base + this.file.bytesWritten,
      crc: this.crc,
      size: this.size,
      ended,
    });
    if (this.ended) {
      await this.ended;
      return state(true);
    }
    const wait = this.flush();
    if (wait) await wait;
    await new Promise<void>((resolve) => this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    // The flushed bytes pass through the pipeline to the file; wait until the file has them all.
    while (this.deflate.readableLength > 0 || this.file.writableLength > 0 || this.file.pending) {
      if (this.error) throw this.error;
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise<void>((resolve, reject) =>
      fsync((this.file as unknown as { fd: number }).fd, (err) => (err ? reject(err) : resolve())),
    );
    return state(false);
  }

  /** Stops at once, discarding what was written; the temporary file is left for the owner to remove. */
  async destroy(): Promise<void> {
    this.error ??= new Error('aborted');
    this.chunks.release();
    this.deflate.destroy();
    this.file.destroy();
    await this.closed;
    await this.fileClosed;
  }

  private flush(): void | Promise<void> {
    if (!this.textPending) return;
    this.textPending = false;
    return this.hand(this.chunks.take());
  }

  /** Hands a chunk to deflate (which keeps it until compressed). */
  private hand(bytes: Uint8Array): void | Promise<void> {
    if (bytes.length === 0) return;
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    // Once deflate has taken the bytes in, a chunk of the pool can be filled again (not after a
    // failure: a destroyed stream's last write may still be running in the thread pool).
    if (!this.deflate.write(bytes, (err) => err || recycle(bytes))) return this.drained();
    // zlib hands each finished piece back through the event loop; a producer that never yields would
    // stall it until the high-water mark, so compression would not overlap with producing. Yield once per chunk.
    return new Promise((resolve) => setImmediate(resolve));
  }

  private drained(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** On 'drain', or when the pipeline stops (then with the error: a dead stream never drains). */
  private wake(): void {
    const waiters = this.waiters.splice(0);
    for (const w of waiters) {
      if (this.error) w.reject(this.error);
      else w.resolve();
    }
  }

  private async close(): Promise<void> {
    if (!this.error) {
      await this.flush();
      this.deflate.end();
    }
    this.chunks.release();
    await this.closed;
    if (this.error) throw this.error;
    await this.fileClosed;
    this.entry.crc = this.crc;
    this.entry.size = this.size;
    this.entry.compressedSize = this.base + this.file.bytesWritten;
  }
}

/** An entry completed before a crash: its temporary file is whole, only its figures are needed. */
class FinishedEntry implements ZipEntryWriter {
  readonly entry: Entry;

  constructor(
    name: string,
    private readonly state: EntryState,
  ) {
    this.entry = {
      name,
      nameBytes: Buffer.from(name, 'utf8'),
      crc: state.crc,
      size: state.size,
      compressedSize: state.compressed,
      data: null,
      tempPath: state.tempPath,
    };
  }

  get name(): string {
    return this.entry.name;
  }

  write(): void {
    throw new Error(`zip entry ${this.entry.name} is already ended`);
  }

  writeBytes(): Promise<void> {
    throw new Error(`zip entry ${this.entry.name} is already ended`);
  }

  async end(): Promise<void> {}

  async syncPoint(): Promise<EntryState> {
    return this.state;
  }

  async destroy(): Promise<void> {}
}

/**
 * A minimal ZIP writer. Streamed entries are deflated into their own temporary files next to the output
 * (so several can be written at once); `finish` assembles the archive. Local headers carry the real CRC
 * and sizes (no data descriptors), which streaming readers prefer.
 */
export class ZipWriter {
  private readonly files: Entry[] = [];
  private readonly streams: (StreamedEntry | FinishedEntry)[] = [];
  private readonly names = new Set<string>();
  private readonly level: number;
  private readonly mtime: Date;
  private readonly threshold: number;
  private state: 'open' | 'finishing' | 'finished' | 'aborted' = 'open';

  private constructor(
    readonly path: string,
    private out: FileHandle | null,
    options: ZipWriterOptions,
  ) {
    this.level = options.compressionLevel ?? 1;
    this.mtime = options.mtime ?? new Date();
    this.threshold = options.zip64Threshold ?? MAX32;
  }

  /** Creates (truncates) the output file at once, so a bad path fails here rather than at the end. */
  static async create(path: string, options: ZipWriterOptions = {}): Promise<ZipWriter> {
    const level = options.compressionLevel ?? 1;
    if (!Number.isInteger(level) || level < 0 || level > 9)
      throw new RangeError(`bad compression level ${level}`);
    return new ZipWriter(path, await open(path, 'w'), options);
  }

  /**
   * Starts a streamed entry. Entries are stored in the order added, after all `addFile` entries.
   * With `resume` (a state from `syncPoint`), carries on that entry's temporary file instead.
   */
  addEntry(name: string, resume?: EntryState): ZipEntryWriter {
    this.claim(name);
    const tempPath = resume?.tempPath ?? this.freeTempPath();
    const entry = resume?.ended
      ? new FinishedEntry(name, resume)
      : new StreamedEntry(name, tempPath, this.level, resume);
    this.streams.push(entry);
    return entry;
  }

  /** A temporary file name next to the output that no entry uses (resumed entries keep theirs). */
  private freeTempPath(): string {
    const taken = new Set(this.streams.map((e) => e.entry.tempPath));
    for (let i = this.streams.length; ; i++) {
      const candidate = join(dirname(this.path), `${basename(this.path)}.${i}.zpart`);
      if (!taken.has(candidate) && !existsSync(candidate)) return candidate;
    }
  }

  /**
   * Adds a small entry held in memory. These go first in the archive, so that streaming readers meet
   * the metadata (e.g. workbook.xml, styles.xml) before the big streamed parts.
   */
  addFile(name: string, data: string | Uint8Array): void {
    this.claim(name);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const compressed = zlib.deflateRawSync(bytes, { level: this.level });
    this.files.push({
      name,
      nameBytes: Buffer.from(name, 'utf8'),
      crc: crc32(bytes),
      size: bytes.length,
      compressedSize: compressed.length,
      data: compressed,
      tempPath: null,
    });
  }

  /** Ends any open entries, writes the archive, fsyncs it and removes the temporaries. On failure, cleans up as `abort` does. */
  async finish(): Promise<void> {
    if (this.state !== 'open') throw new Error(`zip writer is ${this.state}`);
    this.state = 'finishing';
    try {
      await Promise.all(this.streams.map((s) => s.end()));
      await this.assemble();
      this.state = 'finished';
    } catch (err) {
      this.state = 'open';
      await this.abort();
      throw err;
    }
    await this.removeTemporaries();
  }

  /** Stops everything and removes every file this writer created, the output included. Safe to call twice. */
  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    await Promise.all(this.streams.map((s) => s.destroy()));
    await this.closeOutput();
    await this.removeTemporaries();
    await rm(this.path, { force: true });
  }

  private claim(name: string): void {
    if (this.state !== 'open') throw new Error(`zip writer is ${this.state}`);
    if (this.names.has(name)) throw new Error(`duplicate zip entry ${name}`);
    this.names.add(name);
  }

  private async closeOutput(): Promise<void> {
    const out = this.out;
    this.out = null;
    await out?.close().catch(() => undefined);
  }

  private async removeTemporaries(): Promise<void> {
    await Promise.all(this.streams.map((s) => rm(s.entry.tempPath!, { force: true })));
  }

  private async assemble(): Promise<void> {
    const out = this.out!;
    const entries = [...this.files, ...this.streams.map((s) => s.entry)];
    const dos = dosDateTime(this.mtime);
    const big = (n: number): boolean => n >= this.threshold;
    let position = 0;
    const central: Buffer[] = [];
    const copyBuffer = Buffer.allocUnsafe(COPY_BUFFER);

    for (const e of entries) {
      const offset = position;
      const zip64Sizes = big(e.size) || big(e.compressedSize);
      const zip64Offset = big(offset);
      const version = zip64Sizes || zip64Offset ? 45 : 20;

      const localExtra = zip64Sizes ? zip64Extra([e.size, e.compressedSize]) : Buffer.alloc(0);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      writeEntryFields(local, 4, e, version, dos, zip64Sizes, localExtra.length);
      position += await writeAll(out, Buffer.concat([local, e.nameBytes, localExtra]), position);

      if (e.data) position += await writeAll(out, e.data, position);
      else position += await copyInto(out, position, e.tempPath!, e.compressedSize, copyBuffer);

      const centralExtra = zip64Extra([
        ...(zip64Sizes ? [e.size, e.compressedSize] : []),
        ...(zip64Offset ? [offset] : []),
      ]);
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(version, 4); // made by: MS-DOS attributes, spec version
      writeEntryFields(header, 6, e, version, dos, zip64Sizes, centralExtra.length);
      // comment length, disk number, internal and external attributes stay 0
      header.writeUInt32LE(zip64Offset ? MAX32 : offset, 42);
      central.push(header, e.nameBytes, centralExtra);
    }

    const centralStart = position;
    const centralBytes = Buffer.concat(central);
    position += await writeAll(out, centralBytes, position);

    const count = entries.length;
    const countBig = count >= Math.min(this.threshold, MAX16);
    const sizeBig = big(centralBytes.length);
    const startBig = big(centralStart);
    const tail: Buffer[] = [];
    if (countBig || sizeBig || startBig) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4); // size of the rest of this record
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      // this disk and the central directory's disk stay 0
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(centralBytes.length), 40);
      record.writeBigUInt64LE(BigInt(centralStart), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(position), 8);
      locator.writeUInt32LE(1, 16); // total disks
      tail.push(record, locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(countBig ? MAX16 : count, 8);
    end.writeUInt16LE(countBig ? MAX16 : count, 10);
    end.writeUInt32LE(sizeBig ? MAX32 : centralBytes.length, 12);
    end.writeUInt32LE(startBig ? MAX32 : centralStart, 16);
    tail.push(end);
    await writeAll(out, Buffer.concat(tail), position);

    await out.sync();
    await this.closeOutput();
  }
}

/**
 * The fields a local header and a central-directory header share, in the same order: from "version
 * needed to extract" (offset 4 in a local header, 6 in a central one) to the extra field's length.
 */
function writeEntryFields(
  header: Buffer,
  at: number,
  e: Entry,
  version: number,
  dos: { time: number; date: number },
  zip64Sizes: boolean,
  extraLength: number,
): void {
  header.writeUInt16LE(version, at);
  header.writeUInt16LE(0x0800, at + 2); // names are UTF-8
  header.writeUInt16LE(8, at + 4); // deflate
  header.writeUInt16LE(dos.time, at + 6);
  header.writeUInt16LE(dos.date, at + 8);
  header.writeUInt32LE(e.crc, at + 10);
  header.writeUInt32LE(zip64Sizes ? MAX32 : e.compressedSize, at + 14);
  header.writeUInt32LE(zip64Sizes ? MAX32 : e.size, at + 18);
  header.writeUInt16LE(e.nameBytes.length, at + 22);
  header.writeUInt16LE(extraLength, at + 24);
}

/** A Zip64 "extended information" extra field holding the given 8-byte values in order. */
function zip64Extra(values: number[]): Buffer {
  if (values.length === 0) return Buffer.alloc(0);
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => extra.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return extra;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

async function writeAll(out: FileHandle, data: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await out.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
  return data.length;
}

async function copyInto(
  out: FileHandle,
  position: number,
  sourcePath: string,
  expected: number,
  buffer: Buffer,
): Promise<number> {
  const source = await open(sourcePath, 'r');
  try {
    let copied = 0;
    for (;;) {
      const { bytesRead } = await source.read(buffer, 0, buffer.length, copied);
      if (bytesRead === 0) break;
      await writeAll(out, buffer.subarray(0, bytesRead), position + copied);
      copied += bytesRead;
    }
    if (copied !== expected) throw new Error(`${sourcePath}: expected ${expected} bytes, found ${copied}`);
    return copied;
  } finally {
    await source.close();
  }
}

function ignore(p: void | Promise<void>): void {
  if (p) p.catch(() => undefined);
}
