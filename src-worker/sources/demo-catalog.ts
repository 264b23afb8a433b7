import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.ts';
import { existsSync, linkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Offer } from '../crossdock/best-offer.ts';
import { OfferRows, OfferRowsBuilder } from '../crossdock/offer-rows.ts';
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import {
  DEMO_BRAND_ALIASES,
  DEMO_PARTS,
  DEMO_RATES,
  demoCrosses,
  demoListMembers,
  demoOffers,
  demoPart,
  showcaseOffers,
} from './demo-data.ts';
import { StringPool } from './string-pool.ts';
import {
  buildPacks,
  encodePack,
  PACKS_TABLE,
  PACKS_TRIGGERS,
  markPacksComplete,
  PackReader,
  PackStringIds,
  rebuildPacks,
  type PackRow,
} from './demo-packs.ts';
import { LookupThread, lookupInto, prepareLookups, IN_SIZES } from './demo-lookup-thread.ts';
import {
  aliasMap,
  CROSSES_WHOLE_MAX,
  CROSSES_WHOLE_SMALL,
  CrossCollector,
  CrossIndex,
  crossesFromWhole,
  NO_CROSS_LOOKUP,
  type CrossLookup,
  rateMap,
} from './optional-tables.ts';
import { lookupKey, unknownListError, type LookupKey, type OfferSource } from './types.ts';

export const CATALOG_FILE = 'catalog.sqlite';

/**
 * A catalog being built: `catalog.sqlite.<pid>.<ms>.tmp` in the data folder (SQLite may add -wal,
 * -shm or -journal to it), named by the process building it. A build that is killed leaves it; the
 * engine's housekeeping removes those whose process is gone (catalogBuildPid says whose it is).
 */
export function catalogBuildPath(dataDir: string, pid = process.pid, now = Date.now()): string {
  return join(dataDir, `${CATALOG_FILE}.${pid}.${now}.tmp`);
}

const BUILD_FILE = /^catalog\.sqlite\.(\d+)\.(\d+)\.tmp(?:-wal|-shm|-journal)?$/;

/** The pid of the process that builds (or built, and was killed) the catalog under this file name; null when the name is not one of a build. */
export function catalogBuildPid(name: string): number | null {
  const m = BUILD_FILE.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * The catalog's schema version (SQLite's user_version). 0: offers and supplier_lists only (before
 * packs, crosses, aliases and rates); 2: those and the showcase data; 3: offer_packs and its
 * triggers (demo-packs.ts). An older catalog is
 * brought up to date in place (ensureDemoCatalog), so offers imported into it stay.
 */
export const DEMO_CATALOG_VERSION = 3;

const TABLES = `
CREATE TABLE offers (
  brand TEXT NOT NULL, article TEXT NOT NULL, supplier TEXT NOT NULL, name TEXT NOT NULL,
  price REAL NOT NULL, currency TEXT NOT NULL, quantity INTEGER NOT NULL, delivery_days INTEGER NOT NULL,
  min_qty INTEGER NOT NULL DEFAULT 1, pack INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE supplier_lists (list TEXT NOT NULL, supplier TEXT NOT NULL, PRIMARY KEY (list, supplier));
`;
/** The optional tables (PRODUCT.md "Data sources"), also what an older catalog gains. */
const OPTIONAL_TABLES = `
CREATE TABLE IF NOT EXISTS crosses (
  brand TEXT NOT NULL, article TEXT NOT NULL, cross_brand TEXT NOT NULL, cross_article TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS crosses_pair ON crosses (brand, article, cross_brand, cross_article);
CREATE INDEX IF NOT EXISTS crosses_cross ON crosses (cross_brand, cross_article);
CREATE TABLE IF NOT EXISTS brand_aliases (alias TEXT NOT NULL PRIMARY KEY, brand TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rates (currency TEXT NOT NULL PRIMARY KEY, rate REAL NOT NULL);
`;
const INDEXES = `
CREATE INDEX offers_key ON offers (brand, article);
CREATE INDEX offers_supplier ON offers (supplier);
`;

/** The columns an offer row is written with (min_qty and pack may be missing in an old catalog). */
export const OFFER_INSERT =
  'INSERT INTO offers (brand, article, supplier, name, price, currency, quantity, delivery_days, min_qty, pack) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** The demo content of the version-2 additions: showcase offers and members, crosses, aliases, rates. */
