/**
 * The IPC handlers behind `window.crossdock`: one `ipcMain.handle` per contract method. Every call is
 * checked (sender, then arguments) before the engine sees it, and every error crosses as its code,
 * params and one English sentence (a CallOutcome: Electron would keep only an Error's message). Imports
 * electron TYPES only, so it runs under Node with fakes.
 */
import type { Dialog, IpcMain, IpcMainInvokeEvent, OpenDialogOptions, Shell, WebContents } from 'electron';
import { resolve } from 'node:path';
import { ZodError, type z } from 'zod';
import {
  ARG_SCHEMAS,
  ENGINE_EVENTS,
  METHODS,
  argError,
  channelOf,
  eventChannelOf,
  tidyIssue,
  type AppInfo,
  type CallError,
  type CallOutcome,
  type EventName,
  type EventPayloads,
  type MethodName,
  type MethodResult,
  type SecretStatus,
  type UpdateStatus,
} from '../common/contract.ts';
import { CodedError, errorInfo, type ErrorInfo } from '../common/errors.ts';
import { SECRET_NAMES } from '../common/settings-schema.ts';
import type { Engine } from '../engine/engine.ts';
import { SubmitError } from '../engine/engine.ts';
import { ScheduleError, describeCron } from '../engine/schedules.ts';
import type { Job, JobProgress } from '../common/types.ts';
import { TERMINAL } from '../common/types.ts';

export interface IpcDeps {
  /** The sender check (security.ts `isTrustedSender` bound to the app's origin and window). */
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
  shell: Pick<Shell, 'openPath' | 'showItemInFolder'>;
  /** Opens a dialog; main binds it to the app's window (`(o) => dialog.showOpenDialog(win, o)`). */
  dialog: { showOpenDialog(options: OpenDialogOptions): ReturnType<Dialog['showOpenDialog']> };
  /** Gets every failure with its stack (the renderer only gets code, params, sentence); default: nothing. */
  onError?(method: MethodName, error: unknown): void;
  appInfo(): AppInfo;
  /** The app's updates (updates.ts); default: off, as in a build without an update URL. */
  updates?: { status(): UpdateStatus; check(): Promise<UpdateStatus> };
  /** The sample request list's path (samples.ts resolves it in dev and packaged); default: none. */
  samplePath?(): string | null;
}

type Handlers = {
  [M in MethodName]: (
    ...args: z.output<(typeof ARG_SCHEMAS)[M]>
  ) => MethodResult<M> | Promise<MethodResult<M>>;
};

const OFF: UpdateStatus = { state: 'off', reason: 'no-url' };

const SPREADSHEETS = [{ name: 'Spreadsheets', extensions: ['xlsx', 'csv'] }];

