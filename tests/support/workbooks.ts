// Comparing result workbooks as a buyer would: every sheet's cells, row by row (the Summary's
// Created time aside), read with the app's own streaming reader.
import { expect } from 'vitest';
import { openSpreadsheet } from '../../src-worker/io/open-spreadsheet.ts';
import type { Row } from '../../src-worker/io/types.ts';

export async function sheetRows(path: string, name: string): Promise<Row[] | null> {
  const wb = await openSpreadsheet(path);
  try {
    const at = wb.sheetNames.indexOf(name);
    if (at < 0) return null;
    const rows: Row[] = [];
    for await (const b of wb.sheet(at).batches()) rows.push(...b.rows);
    return rows;
  } finally {
    await wb.close();
  }
}

/** The two workbooks hold the same sheets with the same cells (the Summary's Created row aside). */
export async function expectSameWorkbook(got: string, want: string): Promise<void> {
  for (const sheet of ['Result', 'Alternatives', 'Summary']) {
    const notCreated = (rows: Row[] | null) =>
      sheet === 'Summary' && rows ? rows.filter((r) => r[0] !== 'Created' && r[0] !== 'Создано') : rows;
    const g = notCreated(await sheetRows(got, sheet));
    const w = notCreated(await sheetRows(want, sheet));
    expect(g === null, `${sheet} sheet present in both or neither`).toBe(w === null);
    if (!g || !w) continue;
    expect(g.length, `${sheet} rows`).toBe(w.length);
    for (let i = 0; i < w.length; i++)
      if (JSON.stringify(g[i]) !== JSON.stringify(w[i])) expect([sheet, i, g[i]]).toEqual([sheet, i, w[i]]);
  }
}
