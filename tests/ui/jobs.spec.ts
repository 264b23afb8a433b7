import type { Locator } from '@playwright/test';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropFiles, expect, SAMPLE, tempDir, test } from './bridge.ts';
import { requestCsv } from './files.ts';

test.beforeEach(async ({ bridge }) => {
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir, concurrency: 1 });
});

const row = (page: import('@playwright/test').Page, name: string) =>
  page.getByTestId('job-row').filter({ hasText: name });

/** Waits for a row's status, looking every 50 ms (a running state can be short on a fast machine). */
const statusOf = (r: Locator, timeout = 30_000) =>
  expect.poll(() => r.getAttribute('data-status', { timeout: 1000 }).catch(() => null), {
    timeout,
    intervals: [50],
  });

test('drop a file, fix its column mapping, watch it run, open the result and its folder', async ({
  page,
  bridge,
  problems,
}) => {
  // Headers nobody could guess: the sheet says so and the user maps the columns.
  const file = requestCsv('заявка-без-заголовков.csv', 1_500_000, ['Поставщик', 'Номер', 'Штук']);
  await page.goto(bridge.url);
  await dropFiles(page, [file]);
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet).toBeVisible();
  await expect(sheet.getByTestId('sheet-problem')).toContainText('no Brand and Article header');
  await expect(sheet).toContainText('BOSCH');
  await sheet.getByTestId('column-brand').selectOption({ label: 'A — Поставщик' });
  await sheet.getByTestId('column-article').selectOption({ label: 'B — Номер' });
  await sheet.getByTestId('column-quantity').selectOption({ label: 'C — Штук' });
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await expect(sheet.getByTestId('out-dir')).toHaveValue(bridge.outDir);
  await sheet.getByTestId('start-job').click();
  await expect(sheet).toBeHidden();

  const job = row(page, 'заявка-без-заголовков.csv');
  await statusOf(job).toBe('running');
  // Live progress: the bar moves while the job runs.
  await expect
    .poll(async () => Number(await job.getByTestId('job-progress').getAttribute('aria-valuenow')), {
      timeout: 30_000,
      intervals: [100],
    })
    .toBeGreaterThan(0);
  await expect(job).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });

  const id = await job.getAttribute('data-job-id');
  const done = await bridge.call<{ job: { outputs: string[]; result: { rows: number; found: number } } }>(
    'getJob',
    id,
  );
  expect(done.job.result.rows).toBe(1_500_000);
  expect(done.job.result.found).toBeGreaterThan(700_000);
  const output = done.job.outputs[0];
  expect(output.startsWith(bridge.outDir)).toBe(true);
  expect(statSync(output).size).toBeGreaterThan(1000);

  await bridge.setState({ calls: [] });
  await job.getByTestId('job-open').click();
  await job.getByTestId('job-show').click();
  await expect
    .poll(async () => (await bridge.state()).calls)
    .toEqual([
      { method: 'openPath', path: output },
      { method: 'showItemInFolder', path: output },
    ]);
  expect(problems).toEqual([]);
});

test('several files make one job each; a file already queued says so; others are refused with a reason', async ({
  page,
  bridge,
}) => {
  const a = requestCsv('first.csv', 200);
  const b = requestCsv('second.csv', 300);
  const junk = join(tempDir('cd-ui-in-'), 'notes.pdf');
  writeFileSync(junk, '%PDF-1.4 nothing here');
  await page.goto(bridge.url);

  await dropFiles(page, [junk]);
  await expect(page.getByTestId('toast').filter({ hasText: 'notes.pdf' })).toBeVisible();
  await expect(page.getByTestId('new-job-sheet')).toBeHidden();

  await dropFiles(page, [a, b]);
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet).toBeVisible();
  await expect(sheet).toContainText('first.csv');
  await expect(sheet).toContainText('second.csv');
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-2');
  await sheet.getByTestId('start-job').click();
  await expect(row(page, 'first.csv')).toHaveAttribute('data-status', 'succeeded');
  await expect(row(page, 'second.csv')).toHaveAttribute('data-status', 'succeeded');

  // The same big file twice while the first is still queued or running: no second job.
  // (Through Open…, whose dialog the bridge answers with this file.)
  const big = requestCsv('big.csv', 3_000_000);
  await bridge.setState({ files: [big] });
  await page.getByTestId('open-files').click();
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await sheet.getByTestId('start-job').click();
  await statusOf(row(page, 'big.csv')).toMatch(/queued|running/);
  await page.getByTestId('open-files').click();
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await sheet.getByTestId('start-job').click();
  await expect(page.getByTestId('toast').filter({ hasText: /already/i })).toBeVisible();
  await expect(row(page, 'big.csv')).toHaveCount(1);
  expect(existsSync(a)).toBe(true);
  await bridge.call('cancel', await row(page, 'big.csv').getAttribute('data-job-id'));
});

