import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import type { ClickHouseConfig } from '../../src-worker/api.ts';
import type { InspectInput, SourceConfig } from '../../src-worker/protocol.ts';
import type { TeamStatus, TeamTestResult } from '../common/team-types.ts';
import type { InspectResult, Job, JobComment, JobLogLine } from '../common/types.ts';
import { TERMINAL } from '../common/types.ts';
import type { TeamConfig } from '../team/config.ts';
import { LocalBroker, type Broker } from './broker.ts';
import { ColumnMemory, inspectedFileKey } from './column-memory.ts';
import { HotFolders, type HotFolderSource, type HotFolderTiming } from './hot-folders.ts';
import type { EngineContext, LogText } from './context.ts';
import { ScheduleError, ScheduleService, type Schedule } from './schedules.ts';
import { LocalScheduler } from './scheduler.ts';
import { EnvironmentSecrets, type SecretStore } from './secrets.ts';
import { loadSettings, saveSettings, type Settings } from './settings.ts';
import { Sources } from './sources.ts';
import { JobStore, type JobFilter, type Owner } from './store.ts';
import { SubmitError } from './submit-error.ts';
import { parseScheduledSpec, submitJob, ulid, type SubmitRecord, type SubmitResult } from './submit.ts';
import { TaskRunner } from './task-runner.ts';
import { TeamBroker, type TeamTestConfig } from './team-broker.ts';
import { waitForAll } from './waiting.ts';
import { cleanup, clearFinished } from './housekeeping.ts';

export { SubmitError } from './submit-error.ts';
export type { SubmitResult } from './submit.ts';
export { stableJson } from './submit.ts';
export { temporaryPath } from './results.ts';

export interface EngineOptions {
  dataDir: string;
  /** Which jobs this engine may run: every queued job, only these ids, or none (a client only). */
  run?: 'all' | 'none' | { only: string[] };
  workerFile?: string;
  nativeBinding?: string;
  user?: string;
  /** How often to look for work and for changes made by other processes. */
  pollMs?: number;
  /** A running job whose owner has not beaten its heart for this long is taken as interrupted. */
  staleAfterMs?: number;
  /** Jobs at once in this process, instead of the stored setting (e.g. `crossdock worker --concurrency`). */
  concurrency?: number;
  /** This process's ClickHouse connection (CLI flags or environment), over the stored settings. */
  clickhouse?: ClickHouseConfig;
  /** Where passwords are kept: the app's safeStorage (made over this engine's store), or the environment (the default). */
  secrets?: SecretStore | ((store: JobStore) => SecretStore);
  /** This process's team queue (`--redis`), over the stored team settings; null: none. */
  team?: TeamConfig | null;
  /** Watched folders (hot-folders.ts): the stored settings' (default where every job is run), or these. */
  hotFolders?: HotFolderSource;
  hotFolderTiming?: Partial<HotFolderTiming>;
}

/** How a submit was made, beyond the job's own spec. */
export interface SubmitOptions {
  /**
   * The columns come from the new-job sheet: remember them for the file's header row when they
   * differ from the detected ones (see column-memory.ts). The CLI and schedules never set this.
   */
  rememberColumns?: boolean;
  /**
   * "Run again with…": the file is this job's input copy and the new job is named as its file (the
   * spec's `input` is that job's), whether or not the original is still where it was.
   */
  fromJob?: string;
  /** Written in the job insert's transaction (a hot folder's file); see SubmitRecord. */
  record?: SubmitRecord;
}

/** The header row and columns an inspect is asked to use (a crossdock spec's `columns`). */
export type InspectColumns = NonNullable<InspectInput['columns']>;

/** How much an inspect reads: `count` false, only the first rows (no invalid-line counts). */
export interface InspectOptions {
  count?: boolean;
}

const HEARTBEAT_MS = 2000;
const DAY_MS = 86_400_000;
const SCHEDULE_POLL_MS = 30_000;

/** The operating system's name for the person running the app (never the placeholder 'local'). */
function osUserName(): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // no passwd entry (some containers): the environment's word for it
  }
  return process.env.USER || process.env.USERNAME || 'user';
}

/**
 * The job runner behind one API that the desktop shell's IPC handlers and the CLI both call: a
 * facade over the store (store.ts), the local scheduler (scheduler.ts), the task runner
 * (task-runner.ts), the brokers (broker.ts, team-broker.ts), the data sources (sources.ts), result
 * files (results.ts) and scheduled exports (schedules.ts).
 *
 * Events: 'job' (Job) after every committed state change, 'progress' (Job id, JobProgress) at most
 * 10 times a second per job, 'log' (JobLogLine), 'changed' when another process changed the table,
 * 'removed' (id), 'team' (TeamStatus), 'hot-folder' (HotFolderNotice), 'schedule-error', 'error'.
 */
