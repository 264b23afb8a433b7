// The offer lookup query. Keys travel as an external table ("External data for query processing": a
// multipart body part in RowBinary) rather than as literals in the SQL text, so spreadsheet values
// never touch SQL; the one literal, the list name, goes through quoteString.
import type { ClickHouseSettings } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { CodedError } from '../../src-main/common/errors.ts';
import type { Offer } from '../crossdock/best-offer.ts';
import type { OfferRows } from '../crossdock/offer-rows.ts';
import { truncatedAnswerError } from './clickhouse-errors.ts';
import { quoteString } from './clickhouse-quote.ts';
import type { AnswerSink } from './clickhouse-http.ts';
import { ANSWER_COLUMNS, OfferColumns } from './clickhouse-offer-columns.ts';
import { CROSSES_WHOLE_MAX, CrossCollector, CrossIndex, type CrossLookup } from './optional-tables.ts';
import { utf8Length, varintSize, writeUtf8, writeVarint } from './rowbinary.ts';
import type { StringPool } from './string-pool.ts';
import { lookupKey, type LookupKey } from './types.ts';

// Measured on 18.16 with 3M offers: literal IN-lists cost ~20 µs/key (its parser is slow on big
// lists) and hit max_query_size (256 KiB) at ~8k short keys, or after a dozen 10,000-character
// ones; an external table has no size limit. A query that hits keys all over the table reads
// most of it whatever the key count, so big batches pay (server CPU, lookupOffers' query):
// 16k keys 0.3 s, 100k 0.5 s, 200k 0.75 s, 500k 1.7 s. The answer streams into columns, so a
// big batch costs no big buffer.
const KEYS_PER_QUERY = 262_144;
const KEY_BYTES_PER_QUERY = 32 << 20;
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
  /** lookupKey of each of `unique`. */
  uniqueIds: string[];
  ids: Set<string>;
  /** The server's spelling → the keys asked (lone UTF-16 surrogates become U+FFFD in UTF-8). */
  respelled: Map<string, string[]>;
}

/** `respellings`: also note the keys the server spells differently (only a lookup by text needs them). */
function askedKeys(keys: readonly LookupKey[], respellings = true): AskedKeys {
  const ids = new Set<string>();
  const unique: LookupKey[] = [];
  const uniqueIds: string[] = [];
  const respelled = new Map<string, string[]>();
  for (const k of keys) {
    const id = lookupKey(k.brand, k.article);
    const size = ids.size;
    ids.add(id);
    if (ids.size === size) continue;
    unique.push(k);
    uniqueIds.push(id);
    if (respellings && SURROGATE.test(id)) {
      const wire = Buffer.from(id, 'utf8').toString('utf8');
      if (wire !== id) respelled.set(wire, [...(respelled.get(wire) ?? []), id]);
    }
  }
  return { unique, uniqueIds, ids, respelled };
}

/** The ids of the asked keys a server row's key stands for: itself, or the keys it was respelled from. */
function askedIds(asked: AskedKeys, brand: string, article: string): readonly string[] {
  const id = lookupKey(brand, article);
  if (asked.ids.has(id)) return [id];
  return asked.respelled.get(id) ?? [];
}

