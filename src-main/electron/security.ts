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

/**
 * Keeps the window on the app's own origin: navigations and redirects elsewhere are cancelled,
 * window.open and target=_blank open nothing, and <webview> cannot be attached.
 */
export function hardenWindow(
  webContents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  appOrigin: string,
): void {
  const own = normalizeOrigin(appOrigin);
  const guard = (event: NavigationEvent, url?: string) => {
    const target = event.url ?? url;
    if (!target || originOf(target) !== own) event.preventDefault();
  };
  webContents.on('will-navigate', guard);
  webContents.on('will-redirect', guard);
  webContents.on('will-frame-navigate', guard);
  webContents.on('will-attach-webview', (event) => event.preventDefault());
  webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The window's web preferences: isolated, sandboxed, no Node in the page, only the preload. */
export function secureWebPreferences(preloadPath: string) {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    preload: preloadPath,
  } satisfies WebPreferences;
}