function addShowcase(db: Database.Database, fresh: boolean): void {
  const insert = db.prepare(OFFER_INSERT);
  const drop = db.prepare('DELETE FROM offers WHERE brand = ? AND article = ? AND supplier = ?');
  for (const o of showcaseOffers()) {
    if (!fresh) drop.run(o.brand, o.article, o.supplier);
    insert.run(
      o.brand,
      o.article,
      o.supplier,
      o.name,
      o.price,
      o.currency,
      o.quantity,
      o.deliveryDays,
      o.minQty,
      o.pack,
    );
  }
  const member = db.prepare('INSERT OR IGNORE INTO supplier_lists VALUES (?, ?)');
  for (const [list, supplier] of demoListMembers()) member.run(list, supplier);
  const cross = db.prepare('INSERT OR IGNORE INTO crosses VALUES (?, ?, ?, ?)');
  for (const c of demoCrosses()) cross.run(...c);
  const alias = db.prepare('INSERT OR IGNORE INTO brand_aliases VALUES (?, ?)');
  for (const [a, b] of DEMO_BRAND_ALIASES) alias.run(normalizeBrand(a), normalizeBrand(b));
  const rate = db.prepare('INSERT OR IGNORE INTO rates VALUES (?, ?)');
  for (const [c, r] of DEMO_RATES) rate.run(c, r);
}

/** Catalog files this process has seen up to date (a job asks for the file every time it runs). */
const current = new Set<string>();

/**
 * Creates the demo catalog in dataDir unless it exists, or brings an older one up to date. Built
 * under a temporary name and renamed, so a crash or a second process never sees half a catalog.
 */
export function ensureDemoCatalog(dataDir: string): string {
  const file = join(dataDir, CATALOG_FILE);
  if (current.has(file) && existsSync(file)) return file;
  if (existsSync(file)) {
    migrateDemoCatalog(file);
    current.add(file);
    return file;
  }
  const tmp = catalogBuildPath(dataDir);
  const db = openSqlite(tmp);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(TABLES);
    db.exec(OPTIONAL_TABLES);
    // The triggers come after the bulk insert: nobody else sees this file yet, and they would double its time.
    db.exec(PACKS_TABLE);
    const insert = db.prepare(OFFER_INSERT);
    let unpacked = 0;
    db.transaction(() => {
      // Each part's pack is made from the rows as they are written (two parts may share a key).
      const packs = new Map<string, { brand: string; article: string; rows: PackRow[] }>();
      for (let i = 0; i < DEMO_PARTS; i++) {
        const part = demoPart(i);
        const brand = normalizeBrand(part.brand);
        const article = normalizeArticle(part.display);
        const k = lookupKey(brand, article);
        let pack = packs.get(k);
        if (!pack) packs.set(k, (pack = { brand, article, rows: [] }));
        for (const o of demoOffers(i)) {
          pack.rows.push([o.supplier, part.name, o.price, o.currency, o.quantity, o.deliveryDays, 1, 1]);
          insert.run(
            brand,
            article,
            o.supplier,
            part.name,
            o.price,
            o.currency,
            o.quantity,
            o.deliveryDays,
            1,
            1,
          );
        }
      }
      const putPack = db.prepare('INSERT INTO offer_packs (brand, article, data) VALUES (?, ?, ?)');
      const strings = new PackStringIds(db);
      // In key order: the table is its primary key's B-tree, which random inserts would churn.
      const sorted = [...packs.values()].sort((a, b) =>
        a.brand !== b.brand
          ? a.brand < b.brand
            ? -1
            : 1
          : a.article < b.article
            ? -1
            : a.article > b.article
              ? 1
              : 0,
      );
      for (const p of sorted) {
        const data = encodePack(p.rows, strings);
        if (data) putPack.run(p.brand, p.article, data);
        else unpacked++;
      }
      db.exec(PACKS_TRIGGERS);
      addShowcase(db, true);
    })();
    db.exec(INDEXES);
    // The triggers dropped the packs of the parts the showcase adds offers to.
    const showcase = new Map(
      showcaseOffers().map((o) => [lookupKey(o.brand, o.article), [o.brand, o.article] as const]),
    );
    db.transaction(() => {
      unpacked += rebuildPacks(db, showcase.values());
      if (unpacked === 0) markPacksComplete(db);
    })();
    db.pragma(`user_version = ${DEMO_CATALOG_VERSION}`);
    db.pragma('journal_mode = WAL');
    db.close();
    // link() never replaces: if another process finished first, its catalog (maybe with imports
    // already in it) stays, and this copy is dropped.
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    rmSync(tmp, { force: true });
  } catch (err) {
    if (db.open) db.close();
    rmSync(tmp, { force: true });
    throw err;
  }
  current.add(file);
  return file;
}

