// Demo catalog lookups in a thread of their own, so a crossdock reads and writes one batch while
// SQLite fetches the next one's offers (better-sqlite3 is synchronous: in the job's thread nothing
// else moves while it runs). Measured on the 100k-line bench: the lookups were ~25% of the job's time.
//
// Offers come back columnar: numbers in typed arrays (transferred, not copied) and each distinct
// string once, so the answer crosses threads cheaply.
import { parentPort, Worker, type MessagePort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { CodedError } from '../../src-main/common/errors.ts';
import { orderUnit } from './optional-tables.ts';
import { OfferRowsBuilder } from '../crossdock/offer-rows.ts';
import { PackReader } from './demo-packs.ts';
import { openSqlite } from './sqlite.ts';

/** `workerData` of a lookup thread (src-worker/demo-lookup.ts checks it before serving). */
export interface LookupThreadData {
  crossdockRole: 'demo-lookup';
  catalogFile: string;
}

export interface LookupRequest {
  id: number;
  list: string;
  /** Keys grouped by brand: `articles[i]` are the articles asked for under `brands[i]`. */
  brands: string[];
  articles: string[][];
}

/**
 * Offers of one request, grouped by key: key k's (index into the request's keys, brand-major) are
 * rows from[k] ≤ r < to[k], in the order SQLite gave them. Texts are ids into `strings`. The columns
 * are the ones OfferRows holds, so the job's thread uses them as they arrive.
 */
export interface LookupAnswer {
  id: number;
  error?: string;
  strings: string[];
  from: Uint32Array;
  to: Uint32Array;
  supplier: Int32Array;
  name: Int32Array;
  currency: Int32Array;
  price: Float64Array;
  quantity: Float64Array;
  deliveryDays: Float64Array;
  /** Minimum order and pack, each a whole number ≥ 1 (1 where the catalog has none); null when all are 1. */
  minQty: Float64Array | null;
  pack: Float64Array | null;
}

// Statement sizes for IN (...) lists: a late batch often asks for one or two new keys per brand.
export const IN_SIZES = [1, 4, 16, 64, 200];
const MAX_IN = IN_SIZES[IN_SIZES.length - 1];

/** article, supplier, name, price, currency, quantity, days, min_qty, pack (the last two as stored: see orderUnit). */
export type OfferRow = [string, string, string, number, string, number, number, unknown, unknown];

/** Which of the optional offer columns (min_qty, pack) a catalog has: one made before them has neither. */
export function offerColumns(db: Database.Database): { minQty: boolean; pack: boolean } {
  const names = new Set(
    (db.pragma('table_info(offers)') as { name: string }[]).map((c) => c.name.toLowerCase()),
  );
  return { minQty: names.has('min_qty'), pack: names.has('pack') };
}

/**
 * One prepared statement per IN (...) size; rows: article, supplier, name, price, currency, quantity,
 * days, min_qty, pack (1 for a column the catalog lacks).
 */
export function prepareLookups(db: Database.Database): Map<number, Database.Statement<string[], OfferRow>> {
  const statements = new Map<number, Database.Statement<string[], OfferRow>>();
  const has = offerColumns(db);
  const extra = `${has.minQty ? 'min_qty' : '1'}, ${has.pack ? 'pack' : '1'}`;
  for (const size of IN_SIZES) {
    const stmt = db
      .prepare<string[], OfferRow>(
        `SELECT article, supplier, name, price, currency, quantity, delivery_days, ${extra} FROM offers
         WHERE brand = ? AND article IN (${new Array(size).fill('?').join(', ')})
           AND supplier IN (SELECT supplier FROM supplier_lists WHERE list = ?)`,
      )
      .raw(true);
    statements.set(size, stmt);
  }
  return statements;
}

/**
 * Calls `each` for every offer of the list's suppliers for these articles of one brand. The list
 * filter runs in SQLite: offers of other suppliers never become JS strings (measured on the whole
 * demo catalog and ОПТ-1: 407 ms → 298 ms). One statement per 200 articles: a call per key costs more
 * in the JS ↔ SQLite crossing than the index lookups themselves (60k keys: 540 ms → 240 ms).
 */
export function queryBrand(
  statements: Map<number, Database.Statement<string[], OfferRow>>,
  list: string,
  brand: string,
  articles: readonly string[],
  each: (row: OfferRow) => void,
): void {
  for (let i = 0; i < articles.length; i += MAX_IN) {
    const chunk = articles.slice(i, i + MAX_IN);
    const size = IN_SIZES.find((n) => n >= chunk.length)!;
    while (chunk.length < size) chunk.push(chunk[0]); // repeats are harmless in IN (...)
    for (const row of statements.get(size)!.all(brand, ...chunk, list)) each(row);
  }
}

/**
 * One lookup's offers into `out`, brand by brand: from the packs where the catalog has them (and
 * `members`, the list's suppliers, is given), then from the offers table for the keys without a
 * usable pack. Key k is the k-th article counting brand by brand (`articles[b]` under `brands[b]`,
 * each distinct). One read transaction for it all. The lookup thread and the job's own thread both
 * answer through this.
 */
export function lookupInto(
  out: OfferRowsBuilder,
  statements: Map<number, Database.Statement<string[], OfferRow>>,
  packs: PackReader | null,
  members: ReadonlySet<string> | null,
  list: string,
  brands: readonly string[],
  articles: readonly (readonly string[])[],
): void {
  const lookupAll = (complete: boolean) => {
    let base = 0;
    for (let b = 0; b < brands.length; b++) {
      const all = articles[b];
      const at = base;
      let rest: readonly string[] = all;
      let keyOf: number[] | null = null;
      if (packs && members) {
        const left = packs.query(members, brands[b], all, (a, o) => out.addPacked(at + a, o));
        // Complete packs: a key without one has no offers.
        keyOf = complete ? [] : left.map((a) => at + a);
        rest = complete ? [] : left.map((a) => all[a]);
      }
      const index = new Map<string, number>();
      for (let a = 0; a < rest.length; a++) index.set(rest[a], keyOf ? keyOf[a] : at + a);
      queryBrand(statements, list, brands[b], rest, (row) =>
        out.add(
          index.get(row[0])!,
          row[1],
          row[2],
          row[3],
          row[4],
          row[5],
          row[6],
          orderUnit(row[7]),
          orderUnit(row[8]),
        ),
      );
      base += all.length;
    }
  };
  if (packs) packs.session(lookupAll);
  else lookupAll(false);
}

/** The suppliers of a list (empty for a list the catalog does not know). */
export function listMembers(db: Database.Database, list: string): Set<string> {
  return new Set(
    db.prepare('SELECT supplier FROM supplier_lists WHERE list = ?').pluck().all(list) as string[],
  );
}

/** The body of a lookup thread: answers requests until its parent terminates it. */
export function serveLookups(port: MessagePort, catalogFile: string): void {
  const db = openSqlite(catalogFile, { readonly: true, fileMustExist: true });
  const statements = prepareLookups(db);
  const packs = PackReader.open(db);
  const lists = new Map<string, Set<string>>();
  port.on('message', (req: LookupRequest) => {
    let keys = 0;
    for (const a of req.articles) keys += a.length;
    const out = new OfferRowsBuilder(keys);
    try {
      let members = lists.get(req.list);
      if (!members && packs) lists.set(req.list, (members = listMembers(db, req.list)));
      lookupInto(out, statements, packs, members ?? null, req.list, req.brands, req.articles);
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).message || String(err) });
      return;
    }
    const rows = out.finish();
    const columns = {
      from: rows.from,
      to: rows.to,
      supplier: rows.supplier,
      name: rows.name,
      currency: rows.currency,
      price: rows.price,
      quantity: rows.quantity,
      deliveryDays: rows.days,
      minQty: rows.minQty,
      pack: rows.pack,
    };
    const answer: LookupAnswer = { id: req.id, strings: [...rows.texts], ...columns };
    port.postMessage(
      answer,
      Object.values(columns).flatMap((c) => (c === null ? [] : [c.buffer as ArrayBuffer])),
    );
  });
}

