// The desktop shell's main.ts under plain Node with a fake `electron` module and a REAL engine:
// start-up wiring, a job through IPC ending in a notification whose click shows the job, files from a
// second instance, closing and quitting with jobs running.
import { EventEmitter } from 'node:events';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelOf, eventChannelOf, METHODS, type CallOutcome } from '../src-main/common/contract.ts';
import { freshDataDir, SAMPLE, tempDir } from './helpers.ts';

interface FakeWindowShape {
  url: string;
}
interface FakeNotificationShape extends EventEmitter {
  options: { title: string; body: string };
  shown: boolean;
}

const fake = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EventEmitter: Emitter } = require('node:events') as typeof import('node:events');
  const state = {
    handlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
    windows: [] as FakeWindowShape[],
    notifications: [] as FakeNotificationShape[],
    messageBoxes: [] as { message: string; buttons: string[] }[],
    messageBoxAnswer: 0,
    exitCode: null as number | null,
    schemes: [] as unknown[],
    badge: 0,
    menu: null as unknown,
    tray: null as unknown,
    sandboxed: false,
    savePath: null as string | null,
    permissionRequest: null as null | ((...a: unknown[]) => void),
    permissionCheck: null as null | ((...a: unknown[]) => boolean),
    shownInFolder: [] as string[],
  };
  class FakeWebContents extends Emitter {
    id = 7;
    sent: [string, unknown][] = [];
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
    isDestroyed() {
      return false;
    }
    isLoading() {
      return false;
    }
    setWindowOpenHandler() {}
  }
  class FakeWindow extends Emitter {
    webContents = new FakeWebContents();
    hidden = false;
    progress: number[] = [];
    url = '';
    constructor(public options: Record<string, unknown>) {
      super();
      state.windows.push(this);
    }
    loadURL(url: string) {
      this.url = url;
      queueMicrotask(() => this.emit('ready-to-show'));
      return Promise.resolve();
    }
    show() {
      this.hidden = false;
    }
    hide() {
      this.hidden = true;
    }
    focus() {}
    restore() {}
    maximize() {}
    isMinimized() {
      return false;
    }
    isMaximized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
    getNormalBounds() {
      return { x: 10, y: 10, width: 1200, height: 800 };
    }
    setProgressBar(p: number) {
      this.progress.push(p);
    }
  }
  class FakeNotification extends Emitter {
    shown = false;
    constructor(public options: { title: string; body: string }) {
      super();
      state.notifications.push(this);
    }
    static isSupported() {
      return true;
    }
    show() {
      this.shown = true;
    }
  }
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    paths: new Map<string, string>(),
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    setPath(name: string, value: string) {
      this.paths.set(name, value);
    },
    getPath(name: string) {
      return this.paths.get(name) ?? '/nonexistent';
    },
    getVersion: () => '0.1.0',
    getLocale: () => 'en-US',
    setAppUserModelId() {},
    setBadgeCount: (n: number) => {
      state.badge = n;
      return true;
    },
    quit() {},
    exit: (code: number) => {
      state.exitCode = code;
    },
    showAboutPanel() {},
    enableSandbox() {
      state.sandboxed = true;
    },
  });
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    Notification: FakeNotification,
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) =>
        state.handlers.set(channel, fn),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showSaveDialog: async () =>
        state.savePath ? { canceled: false, filePath: state.savePath } : { canceled: true, filePath: '' },
      showMessageBox: async (_w: unknown, o?: { message: string; buttons: string[] }) => {
        const opts = (o ?? _w) as { message: string; buttons: string[] };
        state.messageBoxes.push(opts);
        return { response: state.messageBoxAnswer };
      },
      showErrorBox: (title: string, body: string) => {
        throw new Error(`${title}: ${body}`);
      },
    },
    Menu: {
      buildFromTemplate: (t: unknown) => t,
      setApplicationMenu: (m: unknown) => {
        state.menu = m;
      },
    },
    nativeImage: { createFromPath: (p: string) => ({ path: p }) },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown) => state.schemes.push(s),
      handle: () => {},
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (t: string) => Buffer.from(t).reverse(),
      decryptString: (b: Buffer) => Buffer.from(b).reverse().toString(),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => {} },
        setPermissionRequestHandler: (fn: (...a: unknown[]) => void) => (state.permissionRequest = fn),
        setPermissionCheckHandler: (fn: (...a: unknown[]) => boolean) => (state.permissionCheck = fn),
        setDevicePermissionHandler: () => {},
      },
    },
    shell: {
      openPath: async () => '',
      showItemInFolder: (p: string) => state.shownInFolder.push(p),
    },
    Tray: class {
      constructor() {
        state.tray = this;
      }
      on() {}
      setToolTip() {}
      setContextMenu() {}
      destroy() {}
    },
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const trusted = () => ({
  senderFrame: { url: 'app://crossdock/index.html', parent: null },
  sender: { id: 7 },
});

