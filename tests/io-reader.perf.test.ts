// Read speed of the xlsx reader on a 100k x 8 sheet (shared strings + numbers), written by exceljs.
// Prints rows/s; asserts only correctness, since timing depends on the machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openXlsx } from '../src-worker/io/xlsx-reader.ts';

const ROWS = 100_000;
let dir: string;
let path: string;

const expectedRow = (i: number): unknown[] => [
  `ART-${i % 5000}`,
  `Гайка М${i % 3000}`,
  i * 1.5,
  i,
  `Brand ${i % 50}`,
  1000 + (i % 777),
  `00${i % 900}`,
  i % 2 ? 3.25 : 7,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crossdock-io-perf-'));
  path = join(dir, 'big.xlsx');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: true,
  });
  const ws = wb.addWorksheet('Data');
  for (let i = 0; i < ROWS; i++) ws.addRow(expectedRow(i)).commit();
  ws.commit();
  await wb.commit();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it(`reads ${ROWS} rows x 8 columns`, async () => {
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const wb = await openXlsx(path);
    let rows = 0;
    for await (const batch of wb.sheet(0).batches()) {
      for (let k = 0; k < batch.rows.length; k++) {
        const i = batch.rowNumbers[k] - 1;
        if (i % 9973 === 0) expect(batch.rows[k]).toEqual(expectedRow(i));
      }
      rows += batch.rows.length;
    }
    await wb.close();
    const seconds = (performance.now() - started) / 1000;
    expect(rows).toBe(ROWS);
    runs.push(Math.round(ROWS / seconds));
  }
  // The first run includes JIT warm-up, like a fresh worker reading one file.
  console.log(
    `xlsx read: ${runs.map((r) => r.toLocaleString('en-US')).join(' / ')} rows/s (cold / warm / warm)`,
  );
});
