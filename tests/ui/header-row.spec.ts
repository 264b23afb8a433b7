/**
 * The new-job sheet's header row and columns (PRODUCT.md, Column detection): the header-row picker
 * ("Row 4", "No header row"), columns by letter for files with blank or repeated headers, the invalid
 * lines counted before Start with the invalid cells marked, the analogs option and the result language,
 * and "Run again with…" on a failed job. Screenshots 14–18 (light and dark) go to docs/screenshots with
 * SCREENSHOT_DIR=docs/screenshots, else to the test output.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { dropFiles, expect, tempDir, test } from './bridge.ts';
import { demoPart, DEMO_PARTS } from '../../src-worker/sources/demo-data.ts';

test.beforeEach(async ({ bridge }) => {
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir, concurrency: 1 });
});

const row = (page: Page, name: string) => page.getByTestId('job-row').filter({ hasText: name });
const statusOf = (r: Locator, timeout = 30_000) =>
  expect.poll(() => r.getAttribute('data-status', { timeout: 1000 }).catch(() => null), {
    timeout,
    intervals: [50],
  });

async function shot(page: Page, name: string): Promise<void> {
  const base = process.env.SCREENSHOT_DIR ?? test.info().outputPath();
  mkdirSync(base, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(base, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** CSV text (';'-separated, as Russian Excel saves it) of these rows. */
function csv(name: string, rows: (string | number)[][]): string {
  const path = join(tempDir('cd-ui-in-'), name);
  writeFileSync(path, `${rows.map((r) => r.join(';')).join('\r\n')}\r\n`);
  return path;
}

/**
 * A customer's order with a title block above the header (row 4), a blank and a repeated header
 * ("Код" twice: the supplier's code, then the article), and 40 lines of which 4 have no brand, 2 a
 * fractional quantity and 1 a word for a quantity.
 */
function orderWithTitle(name: string): string {
  const rows: (string | number)[][] = [
    ['Заявка № 17 от 01.03.2026'],
    ['Клиент: ООО «Ромашка»'],
    [''],
    ['№', 'Поставщик', 'Код', 'Код', 'Кол-во', ''],
  ];
  for (let i = 0; i < 40; i++) {
    const part = demoPart((i * 31) % DEMO_PARTS);
    const brand = i % 10 === 3 ? '' : part.brand;
    const qty = i === 5 || i === 17 ? '2,5' : i === 8 ? 'пять' : (i % 4) + 1;
    rows.push([i + 1, brand, `S-${i}`, part.display.replace(/;/g, ' '), qty, i % 3 ? '' : 'срочно']);
  }
  return csv(name, rows);
}

test('the header-row picker, columns by letter, the invalid lines before Start', async ({
  page,
  bridge,
  problems,
}) => {
  await page.goto(bridge.url);
  await dropFiles(page, [orderWithTitle('заявка-17.csv')]);
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet.getByTestId('sheet-problem')).toContainText('no Brand and Article header');
  const headerRow = sheet.getByTestId('header-row');
  // The picker offers the sheet's rows by number (the blank row 3 is not one), and "No header row".
  await expect(headerRow.locator('option')).toContainText([
    'No header row',
    'Row 1: Заявка № 17 от 01.03.2026',
    'Row 2: Клиент: ООО «Ромашка»',
    'Row 4: №, Поставщик, Код, Код',
  ]);
  await headerRow.selectOption('4');
  await expect(sheet.getByTestId('sheet-problem')).toContainText(
    'Row 4 of the sheet "заявка-17" has no Brand and Article header',
  );
  // Every column is there by letter: the repeated "Код" twice, the blank header as its letter only.
  const brand = sheet.getByTestId('column-brand');
  await expect(brand.locator('option')).toHaveText([
    'Choose a column…',
    'A — №',
    'B — Поставщик',
    'C — Код',
    'D — Код',
    'E — Кол-во',
    'F',
  ]);
  await brand.selectOption({ label: 'B — Поставщик' });
  await sheet.getByTestId('column-article').selectOption({ label: 'D — Код' });
  await sheet.getByTestId('column-quantity').selectOption({ label: 'E — Кол-во' });
  const summary = sheet.getByTestId('validation-summary');
  await expect(summary).toHaveText(
    '7 lines will be invalid: 4 no brand, 2 quantity not a whole number, 1 quantity not a number. They stay in the result with the status “invalid”.',
  );
  await expect(sheet.getByTestId('sheet-problem')).toHaveCount(0);
  // The preview marks the invalid cells, with the reason as a tooltip and for screen readers.
  const preview = sheet.getByTestId('preview');
  const noBrand = preview.locator('td[data-problem="brand"]').first();
  await expect(noBrand).toHaveAttribute('title', 'Invalid: no brand');
  await expect(noBrand).toContainText('(Invalid: no brand)');
  await expect(preview.locator('td[data-problem="qty_fraction"]').first()).toHaveAttribute(
    'title',
    'Invalid: quantity 2,5 is not a whole number',
  );
  await expect(preview.locator('tbody tr').first().locator('td').first()).toHaveText('5');
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await sheet.getByTestId('analogs').selectOption('missing');
  await shot(page, '14-header-row-picker');

  await sheet.getByTestId('start-job').click();
  await expect(sheet).toBeHidden();
  const r = row(page, 'заявка-17.csv');
  await statusOf(r).toBe('succeeded');
  const { job } = await bridge.call<{
    job: { spec: Record<string, unknown>; result: { rows: number; invalid: number } };
  }>('getJob', await r.getAttribute('data-job-id'));
  expect(job.spec).toMatchObject({
    columns: { brand: '2', article: '4', quantity: '5', headerRow: 4 },
    analogs: 'missing',
    lang: 'en',
  });
  expect(job.result).toMatchObject({ rows: 40, invalid: 7 });
  expect(problems).toEqual([]);
});

