// A small ZIP reader for .xlsx files: only what OOXML packages use (stored and deflated entries,
// Zip64), streaming every entry so memory stays bounded whatever the file claims to hold.
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';
import { InputError } from './types.ts';

export function damaged(): InputError {
  return new InputError('DAMAGED_FILE', {});
}

/** The English sentence of a damaged file (tests compare messages with it). */
export const DAMAGED_MESSAGE = damaged().message;

export interface ZipEntry {
  /** Name as stored in the archive. */
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

export interface ZipLimits {
  /** Inflated bytes allowed over all entries read through one ZipReader. */
  maxTotalInflated?: number;
  /** Compression ratio (inflated / compressed) above which a large entry is a bomb. */
  maxRatio?: number;
  /** Entries declaring less than this are not ratio-checked (small XML parts compress very well). */
  ratioMinSize?: number;
}

export interface OpenEntryOptions {
  /** Called with the number of compressed bytes each time more of the entry is read from disk. */
  onCompressedBytes?: (bytes: number) => void;
  /** Read buffer size (compressed side). */
  readChunkSize?: number;
  /** Inflated chunk size. */
  inflateChunkSize?: number;
}

const DEFAULT_LIMITS: Required<ZipLimits> = {
  maxTotalInflated: 4 * 1024 ** 3,
  maxRatio: 1000,
  ratioMinSize: 50 * 1024 ** 2,
};

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
// Packages have a few dozen parts; a central directory far beyond this is not an .xlsx.
const MAX_CENTRAL_DIRECTORY = 64 * 1024 ** 2;

function bombError(): InputError {
  return new InputError('ZIP_BOMB', {});
}

export function normalizeEntryName(name: string): string {
  let n = name.replace(/\\/g, '/');
  while (n.startsWith('/')) n = n.slice(1);
  return n.toLowerCase();
}

export class ZipReader {
  private readonly byName = new Map<string, ZipEntry>();
  private totalInflated = 0;
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    readonly entries: readonly ZipEntry[],
    private readonly limits: Required<ZipLimits>,
  ) {
    for (const e of entries) {
      const key = normalizeEntryName(e.name);
      if (!this.byName.has(key)) this.byName.set(key, e);
    }
  }

  static async open(path: string, limits: ZipLimits = {}): Promise<ZipReader> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const entries = await readCentralDirectory(fh, size);
      return new ZipReader(fh, size, entries, { ...DEFAULT_LIMITS, ...limits });
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /** Case-insensitive lookup; a leading "/" or backslashes in either name are tolerated. */
  find(name: string): ZipEntry | undefined {
    return this.byName.get(normalizeEntryName(name));
  }

  has(name: string): boolean {
    return this.byName.has(normalizeEntryName(name));
  }

