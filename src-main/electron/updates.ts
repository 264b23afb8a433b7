/**
 * The app's updates: electron-updater (a generic provider at the URL the build was given, see
 * scripts/dist.mjs) driven through a small state machine the Settings screen shows. It takes the
 * updater as a parameter (electron-updater's autoUpdater in the app, a fake in tests), checks at start
 * when Settings.checkUpdates says so and when asked (Help → Check for updates…, the Settings card),
 * downloads in the background and installs when the app quits. Imports no electron.
 */
import type { UpdateStatus } from '../common/contract.ts';

/** What it uses of electron-updater's AppUpdater. */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  on(event: 'checking-for-update', listener: () => void): unknown;
  on(event: 'update-available', listener: (info: { version: string }) => void): unknown;
  on(event: 'update-not-available', listener: (info: { version: string }) => void): unknown;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

export interface UpdatesOptions {
  /** null: updates are off (`off` says why). */
  updater: Updater | null;
  off?: Extract<UpdateStatus, { state: 'off' }>['reason'];
  /** The running version (what "up to date" names until the server says otherwise). */
  version: string;
  /** Every change of state (main sends it to the window as the `update` event). */
  onStatus?(status: UpdateStatus): void;
  /** Every failure with its stack (development's console); default: nothing. */
  onError?(error: unknown): void;
}

export interface Updates {
  status(): UpdateStatus;
  /** Looks for an update (once at a time; a download under way or done is not started again). */
  check(): Promise<UpdateStatus>;
  /** At start: checks only when the user's setting says so. */
  start(checkUpdates: boolean): Promise<UpdateStatus>;
}

/** An error as the card's sentence: its first line, ending like a sentence. */
export function updateErrorText(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const first = (raw.split('\n')[0] ?? '').trim().slice(0, 300) || 'The update check failed.';
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

export function createUpdates(opts: UpdatesOptions): Updates {
  const { updater } = opts;
  let status: UpdateStatus = updater ? { state: 'idle' } : { state: 'off', reason: opts.off ?? 'no-url' };
  const set = (next: UpdateStatus) => {
    status = next;
    opts.onStatus?.(next);
  };
  let pending: Promise<UpdateStatus> | null = null;

  if (updater) {
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = true;
    updater.on('checking-for-update', () => set({ state: 'checking' }));
    updater.on('update-available', (info) =>
      set({ state: 'downloading', version: info.version, percent: 0 }),
    );
    updater.on('update-not-available', () => set({ state: 'up-to-date', version: opts.version }));
    updater.on('download-progress', (p) => {
      const version = status.state === 'downloading' ? status.version : '';
      const percent = Math.max(0, Math.min(100, Math.floor(p.percent)));
      // Progress arrives many times a second: the card needs each whole percent once.
      if (status.state === 'downloading' && status.percent === percent) return;
      set({ state: 'downloading', version, percent });
    });
    updater.on('update-downloaded', (info) => set({ state: 'ready', version: info.version }));
    updater.on('error', (error) => {
      opts.onError?.(error);
      set({ state: 'error', message: updateErrorText(error) });
    });
  }

  const check = async (): Promise<UpdateStatus> => {
    if (!updater || status.state === 'downloading' || status.state === 'ready') return status;
    if (pending) return pending;
    set({ state: 'checking' });
    pending = (async () => {
      try {
        const result = (await updater.checkForUpdates()) as { downloadPromise?: Promise<unknown> } | null;
        // A failed download is told by the updater's error event; its promise must not go unhandled.
        result?.downloadPromise?.catch(() => undefined);
        // An updater that did nothing (not active) leaves "checking": say it is off instead.
        if (status.state === 'checking') set({ state: 'off', reason: opts.off ?? 'not-packaged' });
      } catch (error) {
        opts.onError?.(error);
        set({ state: 'error', message: updateErrorText(error) });
      } finally {
        pending = null;
      }
      return status;
    })();
    return pending;
  };

  return {
    status: () => status,
    check,
    start: (checkUpdates) => (checkUpdates ? check() : Promise.resolve(status)),
  };
}
