import { basename } from 'node:path';
import type { InspectResult } from '../../src-main/common/types.ts';
import { cellText } from '../../src-main/common/normalize.ts';
import { MAPPING_PROBLEMS } from '../crossdock/columns.ts';
import { openSpreadsheet } from '../io/open-spreadsheet.ts';
import { InputError, type CellValue, type Row } from '../io/types.ts';
import { locateHeader, sheetIndexes } from './locate-header.ts';

const PREVIEW_ROWS = 10;

const plain = (v: CellValue | undefined): string | number | boolean | null =>
  v === undefined || v === null ? null : v instanceof Date ? v.toISOString() : v;

/**
 * A look at a file before it is submitted: its sheets, the header and columns a job would use, and its
 * first rows. Runs in a worker: a large workbook's shared strings must not block the app's main process.
 */
export async function runInspect(
  path: string,
  displayName = basename(path),
  sheetName?: string,
): Promise<InspectResult> {
  const wb = await openSpreadsheet(path);
  try {
    const base = { name: displayName, format: wb.format, sheetNames: wb.sheetNames };
    try {
      const located = await locateHeader(wb, {}, undefined, sheetName);
      const preview: Row[] = [];
      for await (const b of located.batches) {
        preview.push(...b.rows.slice(0, PREVIEW_ROWS - preview.length));
        if (preview.length >= PREVIEW_ROWS) break;
      }
      const m = located.mapping;
      return {
        ...base,
        sheet: located.sheet.name,
        headerRow: located.headerRowNumber,
        headers: located.header.map((h) => cellText(h ?? null)),
        columns: { brand: m.brand, article: m.article, quantity: m.quantity },
        preview: preview.map((r) => r.map(plain)),
        estimatedRows:
          located.sheet.estimatedRows === null
            ? null
            : Math.max(0, located.sheet.estimatedRows - located.headerRowNumber),
        problem: null,
        problemCode: null,
        problemParams: null,
      };
    } catch (err) {
      if (!(err instanceof InputError) || !MAPPING_PROBLEMS.has(err.code)) throw err;
      // The user maps the columns: show the (chosen or first) sheet's first rows to map them from.
      const sheet = wb.sheet(sheetIndexes(wb, sheetName)[0] ?? 0);
      const rows: Row[] = [];
      for await (const b of sheet.batches()) {
        rows.push(...b.rows.slice(0, PREVIEW_ROWS + 1 - rows.length));
        if (rows.length > PREVIEW_ROWS) break;
      }
      return {
        ...base,
        sheet: sheet.name,
        headerRow: null,
        headers: (rows[0] ?? []).map((h) => cellText(h ?? null)),
        columns: { brand: null, article: null, quantity: null },
        preview: rows.slice(1).map((r) => r.map(plain)),
        estimatedRows: sheet.estimatedRows,
        problem: err.message,
        problemCode: err.code,
        problemParams: err.params,
      };
    }
  } finally {
    await wb.close();
  }
}
