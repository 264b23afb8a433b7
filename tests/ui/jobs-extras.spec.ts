// "Clear finished…" with filters, column mappings remembered per header row, and a retried job's
// timings in the detail panel: through the built renderer, the test bridge and a real engine.
import type { Locator, Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { dropFiles, expect, test } from './bridge.ts';
import { requestCsv } from './files.ts';

test.beforeEach(async ({ bridge }) => {
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir, concurrency: 1 });
});

const row = (page: Page, name: string) => page.getByTestId('job-row').filter({ hasText: name });

/** Waits for a row's status, looking every 50 ms (a running state can be short on a fast machine). */
const statusOf = (r: Locator, timeout = 30_000) =>
  expect.poll(() => r.getAttribute('data-status', { timeout: 1000 }).catch(() => null), {
    timeout,
    intervals: [50],
  });

interface JobView {
  id: string;
  name: string;
  kind: string;
  status: string;
  outputs: string[];
  spec: { columns?: Record<string, string> };
}

test('clear finished with a filter on: only the finished jobs shown go, after saying how many', async ({
  page,
  bridge,
  problems,
}) => {
  const submit = (input: string, list = 'ОПТ-1') =>
    bridge.call<{ job: JobView }>('submit', { kind: 'crossdock', input, list, outDir: bridge.outDir });
  const done1 = (await submit(requestCsv('done-1.csv', 20))).job;
  const done2 = (await submit(requestCsv('done-2.csv', 30))).job;
  const failed = (await submit(requestCsv('failed.csv', 10), 'НЕТ-ТАКОГО')).job;
  const exported = (
    await bridge.call<{ job: JobView }>('submit', {
      kind: 'export',
      list: 'ОПТ-2',
      format: 'csv',
      outDir: bridge.outDir,
    })
  ).job;
  await page.goto(bridge.url);
  for (const name of ['done-1.csv', 'done-2.csv']) await statusOf(row(page, name)).toBe('succeeded');
  await statusOf(row(page, 'failed.csv')).toBe('failed');
  await statusOf(row(page, exported.name)).toBe('succeeded');
  const results = await Promise.all(
    [done1, done2].map(async (j) => (await bridge.call<{ job: JobView }>('getJob', j.id)).job.outputs[0]),
  );
  for (const file of results) expect(existsSync(file)).toBe(true);
  // One job running and one waiting behind it (one at a time).
  const running = (await submit(requestCsv('still-running.csv', 3_000_000))).job;
  const queued = (await submit(requestCsv('still-queued.csv', 40))).job;
  await statusOf(row(page, 'still-running.csv')).toBe('running');
  await statusOf(row(page, 'still-queued.csv')).toBe('queued');

  const clear = page.getByTestId('clear-finished');
  // Nothing finished among running jobs: nothing to clear.
  await page.getByTestId('filter-status').selectOption('running');
  await expect(clear).toBeDisabled();

  // Crossdocks only: the export is not shown, so it stays.
  await page.getByTestId('filter-status').selectOption('all');
  await page.getByTestId('filter-kind').selectOption('crossdock');
  await expect(row(page, exported.name)).toHaveCount(0);
  await expect(clear).toHaveAttribute('data-count', '3');
  await clear.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Clear 3 finished jobs?');
  await expect(dialog).toContainText('Only the finished jobs shown with the current filters or search');
  await expect(dialog).toContainText('Result files stay on disk.');
  // Cancel changes nothing.
  await dialog.getByTestId('confirm-cancel').click();
  await expect(row(page, 'done-1.csv')).toHaveCount(1);
  await clear.click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Removed 3 finished jobs.' })).toBeVisible();

  for (const name of ['done-1.csv', 'done-2.csv', 'failed.csv']) await expect(row(page, name)).toHaveCount(0);
  await expect(row(page, 'still-running.csv')).toHaveCount(1);
  await expect(row(page, 'still-queued.csv')).toHaveCount(1);
  await expect(clear).toBeDisabled();
  await page.getByTestId('filter-kind').selectOption('all');
  await expect(row(page, exported.name)).toHaveAttribute('data-status', 'succeeded');

  const left = await bridge.call<JobView[]>('listJobs');
  expect(left.map((j) => j.id).sort()).toEqual([exported.id, running.id, queued.id].sort());
  expect(left.find((j) => j.id === running.id)?.status).toBe('running');
  expect(left.find((j) => j.id === queued.id)?.status).toBe('queued');
  expect(await bridge.call('getJob', done1.id)).toBeNull();
  expect(await bridge.call('getJob', failed.id)).toBeNull();
  // Their result files stay on disk.
  for (const file of results) expect(existsSync(file)).toBe(true);

  // A search narrows it too: only the export is shown and finished.
  await page.getByTestId('search').fill('offers');
  await expect(clear).toHaveAttribute('data-count', '1');
  await clear.click();
  await expect(page.getByRole('dialog')).toContainText('Clear 1 finished job?');
  await page.getByTestId('confirm-ok').click();
  await expect(row(page, exported.name)).toHaveCount(0);
  await page.getByTestId('search').fill('');
  await expect(page.getByTestId('job-row')).toHaveCount(2);

  await bridge.call('cancel', queued.id);
  await bridge.call('cancel', running.id);
  expect(problems).toEqual([]);
});

