// Electron's security checklist, item by item, as far as it can be checked without an Electron
// binary: the window's web preferences as main.ts writes them (read from the source, the way outside
// scanners read them), security.ts driven with fakes (permissions, navigation, new windows,
// webviews, IPC senders, CSP), and what the shell never does (shell.openExternal, remote content).
// main.ts wired to a fake electron is in tests/electron-main.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { APP_ORIGIN } from '../src-main/electron/app-protocol.ts';
import {
  CSP,
  hardenWindow,
  isTrustedSender,
  refusePermissions,
  SECURE_WEB_PREFERENCES,
} from '../src-main/electron/security.ts';
import { ROOT } from './helpers.ts';

const SHELL_DIR = join(ROOT, 'src-main', 'electron');
const MAIN = readFileSync(join(SHELL_DIR, 'main.ts'), 'utf8');
const shellSources = () =>
  readdirSync(SHELL_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: withoutComments(readFileSync(join(SHELL_DIR, f), 'utf8')) }));

/** Source code without its comments (which may name what the code must not do). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** The object literal after `webPreferences:` inside createWindow, as key → source text of the value. */
function literalWebPreferences(source: string): Map<string, string> {
  const fn = source.slice(source.indexOf('function createWindow('));
  const start = fn.indexOf('webPreferences: {');
  expect(start, 'createWindow writes webPreferences: { ... } literally').toBeGreaterThan(0);
  const body = fn.slice(start + 'webPreferences: {'.length, fn.indexOf('}', start));
  const entries = new Map<string, string>();
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    expect(line, 'no spread or computed entries in webPreferences').toMatch(/^[A-Za-z]+: [^,]+,?$/);
    const [key, value] = line.replace(/,$/, '').split(/:\s*/);
    entries.set(key, value);
  }
  return entries;
}

describe('web preferences (contextIsolation, sandbox, no Node, webSecurity, no insecure content, no webview)', () => {
  it('main.ts creates the window with every secure preference written out literally', () => {
    const prefs = literalWebPreferences(MAIN);
    for (const [key, value] of Object.entries(SECURE_WEB_PREFERENCES))
      expect(prefs.get(key), `webPreferences.${key}`).toBe(String(value));
    expect(prefs.get('preload')).toBe('PRELOAD');
    expect([...prefs.keys()].sort()).toEqual([...Object.keys(SECURE_WEB_PREFERENCES), 'preload'].sort());
    // The compiler holds the literal to the same values.
    expect(MAIN).toMatch(/} satisfies SecureWebPreferences,/);
  });

  it('the secure values are the checklist’s', () => {
    expect(SECURE_WEB_PREFERENCES).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    });
  });

  it('no window anywhere in the shell is made with weaker preferences, and every renderer is sandboxed', () => {
    for (const { file, text: code } of shellSources()) {
      expect(code, file).not.toMatch(/nodeIntegration(InWorker|InSubFrames)?:\s*true/);
      expect(code, file).not.toMatch(/(contextIsolation|sandbox|webSecurity):\s*false/);
      expect(code, file).not.toMatch(/(allowRunningInsecureContent|webviewTag|experimentalFeatures):\s*true/);
      expect(code, file).not.toMatch(/enableBlinkFeatures\s*:|enableRemoteModule|@electron\/remote/);
      expect(code.match(/new BrowserWindow\(/g)?.length ?? 0, file).toBe(file === 'main.ts' ? 1 : 0);
    }
    expect(MAIN).toMatch(/^app\.enableSandbox\(\);$/m);
  });

  it('the page is the app’s own (app://), never a remote or file:// page', () => {
    expect(MAIN).toMatch(/win\.loadURL\(APP_URL\)/);
    expect(MAIN).not.toMatch(/loadFile\(|loadURL\(['"`](https?|file):/);
  });
});

describe('permissions', () => {
  function fakeSession() {
    const s = {
      request: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void, d: unknown) => void),
      check: null as null | ((...a: unknown[]) => boolean),
      device: null as null | ((...a: unknown[]) => boolean),
      setPermissionRequestHandler: (fn: never) => (s.request = fn),
      setPermissionCheckHandler: (fn: never) => (s.check = fn),
      setDevicePermissionHandler: (fn: never) => (s.device = fn),
    };
    return s;
  }

  it('every permission request and check is refused, device access too, and each refusal is reported', () => {
    const session = fakeSession();
    const refused: [string, string][] = [];
    refusePermissions(session as never, { permission: (p, origin) => refused.push([p, origin]) });
    for (const permission of [
      'notifications',
      'media',
      'geolocation',
      'clipboard-read',
      'clipboard-sanitized-write',
      'fullscreen',
      'openExternal',
      'midiSysex',
      'pointerLock',
      'display-capture',
      'unknown',
    ]) {
      const answer = vi.fn();
      session.request!({}, permission, answer, { requestingUrl: `${APP_ORIGIN}/index.html` });
      expect(answer, permission).toHaveBeenCalledWith(false);
      expect(session.check!({}, permission, APP_ORIGIN, {}), permission).toBe(false);
    }
    expect(session.device!({ deviceType: 'usb', origin: APP_ORIGIN })).toBe(false);
    expect(refused[0]).toEqual(['notifications', APP_ORIGIN]);
    expect(refused).toHaveLength(11);
  });

  it('the page never uses the web Notification API: notifications come from the main process', () => {
    const renderer = join(ROOT, 'src-renderer');
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? walk(join(dir, d.name)) : /\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
      );
    for (const file of walk(renderer)) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(
        /new Notification\(|Notification\.requestPermission|navigator\.permissions/,
      );
    }
  });
});

