import type { Offer } from '../crossdock/best-offer.ts';
import { InputError } from '../io/types.ts';

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
  /** How many request lines the job is about to look up, roughly (null: unknown); a hint for how to work. */
  expectLines?(lines: number | null): void;
  close(): Promise<void>;
}

export const lookupKey = (brand: string, article: string): string => `${brand}\u0000${article}`;

/** What every source says of a list it does not know; `known` in the order it is shown. */
export function unknownListError(list: string, known: readonly string[]): InputError<'NO_SUCH_LIST'> {
  return new InputError('NO_SUCH_LIST', { list, known: [...known] });
}