/** A lookup thread started from dist/demo-lookup.mjs (src-worker/demo-lookup.ts). */
export class LookupThread {
  private readonly thread: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (a: LookupAnswer) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(entryFile: string, catalogFile: string) {
    const workerData: LookupThreadData = { crossdockRole: 'demo-lookup', catalogFile };
    // A young generation of 24 MB (it was 8): the thread allocates ~90 MB for 100k lines (rows of
    // SQLite, decoded packs), and at 8 MB it scavenged 27 times and promoted 17 MB, CPU the job's
    // thread then waited for on 2 cores. 100k-xlsx 0.97× (12 pairs), the same peak memory.
    this.thread = new Worker(entryFile, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 24 } });
    this.thread.on('message', (answer: LookupAnswer) => {
      const p = this.pending.get(answer.id);
      if (!p) return; // its caller gave up (cancelled)
      this.pending.delete(answer.id);
      if (answer.error) p.reject(new CodedError('DEMO_CATALOG_UNREADABLE', { reason: answer.error }));
      else p.resolve(answer);
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    this.thread.on('error', (err) =>
      fail(new CodedError('DEMO_CATALOG_UNREADABLE', { reason: err.message })),
    );
    this.thread.on('exit', () => fail(new CodedError('DEMO_LOOKUP_STOPPED', {})));
  }

  ask(list: string, brands: string[], articles: string[][], signal?: AbortSignal): Promise<LookupAnswer> {
    if (this.failure) return Promise.reject(this.failure);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const id = this.nextId++;
    return new Promise<LookupAnswer>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (a) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(a);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      const request: LookupRequest = { id, list, brands, articles };
      this.thread.postMessage(request);
    });
  }

  /** Lookups sent and not answered yet. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  async close(): Promise<void> {
    this.thread.removeAllListeners('exit');
    // A lookup still waiting would otherwise never settle, and its job would wait forever.
    const stopped = new CodedError('DEMO_LOOKUP_STOPPED', {});
    for (const p of this.pending.values()) p.reject(stopped);
    this.pending.clear();
    await this.thread.terminate();
  }
}

/** Whether this thread was started as a lookup thread; if so it serves lookups and is nothing else. */
export function runAsLookupThread(data: unknown): boolean {
  const d = data as Partial<LookupThreadData> | null | undefined;
  if (!parentPort || d?.crossdockRole !== 'demo-lookup' || typeof d.catalogFile !== 'string') return false;
  serveLookups(parentPort, d.catalogFile);
  return true;
}