test('a file whose columns were set by hand once opens with them the next time', async ({
  page,
  bridge,
  problems,
}) => {
  const header = ['Поставщик', 'Номер', 'Штук'];
  await page.goto(bridge.url);
  await dropFiles(page, [requestCsv('склад-январь.csv', 60, header)]);
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet.getByTestId('sheet-problem')).toContainText('no Brand and Article header');
  await expect(sheet.getByTestId('sheet-remembered')).toHaveCount(0);
  await sheet.getByTestId('column-brand').selectOption({ label: 'A — Поставщик' });
  await sheet.getByTestId('column-article').selectOption({ label: 'B — Номер' });
  await sheet.getByTestId('column-quantity').selectOption({ label: 'C — Штук' });
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await sheet.getByTestId('start-job').click();
  await expect(sheet).toBeHidden();
  await statusOf(row(page, 'склад-январь.csv')).toBe('succeeded');

  // Another file with the same header row: the columns are set, and the sheet says why.
  await dropFiles(page, [requestCsv('склад-февраль.csv', 90, header)]);
  await expect(sheet.getByTestId('sheet-remembered')).toHaveText(
    'Columns as you set them last time for this header.',
  );
  await expect(sheet.getByTestId('sheet-problem')).toHaveCount(0);
  await expect(sheet.getByTestId('column-brand')).toHaveValue('0');
  await expect(sheet.getByTestId('column-article')).toHaveValue('1');
  await expect(sheet.getByTestId('column-quantity')).toHaveValue('2');
  await expect(sheet.getByTestId('start-job')).toBeEnabled();
  // The usual selects change them; the note goes while they differ from the remembered ones.
  await sheet.getByTestId('column-quantity').selectOption('');
  await expect(sheet.getByTestId('sheet-remembered')).toHaveCount(0);
  await sheet.getByTestId('column-quantity').selectOption({ label: 'C — Штук' });
  await expect(sheet.getByTestId('sheet-remembered')).toBeVisible();
  await sheet.getByTestId('start-job').click();
  const second = row(page, 'склад-февраль.csv');
  await statusOf(second).toBe('succeeded');
  const job = await bridge.call<{ job: JobView & { result: { rows: number; found: number } } }>(
    'getJob',
    await second.getAttribute('data-job-id'),
  );
  // The columns by index, and the header row the sheet showed.
  expect(job.job.spec.columns).toEqual({ brand: '1', article: '2', quantity: '3', headerRow: 1 });
  expect(job.job.result.rows).toBe(90);
  expect(job.job.result.found).toBeGreaterThan(0);

  // A file with other headers is not touched by it.
  await dropFiles(page, [requestCsv('other.csv', 10, ['Поставщик', 'Номер'])]);
  await expect(sheet.getByTestId('sheet-problem')).toBeVisible();
  await expect(sheet.getByTestId('sheet-remembered')).toHaveCount(0);
  await expect(sheet.getByTestId('column-brand')).toHaveValue('');
  expect(problems).toEqual([]);
});

test('after an automatic retry the detail shows the last attempt’s start and duration', async ({
  page,
  bridge,
  problems,
}) => {
  // A ClickHouse nobody listens on: a transient error, retried once after a 3–6 s backoff.
  await bridge.call('updateSettings', { maxAttempts: 2, backoffSeconds: 6, backoffMaxSeconds: 6 });
  const { job } = await bridge.call<{ job: JobView }>('submit', {
    kind: 'crossdock',
    input: requestCsv('unreachable.csv', 10),
    list: 'ОПТ-1',
    outDir: bridge.outDir,
    source: 'clickhouse',
    clickhouse: { url: 'http://127.0.0.1:9', database: 'crossdock' },
  });
  await page.goto(bridge.url);
  const r = row(page, 'unreachable.csv');
  await statusOf(r, 60_000).toBe('failed');
  await r.click();
  const detail = page.getByTestId('job-detail');
  await expect(detail.getByTestId('detail-attempts')).toHaveText('2 of 2');
  await expect(detail.getByTestId('job-log')).toContainText('Attempt 1 of 2 started');
  await expect(detail.getByTestId('job-log')).toContainText('Attempt 2 of 2 started');
  // The backoff wait between the attempts is not counted as running time.
  await expect(detail.getByTestId('detail-duration')).toHaveText(/^0:0[0-2]$/);
  const { job: ended } = await bridge.call<{ job: { startedAt: number; finishedAt: number } }>(
    'getJob',
    job.id,
  );
  expect(ended.finishedAt - ended.startedAt).toBeLessThan(2500);
  expect(problems).toEqual([]);
});

test('in Russian, what the engine says comes from its code: a file to map by hand, a call refused', async ({
  page,
  bridge,
  problems,
}) => {
  await bridge.call('updateSettings', { language: 'ru' });
  await page.goto(bridge.url);
  await dropFiles(page, [requestCsv('без-заголовков.csv', 10, ['Поставщик', 'Номер'])]);
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet.getByTestId('sheet-problem')).toHaveText(
    'В первых 20 строках файла нет заголовков Бренд и Артикул (найдены: Поставщик, Номер); сопоставьте столбцы в окне нового задания (или флагами --brand-col и --article-col) или переименуйте заголовки.',
  );
  // A call's error reaches the page with its code and params, as the preload gives it.
  const refused = await page.evaluate(() =>
    (window as unknown as { crossdock: { getJob(id: unknown): Promise<unknown> } }).crossdock.getJob(42).then(
      () => null,
      (e: Error & { code?: string; params?: unknown }) => ({
        message: e.message,
        code: e.code,
        params: e.params,
      }),
    ),
  );
  expect(refused).toMatchObject({
    code: 'CALL_ARGS_INVALID',
    params: { method: 'getJob', argument: 1 },
    message: expect.stringMatching(/^crossdock\.getJob was called with invalid argument 1 \(/),
  });
  expect(problems).toEqual([]);
});
