// ClickHouse as an offer source (PRODUCT.md "Data sources"): ClickHouseSource, and the connection it
// and the other ClickHouse users (demo data, exports) share, with the sorting of its failures into
// sentences. The parts live beside it: clickhouse-http.ts sends statements, clickhouse-lookup.ts is
// the lookup query, clickhouse-quote.ts escapes what goes into SQL text, clickhouse-errors.ts holds
// the error kinds.
import type { Offer } from '../crossdock/best-offer.ts';
import type { OfferRows } from '../crossdock/offer-rows.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../io/types.ts';
import { abortReason, linkSignals } from './abort-signals.ts';
import {
  ClickHouseQueryError,
  ClickHouseUnavailableError,
  truncatedAnswerError,
} from './clickhouse-errors.ts';
import { ClickHouseHttp, type AnswerSink } from './clickhouse-http.ts';
import {
  ListSnapshot,
  SNAPSHOT_MIN_LINES,
  snapshotFits,
  snapshotQueries,
} from './clickhouse-list-snapshot.ts';
import {
  allCrosses,
  lookupCrosses,
  lookupOfferRows,
  lookupOffers,
  type LookupRequest,
  type OfferExtras,
} from './clickhouse-lookup.ts';
import { aliasMap, crossesFromWhole, rateMap, type CrossLookup } from './optional-tables.ts';
import { StringPool } from './string-pool.ts';
import { unknownListError, type LookupKey, type OfferSource } from './types.ts';

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

/** The optional tables and the columns Crossdock reads of them; a database without one reads it as empty. */
export const OPTIONAL_TABLES: Record<'crosses' | 'brand_aliases' | 'rates', readonly string[]> = {
  crosses: ['brand', 'article', 'cross_brand', 'cross_article'],
  brand_aliases: ['alias', 'brand'],
  rates: ['currency', 'rate'],
};
type OptionalTable = keyof typeof OPTIONAL_TABLES;

/** What checkSchema found beyond the required columns. */
interface SchemaExtras {
  offers: OfferExtras;
  /** Each optional table that exists, with its column names. */
  tables: Map<OptionalTable, Set<string>>;
}

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
 * One HTTP connection pool to one server (ClickHouseHttp: sending, cancellation, resending), whose
 * failures come out as InputError (the user's to fix), ClickHouseUnavailableError (retried) or
 * ClickHouseQueryError. Shared by the offer source, by createDemoData and by exports.
 */
export class ClickHouseConnection extends ClickHouseHttp {
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
      if (AUTH_CODES.has(serverCode))
        return new InputError('CLICKHOUSE_AUTH_FAILED', { url, user: this.user });
      if (serverCode === IP_NOT_ALLOWED) {
        return new InputError('CLICKHOUSE_HOST_NOT_ALLOWED', { url, user: this.user });
      }
      if (ACCESS_DENIED.has(serverCode)) {
        return new InputError('CLICKHOUSE_NO_PERMISSION', { user: this.user, url, reason: text });
      }
      if (serverCode === UNKNOWN_DATABASE) {
        const db =
          this.database ?? /Database [`'"]?([^`'"\s]+)[`'"]? (?:doesn't|does not) exist/.exec(text)?.[1];
        return new InputError('CLICKHOUSE_NO_SUCH_DATABASE', { url, database: db ?? null });
      }
      if (TRANSIENT_SERVER_CODES.has(serverCode)) {
        return new ClickHouseUnavailableError('CLICKHOUSE_BUSY', { url, reason: text });
      }
      return new ClickHouseQueryError({ url, reason: text }, serverCode);
    }
    const code =
      typeof e?.code === 'string' ? e.code : typeof e?.errors?.[0]?.code === 'string' ? e.errors[0].code : '';
    if (code === 'ECONNREFUSED')
      return new ClickHouseUnavailableError('CLICKHOUSE_CONNECTION_REFUSED', { url });
    if (code === 'ENOTFOUND') return new InputError('CLICKHOUSE_UNKNOWN_HOST', { url });
    if (code === 'ETIMEDOUT' || /timeout error|timed? ?out/i.test(message)) {
      return new ClickHouseUnavailableError('CLICKHOUSE_TIMEOUT', { url });
    }
    // The one a read is sent again for (ClickHouseHttp.run).
    if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message)) {
      return new ClickHouseUnavailableError('CLICKHOUSE_CONNECTION_LOST', {
        url,
        reason: code || 'socket hang up',
      });
    }
    if (['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ECONNABORTED'].includes(code)) {
      return new ClickHouseUnavailableError('CLICKHOUSE_UNREACHABLE', { url, reason: code });
    }
    if (message.trim() === '' && !code) {
      // An error answer with an empty body: what old servers send for a request they could not parse.
      return new ClickHouseUnavailableError('CLICKHOUSE_NO_REASON', { url });
    }
    return err instanceof Error ? err : new Error(message);
  }
}

