// `crossdock run --header-row N` (PRODUCT.md, Command line): the header is sheet row N; 0 = no header
// row, the columns by 1-based index and every row data. Mistakes in the flags exit 2 with one
// sentence; a header row that does not fit the file fails its job (exit 1) with one sentence.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { cli, freshDataDir, readXlsx, tempDir, writeCsv, writeXlsx } from './helpers.ts';

describe('crossdock run --header-row', () => {
  const env = { CROSSDOCK_DATA_DIR: freshDataDir() };
  const a = demoPart(1);
  const b = demoPart(2);

  it('reads the header from the row given, below a row that looks like one', async () => {
    const out = tempDir('cd-out-');
    const file = await writeXlsx(join(tempDir(), 'order.xlsx'), [
      ['Brand', 'Article'],
      [],
      ['Марка', 'Примечание', 'Номер', 'Кол-во'],
      [a.brand, 'x', a.display, 2],
      [b.brand, 'y', b.display, 1],
    ]);
    const res = await cli(['run', file, '--list', 'ОПТ-1', '--out', out, '--header-row', '3', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const job = JSON.parse(res.stdout) as { rows: number; invalid: number; outputs: string[] };
    expect(job).toMatchObject({ rows: 2, invalid: 0 });
    const result = (await readXlsx(job.outputs[0])).get('Result')!;
    expect(result[0].slice(0, 4)).toEqual(['Марка', 'Примечание', 'Номер', 'Кол-во']);
    // Without the flag, row 1 is the header: rows 3–5 are lines (and the header row is invalid).
    const detected = await cli(['run', file, '--list', 'ОПТ-1', '--out', out, '--json'], env);
    expect(JSON.parse(detected.stdout)).toMatchObject({ rows: 3 });
  });

  it('0: no header row, the columns by index, every row a line under "Column A"…', async () => {
    const out = tempDir('cd-out-');
    const file = writeCsv(join(tempDir(), 'headless.csv'), [
      [a.brand, a.display, 2],
      [b.brand, b.display, '2.5'],
    ]);
    const res = await cli(
      [
        'run',
        file,
        '--list',
        'ОПТ-1',
        '--out',
        out,
        '--header-row',
        '0',
        '--brand-col',
        '1',
        '--article-col',
        '2',
        '--qty-col',
        '3',
        '--json',
      ],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    const job = JSON.parse(res.stdout) as { rows: number; invalid: number; outputs: string[] };
    expect(job).toMatchObject({ rows: 2, invalid: 1 });
    const result = (await readXlsx(job.outputs[0])).get('Result')!;
    expect(result[0].slice(0, 3)).toEqual(['Column A', 'Column B', 'Column C']);
    expect(result[1][0]).toBe(a.brand);
  });

  it('exits 2 on a header row that is not a row number, or no header row with columns by name', async () => {
    const file = writeCsv(join(tempDir(), 'any.csv'), [
      ['Brand', 'Article'],
      ['X', '1'],
    ]);
    for (const [args, sentence] of [
      [['--header-row', 'x'], /^--header-row takes a whole number from 0 to 1,?048,?576\.$/],
      [['--header-row', '-1'], /^--header-row takes a whole number/],
      [['--header-row', '0'], /^Without a header row, give the Brand and Article columns .* by number/],
      [['--header-row', '0', '--brand-col', 'Brand', '--article-col', '2'], /^Without a header row/],
    ] as const) {
      const res = await cli(['run', file, '--list', 'ОПТ-1', ...args], env);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(res.stderr.trim()).toMatch(sentence);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a header row past the sheet, or without the columns, fails the job with one sentence', async () => {
    const out = tempDir('cd-out-');
    const file = writeCsv(join(tempDir(), 'short.csv'), [
      ['Brand', 'Article'],
      ['X', '1'],
    ]);
    const past = await cli(['run', file, '--list', 'ОПТ-1', '--out', out, '--header-row', '9'], env);
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/Row 9 cannot be the header row: the sheet "short" ends at row 2\./);
    const json = await cli(
      ['run', file, '--list', 'ОПТ-1', '--out', out, '--header-row', '2', '--json'],
      env,
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'failed', errorCode: 'HEADER_ROW_NO_COLUMNS' });
  });

  it('catalog import takes --header-row too', async () => {
    const prices = writeCsv(join(tempDir(), 'prices.csv'), [
      ['Прайс от 01.03'],
      ['Бренд', 'Артикул', 'Цена', 'Остаток'],
      ['ACME', 'HR-1', 10, 5],
    ]);
    const res = await cli(
      ['catalog', 'import', prices, '--supplier', 'Строка 2', '--header-row', '2', '--json'],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'succeeded', rows: 1, found: 1 });
  });
});