test('cancel a running job, retry a failed one', async ({ page, bridge, problems }) => {
  await page.goto(bridge.url);
  const big = requestCsv('to-cancel.csv', 3_000_000);
  await bridge.setState({ files: [big] });
  await page.getByTestId('open-files').click();
  const sheet = page.getByTestId('new-job-sheet');
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await sheet.getByTestId('start-job').click();
  const running = row(page, 'to-cancel.csv');
  await statusOf(running).toBe('running');
  await expect
    .poll(async () => Number(await running.getByTestId('job-progress').getAttribute('aria-valuenow')), {
      intervals: [100],
    })
    .toBeGreaterThan(0);
  await running.getByTestId('job-cancel').click();
  const confirm = page.getByTestId('confirm-ok');
  if (await confirm.isVisible().catch(() => false)) await confirm.click();
  await expect(running).toHaveAttribute('data-status', 'cancelled', { timeout: 10_000 });

  // A job for a list that does not exist yet fails with one sentence...
  const req = requestCsv('new-list.csv', 50);
  await bridge.call('submit', { kind: 'crossdock', input: req, list: 'НОВЫЙ', outDir: bridge.outDir });
  const failed = row(page, 'new-list.csv');
  await expect(failed).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
  await failed.click();
  await expect(page.getByTestId('job-error')).toContainText('There is no supplier list "НОВЫЙ"');
  // ...the list is imported, and Retry runs the same job again, to success.
  const prices = join(tempDir('cd-ui-in-'), 'prices.csv');
  writeFileSync(prices, 'Brand,Article,Name,Price,Stock,Days\r\nBOSCH,0 986 452 041,Filter,10.5,100,1\r\n');
  const imported = await bridge.call<{ job: { id: string } }>('submit', {
    kind: 'catalog-import',
    input: prices,
    supplier: 'Новый поставщик',
    list: 'НОВЫЙ',
  });
  await expect(row(page, 'prices.csv')).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  expect(imported.job.id).toBeTruthy();
  await failed.getByTestId('job-retry').click();
  await expect(failed).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  expect(problems).toEqual([]);
});

test('comments: add, edit, delete', async ({ page, bridge, problems }) => {
  const { job } = await bridge.call<{ job: { id: string } }>('submit', {
    kind: 'crossdock',
    input: SAMPLE,
    list: 'ОПТ-1',
    outDir: bridge.outDir,
  });
  await page.goto(bridge.url);
  const r = page.locator(`[data-testid="job-row"][data-job-id="${job.id}"]`);
  await expect(r).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  await r.click();
  const detail = page.getByTestId('job-detail');
  await expect(detail).toBeVisible();
  await detail.getByTestId('comment-input').fill('Ask Sergey about the missing BOSCH lines');
  await detail.getByTestId('comment-add').click();
  const comment = detail.getByTestId('comment');
  await expect(comment).toHaveCount(1);
  await expect(comment).toContainText('Ask Sergey');
  await comment.getByTestId('comment-edit').click();
  await comment
    .locator('textarea, input[type="text"]')
    .first()
    .fill('Sergey confirmed: order them from ОПТ-2');
  await comment.getByTestId('comment-save').click();
  await expect(comment).toContainText('Sergey confirmed');
  const saved = await bridge.call<{ comments: { text: string }[] }>('getJob', job.id);
  expect(saved.comments.map((c) => c.text)).toEqual(['Sergey confirmed: order them from ОПТ-2']);
  await comment.getByTestId('comment-delete').click();
  const confirm = page.getByTestId('confirm-ok');
  if (await confirm.isVisible().catch(() => false)) await confirm.click();
  await expect(comment).toHaveCount(0);
  expect((await bridge.call<{ comments: unknown[] }>('getJob', job.id)).comments).toEqual([]);
  expect(problems).toEqual([]);
});

test('a workbook with several sheets: the user picks the sheet to read', async ({
  page,
  bridge,
  problems,
}) => {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  const notes = wb.addWorksheet('Notes');
  notes.addRow(['Brand', 'Article']);
  notes.addRow(['NGK', 'OLD-1']);
  const order = wb.addWorksheet('Order');
  order.addRow(['Марка', 'Артикул', 'Кол-во']);
  order.addRow(['BOSCH', 'X-1', 2]);
  order.addRow(['MANN', 'Y-2', 1]);
  const file = join(tempDir('cd-ui-in-'), 'two-sheets.xlsx');
  await wb.xlsx.writeFile(file);

  await page.goto(bridge.url);
  await dropFiles(page, [file]);
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet.getByTestId('sheet-select')).toHaveValue('Notes');
  await expect(sheet).toContainText('OLD-1');
  await sheet.getByTestId('sheet-select').selectOption('Order');
  await expect(sheet).toContainText('BOSCH');
  await expect(sheet.getByTestId('column-article')).toHaveValue('1'); // B — Артикул
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await sheet.getByTestId('start-job').click();
  const r = row(page, 'two-sheets.xlsx');
  await statusOf(r).toBe('succeeded');
  const done = await bridge.call<{ job: { spec: { sheet: string }; result: { rows: number } } }>(
    'getJob',
    await r.getAttribute('data-job-id'),
  );
  expect(done.job.spec.sheet).toBe('Order');
  expect(done.job.result.rows).toBe(2);
  expect(problems).toEqual([]);
});
