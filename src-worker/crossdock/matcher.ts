import type { Row, RowBatch } from '../io/types.ts';
import { lookupKey, type LookupKey, type OfferSource } from '../sources/types.ts';
import type { ColumnMapping } from './columns.ts';
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import { NO_ROWS, OfferRows } from './offer-rows.ts';
import type { Pricing } from './rule.ts';

type ByArticle<T> = Map<string, T>;

/**
 * One key's place in the cache: its offers, rows from ≤ r < to of a lookup's answer (PENDING until
 * looked up), and, with analogs, its crosses.
 */
export interface KeySlot {
  rows: OfferRows;
  from: number;
  to: number;
  /** null: not asked (a key seen only as an analog, or no analogs); PENDING_CROSSES while asked. */
  crosses: readonly LookupKey[] | null;
  /** While its crosses are being looked up (by whichever batch asked first). */
  crossesReady: Promise<void> | null;
  /** The last batch (its number) that asked for this key's offers: one ask per key and batch. */
  wantedBy: number;
}

/** A batch of rows with its keys normalized and its offers (and crosses) on the way. */
export interface PreparedBatch {
  batch: RowBatch;
  /** Per row: its key's slot, or null for a line without brand or article. */
  slots: (KeySlot | null)[];
  /** Per row: the normalized brand after the alias table ('' when empty). */
  brands: string[];
  articles: string[];
  /** Per row: the brand was replaced through the alias table. */
  aliased: boolean[];
  /** Resolves once every key of the batch has its offers (and, with analogs, its crosses and theirs). */
  ready: Promise<void>;
  /** The crosses of a row's key (empty without analogs). */
  crossesOf(i: number): readonly LookupKey[];
  /** The slot of any key this batch looked up (own or analog), null for one it did not. */
  slotOf(brand: string, article: string): KeySlot | null;
}

/** The rows of a slot whose lookup has not answered yet. */
const PENDING: OfferRows = NO_ROWS;
const newSlot = (): KeySlot => ({
  rows: PENDING,
  from: 0,
  to: 0,
  crosses: null,
  crossesReady: null,
  wantedBy: 0,
});
const NO_CROSSES: LookupKey[] = [];
const PENDING_CROSSES: LookupKey[] = [];

export interface MatcherOptions {
  /** Alias → brand, both normalized (PRODUCT.md, Normalization): one step, no chains. */
  aliases?: ReadonlyMap<string, string>;
  /** Look crosses up and their offers too. */
  analogs?: boolean;
  /** To count offers left out for want of a rate (once per key looked up). */
  pricing?: Pricing;
  /** Keys kept before the cache starts over: bounds memory on lists of unique parts. */
  cacheLimit?: number;
}

type Wanted = LookupKey & { slot: KeySlot };

/**
 * Normalizes keys and looks offers up for many rows at a time, caching offers across batches
 * (request lists repeat parts). `prepare` starts the lookup and returns at once, so the caller can
 * write one batch while the next one's offers are fetched (ClickHouse works in another process).
 * With analogs, a batch's crosses are looked up first, in one call, then its own and its analogs'
 * offers in one more: two round trips a batch, never one per line. Each row keeps its key's
 * slot, so matching it needs no second lookup by key.
 */
export class OfferMatcher {
  private readonly cache = new Map<string, ByArticle<KeySlot>>();
  private cached = 0;
  /** Batches prepared so far (KeySlot.wantedBy). */
  private batches = 0;
  // A request list names few brands many times over.
  private readonly brandMemo = new Map<string, string>();
  private readonly aliases: ReadonlyMap<string, string>;
  private readonly cacheLimit: number;
  /** Offers left out because their currency has no rate, and those currencies. */
  unrated = 0;
  readonly unratedCurrencies = new Set<string>();

  constructor(
    private readonly source: OfferSource,
    private readonly list: string,
    private readonly mapping: ColumnMapping,
    private readonly signal: AbortSignal | undefined,
    private readonly options: MatcherOptions = {},
  ) {
    this.aliases = options.aliases ?? new Map();
    this.cacheLimit = options.cacheLimit ?? 100_000;
  }

