import type { Row, RowBatch } from '../io/types.ts';
import { lookupKey, type LookupKey, type OfferSource } from '../sources/types.ts';
import type { Offer } from './best-offer.ts';
import type { ColumnMapping } from './columns.ts';
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import { basePriceOf, type Pricing } from './rule.ts';

type ByArticle<T> = Map<string, T>;

/** A batch of rows with its keys normalized and its offers (and crosses) on the way. */
export interface PreparedBatch {
  batch: RowBatch;
  /** Per row: the brand's article → offers map, or null for a line without brand or article. */
  lineBrand: (ByArticle<Offer[]> | null)[];
  /** Per row: the normalized brand after the alias table ('' when empty). */
  brands: string[];
  articles: string[];
  /** Per row: the brand was replaced through the alias table. */
  aliased: boolean[];
  /** Resolves once every key of the batch has its offers (and, with analogs, its crosses and theirs). */
  ready: Promise<void>;
  /** The crosses of a row's key (empty without analogs). */
  crossesOf(i: number): readonly LookupKey[];
  /** The offers of any key this batch looked up (own or analog). */
  offersOf(brand: string, article: string): readonly Offer[];
}

const PENDING: Offer[] = [];
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

/**
 * Normalizes keys and looks offers up for many rows at a time, caching offers across batches
 * (request lists repeat parts). `prepare` starts the lookup and returns at once, so the caller can
 * write one batch while the next one's offers are fetched (ClickHouse works in another process).
 * With analogs, a batch's crosses are looked up in one call beside its offers, then the analogs'
 * offers in one more: two or three round trips a batch, never one per line.
 */
export class OfferMatcher {
  private readonly cache = new Map<string, ByArticle<Offer[]>>();
  private readonly crossCache = new Map<string, ByArticle<LookupKey[]>>();
  private cached = 0;
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
    if (this.cached > this.cacheLimit) {
      // Batches already prepared keep references to their own maps, so they are unaffected.
      this.cache.clear();
      this.crossCache.clear();
      this.cached = 0;
    }
    const analogs = this.options.analogs === true;
    const rows: Row[] = batch.rows;
    const n = rows.length;
    const lineBrand: (ByArticle<Offer[]> | null)[] = new Array(n);
    const lineCross: (ByArticle<LookupKey[]> | null)[] = new Array(n);
    const brands: string[] = new Array(n);
    const articles: string[] = new Array(n);
    const aliased: boolean[] = new Array(n);
    // This batch's own view of the caches: the cache may start over while the batch is in flight.
    const offerMaps = new Map<string, ByArticle<Offer[]>>();
    const missing: (LookupKey & { into: ByArticle<Offer[]> })[] = [];
    const missingCrosses: (LookupKey & { into: ByArticle<LookupKey[]> })[] = [];
    const { brand: brandCol, article: articleCol } = this.mapping;
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
        lineBrand[i] = null;
        lineCross[i] = null;
        continue;
      }
      const byArticle = this.offerMap(b, offerMaps);
      lineBrand[i] = byArticle;
      if (!byArticle.has(a)) {
        byArticle.set(a, PENDING);
        missing.push({ brand: b, article: a, into: byArticle });
      }
      if (analogs) {
        let crosses = this.crossCache.get(b);
        if (!crosses) this.crossCache.set(b, (crosses = new Map()));
        lineCross[i] = crosses;
        if (!crosses.has(a)) {
          crosses.set(a, PENDING_CROSSES);
          missingCrosses.push({ brand: b, article: a, into: crosses });
        }
      } else lineCross[i] = null;
    }
    this.cached += missing.length;
    const own = this.fetch(missing);
    const cross =
      missingCrosses.length === 0
        ? Promise.resolve()
        : this.source.crosses(missingCrosses, this.signal).then((found) => {
            for (const m of missingCrosses)
              m.into.set(m.article, found.get(lookupKey(m.brand, m.article)) ?? NO_CROSSES);
          });
    // The analogs' offers: every cross of the batch's lines whose offers are not known yet.
    const analogOffers = !analogs
      ? Promise.resolve()
      : cross.then(() => {
          const wanted: (LookupKey & { into: ByArticle<Offer[]> })[] = [];
          const seen = new Set<string>();
          for (let i = 0; i < n; i++) {
            const crosses = lineCross[i];
            if (!crosses) continue;
            for (const k of crosses.get(articles[i]) ?? NO_CROSSES) {
              const into = this.offerMap(k.brand, offerMaps);
              const have = into.get(k.article);
              // A key pending in another batch's lookup is fetched again: that batch may resolve later.
              if (have !== undefined && have !== PENDING) continue;
              const key = lookupKey(k.brand, k.article);
              if (seen.has(key)) continue;
              seen.add(key);
              if (have === undefined) into.set(k.article, PENDING);
              wanted.push({ brand: k.brand, article: k.article, into });
            }
          }
          this.cached += wanted.length;
          return this.fetch(wanted);
        });
    const ready = Promise.all([own, analogOffers]).then(() => undefined);
    // Awaited later; until then a failure must not count as unhandled.
    ready.catch(() => undefined);
    return {
      batch,
      lineBrand,
      brands,
      articles,
      aliased,
      ready,
      crossesOf: (i) => {
        const crosses = lineCross[i];
        return crosses ? (crosses.get(articles[i]) ?? NO_CROSSES) : NO_CROSSES;
      },
      offersOf: (brand, article) => offerMaps.get(brand)?.get(article) ?? PENDING,
    };
  }

  /** The cache's map of a brand, created if new, and remembered in the batch's view. */
  private offerMap(brand: string, view: Map<string, ByArticle<Offer[]>>): ByArticle<Offer[]> {
    let m = view.get(brand);
    if (m) return m;
    m = this.cache.get(brand);
    if (!m) this.cache.set(brand, (m = new Map()));
    view.set(brand, m);
    return m;
  }

  private fetch(keys: (LookupKey & { into: ByArticle<Offer[]> })[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    const pricing = this.options.pricing;
    return this.source.lookup(this.list, keys, this.signal).then((found) => {
      for (const m of keys) {
        const offers = found.get(lookupKey(m.brand, m.article)) ?? [];
        if (pricing?.rates)
          for (const o of offers)
            if (basePriceOf(o, pricing) === null) {
              this.unrated++;
              this.unratedCurrencies.add(o.currency);
            }
        m.into.set(m.article, offers);
      }
    });
  }
}
