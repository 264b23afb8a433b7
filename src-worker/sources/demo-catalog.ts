import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.ts';
import { existsSync, linkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Offer } from '../crossdock/best-offer.ts';
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import { DEMO_LISTS, DEMO_PARTS, DEMO_SUPPLIERS, demoOffers, demoPart } from './demo-data.ts';
import { StringPool } from './string-pool.ts';
import { LookupThread, prepareLookups, queryBrand } from './demo-lookup-thread.ts';
import { lookupKey, unknownListError, type LookupKey, type OfferSource } from './types.ts';

export const CATALOG_FILE = 'catalog.sqlite';

const SCHEMA = `
CREATE TABLE offers (
  brand TEXT NOT NULL, article TEXT NOT NULL, supplier TEXT NOT NULL, name TEXT NOT NULL,
  price REAL NOT NULL, currency TEXT NOT NULL, quantity INTEGER NOT NULL, delivery_days INTEGER NOT NULL
);
CREATE INDEX offers_key ON offers (brand, article);
CREATE INDEX offers_supplier ON offers (supplier);
CREATE TABLE supplier_lists (list TEXT NOT NULL, supplier TEXT NOT NULL, PRIMARY KEY (list, supplier));
`;

/**
 * Creates the demo catalog in dataDir unless it exists. Built under a temporary name and renamed,
 * so a crash or a second process never sees half a catalog.
 */
export function ensureDemoCatalog(dataDir: string): string {
  const file = join(dataDir, CATALOG_FILE);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const db = openSqlite(tmp);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(SCHEMA.replace(/CREATE INDEX[^;]+;/g, ''));
    const insert = db.prepare('INSERT INTO offers VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const member = db.prepare('INSERT INTO supplier_lists VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < DEMO_PARTS; i++) {
        const part = demoPart(i);
        const brand = normalizeBrand(part.brand);
        const article = normalizeArticle(part.display);
        for (const o of demoOffers(i)) {
          insert.run(brand, article, o.supplier, part.name, o.price, o.currency, o.quantity, o.deliveryDays);
        }
      }
      for (const [list, members] of Object.entries(DEMO_LISTS)) {
        for (const s of members) member.run(list, DEMO_SUPPLIERS[s].name);
      }
    })();
    for (const stmt of SCHEMA.match(/CREATE INDEX[^;]+;/g) ?? []) db.exec(stmt);
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
  return file;
}

/** Keys in one lookup from which a lookup thread pays for its start (~40 ms); fewer are looked up here. */
const THREAD_MIN_KEYS = 2000;
/**
 * Jobs of more lines than this look up in their own thread: a thread adds ~15-20 MB for the rest of
 * the job, and on a million lines, whose time is mostly reading and writing, that memory is worth
 * more (measured on 1m-xlsx: 9.2 s either way, 280 MB peak without, 295 MB with).
 */
const THREAD_MAX_LINES = 300_000;

export interface DemoCatalogOptions {
  /**
   * The lookup thread entry (dist/demo-lookup.mjs, see demo-lookup-thread.ts). Big lookups
   * then run there while the job goes on; without it every lookup runs in the calling thread.
   */
  lookupThreadFile?: string;
}

/** The embedded SQLite catalog as an offer source (read-only). */
export class DemoCatalog implements OfferSource {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareLookups>;
  private readonly members = new Map<string, Set<string>>();
  private readonly strings = new StringPool();
  private thread: LookupThread | null = null;
  private threadAllowed = true;

  constructor(
    private readonly file: string,
    private readonly options: DemoCatalogOptions = {},
  ) {
    this.db = openSqlite(file, { readonly: true, fileMustExist: true });
    this.statements = prepareLookups(this.db);
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
    this.suppliersOf(list); // an unknown list is an InputError naming the known ones
    const result = new Map<string, Offer[]>();
    const byBrand = new Map<string, string[]>();
    for (const { brand, article } of keys) {
      const k = lookupKey(brand, article);
      if (result.has(k)) continue;
      result.set(k, []);
      let articles = byBrand.get(brand);
      if (!articles) byBrand.set(brand, (articles = []));
      articles.push(article);
    }
    if (this.options.lookupThreadFile && this.threadAllowed && result.size >= THREAD_MIN_KEYS) {
      this.thread ??= new LookupThread(this.options.lookupThreadFile, this.file);
      const brands = [...byBrand.keys()];
      const articles = [...byBrand.values()];
      const answer = await this.thread.ask(list, brands, articles, signal);
      // Row r answers key answer.key[r], counted brand by brand in the order sent.
      const offersOf: Offer[][] = [];
      for (let b = 0; b < brands.length; b++)
        for (const a of articles[b]) offersOf.push(result.get(lookupKey(brands[b], a))!);
      const { strings: text, key, supplier, name, currency, price, quantity, deliveryDays } = answer;
      const pooled = text.map((t) => this.strings.get(t));
      for (let r = 0; r < key.length; r++) {
        offersOf[key[r]].push({
          supplier: pooled[supplier[r]],
          name: pooled[name[r]],
          price: price[r],
          currency: pooled[currency[r]],
          quantity: quantity[r],
          deliveryDays: deliveryDays[r],
        });
      }
      return result;
    }
    if (this.thread) {
      // Lookups got small (the job's cache has most parts by now): the thread's memory is worth more.
      void this.thread.close();
      this.thread = null;
    }
    for (const [brand, articles] of byBrand) {
      queryBrand(this.statements, list, brand, articles, (row) => {
        result.get(lookupKey(brand, row[0]))!.push({
          supplier: this.strings.get(row[1]),
          name: this.strings.get(row[2]),
          price: row[3],
          currency: this.strings.get(row[4]),
          quantity: row[5],
          deliveryDays: row[6],
        });
      });
    }
    return result;
  }

  /** A lookup thread is running now (for tests and diagnostics). */
  get threadRunning(): boolean {
    return this.thread !== null;
  }

  expectLines(lines: number | null): void {
    this.threadAllowed = lines === null || lines <= THREAD_MAX_LINES;
  }

  async close(): Promise<void> {
    await this.thread?.close();
    this.thread = null;
    this.db.close();
  }
}
