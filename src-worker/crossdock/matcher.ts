import type { Row, RowBatch } from '../io/types.ts';
import { lookupKey, type LookupKey, type OfferSource } from '../sources/types.ts';
import type { Offer } from './best-offer.ts';
import type { ColumnMapping } from './columns.ts';
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';

/** A batch of rows with its keys normalized and its offers on the way. */
export interface PreparedBatch {
  batch: RowBatch;
  /** Per row: the brand's article → offers map, or null for an invalid line. */
  lineBrand: (Map<string, Offer[]> | null)[];
  articles: string[];
  /** Resolves once every key of the batch has its offers in the maps. */
  ready: Promise<void>;
}

const PENDING: Offer[] = [];

/**
 * Normalizes keys and looks offers up for many rows at a time, caching offers across batches
 * (request lists repeat parts). `prepare` starts the lookup and returns at once, so the caller can
 * write one batch while the next one's offers are fetched (ClickHouse works in another process).
 */
export class OfferMatcher {
  private readonly cache = new Map<string, Map<string, Offer[]>>();
  private cached = 0;
  // A request list names few brands many times over.
  private readonly brandMemo = new Map<string, string>();

  constructor(
    private readonly source: OfferSource,
    private readonly list: string,
    private readonly mapping: ColumnMapping,
    private readonly signal: AbortSignal | undefined,
    /** Keys kept before the cache starts over: bounds memory on lists of unique parts. */
    private readonly cacheLimit = 100_000,
  ) {}

  prepare(batch: RowBatch): PreparedBatch {
    if (this.cached > this.cacheLimit) {
      // Batches already prepared keep references to their own maps, so they are unaffected.
      this.cache.clear();
      this.cached = 0;
    }
    const rows: Row[] = batch.rows;
    const n = rows.length;
    const lineBrand: (Map<string, Offer[]> | null)[] = new Array(n);
    const articles: string[] = new Array(n);
    const missing: (LookupKey & { into: Map<string, Offer[]> })[] = [];
    const { brand: brandCol, article: articleCol } = this.mapping;
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      const rawBrand = row[brandCol] ?? null;
      let b = typeof rawBrand === 'string' ? this.brandMemo.get(rawBrand) : undefined;
      if (b === undefined) {
        b = normalizeBrand(rawBrand);
        if (typeof rawBrand === 'string' && this.brandMemo.size < 10_000) this.brandMemo.set(rawBrand, b);
      }
      const a = normalizeArticle(row[articleCol] ?? null);
      articles[i] = a;
      if (b === '' || a === '') {
        lineBrand[i] = null;
        continue;
      }
      let byArticle = this.cache.get(b);
      if (!byArticle) this.cache.set(b, (byArticle = new Map()));
      lineBrand[i] = byArticle;
      if (!byArticle.has(a)) {
        byArticle.set(a, PENDING);
        missing.push({ brand: b, article: a, into: byArticle });
      }
    }
    this.cached += missing.length;
    const ready =
      missing.length === 0
        ? Promise.resolve()
        : this.source.lookup(this.list, missing, this.signal).then((found) => {
            for (const m of missing) m.into.set(m.article, found.get(lookupKey(m.brand, m.article)) ?? []);
          });
    // Awaited later; until then a failure must not count as unhandled.
    ready.catch(() => undefined);
    return { batch, lineBrand, articles, ready };
  }
}
