/**
 * Pictures of the main screens, light and dark, from a real engine with real jobs. `npm run
 * screenshots` writes them to docs/screenshots (linked from the README); in `npm test` they go to the
 * test output folder, and the run still fails on any page error or CSP violation.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { dragOver, dropFiles, expect, SAMPLE, test } from './bridge.ts';
import { requestCsv } from './files.ts';

test.describe.configure({ mode: 'serial' });

const dir = (name: string) => {
  const base = process.env.SCREENSHOT_DIR ?? test.info().outputPath();
  mkdirSync(base, { recursive: true });
  return join(base, name);
};

async function shot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: dir(`${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('screens, light and dark', async ({ page, bridge, problems }) => {
  test.setTimeout(180_000);
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir, concurrency: 2 });
  await page.goto(bridge.url);
  await expect(page.getByTestId('open-files')).toBeVisible();
  await shot(page, '01-empty');

  await dragOver(page, SAMPLE);
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await shot(page, '02-drag-overlay');
  await page.dispatchEvent('body', 'dragleave');
  await page.dispatchEvent('body', 'drop');

  await dropFiles(page, [SAMPLE]);
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet).toBeVisible();
  await expect(sheet.getByTestId('estimated-rows')).toBeVisible();
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  // Analogs where the part is missing: the sheet says how many lines have any in the catalog.
  await sheet.getByTestId('analogs').selectOption('missing');
  await expect(sheet.getByTestId('crosses-preview')).toBeVisible();
  await shot(page, '03-new-job');
  await sheet.getByTestId('start-job').click();

  // A list with some history: done, failed, cancelled, and two running with a third queued.
  const small = requestCsv('заказ-склад-2.csv', 2000);
  await bridge.call('submit', {
    kind: 'crossdock',
    input: small,
    list: 'РОЗН',
    outDir: bridge.outDir,
    alternatives: 2,
  });
  await bridge.call('submit', {
    kind: 'crossdock',
    input: requestCsv('old-list.csv', 10),
    list: 'ЗАКРЫТ',
    outDir: bridge.outDir,
  });
  await expect(page.getByTestId('job-row').filter({ hasText: 'old-list.csv' })).toHaveAttribute(
    'data-status',
    'failed',
    { timeout: 30_000 },
  );
  const running = [
    requestCsv('сервис-центр-октябрь.csv', 1_500_000),
    requestCsv('fleet-maintenance-Q4.csv', 1_400_000),
    requestCsv('заявка-ромашка.csv', 800_000),
  ];
  for (const input of running)
    await bridge.call('submit', { kind: 'crossdock', input, list: 'ОПТ-1', outDir: bridge.outDir });
  const first = page.getByTestId('job-row').filter({ hasText: 'сервис-центр-октябрь.csv' });
  await expect
    .poll(async () => Number(await first.getByTestId('job-progress').getAttribute('aria-valuenow')), {
      timeout: 60_000,
    })
    .toBeGreaterThan(5);
  await shot(page, '04-jobs-running');

  await page.getByTestId('job-row').filter({ hasText: 'request-list-ru.xlsx' }).click();
  const detail = page.getByTestId('job-detail');
  await expect(detail).toBeVisible();
  await detail.getByTestId('comment-input').fill('Проверить позиции BOSCH у второго поставщика');
  await detail.getByTestId('comment-add').click();
  await expect(detail.getByTestId('comment')).toHaveCount(1);
  // How the lines were priced: the sample's showcase lines use an analog, a pack and aliases.
  await expect(detail.getByTestId('rule-analogs')).toBeVisible();
  await expect(detail.getByTestId('rule-rounded')).toBeVisible();
  await detail.getByTestId('rule-analogs').scrollIntoViewIfNeeded();
  await shot(page, '05-job-detail');
  await page.keyboard.press('Escape');

  await page.getByTestId('job-row').filter({ hasText: 'old-list.csv' }).click();
  await expect(page.getByTestId('job-error')).toBeVisible();
  await shot(page, '06-job-failed');
  await page.keyboard.press('Escape');

  // "Clear finished…" asks first, saying how many go (here: the failed ones the filter shows).
  await page.getByTestId('filter-status').selectOption('failed');
  await page.getByTestId('clear-finished').click();
  await expect(page.getByTestId('confirm-ok')).toBeVisible();
  await shot(page, '12-clear-finished');
  await page.getByTestId('confirm-cancel').click();
  await page.getByTestId('filter-status').selectOption('all');

  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-concurrency')).toBeVisible();
  await shot(page, '07-settings');

  await page.getByTestId('nav-schedules').click();
  await bridge.call(
    'addSchedule',
    '0 7 * * 1-5',
    { kind: 'export', list: 'ОПТ-1', format: 'xlsx', outDir: bridge.outDir },
    null,
  );
  await page.reload();
  await page.getByTestId('nav-schedules').click();
  await expect(page.getByText('0 7 * * 1-5').first()).toBeVisible();
  await shot(page, '08-schedules');

  await page.getByTestId('nav-team').click();
  await shot(page, '09-team-off');

  await bridge.call('updateSettings', { language: 'ru' });
  await page.reload();
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('nav-jobs')).toContainText('Задания');
  await shot(page, '10-jobs-ru');
  await page.setViewportSize({ width: 900, height: 640 });
  await shot(page, '11-narrow-ru');

  // Columns set by hand once come back for the next file with the same header row, with a note.
  await page.setViewportSize({ width: 1280, height: 800 });
  const header = ['Поставщик', 'Номер', 'Штук'];
  await dropFiles(page, [requestCsv('остатки-январь.csv', 300, header)]);
  await sheet.getByTestId('column-brand').selectOption({ label: 'A — Поставщик' });
  await sheet.getByTestId('column-article').selectOption({ label: 'B — Номер' });
  await sheet.getByTestId('column-quantity').selectOption({ label: 'C — Штук' });
  await sheet.getByTestId('start-job').click();
  await expect(sheet).toBeHidden();
  for (const close of await page.getByTestId('toast').getByRole('button').all()) await close.click();
  await expect(page.getByTestId('toast')).toHaveCount(0);
  await dropFiles(page, [requestCsv('остатки-февраль.csv', 400, header)]);
  await expect(sheet.getByTestId('sheet-remembered')).toBeVisible();
  await shot(page, '13-new-job-remembered-ru');
  await page.keyboard.press('Escape');

  const jobs = await bridge.call<{ id: string; status: string }[]>('listJobs');
  for (const j of jobs.filter((x) => x.status === 'running' || x.status === 'queued'))
    await bridge.call('cancel', j.id);
  expect(problems).toEqual([]);
});
