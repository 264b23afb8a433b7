// The header row (PRODUCT.md, Column detection): found within the sheet's rows 1–20 as the sheet
// numbers them (blank rows count), or the row the user gives (--header-row N, the new-job sheet), or
// none at all (0: columns by index, every row data, named "Column A"…); and what inspect tells the
// new-job sheet about a file: its first rows with their numbers, the invalid lines per reason.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderMessage, type ErrorCode } from '../src-main/common/errors.ts';
import { columnIndexOfLetter, columnLetter } from '../src-main/common/column-letters.ts';
import { columnHeaderName } from '../src-worker/crossdock/columns.ts';
import { openSpreadsheet } from '../src-worker/io/open-spreadsheet.ts';
import type { ColumnChoice } from '../src-worker/protocol.ts';
import { runInspect } from '../src-worker/tasks/inspect.ts';
import { locateHeader } from '../src-worker/tasks/locate-header.ts';
import { freshDataDir, openEngine, readXlsx, runJob, tempDir, writeCsv, writeXlsx } from './helpers.ts';

const dir = tempDir('cd-header-row-');
const blank = (n: number): unknown[][] => Array.from({ length: n }, () => []);

/** The header a job would use, and its data rows with their row numbers, read to the end. */
async function locate(file: string, choice: ColumnChoice = {}, sheet?: string) {
  const wb = await openSpreadsheet(file);
  try {
    const l = await locateHeader(wb, choice, undefined, sheet);
    const rows: { n: number; row: unknown[] }[] = [];
    for await (const b of l.batches) b.rows.forEach((row, i) => rows.push({ n: b.rowNumbers[i], row }));
    return { header: l.header, headerRow: l.headerRowNumber, mapping: l.mapping, sheet: l.sheet.name, rows };
  } finally {
    await wb.close();
  }
}

/** The coded error a locate fails with. */
async function refusal(file: string, choice: ColumnChoice = {}, sheet?: string) {
  try {
    await locate(file, choice, sheet);
  } catch (err) {
    return err as Error & { code: ErrorCode; params: Record<string, unknown> };
  }
  throw new Error('expected the file to be refused');
}

/** Both the xlsx and the CSV form of the same rows. */
async function both(name: string, rows: unknown[][]): Promise<string[]> {
  return [await writeXlsx(join(dir, `${name}.xlsx`), rows), writeCsv(join(dir, `${name}.csv`), rows)];
}

describe('detection looks at the sheet rows 1–20, blank rows counted', () => {
  it('finds a header on row 20 below 19 blank rows, not one on row 21 (xlsx and csv)', async () => {
    for (const f of await both('row20', [...blank(19), ['Brand', 'Article'], ['BOSCH', '1']])) {
      const l = await locate(f);
      expect(l.headerRow, f).toBe(20);
      expect(l.rows, f).toEqual([{ n: 21, row: ['BOSCH', '1'] }]);
    }
    for (const f of await both('row21', [...blank(20), ['Brand', 'Article'], ['BOSCH', '1']])) {
      const err = await refusal(f);
      expect(err.code, f).toBe('NO_HEADER');
      expect(err.message).toContain('first 20 rows');
    }
    // A title on row 1 and blank rows between: the header on row 21 is still out of reach.
    for (const f of await both('title21', [['Order 17'], ...blank(19), ['Brand', 'Article'], ['X', '1']])) {
      const err = await refusal(f);
      expect(err.code, f).toBe('NO_HEADER');
      expect(err.params).toMatchObject({ headers: ['Order 17'] });
    }
  });

  it('the same file is found with --header-row 21', async () => {
    for (const f of await both('given21', [...blank(20), ['Brand', 'Article'], ['BOSCH', '1']])) {
      const l = await locate(f, { headerRow: 21 });
      expect(l.headerRow, f).toBe(21);
      expect(l.mapping).toMatchObject({ brand: 0, article: 1, quantity: null });
      expect(l.rows).toEqual([{ n: 22, row: ['BOSCH', '1'] }]);
    }
  });
});

