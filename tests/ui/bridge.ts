/**
 * Playwright fixtures: a test bridge (dist/ui-bridge.mjs: the built renderer over a real engine) per
 * test file with its own data dir, and helpers to drop real files onto the page and to read what the
 * "shell" was asked to do.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SAMPLE = join(ROOT, 'assets', 'samples', 'request-list-ru.xlsx');

export interface Bridge {
  url: string;
  dataDir: string;
  outDir: string;
  process: ChildProcess;
  /** The bridge's stand-ins for dialogs and the shell; `calls` records openPath and the like. */
  state(): Promise<{ calls: { method: string; path: string }[]; files: string[]; folder: string | null }>;
  setState(patch: {
    files?: string[];
    folder?: string | null;
    openError?: string;
    calls?: [];
    /** What the bridge's updater answers (updateStatus, checkForUpdates); emit 'update' to push it. */
    update?: unknown;
    /** false: the app as built without its sample request list. */
    sample?: boolean;
  }): Promise<void>;
  emit(event: string, payload: unknown): Promise<void>;
  /** Calls window.crossdock's method straight on the bridge (setup that is not under test). */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/** A new temporary folder under the run's root (tests/ui/global-setup.ts removes it at the end). */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(process.env.CROSSDOCK_TEST_TMP ?? tmpdir(), prefix));
}

export async function startBridge(
  opts: { systemLang?: 'en' | 'ru'; dataDir?: string } = {},
): Promise<Bridge> {
  const dataDir = opts.dataDir ?? tempDir('cd-ui-data-');
  const outDir = join(dataDir, '..', `${basename(dataDir)}-out`);
  mkdirSync(outDir, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'dist', 'ui-bridge.mjs'),
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--system-lang',
      opts.systemLang ?? 'en',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bridge did not start: ${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (http:\/\/\S+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`the bridge exited (${code}): ${stderr}`)));
  });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return res.json() as Promise<unknown>;
  };
  return {
    url,
    dataDir,
    outDir,
    process: child,
    state: async () => (await (await fetch(`${url}/__bridge/test/state`)).json()) as never,
    setState: async (patch) => void (await post('/__bridge/test/state', patch)),
    emit: async (event, payload) => void (await post('/__bridge/test/emit', { event, payload })),
    call: async (method, ...args) => {
      const out = (await post(`/__bridge/call/${method}`, args)) as {
        ok: boolean;
        value: never;
        error?: string;
      };
      if (!out.ok) throw new Error(out.error);
      return out.value;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/**
 * Drops real files on the page the way a user's drag does: a DataTransfer carrying File objects with
 * the files' bytes, through dragenter, dragover and drop on the target.
 */
export async function dropFiles(page: Page, files: string[], target = 'body'): Promise<void> {
  const payload = files.map((f) => ({ name: basename(f), data: readFileSync(f).toString('base64') }));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const { name, data } of items) {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], name));
    }
    return dt;
  }, payload);
  await page.dispatchEvent(target, 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent(target, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(target, 'drop', { dataTransfer: transfer });
}

/** Starts a drag over the page without dropping (to see the overlay). */
export async function dragOver(page: Page, file: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    ({ name }) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], name));
      return dt;
    },
    { name: basename(file) },
  );
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer });
}

/** Fails the test on any page error or CSP violation (the bridge sends the app's CSP). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Chromium asks every page for /favicon.ico; the app has no such file (its icon is the window's).
    if (m.type() === 'error' && !/favicon\.ico$/.test(m.location().url))
      problems.push(`console: ${m.text()}`);
  });
  return problems;
}

type Fixtures = { bridge: Bridge; problems: string[] };

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
  bridge: async ({}, use) => {
    const bridge = await startBridge();
    await use(bridge);
    await bridge.stop();
  },
  problems: async ({ page }, use) => {
    const problems = watchConsole(page);
    await use(problems);
    expect(problems, 'page errors or CSP violations').toEqual([]);
  },
});

export { expect };