export class Engine extends EventEmitter {
  readonly store: JobStore;
  readonly dataDir: string;
  readonly schedules: ScheduleService;
  /** Column mappings set by hand in the new-job sheet, per header row. */
  readonly columnMemory: ColumnMemory;
  readonly secrets: SecretStore;
  private readonly opts: EngineOptions;
  private readonly ctx: EngineContext;
  private readonly runner: TaskRunner;
  private readonly sources: Sources;
  private readonly scheduler: LocalScheduler;
  private readonly local: LocalBroker;
  private readonly team: TeamBroker;
  readonly hotFolders: HotFolders;
  private settingsCache: Settings;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private scheduleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private started = false;

  constructor(opts: EngineOptions) {
    super();
    this.opts = opts;
    this.dataDir = resolve(opts.dataDir);
    this.store = new JobStore(this.dataDir, opts.nativeBinding);
    this.columnMemory = this.store.columnMemory();
    this.settingsCache = loadSettings(this.store);
    this.secrets =
      typeof opts.secrets === 'function'
        ? opts.secrets(this.store)
        : (opts.secrets ?? new EnvironmentSecrets());
    this.runner = new TaskRunner(() => this.settings.timeLimits, opts.workerFile);
    this.sources = new Sources(this.dataDir, () => this.settings, this.secrets, opts.clickhouse);
    const owner: Owner = { id: ulid(), pid: process.pid, host: hostname() };
    this.ctx = {
      store: this.store,
      dataDir: this.dataDir,
      owner,
      user: opts.user ?? osUserName(),
      runner: this.runner,
      sources: this.sources,
      events: this,
      settings: () => this.settings,
      concurrency: () => this.concurrency,
      closed: () => this.closed,
      log: (id, level, message) => this.log(id, level, message),
      announce: (id) => this.announce(id),
      reportError: (err) => this.reportError(err),
    };
    this.scheduler = new LocalScheduler(this.ctx, {
      run: opts.run ?? 'all',
      pollMs: opts.pollMs ?? 500,
      staleAfterMs: opts.staleAfterMs ?? 30_000,
      busyElsewhere: () => this.team.busy,
      loadChanged: () => this.team.loadChanged(),
    });
    this.local = new LocalBroker(this.ctx, this.scheduler);
    this.team = new TeamBroker(this.ctx, {
      team: opts.team,
      secrets: this.secrets,
      localRunning: () => this.scheduler.size,
      slotFreed: () => this.scheduler.poke(0),
    });
    this.hotFolders = new HotFolders(this.ctx, (spec, record) => this.submit(spec, { record }), {
      folders: opts.hotFolders ?? ((opts.run ?? 'all') === 'all' ? 'settings' : []),
      ...(opts.hotFolderTiming ? { timing: opts.hotFolderTiming } : {}),
    });
    this.schedules = this.store.scheduleService((spec) => this.submit(spec), {
      onError: (schedule, error) => this.emit('schedule-error', schedule, error),
    });
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────

  /** Recovers interrupted jobs, cleans up old ones, and starts taking work. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.scheduler.recoverInterrupted();
    this.cleanup();
    this.retentionTimer = setInterval(() => this.cleanup(), DAY_MS);
    this.retentionTimer.unref();
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    // Scheduled exports run wherever jobs are taken from the whole queue (the app, a worker, `jobs resume`).
    if (this.scheduler.runsEverything) void this.runSchedules();
    this.scheduler.poke(0);
    this.team.start();
    this.hotFolders.start();
  }

  /**
   * Stops taking work. Running jobs are stopped and go back to the queue (they resume on the next
   * start), unless `drain` is set, in which case close waits for them to end.
   */
  async close({ drain = false } = {}): Promise<void> {
    if (this.closed) return;
    if (drain) await this.waitForIdle();
    this.closed = true;
    for (const t of [this.heartbeatTimer, this.retentionTimer, this.scheduleTimer]) if (t) clearTimeout(t);
    await this.hotFolders.close();
    const stopping = this.scheduler.close();
    await this.team.close();
    await stopping;
    await this.runner.close();
    this.store.close();
  }

  private waitForIdle(): Promise<void> {
    return new Promise((resolveIdle) => {
      const check = () => {
        if (this.scheduler.size === 0) {
          this.off('job', check);
          resolveIdle();
        }
      };
      this.on('job', check);
      check();
    });
  }

  private heartbeat(): void {
    if (this.closed) return;
    try {
      this.scheduler.heartbeat();
      this.team.noticePassword();
    } catch (err) {
      this.reportError(err);
    }
  }

  /** Jobs executing in this process now: local ones and team jobs taken by this computer. */
  runningHere(): string[] {
    return [...this.scheduler.runningIds(), ...this.team.runningIds()];
  }

  /** Lets this engine run more jobs (the CLI adds the jobs it submitted). */
  allowRun(ids: string[]): void {
    this.scheduler.allowRun(ids);
  }

  // ── settings ─────────────────────────────────────────────────────────────────────────────────

  /** Jobs this engine runs at once. */
  get concurrency(): number {
    return this.opts.concurrency ?? this.settings.concurrency;
  }

  get settings(): Settings {
    return this.settingsCache;
  }

  updateSettings(patch: Partial<Settings>): Settings {
    const before = JSON.stringify(this.settingsCache.team);
    this.settingsCache = saveSettings(this.store, patch);
    this.scheduler.poke(0);
    this.team.loadChanged(); // the concurrency may have changed
    if (JSON.stringify(this.settingsCache.team) !== before && this.team.followsSettings && this.started)
      void this.team.restart();
    this.hotFolders.settingsChanged();
    return this.settingsCache;
  }

  // ── team mode ────────────────────────────────────────────────────────────────────────────────

  /** The team queue as the team panel shows it ('off' until team mode is configured). */
  teamStatus(): TeamStatus {
    return this.team.status();
  }

  /** The team panel's figures fetched now (teamStatus() is refreshed every 2 s and on changes). */
  refreshTeamStatus(): Promise<TeamStatus> {
    return this.team.refreshStatus();
  }

  testTeam(config: TeamTestConfig): Promise<TeamTestResult> {
    return this.team.test(config);
  }

  /** Reconnects to the team queue with the current settings and secrets (after the Redis password changed). */
  async reconnectTeam(): Promise<void> {
    if (this.started) await this.team.restart();
  }

  // ── submitting ───────────────────────────────────────────────────────────────────────────────

  async submit(raw: unknown, options: SubmitOptions = {}): Promise<SubmitResult> {
    const from = options.fromJob === undefined ? undefined : this.jobInput(options.fromJob);
    if (from && raw && typeof raw === 'object') raw = { ...raw, input: from.input };
    const { result, spec } = await submitJob(
      this.ctx,
      raw,
      (s) => {
        // Team mode: crossdocks and exports go to the team queue (catalog imports change this computer's catalog).
        const team = this.team.active && s.kind !== 'catalog-import';
        return {
          team,
          tooBig: (size) => this.team.tooBig(size),
          queued: (job) => (team ? this.team : this.local).queued(job),
        };
      },
      from?.copy,
      options.record,
    );
    if (options.rememberColumns && !from && spec.kind === 'crossdock')
      await this.noteColumns(spec.input, spec.sheet, spec.columns);
    return result;
  }

  /** A job's input copy and the file it was made of (for Run again with…); coded errors when gone. */
  private jobInput(id: string): { copy: string; input: string; name: string } {
    const job = this.store.get(id);
    if (!job) throw new SubmitError('NO_SUCH_JOB', { id });
    const copy = job.spec.inputCopy;
    if (copy === undefined) throw new SubmitError('TEAM_JOB_NO_INPUT', {});
    try {
      if (!statSync(copy).isFile()) throw new Error('not a file');
    } catch {
      throw new SubmitError('INPUT_GONE', {});
    }
    return { copy, input: job.spec.input ?? job.name, name: job.name };
  }

  /** The new-job sheet's columns for a file: remembered for its header row if the user changed them. */
  private async noteColumns(file: string, sheet: string | undefined, columns: InspectColumns): Promise<void> {
    try {
      const st = statSync(file);
      // The sheet inspected the file just before: its detected columns are at hand, no second read.
      const seen =
        this.columnMemory.inspected(inspectedFileKey(file, sheet, st.size, st.mtimeMs)) ??
        (await this.inspect(file, sheet));
      this.columnMemory.note(seen, columns, Date.now());
    } catch (err) {
      // A file that cannot be read fails its job with the reason; the memory just stays as it was.
      if (!(err instanceof SubmitError)) this.reportError(err);
    }
  }

  // ── reading ──────────────────────────────────────────────────────────────────────────────────

  get(id: string): Job | null {
    return this.store.get(id);
  }

  list(filter?: JobFilter): Job[] {
    return this.store.list(filter);
  }

  queuePosition(id: string): number | null {
    return this.store.queuePosition(id);
  }

  logs(id: string, afterId?: number): JobLogLine[] {
    return this.store.logs(id, afterId);
  }

  /**
   * A look at a file before submitting it: sheets, the header and columns a job would use, the first
   * rows, an estimate of the row count. Read in a worker thread; bad files reject with one sentence.
   */
  async inspect(
    path: string,
    sheet?: string,
    columns?: InspectColumns,
    options: InspectOptions = {},
  ): Promise<InspectResult> {
    const file = resolve(path);
    let st;
    try {
      st = statSync(file);
    } catch {
      throw new SubmitError('FILE_DOES_NOT_EXIST', { path: file });
    }
    if (!st.isFile()) throw new SubmitError('FOLDER_NOT_SPREADSHEET', { path: file });
    const chosen = columns !== undefined && Object.values(columns).some((v) => v !== undefined);
    const outcome = await this.runner.inspect(
      file,
      basename(file),
      sheet,
      chosen ? columns : undefined,
      options.count,
      this.crossesSource(),
    );
    if (!outcome.ok) throw SubmitError.from(outcome.error);
    // A look with the user's own columns is not what was detected: the column memory keeps the other.
    if (chosen) return { ...outcome.inspect, remembered: null };
    const r = outcome.inspect;
    const key = inspectedFileKey(file, sheet, st.size, st.mtimeMs);
    const remembered = this.columnMemory.recall(key, r);
    // A submit names the sheet it saw even when none was asked for: the same look, under that key too.
    if (sheet === undefined && r.sheet !== null)
      this.columnMemory.recall(inspectedFileKey(file, r.sheet, st.size, st.mtimeMs), r);
    return { ...r, remembered };
  }

  /** Where an inspect asks how many lines have analogs: the source new jobs use; none when not set up. */
  private crossesSource(): SourceConfig | undefined {
    try {
      return this.sources.forSpec({ source: this.settings.source });
    } catch {
      return undefined;
    }
  }

  /** A job's input copy looked at again (Run again with…), named as that job's file. */
  async inspectJobInput(
    id: string,
    sheet?: string,
    columns?: InspectColumns,
    options: InspectOptions = {},
  ): Promise<InspectResult> {
    const { copy, name } = this.jobInput(id);
    const chosen = columns !== undefined && Object.values(columns).some((v) => v !== undefined);
    const outcome = await this.runner.inspect(
      copy,
      name,
      sheet,
      chosen ? columns : undefined,
      options.count,
      this.crossesSource(),
    );
    if (!outcome.ok) throw SubmitError.from(outcome.error);
    return { ...outcome.inspect, remembered: null };
  }

  /** Supplier list names of a source, for pickers and validation. */
  supplierLists(source: 'demo' | 'clickhouse' = this.settings.source): Promise<string[]> {
    return this.sources.supplierLists(source);
  }

  /** The settings screen's Test button for ClickHouse (see Sources.test). */
  testClickHouse(config: { url: string; database: string; user: string; password?: string }) {
    return this.sources.test(config);
  }

  // ── comments ─────────────────────────────────────────────────────────────────────────────────

  comments(jobId: string): JobComment[] {
    return this.store.comments(jobId);
  }

  /** The operating system's user name (or the one the engine was started with). */
  get systemUserName(): string {
    return this.ctx.user;
  }

  /** Who comments are signed as: the user name setting, else the OS user name. */
  get userName(): string {
    return this.settings.userName ?? this.ctx.user;
  }

  addComment(jobId: string, text: string, author = this.userName): JobComment {
    if (!this.store.get(jobId)) throw new SubmitError('NO_SUCH_JOB', { id: jobId });
    const body = text.trim();
    if (!body) throw new SubmitError('EMPTY_COMMENT', {});
    return this.store.addComment(jobId, author, body, Date.now());
  }

  editComment(id: number, text: string): JobComment {
    const body = text.trim();
    if (!body) throw new SubmitError('EMPTY_COMMENT', {});
    const c = this.store.editComment(id, body, Date.now());
    if (!c) throw new SubmitError('NO_SUCH_COMMENT', { id });
    return c;
  }

  deleteComment(id: number): void {
    if (!this.store.deleteComment(id)) throw new SubmitError('NO_SUCH_COMMENT', { id });
  }

  // ── control ──────────────────────────────────────────────────────────────────────────────────

  /** Cancels a queued job at once, or stops a running one (here, in another process, or on a teammate's computer). */
  async cancel(id: string): Promise<Job> {
    if (!this.store.get(id)) await this.team.adopt(id); // another member's team job
    const job = this.existing(id);
    if (TERMINAL.includes(job.status)) return job;
    return this.brokerOf(job).cancel(job);
  }

  retry(id: string): Job {
    const job = this.existing(id);
    return this.brokerOf(job).retry(job);
  }

  remove(id: string): void {
    const job = this.existing(id);
    if (!this.store.remove(id)) throw new SubmitError('CANNOT_DELETE', { status: job.status });
    this.emit('removed', id);
  }

  private existing(id: string): Job {
    const job = this.store.get(id);
    if (!job) throw new SubmitError('NO_SUCH_JOB', { id });
    return job;
  }

  /** Team jobs are acted on through the team queue (even when they run here), local ones here. */
  private brokerOf(job: Job): Broker {
    return job.origin === 'team' ? this.team : this.local;
  }

  /**
   * Deletes finished jobs (done, failed, cancelled) with their logs and comments, in one transaction,
   * and then their input copies that no job left needs: the given ids (all finished jobs without
   * them), optionally only those finished before a time. Queued and running jobs stay, whatever the
   * ids say; result files are never touched. Team jobs go as remove() takes them: from this
   * computer's list (the team queue keeps its own record). Returns the ids it deleted.
   */
  clearFinished(select: { ids?: readonly string[]; finishedBefore?: number } = {}): string[] {
    return clearFinished(this.ctx, select);
  }

  /**
   * Resolves when every one of these jobs has ended (a job that is gone counts as cancelled), whoever
   * runs it.
   */
  waitFor(ids: string[]): Promise<Job[]> {
    return waitForAll(this.ctx, ids);
  }

  // ── schedules ────────────────────────────────────────────────────────────────────────────────

  /** Adds a scheduled export after checking its cron expression and its job settings. */
  addSchedule(cron: string, spec: unknown, timezone: string | null = null): Schedule {
    const data = parseScheduledSpec(spec);
    const s = this.scheduleAction((schedules) => schedules.add({ cron, spec: data, timezone }));
    if (this.scheduler.runsEverything && this.scheduleTimer) {
      clearTimeout(this.scheduleTimer);
      void this.runSchedules();
    }
    return s;
  }

  /** Runs a schedule call, turning its errors into the engine's one-sentence kind. */
  scheduleAction<T>(fn: (s: ScheduleService) => T): T {
    try {
      return fn(this.schedules);
    } catch (err) {
      if (err instanceof ScheduleError) throw SubmitError.from(err);
      throw err;
    }
  }

  /** Submits due scheduled exports (a run missed while nothing ran is made up once), then sleeps until the next. */
  private async runSchedules(): Promise<void> {
    if (this.closed) return;
    try {
      await this.schedules.tick();
    } catch (err) {
      this.reportError(err);
    }
    if (this.closed) return;
    // Capped: schedules added by another process are noticed within half a minute.
    const wait = Math.min(this.schedules.msUntilNext() ?? SCHEDULE_POLL_MS, SCHEDULE_POLL_MS);
    this.scheduleTimer = setTimeout(() => void this.runSchedules(), Math.max(wait, 50));
    this.scheduleTimer.unref();
  }

  // ── housekeeping ─────────────────────────────────────────────────────────────────────────────

  /** Removes jobs, logs and input copies older than the retention period. Result files are never touched. */
  cleanup(now = Date.now()): { jobs: number; inputs: number } {
    return cleanup(this.ctx, now);
  }

  /**
   * A failure in the engine's own loop (the store busy past its timeout, say): the loop carries on.
   * Reported to 'error' listeners; without one, on stderr (an unheard 'error' event would crash).
   */
  private reportError(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else process.stderr.write(`crossdock engine: ${err instanceof Error ? err.message : String(err)}\n`);
  }

  private log(jobId: string, level: JobLogLine['level'], line: LogText): void {
    try {
      const text = typeof line === 'string' ? { message: line } : line;
      const coded = text.code ? { code: text.code, params: text.params ?? {} } : undefined;
      this.emit('log', this.store.addLog(jobId, level, text.message, Date.now(), coded));
    } catch {
      // the job was deleted meanwhile
    }
  }

  private announce(id: string): Job {
    const job = this.store.get(id)!;
    this.emit('job', job);
    return job;
  }
}
