/**
 * The one contract between the desktop shell (main), its preload and the renderer: method names,
 * argument, result and event types, channel names and the zod schemas every IPC argument is checked
 * against in main. The renderer and the preload import TYPES only from here (`import type`): the
 * values pull in zod and the engine's settings module, which a sandboxed preload cannot load.
 */
import { z } from 'zod';
import { ClickHouseSettings, SECRET_NAMES, Settings, TeamSettings } from './settings-schema.ts';
import type { SecretName, SecretStorage } from './settings-schema.ts';
import type { TeamStatus, TeamTestResult, TeamWorker } from './team-types.ts';
import { CrossdockOptions, SubmitSpec } from './spec.ts';
import { CodedError, type ErrorInfo } from './errors.ts';
import type {
  ErrorParams,
  InspectResult,
  Job,
  JobComment,
  JobLogLine,
  JobProgress,
  Schedule,
} from './types.ts';

export type { ErrorInfo, ErrorParams, InspectResult };
export type { SecretName, SecretStorage, TeamStatus, TeamTestResult, TeamWorker };

export type { Job, JobComment, JobLogLine, JobProgress, Schedule };
export type SettingsValue = z.infer<typeof Settings>;
export type SubmitSpecInput = z.input<typeof SubmitSpec>;

// ── schemas of what crosses ─────────────────────────────────────────────────────────────────────

/** A ULID, as the engine makes for jobs and schedules (Crockford base32, 26 characters). */
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const id = z.string().regex(ULID_PATTERN, 'this is not a job or schedule id');
const commentId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const filePath = z
  .string()
  .min(1, 'a path cannot be empty')
  .max(4096)
  .refine((p) => !p.includes('\u0000'), 'a path cannot contain NUL');
const commentText = z.string().max(10_000);

const JobStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const JobKindSchema = z.enum(['crossdock', 'catalog-import', 'export']);

