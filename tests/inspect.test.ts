import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDataDir, openEngine, runJob, tempDir, writeCsv, writeXlsx } from './helpers.ts';

describe('engine.inspect: a look at a file before it is submitted', () => {
  const engine = openEngine(freshDataDir(), { run: 'none' });
  afterAll(() => engine.close());

  it('finds the sheet, header and columns a job would use, with the first rows and a row estimate', async () => {
    const rows: unknown[][] = [['Order 17'], [], ['Марка', 'Номер', 'Qty', 'Date']];
    for (let i = 0; i < 30; i++) rows.push(['BOSCH', `00${i}`, i + 1, new Date(Date.UTC(2026, 0, 1 + i))]);
    const file = await writeXlsx(join(tempDir(), 'order.xlsx'), rows);
    const r = await engine.inspect(file);
    expect(r).toMatchObject({
      name: 'order.xlsx',
      format: 'xlsx',
      sheet: 'Sheet1',
      headerRow: 3,
      problem: null,
    });
    expect(r.headers).toEqual(['Марка', 'Номер', 'Qty', 'Date']);
    expect(r.columns).toEqual({ brand: 0, article: 1, quantity: 2 });
    expect(r.preview).toHaveLength(10);
    expect(r.preview[0]).toEqual(['BOSCH', '000', 1, '2026-01-01T00:00:00.000Z']);
    expect(r.estimatedRows).toBe(30);
  });

  it('says why the user must map the columns, and still shows the rows to map them from', async () => {
    const none = writeCsv(join(tempDir(), 'none.csv'), [
      ['Fabricant', 'Référence'],
      ['BOSCH', 'X1'],
    ]);
    const r = await engine.inspect(none);
    expect(r.columns).toEqual({ brand: null, article: null, quantity: null });
    expect(r.headers).toEqual(['Fabricant', 'Référence']);
    expect(r.preview).toEqual([['BOSCH', 'X1']]);
    expect(r.problem).toMatch(/no Brand and Article header.*Map the columns/);
    const two = writeCsv(join(tempDir(), 'two.csv'), [
      ['Brand', 'Make', 'SKU'],
      ['A', 'B', 'C'],
    ]);
    expect((await engine.inspect(two)).problem).toMatch(/Several columns could be the Brand/);
  });

  it('rejects what is not a spreadsheet with one sentence', async () => {
    const png = join(tempDir(), 'photo.xlsx');
    writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    await expect(engine.inspect(png)).rejects.toThrow(/^photo\.xlsx is not a spreadsheet/);
    await expect(engine.inspect('/no/such/file.csv')).rejects.toThrow(/does not exist/);
  });
});

describe('choosing the worksheet', () => {
  it('inspects and runs the sheet the user picks; a sheet that is not there is one sentence', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Notes').addRow(['Brand', 'Article']).commit();
    wb.getWorksheet('Notes')!.addRow(['NGK', 'OLD-1']);
    const second = wb.addWorksheet('Order');
    second.addRow(['Марка', 'Артикул', 'Кол-во']);
    second.addRow(['BOSCH', 'X-1', 2]);
    second.addRow(['MANN', 'Y-2', 1]);
    const file = join(tempDir(), 'two-sheets.xlsx');
    await wb.xlsx.writeFile(file);

    const engine = openEngine(freshDataDir());
    engine.start();
    try {
      expect((await engine.inspect(file)).sheet).toBe('Notes');
      const order = await engine.inspect(file, 'Order');
      expect(order).toMatchObject({
        sheet: 'Order',
        sheetNames: ['Notes', 'Order'],
        headerRow: 1,
        problem: null,
      });
      expect(order.preview).toEqual([
        ['BOSCH', 'X-1', 2],
        ['MANN', 'Y-2', 1],
      ]);
      await expect(engine.inspect(file, 'Nope')).rejects.toThrow(
        'The workbook has no sheet "Nope"; its sheets are "Notes", "Order".',
      );
      const out = tempDir();
      const job = await runJob(engine, {
        kind: 'crossdock',
        input: file,
        list: 'ОПТ-1',
        outDir: out,
        sheet: 'Order',
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.result?.rows).toBe(2);
      const missing = await runJob(engine, {
        kind: 'crossdock',
        input: file,
        list: 'ОПТ-1',
        outDir: out,
        sheet: 'Nope',
      });
      expect(missing.status).toBe('failed');
      expect(missing.error).toBe('The workbook has no sheet "Nope"; its sheets are "Notes", "Order".');
    } finally {
      await engine.close();
    }
  });
});

describe('how many lines have analogs, before Start', () => {
  it('counts the valid lines whose part has a cross in the source new jobs use', async () => {
    const data = freshDataDir();
    const engine = openEngine(data, { run: 'none' });
    try {
      const Database = (await import('better-sqlite3')).default;
      const catalog = new Database(join(data, 'catalog.sqlite'), { readonly: true });
      const pairs = catalog.prepare('SELECT brand, article FROM crosses LIMIT 3').all() as {
        brand: string;
        article: string;
      }[];
      catalog.close();
      expect(pairs).toHaveLength(3);
      const file = writeCsv(join(tempDir(), 'analogs.csv'), [
        ['Brand', 'Article', 'Qty'],
        ...pairs.map((p) => [p.brand.toLowerCase(), p.article, '2']),
        [pairs[0].brand, pairs[0].article, '1'], // the same part twice: two lines
        ['NOBRAND', 'NOPART-1', '1'],
        [pairs[1].brand, pairs[1].article, '-3'], // invalid: not counted
      ]);
      const r = await engine.inspect(file);
      expect(r.validation).toMatchObject({ lines: 6, invalid: 1, withCrosses: 4 });
      // A quick look does not ask the source (a small file's lines are still counted: it ended in view).
      const quick = await engine.inspect(file, undefined, undefined, { count: false });
      expect(quick.validation).not.toHaveProperty('withCrosses');
    } finally {
      await engine.close();
    }
  });
});
