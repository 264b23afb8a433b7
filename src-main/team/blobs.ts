// Files in Redis under their content hash: chunks of 1 MiB and a meta key written last (a blob
// whose meta exists is complete), with a TTL. Uploading content that is there already is a no-op;
// a download is checked against the hash before it is used.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { CodedError, type ErrorCode } from '../common/errors.ts';
import { SHA256 } from './job-data.ts';

export const CHUNK_BYTES = 1024 * 1024;
/** Team jobs take files up to this size (inputs and results); bigger ones run locally. */
export const DEFAULT_MAX_BLOB_BYTES = 200 * 1024 * 1024;
export const DEFAULT_BLOB_TTL_SECONDS = 7 * 86_400;

/** A team file that cannot be stored or used as it is: a coded sentence saying what to do. */
export class BlobError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  override name = 'BlobError';
}

/** What a team file is, for the sentences about it: a submitted file, a job's input, a job's result. */
export type BlobWhat = 'file' | 'input' | 'result';

export interface BlobMeta {
  size: number;
  chunks: number;
}

export class BlobStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly maxBytes = DEFAULT_MAX_BLOB_BYTES,
    private readonly ttlSeconds = DEFAULT_BLOB_TTL_SECONDS,
  ) {}

  private key(sha: string, part: number | 'meta'): string {
    return `${this.prefix}:blob:${sha}:${part}`;
  }

  /** Why a file is over the cap (a coded sentence), or null. */
  tooBig(size: number, what: BlobWhat = 'file'): BlobError<'TEAM_FILE_OVER_LIMIT'> | null {
    if (size <= this.maxBytes) return null;
    const mb = (n: number) => Math.ceil(n / 1048576);
    return new BlobError('TEAM_FILE_OVER_LIMIT', { what, mb: mb(size), limitMb: mb(this.maxBytes) });
  }

  /** Hashes a file (streaming). */
  static async hashFile(path: string): Promise<{ sha256: string; size: number }> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    return { sha256: hash.digest('hex'), size };
  }

  async has(sha: string): Promise<boolean> {
    return (await this.redis.exists(this.key(sha, 'meta'))) === 1;
  }

  /** Uploads a file whose hash is known (or computes it); returns the hash. `what`: for the sentences. */
  async put(
    path: string,
    known?: { sha256: string; size: number },
    what: BlobWhat = 'file',
  ): Promise<{ sha256: string; size: number }> {
    const { sha256, size } = known ?? (await BlobStore.hashFile(path));
    const big = this.tooBig(size, what);
    if (big) throw big;
    const meta = this.key(sha256, 'meta');
    const chunks = Math.max(1, Math.ceil(size / CHUNK_BYTES));
    if (await this.redis.exists(meta)) {
      // Already there: keep it as long as a new upload would live.
      const refresh = this.redis.multi().expire(meta, this.ttlSeconds);
      for (let i = 0; i < chunks; i++) refresh.expire(this.key(sha256, i), this.ttlSeconds);
      await refresh.exec();
      return { sha256, size };
    }
    let part = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const hash = createHash('sha256');
    const flush = async () => {
      const body = Buffer.concat(pending, pendingBytes);
      await this.redis.set(this.key(sha256, part++), body, 'EX', this.ttlSeconds);
      pending = [];
      pendingBytes = 0;
    };
    for await (const chunk of createReadStream(path, {
      highWaterMark: 256 * 1024,
    }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      let rest = chunk;
      while (rest.length > 0) {
        const take = Math.min(rest.length, CHUNK_BYTES - pendingBytes);
        pending.push(rest.subarray(0, take));
        pendingBytes += take;
        rest = rest.subarray(take);
        if (pendingBytes === CHUNK_BYTES) await flush();
      }
    }
    if (pendingBytes > 0 || part === 0) await flush();
    if (hash.digest('hex') !== sha256) throw new BlobError('TEAM_FILE_CHANGED', { what });
    await this.redis.set(
      meta,
      JSON.stringify({ size, chunks: part } satisfies BlobMeta),
      'EX',
      this.ttlSeconds,
    );
    return { sha256, size };
  }

  /**
   * Downloads a blob to `dest` (through `dest.part-…`, renamed when complete and verified). The content
   * must hash to `sha` and be at most the cap, whatever the meta key claims.
   */
  async get(sha: string, dest: string): Promise<number> {
    if (!SHA256.safeParse(sha).success) throw new BlobError('TEAM_FILE_BAD_HASH', {});
    const raw = await this.redis.get(this.key(sha, 'meta'));
    if (!raw) throw new BlobError('TEAM_FILE_EXPIRED', {});
    let meta: BlobMeta;
    try {
      meta = JSON.parse(raw) as BlobMeta;
    } catch {
      throw new BlobError('TEAM_FILE_RECORD_DAMAGED', {});
    }
    if (
      !Number.isInteger(meta.chunks) ||
      meta.chunks < 1 ||
      meta.chunks > Math.ceil(this.maxBytes / CHUNK_BYTES) + 1
    )
      throw new BlobError('TEAM_FILE_RECORD_DAMAGED', {});
    // Per process: two processes sharing a data dir may fetch the same blob at once.
    const part = `${dest}.part-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const out = createWriteStream(part);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for (let i = 0; i < meta.chunks; i++) {
        const body = await this.redis.getBuffer(this.key(sha, i));
        if (!body) throw new BlobError('TEAM_FILE_PART_MISSING', {});
        size += body.length;
        if (size > this.maxBytes) throw new BlobError('TEAM_FILE_TOO_LARGE', {});
        hash.update(body);
        if (!out.write(body)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      if (hash.digest('hex') !== sha) throw new BlobError('TEAM_FILE_HASH_MISMATCH', {});
      renameSync(part, dest);
      return size;
    } catch (err) {
      out.destroy();
      rmSync(part, { force: true });
      throw err;
    }
  }

  /** A local file of this content exists already (a worker keeps its downloaded inputs). */
  static matches(path: string, size: number): boolean {
    try {
      return statSync(path).size === size;
    } catch {
      return false;
    }
  }
}