describe('navigation, new windows, webviews, outside links', () => {
  function fakeContents() {
    const listeners = new Map<string, (e: { url?: string; preventDefault(): void }, url?: string) => void>();
    let open: ((d: { url: string }) => { action: string }) | null = null;
    return {
      listeners,
      open: (url: string) => open!({ url }),
      on: (name: string, fn: never) => listeners.set(name, fn),
      setWindowOpenHandler: (fn: never) => (open = fn),
    };
  }

  it('navigating or redirecting elsewhere is cancelled, window.open opens nothing, webviews are refused; each refusal is reported', () => {
    const wc = fakeContents();
    const refused: string[] = [];
    hardenWindow(wc as never, APP_ORIGIN, { navigation: (url) => refused.push(url) });
    const attempt = (name: string, url: string) => {
      const e = { url, preventDefault: vi.fn() };
      wc.listeners.get(name)!(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(attempt('will-navigate', 'app://crossdock.evil/')).toBe(true);
    expect(attempt('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(attempt('will-frame-navigate', 'file:///etc/passwd')).toBe(true);
    expect(attempt('will-navigate', 'javascript:alert(1)')).toBe(true);
    expect(attempt('will-navigate', `${APP_ORIGIN}/index.html#jobs`)).toBe(false);
    expect(attempt('will-attach-webview', `${APP_ORIGIN}/index.html`)).toBe(true);
    expect(wc.open('https://evil.example/popup')).toEqual({ action: 'deny' });
    expect(wc.open(`${APP_ORIGIN}/index.html`)).toEqual({ action: 'deny' });
    expect(refused).toEqual([
      'https://evil.example/',
      'app://crossdock.evil/',
      'http://127.0.0.1:1/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://evil.example/popup',
      `${APP_ORIGIN}/index.html`,
    ]);
  });

  it('every web contents is hardened as it is created (windows, and anything a bug might open)', () => {
    expect(MAIN).toMatch(
      /app\.on\('web-contents-created', \(_event, contents\) => \{\s*hardenWindow\(contents, APP_ORIGIN/,
    );
  });

  it('the shell never calls shell.openExternal (the app opens no outside links)', () => {
    for (const { file, text } of shellSources()) expect(text, file).not.toMatch(/openExternal\s*\(/);
  });
});

describe('IPC senders and content security policy', () => {
  const frame = (url: string, parent: unknown = null) => ({
    senderFrame: { url, parent },
    sender: { id: 7 },
  });

  it('only the main frame of the app’s own page in the app’s own window may call', () => {
    expect(isTrustedSender(frame(`${APP_ORIGIN}/index.html`) as never, APP_ORIGIN, { id: 7 })).toBe(true);
    expect(isTrustedSender(frame(`${APP_ORIGIN}/index.html`) as never, APP_ORIGIN, { id: 8 })).toBe(false);
    expect(isTrustedSender(frame(`${APP_ORIGIN}/x.html`, {}) as never, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender(frame('file:///tmp/evil.html') as never, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender(frame('https://crossdock/') as never, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender({ senderFrame: null } as never, APP_ORIGIN)).toBe(false);
  });

  it('the CSP allows only the app’s own scripts, no eval or inline code, no plugins, frames, forms or base', () => {
    const directives = new Map(
      CSP.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('frame-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(CSP).not.toMatch(/unsafe-|\*|https?:/);
  });
});

describe('packaging', () => {
  it('the build turns off the Electron fuses the app does not need', () => {
    const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    const fuses = yml.slice(yml.indexOf('electronFuses:'));
    expect(fuses).toMatch(/runAsNode: false/);
    expect(fuses).toMatch(/enableNodeOptionsEnvironmentVariable: false/);
    expect(fuses).toMatch(/enableNodeCliInspectArguments: false/);
    expect(fuses).toMatch(/onlyLoadAppFromAsar: true/);
    expect(fuses).toMatch(/enableCookieEncryption: true/);
    expect(fuses).toMatch(/grantFileProtocolExtraPrivileges: false/);
  });
});
