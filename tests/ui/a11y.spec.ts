/**
 * Accessibility: axe (WCAG 2.1 A and AA rules) on every screen, light and dark, English and Russian,
 * finds nothing; and the app works by keyboard alone (Tab reaches everything with a visible focus
 * ring, arrow keys move through the jobs list, dialogs keep focus inside, Escape closes them and focus
 * returns to where it was).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { dropFiles, expect, SAMPLE, test, type Bridge } from './bridge.ts';
import { requestCsv } from './files.ts';

const SCHEMES = ['light', 'dark'] as const;

/** axe on the page as it is now, in both schemes; the violations named with their nodes. */
async function audit(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(100);
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze();
    for (const v of result.violations)
      found.push(
        `${where} (${scheme}): ${v.id} — ${v.help}: ${v.nodes
          .slice(0, 4)
          .map((n) => `${n.target.join(' ')}${n.any[0]?.data ? ` ${JSON.stringify(n.any[0].data)}` : ''}`)
          .join(' | ')}`,
      );
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

async function withJobs(bridge: Bridge): Promise<void> {
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir, concurrency: 1 });
  const small = requestCsv('заявка-a11y.csv', 200);
  const { job } = await bridge.call<{ job: { id: string } }>('submit', {
    kind: 'crossdock',
    input: small,
    list: 'ОПТ-1',
    outDir: bridge.outDir,
  });
  await bridge.call('submit', {
    kind: 'crossdock',
    input: SAMPLE,
    list: 'НЕТ-ТАКОГО',
    outDir: bridge.outDir,
  });
  await expect
    .poll(async () => (await bridge.call<{ job: { status: string } }>('getJob', job.id)).job.status, {
      timeout: 60_000,
    })
    .toBe('succeeded');
}

for (const lang of ['en', 'ru'] as const) {
  test(`axe finds nothing on any screen (${lang}, light and dark)`, async ({ page, bridge, problems }) => {
    test.setTimeout(240_000);
    await bridge.call('updateSettings', { language: lang });
    await page.goto(bridge.url);
    const found: string[] = [];
    await expect(page.getByTestId('try-sample')).toBeVisible();
    found.push(...(await audit(page, 'jobs, empty')));

    await withJobs(bridge);
    await expect(page.getByTestId('job-row')).toHaveCount(2, { timeout: 30_000 });
    await expect(page.locator('[data-job-id][data-status="failed"]')).toHaveCount(1, { timeout: 30_000 });
    found.push(...(await audit(page, 'jobs, with jobs')));

    await page.locator('[data-job-id][data-status="succeeded"]').click();
    await expect(page.getByTestId('job-detail')).toBeVisible();
    found.push(...(await audit(page, 'job detail')));
    await page.locator('[data-job-id][data-status="failed"]').click();
    found.push(...(await audit(page, 'job detail, failed')));

    await page.locator('[data-job-id][data-status="succeeded"]').getByTestId('job-delete').click();
    await expect(page.getByTestId('confirm-ok')).toBeVisible();
    found.push(...(await audit(page, 'confirm dialog')));
    await page.keyboard.press('Escape');

    await dropFiles(page, [SAMPLE]);
    await expect(page.getByTestId('new-job-sheet')).toBeVisible();
    await expect(page.getByTestId('estimated-rows')).toBeVisible();
    found.push(...(await audit(page, 'new-job sheet')));
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('new-job-sheet')).toHaveCount(0);

    await page.getByTestId('nav-schedules').click();
    await expect(page.getByTestId('schedule-add')).toBeVisible();
    found.push(...(await audit(page, 'schedules')));
    await page.getByTestId('schedule-add').click();
    await expect(page.getByTestId('schedule-save')).toBeVisible();
    found.push(...(await audit(page, 'new schedule dialog')));
    await page.keyboard.press('Escape');

    await page.getByTestId('nav-team').click();
    await page.waitForTimeout(300);
    found.push(...(await audit(page, 'team')));

    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('settings-save')).toBeVisible();
    found.push(...(await audit(page, 'settings')));

    expect(found).toEqual([]);
    expect(problems).toEqual([]);
  });
}

