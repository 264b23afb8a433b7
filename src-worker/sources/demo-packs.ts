// The demo catalog's offers packed per part: one row of offer_packs per (brand, article) holding all
// its offers in one BLOB. A lookup then reads one row per key instead of one per offer: SQLite
// fetching each offer row (to filter it by supplier) and better-sqlite3 making its strings were most
// of a lookup (60k keys, 150k offers of ОПТ-1: ~600 ms → see lookupPacked).
//
// Packs are derived data and never trusted to be complete: triggers on offers delete the pack of
// every key an insert, update or delete touches (whoever writes, this version or another), and a
// key without a pack is looked up in offers as before. buildPacks fills in what is missing: when
// the catalog is made or migrated and at the end of an import, in its transaction.
import type Database from 'better-sqlite3';
import type { OfferWithTextIds } from '../crossdock/offer-rows.ts';
import { orderUnit } from './optional-tables.ts';

export const PACKS_TABLE = `
CREATE TABLE IF NOT EXISTS offer_packs (
  brand TEXT NOT NULL, article TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (brand, article)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pack_strings (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS pack_state (id INTEGER PRIMARY KEY CHECK (id = 1), complete INTEGER NOT NULL);
INSERT OR IGNORE INTO pack_state VALUES (1, 0);
`;
/**
 * What keeps packs honest: any write to a key's offers drops its pack, and packs are no longer
 * complete (pack_state: every key of offers has a pack, so a key without one has no offers).
 */
export const PACKS_TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS offer_packs_insert AFTER INSERT ON offers BEGIN
  DELETE FROM offer_packs WHERE brand = NEW.brand AND article = NEW.article;
  UPDATE pack_state SET complete = 0 WHERE complete <> 0;
END;
CREATE TRIGGER IF NOT EXISTS offer_packs_delete AFTER DELETE ON offers BEGIN
  DELETE FROM offer_packs WHERE brand = OLD.brand AND article = OLD.article;
  UPDATE pack_state SET complete = 0 WHERE complete <> 0;
END;
CREATE TRIGGER IF NOT EXISTS offer_packs_update AFTER UPDATE ON offers BEGIN
  DELETE FROM offer_packs WHERE brand = OLD.brand AND article = OLD.article;
  DELETE FROM offer_packs WHERE brand = NEW.brand AND article = NEW.article;
  UPDATE pack_state SET complete = 0 WHERE complete <> 0;
