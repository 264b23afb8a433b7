import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseSettings,
} from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Offer } from '../crossdock/best-offer.ts';
import { InputError } from '../io/types.ts';
import { StringPool } from './string-pool.ts';
import { lookupKey, type LookupKey, type OfferSource } from './types.ts';

export interface ClickHouseConfig {
  url: string;
  database: string;
  user?: string;
  password?: string;
}

/** The columns Crossdock reads (PRODUCT.md "Data sources"); names are fixed, the database is not. */
export const REQUIRED_COLUMNS: Record<'offers' | 'supplier_lists', readonly string[]> = {
  offers: ['brand', 'article', 'supplier', 'name', 'price', 'currency', 'quantity', 'delivery_days'],
  supplier_lists: ['list', 'supplier'],
};

// Keys travel as an external table ("External data for query processing": a multipart body part
// in RowBinary) rather than as literals in the SQL text, so spreadsheet values never touch SQL.
// Measured on 18.16 with 3M offers: literal IN-lists cost ~20 µs/key (its parser is slow on big
// lists) and hit max_query_size (256 KiB) at ~8k short keys, or after a dozen 10,000-character
// ones; an external table has no size limit. A query that hits keys all over the table reads
// most of it (~100 ms here) whatever the key count, so big batches pay: 20k keys 150 ms,
// 50k 250 ms, 100k 350 ms. 50k keeps one answer near 10 MB.
const KEYS_PER_QUERY = 50_000;
const KEY_BYTES_PER_QUERY = 8 << 20;
const KEYS_TABLE = 'crossdock_keys';

// A lookup batch answers in well under a second; a server that says nothing for this long is stuck.
const REQUEST_TIMEOUT_MS = 120_000;
// How long an abort waits for KILL QUERY before giving up on it (the abort must finish within 1 s).
const KILL_TIMEOUT_MS = 700;
/** A read-only statement whose connection broke off is sent up to this many times in all. */
const READ_ATTEMPTS = 3;
const BROKEN_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);

// Server error codes (ErrorCodes.cpp). 18.16 answers a wrong password with 193 and an unknown user
// with 192; current releases answer both with 516.
const AUTH_CODES = new Set([192, 193, 194, 516]);
const IP_NOT_ALLOWED = 195;
const ACCESS_DENIED = new Set([164, 497]);
const UNKNOWN_DATABASE = 81;
const UNKNOWN_TABLE = 60;
const UNKNOWN_IDENTIFIER = 47;
// Server-side conditions that pass on their own: timeouts, overload, memory, a query killed by an admin.
const TRANSIENT_SERVER_CODES = new Set([159, 160, 202, 203, 209, 210, 241, 252, 394, 425]);

/**
 * A ClickHouse string literal: backslash, quote and control characters escaped, everything else
 * (Cyrillic, emoji) left as UTF-8. The result is safe anywhere a literal may stand, on 18.16 and
 * on current releases. (Lone UTF-16 surrogates become U+FFFD on the way out, as in any UTF-8 text.)
 */
export function quoteString(s: string): string {
  return `'${escapeChars(s, "'")}'`;
}

