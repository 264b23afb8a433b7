import type { ColumnStyle } from '../io/xlsx-writer.ts';

export interface Offer {
  supplier: string;
  name: string;
  price: number;
  currency: string;
  quantity: number;
  deliveryDays: number;
  /** Minimum order (1 when the source has none). */
  minQty: number;
  /** Order multiple (1 when the source has none). */
  pack: number;
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
