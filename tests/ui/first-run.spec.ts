/**
 * First run: the empty jobs screen's "Try with the sample" opens the new-job sheet on the sample
 * request list that ships with the app, and the job runs. `npm run screenshots` writes
 * docs/screenshots/21-first-run-{light,dark}.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, SAMPLE, test } from './bridge.ts';

const shotPath = (name: string) => {
  const base = process.env.SCREENSHOT_DIR ?? test.info().outputPath();
  mkdirSync(base, { recursive: true });
  return join(base, name);
};

test('Try with the sample: the sheet opens on the shipped request list, and it runs', async ({
  page,
  bridge,
  problems,
}) => {
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir });
  await page.goto(bridge.url);
  const button = page.getByTestId('try-sample');
  await expect(button).toBeVisible();
  await expect(button).toHaveAccessibleDescription(/1,500 parts that ships with the app/);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: shotPath(`21-first-run-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });

  await button.click();
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet).toBeVisible();
  await expect(sheet).toContainText('request-list-ru.xlsx');
  await expect(sheet.getByTestId('estimated-rows')).toBeVisible();
  await sheet.getByTestId('supplier-list').selectOption('ОПТ-1');
  await sheet.getByTestId('start-job').click();
  await expect(sheet).toBeHidden();
  const job = page.locator('[data-job-id]').first();
  await expect(job).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  const id = await job.getAttribute('data-job-id');
  const done = await bridge.call<{ job: { spec: { input: string } } }>('getJob', id);
  expect(done.job.spec.input).toBe(SAMPLE);
  expect(problems).toEqual([]);
});

test('a build without the sample says so', async ({ page, bridge, problems }) => {
  await bridge.setState({ sample: false });
  await page.goto(bridge.url);
  await page.getByTestId('try-sample').click();
  await expect(page.getByText('built without the sample request list')).toBeVisible();
  await expect(page.getByTestId('new-job-sheet')).toHaveCount(0);
  expect(problems).toEqual([]);
});
