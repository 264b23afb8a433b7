/**
 * The preload: exposes `window.crossdock` (the contract's API) and nothing else — no ipcRenderer,
 * no IPC event objects. It runs sandboxed, so it imports only `electron` and contract TYPES; the
 * name tables below are checked against the contract by the compiler (`satisfies`).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type {
  CallError,
  CallOutcome,
  CrossdockApi,
  CrossdockMethods,
  EventChannel,
  EventName,
  EventPayloads,
  MethodChannel,
  MethodName,
} from '../common/contract.ts';

// Every contract method, no more, no fewer (a missing or extra name fails to compile).
const METHOD_NAMES = {
  inspect: true,
  inspectJobInput: true,
  submit: true,
  listJobs: true,
  getJob: true,
  cancel: true,
  retry: true,
  remove: true,
  clearFinished: true,
  addComment: true,
  editComment: true,
  deleteComment: true,
  supplierLists: true,
  getSettings: true,
  updateSettings: true,
  listSchedules: true,
  addSchedule: true,
  pauseSchedule: true,
  resumeSchedule: true,
  removeSchedule: true,
  describeCron: true,
  openResult: true,
  showInFolder: true,
  chooseFiles: true,
  chooseFolder: true,
  appInfo: true,
  secretStatus: true,
  setSecret: true,
  testClickHouse: true,
  teamStatus: true,
  testTeam: true,
  updateStatus: true,
  checkForUpdates: true,
  sampleRequestList: true,
} satisfies Record<MethodName, true>;

const EVENT_NAMES = {
  job: true,
  progress: true,
  log: true,
  removed: true,
  changed: true,
  team: true,
  showJob: true,
  openFiles: true,
  navigate: true,
  update: true,
} satisfies Record<EventName, true>;

const methodChannel = <M extends MethodName>(method: M): MethodChannel<M> => `crossdock:${method}`;
const eventChannel = <E extends EventName>(event: E): EventChannel<E> => `crossdock:event:${event}`;

/** A call's error as the page gets it: the English sentence, with its code and params to render. */
function callError(error: { code?: unknown; params?: unknown; message?: unknown }): CallError {
  const message = typeof error.message === 'string' ? error.message : String(error.message);
  const params = error.params && typeof error.params === 'object' ? error.params : {};
  const code = typeof error.code === 'string' ? error.code : 'UNEXPECTED';
  return Object.assign(new Error(message), { code, params: params as CallError['params'] });
}

/**
 * A rejected invoke (no handler, a handler that threw): Electron wraps its error as "Error invoking
 * remote method 'x': Error: <message>", and keeps nothing else of it.
 */
function unwrap(err: unknown): CallError {
  const message = (err instanceof Error ? err.message : String(err)).replace(
    /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/,
    '',
  );
  return callError({ code: 'UNEXPECTED', params: { message }, message });
}

function method<M extends MethodName>(name: M): CrossdockMethods[M] {
  const channel = methodChannel(name);
  const call = async (...args: unknown[]) => {
    let outcome: CallOutcome<M>;
    try {
      outcome = (await ipcRenderer.invoke(channel, ...args)) as CallOutcome<M>;
    } catch (err) {
      throw unwrap(err);
    }
    if (outcome?.ok === false) throw callError(outcome.error ?? {});
    return outcome?.value;
  };
  return call as CrossdockMethods[M];
}

const methods = Object.fromEntries(
  (Object.keys(METHOD_NAMES) as MethodName[]).map((name) => [name, method(name)]),
) as CrossdockMethods;

const api = {
  ...methods,
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    if (!Object.hasOwn(EVENT_NAMES, event)) throw new Error(`There is no event "${String(event)}".`);
    const channel = eventChannel(event);
    // The IPC event object (with its sender) never reaches the page: only the payload does.
    const wrapped = (_event: unknown, payload: EventPayloads[E]) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
} satisfies CrossdockApi;

contextBridge.exposeInMainWorld('crossdock', api);
