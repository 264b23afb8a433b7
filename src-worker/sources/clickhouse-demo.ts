import { Readable } from 'node:stream';
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import { InputError } from '../io/types.ts';
import { ClickHouseConnection, type ClickHouseConfig } from './clickhouse.ts';
import { ClickHouseUnavailableError } from './clickhouse-errors.ts';
import { quoteIdentifier, quoteString } from './clickhouse-quote.ts';
import {
  DEMO_BRAND_ALIASES,
  DEMO_LISTS,
  DEMO_RATES,
  demoCrosses,
  demoListMembers,
  demoOffers,
  demoPart,
  showcaseOffers,
} from './demo-data.ts';
import { rowBinaryString } from './rowbinary.ts';

// The canonical schema, exactly as PRODUCT.md "Data sources" shows it, with the optional columns
// and tables.
const OFFERS_SCHEMA = `(
  brand String,
  article String,
  supplier String,
  name String,
  price Float64,
  currency String,
  quantity UInt32,
  delivery_days UInt16,
  min_qty UInt32,
  pack UInt32
) ENGINE = MergeTree ORDER BY (brand, article)`;
const SCHEMAS: Record<string, string> = {
  offers: OFFERS_SCHEMA,
  supplier_lists: '(list String, supplier String) ENGINE = MergeTree ORDER BY (list, supplier)',
  crosses:
    '(brand String, article String, cross_brand String, cross_article String) ENGINE = MergeTree ORDER BY (brand, article)',
  brand_aliases: '(alias String, brand String) ENGINE = MergeTree ORDER BY alias',
  rates: '(currency String, rate Float64) ENGINE = MergeTree ORDER BY currency',
};
const TABLES = Object.keys(SCHEMAS);

// Rows are generated in JS (the demo generators and normalization are JS) and streamed as one
// RowBinary INSERT: no escaping, and the server cuts the stream into blocks itself. A chunk is a
// few MB, so memory stays flat and progress moves as the server consumes the stream.
const CHUNK_BYTES = 4 << 20;
const INSERT_ATTEMPTS = 3;

/** What createDemoData loaded: rows of offers, crosses, aliases and rates, and how many supplier lists. */
export interface DemoDataResult {
  offers: number;
  lists: number;
  crosses: number;
  aliases: number;
  rates: number;
}

export interface DemoDataOptions {
  /** How many offers to create; parts past the demo catalog's 60k continue the same generators. */
  offers: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Creates the database if missing and (re)creates `offers`, `supplier_lists`, `crosses`,
 * `brand_aliases` and `rates` with deterministic demo data: the demo catalog's showcase offers come
 * first, then part i with the same normalized key and offers as in the SQLite demo catalog, until
 * `offers` rows; the other tables hold exactly what the demo catalog's do. The new
 * tables are filled under temporary names and swapped in by RENAME, so readers see the old data or
 * the new, never a half-filled table, and re-running replaces the data.
 */
export async function createDemoData(
  config: ClickHouseConfig,
  opts: DemoDataOptions,
): Promise<DemoDataResult> {
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
    for (const name of TABLES) {
      await run(`DROP TABLE IF EXISTS ${table(`${name}__crossdock_new`)}`);
      await run(`DROP TABLE IF EXISTS ${table(`${name}__crossdock_old`)}`);
      await run(`CREATE TABLE ${table(`${name}__crossdock_new`)} ${SCHEMAS[name]}`);
    }
    // A streamed INSERT cannot be sent again as it is (unlike a read, see ClickHouseHttp.runInto):
    // when its connection breaks (a keep-alive socket the server had just closed, more likely on a
    // busy machine), the table is made anew and a fresh stream of the same rows is sent.
    const insert = async (name: string, values: () => Readable): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          await conn.run(`INSERT INTO ${table(`${name}__crossdock_new`)} FORMAT RowBinary`, {
            signal,
            values: values(),
          });
          return;
        } catch (err) {
          const lost = err instanceof ClickHouseUnavailableError && err.code === 'CLICKHOUSE_CONNECTION_LOST';
          if (!lost || attempt >= INSERT_ATTEMPTS || signal?.aborted) throw err;
          await run(`DROP TABLE IF EXISTS ${table(`${name}__crossdock_new`)}`);
          await run(`CREATE TABLE ${table(`${name}__crossdock_new`)} ${SCHEMAS[name]}`);
        }
      }
    };
    const insertStrings = (name: string, rows: readonly (readonly string[])[]): Promise<void> =>
      insert(name, () => Readable.from([Buffer.concat(rows.flatMap((r) => r.map(rowBinaryString)))]));
    await insertStrings('supplier_lists', demoListMembers());
    const crosses = demoCrosses();
    await insertStrings('crosses', crosses);
    await insertStrings(
      'brand_aliases',
      DEMO_BRAND_ALIASES.map(([a, b]) => [normalizeBrand(a), normalizeBrand(b)]),
    );
    const rates = DEMO_RATES.map(([currency, rate]) => {
      const value = Buffer.allocUnsafe(8);
      value.writeDoubleLE(rate);
      return Buffer.concat([rowBinaryString(currency), value]);
    });
    await insert('rates', () => Readable.from([Buffer.concat(rates)]));
    await insert('offers', () => {
      opts.onProgress?.(0, total);
      return Readable.from(offerChunks(total, opts.onProgress));
    });
    opts.onProgress?.(total, total);

    for (const name of TABLES) {
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
    return {
      offers: total,
      lists: Object.keys(DEMO_LISTS).length,
      crosses: crosses.length,
      aliases: DEMO_BRAND_ALIASES.length,
      rates: DEMO_RATES.length,
    };
  } finally {
    await conn.close();
  }
}

/** One offer as demo-data gives it, with its part's normalized key and name. */
interface DemoRow {
  brand: string;
  article: string;
  name: string;
  supplier: string;
  price: number;
  currency: string;
  quantity: number;
  deliveryDays: number;
  minQty: number;
  pack: number;
}

/** The showcase's offers, then those of parts 0, 1, 2, … (without end: the caller stops). */
function* demoRows(): Generator<DemoRow> {
  yield* showcaseOffers();
  for (let i = 0; ; i++) {
    const part = demoPart(i);
    const brand = normalizeBrand(part.brand);
    const article = normalizeArticle(part.display);
    for (const o of demoOffers(i)) yield { ...o, brand, article, name: part.name, minQty: 1, pack: 1 };
  }
}

/** RowBinary offer rows (demoRows) until `total` offers, in chunks of about CHUNK_BYTES. */
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
  // A part's article and name repeat for each of its offers: encode them once per part.
  let lastArticle = '';
  let article = rowBinaryString('');
  let lastName = '';
  let name = rowBinaryString('');
  for (const o of demoRows()) {
    if (done === total) break;
    const brand = cached(o.brand);
    if (o.article !== lastArticle) article = rowBinaryString((lastArticle = o.article));
    if (o.name !== lastName) name = rowBinaryString((lastName = o.name));
    const supplier = cached(o.supplier);
    const currency = cached(o.currency);
    const size = brand.length + article.length + supplier.length + name.length + currency.length + 22;
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
    off = chunk.writeUInt32LE(o.minQty, off);
    off = chunk.writeUInt32LE(o.pack, off);
    done++;
  }
  if (off > 0) yield chunk.subarray(0, off);
}
