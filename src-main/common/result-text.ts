// The words of a result workbook in its language (PRODUCT.md, Result workbook): the appended headers,
// the status words, the notes and the Summary. Original columns are never translated. The worker
// writes them; the app shows the same status words.
import type { LineProblem } from './normalize.ts';
import type { ResultLang } from './spec.ts';

export type ResultStatus = 'found' | 'partial' | 'not_found' | 'invalid';

/** What a Note says of one line; the writer joins the parts with "; " in this order. */
export type NotePart =
  | { kind: 'invalid'; problem: LineProblem; value: string }
  | { kind: 'analog'; brand: string; article: string }
  | { kind: 'short'; by: number }
  | { kind: 'pack'; pack: number }
  | { kind: 'minimum'; min: number }
  | { kind: 'alias'; brand: string }
  | { kind: 'out_of_stock' }
  | { kind: 'below_minimum' }
  | { kind: 'no_rate'; currencies: string[] };

export interface ResultText {
  headers: {
    supplier: string;
    offerName: string;
    offerBrand: string;
    offerArticle: string;
    price: string;
    currency: string;
    available: string;
    deliveryDays: string;
    orderQty: string;
    lineTotal: string;
    status: string;
    note: string;
  };
  /** The Alternatives sheet's own columns before the offer's. */
  alternatives: { row: string; brand: string; article: string; quantity: string; rank: string };
  status: Record<ResultStatus, string>;
  note(part: NotePart): string;
  summary: {
    title: string;
    requestList: string;
    supplierList: string;
    source: string;
    demoCatalog: string;
    clickhouse: string;
    created: string;
    analogs: string;
    analogModes: { off: string; missing: string; always: string };
    baseCurrency: string;
    linesTotal: string;
    found: string;
    partial: string;
    notFound: string;
    invalid: string;
    /** "Total (found + partial)"; the currency is in the next cell. */
    total: string;
    supplier: string;
    linesWon: string;
    cost: string;
    currency: string;
  };
}

const EN: ResultText = {
  headers: {
    supplier: 'Supplier',
    offerName: 'Offer name',
    offerBrand: 'Offer brand',
    offerArticle: 'Offer article',
    price: 'Price',
    currency: 'Currency',
    available: 'Available',
    deliveryDays: 'Delivery days',
    orderQty: 'Order qty',
    lineTotal: 'Line total',
    status: 'Status',
    note: 'Note',
  },
  alternatives: { row: 'Row', brand: 'Brand', article: 'Article', quantity: 'Quantity', rank: 'Rank' },
  status: { found: 'found', partial: 'partial', not_found: 'not_found', invalid: 'invalid' },
  note(p) {
    switch (p.kind) {
      case 'invalid':
        switch (p.problem) {
          case 'brand':
            return 'no brand';
          case 'article':
            return 'no article';
          case 'qty_zero':
            return 'quantity is 0';
          case 'qty_negative':
            return `negative quantity ${p.value}`;
          case 'qty_fraction':
            return `quantity ${p.value} is not a whole number`;
          case 'qty_text':
            return `quantity "${p.value}" is not a number`;
        }
        break;
      case 'analog':
        return `analog of ${p.brand} ${p.article}`;
      case 'short':
        return `short by ${p.by}`;
      case 'pack':
        return `pack of ${p.pack}`;
      case 'minimum':
        return `minimum order ${p.min}`;
      case 'alias':
        return `brand read as ${p.brand}`;
      case 'out_of_stock':
        return 'only out of stock';
      case 'below_minimum':
        return 'stock below the minimum order';
      case 'no_rate':
        return `only offers in ${p.currencies.join(', ')} (no exchange rate)`;
    }
  },
  summary: {
    title: 'Crossdock summary',
    requestList: 'Request list',
    supplierList: 'Supplier list',
    source: 'Source',
    demoCatalog: 'Demo catalog',
    clickhouse: 'ClickHouse',
    created: 'Created',
    analogs: 'Analogs',
    analogModes: { off: 'off', missing: 'when the part has no full offer', always: 'always' },
    baseCurrency: 'Base currency',
    linesTotal: 'Lines total',
    found: 'Found',
    partial: 'Partial',
    notFound: 'Not found',
    invalid: 'Invalid',
    total: 'Total cost (found + partial)',
    supplier: 'Supplier',
    linesWon: 'Lines won',
    cost: 'Cost',
    currency: 'Currency',
  },
};

const RU: ResultText = {
  headers: {
    supplier: 'Поставщик',
    offerName: 'Наименование предложения',
    offerBrand: 'Бренд предложения',
    offerArticle: 'Артикул предложения',
    price: 'Цена',
    currency: 'Валюта',
    available: 'В наличии',
    deliveryDays: 'Срок, дн.',
    orderQty: 'Заказ',
    lineTotal: 'Сумма',
    status: 'Статус',
    note: 'Примечание',
  },
  alternatives: { row: 'Строка', brand: 'Бренд', article: 'Артикул', quantity: 'Количество', rank: 'Место' },
  status: { found: 'найдено', partial: 'частично', not_found: 'не найдено', invalid: 'некорректная' },
  note(p) {
    switch (p.kind) {
      case 'invalid':
        switch (p.problem) {
          case 'brand':
            return 'нет бренда';
          case 'article':
            return 'нет артикула';
          case 'qty_zero':
            return 'количество 0';
          case 'qty_negative':
            return `отрицательное количество ${p.value}`;
          case 'qty_fraction':
            return `количество ${p.value.replace('.', ',')} — не целое число`;
          case 'qty_text':
            return `количество «${p.value}» — не число`;
        }
        break;
      case 'analog':
        return `аналог ${p.brand} ${p.article}`;
      case 'short':
        return `не хватает ${p.by}`;
      case 'pack':
        return `кратность ${p.pack}`;
      case 'minimum':
        return `минимальный заказ ${p.min}`;
      case 'alias':
        return `бренд прочитан как ${p.brand}`;
      case 'out_of_stock':
        return 'нет в наличии';
      case 'below_minimum':
        return 'наличие меньше минимального заказа';
      case 'no_rate':
        return `только предложения в ${p.currencies.join(', ')} (нет курса)`;
    }
  },
  summary: {
    title: 'Сводка по заявке',
    requestList: 'Заявка',
    supplierList: 'Список поставщиков',
    source: 'Источник',
    demoCatalog: 'Демо-каталог',
    clickhouse: 'ClickHouse',
    created: 'Создано',
    analogs: 'Аналоги',
    analogModes: { off: 'нет', missing: 'когда нет полного предложения', always: 'всегда' },
    baseCurrency: 'Базовая валюта',
    linesTotal: 'Всего строк',
    found: 'Найдено',
    partial: 'Частично',
    notFound: 'Не найдено',
    invalid: 'Некорректные',
    total: 'Итого (найдено + частично)',
    supplier: 'Поставщик',
    linesWon: 'Строк',
    cost: 'Сумма',
    currency: 'Валюта',
  },
};

export const RESULT_TEXT: Record<ResultLang, ResultText> = { en: EN, ru: RU };