async function invoke(method: string, ...args: unknown[]): Promise<unknown> {
  const handler = fake.state.handlers.get(channelOf(method as never));
  if (!handler) throw new Error(`no handler for ${method}`);
  // Handlers resolve an outcome; the preload turns a failed one into a rejection, as here.
  const outcome = (await handler(trusted(), ...args)) as CallOutcome;
  if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), outcome.error);
  return outcome.value;
}

async function until<T>(fn: () => T | undefined | null | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const win = () =>
  fake.state.windows[0] as unknown as EventEmitter & {
    webContents: { sent: [string, unknown][] };
    hidden: boolean;
    url: string;
    options: { webPreferences: Record<string, unknown> };
  };

beforeAll(async () => {
  process.env.CROSSDOCK_DATA_DIR = freshDataDir();
  await import('../src-main/electron/main.ts');
  await until(() => fake.state.windows.length > 0 && fake.state.handlers.size === METHODS.length);
});

afterAll(async () => {
  fake.state.messageBoxAnswer = 0;
  if (fake.state.exitCode === null) fake.electron.app.emit('before-quit', { preventDefault() {} });
  await until(() => fake.state.exitCode !== null, 10_000).catch(() => undefined);
  delete process.env.CROSSDOCK_DATA_DIR;
});

describe('main.ts with a fake electron', () => {
  it('starts a secure window on the app:// origin with one handler per contract method', () => {
    expect(fake.state.schemes).toHaveLength(1);
    expect(win().url).toBe('app://crossdock/index.html');
    expect(win().options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect([...fake.state.handlers.keys()].sort()).toEqual(METHODS.map((m) => channelOf(m)).sort());
    expect(fake.state.menu).toBeTruthy();
    expect(fake.state.tray).toBeTruthy();
  });

  it('sandboxes every renderer, gives the window exactly the secure preferences, refuses every permission', async () => {
    const { SECURE_WEB_PREFERENCES } = await import('../src-main/electron/security.ts');
    expect(fake.state.sandboxed).toBe(true);
    const { preload, ...prefs } = win().options.webPreferences;
    expect(prefs).toEqual(SECURE_WEB_PREFERENCES);
    expect(String(preload)).toMatch(/preload\.cjs$/);
    const answers: boolean[] = [];
    fake.state.permissionRequest!({}, 'notifications', (ok: boolean) => answers.push(ok), {
      requestingUrl: 'app://crossdock/index.html',
    });
    fake.state.permissionRequest!({}, 'media', (ok: boolean) => answers.push(ok), {});
    expect(answers).toEqual([false, false]);
    expect(fake.state.permissionCheck!({}, 'clipboard-read', 'app://crossdock', {})).toBe(false);
    // The refusal is in the app's own log.
    const log = readFileSync(join(process.env.CROSSDOCK_DATA_DIR!, 'main.log'), 'utf8');
    expect(log).toMatch(
      /WARN MAIN_LOG_PERMISSION_REFUSED A page asked for the permission notifications \(app:\/\/crossdock\); refused\./,
    );
  });

  it('Help → Save Diagnostics… writes the bundle where the user chose, without the stored password', async () => {
    await invoke('setSecret', 'clickhouse-password', 'Sh3ll-Secret-pw');
    // A failed call lands in main.log (what the window was told, as a warning).
    await expect(invoke('getJob', 'nope', 'extra')).rejects.toThrow();
    type Item = { label?: string; click?: () => void; submenu?: Item[] };
    const help = (fake.state.menu as Item[]).find((m) => (m as { role?: string }).role === 'help')!;
    const item = help.submenu!.find((i) => i.label === 'Save Diagnostics…')!;
    const out = join(tempDir('cd-diag-'), 'bundle.zip');
    fake.state.savePath = out;
    fake.state.messageBoxAnswer = 0; // Show in Folder
    const boxes = fake.state.messageBoxes.length;
    item.click!();
    await until(() => fake.state.shownInFolder.includes(out));
    expect(fake.state.messageBoxes[boxes].message).toBe(`Diagnostics saved to ${out}.`);
    const listing = execFileSync('unzip', ['-l', out], { encoding: 'utf8' });
    for (const entry of ['about.json', 'settings.json', 'jobs.jsonl', 'job-logs.jsonl', 'logs/main.log'])
      expect(listing).toContain(entry);
    const text = execFileSync('unzip', ['-p', out], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    expect(text).not.toContain('Sh3ll-Secret-pw');
    expect(text).toContain('"madeBy": "electron"');
    expect(text).toMatch(/MAIN_LOG_CALL_FAILED/);
    fake.state.savePath = null;
    fake.state.messageBoxes.splice(boxes); // the tests below count the quit dialogs from the first
  });

  it('a job submitted over IPC ends in a notification; clicking it shows the job', async () => {
    const outDir = tempDir('cd-out-');
    const { job } = (await invoke('submit', { kind: 'crossdock', input: SAMPLE, list: 'ОПТ-1', outDir })) as {
      job: { id: string };
    };
    const note = await until(() =>
      fake.state.notifications.find((n) => n.options.title.includes('request-list-ru')),
    );
    expect(note.options.title).toBe('Done: request-list-ru.xlsx');
    // The four counts, as the jobs list, the detail and the CLI give them.
    expect(note.options.body).toMatch(
      /^1,500 lines: [\d,]+ found, [\d,]+ partial, [\d,]+ not found, [\d,]+ invalid\. Click to open the job\.$/,
    );
    expect(note.shown).toBe(true);
    note.emit('click');
    expect(win().webContents.sent).toContainEqual([eventChannelOf('showJob'), { jobId: job.id }]);
    // Events reached the window as they happened.
    expect(win().webContents.sent.some(([c]) => c === eventChannelOf('progress'))).toBe(true);
  });

  it('files from a second instance reach the window', () => {
    fake.electron.app.emit('second-instance', {}, ['crossdock', '/data/list.xlsx', '--flag', 'x.pdf'], '/');
    expect(win().webContents.sent).toContainEqual([
      eventChannelOf('openFiles'),
      { paths: ['/data/list.xlsx'] },
    ]);
  });

  it('closing with a job running keeps it running in the tray; quitting asks, and Cancel keeps going', async () => {
    const big = join(tempDir('cd-in-'), 'big.csv');
    const lines = ['Brand,Article,Qty'];
    for (let i = 0; i < 400_000; i++) lines.push(`BOSCH,0 986 452 041,${i % 9}`);
    writeFileSync(big, lines.join('\n'));
    const { job } = (await invoke('submit', {
      kind: 'crossdock',
      input: big,
      list: 'ОПТ-1',
      outDir: tempDir('cd-out-'),
    })) as { job: { id: string } };
    await until(() => fake.state.badge === 1);

    let prevented = false;
    win().emit('close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await until(() => win().hidden);
    expect(fake.state.notifications.at(-1)!.options.body).toMatch(/keeps running in the tray: 1 job/);

    fake.state.messageBoxAnswer = 1; // Cancel
    fake.electron.app.emit('before-quit', { preventDefault() {} });
    await until(() => fake.state.messageBoxes.length > 0);
    expect(fake.state.messageBoxes[0].message).toBe('Quit while 1 job is running?');
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.state.exitCode).toBeNull();

    fake.state.messageBoxAnswer = 0; // Quit: the job goes back to the queue for the next start
    fake.electron.app.emit('before-quit', { preventDefault() {} });
    await until(() => fake.state.exitCode === 0);
    const { JobStore } = await import('../src-main/engine/store.ts');
    const store = new JobStore(process.env.CROSSDOCK_DATA_DIR!);
    expect(store.get(job.id)?.status).toBe('queued');
    store.close();
  });
});