describe('the header row the user gives', () => {
  // Row 1 looks like a header too; the real one is row 3 (with a quantity), data from row 4.
  const rows = [
    ['Brand', 'Article'],
    [],
    ['Производитель', 'Код', 'Артикул', 'Кол-во'],
    ['BOSCH', 'x', '0 986', 2],
    ['NGK', 'y', 'BKR6', 1],
  ];

  it('reads the header from that row only, with data below it', async () => {
    for (const f of await both('given3', rows)) {
      expect((await locate(f)).headerRow, f).toBe(1);
      const l = await locate(f, { headerRow: 3 });
      expect(l.headerRow).toBe(3);
      expect(l.header).toEqual(['Производитель', 'Код', 'Артикул', 'Кол-во']);
      expect(l.mapping).toMatchObject({ brand: 0, article: 2, quantity: 3 });
      expect(l.rows.map((r) => r.n)).toEqual([4, 5]);
    }
  });

  it('named columns (text or index) are looked up in that row', async () => {
    const [f] = await both('named3', rows);
    expect((await locate(f, { headerRow: 3, article: 'код' })).mapping).toMatchObject({ article: 1 });
    expect((await locate(f, { headerRow: 3, brand: '2', article: '3' })).mapping).toMatchObject({
      brand: 1,
      article: 2,
    });
    // Quantity "0": no quantity column, though the row has one (every line asks for 1).
    expect((await locate(f, { headerRow: 3, quantity: '0' })).mapping).toMatchObject({ quantity: null });
    expect((await locate(f, { headerRow: 3 })).mapping).toMatchObject({ quantity: 3 });
    const missing = await refusal(f, { headerRow: 3, article: 'Article' });
    expect(missing.code).toBe('NAMED_COLUMNS_NOT_IN_ROW');
    expect(missing.message).toBe(
      'The columns you named (article "Article") are not in the header row (row 3 of the sheet "Sheet1"). Found: Производитель, Код, Артикул, Кол-во. Name them by header text or 1-based number, or choose another header row.',
    );
  });

  it('a row without the columns, a blank row and a row past the sheet are clear errors', async () => {
    for (const f of await both('wrong', rows)) {
      const none = await refusal(f, { headerRow: 4 });
      expect(none.code, f).toBe('HEADER_ROW_NO_COLUMNS');
      expect(none.params).toMatchObject({ row: 4, headers: ['BOSCH', 'x', '0 986', '2'] });
      // Row 2 is blank: only columns by index can be read "under" it.
      expect((await refusal(f, { headerRow: 2 })).code).toBe('HEADER_ROW_NO_COLUMNS');
      const byIndex = await locate(f, { headerRow: 2, brand: '1', article: '3' });
      expect(byIndex.rows.map((r) => r.n)).toEqual([3, 4, 5]);
      const beyond = await refusal(f, { headerRow: 9 });
      expect(beyond.code).toBe('HEADER_ROW_BEYOND_SHEET');
      expect(beyond.params).toMatchObject({ row: 9, last: 5 });
      expect(beyond.message).toMatch(/^Row 9 cannot be the header row: the sheet ".*" ends at row 5\./);
    }
  });

  it('with no sheet named, takes the first sheet whose row N has the columns', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Notes').addRows([['a'], ['b'], ['c']]);
    wb.addWorksheet('Order').addRows([['Order 5'], ['Brand', 'Article'], ['BOSCH', '1']]);
    const f = join(dir, 'sheets.xlsx');
    await wb.xlsx.writeFile(f);
    expect(await locate(f, { headerRow: 2 })).toMatchObject({ sheet: 'Order', headerRow: 2 });
    expect((await refusal(f, { headerRow: 2 }, 'Notes')).code).toBe('HEADER_ROW_NO_COLUMNS');
  });
});