function handlers(engine: Engine, deps: IpcDeps): Handlers {
  const secretStatus = (): SecretStatus => ({
    storage: engine.secrets.storage,
    set: Object.fromEntries(SECRET_NAMES.map((n) => [n, engine.secrets.has(n)])) as SecretStatus['set'],
  });
  const schedules = <T>(fn: (s: Engine['schedules']) => T): T => engine.scheduleAction(fn);
  const requireOutput = (path: string): string => {
    const target = resolve(path);
    if (!isJobOutput(engine, target)) throw new CodedError('ONLY_JOB_RESULTS', {});
    return target;
  };
  return {
    inspect: (path, sheet, columns, options) =>
      engine.inspect(path, sheet ?? undefined, columns ?? undefined, options),
    inspectJobInput: (id, sheet, columns, options) =>
      engine.inspectJobInput(id, sheet ?? undefined, columns ?? undefined, options),
    submit: (spec, options) => engine.submit(spec, options),
    listJobs: (filter) => engine.list(filter),
    getJob: (id) => {
      const job = engine.get(id);
      if (!job) return null;
      return {
        job,
        queuePosition: engine.queuePosition(id),
        logs: engine.logs(id),
        comments: engine.comments(id),
      };
    },
    cancel: (id) => engine.cancel(id),
    retry: (id) => engine.retry(id),
    remove: (id) => engine.remove(id),
    clearFinished: (ids) => engine.clearFinished(ids ? { ids } : {}),
    addComment: (jobId, text) => engine.addComment(jobId, text),
    editComment: (id, text) => engine.editComment(id, text),
    deleteComment: (id) => engine.deleteComment(id),
    supplierLists: (source) => engine.supplierLists(source ?? 'demo'),
    getSettings: () => engine.settings,
    updateSettings: (patch) => engine.updateSettings(patch),
    listSchedules: () => schedules((s) => s.list()),
    addSchedule: (cron, spec, timezone) => engine.addSchedule(cron, spec, timezone ?? null),
    pauseSchedule: (id) => schedules((s) => s.pause(id)),
    resumeSchedule: (id) => schedules((s) => s.resume(id)),
    removeSchedule: (id) => schedules((s) => s.remove(id)),
    describeCron: (cron, lang) => describeCron(cron, lang),
    openResult: async (path) => {
      const error = await deps.shell.openPath(requireOutput(path));
      // openPath resolves with an error string instead of rejecting.
      if (error) throw new CodedError('RESULT_OPEN_FAILED', { reason: error.replace(/[.\s]+$/, '') });
    },
    showInFolder: (path) => deps.shell.showItemInFolder(requireOutput(path)),
    chooseFiles: async () => {
      const r = await deps.dialog.showOpenDialog({
        properties: ['openFile', 'multiSelections'],
        filters: SPREADSHEETS,
      });
      return r.canceled ? [] : r.filePaths;
    },
    chooseFolder: async () => {
      const r = await deps.dialog.showOpenDialog({ properties: ['openDirectory', 'createDirectory'] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    appInfo: () => deps.appInfo(),
    secretStatus,
    setSecret: (name, value) => {
      // Its failure (no safe storage) is a sentence for the user, passed on as it is.
      engine.secrets.set(name, value);
      return secretStatus();
    },
    testClickHouse: (config) => engine.testClickHouse(config),
    teamStatus: () => engine.refreshTeamStatus(),
    testTeam: (config) => engine.testTeam(config),
    updateStatus: () => deps.updates?.status() ?? OFF,
    checkForUpdates: () => deps.updates?.check() ?? OFF,
    sampleRequestList: () => deps.samplePath?.() ?? null,
  };
}

/** True when the path is one of the outputs of a job the engine knows. */
function isJobOutput(engine: Engine, target: string): boolean {
  const same =
    process.platform === 'win32' || process.platform === 'darwin'
      ? (a: string) => a.toLowerCase() === target.toLowerCase()
      : (a: string) => a === target;
  return engine
    .list({ status: ['succeeded'], limit: 1_000_000 })
    .some((job) => job.outputs.some((o) => same(resolve(o))));
}

/**
 * What the renderer gets of a failed call: a coded error's code, params and sentence; the engine's
 * own sentences (not coded yet) as they are; an invalid request as REQUEST_INVALID; anything else
 * by its first line only (no stack, no dump), made to end like a sentence.
 */
export function callErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof CodedError) return err.info();
  if (err instanceof SubmitError || err instanceof ScheduleError) return errorInfo(err);
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    return new CodedError('REQUEST_INVALID', {
      field: issue?.path.join('.') ?? '',
      reason: tidyIssue(issue?.message ?? 'invalid input'),
    }).info();
  }
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim().slice(0, 500);
  if (!first) return new CodedError('SOMETHING_WENT_WRONG', {}).info();
  return errorInfo(/[.!?)]$/.test(first) ? first : `${first}.`);
}

/** The error a call rejects with (createApi, the preload, the test bridge): the sentence, code, params, no stack. */
export function toCallError(info: ErrorInfo): CallError {
  const out = Object.assign(new Error(info.message), { code: info.code, params: info.params });
  out.stack = `Error: ${info.message}`;
  return out;
}

export type ApiCall = (method: MethodName, args: unknown[]) => Promise<unknown>;

/**
 * The contract's methods over an engine, each checking its arguments (zod) first and failing with a
 * CallError (one English sentence, its code and params). The IPC handlers call it after the sender
 * check; the browser test bridge calls it over HTTP, so the renderer's tests go through this same code.
 */
export function createApi(engine: Engine, deps: Omit<IpcDeps, 'isTrustedSender'>): ApiCall {
  const impl = handlers(engine, { ...deps, isTrustedSender: () => true });
  return async (method, args) => {
    try {
      if (!Object.hasOwn(ARG_SCHEMAS, method))
        throw new CodedError('NO_SUCH_METHOD', { method: String(method) });
      const schema: z.ZodTuple = ARG_SCHEMAS[method];
      const parsed = schema.safeParse(args);
      if (!parsed.success) throw argError(method, parsed.error);
      const fn = impl[method] as (...a: unknown[]) => unknown;
      return await fn(...(parsed.data as unknown[]));
    } catch (err) {
      deps.onError?.(method, err);
      throw toCallError(callErrorInfo(err));
    }
  };
}