/** The server's message without the code prefix and the 18.16 "e.what()" suffix. */
function serverText(message: string): string {
  const m = /DB::Exception: ([\s\S]*?)(?:, e\.what\(\) = DB::Exception)?\s*$/.exec(message);
  return (m ? m[1] : message).split('\n')[0].trim();
}

/**
 * How many request lines one lookup call takes: every lookup query reads most of the offers
 * whatever its key count (clickhouse-lookup.ts), so few big ones; the answer streams into columns,
 * so what grows with the batch is the crossdock's two batches of rows and their offers.
 */
/** From this many lines on, a job's crosses come from the crosses table read whole when it is small. */
const CROSSES_WHOLE_MIN_LINES = 20_000;

function batchLinesFor(lines: number | null): number {
  if (lines === null || lines >= SNAPSHOT_MIN_LINES) return 16_000;
  return Math.min(100_000, Math.max(16_000, lines));
}

/**
 * `p`, or the signal's reason once it fires: after `p` settles (a read stopped by the same signal
 * settles once its server query is killed), or at most KILL_WAIT_MS later.
 */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => {
      const settled = p.then(
        () => undefined,
        () => undefined,
      );
      void Promise.race([settled, sleep(KILL_WAIT_MS)]).then(() => reject(abortReason(signal)));
    };
    signal.addEventListener('abort', stop, { once: true });
    p.then((v) => (signal.aborted ? undefined : resolve(v)), reject).finally(() =>
      signal.removeEventListener('abort', stop),
    );
  });
}
const KILL_WAIT_MS = 750;
const SNAPSHOT_BATCH_LINES = 4000;

/** Offers from a ClickHouse database with the canonical schema (PRODUCT.md "Data sources"). */
export class ClickHouseSource implements OfferSource {
  private expected: number | null = null;
  /** A list's snapshot answers the lookups (from memory: small batches, no cache of its offers). */
  private fromSnapshot = false;
  private allCrosses: Promise<CrossLookup | null> | null = null;
  /** The crosses table once read whole (crossesNow). */
  private crossesRead: CrossLookup | null = null;
  private readonly snapshots = new Map<string, Promise<ListSnapshot | null>>();
  private lists: Promise<string[]> | null = null;
  private readonly strings = new StringPool();
  private extras: SchemaExtras = { offers: { minQty: false, pack: false }, tables: new Map() };

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

  expectLines(lines: number | null): void {
    this.expected = lines;
    // A list read on a first guess that the sheet's own count now contradicts is not used.
    if (lines !== null && lines < SNAPSHOT_MIN_LINES) this.snapshots.clear();
  }

  /** Starts reading the list whole when the job is big enough for that (snapshotOf); lookups then wait for it. */
  prepareList(list: string, signal?: AbortSignal): void {
    if (this.expected === null || this.expected < SNAPSHOT_MIN_LINES) return;
    // Its failure, if any, is the first lookup's to report (snapshotOf tries again there).
    void this.withSignal(signal, (abort) => this.snapshotOf(list, abort)).catch(() => undefined);
  }

  /**
   * With analogs, a job of many lines reads a small crosses table whole (allCrosses), started now,
   * while the request file is read: its lines' crosses then cost no round trip of their own (a
   * keyed crosses query waits for the batch's keys, then the offers wait for it).
   */
  prepareCrosses(signal?: AbortSignal): void {
    if ((this.expected ?? 0) < CROSSES_WHOLE_MIN_LINES) return;
    try {
      if (!this.readable('crosses')) return;
    } catch {
      return; // a crosses table without its columns: the first batch says so
    }
    // Its failure, if any, is the first batch's to report (crossesWhole tries again there).
    void this.withSignal(signal, (abort) => this.crossesWhole(abort)).catch(() => undefined);
  }

  /**
   * Request lines per lookup call (OfferSource.batchLines). Answered from a snapshot, a lookup costs
   * no round trip, so a batch read ahead overlaps nothing and only holds lines: 4,000 then (measured
   * on ch-1m-xlsx with the cache off too: ~0.4 s and ~15 MB less than 16,000).
   */
  get batchLines(): number {
    return this.fromSnapshot ? SNAPSHOT_BATCH_LINES : batchLinesFor(this.expected);
  }

