// The shell's pure parts under plain Node: command-line files, window placement, the app:// origin's
// file mapping, the secret store and the settings' fallback.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppUrl } from '../src-main/electron/app-protocol.ts';
import { filesFromArgv, isSpreadsheetPath } from '../src-main/electron/argv.ts';
import { shellText } from '../src-main/electron/shell-text.ts';
import { loadWindowState, trackWindowState } from '../src-main/electron/window-state.ts';
import { EnvironmentSecrets, StoredSecrets, type Cipher } from '../src-main/engine/secrets.ts';
import { defaultSettings, loadSettings } from '../src-main/engine/settings.ts';
import { JobStore } from '../src-main/engine/store.ts';
import { freshDataDir, openEngine, ROOT, runJob, SAMPLE, tempDir } from './helpers.ts';

describe('files from a command line', () => {
  it('keeps spreadsheet paths, resolves relative ones, skips switches and duplicates', () => {
    const argv = [
      '--inspect',
      '-psn_0_123',
      'a.xlsx',
      '/abs/B.CSV',
      'notes.pdf',
      'a.xlsx',
      '--flag=x.xlsx',
      '',
    ];
    expect(filesFromArgv(argv, '/home/u')).toEqual(['/home/u/a.xlsx', '/abs/B.CSV']);
    expect(isSpreadsheetPath('x.XLSM')).toBe(true);
    expect(isSpreadsheetPath('x.docx')).toBe(false);
  });
});

describe('window state', () => {
  const display = { x: 0, y: 0, width: 1920, height: 1080 };
  const store = (value: unknown) => ({ getSetting: <T>() => value as T });

  it('restores a window that is still on a display, and only its size when it is not', () => {
    const saved = { bounds: { x: 100, y: 50, width: 1200, height: 800 }, maximized: true };
    expect(loadWindowState(store(saved), [display])).toEqual(saved);
    const offscreen = { bounds: { x: 3000, y: 50, width: 1200, height: 800 }, maximized: false };
    expect(loadWindowState(store(offscreen), [display])).toEqual({
      bounds: { width: 1200, height: 800 },
      maximized: false,
    });
  });

  it('falls back to the default size for nothing saved or nonsense', () => {
    expect(loadWindowState(store(undefined), [display]).bounds).toEqual({ width: 1280, height: 820 });
    expect(loadWindowState(store({ bounds: { width: -5, height: 1e9 } }), [display]).bounds).toEqual({
      width: 1280,
      height: 820,
    });
  });

  it('saves the normal bounds on close, and not while minimized', () => {
    const saved: unknown[] = [];
    const listeners = new Map<string, () => void>();
    let minimized = false;
    const win = {
      on: (e: string, fn: () => void) => listeners.set(e, fn),
      isMaximized: () => false,
      isMinimized: () => minimized,
      isDestroyed: () => false,
      getNormalBounds: () => ({ x: 1, y: 2, width: 900, height: 700 }),
    };
    trackWindowState(win, { setSetting: (_k: string, v: unknown) => void saved.push(v) });
    listeners.get('close')!();
    expect(saved).toEqual([{ bounds: { x: 1, y: 2, width: 900, height: 700 }, maximized: false }]);
    minimized = true;
    listeners.get('close')!();
    expect(saved).toHaveLength(1);
  });
});

describe('app:// serves only the renderer folder', () => {
  const root = '/app/dist/renderer';
  it.each([
    ['app://crossdock/index.html', '/app/dist/renderer/index.html'],
    ['app://crossdock/', '/app/dist/renderer/index.html'],
    ['app://crossdock/main.js?x=1#y', '/app/dist/renderer/main.js'],
    ['app://crossdock/a%20b.css', '/app/dist/renderer/a b.css'],
    // The URL parser folds dot segments (also %2e%2e) before we see the path: still inside.
    ['app://crossdock/../../etc/passwd', '/app/dist/renderer/etc/passwd'],
    ['app://crossdock/%2e%2e/%2e%2e/secret', '/app/dist/renderer/secret'],
  ])('%s → %s', (url, file) => expect(resolveAppUrl(url, root)).toBe(file));

  it.each([
    'app://crossdock/..%2f..%2fsecret',
    'app://other/index.html',
    'file:///etc/passwd',
    'app://crossdock/%00',
    'app://crossdock/%E0%A4%A',
    'not a url',
  ])('refuses %s', (url) => expect(resolveAppUrl(url, root)).toBeNull());
});