describe('no header row (0)', () => {
  const rows = [
    ['BOSCH', '0 986', 2, 'note'],
    ['NGK', 'BKR6', 1],
  ];

  it('every row is data; the columns are named by their letters', async () => {
    for (const f of await both('none', rows)) {
      const l = await locate(f, { headerRow: 0, brand: '1', article: '2', quantity: '3' });
      expect(l.headerRow, f).toBe(0);
      expect(l.header).toEqual(['Column A', 'Column B', 'Column C', 'Column D']);
      expect(l.mapping).toMatchObject({ brand: 0, article: 1, quantity: 2 });
      expect(l.rows.map((r) => r.n)).toEqual([1, 2]);
      expect(
        (await locate(f, { headerRow: 0, brand: '1', article: '2', quantity: '0' })).mapping,
      ).toMatchObject({
        quantity: null,
      });
      // The header reaches the columns asked for even past the rows' width.
      expect((await locate(f, { headerRow: 0, brand: '1', article: '6' })).header).toHaveLength(6);
    }
  });

  it('needs the columns by index', async () => {
    const [f] = await both('none-text', rows);
    for (const choice of [
      { headerRow: 0 },
      { headerRow: 0, brand: '1' },
      { headerRow: 0, brand: 'Brand', article: '2' },
      { headerRow: 0, brand: '1', article: '2', quantity: 'Qty' },
      { headerRow: 0, brand: '0', article: '2' },
    ]) {
      expect((await refusal(f, choice)).code, JSON.stringify(choice)).toBe('NO_HEADER_ROW_NEEDS_INDEXES');
    }
  });

  it('names columns by letter, in English and Russian', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
    for (const i of [0, 1, 25, 26, 701, 702, 16_383]) expect(columnIndexOfLetter(columnLetter(i))).toBe(i);
    expect(columnIndexOfLetter('b')).toBe(1);
    expect(columnIndexOfLetter('1')).toBeNull();
    expect(columnHeaderName(1)).toBe('Column B');
    expect(columnHeaderName(27, 'ru')).toBe('Столбец AB');
  });

  it('a crossdock of a sheet without a header row keeps every row, under "Column A"…', async () => {
    const engine = openEngine(freshDataDir());
    try {
      const f = writeCsv(join(dir, 'headless-order.csv'), [
        ['BOSCH', '0 986 452 041', 2],
        ['NGK', 'BKR6E', 1],
        ['', 'X', 1],
      ]);
      const job = await runJob(engine, {
        kind: 'crossdock',
        input: f,
        list: 'ОПТ-1',
        outDir: dir,
        columns: { headerRow: 0, brand: '1', article: '2', quantity: '3' },
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.result).toMatchObject({ rows: 3, invalid: 1 });
      const result = (await readXlsx(job.outputs[0])).get('Result')!;
      expect(result[0].slice(0, 3)).toEqual(['Column A', 'Column B', 'Column C']);
      expect(result.slice(1).map((r) => r[0] ?? null)).toEqual(['BOSCH', 'NGK', null]);
      expect(engine.logs(job.id).map((l) => l.message)).toContainEqual(
        expect.stringMatching(/no header row \(columns by letter\): brand = column 1/),
      );
      // A Russian result names them in Russian, like its appended headers.
      const ru = await runJob(engine, {
        kind: 'crossdock',
        input: f,
        list: 'ОПТ-1',
        outDir: dir,
        lang: 'ru',
        columns: { headerRow: 0, brand: '1', article: '2', quantity: '3' },
      });
      const ruResult = (await readXlsx(ru.outputs[0])).get('Result')!;
      expect(ruResult[0].slice(0, 3)).toEqual(['Столбец A', 'Столбец B', 'Столбец C']);
    } finally {
      await engine.close();
    }
  });
});

