// The offer lookup query. Keys travel as an external table ("External data for query processing": a
// multipart body part in RowBinary) rather than as literals in the SQL text, so spreadsheet values
// never touch SQL; the one literal, the list name, goes through quoteString.
import type { ClickHouseSettings } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { CodedError } from '../../src-main/common/errors.ts';
import type { Offer } from '../crossdock/best-offer.ts';
import { truncatedAnswerError } from './clickhouse-errors.ts';
import { quoteString } from './clickhouse-quote.ts';
import { CrossCollector, orderUnit } from './optional-tables.ts';
import { varintSize, writeVarint } from './rowbinary.ts';
import type { StringPool } from './string-pool.ts';
import { lookupKey, type LookupKey } from './types.ts';

// Measured on 18.16 with 3M offers: literal IN-lists cost ~20 µs/key (its parser is slow on big
// lists) and hit max_query_size (256 KiB) at ~8k short keys, or after a dozen 10,000-character
// ones; an external table has no size limit. A query that hits keys all over the table reads
// most of it (~100 ms here) whatever the key count, so big batches pay: 20k keys 150 ms,
// 50k 250 ms, 100k 350 ms. 50k keeps one answer near 10 MB.
const KEYS_PER_QUERY = 50_000;
const KEY_BYTES_PER_QUERY = 8 << 20;
const KEYS_TABLE = 'crossdock_keys';

/** One lookup query with its batch of keys: what ClickHouseHttp.run sends. */
export interface LookupRequest {
  sql: string;
  values: Buffer;
  settings: ClickHouseSettings;
  headers: Record<string, string>;
}

/** Which optional offer columns the table has (PRODUCT.md "Data sources": min_qty, pack). */
export interface OfferExtras {
  minQty: boolean;
  pack: boolean;
}

/** Distinct keys of a lookup, and the keys the server will spell differently (see lookupOffers). */
interface AskedKeys {
  unique: LookupKey[];
  ids: Set<string>;
  /** The server's spelling → the keys asked (lone UTF-16 surrogates become U+FFFD in UTF-8). */
  respelled: Map<string, string[]>;
}

function askedKeys(keys: readonly LookupKey[]): AskedKeys {
  const ids = new Set<string>();
  const unique: LookupKey[] = [];
  const respelled = new Map<string, string[]>();
  for (const k of keys) {
    const id = lookupKey(k.brand, k.article);
    if (ids.has(id)) continue;
    ids.add(id);
    unique.push(k);
    if (SURROGATE.test(id)) {
      const wire = Buffer.from(id, 'utf8').toString('utf8');
      if (wire !== id) respelled.set(wire, [...(respelled.get(wire) ?? []), id]);
    }
  }
  return { unique, ids, respelled };
}

/** The ids of the asked keys a server row's key stands for: itself, or the keys it was respelled from. */
function askedIds(asked: AskedKeys, brand: string, article: string): readonly string[] {
  const id = lookupKey(brand, article);
  if (asked.ids.has(id)) return [id];
  return asked.respelled.get(id) ?? [];
}

/**
 * Sends `sql` once per batch of keys (the keys as the external table crossdock_keys) and hands each
 * RowBinary answer to `decode`, which returns false when the answer ends mid-row.
 */