export const JobFilterSchema = z
  .object({
    status: z.array(JobStatusSchema).max(5).optional(),
    kind: z.array(JobKindSchema).max(3).optional(),
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();
export type JobFilter = z.infer<typeof JobFilterSchema>;

/** A settings change: only known keys, each checked by the engine's own schema. */
export const SettingsPatchSchema = Settings.partial()
  .strict()
  .refine((p) => !p.defaultOutDir?.includes('\u0000'), {
    message: 'a path cannot contain NUL',
    path: ['defaultOutDir'],
  });
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

/**
 * How the renderer submits: `rememberColumns` when the columns come from the new-job sheet;
 * `fromJob` for "Run again with…": the file is that job's input copy (the spec's `input` is taken
 * from that job too), so a failed job runs again with one setting fixed even if its file has moved.
 */
export const SubmitOptionsSchema = z
  .object({ rememberColumns: z.boolean().optional(), fromJob: id.optional() })
  .strict();

const sheetName = z.string().min(1).max(200);
/**
 * The header row and columns the new-job sheet asks inspect to use, as a crossdock spec's `columns`
 * (each column by header text or 1-based index; headerRow a sheet row number, 0 = none).
 */
export const InspectColumnsSchema = CrossdockOptions.shape.columns.unwrap();
export type InspectColumns = z.infer<typeof InspectColumnsSchema>;
/** `count` false: a quick first look at the first rows, without counting the invalid lines. */
export const InspectOptionsSchema = z.object({ count: z.boolean().optional() }).strict();

/** The jobs "Clear finished" removes: at most as many as the renderer lists. */
const jobIds = z.array(id).max(10_000, 'at most 10,000 jobs at once');

const source = z.enum(['demo', 'clickhouse']);
const cron = z.string().min(1).max(200);
const timezone = z.string().max(100).nullable();
const lang = z.enum(['en', 'ru']);
const password = z.string().max(1000);

/** The arguments of every method, in order; main rejects a call whose arguments do not match. */
export const ARG_SCHEMAS = {
  /** The sheet: null or absent, the first with a header (null: a JSON caller's "none" before the columns). */
  inspect: z.tuple([
    filePath,
    sheetName.nullish(),
    InspectColumnsSchema.nullish(),
    InspectOptionsSchema.optional(),
  ]),
  /** A job's input copy looked at again (Run again with…), by the job's id: named as that job's file. */
  inspectJobInput: z.tuple([
    id,
    sheetName.nullish(),
    InspectColumnsSchema.nullish(),
    InspectOptionsSchema.optional(),
  ]),
  submit: z.tuple([SubmitSpec, SubmitOptionsSchema.optional()]),
  listJobs: z.tuple([JobFilterSchema.optional()]),
  getJob: z.tuple([id]),
  cancel: z.tuple([id]),
  retry: z.tuple([id]),
  remove: z.tuple([id]),
  /** Without ids: every finished job. */
  clearFinished: z.tuple([jobIds.optional()]),
  addComment: z.tuple([id, commentText]),
  editComment: z.tuple([commentId, commentText]),
  deleteComment: z.tuple([commentId]),
  supplierLists: z.tuple([source.optional()]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([SettingsPatchSchema]),
  listSchedules: z.tuple([]),
  addSchedule: z.tuple([cron, SubmitSpec, timezone.optional()]),
  pauseSchedule: z.tuple([id]),
  resumeSchedule: z.tuple([id]),
  removeSchedule: z.tuple([id]),
  describeCron: z.tuple([cron, lang]),
  openResult: z.tuple([filePath]),
  showInFolder: z.tuple([filePath]),
  chooseFiles: z.tuple([]),
  chooseFolder: z.tuple([]),
  appInfo: z.tuple([]),
  secretStatus: z.tuple([]),
  setSecret: z.tuple([z.enum(SECRET_NAMES), password.nullable()]),
  testClickHouse: z.tuple([ClickHouseSettings.extend({ password: password.optional() })]),
  teamStatus: z.tuple([]),
  testTeam: z.tuple([
    TeamSettings.pick({ url: true, user: true, name: true, caFile: true }).extend({
      password: password.optional(),
    }),
  ]),
  /** The app's updates as they stand (Settings' Updates card). */
  updateStatus: z.tuple([]),
  /** Looks for an update now (the card's button, as Help → Check for updates…). */
  checkForUpdates: z.tuple([]),
  /** The sample request list that ships with the app (the empty jobs screen's "Try with the sample"). */
  sampleRequestList: z.tuple([]),
} satisfies Record<string, z.ZodTuple>;

export type MethodName = keyof typeof ARG_SCHEMAS;

/** Every method name, for the preload and for the main side's "one handler each" check. */
export const METHODS = Object.keys(ARG_SCHEMAS) as MethodName[];

// ── results ─────────────────────────────────────────────────────────────────────────────────────

export interface SubmitResult {
  job: Job;
  /** An equal job was already queued or running: this is it, nothing new was queued. */
  duplicate: boolean;
}

export interface JobDetails {
  job: Job;
  /** 1-based place in the queue while queued, else null. */
  queuePosition: number | null;
  logs: JobLogLine[];
  comments: JobComment[];
}

export interface AppInfo {
  version: string;
  /** 'electron' in the app; 'bridge' when the renderer runs in a browser against the test bridge. */
  shell: 'electron' | 'bridge';
  platform: string;
  /** The system's language, for the "follow the system" setting. */
  systemLanguage: 'en' | 'ru';
  dataDir: string;
  /** The operating system's user name: what comments are signed with unless Settings names someone. */
  userName: string;
}

/**
 * The app's updates (electron-updater against the build's update URL): off (a build without an
 * update URL, or not installed from a package), not checked yet, checking, up to date, downloading
 * (percent), ready (installs on quit), or the error's first line.
 */
export type UpdateStatus =
  | { state: 'off'; reason: 'no-url' | 'not-packaged' }
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'up-to-date'; version: string }
  | { state: 'downloading'; version: string; percent: number }
  | { state: 'ready'; version: string }
  | { state: 'error'; message: string };

export interface SecretStatus {
  storage: SecretStorage;
  /** Which secrets are stored (never their values). */
  set: Record<SecretName, boolean>;
}

export type ClickHouseTestResult =
  | { ok: true; version: string; lists: string[] }
  | {
      ok: false;
      /** The English sentence; with `errorCode`, the renderer shows the code's message in its language. */
      error: string;
      errorCode?: string | null;
      errorParams?: ErrorParams | null;
    };

// ── errors of a call ────────────────────────────────────────────────────────────────────────────

/**
 * What a method call answers on the wire (the IPC channel, the test bridge): its value, or its error
 * as code, params and English sentence. Electron keeps only the message of an Error a handler throws,
 * so the handler resolves with this instead and the preload turns `ok: false` back into a rejection.
 */
export type CallOutcome<M extends MethodName = MethodName> =
  { ok: true; value: MethodResult<M> } | { ok: false; error: ErrorInfo };

/**
 * How a method call rejects in the renderer: an Error whose message is the English sentence, with the
 * code (src-main/common/messages) and params to render it in the UI language.
 */
export interface CallError extends Error {
  code: string;
  params: ErrorParams;
}

// ── events ──────────────────────────────────────────────────────────────────────────────────────

export interface EventPayloads {
  /** A job changed state (queued, started, ended, ...): the whole row. */
  job: Job;
  /** Live progress of a running job, at most 10 a second per job. */
  progress: { jobId: string; progress: JobProgress };
  log: JobLogLine;
  /** A job was deleted (by the user or by retention cleanup). */
  removed: { jobId: string };
  /** Another process (the CLI, a worker) changed the job table: reload what is shown. */
  changed: Record<string, never>;
  /** The team queue's state changed (workers, counts, online/offline). */
  team: TeamStatus;
  /** The shell asks to show a job (a notification was clicked). */
  showJob: { jobId: string };
  /** The shell got files to open (Open… in the menu, the command line, the OS "open with"). */
  openFiles: { paths: string[] };
  /** A menu item asks for a screen. */
  navigate: { screen: 'jobs' | 'schedules' | 'team' | 'settings' };
  /** The app's updates changed state (checking, a download's percent, ready, an error). */
  update: UpdateStatus;
}
export type EventName = keyof EventPayloads;
/** The events the engine raises (forwarded by forwardEvents); the rest come from the shell. */
export const ENGINE_EVENTS = ['job', 'progress', 'log', 'removed', 'changed', 'team'] as const;
export const EVENTS: readonly EventName[] = [...ENGINE_EVENTS, 'showJob', 'openFiles', 'navigate', 'update'];

// ── the API as the renderer sees it ─────────────────────────────────────────────────────────────

type Args<M extends MethodName> = z.input<(typeof ARG_SCHEMAS)[M]>;

interface Results {
  inspect: InspectResult;
  inspectJobInput: InspectResult;
  submit: SubmitResult;
  listJobs: Job[];
  getJob: JobDetails | null;
  cancel: Job;
  retry: Job;
  remove: void;
  /** The ids of the jobs deleted (finished ones only: queued and running jobs are never deleted). */
  clearFinished: string[];
  addComment: JobComment;
  editComment: JobComment;
  deleteComment: void;
  supplierLists: string[];
  getSettings: SettingsValue;
  updateSettings: SettingsValue;
  listSchedules: Schedule[];
  addSchedule: Schedule;
  pauseSchedule: Schedule;
  resumeSchedule: Schedule;
  removeSchedule: void;
  describeCron: string;
  openResult: void;
  showInFolder: void;
  /** The chosen files, or an empty list when the dialog was cancelled. */
  chooseFiles: string[];
  /** The chosen folder, or null when the dialog was cancelled. */
  chooseFolder: string | null;
  appInfo: AppInfo;
  secretStatus: SecretStatus;
  setSecret: SecretStatus;
  testClickHouse: ClickHouseTestResult;
  teamStatus: TeamStatus;
  testTeam: TeamTestResult;
  updateStatus: UpdateStatus;
  checkForUpdates: UpdateStatus;
  /** The sample's path, or null when the app was built without it. */
  sampleRequestList: string | null;
}

export type MethodResult<M extends MethodName> = Results[M];

export type CrossdockMethods = {
  [M in MethodName]: (...args: Args<M>) => Promise<Results[M]>;
};

/** `window.crossdock`: the methods, event subscription, and the path of a dropped File. */
export type CrossdockApi = CrossdockMethods & {
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** The file system path of a File from a drop or an <input type="file"> (File.path is gone). */
  pathForFile(file: File): string;
};

// ── channels ────────────────────────────────────────────────────────────────────────────────────

// The preload spells these out itself (a sandboxed preload must not bundle zod or the engine);
// these types make the compiler hold both spellings to the same names.
export type MethodChannel<M extends MethodName = MethodName> = `crossdock:${M}`;
export type EventChannel<E extends EventName = EventName> = `crossdock:event:${E}`;

export function channelOf<M extends MethodName>(method: M): MethodChannel<M> {
  return `crossdock:${method}`;
}

export function eventChannelOf<E extends EventName>(event: E): EventChannel<E> {
  return `crossdock:event:${event}`;
}

/** What is wrong with a call's arguments, as a coded error (its message is one sentence). */
export function argError(method: MethodName, error: z.ZodError): CodedError {
  const issue = error.issues[0];
  const [index, ...rest] = issue?.path ?? [];
  const problem = { field: rest.map(String).join('.'), reason: tidyIssue(issue?.message ?? 'invalid input') };
  if ((method === 'submit' && index === 0) || (method === 'addSchedule' && index === 1))
    return new CodedError('JOB_SETTINGS_INVALID', problem);
  if (method === 'updateSettings' && index === 0) return new CodedError('SETTINGS_INVALID', problem);
  return new CodedError('CALL_ARGS_INVALID', {
    method,
    argument: typeof index === 'number' ? index + 1 : null,
    ...problem,
  });
}

/** One sentence naming what is wrong with a call's arguments. */
export function describeArgError(method: MethodName, error: z.ZodError): string {
  return argError(method, error).message;
}

/** A zod issue message as a clause inside one sentence: no inner full stops, no trailing one. */
export function tidyIssue(message: string): string {
  const m = message
    .trim()
    .replace(/\.\s+(?=\S)/g, '; ')
    .replace(/[.\s]+$/, '');
  return m.charAt(0).toLowerCase() + m.slice(1);
}
