// `crossdock run --lang`, `--analogs` and `--base-currency` (PRODUCT.md, Command line): the demo run
// in Russian with analogs gives the workbook a Russian buyer forwards; bad values are usage errors.
import { describe, expect, it } from 'vitest';
import { cli, freshDataDir, readXlsx, SAMPLE, tempDir } from './helpers.ts';

describe('crossdock run: result language, analogs and base currency', () => {
  const env = { CROSSDOCK_DATA_DIR: freshDataDir() };

  it('--lang ru --analogs missing: Russian headers, statuses and notes; analogs, aliases, packs in the notes', async () => {
    const out = tempDir('cd-out-');
    const res = await cli(
      ['run', SAMPLE, '--list', 'ОПТ-1', '--out', out, '--json', '--lang', 'ru', '--analogs', 'missing'],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    const job = JSON.parse(res.stdout) as { outputs: string[]; rows: number };
    const sheets = await readXlsx(job.outputs[0]);
    const [header, ...rows] = sheets.get('Result')!;
    expect(header.slice(-12)).toEqual([
      'Поставщик',
      'Наименование предложения',
      'Бренд предложения',
      'Артикул предложения',
      'Цена',
      'Валюта',
      'В наличии',
      'Срок, дн.',
      'Заказ',
      'Сумма',
      'Статус',
      'Примечание',
    ]);
    const status = header.indexOf('Статус');
    const note = header.indexOf('Примечание');
    expect(new Set(rows.map((r) => r[status]))).toEqual(
      new Set(['найдено', 'частично', 'не найдено', 'некорректная']),
    );
    const notes = rows.map((r) => String(r[note] ?? ''));
    expect(notes.some((n) => n.startsWith('аналог '))).toBe(true);
    expect(notes.some((n) => n.includes('бренд прочитан как'))).toBe(true);
    expect(notes.some((n) => n.includes('кратность'))).toBe(true);
    expect(notes.some((n) => n.includes('не хватает'))).toBe(true);
    const summary = sheets.get('Summary')!;
    expect(summary.some((r) => r[0] === 'Всего строк' && r[1] === job.rows)).toBe(true);
  });

  it('refuses a language, an analogs mode or a currency it does not know: exit 2, one sentence', async () => {
    const lang = await cli(['run', SAMPLE, '--list', 'ОПТ-1', '--lang', 'de'], env);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toMatch(/--lang.*en, ru/);
    const analogs = await cli(['run', SAMPLE, '--list', 'ОПТ-1', '--analogs', 'sometimes'], env);
    expect(analogs.code).toBe(2);
    const currency = await cli(['run', SAMPLE, '--list', 'ОПТ-1', '--base-currency', 'euro'], env);
    expect(currency.code).toBe(2);
    expect(currency.stderr.trim()).toBe(
      '--base-currency takes a three-letter currency code such as RUB, EUR or USD, not "euro".',
    );
  });
});
