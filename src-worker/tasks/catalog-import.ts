import type Database from 'better-sqlite3';
import { migrateDemoCatalog, OFFER_INSERT } from '../sources/demo-catalog.ts';
import { buildPacks } from '../sources/demo-packs.ts';
import { orderUnit } from '../sources/optional-tables.ts';
import { openSqlite } from '../sources/sqlite.ts';
import { detectColumns, findColumn, HEADER_SEARCH_ROWS, type ColumnMapping } from '../crossdock/columns.ts';
import { cellText, headerKey, normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import { CodedError } from '../../src-main/common/errors.ts';
import { openSpreadsheet } from '../io/open-spreadsheet.ts';
import { InputError, type CellValue, type Row, type WorkbookReader } from '../io/types.ts';
import type { CatalogImportInput, TaskStats } from '../protocol.ts';
import type { TaskContext } from '../task-context.ts';
import { locateHeader, type LocatedSheet } from './locate-header.ts';

const PRICE = ['price', 'цена', 'cost', 'стоимость', 'ценазаед', 'ценаруб'];
const STOCK = [
  'qty',
  'quantity',
  'количество',
  'колво',
  'кол',
  'stock',
  'available',
  'наличие',
  'остаток',
  'остатки',
];
const DELIVERY = [
  'deliverydays',
  'delivery',
  'days',
  'срок',
  'сроккпоставки',
  'срокпоставки',
  'срокдн',
  'дней',
];
const NAME = ['name', 'description', 'наименование', 'название', 'описание', 'offername'];
const CURRENCY = ['currency', 'валюта', 'cur'];
const MIN_QTY = [
  'minqty',
  'minorder',
  'minimumorder',
  'minorderqty',
  'moq',
  'minquantity',
  'minimumquantity',
  'минзаказ',
  'минимальныйзаказ',
  'минпартия',
  'минимальнаяпартия',
  'минколво',
];
const PACK = [
  'pack',
  'packsize',
  'packqty',
  'multiple',
  'ordermultiple',
  'кратность',
  'кратностьзаказа',
  'вупаковке',
  'упаковка',
];
/** Currency spellings price lists use besides the code. */
const CURRENCY_SIGNS: Record<string, string> = {
  '₽': 'RUB',
  РУБ: 'RUB',
  RUR: 'RUB',
  '€': 'EUR',
  ЕВРО: 'EUR',
  $: 'USD',
};

// The headers of a crosses file and of a brand aliases file (reduced with headerKey).
const BRAND = ['brand', 'make', 'manufacturer', 'бренд', 'производитель', 'марка'];
const ARTICLE = ['article', 'partnumber', 'partno', 'pn', 'sku', 'артикул', 'номер', 'каталожныйномер'];
const CROSS_BRAND = [
  'crossbrand',
  'analogbrand',
  'brandcross',
  'brandanalog',
  'replacementbrand',
  'бренданалога',
  'брендкросса',
  'кроссбренд',
  'производительаналога',
  'маркааналога',
];
const CROSS_ARTICLE = [
  'crossarticle',
  'analogarticle',
  'articlecross',
  'articleanalog',
  'crosspartnumber',
  'crossnumber',
  'analogpartnumber',
  'replacementarticle',
  'replacementpartnumber',
  'артикуланалога',
  'артикулкросса',
  'кроссартикул',
  'номераналога',
  'кроссномер',
];
const ALIAS = ['alias', 'synonym', 'brandalias', 'aliasbrand', 'синоним', 'синонимбренда', 'псевдоним'];

interface PriceListMapping extends ColumnMapping {
  price: number;
  stock: number | null;
  delivery: number | null;
  name: number | null;
  currency: number | null;
  minQty: number | null;
  pack: number | null;
}

/** The skipped lines a log names one by one; the rest are counted. */
const LOGGED_SKIPS = 10;

function toNumber(v: CellValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const cleaned = v
    .replace(/[\s\u00a0]/g, '')
    .replace(/[^\d.,-]/g, '')
    .replace(',', '.');
  if (cleaned === '') return null;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : null;
}

/** A currency cell as a code: trimmed, upper case, common signs and spellings mapped; empty = RUB. */
function currencyCode(v: CellValue | undefined): string {
  const s = cellText(v ?? null)
    .trim()
    .toUpperCase()
    .replace(/\.$/, '');
  if (s === '') return 'RUB';
  return CURRENCY_SIGNS[s] ?? s;
}

/**
 * Imports a file into the demo catalog: a supplier's price list (replacing that supplier's previous
 * offers), crosses (added to those known) or brand aliases (an alias given again takes its new brand).
 */
export async function runCatalogImport(
  input: CatalogImportInput,
  ctx: TaskContext,
): Promise<{ stats: TaskStats; files: [] }> {
  // A catalog made by an older version gets the columns and tables this import writes.
  migrateDemoCatalog(input.catalogFile);
  const table = input.table ?? 'offers';
  if (table === 'crosses') return importCrosses(input, ctx);
  if (table === 'aliases') return importAliases(input, ctx);
  return importPriceList(input, ctx);
}

async function importPriceList(
  input: CatalogImportInput,
  ctx: TaskContext,
): Promise<{ stats: TaskStats; files: [] }> {
  const supplier = input.supplier ?? '';
  if (supplier === '') throw new Error('A price list import needs its supplier.');
  const wb = await openSpreadsheet(input.inputPath);
  let mapping: PriceListMapping | null = null;
  try {
    const located = await locateHeader(wb, input.columns, (rows, overrides) => {
      const base = detectColumns(rows, overrides);
      if (!base) return null;
      const h = rows[base.headerRowIndex];
      const price = findColumn(h, PRICE);
      if (price === null) {
        throw new InputError('NO_PRICE_COLUMN', { headers: h.map((c) => cellText(c)).filter(Boolean) });
      }
      const stock = findColumn(h, STOCK);
      mapping = {
        ...base,
        quantity: stock,
        price,
        stock,
        delivery: findColumn(h, DELIVERY),
        name: findColumn(h, NAME),
        currency: findColumn(h, CURRENCY),
        minQty: findColumn(h, MIN_QTY),
        pack: findColumn(h, PACK),
      };
      return mapping;
    });
    const m = mapping as unknown as PriceListMapping;
    const db = openSqlite(input.catalogFile);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    const stats: TaskStats = { rows: 0, found: 0, partial: 0, notFound: 0, invalid: 0 };
    try {
      const insert = db.prepare(OFFER_INSERT);
      // Everything in one transaction: readers see the old price list until the new one is whole.
      db.exec('BEGIN IMMEDIATE');
      db.prepare('DELETE FROM offers WHERE supplier = ?').run(supplier);
      for await (const batch of located.batches) {
        ctx.checkpoint();
        for (const row of batch.rows as Row[]) {
          stats.rows++;
          const brand = normalizeBrand(row[m.brand] ?? null);
          const article = normalizeArticle(row[m.article] ?? null);
          const price = toNumber(row[m.price]);
          if (!brand || !article || price === null || price < 0) {
            stats.invalid++;
            continue;
          }
          const stock = m.stock === null ? 0 : Math.max(0, Math.floor(toNumber(row[m.stock]) ?? 0));
          const days = m.delivery === null ? 0 : Math.max(0, Math.floor(toNumber(row[m.delivery]) ?? 0));
          const name = m.name === null ? '' : cellText(row[m.name] ?? null);
          const currency = m.currency === null ? 'RUB' : currencyCode(row[m.currency]);
          const minQty = m.minQty === null ? 1 : orderUnit(toNumber(row[m.minQty]));
          const pack = m.pack === null ? 1 : orderUnit(toNumber(row[m.pack]));
          insert.run(brand, article, supplier, name, price, currency, stock, days, minQty, pack);
          stats.found++;
        }
        const p = located.sheet.progress();
        ctx.progress(
          stats.rows,
          p.done > 0 ? Math.round((stats.rows * p.total) / p.done) : null,
          'importing',
        );
      }
      if (stats.found === 0) {
        throw new InputError('NO_PRICE_LINES', {});
      }
      if (input.list)
        db.prepare('INSERT OR IGNORE INTO supplier_lists VALUES (?, ?)').run(input.list, supplier);
      // The packs of the parts this import touched (its triggers dropped them), in the same transaction.
      buildPacks(db);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    } finally {
      db.close();
    }
    ctx.logCoded('info', 'LOG_IMPORTED', {
      offers: stats.found,
      supplier,
      list: input.list || null,
      skipped: stats.invalid,
    });
    return { stats, files: [] };
  } finally {
    await wb.close();
  }
}

/** Columns of a crosses or aliases file: the first of the first rows that has every one of `fields`. */
function headerFinder<F extends string>(
  fields: Record<F, readonly string[]>,
): (rows: Row[]) => (ColumnMapping & Record<F, number>) | null {
  const sets = Object.entries(fields).map(([f, names]) => [f, new Set(names as string[])] as const);
  return (rows) => {
    for (let r = 0; r < Math.min(rows.length, HEADER_SEARCH_ROWS); r++) {
      const keys = rows[r].map((c) => headerKey(c));
      const found: Record<string, number> = {};
      for (const [f, names] of sets) {
        const i = keys.findIndex((k) => names.has(k));
        if (i < 0) break;
        found[f] = i;
      }
      if (Object.keys(found).length === sets.length) {
        const first = Object.values(found)[0];
        return {
          headerRowIndex: r,
          brand: first,
          article: first,
          quantity: null,
          ...found,
        } as ColumnMapping & Record<F, number>;
      }
    }
    return null;
  };
}

/**
 * The sheet and columns of a crosses or aliases file; a file without such a header is this kind's
 * sentence (not the request list's "no Brand and Article header").
 */
async function locate<M extends ColumnMapping>(
  wb: WorkbookReader,
  find: (rows: Row[]) => M | null,
  noHeader: 'NO_CROSSES_HEADER' | 'NO_ALIASES_HEADER',
): Promise<{ located: LocatedSheet; mapping: M }> {
  let mapping: M | null = null;
  try {
    const located = await locateHeader(wb, {}, (rows) => (mapping = find(rows)));
    return { located, mapping: mapping as unknown as M };
  } catch (err) {
    if (err instanceof CodedError && err.code === 'NO_HEADER') {
      const p = err.params as { headers?: string[]; more?: boolean };
      throw new InputError(noHeader, {
        rows: HEADER_SEARCH_ROWS,
        headers: p.headers ?? [],
        more: p.more ?? false,
      });
    }
    throw err;
  }
}

type Skip = 'brand' | 'article' | 'cross_brand' | 'cross_article' | 'same_part' | 'alias' | 'same_brand';

/**
 * Reads the file's rows into one write transaction on the demo catalog: `take` writes a row or says
 * why it is skipped. Counts the rows, logs the first skipped ones, reports progress.
 */
async function importRows(
  input: CatalogImportInput,
  ctx: TaskContext,
  located: LocatedSheet,
  prepare: (db: Database.Database) => (row: Row) => Skip | null,
  finish: (db: Database.Database, stats: TaskStats) => void,
): Promise<TaskStats> {
  const db = openSqlite(input.catalogFile);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  const stats: TaskStats = { rows: 0, found: 0, partial: 0, notFound: 0, invalid: 0 };
  try {
    const take = prepare(db);
    db.exec('BEGIN IMMEDIATE');
    for await (const batch of located.batches) {
      ctx.checkpoint();
      for (let i = 0; i < batch.rows.length; i++) {
        stats.rows++;
        const skip = take(batch.rows[i]);
        if (skip === null) {
          stats.found++;
          continue;
        }
        stats.invalid++;
        if (stats.invalid <= LOGGED_SKIPS)
          ctx.logCoded('warn', 'LOG_SKIPPED_LINE', { row: batch.rowNumbers[i], reason: skip });
      }
      const p = located.sheet.progress();
      ctx.progress(stats.rows, p.done > 0 ? Math.round((stats.rows * p.total) / p.done) : null, 'importing');
    }
    finish(db, stats);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    db.close();
  }
  return stats;
}

/** Adds the file's crosses to the demo catalog (normalized; a pair known either way round is not added again). */
async function importCrosses(
  input: CatalogImportInput,
  ctx: TaskContext,
): Promise<{ stats: TaskStats; files: [] }> {
  const wb = await openSpreadsheet(input.inputPath);
  try {
    const { located, mapping: m } = await locate(
      wb,
      headerFinder({ brand: BRAND, article: ARTICLE, crossBrand: CROSS_BRAND, crossArticle: CROSS_ARTICLE }),
      'NO_CROSSES_HEADER',
    );
    let added = 0;
    const stats = await importRows(
      input,
      ctx,
      located,
      (db) => {
        const insert = db.prepare(
          `INSERT INTO crosses (brand, article, cross_brand, cross_article)
           SELECT @b, @a, @cb, @ca WHERE NOT EXISTS (
             SELECT 1 FROM crosses WHERE brand = @b AND article = @a AND cross_brand = @cb AND cross_article = @ca
             UNION ALL
             SELECT 1 FROM crosses WHERE brand = @cb AND article = @ca AND cross_brand = @b AND cross_article = @a)`,
        );
        return (row) => {
          const brand = normalizeBrand(row[m.brand] ?? null);
          const article = normalizeArticle(row[m.article] ?? null);
          const crossBrand = normalizeBrand(row[m.crossBrand] ?? null);
          const crossArticle = normalizeArticle(row[m.crossArticle] ?? null);
          if (!brand) return 'brand';
          if (!article) return 'article';
          if (!crossBrand) return 'cross_brand';
          if (!crossArticle) return 'cross_article';
          if (brand === crossBrand && article === crossArticle) return 'same_part';
          added += insert.run({ b: brand, a: article, cb: crossBrand, ca: crossArticle }).changes;
          return null;
        };
      },
      (_db, s) => {
        if (s.found === 0) throw new InputError('NO_CROSS_LINES', { skipped: s.invalid });
      },
    );
    ctx.logCoded('info', 'LOG_IMPORTED_CROSSES', { crosses: stats.found, added, skipped: stats.invalid });
    return { stats, files: [] };
  } finally {
    await wb.close();
  }
}

/** Adds the file's brand aliases to the demo catalog (normalized; an alias given again takes the new brand). */
async function importAliases(
  input: CatalogImportInput,
  ctx: TaskContext,
): Promise<{ stats: TaskStats; files: [] }> {
  const wb = await openSpreadsheet(input.inputPath);
  try {
    const { located, mapping: m } = await locate(
      wb,
      headerFinder({ alias: ALIAS, brandOf: BRAND }),
      'NO_ALIASES_HEADER',
    );
    const stats = await importRows(
      input,
      ctx,
      located,
      (db) => {
        const upsert = db.prepare('INSERT OR REPLACE INTO brand_aliases (alias, brand) VALUES (?, ?)');
        return (row) => {
          const alias = normalizeBrand(row[m.alias] ?? null);
          const brand = normalizeBrand(row[m.brandOf] ?? null);
          if (!alias) return 'alias';
          if (!brand) return 'brand';
          if (alias === brand) return 'same_brand';
          upsert.run(alias, brand);
          return null;
        };
      },
      (_db, s) => {
        if (s.found === 0) throw new InputError('NO_ALIAS_LINES', { skipped: s.invalid });
      },
    );
    ctx.logCoded('info', 'LOG_IMPORTED_ALIASES', { aliases: stats.found, skipped: stats.invalid });
    return { stats, files: [] };
  } finally {
    await wb.close();
  }
}