  prepare(batch: RowBatch): PreparedBatch {
    if (this.cached > Math.min(this.cacheLimit, this.source.cacheKeys ?? Infinity)) {
      // Batches already prepared keep references to their own slots, so they are unaffected.
      this.cache.clear();
      this.cached = 0;
    }
    const analogs = this.options.analogs === true;
    // A crosses table the source holds whole gives each key's crosses at once, without a round trip.
    const crossesNow = analogs ? (this.source.crossesNow?.() ?? null) : null;
    const stamp = ++this.batches;
    const rows: Row[] = batch.rows;
    const n = rows.length;
    const slots: (KeySlot | null)[] = new Array(n);
    const brands: string[] = new Array(n);
    const articles: string[] = new Array(n);
    const aliased: boolean[] = new Array(n);
    // This batch's own view of the cache: the cache may start over while the batch is in flight.
    const view = new Map<string, ByArticle<KeySlot>>();
    const missing: Wanted[] = [];
    const missingCrosses: Wanted[] = [];
    const { brand: brandCol, article: articleCol } = this.mapping;
    let lastBrand: string | null = null;
    let lastMap: ByArticle<KeySlot> | null = null;
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      const rawBrand = row[brandCol] ?? null;
      let b = typeof rawBrand === 'string' ? this.brandMemo.get(rawBrand) : undefined;
      if (b === undefined) {
        b = normalizeBrand(rawBrand);
        if (typeof rawBrand === 'string' && this.brandMemo.size < 10_000) this.brandMemo.set(rawBrand, b);
      }
      const alias = this.aliases.size > 0 ? this.aliases.get(b) : undefined;
      aliased[i] = alias !== undefined && alias !== b;
      if (alias !== undefined) b = alias;
      const a = normalizeArticle(row[articleCol] ?? null);
      brands[i] = b;
      articles[i] = a;
      if (b === '' || a === '') {
        slots[i] = null;
        continue;
      }
      const byArticle: ByArticle<KeySlot> = b === lastBrand && lastMap ? lastMap : this.brandMap(b, view);
      lastBrand = b;
      lastMap = byArticle;
      let slot = byArticle.get(a);
      if (slot === undefined) {
        slot = newSlot();
        slot.wantedBy = stamp;
        byArticle.set(a, slot);
        missing.push({ brand: b, article: a, slot });
      }
      if (analogs && slot.crosses === null) {
        // New, or looked up so far only as another line's analog.
        if (crossesNow !== null) slot.crosses = crossesNow.get(b, a) ?? NO_CROSSES;
        else {
          slot.crosses = PENDING_CROSSES;
          missingCrosses.push({ brand: b, article: a, slot });
        }
      }
      slots[i] = slot;
    }
    this.cached += missing.length;
    // Without analogs the batch's offers are asked for at once; with them, once its crosses are in,
    // together with its analogs' (one lookup a batch: a ClickHouse lookup scans the table each time).
    let ready: Promise<void>;
    if (!analogs) ready = this.fetch(missing);
    else {
      const asked =
        missingCrosses.length === 0
          ? null
          : this.source.crosses(missingCrosses, this.signal).then((found) => {
              for (const m of missingCrosses) {
                m.slot.crosses = found.get(lookupKey(m.brand, m.article)) ?? NO_CROSSES;
                m.slot.crossesReady = null;
              }
            });
      for (const m of missingCrosses) m.slot.crossesReady = asked;
      // Crosses another batch asked for and has not got yet: the analog step waits for those too.
      const waits = new Set<Promise<void>>();
      if (asked) waits.add(asked);
      for (let i = 0; i < n; i++) {
        const w = slots[i]?.crossesReady;
        if (w) waits.add(w);
      }
      const withAnalogs = (): Promise<void> => this.fetch(this.withAnalogKeys(missing, slots, view, stamp));
      ready = waits.size === 0 ? withAnalogs() : Promise.all(waits).then(withAnalogs);
    }
    // Awaited later; until then a failure must not count as unhandled.
    ready.catch(() => undefined);
    return {
      batch,
      slots,
      brands,
      articles,
      aliased,
      ready,
      crossesOf: (i) => slots[i]?.crosses ?? NO_CROSSES,
      slotOf: (brand, article) => view.get(brand)?.get(article) ?? null,
    };
  }

  /**
   * The batch's own keys to look up (`missing`, grown in place) and, for every cross of its lines,
   * the analog's key when its offers are not known yet. A key pending in another batch's lookup is
   * fetched again: that batch may resolve later.
   */
  private withAnalogKeys(
    missing: Wanted[],
    slots: readonly (KeySlot | null)[],
    view: Map<string, ByArticle<KeySlot>>,
    stamp: number,
  ): Wanted[] {
    const own = missing.length;
    for (const slot of slots) {
      const crosses = slot?.crosses;
      if (!crosses || crosses.length === 0) continue;
      for (const k of crosses) {
        const into = this.brandMap(k.brand, view);
        let other = into.get(k.article);
        if (other !== undefined && (other.rows !== PENDING || other.wantedBy === stamp)) continue;
        if (other === undefined) {
          other = newSlot();
          into.set(k.article, other);
        }
        other.wantedBy = stamp;
        missing.push({ brand: k.brand, article: k.article, slot: other });
      }
    }
    this.cached += missing.length - own;
    return missing;
  }

  /** The cache's map of a brand, created if new, and remembered in the batch's view. */
  private brandMap(brand: string, view: Map<string, ByArticle<KeySlot>>): ByArticle<KeySlot> {
    let m = view.get(brand);
    if (m) return m;
    m = this.cache.get(brand);
    if (!m) this.cache.set(brand, (m = new Map()));
    view.set(brand, m);
    return m;
  }

  private fetch(keys: Wanted[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    const pricing = this.options.pricing;
    const source = this.source;
    const answer: Promise<OfferRows> = source.lookupRows
      ? source.lookupRows(this.list, keys, this.signal)
      : source
          .lookup(this.list, keys, this.signal)
          .then((found) =>
            OfferRows.fromLists(keys.map((m) => found.get(lookupKey(m.brand, m.article)) ?? [])),
          );
    return answer.then((rows) => {
      if (rows.keys !== keys.length) throw new Error(`a lookup of ${keys.length} keys answered ${rows.keys}`);
      if (pricing?.rates) {
        // The keys asked are distinct, so each row is one offer counted once.
        const { offers, currencies } = rows.unrated(pricing);
        this.unrated += offers;
        for (const c of currencies) this.unratedCurrencies.add(c);
      }
      for (let i = 0; i < keys.length; i++) {
        const slot = keys[i].slot;
        slot.rows = rows;
        slot.from = rows.from[i];
        slot.to = rows.to[i];
      }
    });
  }
}