/** One query's external table: the keys' RowBinary rows in a multipart body. */
function keysRequest(sql: string, body: Buffer, structure: string): LookupRequest {
  const boundary = `crossdock-${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${KEYS_TABLE}"; filename="${KEYS_TABLE}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  // The boundary is random, so a spreadsheet cannot contain it by accident; it is checked anyway.
  if (body.includes(`\r\n--${boundary}`)) throw new CodedError('MULTIPART_COLLISION', {});
  return {
    sql,
    values: Buffer.concat([head, body, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    settings: {
      [`${KEYS_TABLE}_structure`]: structure,
      [`${KEYS_TABLE}_format`]: 'RowBinary',
    },
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  };
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
    const { body, end } = encodeKeys(unique, start, false);
    start = end;
    const rows = await send(keysRequest(sql, body, 'brand String, article String'));
    if (!decode(rows)) throw truncatedAnswerError(serverUrl);
  }
}

/**
 * The offers of `list`'s suppliers for `keys`, keyed by lookupKey (every key asked has an entry),
 * each key's offers in a stable order. The keys are cut into batches of up to KEYS_PER_QUERY, each
 * with its index in the batch (crossdock_key); `send` runs a batch's query and streams its
 * RowBinary answer into the sink, which decodes it into columns as it arrives. min_qty and pack are
 * read only when the table has them (`extras`).
 *
 * The query (18.16 and current releases alike): a cheap 64-bit hash of the key picks the rows
 * first (moved to PREWHERE on a MergeTree: only brand and article are read for every row, ~3x
 * cheaper than a set of (brand, article) tuples), then a join on the exact key gives each row its
 * key's index, so the answer carries 4 bytes instead of the key's text and every asked key gets its
 * rows even when two keys are the same bytes on the wire (lone UTF-16 surrogates become U+FFFD).
 */
export async function lookupOffers(
  list: string,
  keys: readonly LookupKey[],
  strings: StringPool,
  serverUrl: string,
  send: (request: LookupRequest, sink: AnswerSink) => Promise<void>,
  extras: OfferExtras = { minQty: false, pack: false },
): Promise<Map<string, Offer[]>> {
  const { unique, uniqueIds } = askedKeys(keys, false);
  const rows = await lookupOfferRows(list, unique, strings, serverUrl, send, extras);
  const result = new Map<string, Offer[]>();
  for (let k = 0; k < unique.length; k++) result.set(uniqueIds[k], rows.offersOf(k));
  return result;
}

/**
 * lookupOffers as columns (OfferSource.lookupRows): keys[i]'s offers are rows from[i] ≤ r < to[i].
 * The keys are sent as they are, each with its index: a key asked twice is answered twice (the
 * crossdock asks each key once), and no key is hashed or joined into a text here.
 */
export async function lookupOfferRows(
  list: string,
  keys: readonly LookupKey[],
  strings: StringPool,
  serverUrl: string,
  send: (request: LookupRequest, sink: AnswerSink) => Promise<void>,
  extras: OfferExtras = { minQty: false, pack: false },
): Promise<OfferRows> {
  const withExtras = extras.minQty || extras.pack;
  const columns = withExtras
    ? `${ANSWER_COLUMNS.fixed}, ${ANSWER_COLUMNS.extras(extras.minQty, extras.pack)}, ${ANSWER_COLUMNS.strings}`
    : `${ANSWER_COLUMNS.fixed}, ${ANSWER_COLUMNS.strings}`;
  const read = [
    'brand, article, supplier, name, price, currency, quantity, delivery_days',
    ...(extras.minQty ? ['min_qty'] : []),
    ...(extras.pack ? ['pack'] : []),
  ].join(', ');
  const sql = `SELECT ${columns}
FROM (
  SELECT ${read}
  FROM offers
  WHERE cityHash64(brand, article) IN (SELECT cityHash64(brand, article) FROM ${KEYS_TABLE})
    AND supplier IN (SELECT supplier FROM supplier_lists WHERE list = ${quoteString(list)})
)
ALL INNER JOIN ${KEYS_TABLE} USING (brand, article)
FORMAT RowBinary`;
  const answer = new OfferColumns(strings, keys.length, withExtras, keys.length * 3);
  for (let start = 0; start < keys.length;) {
    const { body, end } = encodeKeys(keys, start, true);
    answer.startQuery(start, end - start);
    await send(keysRequest(sql, body, 'crossdock_key UInt32, brand String, article String'), answer);
    if (!answer.complete) throw truncatedAnswerError(serverUrl);
    start = end;
  }
  return answer.offerRows();
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

/**
 * The whole crosses table, for a big job: one query instead of one per batch of lines. Answers as
 * lookupCrosses does (both ways round, normalized, without the key itself, sorted) for any key,
 * through the function it returns. Null when the table has more than CROSSES_WHOLE_MAX rows (then key queries).
 */
export async function allCrosses(
  serverUrl: string,
  send: (sql: string) => Promise<Buffer>,
): Promise<CrossLookup | null> {
  const count = await send('SELECT count() FROM crosses FORMAT RowBinary');
  if (count.length < 8) throw truncatedAnswerError(serverUrl);
  if (Number(count.readBigUInt64LE(0)) > CROSSES_WHOLE_MAX) return null;
  const found = new CrossCollector(null);
  const buf = await send(
    'SELECT toString(brand), toString(article), toString(cross_brand), toString(cross_article) FROM crosses FORMAT RowBinary',
  );
  const whole = readRows(buf, (r) => {
    found.addBothWays(r.str(), r.str(), r.str(), r.str());
  });
  if (!whole) throw truncatedAnswerError(serverUrl);
  const all = new CrossIndex(found.result());
  return {
    get: (brand, article) =>
      all.get(brand, article) ??
      // The server spells a lone UTF-16 surrogate as U+FFFD (as key queries see it too).
      (SURROGATE.test(brand) || SURROGATE.test(article)
        ? all.get(Buffer.from(brand, 'utf8').toString('utf8'), Buffer.from(article, 'utf8').toString('utf8'))
        : undefined),
  };
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * RowBinary rows (brand String, article String) for keys[start..end), each led by its index in the
 * batch (crossdock_key UInt32) when `indexed`: no escaping to get wrong.
 */
function encodeKeys(
  keys: readonly LookupKey[],
  start: number,
  indexed: boolean,
): { body: Buffer; end: number } {
  let end = start;
  let size = 0;
  const lengths: number[] = [];
  const index = indexed ? 4 : 0;
  // Lengths and bytes are worked out in JS for ASCII keys: two native calls per text cost ~40 ms of
  // a 90k-key lookup's start.
  while (end < keys.length && end - start < KEYS_PER_QUERY) {
    const b = utf8Length(keys[end].brand);
    const a = utf8Length(keys[end].article);
    const bytes = index + b + a + varintSize(b) + varintSize(a);
    if (end > start && size + bytes > KEY_BYTES_PER_QUERY) break;
    lengths.push(b, a);
    size += bytes;
    end++;
  }
  const body = Buffer.allocUnsafe(size);
  let off = 0;
  for (let i = start; i < end; i++) {
    if (indexed) {
      const k = i - start;
      body[off] = k & 0xff;
      body[off + 1] = (k >>> 8) & 0xff;
      body[off + 2] = (k >>> 16) & 0xff;
      body[off + 3] = k >>> 24;
      off += 4;
    }
    const b = lengths[(i - start) * 2];
    off = writeUtf8(body, writeVarint(body, off, b), keys[i].brand, b);
    const a = lengths[(i - start) * 2 + 1];
    off = writeUtf8(body, writeVarint(body, off, a), keys[i].article, a);
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