describe('inspect: the rows to pick the header from, and what a job would mark invalid', () => {
  const rows: unknown[][] = [['Заявка 17'], [], ['Бренд', 'Артикул', 'Кол-во', 'Комментарий']];
  // 12 no brand, 3 no article, quantities: 2 zero, 1 negative, 3 fractional, 4 words; 25 good.
  for (let i = 0; i < 12; i++) rows.push(['', `A${i}`, 1]);
  for (let i = 0; i < 3; i++) rows.push(['BOSCH', '—', 1]);
  rows.push(['BOSCH', 'Z1', 0], ['BOSCH', 'Z2', '0'], ['BOSCH', 'N1', -2]);
  rows.push(['BOSCH', 'F1', 2.5], ['BOSCH', 'F2', ' 1.5 '], ['BOSCH', 'F3', 0.1]);
  for (let i = 0; i < 4; i++) rows.push(['BOSCH', `W${i}`, '5 шт']);
  for (let i = 0; i < 25; i++) rows.push(['NGK', `G${i}`, i + 1, 'ok']);

  it('counts the invalid lines of the whole sheet per reason; marks the preview cells', async () => {
    for (const f of await both('counts', rows)) {
      const r = await runInspect(f);
      expect(r.headerRow, f).toBe(3);
      expect(r.validation).toEqual({
        lines: 50,
        invalid: 25,
        byProblem: { brand: 12, article: 3, qty_zero: 2, qty_negative: 1, qty_fraction: 3, qty_text: 4 },
      });
      expect(r.estimatedRows).toBe(50);
      expect(r.previewRows).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      expect(r.previewIssues).toHaveLength(10);
      expect(r.previewIssues[0]).toEqual({ row: 0, column: 0, problem: 'brand' });
      // The header picker's rows: 1 and 3, then data rows 4–30 (the blank row 2 left out).
      expect(r.topRows.map((t) => t.row)).toEqual([1, ...Array.from({ length: 28 }, (_, i) => i + 3)]);
      expect(r.topRows[0].cells).toEqual(['Заявка 17']);
    }
  });

  it('a quick look reads the first rows only: no counts, the preview and the rows to pick from', async () => {
    for (const f of await both('quick', rows)) {
      const r = await runInspect(f, undefined, undefined, {}, false);
      expect(r, f).toMatchObject({ headerRow: 3, validation: null, problem: null });
      expect(r.preview).toHaveLength(10);
      expect(r.previewIssues[0]).toEqual({ row: 0, column: 0, problem: 'brand' });
      expect(r.topRows.map((t) => t.row).slice(-1)).toEqual([30]);
      // A file that ends within the first rows is counted all the same.
      const small = await runInspect(
        writeCsv(join(dir, 'small.csv'), rows.slice(0, 6)),
        undefined,
        undefined,
        {},
        false,
      );
      expect(small.validation).toMatchObject({ lines: 3, invalid: 3 });
    }
  });

  it('names every invalid cell of a preview line, the count only its first reason', async () => {
    const f = writeCsv(join(dir, 'cells.csv'), [
      ['Brand', 'Article', 'Qty'],
      ['', '', 'x'],
      ['BOSCH', '1', '2.5'],
    ]);
    const r = await runInspect(f);
    expect(r.previewIssues).toEqual([
      { row: 0, column: 0, problem: 'brand' },
      { row: 0, column: 1, problem: 'article' },
      { row: 0, column: 2, problem: 'qty_text' },
      { row: 1, column: 2, problem: 'qty_fraction' },
    ]);
    expect(r.validation?.byProblem).toMatchObject({ brand: 1, qty_fraction: 1, qty_text: 0 });
  });

  it('re-inspects with the header row and columns the user chose', async () => {
    const [f] = await both('chosen', rows);
    const r = await runInspect(f, undefined, undefined, { headerRow: 1, brand: '1', article: '2' });
    expect(r).toMatchObject({ headerRow: 1, headers: ['Заявка 17'], columns: { brand: 0, article: 1 } });
    expect(r.previewRows[0]).toBe(3);
    const none = await runInspect(f, undefined, undefined, { headerRow: 0, brand: '1', article: '2' });
    expect(none.headers.slice(0, 2)).toEqual(['Column A', 'Column B']);
    expect(none.previewRows.slice(0, 3)).toEqual([1, 3, 4]);
    expect(none.validation?.lines).toBe(52);
    // A choice that does not fit is the problem to fix, with that row as the header.
    const wrong = await runInspect(f, undefined, undefined, { headerRow: 4 });
    expect(wrong).toMatchObject({ problemCode: 'HEADER_ROW_NO_COLUMNS', headerRow: 4, validation: null });
    expect(wrong.headers).toEqual(['', 'A0', '1']);
    expect(wrong.previewRows[0]).toBe(5);
    const text = await runInspect(f, undefined, undefined, { headerRow: 0 });
    expect(text).toMatchObject({ problemCode: 'NO_HEADER_ROW_NEEDS_INDEXES', headerRow: 0 });
    expect(text.previewRows.slice(0, 2)).toEqual([1, 3]);
    const past = await runInspect(f, undefined, undefined, { headerRow: 200 });
    expect(past).toMatchObject({ problemCode: 'HEADER_ROW_BEYOND_SHEET', headerRow: null });
  });

  it('through the engine: a chosen look leaves the column memory alone', async () => {
    const engine = openEngine(freshDataDir(), { run: 'none' });
    try {
      const [f] = await both('engine', rows);
      const chosen = await engine.inspect(f, undefined, { headerRow: 1, brand: '1', article: '2' });
      expect(chosen).toMatchObject({ headerRow: 1, remembered: null });
      const detected = await engine.inspect(f, undefined, {});
      expect(detected.headerRow).toBe(3);
    } finally {
      await engine.close();
    }
  });
});

describe('the new codes say it in English and Russian', () => {
  it.each([
    ['HEADER_ROW_BEYOND_SHEET', { row: 9, sheet: 'Лист1', last: 5 }, ['9', '«Лист1»', '5']],
    ['HEADER_ROW_NO_COLUMNS', { row: 4, sheet: 'S', headers: ['a', 'b'], more: false }, ['4', 'a, b']],
    [
      'NAMED_COLUMNS_NOT_IN_ROW',
      { brand: null, article: 'Код', quantity: null, row: 3, sheet: 'S', headers: ['a'], more: false },
      ['«Код»', '3'],
    ],
    ['NO_HEADER_ROW_NEEDS_INDEXES', {}, ['--brand-col 1']],
  ] as const)('%s', (code, params, keep) => {
    const en = renderMessage('en', { code, params });
    const ru = renderMessage('ru', { code, params });
    expect(en).toMatch(/\.$/);
    expect(ru).toMatch(/[а-я]/);
    expect(ru).toMatch(/\.$/);
    expect(ru).not.toMatch(/\b(?:the|and|is|not|retry|choose|check)\b/);
    for (const k of keep) expect(ru).toContain(k);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