  /** Keys the matcher keeps across batches (OfferSource.cacheKeys): none when a snapshot answers. */
  get cacheKeys(): number | undefined {
    return this.fromSnapshot ? 0 : undefined;
  }

  /**
   * The list read whole for a big job (clickhouse-list-snapshot.ts), once per list; null when the
   * job is small or the list too big for it, and lookups query by key.
   */
  private snapshotOf(list: string, abort: AbortSignal | undefined): Promise<ListSnapshot | null> {
    const lines = this.expected;
    if (lines === null || lines < SNAPSHOT_MIN_LINES) return Promise.resolve(null);
    let loading = this.snapshots.get(list);
    if (!loading) {
      const p = this.loadSnapshot(list, lines, abort);
      this.snapshots.set(list, p);
      // A failed or cancelled read is tried again by the next lookup.
      p.catch(() => {
        if (this.snapshots.get(list) === p) this.snapshots.delete(list);
      });
      loading = p;
    }
    return untilAborted(loading, abort);
  }

  private async loadSnapshot(
    list: string,
    lines: number,
    abort: AbortSignal | undefined,
  ): Promise<ListSnapshot | null> {
    const queries = snapshotQueries(list, this.extras.offers);
    const [row] = await this.query(() => this.conn.rows<{ n: string | number }>(queries.count, abort));
    const offers = Number(row?.n);
    if (!snapshotFits(lines, offers)) return null;
    const extras = this.extras.offers;
    const snapshot = new ListSnapshot(this.strings, extras.minQty || extras.pack, offers);
    await this.query(() => this.conn.runInto(queries.read, { signal: abort, readOnly: true }, snapshot));
    if (!snapshot.complete) throw truncatedAnswerError(this.conn.displayUrl);
    snapshot.finish();
    return snapshot;
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
    return this.withSignal(signal, async (abort) => {
      const snapshot = await this.answering(list, abort);
      return snapshot ? snapshot.lookup(keys) : this.queryOffers(list, keys, abort);
    });
  }

  /**
   * The same as columns, key by key (OfferSource.lookupRows): from a job's list read whole, or from
   * one lookup query per batch of keys.
   */
  async lookupRows(list: string, keys: readonly LookupKey[], signal?: AbortSignal): Promise<OfferRows> {
    return this.withSignal(signal, async (abort) => {
      const snapshot = await this.answering(list, abort);
      if (snapshot) return snapshot.lookupRows(keys);
      return lookupOfferRows(
        list,
        keys,
        this.strings,
        this.conn.displayUrl,
        this.lookupSender(abort),
        this.extras.offers,
      );
    });
  }

  /** Runs a lookup query and streams its answer into the sink (lookupOffers, lookupOfferRows). */
  private lookupSender(abort: AbortSignal | undefined) {
    return ({ sql, ...request }: LookupRequest, sink: AnswerSink): Promise<void> =>
      this.query(() => this.conn.runInto(sql, { ...request, signal: abort, readOnly: true }, sink));
  }

  /** The list checked, and its snapshot when one answers this job's lookups (null: key queries). */
  private async answering(list: string, abort: AbortSignal | undefined): Promise<ListSnapshot | null> {
    await this.checkList(list, abort);
    const snapshot = await this.snapshotOf(list, abort);
    if (snapshot) this.fromSnapshot = true;
    return snapshot;
  }

  private queryOffers(
    list: string,
    keys: readonly LookupKey[],
    abort: AbortSignal | undefined,
  ): Promise<Map<string, Offer[]>> {
    return lookupOffers(
      list,
      keys,
      this.strings,
      this.conn.displayUrl,
      this.lookupSender(abort),
      this.extras.offers,
    );
  }

  crossesNow(): CrossLookup | null {
    return this.crossesRead;
  }

  async crosses(
    keys: readonly LookupKey[],
    signal?: AbortSignal,
  ): Promise<ReadonlyMap<string, readonly LookupKey[]>> {
    if (keys.length === 0 || !this.readable('crosses')) return new Map();
    // A big job asks for crosses batch after batch: a small table is read once instead.
    const whole =
      this.fromSnapshot || (this.expected ?? 0) >= CROSSES_WHOLE_MIN_LINES
        ? await this.withSignal(signal, (abort) => this.crossesWhole(abort))
        : null;
    if (whole) return crossesFromWhole(keys, whole);
    return this.withSignal(signal, (abort) =>
      lookupCrosses(keys, this.conn.displayUrl, ({ sql, ...request }) =>
        this.query(() => this.conn.run(sql, { ...request, signal: abort, readOnly: true })),
      ),
    );
  }

