// What every source makes of the optional parts of the schema (PRODUCT.md "Data sources"): the
// offers' min_qty and pack, and the crosses, brand_aliases and rates tables. The demo catalog and
// ClickHouse read the rows their own way and hand them here, so both answer the same.
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import { lookupKey, type LookupKey } from './types.ts';

/** A minimum order or pack as an offer has it: a whole number ≥ 1 (0, NULL, absent or nonsense = 1). */
export function orderUnit(v: unknown): number {
  const n =
    typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.min(Math.floor(n), 0x7fffffff);
}

/** alias → brand, both normalized; rows whose sides are empty or equal say nothing. The first row of an alias wins. */
export function aliasMap(rows: Iterable<readonly [unknown, unknown]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [a, b] of rows) {
    const alias = normalizeBrand(typeof a === 'string' ? a : null);
    const brand = normalizeBrand(typeof b === 'string' ? b : null);
    if (alias === '' || brand === '' || alias === brand || out.has(alias)) continue;
    out.set(alias, brand);
  }
  return out;
}

/** currency (trimmed, upper case) → rate, finite and > 0 only; the first row of a currency wins. */
export function rateMap(rows: Iterable<readonly [unknown, unknown]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [c, r] of rows) {
    const currency = typeof c === 'string' ? c.trim().toUpperCase() : '';
    const rate = typeof r === 'number' ? r : typeof r === 'string' ? Number(r) : NaN;
    if (currency === '' || !Number.isFinite(rate) || rate <= 0 || out.has(currency)) continue;
    out.set(currency, rate);
  }
  return out;
}

/**
 * Crosses rows up to which a big job (one past the sources' per-batch threshold) reads the crosses
 * table whole, once, instead of asking batch after batch (both sources); a smaller table
 * (CROSSES_WHOLE_SMALL) is read whole for any job.
 */
export const CROSSES_WHOLE_MAX = 200_000;
export const CROSSES_WHOLE_SMALL = 20_000;

/** A key's analogs from a crosses table a source holds whole (OfferSource.crossesNow). */
export interface CrossLookup {
  /** The key's crosses as `crosses` answers them, or undefined when it has none. */
  get(brand: string, article: string): readonly LookupKey[] | undefined;
}

/**
 * A crosses table read whole (CrossCollector.result()), by brand and then article: a key's analogs
 * without building its lookupKey string. Answers exactly as the map by lookupKey does.
 */
export class CrossIndex implements CrossLookup {
  private readonly byBrand = new Map<string, Map<string, readonly LookupKey[]>>();
  /**
   * Set when a key of the table has a NUL in its brand or article (only a hostile table has): its
   * id then splits more than one way, so keys with a NUL are looked up by id.
   */
  private readonly byId: ReadonlyMap<string, readonly LookupKey[]> | null;

  constructor(all: ReadonlyMap<string, readonly LookupKey[]>) {
    let ambiguous = false;
    for (const [id, analogs] of all) {
      const cut = id.indexOf('\u0000');
      if (cut !== id.lastIndexOf('\u0000')) {
        ambiguous = true;
        continue;
      }
      const brand = id.slice(0, cut);
      let articles = this.byBrand.get(brand);
      if (!articles) this.byBrand.set(brand, (articles = new Map()));
      articles.set(id.slice(cut + 1), analogs);
    }
    this.byId = ambiguous ? all : null;
  }

  get(brand: string, article: string): readonly LookupKey[] | undefined {
    if (this.byId !== null && (brand.includes('\u0000') || article.includes('\u0000')))
      return this.byId.get(lookupKey(brand, article));
    return this.byBrand.get(brand)?.get(article);
  }
}

/** No crosses at all (a source without a crosses table). */
export const NO_CROSS_LOOKUP: CrossLookup = { get: () => undefined };

/** The crosses of `keys` from a crosses table read whole, by lookupKey. */
export function crossesFromWhole(
  keys: readonly LookupKey[],
  whole: CrossLookup,
): Map<string, readonly LookupKey[]> {
  const out = new Map<string, readonly LookupKey[]>();
  for (const k of keys) {
    const found = whole.get(k.brand, k.article);
    if (found) out.set(lookupKey(k.brand, k.article), found);
  }
  return out;
}

/**
 * Collects crosses: each row says a key is interchangeable with (crossBrand, crossArticle). Only keys in `asked` get an entry; analogs are normalized, without the key itself
 * and without repeats, sorted (brand, then article) so every source gives the same order.
 */
export class CrossCollector {
  private readonly found = new Map<string, Map<string, LookupKey>>();

  /** `asked`: the keys (lookupKey ids) to collect, or null for every key. */
  constructor(private readonly asked: ReadonlySet<string> | null) {}

  /** A row for the key with this lookupKey id (ignored unless asked). */
  add(id: string, crossBrand: string, crossArticle: string): void {
    if (this.asked !== null && !this.asked.has(id)) return;
    const analog = { brand: normalizeBrand(crossBrand), article: normalizeArticle(crossArticle) };
    if (analog.brand === '' || analog.article === '') return;
    const analogId = lookupKey(analog.brand, analog.article);
    if (analogId === id) return;
    let set = this.found.get(id);
    if (!set) this.found.set(id, (set = new Map()));
    if (!set.has(analogId)) set.set(analogId, analog);
  }

  /** A row of the crosses table read whole: each of its two parts is the other's analog. */
  addBothWays(brand: string, article: string, crossBrand: string, crossArticle: string): void {
    this.add(lookupKey(brand, article), crossBrand, crossArticle);
    this.add(lookupKey(crossBrand, crossArticle), brand, article);
  }

  result(): Map<string, LookupKey[]> {
    const out = new Map<string, LookupKey[]>();
    for (const [id, set] of this.found) {
      out.set(
        id,
        [...set.values()].sort((a, b) =>
          a.brand < b.brand
            ? -1
            : a.brand > b.brand
              ? 1
              : a.article < b.article
                ? -1
                : a.article > b.article
                  ? 1
                  : 0,
        ),
      );
    }
    return out;
  }
}