  /** Reads a whole (small) entry into memory; refuses entries declaring more than `maxBytes`. */
  async readEntry(entry: ZipEntry, maxBytes: number): Promise<Buffer> {
    if (entry.uncompressedSize > maxBytes) {
      throw new InputError('PART_TOO_LARGE', { part: entry.name, bytes: entry.uncompressedSize });
    }
    const stream = await this.openEntry(entry);
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async readText(entry: ZipEntry, maxBytes: number): Promise<string> {
    return new TextDecoder().decode(await this.readEntry(entry, maxBytes));
  }

  /**
   * The entry's inflated bytes as a stream. Errors (corrupt data, CRC mismatch, bomb guards) surface
   * as InputError on the stream; destroying it stops reading.
   */
  async openEntry(entry: ZipEntry, options: OpenEntryOptions = {}): Promise<Readable> {
    if (this.closed) throw new Error('ZipReader is closed');
    if (entry.flags & 1) {
      throw new InputError('ENCRYPTED', {});
    }
    if (entry.method !== 0 && entry.method !== 8) {
      throw new InputError('UNSUPPORTED_ZIP', { method: entry.method });
    }
    const { maxRatio, ratioMinSize, maxTotalInflated } = this.limits;
    if (
      entry.uncompressedSize > maxTotalInflated - this.totalInflated ||
      (entry.uncompressedSize > ratioMinSize && entry.uncompressedSize > entry.compressedSize * maxRatio)
    ) {
      throw bombError();
    }
    if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) throw damaged();

    const dataStart = await this.dataOffset(entry);
    if (dataStart + entry.compressedSize > this.size) throw damaged();

    const onCompressed = options.onCompressedBytes;
    let compressedSeen = 0;
    const source = Readable.from(
      readRange(this.fh, dataStart, entry.compressedSize, options.readChunkSize ?? 256 * 1024, (n) => {
        compressedSeen += n;
        onCompressed?.(n);
      }),
      { objectMode: false },
    );

    let inflated = 0;
    let crc = 0;
    const account = (bytes: number): number => (this.totalInflated += bytes);
    const guard = new Transform({
      transform(chunk: Buffer, _enc, cb: TransformCallback) {
        inflated += chunk.length;
        // More data than declared: corrupt, or a bomb lying about its size. Both stop here, and
        // corruption is by far the likelier story for the user.
        if (inflated > entry.uncompressedSize) {
          cb(damaged());
          return;
        }
        if (account(chunk.length) > maxTotalInflated) {
          cb(bombError());
          return;
        }
        // Declared sizes were checked up front; this catches an entry whose data inflates far faster
        // than it is read even so (belt and braces, it costs one comparison per chunk).
        if (inflated > ratioMinSize && inflated > Math.max(compressedSeen, 1) * maxRatio) {
          cb(bombError());
          return;
        }
        crc = crc32(chunk, crc);
        cb(null, chunk);
      },
      flush(cb: TransformCallback) {
        if (inflated !== entry.uncompressedSize || crc >>> 0 !== entry.crc32 >>> 0) {
          cb(damaged());
          return;
        }
        cb();
      },
    });

    // Wired by hand rather than with pipeline() so that a zlib or read error reaches the consumer as
    // the user-facing InputError, and destroying the returned stream (breaking out of for-await)
    // stops the read and the inflater.
    const chain: (Readable | Transform)[] = [source];
    if (entry.method === 8)
      chain.push(createInflateRaw({ chunkSize: options.inflateChunkSize ?? 256 * 1024 }));
    chain.push(guard);
    const stopUpstream = (): void => {
      for (const s of chain) if (s !== guard && !s.destroyed) s.destroy();
    };
    for (let i = 0; i < chain.length - 1; i++) {
      const stage = chain[i];
      stage.pipe(chain[i + 1] as Transform);
      stage.on('error', (err: Error) => {
        stopUpstream();
        if (!guard.destroyed) guard.destroy(err instanceof InputError ? err : damaged());
      });
    }
    guard.on('close', stopUpstream);
    return guard;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  private async dataOffset(entry: ZipEntry): Promise<number> {
    const header = Buffer.alloc(30);
    const { bytesRead } = await this.fh.read(header, 0, 30, entry.localHeaderOffset);
    if (bytesRead < 30 || header.readUInt32LE(0) !== SIG_LOCAL) throw damaged();
    return entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  }
}

/**
 * Reads a byte range with positional reads. (fs read streams on a shared FileHandle close the handle
 * when destroyed, even with autoClose: false, and other entries still need it.)
 */
async function* readRange(
  fh: FileHandle,
  start: number,
  length: number,
  chunkSize: number,
  onRead: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  const end = start + length;
  for (let pos = start; pos < end;) {
    const n = Math.min(chunkSize, end - pos);
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await fh.read(buf, 0, n, pos);
    if (bytesRead === 0) throw damaged();
    pos += bytesRead;
    onRead(bytesRead);
    yield bytesRead === n ? buf : buf.subarray(0, bytesRead);
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead < length) throw damaged();
  return buf;
}

async function readCentralDirectory(fh: FileHandle, size: number): Promise<ZipEntry[]> {
  if (size < EOCD_MIN) throw damaged();
  const tailLength = Math.min(size, EOCD_MIN + MAX_COMMENT);
  const tailStart = size - tailLength;
  const tail = await readAt(fh, tailStart, tailLength);
  let eocd = -1;
  for (let i = tailLength - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + EOCD_MIN + tail.readUInt16LE(i + 20) <= tailLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw damaged();

  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdAbs = tailStart + eocd;
  let cdEnd = eocdAbs;

  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAbs = eocdAbs - 20;
    if (locAbs < 0) throw damaged();
    const loc = await readAt(fh, locAbs, 20);
    if (loc.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) throw damaged();
    const z64Abs = Number(loc.readBigUInt64LE(8));
    if (z64Abs + 56 > locAbs) throw damaged();
    const z64 = await readAt(fh, z64Abs, 56);
    if (z64.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw damaged();
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
    cdEnd = z64Abs;
  }

  if (cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > cdEnd || count > cdSize / 46) throw damaged();
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw damaged();
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const nameStart = p + 46;
    const extraStart = nameStart + nameLen;
    const next = extraStart + extraLen + commentLen;
    if (next > cd.length) throw damaged();
    // Names are UTF-8 when flag bit 11 is set; OOXML part names are ASCII either way.
    const name = cd.toString('utf8', nameStart, extraStart);

    if (
      uncompressedSize === 0xffffffff ||
      compressedSize === 0xffffffff ||
      localHeaderOffset === 0xffffffff
    ) {
      // Zip64 extended information: only the fields that overflowed are present, in this order.
      let q = extraStart;
      const extraEnd = extraStart + extraLen;
      let found = false;
      while (q + 4 <= extraEnd) {
        const id = cd.readUInt16LE(q);
        const len = cd.readUInt16LE(q + 2);
        if (q + 4 + len > extraEnd) break;
        if (id === 0x0001) {
          let f = q + 4;
          const fEnd = f + len;
          const take = (): number => {
            if (f + 8 > fEnd) throw damaged();
            const v = Number(cd.readBigUInt64LE(f));
            f += 8;
            return v;
          };
          if (uncompressedSize === 0xffffffff) uncompressedSize = take();
          if (compressedSize === 0xffffffff) compressedSize = take();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
          found = true;
          break;
        }
        q += 4 + len;
      }
      if (!found) throw damaged();
    }
    if (localHeaderOffset + 30 > cdOffset || !Number.isSafeInteger(uncompressedSize)) throw damaged();
    entries.push({ name, method, flags, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset });
    p = next;
  }
  return entries;
}