describe('secrets', () => {
  const cipher: Cipher = {
    storage: 'encrypted',
    encrypt: (t) => Buffer.from(Buffer.from(t).map((b) => b ^ 0xa5)),
    decrypt: (d) => Buffer.from(d.map((b) => b ^ 0xa5)).toString(),
  };

  it('are kept encrypted beside the settings, never inside them, and can be forgotten', () => {
    const store = new JobStore(tempDir());
    const secrets = new StoredSecrets(store, cipher);
    expect(secrets.has('redis-password')).toBe(false);
    secrets.set('redis-password', 'пароль с пробелом');
    expect(secrets.get('redis-password')).toBe('пароль с пробелом');
    expect(JSON.stringify(store.getSetting('secret:redis-password'))).not.toContain('пароль');
    expect(JSON.stringify(loadSettings(store))).not.toContain('пароль');
    secrets.set('redis-password', null);
    expect(secrets.get('redis-password')).toBeNull();
    // A value another keychain encrypted reads as unset, not as an error.
    store.setSetting('secret:clickhouse-password', 'not base64 of anything!');
    const broken = new StoredSecrets(store, {
      ...cipher,
      decrypt: () => {
        throw new Error('bad key');
      },
    });
    expect(broken.get('clickhouse-password')).toBeNull();
    store.close();
  });

  it('refuse to be saved where the OS has no safe place, and the CLI reads the environment', () => {
    const store = new JobStore(tempDir());
    const none = new StoredSecrets(store, { ...cipher, storage: 'unavailable' });
    expect(() => none.set('clickhouse-password', 'x')).toThrow(/no safe place for passwords/);
    store.close();
    const env = new EnvironmentSecrets({ CROSSDOCK_CLICKHOUSE_PASSWORD: 'p' });
    expect(env.get('clickhouse-password')).toBe('p');
    expect(env.get('redis-password')).toBeNull();
    expect(() => env.set()).toThrow(/environment/);
  });
});

describe('stored settings', () => {
  it('a stored value that no longer fits falls back alone, keeping the others', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const store = new JobStore(dir);
    store.setSetting('engine', {
      concurrency: 5,
      language: 'de',
      clickhouse: { url: 'ftp://x' },
      retentionDays: 9,
    });
    const s = loadSettings(store);
    expect(s).toMatchObject({ concurrency: 5, retentionDays: 9, language: null, clickhouse: null });
    expect(s.source).toBe(defaultSettings().source);
    store.close();
  });
});

describe("the packaged app's worker bundle", () => {
  it('runs a crossdock on its own (it is unpacked from the asar, where it cannot reach node_modules)', async () => {
    const engine = openEngine(freshDataDir(), { workerFile: join(ROOT, 'dist', 'electron', 'worker.mjs') });
    engine.start();
    try {
      const job = await runJob(engine, {
        kind: 'crossdock',
        input: SAMPLE,
        list: 'ОПТ-1',
        outDir: tempDir(),
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.result?.rows).toBe(1500);
    } finally {
      await engine.close();
    }
  });
});

describe('shell words', () => {
  it('Russian plurals', () => {
    const ru = shellText('ru');
    expect(ru.runningCount(1)).toBe('1 задание выполняется');
    expect(ru.runningCount(3)).toBe('3 задания выполняются');
    expect(ru.runningCount(11)).toBe('11 заданий выполняются');
    expect(shellText('en').runningCount(1)).toBe('1 job running');
  });
});