/**
 * Brings a catalog made by an older version up to DEMO_CATALOG_VERSION in one transaction: offers
 * gain min_qty and pack (1), the optional tables appear with the demo's crosses, aliases and rates,
 * and the showcase parts and suppliers are added. Imported offers stay as they are. Two processes
 * may race here: the second finds the version already set once it has the write lock.
 */
export function migrateDemoCatalog(file: string): void {
  const db = openSqlite(file, { fileMustExist: true });
  try {
    if ((db.pragma('user_version', { simple: true }) as number) >= DEMO_CATALOG_VERSION) return;
    db.pragma('busy_timeout = 10000');
    db.exec('BEGIN IMMEDIATE');
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version < 2) {
        const columns = new Set((db.pragma('table_info(offers)') as { name: string }[]).map((c) => c.name));
        if (!columns.has('min_qty'))
          db.exec('ALTER TABLE offers ADD COLUMN min_qty INTEGER NOT NULL DEFAULT 1');
        if (!columns.has('pack')) db.exec('ALTER TABLE offers ADD COLUMN pack INTEGER NOT NULL DEFAULT 1');
        db.exec(OPTIONAL_TABLES);
        addShowcase(db, false);
      }
      if (version < DEMO_CATALOG_VERSION) {
        buildPacks(db);
        db.pragma(`user_version = ${DEMO_CATALOG_VERSION}`);
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.close();
  }
}

/** Keys in one lookup from which a lookup thread pays for its start (~40 ms); fewer are looked up here. */
const THREAD_MIN_KEYS = 2000;
/**
 * Jobs of more lines than this look up in their own thread: a thread adds ~15-20 MB for the rest of
 * the job, and on a million lines, whose time is mostly reading and writing, that memory is worth
 * more (measured on 1m-xlsx: 9.2 s either way, 280 MB peak without, 295 MB with).
 */
const THREAD_MAX_LINES = 300_000;
/** Lines per batch when lookups run in the job's thread, and the first batch's with the thread (see batchLines). */
const IN_JOB_BATCH_LINES = 4000;

export interface DemoCatalogOptions {
  /**
   * The lookup thread entry (dist/demo-lookup.mjs, see demo-lookup-thread.ts). Big lookups
   * then run there while the job goes on; without it every lookup runs in the calling thread.
   */
  lookupThreadFile?: string;
  /** Crosses rows up to which the table is read whole (tests: 0 asks key by key always). */
  crossesWholeMax?: number;
}

/** The embedded SQLite catalog as an offer source (read-only). */
export class DemoCatalog implements OfferSource {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareLookups>;
  private readonly packs: PackReader | null;
  private readonly members = new Map<string, Set<string>>();
  private readonly strings = new StringPool();
  private thread: LookupThread | null = null;
  private threadAllowed = true;
  /** A lookup has been asked for (batchLines). */
  private asked = false;
  /** The optional tables this catalog has (one made before them has none). */
  private readonly tables: ReadonlySet<string>;
  private crossStatements: Map<number, Database.Statement<string[], [string, string, string]>> | null = null;
  /** The crosses table read whole (wholeCrosses); null: asked key by key; undefined: not decided yet. */
  private crossesAll: CrossIndex | null | undefined = undefined;