test('a sheet without a header row: every row is a line, the columns by letter', async ({
  page,
  bridge,
  problems,
}) => {
  const rows = Array.from({ length: 12 }, (_, i) => {
    const part = demoPart(i * 7);
    return [part.brand, part.display.replace(/;/g, ' '), i === 2 ? 0 : 1];
  });
  await page.goto(bridge.url);
  await dropFiles(page, [csv('без-шапки.csv', rows)]);
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet.getByTestId('sheet-problem')).toBeVisible();
  await sheet.getByTestId('header-row').selectOption('0');
  await expect(sheet).toContainText('no header row: every row is a line');
  await expect(sheet.getByTestId('column-brand').locator('option')).toHaveText([
    'Choose a column…',
    'A',
    'B',
    'C',
  ]);
  await sheet.getByTestId('column-brand').selectOption({ label: 'A' });
  await sheet.getByTestId('column-article').selectOption({ label: 'B' });
  await sheet.getByTestId('column-quantity').selectOption({ label: 'C' });
  await expect(sheet.getByTestId('validation-summary')).toHaveText(
    '1 line will be invalid: 1 quantity 0. They stay in the result with the status “invalid”.',
  );
  // Row 1 is data: the preview starts with it.
  await expect(sheet.getByTestId('preview').locator('tbody tr').first().locator('td').first()).toHaveText(
    '1',
  );
  await expect(sheet.getByTestId('sheet-problem')).toHaveCount(0);
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await shot(page, '15-no-header-row');
  await sheet.getByTestId('start-job').click();
  const r = row(page, 'без-шапки.csv');
  await statusOf(r).toBe('succeeded');
  const { job } = await bridge.call<{ job: { spec: Record<string, unknown>; result: { rows: number } } }>(
    'getJob',
    await r.getAttribute('data-job-id'),
  );
  expect(job.spec.columns).toEqual({ brand: '1', article: '2', quantity: '3', headerRow: 0 });
  expect(job.result.rows).toBe(12);
  expect(problems).toEqual([]);
});

