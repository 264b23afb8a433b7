// The offer lookup query. Keys travel as an external table ("External data for query processing": a
// multipart body part in RowBinary) rather than as literals in the SQL text, so spreadsheet values
// never touch SQL; the one literal, the list name, goes through quoteString.
import type { ClickHouseSettings } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { CodedError } from '../../src-main/common/errors.ts';
import type { Offer } from '../crossdock/best-offer.ts';
import { truncatedAnswerError } from './clickhouse-errors.ts';
import { quoteString } from './clickhouse-quote.ts';
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

/**
 * The offers of `list`'s suppliers for `keys`, keyed by lookupKey (every key asked has an entry),
 * each key's offers in a stable order. The keys are cut into batches; `send` runs each batch's
 * query and returns the RowBinary answer.
 */
export async function lookupOffers(
  list: string,
  keys: readonly LookupKey[],
  strings: StringPool,
  serverUrl: string,
  send: (request: LookupRequest) => Promise<Buffer>,
): Promise<Map<string, Offer[]>> {
  const result = new Map<string, Offer[]>();
  const unique: LookupKey[] = [];
  // Keys the server will see differently (lone UTF-16 surrogates become U+FFFD in UTF-8):
  // the server's spelling → the keys asked.
  const aliases = new Map<string, string[]>();
  for (const k of keys) {
    const id = lookupKey(k.brand, k.article);
    if (result.has(id)) continue;
    result.set(id, []);
    unique.push(k);
    if (SURROGATE.test(id)) {
      const wire = Buffer.from(id, 'utf8').toString('utf8');
      if (wire !== id) aliases.set(wire, [...(aliases.get(wire) ?? []), id]);
    }
  }
  const sql = `SELECT toString(brand), toString(article), toString(supplier), toString(name),
  toFloat64(price), toString(currency), toUInt32(quantity), toUInt16(delivery_days)
FROM offers
WHERE (brand, article) IN (SELECT brand, article FROM ${KEYS_TABLE})
  AND supplier IN (SELECT supplier FROM supplier_lists WHERE list = ${quoteString(list)})
FORMAT RowBinary`;
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
    if (!decodeOffers(rows, result, aliases, strings)) throw truncatedAnswerError(serverUrl);
  }
  // ClickHouse returns rows in whatever order its threads finish; a stable order keeps a job's
  // result (ties, alternatives) the same from run to run.
  for (const offers of result.values()) if (offers.length > 1) offers.sort(offerOrder);
  return result;
}

const SURROGATE = /[\uD800-\uDFFF]/;

function offerOrder(a: Offer, b: Offer): number {
  return (
    (a.supplier < b.supplier ? -1 : a.supplier > b.supplier ? 1 : 0) ||
    a.price - b.price ||
    a.deliveryDays - b.deliveryDays ||
    b.quantity - a.quantity ||
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

/** Adds RowBinary offer rows to their keys; false when the answer ends mid-row. */
function decodeOffers(
  buf: Buffer,
  result: Map<string, Offer[]>,
  aliases: Map<string, string[]>,
  strings: StringPool,
): boolean {
  let off = 0;
  const truncated = new RangeError('truncated');
  const str = (): string => {
    let len = 0;
    let shift = 1;
    for (;;) {
      if (off >= buf.length) throw truncated;
      const byte = buf[off++];
      len += (byte & 0x7f) * shift;
      if (byte < 0x80) break;
      shift *= 0x80;
    }
    if (off + len > buf.length) throw truncated;
    const s = buf.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  try {
    while (off < buf.length) readRow();
  } catch (err) {
    if (err === truncated) return false;
    throw err;
  }
  return true;
  function readRow(): void {
    const brand = str();
    const article = str();
    const supplier = strings.get(str());
    const name = strings.get(str());
    if (off + 8 > buf.length) throw truncated;
    const price = buf.readDoubleLE(off);
    off += 8;
    const currency = strings.get(str());
    if (off + 6 > buf.length) throw truncated;
    const quantity = buf.readUInt32LE(off);
    const deliveryDays = buf.readUInt16LE(off + 4);
    off += 6;
    const offer: Offer = { supplier, name, price, currency, quantity, deliveryDays };
    const id = lookupKey(brand, article);
    const offers = result.get(id);
    if (offers) offers.push(offer);
    else for (const asked of aliases.get(id) ?? []) result.get(asked)!.push(offer);
  }
}