/** The focused element: its test id or text, and whether it shows a focus ring. */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const ring =
      (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    return {
      id: el.dataset.testid ?? '',
      text: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40),
      ring,
      visible: el.getClientRects().length > 0,
    };
  });
}

test('keyboard: Tab reaches every control with a focus ring; dialogs trap focus, Escape closes, focus returns', async ({
  page,
  bridge,
  problems,
}) => {
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir });
  await page.goto(bridge.url);
  await expect(page.getByTestId('try-sample')).toBeVisible();
  const stops: string[] = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    expect(f, `Tab stop ${i + 1}`).not.toBeNull();
    expect(f!.visible && f!.ring, `Tab stop ${i + 1} (${f!.id || f!.text}) shows its focus`).toBe(true);
    stops.push(f!.id || f!.text);
    if (f!.id === 'try-sample') break;
  }
  expect(stops).toEqual(
    expect.arrayContaining([
      'nav-jobs',
      'nav-schedules',
      'nav-team',
      'nav-settings',
      'open-files',
      'try-sample',
    ]),
  );

  // The sample's sheet from the keyboard: focus inside, Tab stays inside, Escape closes it and
  // focus goes back to the button that opened it.
  await page.keyboard.press('Enter');
  const sheet = page.getByTestId('new-job-sheet');
  await expect(sheet).toBeVisible();
  await expect(sheet.getByTestId('estimated-rows')).toBeVisible();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    expect(
      await sheet.evaluate((el) => el.contains(document.activeElement)),
      `Tab ${i + 1} stays in the sheet`,
    ).toBe(true);
  }
  await page.keyboard.press('Shift+Tab');
  expect(await sheet.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  expect((await focused(page))?.id).toBe('try-sample');

  // The new-schedule dialog, the same way.
  await page.getByTestId('nav-schedules').click();
  await page.getByTestId('schedule-add').focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect((await focused(page))?.id).toBe('schedule-add');
  expect(problems).toEqual([]);
});

test("keyboard: arrow keys, Home and End move through the jobs list; a row's Delete asks, Escape keeps it", async ({
  page,
  bridge,
  problems,
}) => {
  await bridge.call('updateSettings', { defaultOutDir: bridge.outDir, concurrency: 1 });
  for (const name of ['a.csv', 'b.csv', 'c.csv']) {
    const { job } = await bridge.call<{ job: { id: string } }>('submit', {
      kind: 'crossdock',
      input: requestCsv(name, 50),
      list: 'ОПТ-1',
      outDir: bridge.outDir,
    });
    await expect
      .poll(async () => (await bridge.call<{ job: { status: string } }>('getJob', job.id)).job.status, {
        timeout: 60_000,
      })
      .toBe('succeeded');
  }
  await page.goto(bridge.url);
  const rows = page.getByTestId('job-row');
  await expect(rows).toHaveCount(3);
  // The list is one Tab stop (a roving tabindex): the first row.
  await rows.first().focus();
  const at = async () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { index: el.dataset.index, selected: el.getAttribute('aria-selected') };
    });
  expect(await at()).toEqual({ index: '0', selected: 'true' });
  await page.keyboard.press('ArrowDown');
  await expect.poll(at).toEqual({ index: '1', selected: 'true' });
  await page.keyboard.press('End');
  await expect.poll(at).toEqual({ index: '2', selected: 'true' });
  await page.keyboard.press('ArrowUp');
  await expect.poll(at).toEqual({ index: '1', selected: 'true' });
  await page.keyboard.press('Home');
  await expect.poll(at).toEqual({ index: '0', selected: 'true' });
  expect(await rows.evaluateAll((els) => els.filter((el) => el.tabIndex === 0).length)).toBe(1);

  // Enter opens the job's detail; Tab from the row reaches its buttons.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('job-detail')).toBeVisible();
  const del = rows.first().getByTestId('job-delete');
  await del.focus();
  await page.keyboard.press('Enter');
  const ok = page.getByTestId('confirm-ok');
  await expect(ok).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('confirm-cancel')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(ok).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(ok).toHaveCount(0);
  await expect(del).toBeFocused();
  await expect(rows).toHaveCount(3);
  expect(problems).toEqual([]);
});