/** A ClickHouse identifier (database or table name) in backquotes, escaped like quoteString. */
export function quoteIdentifier(s: string): string {
  return `\`${escapeChars(s, '`')}\``;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\'`\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\\'`\u0000-\u001f\u007f]/g;
const NAMED_ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\\': '\\\\',
};

function escapeChars(s: string, quote: "'" | '`'): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(ESCAPED, (ch) => {
    if (ch === "'" || ch === '`') return ch === quote ? `\\${ch}` : ch;
    return NAMED_ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** The server could not be reached or did not answer: the engine retries these with backoff. */
export class ClickHouseUnavailableError extends Error {
  override name = 'ClickHouseUnavailableError';
  readonly transient = true;
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Any other error the server reported: not retried; its code (`CLICKHOUSE_<n>`) keeps the number. */
export class ClickHouseQueryError extends Error {
  override name = 'ClickHouseQueryError';
  readonly code: string;
  constructor(
    message: string,
    readonly serverCode: number,
  ) {
    super(message);
    this.code = `CLICKHOUSE_${serverCode}`;
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * A signal that fires when either given one does. (Not AbortSignal.any: a long-lived signal from
 * open() would collect one dependant per lookup; dispose() unhooks this one when the call ends.)
 */
function linkSignals(a?: AbortSignal, b?: AbortSignal): { signal?: AbortSignal; dispose(): void } {
  if (!a || !b) return { signal: a ?? b, dispose: () => {} };
  const controller = new AbortController();
  const onA = (): void => controller.abort(a.reason);
  const onB = (): void => controller.abort(b.reason);
  if (a.aborted) onA();
  else if (b.aborted) onB();
  a.addEventListener('abort', onA, { once: true });
  b.addEventListener('abort', onB, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      a.removeEventListener('abort', onA);
      b.removeEventListener('abort', onB);
    },
  };
}

interface RunOptions {
  signal?: AbortSignal;
  /**
   * Request body sent after the query, which then travels in the URL (an INSERT's data, or external
   * tables). A Buffer can be sent again, a stream only once.
   */
  values?: Readable | Buffer;
  /**
   * The statement only reads, so it may be sent again when the connection breaks before an answer
   * came: a keep-alive socket the server closed while the client still thought it idle fails the
   * next request with ECONNRESET, and a busy machine makes that more likely.
   */
  readOnly?: boolean;
  settings?: ClickHouseSettings;
  headers?: Record<string, string>;
}

/**
 * One HTTP connection pool to one server, with error sorting and cancellation. Shared by the offer
 * source and by createDemoData.
 */
export class ClickHouseConnection {
  /** The URL as shown in messages: no credentials. */
  readonly displayUrl: string;
  readonly user: string;
  readonly database: string | undefined;
  private readonly client: ClickHouseClient;
  private readonly settings: ClickHouseSettings = {};
  private closed = false;

  /** database: the current database of every query; omitted = the server's default database. */
  constructor(config: { url: string; database?: string; user?: string; password?: string }) {
    let url: URL;
    try {
      url = new URL(config.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(url.protocol);
    } catch {
      throw new InputError(
        `"${config.url}" is not a ClickHouse HTTP URL; use one like http://host:8123.`,
        'CLICKHOUSE_URL',
      );
    }
    this.user = config.user || decodeURIComponent(url.username) || 'default';
    this.database = config.database;
    const password = config.password ?? decodeURIComponent(url.password);
    // The client reads a path in the URL as the database name; a path here means a proxy prefix.
    const pathname = url.pathname === '/' ? undefined : url.pathname;
    this.displayUrl = `${url.origin}${pathname ?? ''}`;
    this.client = createClient({
      url: url.origin,
      pathname,
      username: this.user,
      password,
      database: config.database || undefined,
      application: 'crossdock',
      request_timeout: REQUEST_TIMEOUT_MS,
      // Servers close idle keep-alive sockets after keep_alive_timeout (3 s by default); a socket reused
      // right at that moment fails with ECONNRESET, so retire them sooner. On a busy CPU the idle
      // timers fire late, so each free socket's age is also checked before a request.
      keep_alive: { enabled: true, idle_socket_ttl: 1500, eagerly_destroy_stale_sockets: true },
      // Errors are sorted and reported by the caller; the client's own logging would only duplicate them.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /**
   * Probes what the server supports. Current releases cancel a read-only query when its HTTP
   * connection closes if asked to (a process that dies mid-query never sends KILL QUERY); 18.16
   * does not know that setting and rejects any request that carries it, and a readonly=1 user may
   * not set settings at all.
   */
  async probe(signal?: AbortSignal): Promise<void> {
    const rows = await this.rows<{ name: string; value: string }>(
      `SELECT name, value FROM system.settings
       WHERE name IN ('readonly', 'cancel_http_readonly_queries_on_client_close')`,
      signal,
    );
    const has = new Map(rows.map((r) => [r.name, r.value]));
    if (has.has('cancel_http_readonly_queries_on_client_close') && has.get('readonly') !== '1') {
      this.settings.cancel_http_readonly_queries_on_client_close = 1;
    }
  }

  /**
   * Runs one statement and returns the whole response body. When the signal fires, the HTTP request
   * is dropped and the query killed on the server (18.16 would otherwise run it to the end), and
   * the call rejects with the signal's reason.
   */
  async run(sql: string, opts: RunOptions = {}): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runOnce(sql, opts);
      } catch (err) {
        const again =
          opts.readOnly &&
          attempt < READ_ATTEMPTS &&
          !(opts.values && !Buffer.isBuffer(opts.values)) &&
          !opts.signal?.aborted &&
          err instanceof ClickHouseUnavailableError &&
          BROKEN_CONNECTION.has(err.code);
        if (!again) throw err;
        await sleep(100 * attempt);
      }
    }
  }

  private async runOnce(sql: string, opts: RunOptions): Promise<Buffer> {
    const { signal } = opts;
    if (signal?.aborted) throw abortReason(signal);
    const queryId = randomUUID();
    const controller = new AbortController();
    let killed: Promise<void> | undefined;
    const onAbort = (): void => {
      killed = this.kill(queryId);
      controller.abort();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.client.exec({
        query: asSent(sql),
        query_id: queryId,
        abort_signal: controller.signal,
        // wait_end_of_query: the server buffers the answer, so an error that happens mid-query comes
        // back as an HTTP error instead of text appended to a 200 response. It is an HTTP parameter,
        // not a setting, so readonly=1 users may send it too.
        clickhouse_settings: { ...this.settings, wait_end_of_query: 1, ...opts.settings },
        http_headers: { ...bodyLength(asSent(sql), opts.values), ...opts.headers },
        ...(opts.values
          ? { values: Buffer.isBuffer(opts.values) ? Readable.from([opts.values]) : opts.values }
          : {}),
      });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream as AsyncIterable<Buffer>) chunks.push(chunk);
      return Buffer.concat(chunks);
    } catch (err) {
      if (signal?.aborted) {
        await killed;
        throw abortReason(signal);
      }
      throw this.classify(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Runs one statement and yields its answer chunk by chunk as it arrives, so a big answer never
   * sits in memory (a slow consumer holds back the socket). Unlike run(), the server does not wait
   * for the end of the query: an error met after the first bytes were sent arrives as text at the
   * end of a 200 answer, so the caller's format must reveal it (JSONCompact's trailer does). The
   * signal, or the consumer leaving the loop early, drops the request and kills the server query.
   */
  async *stream(sql: string, opts: RunOptions = {}): AsyncGenerator<Buffer, void, undefined> {
    const { signal } = opts;
    if (signal?.aborted) throw abortReason(signal);
    const queryId = randomUUID();
    const controller = new AbortController();
    let killed: Promise<void> | undefined;
    let finished = false;
    const stop = (): void => {
      killed ??= this.kill(queryId);
      controller.abort();
    };
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const result = await this.client.exec({
        query: asSent(sql),
        query_id: queryId,
        abort_signal: controller.signal,
        clickhouse_settings: { ...this.settings, ...opts.settings },
        http_headers: { ...bodyLength(asSent(sql), opts.values), ...opts.headers },
        ...(opts.values
          ? { values: Buffer.isBuffer(opts.values) ? Readable.from([opts.values]) : opts.values }
          : {}),
      });
      for await (const chunk of result.stream as AsyncIterable<Buffer>) yield chunk;
      finished = true;
    } catch (err) {
      finished = true;
      if (signal?.aborted) {
        await killed;
        throw abortReason(signal);
      }
      throw this.classify(err);
    } finally {
      signal?.removeEventListener('abort', stop);
      // The consumer left the loop early (return() or its own error): the query must not run on.
      if (!finished) {
        stop();
        await killed;
      }
    }
  }

  /** Rows of a small metadata query, as objects (JSONEachRow: every string arrives escaped). */
  async rows<T>(sql: string, signal?: AbortSignal): Promise<T[]> {
    const text = (await this.run(`${sql}\nFORMAT JSONEachRow`, { signal, readOnly: true })).toString('utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T);
  }

  private async kill(queryId: string): Promise<void> {
    try {
      const query = `KILL QUERY WHERE query_id = ${quoteString(queryId)} SYNC`;
      await this.client.command({
        query,
        http_headers: bodyLength(query, undefined),
        abort_signal: AbortSignal.timeout(KILL_TIMEOUT_MS),
      });
    } catch {
      // Best effort: the server may be the reason for the abort; current releases also cancel on
      // connection close (see probe), and 18.16 ends the query by itself.
    }
  }

  /** Sorts a client or server error by what the user can do about it. */
  classify(err: unknown): Error {
    if (err instanceof InputError || err instanceof ClickHouseUnavailableError) return err;
    const e = err as { code?: unknown; message?: unknown; errors?: { code?: unknown }[] };
    const message = typeof e?.message === 'string' ? e.message : String(err);
    const url = this.displayUrl;
    // 18.16: "Code: 193, e.displayText() = DB::Exception: ...", current: "Code: 516. DB::Exception: ...".
    const server = /Code: (\d+)[.,]/.exec(message);
    const serverCode = server ? Number(server[1]) : /^\d+$/.test(String(e?.code)) ? Number(e.code) : null;
    if (serverCode !== null) {
      const text = serverText(message);
      if (AUTH_CODES.has(serverCode)) {
        return new InputError(
          `The ClickHouse server at ${url} rejected user "${this.user}" (wrong user name or password); check the ClickHouse user and password (CROSSDOCK_CLICKHOUSE_USER, CROSSDOCK_CLICKHOUSE_PASSWORD).`,
          'CLICKHOUSE_AUTH',
        );
      }
      if (serverCode === IP_NOT_ALLOWED) {
        return new InputError(
          `The ClickHouse server at ${url} does not accept user "${this.user}" from this computer; ask its administrator to allow it.`,
          'CLICKHOUSE_AUTH',
        );
      }
      if (ACCESS_DENIED.has(serverCode)) {
        return new InputError(
          `ClickHouse user "${this.user}" lacks a permission at ${url} (${text}); ask the server's administrator for it.`,
          'CLICKHOUSE_ACCESS',
        );
      }
      if (serverCode === UNKNOWN_DATABASE) {
        const db =
          this.database ?? /Database [`'"]?([^`'"\s]+)[`'"]? (?:doesn't|does not) exist/.exec(text)?.[1];
        return new InputError(
          `The ClickHouse server at ${url} has no database${db ? ` "${db}"` : ''}; create it with "crossdock demo-data" or check --clickhouse-db.`,
          'CLICKHOUSE_NO_DATABASE',
        );
      }
      if (TRANSIENT_SERVER_CODES.has(serverCode)) {
        return new ClickHouseUnavailableError(
          `The ClickHouse server at ${url} could not answer now (${text}).`,
          `CLICKHOUSE_${serverCode}`,
        );
      }
      return new ClickHouseQueryError(`The ClickHouse server at ${url} refused a query: ${text}`, serverCode);
    }
    const code =
      typeof e?.code === 'string' ? e.code : typeof e?.errors?.[0]?.code === 'string' ? e.errors[0].code : '';
    if (code === 'ECONNREFUSED') {
      return new ClickHouseUnavailableError(
        `Nothing answers at ${url} (connection refused); is the ClickHouse server running?`,
        code,
      );
    }
    if (code === 'ENOTFOUND') {
      return new InputError(`The host of ${url} is unknown; check --clickhouse-url.`, 'CLICKHOUSE_URL');
    }
    if (code === 'ETIMEDOUT' || /timeout error|timed? ?out/i.test(message)) {
      return new ClickHouseUnavailableError(
        `The ClickHouse server at ${url} did not answer in time.`,
        code || 'ETIMEDOUT',
      );
    }
    if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message)) {
      return new ClickHouseUnavailableError(
        `The connection to the ClickHouse server at ${url} broke off (${code || 'socket hang up'}).`,
        code || 'ECONNRESET',
      );
    }
    if (['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ECONNABORTED'].includes(code)) {
      return new ClickHouseUnavailableError(
        `The ClickHouse server at ${url} cannot be reached (${code}).`,
        code,
      );
    }
    if (message.trim() === '' && !code) {
      // An error answer with an empty body: what old servers send for a request they could not parse.
      return new ClickHouseUnavailableError(
        `The ClickHouse server at ${url} turned a request down without saying why; check that the URL is its HTTP port (8123 by default).`,
        'CLICKHOUSE_EMPTY_ERROR',
      );
    }
    return err instanceof Error ? err : new Error(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}

/**
 * The statement as the client sends it: it trims it and drops trailing semicolons, and the
 * Content-Length must count what is sent. Repeated until nothing changes, so the client's own pass
 * changes nothing more.
 */
function asSent(sql: string): string {
  let q = sql;
  for (;;) {
    const next = q.trim().replace(/;+$/, '');
    if (next === q) return q;
    q = next;
  }
}

/**
 * A Content-Length header for a body whose size is known (the statement itself, or a Buffer of
 * values), so it is not sent chunked. Servers before 25.6 (ClickHouse PR 81595) can leave the end
 * of a chunked body ("0\r\n\r\n") unread when it arrives in its own packet; the next request on
 * that keep-alive connection then gets an empty "400 Bad Request" or a reset. Seen with 18.16 on a
 * busy machine. Streamed values (inserts) stay chunked.
 */
function bodyLength(sql: string, values: RunOptions['values']): Record<string, string> {
  if (values === undefined) return { 'Content-Length': String(Buffer.byteLength(sql)) };
  return Buffer.isBuffer(values) ? { 'Content-Length': String(values.length) } : {};
}

/** The server's message without the code prefix and the 18.16 "e.what()" suffix. */
function serverText(message: string): string {
  const m = /DB::Exception: ([\s\S]*?)(?:, e\.what\(\) = DB::Exception)?\s*$/.exec(message);
  return (m ? m[1] : message).split('\n')[0].trim();
}

/** Offers from a ClickHouse database with the canonical schema (PRODUCT.md "Data sources"). */
export class ClickHouseSource implements OfferSource {
  private lists: Promise<string[]> | null = null;
  private readonly strings = new StringPool();

  private constructor(
    private readonly conn: ClickHouseConnection,
    private readonly database: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /**
   * Connects and checks the schema, so a wrong URL, password, database or table is reported before
   * any work starts. The signal, when given, cancels every later call too.
   */
  static async open(config: ClickHouseConfig, signal?: AbortSignal): Promise<ClickHouseSource> {
    const conn = new ClickHouseConnection(config);
    const source = new ClickHouseSource(conn, config.database, signal);
    try {
      await conn.probe(signal);
      await source.checkSchema(signal);
      return source;
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  async serverVersion(): Promise<string> {
    const [row] = await this.conn.rows<{ v: string }>('SELECT version() AS v', this.signal);
    return row.v;
  }

  async supplierLists(): Promise<string[]> {
    return this.fetchLists(this.signal);
  }

  private async fetchLists(signal: AbortSignal | undefined): Promise<string[]> {
    const rows = await this.query(() =>
      this.conn.rows<{ list: string }>('SELECT DISTINCT list FROM supplier_lists', signal),
    );
    return rows.map((r) => r.list).sort();
  }

  async lookup(
    list: string,
    keys: readonly LookupKey[],
    signal?: AbortSignal,
  ): Promise<Map<string, Offer[]>> {
    const linked = linkSignals(this.signal, signal);
    try {
      return await this.lookupAll(list, keys, linked.signal);
    } finally {
      linked.dispose();
    }
  }

  private async lookupAll(
    list: string,
    keys: readonly LookupKey[],
    abort: AbortSignal | undefined,
  ): Promise<Map<string, Offer[]>> {
    if (abort?.aborted) throw abortReason(abort);
    await this.checkList(list, abort);
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
      if (body.includes(`\r\n--${boundary}`)) throw new Error('Multipart boundary collision; retry the job.');
      const payload = Buffer.concat([head, body, Buffer.from(`\r\n--${boundary}--\r\n`)]);
      const rows = await this.query(() =>
        this.conn.run(sql, {
          signal: abort,
          values: payload,
          readOnly: true,
          settings: {
            [`${KEYS_TABLE}_structure`]: 'brand String, article String',
            [`${KEYS_TABLE}_format`]: 'RowBinary',
          },
          headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        }),
      );
      if (!decodeOffers(rows, result, aliases, this.strings)) {
        throw new ClickHouseUnavailableError(
          `The ClickHouse server at ${this.conn.displayUrl} sent a truncated answer.`,
          'CLICKHOUSE_TRUNCATED',
        );
      }
    }
    // ClickHouse returns rows in whatever order its threads finish; a stable order keeps a job's
    // result (ties, alternatives) the same from run to run.
    for (const offers of result.values()) if (offers.length > 1) offers.sort(offerOrder);
    return result;
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  /** Reports a missing table or column as one sentence; a query that hit one (60, 47) re-checks. */
  private async checkSchema(signal?: AbortSignal): Promise<void> {
    const rows = await this.conn.rows<{ table: string; name: string }>(
      `SELECT table, name FROM system.columns
       WHERE database = currentDatabase() AND table IN ('offers', 'supplier_lists')`,
      signal,
    );
    const db = this.database;
    for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
      const present = new Set(rows.filter((r) => r.table === table).map((r) => r.name));
      if (present.size === 0) {
        throw new InputError(
          `The ClickHouse database "${db}" has no table "${table}"; create it with "crossdock demo-data" or check --clickhouse-db.`,
          'CLICKHOUSE_NO_TABLE',
        );
      }
      const missing = columns.filter((c) => !present.has(c));
      if (missing.length) {
        throw new InputError(
          `The ClickHouse table "${db}.${table}" has no column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')}; add ${missing.length > 1 ? 'them' : 'it'} as in the Crossdock schema or recreate the table with "crossdock demo-data".`,
          'CLICKHOUSE_NO_COLUMN',
        );
      }
    }
  }

  private async checkList(list: string, signal: AbortSignal | undefined): Promise<void> {
    this.lists ??= this.fetchLists(signal);
    let lists: string[];
    try {
      lists = await this.lists;
    } catch (err) {
      this.lists = null;
      throw err;
    }
    if (lists.includes(list)) return;
    // Lists may have been added since the last look.
    this.lists = this.fetchLists(signal);
    lists = await this.lists;
    if (!lists.includes(list)) {
      throw new InputError(
        `There is no supplier list "${list}"; known lists: ${lists.join(', ') || 'none'}.`,
        'UNKNOWN_LIST',
      );
    }
  }

  /** Runs a data query; a missing table or column found on the way becomes the schema check's sentence. */
  private async query<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (
        err instanceof ClickHouseQueryError &&
        (err.serverCode === UNKNOWN_TABLE || err.serverCode === UNKNOWN_IDENTIFIER)
      ) {
        await this.checkSchema(this.signal);
      }
      throw err;
    }
  }
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

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Unsigned LEB128, the length prefix of a RowBinary string. */
export function writeVarint(buf: Buffer, off: number, n: number): number {
  while (n >= 0x80) {
    buf[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[off++] = n;
  return off;
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