  /** The crosses table read whole (allCrosses), once; null when it is too big for that. */
  private crossesWhole(abort: AbortSignal | undefined): Promise<CrossLookup | null> {
    if (!this.allCrosses) {
      const p = allCrosses(this.conn.displayUrl, (sql) =>
        this.query(() => this.conn.run(sql, { signal: abort, readOnly: true })),
      );
      this.allCrosses = p;
      p.then(
        (whole) => {
          if (this.allCrosses === p) this.crossesRead = whole;
        },
        () => undefined,
      );
      // A failed or cancelled read is tried again by the next batch.
      p.catch(() => {
        if (this.allCrosses === p) this.allCrosses = null;
      });
    }
    return untilAborted(this.allCrosses, abort);
  }

  async brandAliases(signal?: AbortSignal): Promise<Map<string, string>> {
    if (!this.readable('brand_aliases')) return new Map();
    const rows = await this.withSignal(signal, (abort) =>
      this.query(() =>
        this.conn.rows<{ a: string | null; b: string | null }>(
          'SELECT toString(alias) AS a, toString(brand) AS b FROM brand_aliases ORDER BY a, b',
          abort,
        ),
      ),
    );
    return aliasMap(rows.map((r) => [r.a, r.b] as const));
  }

  async rates(signal?: AbortSignal): Promise<Map<string, number>> {
    if (!this.readable('rates')) return new Map();
    const rows = await this.withSignal(signal, (abort) =>
      this.query(() =>
        // The rate as text: JSON has no inf or nan, and ClickHouse's shortest text of a Float64 reads back exactly.
        this.conn.rows<{ c: string | null; r: string | null }>(
          'SELECT toString(currency) AS c, toString(toFloat64(rate)) AS r FROM rates ORDER BY c, toFloat64(rate)',
          abort,
        ),
      ),
    );
    return rateMap(rows.map((r) => [r.c, r.r] as const));
  }

  /**
   * Whether an optional table is there to read: absent, it reads as empty; present without the
   * columns Crossdock reads, it is the schema error the user must fix.
   */
  private readable(table: OptionalTable): boolean {
    const columns = this.extras.tables.get(table);
    if (!columns) return false;
    const missing = OPTIONAL_TABLES[table].filter((c) => !columns.has(c));
    if (missing.length) {
      throw new InputError('CLICKHOUSE_MISSING_COLUMNS', {
        table: `${this.database}.${table}`,
        columns: missing,
      });
    }
    return true;
  }

  private async withSignal<T>(
    signal: AbortSignal | undefined,
    fn: (abort?: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const linked = linkSignals(this.signal, signal);
    try {
      if (linked.signal?.aborted) throw abortReason(linked.signal);
      return await fn(linked.signal);
    } finally {
      linked.dispose();
    }
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  /**
   * Reports a missing table or column as one sentence; a query that hit one (60, 47) re-checks.
   * Also notes what the database has of the optional schema: offers' min_qty and pack, and the
   * crosses, brand_aliases and rates tables (read once here, not per query).
   */
  private async checkSchema(signal?: AbortSignal): Promise<void> {
    const rows = await this.conn.rows<{ table: string; name: string }>(
      `SELECT table, name FROM system.columns
       WHERE database = currentDatabase()
         AND table IN ('offers', 'supplier_lists', 'crosses', 'brand_aliases', 'rates')`,
      signal,
    );
    const offers = new Set(rows.filter((r) => r.table === 'offers').map((r) => r.name));
    const tables = new Map<OptionalTable, Set<string>>();
    for (const table of Object.keys(OPTIONAL_TABLES) as OptionalTable[]) {
      const columns = rows.filter((r) => r.table === table).map((r) => r.name);
      if (columns.length) tables.set(table, new Set(columns));
    }
    this.extras = { offers: { minQty: offers.has('min_qty'), pack: offers.has('pack') }, tables };
    const db = this.database;
    for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
      const present = new Set(rows.filter((r) => r.table === table).map((r) => r.name));
      if (present.size === 0) {
        throw new InputError('CLICKHOUSE_NO_SUCH_TABLE', { database: db, table });
      }
      const missing = columns.filter((c) => !present.has(c));
      if (missing.length) {
        throw new InputError('CLICKHOUSE_MISSING_COLUMNS', { table: `${db}.${table}`, columns: missing });
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
    if (!lists.includes(list)) throw unknownListError(list, lists);
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