END;
`;

/** Says every key of offers has its pack now (the caller knows: it has just made them all). */
export function markPacksComplete(db: Database.Database): void {
  db.prepare('UPDATE pack_state SET complete = 1 WHERE id = 1').run();
}

/** supplier, name, price, currency, quantity, delivery_days, min_qty, pack: one offers row. */
export type PackRow = [unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown];

const MAX_TEXT = 0xffff;
const OFFER_BYTES = 4 + 4 + 2 + 5 * 8;

/**
 * Suppliers and currencies of packs are numbers into pack_strings (a few dozen strings, read once
 * by a reader), so a lookup never decodes them; ids are never reused or changed.
 */
export class PackStringIds {
  private readonly ids = new Map<string, number>();
  private readonly insert: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    for (const [id, value] of db.prepare('SELECT id, value FROM pack_strings').raw(true).all() as [
      number,
      string,
    ][])
      this.ids.set(value, id);
    this.insert = db.prepare('INSERT INTO pack_strings (value) VALUES (?)');
  }

  idOf(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = Number(this.insert.run(value).lastInsertRowid);
      this.ids.set(value, id);
    }
    return id;
  }
}

/**
 * One key's offers as a pack: its distinct names (u16 count, then u16 byte length + UTF-8 each),
 * then per offer the supplier and currency (u32 pack_strings ids), the name's index (u16), and
 * price, quantity, delivery days, minimum and pack as float64 (the last two already whole ≥ 1).
 * Null when an offer has a value a pack cannot hold as the offers query would give it (a text or
 * NULL where a number belongs, a huge text): that key is then always looked up in offers.
 */
export function encodePack(rows: readonly PackRow[], strings: Pick<PackStringIds, 'idOf'>): Buffer | null {
  const names = new Map<string, number>();
  const nameBytes: Buffer[] = [];
  let size = 2;
  for (const r of rows) {
    if (typeof r[0] !== 'string' || typeof r[1] !== 'string' || typeof r[3] !== 'string') return null;
    if (typeof r[2] !== 'number' || typeof r[4] !== 'number' || typeof r[5] !== 'number') return null;
    if (!names.has(r[1])) {
      const b = Buffer.from(r[1], 'utf8');
      if (b.length > MAX_TEXT || names.size >= MAX_TEXT) return null;
      names.set(r[1], names.size);
      nameBytes.push(b);
      size += 2 + b.length;
    }
    size += OFFER_BYTES;
  }
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt16LE(nameBytes.length, 0);
  for (const b of nameBytes) {
    at = out.writeUInt16LE(b.length, at);
    at += b.copy(out, at);
  }
  for (const r of rows) {
    at = out.writeUInt32LE(strings.idOf(r[0] as string), at);
    at = out.writeUInt32LE(strings.idOf(r[3] as string), at);
    at = out.writeUInt16LE(names.get(r[1] as string)!, at);
    at = out.writeDoubleLE(r[2] as number, at);
    at = out.writeDoubleLE(r[4] as number, at);
    at = out.writeDoubleLE(r[5] as number, at);
    at = out.writeDoubleLE(orderUnit(r[6]), at);
    at = out.writeDoubleLE(orderUnit(r[7]), at);
  }
  return out;
}

/**
 * One offer of a pack, as decodePack hands it over (reused between calls: copy what you keep), with
 * its supplier's and currency's pack_strings ids.
 */
export type PackedOffer = OfferWithTextIds;

/**
 * Calls `each` for the offers of a pack whose supplier id `wanted` accepts; a name is decoded only
 * when such an offer has it. `text(id)` gives a pack_strings value (undefined: unknown id). Returns
 * false, having called nothing, when the pack names an id `text` does not know.
 */
export function decodePack(
  data: Uint8Array,
  text: (id: number) => string | undefined,
  wanted: (supplierId: number) => boolean,
  offer: PackedOffer,
  each: (offer: PackedOffer) => void,
): boolean {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // A DataView's reads compile to plain loads; Buffer's readDoubleLE and friends copy byte by byte.
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const end = buf.byteLength;
  const count = view.getUint16(0, true);
  const nameAt: number[] = new Array(count);
  const names: (string | undefined)[] = new Array(count);
  let at = 2;
  for (let i = 0; i < count; i++) {
    nameAt[i] = at;
    at += 2 + view.getUint16(at, true);
  }
  const first = at;
  // A pack cut short (it is only ever written whole) is not used: the offers table answers instead.
  if ((end - first) % OFFER_BYTES !== 0) return false;
  for (let o = first; o < end; o += OFFER_BYTES)
    if (text(view.getUint32(o, true)) === undefined || text(view.getUint32(o + 4, true)) === undefined)
      return false;
  for (; at < end; at += OFFER_BYTES) {
    const supplierId = view.getUint32(at, true);
    if (!wanted(supplierId)) continue;
    const n = view.getUint16(at + 8, true);
    let name = names[n];
    if (name === undefined) {
      const start = nameAt[n] + 2;
      name = names[n] = buf.toString('utf8', start, start + view.getUint16(nameAt[n], true));
    }
    const currencyId = view.getUint32(at + 4, true);
    offer.supplier = text(supplierId)!;
    offer.currency = text(currencyId)!;
    offer.supplierId = supplierId;
    offer.currencyId = currencyId;
    offer.name = name;
    offer.price = view.getFloat64(at + 10, true);
    offer.quantity = view.getFloat64(at + 18, true);
    offer.deliveryDays = view.getFloat64(at + 26, true);
    offer.minQty = view.getFloat64(at + 34, true);
    offer.pack = view.getFloat64(at + 42, true);
    each(offer);
  }
  return true;
}

/** Whether this catalog has packs (one made or last migrated by an older version has none). */
export function hasPacks(db: Database.Database): boolean {
  const tables = db
    .prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('offer_packs', 'pack_strings')",
    )
    .pluck()
    .get();
  return tables === 2;
}

const COLUMNS = `o.brand, o.article, o.supplier, o.name, o.price, o.currency, o.quantity, o.delivery_days,
  o.min_qty, o.pack`;
const NO_PACK = 'NOT EXISTS (SELECT 1 FROM offer_packs p WHERE p.brand = o.brand AND p.article = o.article)';
/** Offer rows read at a time: bounds the memory of a build over a catalog of millions. */
const BUILD_ROWS = 50_000;

/**
 * Makes the packs of every key of offers that has none (all of them in a new catalog; after an
 * import, the keys it touched). Runs in the caller's transaction when there is one. Returns how
 * many packs it wrote.
 */
export function buildPacks(db: Database.Database): number {
  if (!db.inTransaction) return db.transaction(() => buildPacks(db))();
  db.exec(PACKS_TABLE);
  db.exec(PACKS_TRIGGERS);
  const strings = new PackStringIds(db);
  const insert = db.prepare('INSERT OR REPLACE INTO offer_packs (brand, article, data) VALUES (?, ?, ?)');
  // Keys in index order keep each key's rows together, and rowid within a key is the offers query's
  // order. Read in slices (better-sqlite3 cannot write while the same connection iterates).
  const first = db
    .prepare(
      `SELECT ${COLUMNS} FROM offers o WHERE ${NO_PACK}
        ORDER BY o.brand, o.article, o.rowid LIMIT ?`,
    )
    .raw(true);
  const after = db
    .prepare(
      `SELECT ${COLUMNS} FROM offers o WHERE (o.brand, o.article) > (?, ?) AND ${NO_PACK}
        ORDER BY o.brand, o.article, o.rowid LIMIT ?`,
    )
    .raw(true);
  const oneKey = db
    .prepare(
      `SELECT ${COLUMNS} FROM offers o WHERE o.brand = ? AND o.article = ?
        ORDER BY o.rowid`,
    )
    .raw(true);
  let written = 0;
  let failed = 0;
  const write = (brand: unknown, article: unknown, group: PackRow[]) => {
    const data = typeof brand === 'string' && typeof article === 'string' ? encodePack(group, strings) : null;
    if (data) {
      insert.run(brand, article, data);
      written++;
    } else failed++;
  };
  let from: [unknown, unknown] | null = null;
  for (;;) {
    const rows = (from ? after.all(from[0], from[1], BUILD_ROWS) : first.all(BUILD_ROWS)) as unknown[][];
    if (rows.length === 0) break;
    let end = rows.length;
    if (rows.length === BUILD_ROWS) {
      // The last key may go on past this slice: leave it to the next one.
      const last = rows[end - 1];
      while (end > 0 && rows[end - 1][0] === last[0] && rows[end - 1][1] === last[1]) end--;
      if (end === 0) {
        // One key with more offers than a slice holds.
        write(
          last[0],
          last[1],
          (oneKey.all(last[0], last[1]) as unknown[][]).map((r) => r.slice(2) as PackRow),
        );
        from = [last[0], last[1]];
        continue;
      }
    }
    let group: PackRow[] = [];
    for (let i = 0; i < end; i++) {
      const r = rows[i];
      group.push(r.slice(2) as PackRow);
      const next = i + 1 < end ? rows[i + 1] : null;
      if (!next || next[0] !== r[0] || next[1] !== r[1]) {
        write(r[0], r[1], group);
        group = [];
      }
    }
    from = [rows[end - 1][0], rows[end - 1][1]];
    if (rows.length < BUILD_ROWS) break;
  }
  if (failed === 0) markPacksComplete(db);
  return written;
}

// Statement sizes for IN (...) lists, as for offers (demo-lookup-thread.ts).
const PACK_IN_SIZES = [1, 4, 16, 64, 200, 500];
const PACK_MAX_IN = PACK_IN_SIZES[PACK_IN_SIZES.length - 1];

type PackStatements = Map<number, Database.Statement<string[], [string, Buffer]>>;

/** Reads packs: one statement per IN (...) size, and pack_strings as far as it has been read. */
export class PackReader {
  private readonly texts: (string | undefined)[] = [];
  private readonly more: Database.Statement<[number], [number, string]>;
  /** Per list (its member set): supplier id → member. */
  private readonly members = new WeakMap<ReadonlySet<string>, Map<number, boolean>>();
  private read = -1;

  private readonly state: Database.Statement<[], number> | null;

  private constructor(
    private readonly db: Database.Database,
    private readonly statements: PackStatements,
  ) {
    const hasState =
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pack_state'").get() !==
      undefined;
    this.state = hasState
      ? db.prepare<[], number>('SELECT complete FROM pack_state WHERE id = 1').pluck()
      : null;
    this.more = db
      .prepare<[number], [number, string]>('SELECT id, value FROM pack_strings WHERE id > ? ORDER BY id')
      .raw(true);
  }

  /** Null when the catalog has no packs (made or migrated by an older version). */
  static open(db: Database.Database): PackReader | null {
    if (!hasPacks(db)) return null;
    const statements: PackStatements = new Map();
    for (const size of PACK_IN_SIZES)
      statements.set(
        size,
        db
          .prepare<string[], [string, Buffer]>(
            `SELECT article, data FROM offer_packs WHERE brand = ? AND article IN (${new Array(size).fill('?').join(', ')})`,
          )
          .raw(true),
      );
    return new PackReader(db, statements);
  }

  /**
   * Runs `fn` in one read transaction (one snapshot of the catalog for all its queries), telling it
   * whether packs are complete there: then a key without a pack has no offers and needs no query.
   */
  session<T>(fn: (complete: boolean) => T): T {
    if (this.db.inTransaction) return fn(false);
    this.db.exec('BEGIN');
    try {
      return fn(this.state?.get() === 1);
    } finally {
      this.db.exec('COMMIT');
    }
  }

  /** A pack_strings value; ids written since they were read are read then (an import meanwhile). */
  private readonly text = (id: number): string | undefined => {
    const t = this.texts[id];
    if (t !== undefined || id <= this.read) return t;
    for (const [i, value] of this.more.all(this.read)) {
      this.texts[i] = value;
      this.read = Math.max(this.read, i);
    }
    this.read = Math.max(this.read, id);
    return this.texts[id];
  };

  /**
   * The offers of the list's suppliers (`members`) for these articles of one brand, from the packs:
   * `each` gets the article's index in `articles` and the offer (reused: copy it). Returns the
   * indexes of the articles without a usable pack, for the caller to look up in offers.
   */
  query(
    members: ReadonlySet<string>,
    brand: string,
    articles: readonly string[],
    each: (index: number, offer: PackedOffer) => void,
  ): number[] {
    let known = this.members.get(members);
    if (!known) this.members.set(members, (known = new Map()));
    const memberOf = known;
    const wanted = (id: number): boolean => {
      let m = memberOf.get(id);
      if (m === undefined) {
        m = members.has(this.text(id)!);
        memberOf.set(id, m);
      }
      return m;
    };
    const index = new Map<string, number>();
    for (let a = 0; a < articles.length; a++) if (!index.has(articles[a])) index.set(articles[a], a);
    const found = new Uint8Array(articles.length);
    const offer: PackedOffer = {
      supplier: '',
      name: '',
      currency: '',
      supplierId: 0,
      currencyId: 0,
      price: 0,
      quantity: 0,
      deliveryDays: 0,
      minQty: 1,
      pack: 1,
    };
    for (let i = 0; i < articles.length; i += PACK_MAX_IN) {
      const chunk = articles.slice(i, i + PACK_MAX_IN);
      const size = PACK_IN_SIZES.find((n) => n >= chunk.length)!;
      while (chunk.length < size) chunk.push(chunk[0]); // repeats are harmless in IN (...)
      for (const [article, data] of this.statements.get(size)!.all(brand, ...chunk)) {
        const a = index.get(article);
        if (a === undefined || found[a]) continue;
        if (decodePack(data, this.text, wanted, offer, (o) => each(a, o))) found[a] = 1;
      }
    }
    const missing: number[] = [];
    for (let a = 0; a < articles.length; a++) if (!found[a] && index.get(articles[a]) === a) missing.push(a);
    return missing;
  }
}

/** Makes again the packs of these keys (after writing their offers); returns how many could not be made. */
export function rebuildPacks(db: Database.Database, keys: Iterable<readonly [string, string]>): number {
  const rows = db
    .prepare(`SELECT ${COLUMNS} FROM offers o WHERE o.brand = ? AND o.article = ? ORDER BY o.rowid`)
    .raw(true);
  const put = db.prepare('INSERT OR REPLACE INTO offer_packs (brand, article, data) VALUES (?, ?, ?)');
  const drop = db.prepare('DELETE FROM offer_packs WHERE brand = ? AND article = ?');
  const strings = new PackStringIds(db);
  let failed = 0;
  for (const [brand, article] of keys) {
    const group = (rows.all(brand, article) as unknown[][]).map((r) => r.slice(2) as PackRow);
    const data = group.length > 0 ? encodePack(group, strings) : null;
    if (data) put.run(brand, article, data);
    else {
      drop.run(brand, article);
      if (group.length > 0) failed++;
    }
  }
  return failed;
}
