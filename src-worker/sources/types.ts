import type { Offer } from '../crossdock/best-offer.ts';
import type { OfferRows } from '../crossdock/offer-rows.ts';
import { InputError } from '../io/types.ts';
import { suggestList } from '../../src-main/common/list-names.ts';
import type { CrossLookup } from './optional-tables.ts';

export interface LookupKey {
  brand: string;
  article: string;
}

/** Where offers come from: the embedded demo catalog or ClickHouse. */
export interface OfferSource {
  /** Known supplier list names, sorted. */
  supplierLists(): Promise<string[]>;
  /**
   * Offers of the list's suppliers for many keys at once; the map is keyed by `lookupKey`.
   * A source that runs remote queries stops them when the signal fires (and rejects with its reason).
   */
  lookup(list: string, keys: readonly LookupKey[], signal?: AbortSignal): Promise<Map<string, Offer[]>>;
  /**
   * The same as columns, answered key by key: keys[i]'s offers are rows from[i] ≤ r < to[i] of the
   * answer (no key strings, no map, no object per offer). What the crossdock uses when a source has it.
   */
  lookupRows?(list: string, keys: readonly LookupKey[], signal?: AbortSignal): Promise<OfferRows>;
  /**
   * The direct crosses of many keys at once (PRODUCT.md, Analogs): keyed by `lookupKey`, each key's
   * interchangeable parts, both directions of the table, without the key itself and without repeats.
   * Keys without crosses are absent. A source without a crosses table answers an empty map.
   */
  crosses(
    keys: readonly LookupKey[],
    signal?: AbortSignal,
  ): Promise<ReadonlyMap<string, readonly LookupKey[]>>;
  /**
   * The crosses of any key at once, when the source holds its crosses table whole now (read once,
   * see CROSSES_WHOLE_MAX): what `crosses` would answer, without a call per batch, a promise or a
   * map keyed by text. Null when it does not (yet): then `crosses` is asked.
   */
  crossesNow?(): CrossLookup | null;
  /** The brand alias table, both sides normalized: alias → brand (empty without the table). */
  brandAliases(signal?: AbortSignal): Promise<Map<string, string>>;
  /** The rates table: currency code (upper case) → value of one unit in the base currency; empty without it. */
  rates(signal?: AbortSignal): Promise<Map<string, number>>;
  /** How many request lines the job is about to look up, roughly (null: unknown); a hint for how to work. */
  expectLines?(lines: number | null): void;
  /** The job will look this list up (told after expectLines): a source may start reading it now. */
  prepareList?(list: string, signal?: AbortSignal): void;
  /** The job will ask for crosses (analogs on): a source may start reading them now. */
  prepareCrosses?(signal?: AbortSignal): void;
  /**
   * Request lines matched together, one lookup call per this many (read before each batch, after
   * expectLines). A remote source that pays per query wants more; the crossdock's default otherwise.
   */
  readonly batchLines?: number;
  /**
   * Keys whose offers the matcher may keep across batches (read before each batch; the matcher's
   * own limit otherwise). A source answering from memory says 0: a second copy of its offers
   * would only cost memory.
   */
  readonly cacheKeys?: number;
  close(): Promise<void>;
}

export const lookupKey = (brand: string, article: string): string => `${brand}\u0000${article}`;

/** What every source says of a list it does not know; `known` in the order it is shown. */
export function unknownListError(list: string, known: readonly string[]): InputError<'NO_SUCH_LIST'> {
  return new InputError('NO_SUCH_LIST', { list, known: [...known], suggestion: suggestList(list, known) });
}
