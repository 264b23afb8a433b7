import { create } from 'zustand';
import type { AppInfo, Job, JobProgress, SettingsValue, TeamStatus } from '../src-main/common/contract.ts';
import { ACCEPTED_EXTENSIONS, api, baseName, errorText, extensionOf } from './api.ts';
import { tNow, useLang } from './i18n/index.ts';

export type Screen = 'jobs' | 'schedules' | 'team' | 'settings';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
  /** An optional action button (e.g. "Show job"). */
  action?: { label: string; run: () => void };
}

/**
 * "Run again with…": the new-job sheet opens on a failed job's own input copy (engine's, so the
 * original may have moved) with that job's options, for the user to fix the one wrong thing.
 */
export interface SheetJob {
  jobId: string;
  /** The job's file name and the path it was submitted from (shown; the copy is read). */
  name: string;
  input: string;
  list?: string;
  sheet?: string;
  columns: { brand?: string; article?: string; quantity?: string; headerRow?: number };
  analogs?: 'off' | 'missing' | 'always';
  alternatives?: number;
  priority?: 'high' | 'normal' | 'low';
  outDir?: string;
}

/** The sheet's entry for a job's file (not a path: its file is read by job id). */
export const sheetJobKey = (jobId: string): string => `job:${jobId}`;

export interface ConfirmRequest {
  title: string;
  body?: string;
  okLabel?: string;
  danger?: boolean;
  resolve: (ok: boolean) => void;
}

interface AppState {
  jobs: Record<string, Job>;
  jobsLoaded: boolean;
  runningCount: number;
  /** Live progress by job id: each row subscribes to its own entry only. */
  progress: Record<string, JobProgress | null>;
  settings: SettingsValue | null;
  appInfo: AppInfo | null;
  team: TeamStatus | null;
  fatal: string | null;

  screen: Screen;
  selectedJobId: string | null;
  detailOpen: boolean;
  /** Files waiting in the new-job sheet; null when it is closed. */
  sheetPaths: string[] | null;
  /** Entries of `sheetPaths` that are an earlier job's file and options (Run again with…), by entry. */
  sheetJobs: Record<string, SheetJob>;
  toasts: Toast[];
  confirm: ConfirmRequest | null;
}

export const useApp = create<AppState>(() => ({
  jobs: {},
  jobsLoaded: false,
  runningCount: 0,
  progress: {},
  settings: null,
  appInfo: null,
  team: null,
  fatal: null,
  screen: 'jobs',
  selectedJobId: null,
  detailOpen: false,
  sheetPaths: null,
  sheetJobs: {},
  toasts: [],
  confirm: null,
}));

const set = useApp.setState;
const get = useApp.getState;

function countRunning(jobs: Record<string, Job>): number {
  let n = 0;
  for (const id in jobs) if (jobs[id].status === 'running') n++;
  return n;
}

const STAGE = { queued: 0, running: 1, succeeded: 2, failed: 2, cancelled: 2 } as const;

/**
 * Whether `next` is news over `current`. Events and call results race (a submit's reply, saying
 * "queued", can arrive after the event saying the job started): an older copy never replaces a newer.
 */
function isNewer(next: Job, current: Job | undefined): boolean {
  if (!current) return true;
  if (next.updatedAt !== current.updatedAt) return next.updatedAt > current.updatedAt;
  return STAGE[next.status] >= STAGE[current.status];
}

/** Newer progress from events wins over the (checkpointed) progress a job row carries. */
function mergedProgress(job: Job, current: JobProgress | null | undefined): JobProgress | null {
  if (job.status === 'running' && current && job.progress && current.done > job.progress.done) return current;
  return job.progress;
}

// ── jobs ─────────────────────────────────────────────────────────────────────────────────────────

export async function loadJobs(): Promise<void> {
  try {
    const asked = Date.now();
    const list = await api.listJobs({ limit: 10_000 });
    const prev = get().jobs;
    const prevProgress = get().progress;
    const jobs: Record<string, Job> = {};
    const progress: Record<string, JobProgress | null> = {};
    for (const job of list) {
      const old = prev[job.id];
      // Keep unchanged rows' objects, so their memoized rows do not re-render.
      const keep =
        old && (!isNewer(job, old) || (old.updatedAt === job.updatedAt && old.status === job.status));
      jobs[job.id] = keep ? old : job;
      progress[job.id] = mergedProgress(jobs[job.id], prevProgress[job.id]);
    }
    // A job submitted while the list was on its way came by event: keep it.
    for (const id in prev)
      if (!jobs[id] && prev[id].createdAt >= asked - 1000) {
        jobs[id] = prev[id];
        progress[id] = prevProgress[id] ?? null;
      }
    set({ jobs, progress, jobsLoaded: true, runningCount: countRunning(jobs) });
  } catch (err) {
    if (!get().jobsLoaded) set({ fatal: errorText(err), jobsLoaded: true });
    else toast('error', errorText(err));
  }
}

