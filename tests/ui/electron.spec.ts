/**
 * The real app, end to end, through Playwright's Electron driver. It needs Electron's binary and a
 * better-sqlite3 built for Electron (both made by `npm start` where the network allows); where they
 * are missing, as on the offline build machines, it reports a skip saying so.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SAMPLE, tempDir } from './bridge.ts';

function electronBinary(): string | null {
  const dir = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

function electronSqlite(): string | null {
  const base = join(ROOT, '.electron-native');
  if (!existsSync(base)) return null;
  for (const d of readdirSync(base)) {
    const f = join(base, d, 'better_sqlite3.node');
    if (existsSync(f)) return f;
  }
  return null;
}

test('the desktop app: secure window, the API, a job from drop to result', async () => {
  const binary = electronBinary();
  const binding = electronSqlite();
  const why =
    'Skipped: no Electron binary or Electron build of better-sqlite3 here (their downloads are blocked on this machine); run "npm start" once where the network allows, then this spec runs.';
  if (!binary || !binding) console.log(why);
  test.skip(!binary || !binding, why);
  const dataDir = tempDir('cd-electron-');
  const app = await electron.launch({
    executablePath: binary!,
    args: [ROOT],
    env: { ...process.env, CROSSDOCK_DATA_DIR: dataDir, CROSSDOCK_SQLITE_BINDING: binding! },
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('open-files')).toBeVisible();
    expect(page.url()).toBe('app://crossdock/index.html');

    // The page has no Node and no ipcRenderer; only the typed API.
    const surface = await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      api: Object.keys((window as unknown as { crossdock: object }).crossdock).sort(),
    }));
    expect(surface.require).toBe('undefined');
    expect(surface.process).toBe('undefined');
    expect(surface.api).toContain('submit');
    expect(surface.api).not.toContain('ipcRenderer');

    // Navigation away and new windows are refused.
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://crossdock/index.html');
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);

    // A real job through the real IPC.
    const out = tempDir('cd-electron-out-');
    const status = await page.evaluate(
      async ({ input, outDir }) => {
        const api = (
          window as unknown as { crossdock: import('../../src-main/common/contract.ts').CrossdockApi }
        ).crossdock;
        const { job } = await api.submit({ kind: 'crossdock', input, list: 'ОПТ-1', outDir });
        for (let i = 0; i < 300; i++) {
          const d = await api.getJob(job.id);
          if (d && ['succeeded', 'failed', 'cancelled'].includes(d.job.status)) return d.job.status;
          await new Promise((r) => setTimeout(r, 100));
        }
        return 'timeout';
      },
      { input: SAMPLE, outDir: out },
    );
    expect(status).toBe('succeeded');
    await expect(page.getByTestId('job-row').first()).toHaveAttribute('data-status', 'succeeded');
  } finally {
    await app.close();
  }
});