/** A call's answer on the wire: its value, or its error's code, params and sentence. */
export async function outcomeOf(call: () => Promise<unknown>): Promise<CallOutcome> {
  try {
    return { ok: true, value: (await call()) as MethodResult<MethodName> };
  } catch (err) {
    const { code, params, message } = err as Partial<CallError>;
    return {
      ok: false,
      error:
        typeof code === 'string' && typeof message === 'string'
          ? { code, params: params ?? {}, message }
          : callErrorInfo(err),
    };
  }
}

/**
 * Registers one handler per contract method; each resolves with a CallOutcome (the preload turns an
 * error back into a rejection). Returns a function that removes them all (for a window reload in
 * development, and for tests).
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  engine: Engine,
  deps: IpcDeps,
): () => void {
  const call = createApi(engine, deps);
  for (const method of METHODS) {
    ipcMain.handle(channelOf(method), async (event, ...args: unknown[]) => {
      if (!deps.isTrustedSender(event)) {
        const err = new CodedError('CALL_NOT_ALLOWED', {});
        deps.onError?.(method, err);
        return { ok: false, error: err.info() } satisfies CallOutcome;
      }
      return outcomeOf(() => call(method, args));
    });
  }
  return () => {
    for (const method of METHODS) ipcMain.removeHandler(channelOf(method));
  };
}

export interface ForwardOptions {
  /** The least time between two progress updates of one job sent to the window. */
  progressIntervalMs?: number;
}

/**
 * Sends the engine's job/progress/log/removed events to the window. Progress is throttled per job
 * (≤ 10/s by default) with a trailing update, so the last figures always arrive; a pending update is
 * dropped when its job ends or is removed, so it never lands after the final state. Returns the
 * function that stops forwarding.
 */
export function forwardEvents(
  engine: Pick<Engine, 'on' | 'off'>,
  webContents: Pick<WebContents, 'isDestroyed'> & { send(channel: string, payload: unknown): void },
  { progressIntervalMs = 100 }: ForwardOptions = {},
): () => void {
  const send = <E extends EventName>(event: E, payload: EventPayloads[E]) => {
    if (!webContents.isDestroyed()) webContents.send(eventChannelOf(event), payload);
  };
  const lastSent = new Map<string, number>();
  const pending = new Map<string, { progress: JobProgress; timer: NodeJS.Timeout }>();

  const flush = (jobId: string, progress: JobProgress) => {
    lastSent.set(jobId, Date.now());
    send('progress', { jobId, progress: { ...progress } });
  };
  const forget = (jobId: string) => {
    const p = pending.get(jobId);
    if (p) clearTimeout(p.timer);
    pending.delete(jobId);
    lastSent.delete(jobId);
  };

  const listeners = {
    job: (job: Job) => {
      if (TERMINAL.includes(job.status)) forget(job.id);
      send('job', job);
    },
    progress: (jobId: string, progress: JobProgress) => {
      const p = pending.get(jobId);
      if (p) {
        p.progress = progress;
        return;
      }
      const wait = (lastSent.get(jobId) ?? -Infinity) + progressIntervalMs - Date.now();
      if (wait <= 0) return flush(jobId, progress);
      const timer = setTimeout(() => {
        const latest = pending.get(jobId);
        pending.delete(jobId);
        if (latest) flush(jobId, latest.progress);
      }, wait);
      pending.set(jobId, { progress, timer });
    },
    log: (line: EventPayloads['log']) => send('log', line),
    removed: (jobId: string) => {
      forget(jobId);
      send('removed', { jobId });
    },
    changed: () => send('changed', {}),
    team: (status: EventPayloads['team']) => send('team', status),
  } satisfies Record<(typeof ENGINE_EVENTS)[number], (...args: never[]) => void>;

  for (const event of ENGINE_EVENTS) engine.on(event, listeners[event]);
  return () => {
    for (const event of ENGINE_EVENTS) engine.off(event, listeners[event]);
    for (const id of [...pending.keys()]) forget(id);
  };
}