export function upsertJob(job: Job): void {
  const s = get();
  if (!isNewer(job, s.jobs[job.id])) return;
  const jobs = { ...s.jobs, [job.id]: job };
  set({
    jobs,
    runningCount: countRunning(jobs),
    progress: { ...s.progress, [job.id]: mergedProgress(job, s.progress[job.id]) },
  });
}

export function setProgress(jobId: string, progress: JobProgress): void {
  const s = get();
  if (!s.jobs[jobId]) return;
  // Updated in place: copying a 10,000-entry map ten times a second per job is waste. Rows select
  // `progress[id]`, so only the row whose entry is a new object re-renders.
  s.progress[jobId] = progress;
  set({ progress: s.progress });
}

export function dropJob(jobId: string): void {
  dropJobs([jobId]);
}

/** Drops many jobs in one store update (a "Clear finished" of thousands is one re-render). */
export function dropJobs(jobIds: readonly string[]): void {
  const s = get();
  const gone = jobIds.filter((id) => s.jobs[id]);
  if (gone.length === 0) return;
  const jobs = { ...s.jobs };
  const progress = { ...s.progress };
  for (const id of gone) {
    delete jobs[id];
    delete progress[id];
  }
  set({
    jobs,
    progress,
    runningCount: countRunning(jobs),
    ...(s.selectedJobId !== null && gone.includes(s.selectedJobId)
      ? { selectedJobId: null, detailOpen: false }
      : {}),
  });
}

// ── navigation and selection ─────────────────────────────────────────────────────────────────────

export function navigate(screen: Screen): void {
  set({ screen });
}

export function selectJob(jobId: string | null, open = true): void {
  set({ selectedJobId: jobId, detailOpen: jobId !== null && open });
}

export function showJob(jobId: string): void {
  set({ screen: 'jobs', selectedJobId: jobId, detailOpen: true });
}

export function closeDetail(): void {
  set({ detailOpen: false });
}

// ── files in ─────────────────────────────────────────────────────────────────────────────────────

/** Paths from a drop, the Open… dialog or the shell: refuse what cannot be read, sheet the rest. */
export function openPaths(paths: string[]): void {
  const ok: string[] = [];
  for (const path of paths) {
    if (ACCEPTED_EXTENSIONS.includes(extensionOf(path))) ok.push(path);
    else toast('error', tNow('drop.unsupported', { name: baseName(path) }));
  }
  if (!ok.length) return;
  const current = get().sheetPaths ?? [];
  const merged = [...current, ...ok.filter((p) => !current.includes(p))];
  set({ sheetPaths: merged, screen: 'jobs' });
}

export function chooseAndOpen(): Promise<void> {
  return attempt(async () => {
    const paths = await api.chooseFiles();
    if (paths.length) openPaths(paths);
  });
}

export function closeSheet(): void {
  set({ sheetPaths: null, sheetJobs: {} });
}

export function removeSheetPath(path: string): void {
  const left = (get().sheetPaths ?? []).filter((p) => p !== path);
  const { [path]: _gone, ...jobs } = get().sheetJobs;
  set({ sheetPaths: left.length ? left : null, sheetJobs: left.length ? jobs : {} });
}

/** Run again with…: a crossdock's file (its input copy) in the new-job sheet, with its options. */
export function runAgainWith(job: Job): void {
  const spec = job.spec;
  if (job.kind !== 'crossdock' || spec.inputCopy === undefined) return;
  const key = sheetJobKey(job.id);
  const entry: SheetJob = {
    jobId: job.id,
    name: job.name,
    input: spec.input ?? job.name,
    list: spec.list,
    sheet: spec.sheet,
    columns: { ...spec.columns },
    analogs: spec.analogs,
    alternatives: spec.alternatives,
    priority: job.priority,
    outDir: spec.outDir,
  };
  const current = get().sheetPaths ?? [];
  set({
    sheetPaths: current.includes(key) ? current : [...current, key],
    sheetJobs: { ...get().sheetJobs, [key]: entry },
    screen: 'jobs',
  });
}

// ── toasts and confirmations ─────────────────────────────────────────────────────────────────────

let toastSeq = 0;