  constructor(
    private readonly file: string,
    private readonly options: DemoCatalogOptions = {},
  ) {
    this.db = openSqlite(file, { readonly: true, fileMustExist: true });
    this.statements = prepareLookups(this.db);
    this.packs = PackReader.open(this.db);
    this.tables = new Set(
      this.db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('crosses', 'brand_aliases', 'rates')",
        )
        .pluck()
        .all() as string[],
    );
  }

  async supplierLists(): Promise<string[]> {
    return (
      this.db.prepare('SELECT DISTINCT list FROM supplier_lists ORDER BY list').pluck().all() as string[]
    ).sort();
  }

  private suppliersOf(list: string): Set<string> {
    let set = this.members.get(list);
    if (!set) {
      set = new Set(
        this.db.prepare('SELECT supplier FROM supplier_lists WHERE list = ?').pluck().all(list) as string[],
      );
      if (set.size === 0) {
        const known = this.db
          .prepare('SELECT DISTINCT list FROM supplier_lists ORDER BY list')
          .pluck()
          .all() as string[];
        throw unknownListError(list, known);
      }
      this.members.set(list, set);
    }
    return set;
  }

  async lookup(
    list: string,
    keys: readonly LookupKey[],
    signal?: AbortSignal,
  ): Promise<Map<string, Offer[]>> {
    const rows = await this.lookupRows(list, keys, signal);
    const result = new Map<string, Offer[]>();
    for (let i = 0; i < keys.length; i++)
      result.set(lookupKey(keys[i].brand, keys[i].article), rows.offersOf(i));
    return result;
  }

  async lookupRows(list: string, keys: readonly LookupKey[], signal?: AbortSignal): Promise<OfferRows> {
    const members = this.suppliersOf(list); // an unknown list is an InputError naming the known ones
    this.asked = true;
    // The distinct keys, brand by brand; slotOf[i] (below) is keys[i]'s index among them (brand-major).
    type Brand = { articles: string[]; seen: Map<string, number>; base: number };
    const byBrand = new Map<string, Brand>();
    const local = new Int32Array(keys.length);
    const brandOf = new Array<Brand>(keys.length);
    let distinct = 0;
    for (let i = 0; i < keys.length; i++) {
      const { brand, article } = keys[i];
      let group = byBrand.get(brand);
      if (!group) byBrand.set(brand, (group = { articles: [], seen: new Map(), base: 0 }));
      let a = group.seen.get(article);
      if (a === undefined) {
        a = group.articles.length;
        group.seen.set(article, a);
        group.articles.push(article);
        distinct++;
      }
      local[i] = a;
      brandOf[i] = group;
    }
    // Where each brand's keys start among the distinct ones.
    let base = 0;
    for (const g of byBrand.values()) {
      g.base = base;
      base += g.articles.length;
    }
    const slotOf = new Uint32Array(keys.length);
    let inOrder = distinct === keys.length;
    for (let i = 0; i < keys.length; i++) {
      slotOf[i] = brandOf[i].base + local[i];
      if (slotOf[i] !== i) inOrder = false;
    }
    const answered =
      this.options.lookupThreadFile && this.threadAllowed && distinct >= THREAD_MIN_KEYS
        ? await this.lookupInThread(list, byBrand, signal)
        : this.lookupHere(list, members, byBrand, distinct);
    if (inOrder) return answered;
    // The answer counts keys brand by brand, each once: keys[i]'s rows are those of its place there.
    const from = new Uint32Array(keys.length);
    const to = new Uint32Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      from[i] = answered.from[slotOf[i]];
      to[i] = answered.to[slotOf[i]];
    }
    return answered.withSpans(from, to);
  }

  /** The lookup thread's answer: its columns as they came, texts pooled. */
  private async lookupInThread(
    list: string,
    byBrand: Map<string, { articles: string[] }>,
    signal: AbortSignal | undefined,
  ): Promise<OfferRows> {
    this.thread ??= new LookupThread(this.options.lookupThreadFile!, this.file);
    const a = await this.thread.ask(
      list,
      [...byBrand.keys()],
      [...byBrand.values()].map((g) => g.articles),
      signal,
    );
    const texts = a.strings.map((t) => this.strings.get(t));
    return new OfferRows(
      texts,
      a.supplier,
      a.name,
      a.currency,
      a.price,
      a.quantity,
      a.deliveryDays,
      a.minQty,
      a.pack,
      a.from,
      a.to,
    );
  }

  /** The same lookup in this thread (small lookups, or no thread): through packs, then the offers table. */
  private lookupHere(
    list: string,
    members: Set<string>,
    byBrand: Map<string, { articles: string[] }>,
    distinct: number,
  ): OfferRows {
    if (this.thread && !this.thread.busy) {
      // Lookups got small (the job's cache has most parts by now): the thread's memory is worth more.
      // Not while a big lookup is still in the thread: with analogs a batch's small lookup of its
      // analogs' offers runs beside the next batch's big one.
      void this.thread.close();
      this.thread = null;
    }
    const out = new OfferRowsBuilder(distinct);
    lookupInto(
      out,
      this.statements,
      this.packs,
      members,
      list,
      [...byBrand.keys()],
      [...byBrand.values()].map((g) => g.articles),
    );
    return out.finish(this.strings);
  }

  async crosses(keys: readonly LookupKey[]): Promise<ReadonlyMap<string, readonly LookupKey[]>> {
    if (!this.tables.has('crosses') || keys.length === 0) return new Map();
    const whole = this.wholeCrosses();
    if (whole) return crossesFromWhole(keys, whole);
    const asked = new Set<string>();
    const byBrand = new Map<string, string[]>();
    for (const { brand, article } of keys) {
      const k = lookupKey(brand, article);
      if (asked.has(k)) continue;
      asked.add(k);
      let articles = byBrand.get(brand);
      if (!articles) byBrand.set(brand, (articles = []));
      articles.push(article);
    }
    this.crossStatements ??= prepareCrossLookups(this.db);
    const found = new CrossCollector(asked);
    const max = IN_SIZES[IN_SIZES.length - 1];
    for (const [brand, articles] of byBrand) {
      for (let i = 0; i < articles.length; i += max) {
        const chunk = articles.slice(i, i + max);
        const size = IN_SIZES.find((n) => n >= chunk.length)!;
        while (chunk.length < size) chunk.push(chunk[0]);
        for (const [article, crossBrand, crossArticle] of this.crossStatements
          .get(size)!
          .all(brand, ...chunk, brand, ...chunk))
          found.add(lookupKey(brand, article), crossBrand, crossArticle);
      }
    }
    return found.result();
  }

  /** The crosses table when it is read whole (wholeCrosses); none at all without the table. */
  crossesNow(): CrossLookup | null {
    if (!this.tables.has('crosses')) return NO_CROSS_LOOKUP;
    return this.wholeCrosses();
  }

  /**
   * The whole crosses table by key (both ways round, as the key-by-key queries answer), read once
   * when it is small, or not too big for a job past THREAD_MAX_LINES, which would otherwise ask for
   * crosses in thousands of queries; null when it is asked key by key.
   */
  private wholeCrosses(): CrossIndex | null {
    if (this.crossesAll !== undefined) return this.crossesAll;
    const rows = this.db.prepare('SELECT count(*) FROM crosses').pluck().get() as number;
    const max =
      this.options.crossesWholeMax ?? (this.threadAllowed ? CROSSES_WHOLE_SMALL : CROSSES_WHOLE_MAX);
    if (rows > max) return (this.crossesAll = null);
    const found = new CrossCollector(null);
    const all = this.db
      .prepare<[], [string, string, string, string]>(
        'SELECT brand, article, cross_brand, cross_article FROM crosses',
      )
      .raw(true);
    for (const row of all.iterate()) found.addBothWays(...row);
    return (this.crossesAll = new CrossIndex(found.result()));
  }

  async brandAliases(): Promise<Map<string, string>> {
    if (!this.tables.has('brand_aliases')) return new Map();
    return aliasMap(
      this.db.prepare('SELECT alias, brand FROM brand_aliases ORDER BY alias, brand').raw(true).all() as [
        unknown,
        unknown,
      ][],
    );
  }

  async rates(): Promise<Map<string, number>> {
    if (!this.tables.has('rates')) return new Map();
    return rateMap(
      this.db.prepare('SELECT currency, rate FROM rates ORDER BY currency, rate').raw(true).all() as [
        unknown,
        unknown,
      ][],
    );
  }

  /** A lookup thread is running now (for tests and diagnostics). */
  get threadRunning(): boolean {
    return this.thread !== null;
  }

  /**
   * Lines per lookup call. Without the thread a lookup runs in the job's own thread, so reading a
   * batch ahead overlaps nothing and only holds more lines: smaller batches then keep a million-line
   * job's memory down (16k → 4k lines: ~30 MB less on the bench's 6-column CSV). With the thread,
   * the first batch is small too, so that matching and writing start as soon as its offers are in
   * while the thread looks the next, full-size batch up (100k-xlsx: ~0.1 s sooner done).
   */
  get batchLines(): number | undefined {
    if (!this.threadAllowed || !this.options.lookupThreadFile) return IN_JOB_BATCH_LINES;
    return this.asked ? undefined : IN_JOB_BATCH_LINES;
  }

  expectLines(lines: number | null): void {
    this.threadAllowed = lines === null || lines <= THREAD_MAX_LINES;
    // A list big enough for thread lookups starts the thread now: it loads while the first batch is read.
    if (this.threadAllowed && lines !== null && lines >= THREAD_MIN_KEYS && this.options.lookupThreadFile)
      this.thread ??= new LookupThread(this.options.lookupThreadFile, this.file);
  }

  async close(): Promise<void> {
    await this.thread?.close();
    this.thread = null;
    this.db.close();
  }
}

/**
 * One statement per IN (...) size: the crosses of some articles of one brand, both ways round
 * (rows: the asked article, the other part's brand and article). Parameters: brand, articles,
 * brand, articles.
 */
function prepareCrossLookups(
  db: Database.Database,
): Map<number, Database.Statement<string[], [string, string, string]>> {
  const statements = new Map<number, Database.Statement<string[], [string, string, string]>>();
  for (const size of IN_SIZES) {
    const marks = new Array(size).fill('?').join(', ');
    statements.set(
      size,
      db
        .prepare<string[], [string, string, string]>(
          `SELECT article, cross_brand, cross_article FROM crosses WHERE brand = ? AND article IN (${marks})
           UNION ALL
           SELECT cross_article, brand, article FROM crosses WHERE cross_brand = ? AND cross_article IN (${marks})`,
        )
        .raw(true),
    );
  }
  return statements;
}
