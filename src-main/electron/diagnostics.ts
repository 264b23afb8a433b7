/**
 * The shell's part of diagnostics: Help → Save Diagnostics… (a save dialog, then the bundle of
 * src-main/engine/diagnostics.ts), and the app's own log (main.log in the data folder): what the
 * main process writes there (failed calls, engine errors, the page's renderer gone, refusals).
 * Imports electron TYPES only, so it runs under Node with fakes.
 */
import type { Dialog, MessageBoxOptions, SaveDialogOptions, Shell, WebContents } from 'electron';
import { join } from 'node:path';
import { errorInfo, renderMessage, type Lang } from '../common/errors.ts';
import { writeDiagnostics } from '../engine/diagnostics.ts';
import type { Engine } from '../engine/engine.ts';
import type { MainLog } from '../engine/main-log.ts';
import { callErrorInfo } from './ipc.ts';
import type { Refusals } from './security.ts';
import { shellText } from './shell-text.ts';

/** What the app refuses (security.ts), written to main.log as warnings. */
export function loggedRefusals(log: MainLog): Refusals {
  return {
    navigation: (url) => log.write('warn', 'MAIN_LOG_NAVIGATION_REFUSED', { url: url.slice(0, 500) }),
    permission: (permission, origin) =>
      log.write('warn', 'MAIN_LOG_PERMISSION_REFUSED', { permission, origin }),
  };
}

/** A page's renderer that crashed or was killed, in main.log. */
export function logRendererGone(contents: Pick<WebContents, 'on'>, log: MainLog): void {
  contents.on('render-process-gone', (_event, details) =>
    log.write('error', 'MAIN_LOG_RENDERER_GONE', { reason: details.reason, exitCode: details.exitCode }),
  );
}

/** A failed IPC call: what the user was told, as a warning; an unexpected failure as an error. */
export function logCallFailure(log: MainLog, method: string, err: unknown): void {
  const info = callErrorInfo(err);
  const unexpected = info.code === 'UNEXPECTED' || info.code === 'SOMETHING_WENT_WRONG';
  log.write(unexpected ? 'error' : 'warn', 'MAIN_LOG_CALL_FAILED', { method, reason: info.message });
}

/** The engine's loop errors and failed scheduled runs, in main.log. */
export function logEngineErrors(engine: Pick<Engine, 'on'>, log: MainLog): void {
  engine.on('error', (err: unknown) =>
    log.write('error', 'MAIN_LOG_ENGINE_ERROR', { reason: errorInfo(err).message }),
  );
  engine.on('schedule-error', (schedule: { id?: string }, err: unknown) =>
    log.write('error', 'MAIN_LOG_SCHEDULE_FAILED', {
      id: schedule?.id ?? '',
      reason: errorInfo(err).message,
    }),
  );
}

export interface SaveDiagnosticsDeps {
  /** The dialogs, bound to the app's window by main.ts. */
  dialog: {
    showSaveDialog(options: SaveDialogOptions): ReturnType<Dialog['showSaveDialog']>;
    showMessageBox(options: MessageBoxOptions): ReturnType<Dialog['showMessageBox']>;
  };
  shell: Pick<Shell, 'showItemInFolder'>;
  engine: Pick<Engine, 'dataDir' | 'store' | 'settings' | 'secrets'>;
  log: MainLog;
  lang: Lang;
  version: string;
  /** Where the save dialog starts (the Downloads folder). */
  folder: string;
  now?: Date;
}

/** crossdock-diagnostics-20261203-0712.zip */
function bundleName(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `crossdock-diagnostics-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}.zip`;
}

/**
 * Help → Save Diagnostics…: asks where, writes the bundle, says where it went (with Show in Folder)
 * or why it could not. Resolves with the file written, or null (cancelled, or failed).
 */
export async function saveDiagnostics(deps: SaveDiagnosticsDeps): Promise<string | null> {
  const t = shellText(deps.lang);
  const r = (code: 'DIAG_SAVED' | 'DIAG_SAVE_FAILED', params: { path: string; reason?: string }) =>
    renderMessage(deps.lang, { code, params });
  const choice = await deps.dialog.showSaveDialog({
    title: t.saveDiagnostics.replace(/…$/, ''),
    defaultPath: join(deps.folder, bundleName(deps.now ?? new Date())),
    filters: [{ name: 'Zip', extensions: ['zip'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (choice.canceled || !choice.filePath) return null;
  const file = choice.filePath;
  try {
    await writeDiagnostics(file, {
      dataDir: deps.engine.dataDir,
      store: deps.engine.store,
      settings: deps.engine.settings,
      secrets: deps.engine.secrets,
      app: { version: deps.version, shell: 'electron' },
    });
  } catch (err) {
    const reason = errorInfo(err).message;
    deps.log.write('error', 'DIAG_SAVE_FAILED', { path: file, reason });
    await deps.dialog.showMessageBox({
      type: 'error',
      message: r('DIAG_SAVE_FAILED', { path: file, reason }),
    });
    return null;
  }
  const { response } = await deps.dialog.showMessageBox({
    type: 'info',
    message: r('DIAG_SAVED', { path: file }),
    detail: t.diagnosticsSavedDetail,
    buttons: [t.showInFolder, t.close],
    defaultId: 0,
    cancelId: 1,
  });
  if (response === 0) deps.shell.showItemInFolder(file);
  return file;
}