export function toast(kind: Toast['kind'], text: string, action?: Toast['action']): number {
  const id = ++toastSeq;
  set({ toasts: [...get().toasts, { id, kind, text, action }].slice(-5) });
  window.setTimeout(() => dismissToast(id), kind === 'error' ? 10_000 : 5_000);
  return id;
}

export function dismissToast(id: number): void {
  set({ toasts: get().toasts.filter((t) => t.id !== id) });
}

/** Runs what a click asked for: a failure is a toast (one sentence), not an exception. */
export async function attempt(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (err) {
    toast('error', errorText(err));
  }
}

export function askConfirm(req: Omit<ConfirmRequest, 'resolve'>): Promise<boolean> {
  get().confirm?.resolve(false);
  return new Promise((resolve) => {
    set({
      confirm: {
        ...req,
        resolve: (ok) => {
          set({ confirm: null });
          resolve(ok);
        },
      },
    });
  });
}

/** Asks first; `action` runs (as `attempt` runs it) only on yes. */
export async function confirmThen(
  req: Omit<ConfirmRequest, 'resolve'>,
  action: () => Promise<unknown>,
): Promise<void> {
  if (await askConfirm(req)) await attempt(action);
}

// ── job actions (shared by rows, the detail panel and the Delete key) ────────────────────────────

export function deleteJob(job: Job): Promise<void> {
  return confirmThen(
    {
      title: tNow('confirm.deleteJob.title'),
      body: tNow('confirm.deleteJob.body', { name: job.name }),
      okLabel: tNow('confirm.delete'),
      danger: true,
    },
    async () => {
      await api.remove(job.id);
      dropJob(job.id);
    },
  );
}

export const FINISHED: readonly Job['status'][] = ['succeeded', 'failed', 'cancelled'];

/**
 * "Clear finished…": removes the finished ones among the jobs the list shows, after a confirmation
 * saying how many go, whether a filter limits them, and that result files stay.
 */
export async function clearFinishedJobs(shown: readonly Job[], filtered: boolean): Promise<void> {
  const finished = shown.filter((j) => FINISHED.includes(j.status));
  if (finished.length === 0) return;
  await confirmThen(
    {
      title: tNow('confirm.clearFinished.title', { n: finished.length }),
      body: tNow(filtered ? 'confirm.clearFinished.bodyFiltered' : 'confirm.clearFinished.body'),
      okLabel: tNow('confirm.clear'),
      danger: true,
    },
    async () => {
      const removed = await api.clearFinished(finished.map((j) => j.id));
      dropJobs(removed);
      toast('success', tNow('jobs.cleared', { n: removed.length }));
    },
  );
}

export function cancelJob(job: Job): Promise<void> {
  return attempt(async () => upsertJob(await api.cancel(job.id)));
}

export function retryJob(job: Job): Promise<void> {
  return attempt(async () => upsertJob(await api.retry(job.id)));
}

export function openResult(path: string): Promise<void> {
  return attempt(() => api.openResult(path));
}

export function showInFolder(path: string): Promise<void> {
  return attempt(() => api.showInFolder(path));
}

// ── settings and start-up ────────────────────────────────────────────────────────────────────────

export function applySettings(settings: SettingsValue): void {
  set({ settings });
  const info = get().appInfo;
  useLang.getState().setLang(settings.language ?? info?.systemLanguage ?? useLang.getState().lang);
}

/** The folder new jobs and schedules offer first. */
export async function rememberOutDir(dir: string): Promise<void> {
  applySettings(await api.updateSettings({ defaultOutDir: dir }));
}

let started = false;

export async function start(): Promise<void> {
  if (started) return;
  started = true;
  api.on('job', upsertJob);
  api.on('progress', ({ jobId, progress }) => setProgress(jobId, progress));
  api.on('removed', ({ jobId }) => dropJob(jobId));
  let reload: number | null = null;
  api.on('changed', () => {
    // Bursts of changes from another process: one reload.
    if (reload !== null) return;
    reload = window.setTimeout(() => {
      reload = null;
      void loadJobs();
    }, 150);
  });
  api.on('team', (team) => set({ team }));
  api.on('showJob', ({ jobId }) => showJob(jobId));
  api.on('openFiles', ({ paths }) => openPaths(paths));
  api.on('navigate', ({ screen }) => navigate(screen));

  try {
    const [appInfo, settings] = await Promise.all([api.appInfo(), api.getSettings()]);
    set({ appInfo });
    applySettings(settings);
  } catch (err) {
    set({ fatal: errorText(err) });
  }
  await loadJobs();
  try {
    set({ team: await api.teamStatus() });
  } catch {
    // The team panel says it is off; nothing to do here.
  }
}
