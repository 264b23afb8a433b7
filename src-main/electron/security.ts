/**
 * Everything that keeps the renderer in its box, in one place (as Actual Budget's security.ts and
 * VS Code's ipcMain.ts do): who may call IPC, what the page may load, where the window may go.
 * Imports electron TYPES only, so it runs under plain Node in tests.
 */
import type { IpcMainInvokeEvent, Session, WebContents, WebPreferences } from 'electron';

/**
 * The origin of a URL as `scheme://host[:port]`. WHATWG URL gives "null" as the origin of file: and
 * custom-scheme URLs (app://...), which would make every such page look alike, so it is built here.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/** The parts of an IPC event the check reads (a real IpcMainInvokeEvent has them all). */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'senderFrame'> & {
  sender?: Pick<IpcMainInvokeEvent['sender'], 'id'>;
};

/**
 * True when the call comes from the main frame of a page of the app's own origin (and, when given,
 * from the app's own window): never from an iframe, a navigated-away page or another origin.
 */
export function isTrustedSender(
  event: SenderEvent,
  appOrigin: string,
  appWindow?: Pick<WebContents, 'id'> | null,
): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed
  if (frame.parent !== null) return false; // a subframe
  if (originOf(frame.url) !== normalizeOrigin(appOrigin)) return false;
  if (appWindow && event.sender?.id !== appWindow.id) return false;
  return true;
}

function normalizeOrigin(origin: string): string {
  return originOf(origin) ?? origin;
}

/**
 * The page's Content Security Policy: only the app's own scripts and styles, no eval, no plugins, no
 * framing. Sent as a header (frame-ancestors is ignored in a <meta> tag); the renderer's index.html
 * should carry the same policy minus frame-ancestors as a <meta> for file:// loads.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Adds the CSP (and a no-framing header for old engines) to every response of the session. */
export function installCsp(session: Pick<Session, 'webRequest'>): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CSP],
        'X-Frame-Options': ['DENY'],
      },
    });
  });
}

type NavigationEvent = { url?: string; preventDefault(): void };

/** What the app refused, for its log (main.log): a navigation or window elsewhere, a permission. */
export interface Refusals {
  navigation?(url: string): void;
  permission?(permission: string, origin: string): void;
}

/**
 * Keeps the window on the app's own origin: navigations and redirects elsewhere are cancelled,
 * window.open and target=_blank open nothing (not even in the browser: the app opens no outside
 * links, so nothing reaches shell.openExternal), and <webview> cannot be attached.
 */
export function hardenWindow(
  webContents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  appOrigin: string,
  refused: Refusals = {},
): void {
  const own = normalizeOrigin(appOrigin);
  const guard = (event: NavigationEvent, url?: string) => {
    const target = event.url ?? url;
    if (target && originOf(target) === own) return;
    event.preventDefault();
    refused.navigation?.(String(target));
  };
  webContents.on('will-navigate', guard);
  webContents.on('will-redirect', guard);
  webContents.on('will-frame-navigate', guard);
  webContents.on('will-attach-webview', (event) => event.preventDefault());
  webContents.setWindowOpenHandler((details?: { url?: string }) => {
    refused.navigation?.(String(details?.url));
    return { action: 'deny' };
  });
}

/**
 * Refuses every permission a page can ask for (camera, microphone, geolocation, notifications,
 * clipboard, MIDI, HID/USB/serial devices, ...): the page needs none. Notifications are shown by the
 * main process (Electron's Notification), which asks no permission of the page.
 */
export function refusePermissions(
  session: Pick<
    Session,
    'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
  >,
  refused: Refusals = {},
): void {
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    refused.permission?.(permission, originOf(details?.requestingUrl ?? '') ?? '');
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/**
 * The web preferences the window must have: isolated, sandboxed, no Node in the page, its workers or
 * frames, web security on, no insecure content, no <webview>, no experimental or Blink features, no
 * navigation by dropping a file. main.ts writes them out literally where it creates the window (so
 * outside scanners can read them), `satisfies SecureWebPreferences` makes the compiler hold it to
 * these, and tests/electron-security.test.ts checks the source and the window made.
 */
export const SECURE_WEB_PREFERENCES = {
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
} as const satisfies WebPreferences;

/** Web preferences with every value of SECURE_WEB_PREFERENCES, a preload, and no Blink features switched on. */
export type SecureWebPreferences = WebPreferences &
  typeof SECURE_WEB_PREFERENCES & { preload: string; enableBlinkFeatures?: never };
