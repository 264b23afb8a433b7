// How long the new-job sheet waits for inspect on a 100k-line request list: the whole sheet is
// streamed to count its invalid lines (never held), in xlsx and CSV. Prints the times; asserts the
// counts, and only a generous bound on time (it depends on the machine and its load).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runInspect } from '../src-worker/tasks/inspect.ts';
import { freshDataDir, openEngine, writeCsv } from './helpers.ts';

const LINES = 100_000;
let dir: string;
let xlsx: string;
let csv: string;

// Every 100th line has no brand, every 250th a fractional quantity (they never coincide with 100's).
const line = (i: number): unknown[] => [
  i,
  i % 100 === 0 ? '' : `BRAND ${i % 50}`,
  `00${i % 9000}-${i % 7}`,
  `Гайка М${i % 3000}`,
  i % 250 === 125 ? 2.5 : 1 + (i % 9),
  `note ${i % 13}`,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crossdock-inspect-perf-'));
  xlsx = join(dir, 'big.xlsx');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsx, useSharedStrings: true });
  const ws = wb.addWorksheet('Заявка');
  ws.addRow(['№', 'Бренд', 'Артикул', 'Наименование', 'Кол-во', 'Комментарий']).commit();
  for (let i = 1; i <= LINES; i++) ws.addRow(line(i)).commit();
  ws.commit();
  await wb.commit();
  const rows: unknown[][] = [['№', 'Brand', 'Article', 'Name', 'Qty', 'Note']];
  for (let i = 1; i <= LINES; i++) rows.push(line(i));
  csv = writeCsv(join(dir, 'big.csv'), rows, ';');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const expected = { lines: LINES, invalid: 1000 + 400, brand: 1000, qty_fraction: 400 };

it(`inspects ${LINES} lines (xlsx and CSV), counting every invalid line`, async () => {
  for (const [name, file] of [
    ['xlsx', xlsx],
    ['csv', csv],
  ] as const) {
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const r = await runInspect(file);
      times.push(Math.round(performance.now() - started));
      expect(r.validation).toMatchObject({
        lines: expected.lines,
        invalid: expected.invalid,
        byProblem: { brand: expected.brand, qty_fraction: expected.qty_fraction },
      });
    }
    console.log(`inspect ${name} ${LINES} lines: ${times.join(' / ')} ms`);
    expect(Math.min(...times)).toBeLessThan(15_000);
  }
  // Through the engine, as the sheet calls it: a worker thread (its start included).
  const engine = openEngine(freshDataDir(), { run: 'none' });
  try {
    const started = performance.now();
    const r = await engine.inspect(xlsx);
    console.log(`engine.inspect xlsx ${LINES} lines: ${Math.round(performance.now() - started)} ms`);
    expect(r.validation?.invalid).toBe(expected.invalid);
  } finally {
    await engine.close();
  }
}, 180_000);