test('Run again with…: a failed job’s own file in the sheet, with its options, one thing fixed', async ({
  page,
  bridge,
  problems,
}) => {
  const part = demoPart(3);
  const dir = tempDir('cd-ui-in-');
  const file = join(dir, 'прайс-заказ.csv');
  writeFileSync(file, `Brand;Article;Qty\r\n${part.brand};${part.display};2\r\nBOSCH;;1\r\n`);
  // A job told the header is on row 2: it fails; and then the file goes away.
  const { job: failed } = await bridge.call<{ job: { id: string } }>('submit', {
    kind: 'crossdock',
    input: file,
    list: 'ОПТ-2',
    outDir: bridge.outDir,
    alternatives: 2,
    analogs: 'always',
    columns: { headerRow: 2 },
  });
  await page.goto(bridge.url);
  const r = row(page, 'прайс-заказ.csv');
  await statusOf(r).toBe('failed');
  rmSync(dir, { recursive: true, force: true });
  await r.click();
  const detail = page.getByTestId('job-detail');
  await expect(detail.getByTestId('run-again-with')).toHaveText('Run again with…');
  await shot(page, '16-job-failed-run-again');
  await detail.getByTestId('run-again-with').click();

  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet.getByRole('heading', { level: 2 })).toHaveText('Run again — прайс-заказ.csv');
  await expect(sheet.getByTestId('header-row')).toHaveValue('2');
  await expect(sheet.getByTestId('sheet-problem')).toContainText('Row 2 of the sheet "прайс-заказ"');
  await expect(sheet.getByTestId('supplier-list')).toHaveValue('ОПТ-2');
  await expect(sheet.getByTestId('alternatives')).toHaveValue('2');
  await expect(sheet.getByTestId('analogs')).toHaveValue('always');
  await shot(page, '17-run-again');
  // The one thing to fix: the header is row 1.
  await sheet.getByTestId('header-row').selectOption('1');
  await expect(sheet.getByTestId('column-article')).toHaveValue('1');
  await expect(sheet.getByTestId('validation-summary')).toHaveText(
    '1 line will be invalid: 1 no article. They stay in the result with the status “invalid”.',
  );
  await sheet.getByTestId('start-job').click();
  await expect(sheet).toBeHidden();
  await expect(row(page, 'прайс-заказ.csv')).toHaveCount(2);
  const jobs =
    await bridge.call<
      { id: string; name: string; status: string; spec: Record<string, unknown>; outputs: string[] }[]
    >('listJobs');
  const again = jobs.find((j) => j.id !== failed.id && j.name === 'прайс-заказ.csv')!;
  await statusOf(page.locator(`[data-job-id="${again.id}"]`)).toBe('succeeded');
  const { job } = await bridge.call<{ job: { spec: Record<string, unknown>; outputs: string[] } }>(
    'getJob',
    again.id,
  );
  expect(job.spec).toMatchObject({
    input: file,
    list: 'ОПТ-2',
    alternatives: 2,
    analogs: 'always',
    columns: { headerRow: 1, brand: '1', article: '2', quantity: '3' },
  });
  expect(job.outputs[0]).toContain('прайс-заказ_ОПТ-2_');
  expect(problems).toEqual([]);
});

test('in Russian: the picker, the letters and the counts', async ({ page, bridge, problems }) => {
  await bridge.call('updateSettings', { language: 'ru' });
  await page.goto(bridge.url);
  await dropFiles(page, [orderWithTitle('заявка-18.csv')]);
  const sheet = page.getByTestId('new-job-sheet');
  await sheet.getByTestId('header-row').selectOption('4');
  await expect(sheet.getByTestId('sheet-problem')).toContainText(
    'В строке 4 листа «заявка-18» нет заголовков',
  );
  await sheet.getByTestId('column-brand').selectOption({ label: 'B — Поставщик' });
  await sheet.getByTestId('column-article').selectOption({ label: 'D — Код' });
  await sheet.getByTestId('column-quantity').selectOption({ label: 'E — Кол-во' });
  await expect(sheet.getByTestId('validation-summary')).toHaveText(
    '7 строк будут некорректными: 4 без бренда, 2 с дробным количеством, 1 с нечисловым количеством. Они останутся в результате со статусом «некорректная».',
  );
  await expect(sheet.getByTestId('preview').locator('td[data-problem="qty_text"]').first()).toHaveAttribute(
    'title',
    'Некорректно: количество «пять» — не число',
  );
  await expect(sheet.getByTestId('header-row').locator('option').first()).toHaveText('Без строки заголовков');
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await shot(page, '18-header-row-ru');
  await sheet.getByTestId('start-job').click();
  const r = row(page, 'заявка-18.csv');
  await statusOf(r).toBe('succeeded');
  const { job } = await bridge.call<{ job: { spec: Record<string, unknown> } }>(
    'getJob',
    await r.getAttribute('data-job-id'),
  );
  // The result's language is the UI's.
  expect(job.spec.lang).toBe('ru');
  expect(problems).toEqual([]);
});
