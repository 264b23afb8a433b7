import type { ColumnStyle } from '../io/xlsx-writer.ts';

export interface Offer {
  supplier: string;
  name: string;
  price: number;
  currency: string;
  quantity: number;
  deliveryDays: number;
}

/** An offer's fields as a workbook shows them, in Offer order (supplier … deliveryDays). */
export const OFFER_COLUMNS = ['Supplier', 'Offer name', 'Price', 'Currency', 'Available', 'Delivery days'];
/** The number formats of those columns: the same in the result, its alternatives and a list export. */
export const OFFER_STYLES: readonly (ColumnStyle | undefined)[] = [
  undefined,
  undefined,
  'money',
  undefined,
  'integer',
  'integer',
];

export type LineStatus = 'found' | 'partial' | 'not_found' | 'invalid';

const byName = (a: Offer, b: Offer): number =>
  a.supplier < b.supplier ? -1 : a.supplier > b.supplier ? 1 : 0;

function fullFirst(a: Offer, b: Offer): number {
  return a.price - b.price || a.deliveryDays - b.deliveryDays || byName(a, b);
}

function partialFirst(a: Offer, b: Offer): number {
  return b.quantity - a.quantity || a.price - b.price || byName(a, b);
}

/** The crossdock rule (PRODUCT.md): the winning offer for a requested quantity and its status. */
export function bestOffer(
  offers: readonly Offer[],
  requested: number,
): { offer: Offer | null; status: LineStatus } {
  let full: Offer | null = null;
  let partial: Offer | null = null;
  for (const o of offers) {
    if (o.quantity >= requested && o.quantity > 0) {
      if (full === null || fullFirst(o, full) < 0) full = o;
    } else if (o.quantity > 0 && full === null) {
      if (partial === null || partialFirst(o, partial) < 0) partial = o;
    }
  }
  if (full) return { offer: full, status: 'found' };
  if (partial) return { offer: partial, status: 'partial' };
  return { offer: null, status: 'not_found' };
}

/** Every offer with stock, best first: those that cover the quantity, then the partial ones. */
export function rankOffers(offers: readonly Offer[], requested: number): Offer[] {
  const full = offers.filter((o) => o.quantity >= requested && o.quantity > 0).sort(fullFirst);
  const partial = offers.filter((o) => o.quantity > 0 && o.quantity < requested).sort(partialFirst);
  return full.concat(partial);
}