async function sendInBatches(
  sql: string,
  unique: readonly LookupKey[],
  serverUrl: string,
  send: (request: LookupRequest) => Promise<Buffer>,
  decode: (answer: Buffer) => boolean,
): Promise<void> {
  for (let start = 0; start < unique.length;) {
    const { body, end } = encodeKeys(unique, start);
    start = end;
    const boundary = `crossdock-${randomUUID()}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${KEYS_TABLE}"; filename="${KEYS_TABLE}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    // The boundary is random, so a spreadsheet cannot contain it by accident; it is checked anyway.
    if (body.includes(`\r\n--${boundary}`)) throw new CodedError('MULTIPART_COLLISION', {});
    const rows = await send({
      sql,
      values: Buffer.concat([head, body, Buffer.from(`\r\n--${boundary}--\r\n`)]),
      settings: {
        [`${KEYS_TABLE}_structure`]: 'brand String, article String',
        [`${KEYS_TABLE}_format`]: 'RowBinary',
      },
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    });
    if (!decode(rows)) throw truncatedAnswerError(serverUrl);
  }
}

/**
 * The offers of `list`'s suppliers for `keys`, keyed by lookupKey (every key asked has an entry),
 * each key's offers in a stable order. The keys are cut into batches; `send` runs each batch's
 * query and returns the RowBinary answer. min_qty and pack are read only when the table has them
 * (`extras`), so a table without them is asked exactly what it was asked before.
 */
export async function lookupOffers(
  list: string,
  keys: readonly LookupKey[],
  strings: StringPool,
  serverUrl: string,
  send: (request: LookupRequest) => Promise<Buffer>,
  extras: OfferExtras = { minQty: false, pack: false },
): Promise<Map<string, Offer[]>> {
  const result = new Map<string, Offer[]>();
  const asked = askedKeys(keys);
  for (const k of asked.unique) result.set(lookupKey(k.brand, k.article), []);
  const withExtras = extras.minQty || extras.pack;
  const extraColumns = withExtras
    ? `,\n  ${extras.minQty ? 'toUInt32(ifNull(min_qty, 0))' : 'toUInt32(1)'}, ${extras.pack ? 'toUInt32(ifNull(pack, 0))' : 'toUInt32(1)'}`
    : '';
  const sql = `SELECT toString(brand), toString(article), toString(supplier), toString(name),
  toFloat64(price), toString(currency), toUInt32(quantity), toUInt16(delivery_days)${extraColumns}
FROM offers
WHERE (brand, article) IN (SELECT brand, article FROM ${KEYS_TABLE})
  AND supplier IN (SELECT supplier FROM supplier_lists WHERE list = ${quoteString(list)})
FORMAT RowBinary`;
  await sendInBatches(sql, asked.unique, serverUrl, send, (rows) =>
    decodeOffers(rows, result, asked, strings, withExtras),
  );
  // ClickHouse returns rows in whatever order its threads finish; a stable order keeps a job's
  // result (ties, alternatives) the same from run to run.
  for (const offers of result.values()) if (offers.length > 1) offers.sort(offerOrder);
  return result;
}

/**
 * The direct crosses of `keys`, both ways round (PRODUCT.md "Analogs"): one query per batch of
 * keys, the keys travelling as external data like the offer lookup's.
 */
export async function lookupCrosses(
  keys: readonly LookupKey[],
  serverUrl: string,
  send: (request: LookupRequest) => Promise<Buffer>,
): Promise<Map<string, LookupKey[]>> {
  const asked = askedKeys(keys);
  const found = new CrossCollector(asked.ids);
  const sql = `SELECT toString(brand), toString(article), toString(cross_brand), toString(cross_article)
FROM crosses
WHERE (brand, article) IN (SELECT brand, article FROM ${KEYS_TABLE})
   OR (cross_brand, cross_article) IN (SELECT brand, article FROM ${KEYS_TABLE})
FORMAT RowBinary`;
  await sendInBatches(sql, asked.unique, serverUrl, send, (buf) =>
    readRows(buf, (r) => {
      const [brand, article, crossBrand, crossArticle] = [r.str(), r.str(), r.str(), r.str()];
      for (const id of askedIds(asked, brand, article)) found.add(id, crossBrand, crossArticle);
      for (const id of askedIds(asked, crossBrand, crossArticle)) found.add(id, brand, article);
    }),
  );
  return found.result();
}

const SURROGATE = /[\uD800-\uDFFF]/;

function offerOrder(a: Offer, b: Offer): number {
  return (
    (a.supplier < b.supplier ? -1 : a.supplier > b.supplier ? 1 : 0) ||
    a.price - b.price ||
    a.deliveryDays - b.deliveryDays ||
    b.quantity - a.quantity ||
    a.minQty - b.minQty ||
    a.pack - b.pack ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0)
  );
}

/** RowBinary rows (brand String, article String) for keys[start..end): no escaping to get wrong. */
function encodeKeys(keys: readonly LookupKey[], start: number): { body: Buffer; end: number } {
  let end = start;
  let size = 0;
  const lengths: number[] = [];
  while (end < keys.length && end - start < KEYS_PER_QUERY) {
    const b = Buffer.byteLength(keys[end].brand, 'utf8');
    const a = Buffer.byteLength(keys[end].article, 'utf8');
    const bytes = b + a + varintSize(b) + varintSize(a);
    if (end > start && size + bytes > KEY_BYTES_PER_QUERY) break;
    lengths.push(b, a);
    size += bytes;
    end++;
  }
  const body = Buffer.allocUnsafe(size);
  let off = 0;
  for (let i = start; i < end; i++) {
    off = writeVarint(body, off, lengths[(i - start) * 2]);
    off += body.write(keys[i].brand, off, 'utf8');
    off = writeVarint(body, off, lengths[(i - start) * 2 + 1]);
    off += body.write(keys[i].article, off, 'utf8');
  }
  return { body, end };
}

/** A RowBinary answer being read: fixed-size values and length-prefixed strings. */
interface RowReader {
  str(): string;
  /** The offset of `bytes` more bytes, which are then skipped. */
  take(bytes: number): number;
  readonly buf: Buffer;
}

const TRUNCATED = new RangeError('truncated');

/** Calls `row` until the answer is read; false when it ends mid-row. */
function readRows(buf: Buffer, row: (r: RowReader) => void): boolean {
  let off = 0;
  const reader: RowReader = {
    buf,
    str(): string {
      let len = 0;
      let shift = 1;
      for (;;) {
        if (off >= buf.length) throw TRUNCATED;
        const byte = buf[off++];
        len += (byte & 0x7f) * shift;
        if (byte < 0x80) break;
        shift *= 0x80;
      }
      if (off + len > buf.length) throw TRUNCATED;
      const s = buf.toString('utf8', off, off + len);
      off += len;
      return s;
    },
    take(bytes: number): number {
      if (off + bytes > buf.length) throw TRUNCATED;
      const at = off;
      off += bytes;
      return at;
    },
  };
  try {
    while (off < buf.length) row(reader);
  } catch (err) {
    if (err === TRUNCATED) return false;
    throw err;
  }
  return true;
}

/** Adds RowBinary offer rows to their keys; false when the answer ends mid-row. */
function decodeOffers(
  buf: Buffer,
  result: Map<string, Offer[]>,
  asked: AskedKeys,
  strings: StringPool,
  withExtras: boolean,
): boolean {
  return readRows(buf, (r) => {
    const brand = r.str();
    const article = r.str();
    const supplier = strings.get(r.str());
    const name = strings.get(r.str());
    const price = buf.readDoubleLE(r.take(8));
    const currency = strings.get(r.str());
    const at = r.take(6);
    const quantity = buf.readUInt32LE(at);
    const deliveryDays = buf.readUInt16LE(at + 4);
    let minQty = 1;
    let pack = 1;
    if (withExtras) {
      const x = r.take(8);
      minQty = orderUnit(buf.readUInt32LE(x));
      pack = orderUnit(buf.readUInt32LE(x + 4));
    }
    const offer: Offer = { supplier, name, price, currency, quantity, deliveryDays, minQty, pack };
    const offers = result.get(lookupKey(brand, article));
    if (offers) offers.push(offer);
    else for (const id of asked.respelled.get(lookupKey(brand, article)) ?? []) result.get(id)!.push(offer);
  });
}
