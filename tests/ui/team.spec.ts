/**
 * Team mode through the UI: a real redis-server, a headless `crossdock worker` in its own process,
 * and the app (the bridge over its own engine) joining the team from Settings. A request list dropped
 * on the app runs on the team and its result lands in the app's output folder.
 */
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startRedis, REDIS_USER, type RedisServer } from '../support/redis-server.ts';
import { startWorker, type WorkerProcess } from '../support/team.ts';
import { dropFiles, expect, test } from './bridge.ts';
import { requestCsv } from './files.ts';

let redis: RedisServer;
let worker: WorkerProcess;

test.beforeAll(async () => {
  redis = await startRedis();
  worker = await startWorker(redis, 'buyers', 2);
});
test.afterAll(async () => {
  await worker?.stop();
  await redis?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(dir, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('join a team from Settings, see its workers, run a job on the team', async ({
  page,
  bridge,
  problems,
}) => {
  test.setTimeout(120_000);
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir });
  await page.goto(bridge.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-team-enabled').check();
  await page.getByTestId('settings-team-url').fill(redis.url);
  await page.getByTestId('settings-team-user').fill(REDIS_USER.user);
  await page.getByTestId('settings-team-name').fill('buyers');
  await page.locator('#secret-redis-password').fill('wrong-password');
  await page.getByTestId('settings-test-team').click();
  await expect(page.getByText(/password|пароль/i).first()).toBeVisible({ timeout: 20_000 });
  await page.locator('#secret-redis-password').fill(REDIS_USER.password);
  await page.getByTestId('settings-test-team').click();
  await expect(page.getByText(/Redis \d/).first()).toBeVisible({ timeout: 20_000 });
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  const settings = await bridge.call<{ team: { enabled: boolean; name: string } }>('getSettings');
  expect(settings.team).toMatchObject({ enabled: true, name: 'buyers' });
  expect(JSON.stringify(settings)).not.toContain(REDIS_USER.password);

  await page.getByTestId('nav-team').click();
  await expect(page.getByTestId('team-state')).toHaveText(/online/i, { timeout: 20_000 });
  // The headless worker and this app (it runs team jobs too).
  await expect(page.getByTestId('team-worker')).toHaveCount(2, { timeout: 20_000 });

  await page.getByTestId('nav-jobs').click();
  const file = requestCsv('team-order.csv', 20_000);
  await dropFiles(page, [file]);
  const sheet = page.getByTestId('new-job-sheet');
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await sheet.getByTestId('start-job').click();
  const row = page.getByTestId('job-row').filter({ hasText: 'team-order.csv' });
  await expect(row).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  const id = await row.getAttribute('data-job-id');
  const done = await bridge.call<{ job: { origin: string; outputs: string[]; result: { rows: number } } }>(
    'getJob',
    id,
  );
  expect(done.job.origin).toBe('team');
  expect(done.job.result.rows).toBe(20_000);
  expect(done.job.outputs[0].startsWith(bridge.outDir)).toBe(true);
  expect(existsSync(done.job.outputs[0])).toBe(true);

  await page.getByTestId('nav-team').click();
  await expect(page.getByTestId('team-state')).toHaveText(/online/i);
  await shot(page, '09-team');
  expect(problems).toEqual([]);
});

test('team errors in the UI language: the Test button and the team panel', async ({
  page,
  bridge,
  problems,
}) => {
  test.setTimeout(60_000);
  const dead = 'redis://127.0.0.1:1';
  await bridge.call('updateSettings', { language: 'ru' });
  await page.goto(bridge.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-team-enabled').check();
  await page.getByTestId('settings-team-url').fill(dead);
  await page.getByTestId('settings-team-name').fill('buyers');
  await page.getByTestId('settings-test-team').click();
  // Rendered from the code the engine sent with the English sentence.
  await expect(
    page.getByRole('alert').filter({ hasText: `По адресу ${dead} никто не отвечает` }),
  ).toBeVisible({
    timeout: 20_000,
  });
  // The team panel says why it is offline, in Russian too.
  await bridge.call('updateSettings', {
    team: { enabled: true, url: dead, user: '', name: 'buyers', runJobs: false },
  });
  await page.getByTestId('nav-team').click();
  await expect(page.getByRole('alert').filter({ hasText: dead })).toContainText(
    /никто не отвечает|недоступна/,
    { timeout: 20_000 },
  );
  expect(problems).toEqual([]);
});
