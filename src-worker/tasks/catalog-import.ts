import { openSqlite } from '../sources/sqlite.ts';
import { detectColumns, findColumn, type ColumnMapping } from '../crossdock/columns.ts';
import { cellText, normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';
import { openSpreadsheet } from '../io/open-spreadsheet.ts';
import { InputError, type CellValue, type Row } from '../io/types.ts';
import type { CatalogImportInput, TaskStats } from '../protocol.ts';
import type { TaskContext } from '../task-context.ts';
import { locateHeader } from './locate-header.ts';

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

interface PriceListMapping extends ColumnMapping {
  price: number;
  stock: number | null;
  delivery: number | null;
  name: number | null;
  currency: number | null;
}

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

/** Adds a supplier's price list to the demo catalog, replacing that supplier's previous offers. */
export async function runCatalogImport(
  input: CatalogImportInput,
  ctx: TaskContext,
): Promise<{ stats: TaskStats; files: [] }> {
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
      };
      return mapping;
    });
    const m = mapping as unknown as PriceListMapping;
    const db = openSqlite(input.catalogFile);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    const stats: TaskStats = { rows: 0, found: 0, partial: 0, notFound: 0, invalid: 0 };
    try {
      const insert = db.prepare('INSERT INTO offers VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      // Everything in one transaction: readers see the old price list until the new one is whole.
      db.exec('BEGIN IMMEDIATE');
      db.prepare('DELETE FROM offers WHERE supplier = ?').run(input.supplier);
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
          const currency =
            m.currency === null
              ? 'RUB'
              : cellText(row[m.currency] ?? null)
                  .trim()
                  .toUpperCase() || 'RUB';
          insert.run(brand, article, input.supplier, name, price, currency, stock, days);
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
        db.prepare('INSERT OR IGNORE INTO supplier_lists VALUES (?, ?)').run(input.list, input.supplier);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    } finally {
      db.close();
    }
    ctx.logCoded('info', 'LOG_IMPORTED', {
      offers: stats.found,
      supplier: input.supplier,
      list: input.list || null,
      skipped: stats.invalid,
    });
    return { stats, files: [] };
  } finally {
    await wb.close();
  }
}
