import { Readable } from 'node:stream';
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import { InputError } from '../io/types.ts';
import { ClickHouseConnection, type ClickHouseConfig } from './clickhouse.ts';
import { quoteIdentifier, quoteString } from './clickhouse-quote.ts';
import { DEMO_LISTS, DEMO_SUPPLIERS, demoOffers, demoPart } from './demo-data.ts';
import { rowBinaryString } from './rowbinary.ts';

// The canonical schema, exactly as PRODUCT.md "Data sources" shows it.
const OFFERS_SCHEMA = `(
  brand String,
  article String,
  supplier String,
  name String,
  price Float64,
  currency String,
  quantity UInt32,
  delivery_days UInt16
) ENGINE = MergeTree ORDER BY (brand, article)`;
const LISTS_SCHEMA = '(list String, supplier String) ENGINE = MergeTree ORDER BY (list, supplier)';

// Rows are generated in JS (the demo generators and normalization are JS) and streamed as one
// RowBinary INSERT: no escaping, and the server cuts the stream into blocks itself. A chunk is a
// few MB, so memory stays flat and progress moves as the server consumes the stream.
const CHUNK_BYTES = 4 << 20;

export interface DemoDataOptions {
  /** How many offers to create; parts past the demo catalog's 60k continue the same generators. */
  offers: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Creates the database if missing and (re)creates `offers` and `supplier_lists` with deterministic
 * demo data: part i has the same normalized key and offers as in the SQLite demo catalog. The new
 * tables are filled under temporary names and swapped in by RENAME, so readers see the old data or
 * the new, never a half-filled table, and re-running replaces the data.
 */
export async function createDemoData(
  config: ClickHouseConfig,
  opts: DemoDataOptions,
): Promise<{ offers: number; lists: number }> {
  const total = Math.floor(opts.offers);
  if (!Number.isFinite(total) || total < 0) {
    throw new InputError('DEMO_OFFERS_NEGATIVE', { offers: opts.offers });
  }
  // No current database: it may not exist yet, and every statement names it.
  const conn = new ClickHouseConnection({ url: config.url, user: config.user, password: config.password });
  const { signal } = opts;
  const db = quoteIdentifier(config.database);
  const table = (name: string): string => `${db}.${quoteIdentifier(name)}`;
  const run = (sql: string): Promise<Buffer> => conn.run(sql, { signal });
  try {
    await run(`CREATE DATABASE IF NOT EXISTS ${db}`);
    for (const name of ['offers', 'supplier_lists']) {
      await run(`DROP TABLE IF EXISTS ${table(`${name}__crossdock_new`)}`);
      await run(`DROP TABLE IF EXISTS ${table(`${name}__crossdock_old`)}`);
    }
    await run(`CREATE TABLE ${table('offers__crossdock_new')} ${OFFERS_SCHEMA}`);
    await run(`CREATE TABLE ${table('supplier_lists__crossdock_new')} ${LISTS_SCHEMA}`);

    const members: Buffer[] = [];
    for (const [list, suppliers] of Object.entries(DEMO_LISTS)) {
      for (const s of suppliers) members.push(rowBinaryString(list), rowBinaryString(DEMO_SUPPLIERS[s].name));
    }
    await conn.run(`INSERT INTO ${table('supplier_lists__crossdock_new')} FORMAT RowBinary`, {
      signal,
      values: Readable.from([Buffer.concat(members)]),
    });
    opts.onProgress?.(0, total);
    await conn.run(`INSERT INTO ${table('offers__crossdock_new')} FORMAT RowBinary`, {
      signal,
      values: Readable.from(offerChunks(total, opts.onProgress)),
    });
    opts.onProgress?.(total, total);

    for (const name of ['offers', 'supplier_lists']) {
      const exists = await conn.rows<{ n: number | string }>(
        `SELECT count() AS n FROM system.tables WHERE database = ${quoteString(config.database)} AND name = ${quoteString(name)}`,
        signal,
      );
      if (Number(exists[0]?.n) > 0) {
        await run(
          `RENAME TABLE ${table(name)} TO ${table(`${name}__crossdock_old`)}, ${table(`${name}__crossdock_new`)} TO ${table(name)}`,
        );
        await run(`DROP TABLE ${table(`${name}__crossdock_old`)}`);
      } else {
        await run(`RENAME TABLE ${table(`${name}__crossdock_new`)} TO ${table(name)}`);
      }
    }
    return { offers: total, lists: Object.keys(DEMO_LISTS).length };
  } finally {
    await conn.close();
  }
}

/** RowBinary offer rows for parts 0, 1, 2, … until `total` offers, in chunks of about CHUNK_BYTES. */
function* offerChunks(total: number, onProgress?: (done: number, total: number) => void): Generator<Buffer> {
  const encoded = new Map<string, Buffer>();
  // Brands, suppliers and currencies repeat: encode each once.
  const cached = (s: string): Buffer => {
    let b = encoded.get(s);
    if (!b) encoded.set(s, (b = rowBinaryString(s)));
    return b;
  };
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let off = 0;
  let done = 0;
  for (let i = 0; done < total; i++) {
    const part = demoPart(i);
    const brand = cached(normalizeBrand(part.brand));
    const article = rowBinaryString(normalizeArticle(part.display));
    const name = rowBinaryString(part.name);
    for (const o of demoOffers(i)) {
      if (done === total) break;
      const supplier = cached(o.supplier);
      const currency = cached(o.currency);
      const size = brand.length + article.length + supplier.length + name.length + currency.length + 14;
      if (off + size > chunk.length) {
        yield chunk.subarray(0, off);
        // Resumed: the stream took the chunk, so these rows are on their way to the server.
        onProgress?.(done, total);
        chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, size));
        off = 0;
      }
      off += brand.copy(chunk, off);
      off += article.copy(chunk, off);
      off += supplier.copy(chunk, off);
      off += name.copy(chunk, off);
      off = chunk.writeDoubleLE(o.price, off);
      off += currency.copy(chunk, off);
      off = chunk.writeUInt32LE(o.quantity, off);
      off = chunk.writeUInt16LE(o.deliveryDays, off);
      done++;
    }
  }
  if (off > 0) yield chunk.subarray(0, off);
}
