/**
 * Settings → Hot folders over a real engine: a folder added with its options is saved, watched at
 * once (a file written into it becomes a job whose result lands in its "results" subfolder), kept
 * across a reload, switched off and removed. Screenshot 19 (light and dark) goes to docs/screenshots
 * with SCREENSHOT_DIR=docs/screenshots, else to the test output.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, tempDir, test } from './bridge.ts';
import { requestCsv } from './files.ts';

async function shot(page: Page, name: string): Promise<void> {
  const base = process.env.SCREENSHOT_DIR ?? test.info().outputPath();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(base, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

interface Stored {
  hotFolders: {
    dir: string;
    list: string;
    analogs: string;
    outDir: string | null;
    lang: string;
    enabled: boolean;
  }[];
}

test('a hot folder added in Settings is watched: a file saved into it becomes a job', async ({
  page,
  bridge,
  problems,
}) => {
  test.setTimeout(120_000);
  const dir = tempDir('cd-ui-hot-');
  await page.goto(bridge.url);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByText('No folders are watched.')).toBeVisible();

  await page.getByTestId('hot-folder-add').click();
  const folder = page.getByTestId('hot-folder');
  await expect(folder).toHaveCount(1);
  // Saving without a folder says what is missing.
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-error')).toHaveText(
    'Choose the folder to watch, or remove the empty hot folder.',
  );
  await bridge.setState({ folder: dir });
  await folder.getByTestId('hot-folder-choose').click();
  await expect(folder.getByTestId('hot-folder-dir')).toHaveValue(dir);
  await folder.getByTestId('hot-folder-list').selectOption('ОПТ-2');
  await folder.getByTestId('hot-folder-analogs').selectOption('missing');
  await folder.getByTestId('hot-folder-lang').selectOption('ru');
  await expect(folder.getByTestId('hot-folder-out')).toHaveAttribute(
    'placeholder',
    'Its "results" subfolder',
  );
  await expect(folder.getByTestId('hot-folder-enabled')).toBeChecked();
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  expect((await bridge.call<Stored>('getSettings')).hotFolders).toEqual([
    { dir, list: 'ОПТ-2', analogs: 'missing', outDir: null, lang: 'ru', enabled: true },
  ]);

  // Watched at once: a request list saved into the folder becomes a job with the folder's options.
  writeFileSync(join(dir, 'notes.txt'), 'not a spreadsheet');
  copyFileSync(requestCsv('из-папки.csv', 30), join(dir, 'из-папки.csv'));
  await page.getByTestId('nav-jobs').click();
  const row = page.getByTestId('job-row').filter({ hasText: 'из-папки.csv' });
  await expect(row).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('job-row')).toHaveCount(1);
  const jobs = await bridge.call<{ spec: Record<string, unknown>; outputs: string[] }[]>('listJobs');
  expect(jobs[0].spec).toMatchObject({
    list: 'ОПТ-2',
    analogs: 'missing',
    lang: 'ru',
    outDir: join(dir, 'results'),
  });
  expect(existsSync(jobs[0].outputs[0])).toBe(true);

  // Kept across a reload; switched off, then removed.
  await page.reload();
  await page.getByTestId('nav-settings').click();
  await expect(folder.getByTestId('hot-folder-dir')).toHaveValue(dir);
  await expect(folder.getByTestId('hot-folder-list')).toHaveValue('ОПТ-2');
  await expect(folder.getByTestId('hot-folder-lang')).toHaveValue('ru');
  await folder.getByTestId('hot-folder-enabled').uncheck();
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  expect((await bridge.call<Stored>('getSettings')).hotFolders[0].enabled).toBe(false);
  await folder.getByTestId('hot-folder-remove').click();
  await expect(folder).toHaveCount(0);
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  expect((await bridge.call<Stored>('getSettings')).hotFolders).toEqual([]);
  expect(problems).toEqual([]);
});

test('screenshot: two hot folders, one switched off', async ({ page, bridge, problems }) => {
  const inbox = tempDir('cd-ui-hot-inbox-');
  const shared = tempDir('cd-ui-hot-shared-');
  await bridge.call('updateSettings', {
    hotFolders: [
      { dir: inbox, list: 'ОПТ-1', analogs: 'missing', outDir: null, lang: 'ru', enabled: true },
      { dir: shared, list: 'РОЗН', analogs: 'off', outDir: bridge.outDir, lang: 'en', enabled: false },
    ],
  });
  await page.goto(bridge.url);
  await page.getByTestId('nav-settings').click();
  const folders = page.getByTestId('hot-folder');
  await expect(folders).toHaveCount(2);
  await expect(folders.nth(1).getByTestId('hot-folder-out')).toHaveValue(bridge.outDir);
  await expect(folders.nth(0).getByTestId('hot-folder-list')).toHaveValue('ОПТ-1');
  await page
    .getByRole('heading', { name: /Hot folders/ })
    .evaluate((el) => el.closest('section')?.scrollIntoView({ block: 'start' }));
  await shot(page, '19-hot-folders');
  expect(problems).toEqual([]);
});
