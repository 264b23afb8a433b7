import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CsvWriter } from '../src-worker/io/csv-writer.ts';
import type { CellValue } from '../src-worker/io/types.ts';
import { XlsxWriter } from '../src-worker/io/xlsx-writer.ts';

// Prints throughput only: timing assertions would be flaky on shared machines.
const ROWS = 200_000;
const HEADER = ['Brand', 'Article', 'Name', 'Price', 'Qty', 'Date', 'In stock', 'Supplier', 'Weight', 'Note'];
const DAY = new Date(Date.UTC(2024, 0, 15));

function row(i: number): CellValue[] {
  return [
    i % 3 === 0 ? 'BOSCH' : 'MANN-FILTER',
    String(i).padStart(7, '0'),
    `Фильтр масляный ${i}`,
    100 + (i % 1000) * 0.37,
    i % 50,
    DAY,
    i % 2 === 0,
    i % 7 === 0 ? null : 'ОПТ-1',
    i * 0.001,
    i % 10 === 0 ? '=not a formula' : null,
  ];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crossdock-writer-perf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it(`writes ${ROWS} rows × 10 columns of xlsx`, async () => {
  const path = join(dir, 'perf.xlsx');
  const started = performance.now();
  const wb = await XlsxWriter.create(path);
  const sheet = wb.addSheet('Result', {
    header: HEADER,
    columnStyles: [undefined, 'text', undefined, 'money', 'integer', 'date'],
  });
  for (let i = 0; i < ROWS; i++) {
    const wait = sheet.writeRow(row(i));
    if (wait) await wait;
  }
  await wb.finish();
  const seconds = (performance.now() - started) / 1000;
  const { size } = await stat(path);
  console.log(
    `xlsx: ${Math.round(ROWS / seconds).toLocaleString('en')} rows/s (${seconds.toFixed(2)} s, ${(size / 1e6).toFixed(1)} MB)`,
  );

  let count = 0;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { styles: 'cache', worksheets: 'emit' });
  for await (const ws of reader) {
    for await (const r of ws) {
      count++;
      if (r.number === 1) expect((r.values as CellValue[]).slice(1)).toEqual(HEADER);
      else if (r.number % 9973 === 0 || r.number === ROWS + 1) {
        const expected = row(r.number - 2);
        const values = (r.values as CellValue[]).slice(1);
        for (let c = 0; c < expected.length; c++) expect(values[c] ?? null).toEqual(expected[c]);
      }
    }
  }
  expect(count).toBe(ROWS + 1);
});

it(`writes ${ROWS} rows × 10 columns of CSV`, async () => {
  const path = join(dir, 'perf.csv');
  const started = performance.now();
  const csv = await CsvWriter.create(path, { header: HEADER });
  for (let i = 0; i < ROWS; i++) {
    const wait = csv.writeRow(row(i));
    if (wait) await wait;
  }
  await csv.finish();
  const seconds = (performance.now() - started) / 1000;
  console.log(`csv: ${Math.round(ROWS / seconds).toLocaleString('en')} rows/s (${seconds.toFixed(2)} s)`);
  const lines = (await readFile(path, 'utf8')).split('\r\n');
  expect(lines).toHaveLength(ROWS + 2);
  expect(lines[1]).toBe("BOSCH,0000000,Фильтр масляный 0,100,0,2024-01-15,TRUE,,0,'=not a formula");
});
