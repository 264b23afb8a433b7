import { EventEmitter } from 'node:events';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  copyFileSync,
  constants,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { monotonicFactory } from 'ulid';
import { ZodError } from 'zod';
import type {
  CatalogImportInput,
  CrossdockInput,
  ExportInput,
  InspectOutcome,
  EngineMessage,
  SourceConfig,
  TaskOutcome,
  TaskRequest,
  WorkerMessage,
} from '../../src-worker/protocol.ts';
import {
  ClickHouseSource,
  DemoCatalog,
  ensureDemoCatalog,
  type ClickHouseConfig,
} from '../../src-worker/api.ts';
import { ColumnMemory, inspectedFileKey } from './column-memory.ts';
import { copyInput } from './input-copy.ts';
import { resultBaseName } from './output-name.ts';
import { ScheduleError, ScheduleService, type Schedule } from './schedules.ts';
import { defaultWorkerFile } from './paths.ts';
import { EnvironmentSecrets, type SecretStore } from './secrets.ts';
import { TEAM_OFF, type TeamStatus, type TeamTestResult } from '../common/team-types.ts';
import { checkRedisUrl, type TeamConfig } from '../team/config.ts';
import type { TeamHost, TeamTaskRequest } from '../team/host.ts';
import { TeamError, TeamService, testTeamConnection } from '../team/service.ts';
import { backoffMs, loadSettings, saveSettings, type Settings } from './settings.ts';
import { describeSpecError, SubmitSpec, type ParsedSpec } from '../common/spec.ts';
import { JobStore, type JobFilter, type Owner } from './store.ts';
import type { InspectResult, Job, JobComment, JobLogLine, JobProgress } from '../common/types.ts';
import { TERMINAL } from '../common/types.ts';
import { pidAlive } from './pid.ts';

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
}

/** How a submit was made, beyond the job's own spec. */
export interface SubmitOptions {
  /**
   * The columns come from the new-job sheet: remember them for the file's header row when they
   * differ from the detected ones (see column-memory.ts). The CLI and schedules never set this.
   */
  rememberColumns?: boolean;
}

/** A mistake in what the caller asked for: nothing was queued. */
export class SubmitError extends Error {
  override name = 'SubmitError';
}

export interface SubmitResult {
  job: Job;
  /** An equal job (same content, same options) was already queued or running: this is it. */
  duplicate: boolean;
}

interface Running {
  job: Job;
  abort: AbortController;
  reason: 'cancel' | 'hard-timeout' | 'shutdown' | null;
  port: import('node:worker_threads').MessagePort;
  progress: JobProgress;
  startedAt: number;
  lastEmit: number;
  lastPersist: number;
  timers: NodeJS.Timeout[];
}

const ulid = monotonicFactory();
const HEARTBEAT_MS = 2000;
const PROGRESS_EMIT_MS = 100;
const PROGRESS_PERSIST_MS = 1000;
const DAY_MS = 86_400_000;
const SCHEDULE_POLL_MS = 30_000;

/**
 * The job runner: the durable job table, the scheduler and the worker pool behind one API that the
 * desktop shell's IPC handlers and the CLI both call.
 *
 * Events: 'job' (Job) after every committed state change, 'progress' (Job id, JobProgress) at most
 * 10 times a second per job, 'log' (JobLogLine), 'changed' when another process changed the table.
 */
export class Engine extends EventEmitter {
  readonly store: JobStore;
  readonly dataDir: string;
  private readonly owner: Owner;
  private readonly opts: EngineOptions;
  private pool: Piscina | null = null;
  private readonly running = new Map<string, Running>();
  private readonly teamTasksHere = new Set<string>();
  private runFilter: 'all' | 'none' | Set<string>;
  private loopTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private scheduleTimer: NodeJS.Timeout | null = null;
  readonly schedules: ScheduleService;
  /** Column mappings set by hand in the new-job sheet, per header row. */
  readonly columnMemory: ColumnMemory;
  private lastDataVersion = -1;
  private ticking = false;
  private tickAgain = false;
  private closed = false;
  private settingsCache: Settings;
  readonly secrets: SecretStore;
  private team: TeamService | null = null;
  private started = false;

  constructor(opts: EngineOptions) {
    super();
    this.opts = opts;
    this.dataDir = resolve(opts.dataDir);
    this.store = new JobStore(this.dataDir, opts.nativeBinding);
    this.columnMemory = new ColumnMemory(this.store.db);
    this.owner = { id: ulid(), pid: process.pid, host: hostname() };
    const run = opts.run ?? 'all';
    this.runFilter = run === 'all' || run === 'none' ? run : new Set(run.only);
    this.settingsCache = loadSettings(this.store);
    this.secrets =
      typeof opts.secrets === 'function'
        ? opts.secrets(this.store)
        : (opts.secrets ?? new EnvironmentSecrets());
    this.schedules = new ScheduleService(this.store.db, (spec) => this.submit(spec), undefined, {
      onError: (schedule, error) => this.emit('schedule-error', schedule, error),
    });
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────

  /** Recovers interrupted jobs, cleans up old ones, and starts taking work. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.recoverInterrupted();
    this.cleanup();
    this.retentionTimer = setInterval(() => this.cleanup(), DAY_MS);
    this.retentionTimer.unref();
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    // Scheduled exports run wherever jobs are taken from the whole queue (the app, a worker, `jobs resume`).
    if (this.runFilter === 'all') void this.runSchedules();
    this.scheduleTick(0);
    this.startTeam();
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

  /** Adds a scheduled export after checking its cron expression and its job settings. */
  addSchedule(cron: string, spec: unknown, timezone: string | null = null): Schedule {
    const parsed = SubmitSpec.safeParse(spec);
    if (!parsed.success) throw new SubmitError(describeSpecError(parsed.error));
    if (parsed.data.kind !== 'export') throw new SubmitError('Only exports can be scheduled.');
    const data = { ...parsed.data, outDir: prepareOutDir(parsed.data.outDir) };
    try {
      const s = this.schedules.add({ cron, spec: data, timezone });
      if (this.runFilter === 'all' && this.scheduleTimer) {
        clearTimeout(this.scheduleTimer);
        void this.runSchedules();
      }
      return s;
    } catch (err) {
      if (err instanceof ScheduleError) throw new SubmitError(err.message);
      throw err;
    }
  }

  /** Runs a schedule call, turning its errors into the engine's one-sentence kind. */
  scheduleAction<T>(fn: (s: ScheduleService) => T): T {
    try {
      return fn(this.schedules);
    } catch (err) {
      if (err instanceof ScheduleError) throw new SubmitError(err.message);
      throw err;
    }
  }

  /**
   * Stops taking work. Running jobs are stopped and go back to the queue (they resume on the next
   * start), unless `drain` is set, in which case close waits for them to end.
   */
  async close({ drain = false } = {}): Promise<void> {
    if (this.closed) return;
    if (drain) await this.waitForIdle();
    this.closed = true;
    for (const t of [this.loopTimer, this.heartbeatTimer, this.retentionTimer, this.scheduleTimer])
      if (t) clearTimeout(t);
    for (const r of this.running.values()) this.stopRunning(r, 'shutdown');
    await this.team?.close();
    this.team = null;
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 20));
    await this.pool?.destroy();
    this.pool = null;
    this.store.close();
  }

  private waitForIdle(): Promise<void> {
    return new Promise((resolveIdle) => {
      const check = () => {
        if (this.running.size === 0) {
          this.off('job', check);
          resolveIdle();
        }
      };
      this.on('job', check);
      check();
    });
  }

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
    this.scheduleTick(0);
    this.team?.localLoadChanged(); // the concurrency may have changed
    if (JSON.stringify(this.settingsCache.team) !== before && this.opts.team === undefined && this.started)
      void this.restartTeam();
    return this.settingsCache;
  }

  // ── team mode ────────────────────────────────────────────────────────────────────────────────

  /** The team queue as the team panel shows it ('off' until team mode is configured). */
  teamStatus(): TeamStatus {
    return this.team?.current() ?? { ...TEAM_OFF, team: this.settings.team?.name ?? null };
  }

  /** The team panel's figures fetched now (teamStatus() is refreshed every 2 s and on changes). */
  async refreshTeamStatus(): Promise<TeamStatus> {
    return this.team ? this.team.refreshStatus() : this.teamStatus();
  }

  /** Checks a Redis connection for the settings screen's Test button; a missing password means the stored one. */
  async testTeam(config: {
    url: string;
    user: string;
    name: string;
    password?: string;
    caFile?: string;
  }): Promise<TeamTestResult> {
    const bad = checkRedisUrl(config.url);
    if (bad) return { ok: false, error: bad };
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.name))
      return { ok: false, error: 'A team name is 1 to 64 letters, digits, - or _.' };
    return testTeamConnection({
      url: config.url,
      user: config.user || undefined,
      password: config.password ?? this.secrets.get('redis-password') ?? undefined,
      ...(config.caFile ? { caFile: config.caFile } : {}),
      name: config.name,
      runJobs: false,
    });
  }

  /** The team this engine joins: the process's (CLI), else the settings' when switched on. */
  private teamConfig(): TeamConfig | null {
    if (this.opts.team !== undefined) return this.opts.team;
    const t = this.settings.team;
    if (!t?.enabled) return null;
    return {
      url: t.url,
      user: t.user || undefined,
      password: this.secrets.get('redis-password') ?? undefined,
      ...(t.caFile ? { caFile: t.caFile } : {}),
      name: t.name,
      runJobs: t.runJobs,
    };
  }

  private startTeam(): void {
    const config = this.teamConfig();
    if (!config || this.closed) return;
    this.team = new TeamService(this.teamHost(), config);
    this.team.start();
    this.emit('team', this.team.current());
  }

  /**
   * Reconnects to the team queue with the current settings and secrets (after the Redis password
   * changed; settings changes reconnect by themselves).
   */
  async reconnectTeam(): Promise<void> {
    if (this.started) await this.restartTeam();
  }

  /** A new Redis password saved in Settings takes effect without a restart. */
  private noticeTeamPassword(): void {
    if (!this.team || this.opts.team !== undefined) return;
    if (this.team.config.password !== (this.secrets.get('redis-password') ?? undefined))
      void this.restartTeam();
  }

  private async restartTeam(): Promise<void> {
    const old = this.team;
    this.team = null;
    await old?.close();
    this.startTeam();
    if (!this.team) this.emit('team', this.teamStatus());
  }

  /** What the team code may use of this engine. */
  private teamHost(): TeamHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const engine = this;
    return {
      dataDir: this.dataDir,
      store: this.store,
      get settings() {
        return engine.settings;
      },
      get concurrency() {
        return engine.concurrency;
      },
      user: this.opts.user ?? process.env.USER ?? process.env.USERNAME ?? 'local',
      events: this,
      log: (id, level, message) => this.log(id, level, message),
      announce: (id) => (this.store.db.open && this.store.get(id) ? this.announce(id) : null),
      localRunning: () => this.running.size,
      runTeamTask: (req, signal, onMessage) => this.runTeamTask(req, signal, onMessage),
      planOutput: (outDir, base, ext) => this.planOutput(outDir, base, ext),
      resultBase: (job) => {
        const spec = job.spec as { kind?: string; list?: string; format?: string };
        return spec.kind === 'export'
          ? { base: job.name, ext: spec.format === 'csv' ? 'csv' : 'xlsx' }
          : { base: resultBaseNameFor(job.name, String(spec.list)), ext: 'xlsx' };
      },
      finalizeFile,
      temporaryPath,
    };
  }

  /**
   * Runs a team job's task here: same pool, same tasks and time limits as local jobs, this
   * machine's data source. A cancel (the signal) asks the task to stop, then stops its thread.
   */
  private async runTeamTask(
    req: TeamTaskRequest,
    signal: AbortSignal,
    onMessage: (m: WorkerMessage) => void,
  ): Promise<TaskOutcome> {
    this.teamTasksHere.add(req.jobId);
    try {
      return await this.runTeamTaskInPool(req, signal, onMessage);
    } finally {
      this.teamTasksHere.delete(req.jobId);
      // A slot is free again for local jobs.
      if (!this.closed) this.scheduleTick(0);
    }
  }

  /** Jobs executing in this process now: local ones and team jobs taken by this computer. */
  runningHere(): string[] {
    return [...this.running.keys(), ...this.teamTasksHere];
  }

  private async runTeamTaskInPool(
    req: TeamTaskRequest,
    signal: AbortSignal,
    onMessage: (m: WorkerMessage) => void,
  ): Promise<TaskOutcome> {
    const channel = new MessageChannel();
    const abort = new AbortController();
    const timers: NodeJS.Timeout[] = [];
    const onAbort = () => {
      try {
        channel.port1.postMessage({ type: 'cancel' } satisfies EngineMessage);
      } catch {
        // ended already
      }
      timers.push(setTimeout(() => abort.abort(), 800));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let task: TaskRequest;
    try {
      const { spec } = req;
      const source = this.sourceConfig(spec);
      if (spec.kind === 'export') {
        const input: ExportInput = {
          jobId: req.jobId,
          source,
          what: spec.query
            ? { kind: 'query', sql: spec.query }
            : { kind: 'list', list: spec.list!, ...(spec.brand ? { brand: spec.brand } : {}) },
          format: spec.format,
          finalPath: join(req.workDir, `result.${spec.format}`),
          tmpPrefix: join(req.workDir, `${TEMP_PREFIX}${req.jobId}`),
          maxRowsPerSheet: spec.maxRowsPerSheet,
        };
        task = { kind: 'export', input, port: channel.port2 };
      } else {
        if (!req.inputPath) throw new SubmitError('The team job has no input file.');
        const final = join(req.workDir, 'result.xlsx');
        const scratch = join(req.workDir, 'scratch');
        mkdirSync(scratch, { recursive: true });
        const input: CrossdockInput = {
          jobId: req.jobId,
          inputPath: req.inputPath,
          inputName: req.name,
          list: spec.list,
          source,
          columns: spec.columns,
          alternatives: spec.alternatives,
          tmpPath: temporaryPath(final, req.jobId),
          finalPath: final,
          workDir: scratch,
          maxRowsPerSheet: spec.maxRowsPerSheet,
          checkpointEveryMs: 3_600_000,
        };
        task = { kind: 'crossdock', input, port: channel.port2 };
      }
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      channel.port1.close();
      if (err instanceof SubmitError)
        return { ok: false, error: { message: err.message, code: 'CONFIG', transient: false } };
      throw err;
    }
    const limits = this.settings.timeLimits[req.spec.kind];
    timers.push(
      setTimeout(
        () => channel.port1.postMessage({ type: 'soft-timeout' } satisfies EngineMessage),
        limits.softSeconds * 1000,
      ),
      setTimeout(() => abort.abort(), limits.hardSeconds * 1000),
    );
    channel.port1.on('message', onMessage);
    try {
      return (await this.getPool().run(task, {
        transferList: [channel.port2] as never,
        signal: abort.signal,
      })) as TaskOutcome;
    } catch (err) {
      if (signal.aborted)
        return { ok: false, error: { message: 'Cancelled.', code: 'ABORTED', transient: false } };
      if (abort.signal.aborted)
        return {
          ok: false,
          error: {
            message: `The job ran past its time limit of ${limits.hardSeconds} s and was stopped; split the file or raise the limit in Settings.`,
            code: 'TIME_LIMIT',
            transient: false,
          },
        };
      return {
        ok: false,
        error: { message: describeWorkerCrash(err), code: 'WORKER_CRASH', transient: false },
      };
    } finally {
      for (const t of timers) clearTimeout(t);
      signal.removeEventListener('abort', onAbort);
      channel.port1.close();
    }
  }

  /** Lets this engine run more jobs (the CLI adds the jobs it submitted). */
  allowRun(ids: string[]): void {
    if (this.runFilter === 'all') return;
    if (this.runFilter === 'none') this.runFilter = new Set();
    for (const id of ids) this.runFilter.add(id);
    this.scheduleTick(0);
  }

  // ── submitting ───────────────────────────────────────────────────────────────────────────────

  async submit(raw: unknown, options: SubmitOptions = {}): Promise<SubmitResult> {
    let spec: ParsedSpec;
    try {
      spec = SubmitSpec.parse(raw);
    } catch (err) {
      if (err instanceof ZodError) throw new SubmitError(describeSpecError(err));
      throw err;
    }
    if (spec.kind === 'crossdock' || spec.kind === 'export')
      spec = { ...spec, outDir: prepareOutDir(spec.outDir) };
    if (
      (spec.kind === 'crossdock' || spec.kind === 'export') &&
      spec.source === 'clickhouse' &&
      !spec.clickhouse
    ) {
      // The job records which server it reads (never the password), so a retry reads the same one.
      const where = this.opts.clickhouse ?? this.settings.clickhouse;
      if (where)
        spec = {
          ...spec,
          clickhouse: {
            url: where.url,
            database: where.database,
            ...(where.user ? { user: where.user } : {}),
          },
        };
    }
    // Team mode: crossdocks and exports go to the team queue (catalog imports change this computer's catalog).
    const team = this.team && spec.kind !== 'catalog-import' ? this.team : null;
    if (spec.kind === 'export')
      return this.insert(
        spec,
        exportName(spec),
        `export:${stableJson(withoutPriority(spec))}`,
        {},
        team ? 'Queued the export for the team.' : 'Queued the export.',
        team,
      );
    const input = resolve(spec.input);
    let st;
    try {
      st = statSync(input);
    } catch {
      throw new SubmitError(`The file ${input} does not exist; check the path.`);
    }
    if (!st.isFile())
      throw new SubmitError(`${input} is a folder, not a spreadsheet; choose a .xlsx or .csv file.`);
    const tooBig = team?.tooBig(st.size);
    if (tooBig) throw new SubmitError(tooBig);
    const copy = await copyInput(input, join(this.dataDir, 'inputs'));
    const { input: _input, ...jobOptions } = withoutPriority(spec);
    const submitted = this.insert(
      spec,
      basename(input),
      `${copy.sha256}:${stableJson(jobOptions)}`,
      { input, inputCopy: copy.path, inputSize: copy.size },
      `Queued ${basename(input)} (${copy.size} bytes)${team ? ' for the team' : ''}.`,
      team,
    );
    if (options.rememberColumns && spec.kind === 'crossdock')
      await this.noteColumns(input, spec.sheet, spec.columns);
    return submitted;
  }

  /** The new-job sheet's columns for a file: remembered for its header row if the user changed them. */
  private async noteColumns(
    file: string,
    sheet: string | undefined,
    columns: { brand?: string; article?: string; quantity?: string },
  ): Promise<void> {
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

  private insert(
    spec: ParsedSpec,
    name: string,
    dedupeKey: string,
    extra: Record<string, unknown>,
    message: string,
    team: TeamService | null = null,
  ): SubmitResult {
    const now = Date.now();
    const result = this.store.insertUnlessDuplicate({
      id: ulid(now),
      kind: spec.kind,
      priority: spec.priority,
      name,
      spec: { ...spec, ...extra },
      maxAttempts: this.settings.maxAttempts,
      dedupeKey,
      submittedBy: this.opts.user ?? process.env.USER ?? process.env.USERNAME ?? 'local',
      now,
      ...(team ? { team: 'pending' as const } : {}),
    });
    if (!result.duplicate) {
      faultPoint('after-submit');
      this.log(result.job.id, 'info', message);
      this.emit('job', result.job);
      this.scheduleTick(0);
      // Sent now if Redis is reachable, else when it is back (once: the queue's job id is ours).
      if (team) void team.pushPending();
    }
    return result;
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
  async inspect(path: string, sheet?: string): Promise<InspectResult> {
    const file = resolve(path);
    let st;
    try {
      st = statSync(file);
    } catch {
      throw new SubmitError(`The file ${file} does not exist; check the path.`);
    }
    if (!st.isFile())
      throw new SubmitError(`${file} is a folder, not a spreadsheet; choose a .xlsx or .csv file.`);
    const channel = new MessageChannel();
    try {
      const outcome = (await this.getPool().run(
        {
          kind: 'inspect',
          input: { path: file, name: basename(file), ...(sheet !== undefined ? { sheet } : {}) },
          port: channel.port2,
        } satisfies TaskRequest,
        { transferList: [channel.port2] as never, signal: AbortSignal.timeout(60_000) },
      )) as InspectOutcome;
      if (!outcome.ok) throw new SubmitError(outcome.error.message);
      const key = inspectedFileKey(file, sheet, st.size, st.mtimeMs);
      return { ...outcome.inspect, remembered: this.columnMemory.recall(key, outcome.inspect) };
    } finally {
      channel.port1.close();
    }
  }

  /** Supplier list names of a source, for pickers and validation. */
  async supplierLists(source: 'demo' | 'clickhouse' = this.settings.source): Promise<string[]> {
    const config = source === 'clickhouse' ? this.clickhouseConfig(null) : null;
    if (source === 'clickhouse' && !config) {
      throw new SubmitError(
        'No ClickHouse server is configured; set one in Settings, or pass --clickhouse-url or set CROSSDOCK_CLICKHOUSE_URL.',
      );
    }
    const catalog = config
      ? await ClickHouseSource.open({ ...config })
      : new DemoCatalog(ensureDemoCatalog(this.dataDir));
    try {
      return await catalog.supplierLists();
    } finally {
      await catalog.close();
    }
  }

  /** The ClickHouse connection: this engine's, else the one a job recorded plus the environment's credentials. */
  private clickhouseConfig(
    recorded: { url: string; database: string; user?: string } | null,
  ): ClickHouseConfig | null {
    if (this.opts.clickhouse) return this.opts.clickhouse;
    const mine = this.settings.clickhouse;
    const password = this.secrets.get('clickhouse-password') ?? undefined;
    if (mine && (!recorded || (recorded.url === mine.url && recorded.database === mine.database))) {
      return { url: mine.url, database: mine.database, user: mine.user || undefined, password };
    }
    if (!recorded) return null;
    return {
      ...recorded,
      user: recorded.user ?? process.env.CROSSDOCK_CLICKHOUSE_USER,
      password: this.secrets.storage === 'environment' ? password : process.env.CROSSDOCK_CLICKHOUSE_PASSWORD,
    };
  }

  /**
   * Connects to a ClickHouse server as the settings screen's Test button asks: the server's version
   * and its supplier lists, or the reason it failed in one sentence. A missing password means the
   * stored one.
   */
  async testClickHouse(config: {
    url: string;
    database: string;
    user: string;
    password?: string;
  }): Promise<{ ok: true; version: string; lists: string[] } | { ok: false; error: string }> {
    const password = config.password ?? this.secrets.get('clickhouse-password') ?? undefined;
    let source: ClickHouseSource | null = null;
    try {
      source = await ClickHouseSource.open({
        url: config.url,
        database: config.database,
        user: config.user || undefined,
        password,
      });
      const [version, lists] = await Promise.all([source.serverVersion(), source.supplierLists()]);
      return { ok: true, version, lists };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    } finally {
      await source?.close().catch(() => undefined);
    }
  }

  // ── comments ─────────────────────────────────────────────────────────────────────────────────

  comments(jobId: string): JobComment[] {
    return this.store.comments(jobId);
  }

  addComment(jobId: string, text: string, author = this.opts.user ?? 'local'): JobComment {
    if (!this.store.get(jobId)) throw new SubmitError(`There is no job ${jobId}.`);
    const body = text.trim();
    if (!body) throw new SubmitError('A comment cannot be empty.');
    return this.store.addComment(jobId, author, body, Date.now());
  }

  editComment(id: number, text: string): JobComment {
    const body = text.trim();
    if (!body) throw new SubmitError('A comment cannot be empty.');
    const c = this.store.editComment(id, body, Date.now());
    if (!c) throw new SubmitError(`There is no comment ${id}.`);
    return c;
  }

  deleteComment(id: number): void {
    if (!this.store.deleteComment(id)) throw new SubmitError(`There is no comment ${id}.`);
  }

  // ── control ──────────────────────────────────────────────────────────────────────────────────

  /** Cancels a queued job at once, or stops a running one (here or in another process). */
  async cancel(id: string): Promise<Job> {
    if (!this.store.get(id) && this.team) await this.team.adopt(id); // another member's team job
    const job = this.store.get(id);
    if (!job) throw new SubmitError(`There is no job ${id}.`);
    if (TERMINAL.includes(job.status)) return job;
    if (job.origin === 'team') {
      if (!this.team) throw new SubmitError('This team job can be cancelled only while team mode is on.');
      try {
        await this.team.cancel(id);
      } catch (err) {
        if (err instanceof TeamError) throw new SubmitError(err.message);
        throw err;
      }
      return this.waitUntil(id, (j) => TERMINAL.includes(j.status), 5000);
    }
    const now = Date.now();
    if (job.status === 'queued') {
      if (this.store.finish(id, null, 'cancelled', { error: 'Cancelled before it started.' }, now)) {
        this.log(id, 'info', 'Cancelled while queued.');
        return this.announce(id);
      }
      return this.cancel(id); // it started meanwhile
    }
    const mine = this.running.get(id);
    if (mine) {
      this.stopRunning(mine, 'cancel');
      return this.waitUntil(id, (j) => j.status !== 'running', 5000);
    }
    if (this.ownerIsGone(job.id)) {
      this.removeTemporaries(job);
      this.store.finish(id, null, 'cancelled', { error: 'Cancelled.' }, now);
      return this.announce(id);
    }
    this.store.requestCancel(id, now);
    return this.waitUntil(id, (j) => j.status !== 'running', 5000);
  }

  retry(id: string): Job {
    const job = this.store.get(id);
    if (!job) throw new SubmitError(`There is no job ${id}.`);
    if (job.origin === 'team' && !this.team)
      throw new SubmitError('This team job can be retried only while team mode is on.');
    if (job.origin === 'team' && TERMINAL.includes(job.status) && job.status !== 'succeeded')
      this.team!.prepareRetry(id);
    if (!this.store.retry(id, Date.now())) {
      throw new SubmitError(`Only failed or cancelled jobs can be retried; this one is ${job.status}.`);
    }
    if (job.origin === 'team') void this.team!.retry(id).catch((err: unknown) => this.reportError(err));
    this.log(id, 'info', 'Retry requested.');
    this.scheduleTick(0);
    return this.announce(id);
  }

  remove(id: string): void {
    const job = this.store.get(id);
    if (!job) throw new SubmitError(`There is no job ${id}.`);
    if (!this.store.remove(id))
      throw new SubmitError(`A ${job.status} job cannot be deleted; cancel it first.`);
    this.emit('removed', id);
  }

  /**
   * Deletes finished jobs (done, failed, cancelled) with their logs and comments, in one transaction,
   * and then their input copies that no job left needs: the given ids (all finished jobs without
   * them), optionally only those finished before a time. Queued and running jobs stay, whatever the
   * ids say; result files are never touched. Team jobs go as remove() takes them: from this
   * computer's list (the team queue keeps its own record). Returns the ids it deleted.
   */
  clearFinished(select: { ids?: readonly string[]; finishedBefore?: number } = {}): string[] {
    const { jobs, orphanedInputs } = this.store.deleteFinished(select);
    if (orphanedInputs.length > 0) {
      // Asked again after the commit: a submit (maybe in another process) may have reused a copy since.
      const keep = this.store.referencedInputs();
      const inputsDir = join(this.dataDir, 'inputs');
      for (const copy of orphanedInputs) {
        if (keep.has(copy) || dirname(resolve(copy)) !== inputsDir) continue; // only our own copies
        try {
          rmSync(copy, { force: true });
        } catch {
          // not a file, or not ours to remove: retention cleanup looks again
        }
      }
    }
    for (const job of jobs) this.emit('removed', job.id);
    return jobs.map((job) => job.id);
  }

  /** Resolves when every given job has ended (whoever runs it). */
  /**
   * Resolves when every one of these jobs has ended (a job that is gone counts as cancelled). One
   * set of listeners for all of them: `crossdock run` with 200 files waits on 200 jobs at once.
   */
  async waitFor(ids: string[]): Promise<Job[]> {
    const ended = new Map<string, Job>();
    const pending = new Set(ids);
    await new Promise<void>((resolveWait) => {
      const settle = (id: string) => {
        const j = this.closed ? null : this.store.get(id);
        if (j && !TERMINAL.includes(j.status)) return;
        ended.set(id, j ?? ({ id, status: 'cancelled' } as Job));
        pending.delete(id);
      };
      const checkAll = () => {
        for (const id of [...pending]) settle(id);
        if (pending.size === 0) finish();
      };
      const onJob = (j: Job | null) => {
        if (j && pending.has(j.id)) settle(j.id);
        if (pending.size === 0 || this.closed) checkAll();
      };
      // Events cover this process; the poll covers other processes sharing the data dir.
      const poll = setInterval(checkAll, 100);
      const finish = () => {
        this.off('job', onJob);
        this.off('changed', checkAll);
        clearInterval(poll);
        resolveWait();
      };
      this.on('job', onJob);
      this.on('changed', checkAll);
      checkAll();
    });
    return ids.map((id) => ended.get(id)!);
  }

  private waitUntil(id: string, done: (j: Job) => boolean, timeoutMs?: number): Promise<Job> {
    return new Promise((resolveWait) => {
      // Events cover this process; the poll covers other processes sharing the data dir.
      const poll = setInterval(() => check(), 100);
      const timer = timeoutMs ? setTimeout(() => finish(this.store.get(id)), timeoutMs) : null;
      const finish = (j: Job | null) => {
        this.off('job', check);
        this.off('changed', check);
        clearInterval(poll);
        if (timer) clearTimeout(timer);
        resolveWait(j ?? ({ id, status: 'cancelled' } as Job));
      };
      const check = () => {
        if (this.closed) return finish(null);
        const j = this.store.get(id);
        if (!j || done(j)) finish(j);
      };
      this.on('job', check);
      this.on('changed', check);
      check();
    });
  }

  // ── the scheduler ────────────────────────────────────────────────────────────────────────────

  private scheduleTick(delay: number): void {
    if (this.closed) return;
    if (this.loopTimer) clearTimeout(this.loopTimer);
    this.loopTimer = setTimeout(() => void this.tick(), delay);
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      const version = this.store.dataVersion();
      if (version !== this.lastDataVersion) {
        if (this.lastDataVersion !== -1) this.emit('changed');
        this.lastDataVersion = version;
        this.honourCancelRequests();
      }
      if (this.runFilter !== 'none') {
        // Team jobs this computer took count against the same slots (the app's one concurrency setting).
        while (this.running.size + this.teamTasksHere.size < this.concurrency && !this.closed) {
          const only = this.runFilter === 'all' ? undefined : [...this.runFilter];
          if (only && only.length === 0) break;
          const job = this.store.claimNext(this.owner, Date.now(), only);
          if (!job) break;
          faultPoint('after-claim');
          this.startJob(job);
        }
      }
    } catch (err) {
      this.reportError(err);
    } finally {
      this.ticking = false;
    }
    if (this.tickAgain) {
      this.tickAgain = false;
      this.scheduleTick(0);
      return;
    }
    const pollMs = this.opts.pollMs ?? 500;
    const due = this.store.db.open ? this.store.nextDueAt() : null;
    const wait = due !== null && due > Date.now() ? Math.min(pollMs, due - Date.now()) : pollMs;
    this.scheduleTick(Math.max(10, wait));
  }

  private honourCancelRequests(): void {
    for (const id of this.store.cancelRequestedFor(this.owner.id)) {
      const r = this.running.get(id);
      if (r && !r.reason) this.stopRunning(r, 'cancel');
    }
  }

  /**
   * Asks the task to stop (it aborts its server queries and cleans up), and terminates its thread
   * if it has not stopped 800 ms later: a cancelled job always stops within a second.
   */
  private stopRunning(r: Running, reason: 'cancel' | 'shutdown'): void {
    if (r.reason) return;
    r.reason = reason;
    try {
      r.port.postMessage({ type: 'cancel' } satisfies EngineMessage);
    } catch {
      // the port is already closed: the task has ended
    }
    const t = setTimeout(() => r.abort.abort(), 800);
    t.unref();
    r.timers.push(t);
  }

  private heartbeat(): void {
    if (this.closed) return;
    try {
      this.store.heartbeat(this.owner.id, Date.now());
      this.recoverInterrupted();
      this.noticeTeamPassword();
    } catch (err) {
      this.reportError(err);
    }
  }

  private ownerIsGone(jobId: string): boolean {
    const o = this.store.runningOwners().find((r) => r.id === jobId);
    if (!o) return true;
    return this.isStale(o.owner, o.ownerPid, o.ownerHost, o.heartbeatAt);
  }

  private isStale(
    owner: string | null,
    pid: number | null,
    host: string | null,
    heartbeatAt: number | null,
  ): boolean {
    if (owner === this.owner.id) return false;
    if (host === this.owner.host && pid !== null && !pidAlive(pid)) return true;
    return heartbeatAt === null || Date.now() - heartbeatAt > (this.opts.staleAfterMs ?? 30_000);
  }

  /** Running jobs whose process died go back to the queue (or fail after too many attempts). */
  private recoverInterrupted(): void {
    for (const o of this.store.runningOwners()) {
      if (!this.isStale(o.owner, o.ownerPid, o.ownerHost, o.heartbeatAt)) continue;
      const job = this.store.get(o.id);
      if (!job || job.status !== 'running') continue;
      const now = Date.now();
      if (job.cancelRequested) {
        this.removeTemporaries(job);
        if (this.store.finish(job.id, null, 'cancelled', { error: 'Cancelled.' }, now)) this.announce(job.id);
        continue;
      }
      if (job.attempts >= job.maxAttempts) {
        const msg = `The job was interrupted ${job.attempts} times (the program running it stopped); retry it when the machine is stable.`;
        if (this.store.finish(job.id, null, 'failed', { error: msg }, now)) {
          this.removeTemporaries(job);
          this.log(job.id, 'error', msg);
          this.announce(job.id);
        }
        continue;
      }
      if (this.requeueIfOwner(job.id, o.owner, now)) {
        this.log(
          job.id,
          'warn',
          `Attempt ${job.attempts} was interrupted (the program running it stopped); it resumes now.`,
        );
        this.announce(job.id);
      }
    }
  }

  private requeueIfOwner(id: string, owner: string | null, now: number): boolean {
    const res = this.store.db
      .prepare(
        `UPDATE jobs SET status = 'queued', run_after = 0, updated_at = ?, owner = NULL, owner_pid = NULL, owner_host = NULL, heartbeat_at = NULL
         WHERE id = ? AND status = 'running' AND owner IS ?`,
      )
      .run(now, id, owner);
    if (res.changes === 1) this.scheduleTick(0);
    return res.changes === 1;
  }

  // ── running one job ──────────────────────────────────────────────────────────────────────────

  private startJob(job: Job): void {
    const abort = new AbortController();
    const channel = new MessageChannel();
    const progress: JobProgress = job.progress ?? { done: 0, total: null, stage: 'starting', eta: null };
    const r: Running = {
      job,
      abort,
      reason: null,
      port: channel.port1,
      progress: { ...progress, stage: 'starting' },
      startedAt: Date.now(),
      lastEmit: 0,
      lastPersist: 0,
      timers: [],
    };
    this.running.set(job.id, r);
    this.team?.localLoadChanged();
    this.log(
      job.id,
      'info',
      `Attempt ${job.attempts} of ${job.maxAttempts} started (process ${process.pid}).`,
    );
    this.announce(job.id);
    void this.runJob(r, channel.port2).catch((err: unknown) => {
      this.reportError(err);
    });
  }

  private async runJob(r: Running, workerPort: import('node:worker_threads').MessagePort): Promise<void> {
    const { job } = r;
    let outcome: TaskOutcome;
    try {
      let request: ReturnType<Engine['prepare']>;
      try {
        request = this.prepare(job, workerPort);
      } catch (err) {
        if (!(err instanceof SubmitError)) throw err;
        request = { done: { ok: false, error: { message: err.message, code: 'CONFIG', transient: false } } };
      }
      if ('done' in request) {
        outcome = request.done;
      } else {
        const limits = this.settings.timeLimits[job.kind];
        r.timers.push(
          setTimeout(() => {
            this.log(
              job.id,
              'warn',
              `Soft time limit of ${limits.softSeconds} s reached; asking the job to stop.`,
            );
            r.port.postMessage({ type: 'soft-timeout' } satisfies EngineMessage);
          }, limits.softSeconds * 1000),
          setTimeout(() => {
            r.reason = 'hard-timeout';
            r.abort.abort();
          }, limits.hardSeconds * 1000),
        );
        r.port.on('message', (m: WorkerMessage) => this.onWorkerMessage(r, m));
        outcome = (await this.getPool().run(request.task, {
          transferList: [workerPort] as never,
          signal: r.abort.signal,
        })) as TaskOutcome;
      }
    } catch (err) {
      outcome = r.reason
        ? { ok: false, error: { message: 'stopped', code: 'ABORTED', transient: false } }
        : {
            ok: false,
            error: {
              message: describeWorkerCrash(err),
              code: 'WORKER_CRASH',
              transient: false,
              details: err instanceof Error ? err.stack : String(err),
            },
          };
    } finally {
      for (const t of r.timers) clearTimeout(t);
      r.port.close();
    }
    try {
      this.complete(r, outcome);
    } finally {
      this.running.delete(job.id);
      this.team?.localLoadChanged();
      this.scheduleTick(0);
      this.emit('job', this.store.db.open ? this.store.get(job.id) : job);
    }
  }

  /** Builds the worker's input; plans the output names first so a crash later finds them. */
  private prepare(
    job: Job,
    port: import('node:worker_threads').MessagePort,
  ): { task: TaskRequest } | { done: TaskOutcome } {
    const spec = job.spec as ParsedSpec & { inputCopy: string };
    const workDir = join(this.dataDir, 'work', job.id);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    if (spec.kind !== 'export' && !existsSync(spec.inputCopy)) {
      return {
        done: {
          ok: false,
          error: {
            message: 'The copy of the input file is gone from the data folder; submit the file again.',
            code: 'INPUT_GONE',
            transient: false,
          },
        },
      };
    }
    if (spec.kind === 'catalog-import') {
      const input: CatalogImportInput = {
        jobId: job.id,
        inputPath: spec.inputCopy,
        inputName: job.name,
        catalogFile: ensureDemoCatalog(this.dataDir),
        supplier: spec.supplier,
        list: spec.list,
        columns: spec.columns,
      };
      return { task: { kind: 'catalog-import', input, port } };
    }
    // A finished result whose job was not yet marked done (a crash in between): just finalize.
    const finalize = (this.store.checkpoint(job.id) as { finalize?: { tmp: string; final: string }[] } | null)
      ?.finalize;
    if (job.result && finalize && finalize.every((f) => existsSync(f.final) || existsSync(f.tmp))) {
      return { done: { ok: true, stats: job.result, files: finalize } };
    }
    // A long crossdock interrupted after a checkpoint resumes there (the task checks its files are
    // intact); anything else starts over, and leftovers of the interrupted attempt go first.
    const saved =
      spec.kind === 'crossdock' && job.outputs.length > 0
        ? (this.store.checkpoint(job.id) as { crossdock?: unknown } | null)?.crossdock
        : undefined;
    if (saved === undefined) this.removeTemporaries(job, { keepWorkDir: true });
    // The folder may have been removed since the job was submitted: a user expects it back.
    mkdirSync(spec.outDir, { recursive: true });
    let outputs = job.outputs;
    if (outputs.length === 0) {
      const base = spec.kind === 'export' ? job.name : resultBaseNameFor(job.name, spec.list);
      const ext = spec.kind === 'export' ? spec.format : 'xlsx';
      outputs = [this.planOutput(spec.outDir, base, ext)];
      this.store.setPlannedOutputs(job.id, outputs, Date.now());
    }
    const final = outputs[0];
    if (spec.kind === 'export') {
      const input: ExportInput = {
        jobId: job.id,
        source: this.sourceConfig(spec),
        what: spec.query
          ? { kind: 'query', sql: spec.query }
          : { kind: 'list', list: spec.list!, ...(spec.brand ? { brand: spec.brand } : {}) },
        format: spec.format,
        finalPath: final,
        tmpPrefix: join(dirname(final), `${TEMP_PREFIX}${job.id}`),
        maxRowsPerSheet: spec.maxRowsPerSheet,
      };
      return { task: { kind: 'export', input, port } };
    }
    const input: CrossdockInput = {
      jobId: job.id,
      inputPath: spec.inputCopy,
      inputName: job.name,
      list: spec.list,
      source: this.sourceConfig(spec),
      columns: spec.columns,
      ...(spec.sheet !== undefined ? { sheet: spec.sheet } : {}),
      alternatives: spec.alternatives,
      tmpPath: temporaryPath(final, job.id),
      finalPath: final,
      workDir,
      maxRowsPerSheet: spec.maxRowsPerSheet,
      checkpointEveryMs: this.settings.checkpointSeconds * 1000,
      ...(saved !== undefined ? { resume: saved } : {}),
    };
    return { task: { kind: 'crossdock', input, port } };
  }

  private sourceConfig(spec: {
    source: 'demo' | 'clickhouse';
    clickhouse?: { url: string; database: string; user?: string };
  }): SourceConfig {
    if (spec.source === 'clickhouse') {
      const ch = this.clickhouseConfig(spec.clickhouse ?? null);
      if (!ch)
        throw new SubmitError(
          'No ClickHouse server is configured; set one in Settings, or pass --clickhouse-url or set CROSSDOCK_CLICKHOUSE_URL.',
        );
      return { kind: 'clickhouse', ...ch };
    }
    return { kind: 'demo', catalogFile: ensureDemoCatalog(this.dataDir) };
  }

  /** A result name that exists neither on disk nor among other jobs' planned outputs. */
  private planOutput(outDir: string, base: string, ext: string): string {
    const planned = new Set(
      this.store.db
        .prepare(`SELECT value FROM jobs, json_each(jobs.outputs) WHERE status IN ('queued', 'running')`)
        .pluck()
        .all() as string[],
    );
    for (let n = 1; ; n++) {
      const candidate = join(outDir, n === 1 ? `${base}.${ext}` : `${base} (${n}).${ext}`);
      if (!existsSync(candidate) && !planned.has(candidate)) return candidate;
    }
  }

  private onWorkerMessage(r: Running, m: WorkerMessage): void {
    const now = Date.now();
    if (m.type === 'log') {
      this.log(r.job.id, m.level, m.message);
      return;
    }
    if (m.type === 'checkpoint') {
      // Committed at once: the partial files on disk already match it.
      this.store.setProgress(r.job.id, this.owner.id, r.progress, { crossdock: m.data }, now);
      return;
    }
    const elapsed = (now - r.startedAt) / 1000;
    const eta =
      m.total && m.done > 0 && elapsed > 0.5 ? Math.max(0, ((m.total - m.done) * elapsed) / m.done) : null;
    r.progress = { done: m.done, total: m.total, stage: m.stage, eta: eta === null ? null : Math.round(eta) };
    if (now - r.lastPersist >= PROGRESS_PERSIST_MS) {
      r.lastPersist = now;
      this.store.setProgress(r.job.id, this.owner.id, r.progress, undefined, now);
    }
    if (now - r.lastEmit >= PROGRESS_EMIT_MS) {
      r.lastEmit = now;
      this.emit('progress', r.job.id, r.progress);
    }
  }

  private complete(r: Running, outcome: TaskOutcome): void {
    const { job } = r;
    const now = Date.now();
    const workDir = join(this.dataDir, 'work', job.id);
    if (r.reason === 'shutdown') {
      // Not a failure: the job resumes at the next start (from its checkpoint, if it saved one).
      const current = this.store.get(job.id) ?? job;
      if (!(this.store.checkpoint(job.id) as { crossdock?: unknown } | null)?.crossdock)
        this.removeTemporaries(current);
      rmSync(workDir, { recursive: true, force: true });
      this.store.db
        .prepare(`UPDATE jobs SET attempts = MAX(0, attempts - 1) WHERE id = ? AND owner = ?`)
        .run(job.id, this.owner.id);
      this.store.requeue(job.id, this.owner.id, 0, null, now);
      this.log(job.id, 'info', 'Stopped because the program is closing; it resumes at the next start.');
      return;
    }
    if (r.reason === 'cancel' || r.reason === 'hard-timeout') {
      this.removeTemporaries(this.store.get(job.id) ?? job);
      rmSync(workDir, { recursive: true, force: true });
      if (r.reason === 'cancel') {
        this.store.finish(job.id, this.owner.id, 'cancelled', { error: 'Cancelled while running.' }, now);
        this.log(job.id, 'info', 'Cancelled while running; its partial files were removed.');
      } else {
        const limit = this.settings.timeLimits[job.kind].hardSeconds;
        const msg = `The job ran past its time limit of ${limit} s and was stopped; split the file or raise the limit in Settings.`;
        this.store.finish(job.id, this.owner.id, 'failed', { error: msg }, now);
        this.log(job.id, 'error', msg);
      }
      return;
    }
    if (outcome.ok) {
      try {
        this.store.setResult(job.id, outcome.stats, outcome.files, now);
        faultPoint('after-result');
        const outputs = outcome.files.map((f) => finalizeFile(f.tmp, f.final));
        faultPoint('after-link');
        this.removeTemporaries(job); // parts of an earlier attempt that could not be resumed
        rmSync(workDir, { recursive: true, force: true });
        this.store.finish(job.id, this.owner.id, 'succeeded', { outputs }, Date.now());
        const s = outcome.stats;
        this.log(
          job.id,
          'info',
          outputs.length
            ? `Done: ${s.rows} lines (${s.found} found, ${s.partial} partial, ${s.notFound} not found, ${s.invalid} invalid) → ${outputs.join(', ')}`
            : `Done: ${s.rows} lines.`,
        );
      } catch (err) {
        this.fail(
          job,
          {
            message: `The result could not be saved: ${(err as Error).message}`,
            code: 'FINALIZE',
            transient: false,
          },
          now,
        );
      }
      return;
    }
    this.removeTemporaries(this.store.get(job.id) ?? job);
    rmSync(workDir, { recursive: true, force: true });
    this.fail(job, outcome.error, now);
  }

  private fail(
    job: Job,
    error: { message: string; code: string; transient: boolean; details?: string },
    now: number,
  ): void {
    const current = this.store.get(job.id) ?? job;
    if (error.transient && current.attempts < current.maxAttempts) {
      const delay = backoffMs(this.settings, current.attempts);
      this.store.requeue(job.id, this.owner.id, now + delay, { message: error.message }, now);
      this.log(
        job.id,
        'warn',
        `${error.message} Retrying in ${Math.round(delay / 100) / 10} s (attempt ${current.attempts + 1} of ${current.maxAttempts}).`,
      );
      return;
    }
    this.store.finish(
      job.id,
      this.owner.id,
      'failed',
      { error: error.message, errorDetails: error.details ?? null },
      now,
    );
    this.log(job.id, 'error', error.message);
  }

  /** Removes the job's partial result files from its output folder (all start with `.~crossdock-<id>`). */
  private removeTemporaries(job: Job, { keepWorkDir = false } = {}): void {
    const dirs = new Set(job.outputs.map((f) => dirname(f)));
    const outDir = (job.spec as { outDir?: unknown }).outDir;
    if (typeof outDir === 'string') dirs.add(outDir);
    const prefix = `${TEMP_PREFIX}${job.id}`;
    for (const dir of dirs) {
      try {
        for (const f of readdirSync(dir)) if (f.startsWith(prefix)) rmSync(join(dir, f), { force: true });
      } catch {
        // the folder is gone: nothing to clean
      }
    }
    if (!keepWorkDir) rmSync(join(this.dataDir, 'work', job.id), { recursive: true, force: true });
  }

  private getPool(): Piscina {
    if (!this.pool) {
      this.pool = new Piscina({
        filename: this.opts.workerFile ?? defaultWorkerFile(),
        minThreads: 0,
        maxThreads: 64,
        idleTimeout: 30_000,
        concurrentTasksPerWorker: 1,
        // A hostile file must not take the whole app down: a worker that runs out of heap fails its job only.
        // A young generation of 24 MB (default 48): measured 15-20 MB less peak memory on 100k and 1M
        // lines at the same speed.
        resourceLimits: { maxOldGenerationSizeMb: 1536, maxYoungGenerationSizeMb: 24 },
      });
    }
    return this.pool;
  }

  // ── housekeeping ─────────────────────────────────────────────────────────────────────────────

  /** Removes jobs, logs and input copies older than the retention period. Result files are never touched. */
  cleanup(now = Date.now()): { jobs: number; inputs: number } {
    const cutoff = now - this.settings.retentionDays * DAY_MS;
    const removed = this.store.deleteFinishedBefore(cutoff);
    this.store.deleteLogsBefore(cutoff);
    const keep = this.store.referencedInputs();
    let inputs = 0;
    const dir = join(this.dataDir, 'inputs');
    if (existsSync(dir)) {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (keep.has(p)) continue;
        try {
          const st = statSync(p);
          // Unreferenced copies younger than a day may belong to a submission in progress.
          if (now - st.mtimeMs < DAY_MS && !f.startsWith('.incoming-')) continue;
          if (f.startsWith('.incoming-') && now - st.mtimeMs < DAY_MS) continue;
          rmSync(p, { force: true });
          inputs++;
        } catch {
          // removed by another process meanwhile
        }
      }
    }
    for (const j of removed) this.emit('removed', j.id);
    return { jobs: removed.length, inputs };
  }

  /**
   * A failure in the engine's own loop (the store busy past its timeout, say): the loop carries on.
   * Reported to 'error' listeners; without one, on stderr (an unheard 'error' event would crash).
   */
  private reportError(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else process.stderr.write(`crossdock engine: ${err instanceof Error ? err.message : String(err)}\n`);
  }

  private log(jobId: string, level: JobLogLine['level'], message: string): void {
    try {
      const line = this.store.addLog(jobId, level, message, Date.now());
      this.emit('log', line);
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

function prepareOutDir(dir: string): string {
  const outDir = resolve(dir);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch {
    throw new SubmitError(`The output folder ${outDir} cannot be created; choose another one.`);
  }
  if (!statSync(outDir).isDirectory())
    throw new SubmitError(`The output folder ${outDir} is a file; choose a folder.`);
  return outDir;
}

function withoutPriority<T extends { priority?: unknown }>(spec: T): Omit<T, 'priority'> {
  const { priority: _priority, ...rest } = spec;
  return rest;
}

/** JSON with object keys sorted at every depth: equal options give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function exportName(spec: Extract<ParsedSpec, { kind: 'export' }>): string {
  if (spec.query) return 'query';
  return ['offers', spec.list, spec.brand].filter(Boolean).join('_');
}

const TEMP_PREFIX = '.~crossdock-';

export function temporaryPath(final: string, jobId: string): string {
  return join(dirname(final), `${TEMP_PREFIX}${jobId}${extname(final)}.tmp`);
}

function resultBaseNameFor(inputName: string, list: string): string {
  return resultBaseName(inputName, list, new Date());
}

/** Moves a finished temporary file into place without ever overwriting; idempotent after a crash. */
function finalizeFile(tmp: string, final: string): string {
  if (!existsSync(tmp)) {
    if (existsSync(final)) return final; // done before a crash
    throw new Error(`the finished file ${tmp} is missing`);
  }
  if (existsSync(final) && sameFile(tmp, final)) {
    unlinkSync(tmp); // linked before a crash, not yet unlinked
    return final;
  }
  for (let n = 1; ; n++) {
    const target = n === 1 ? final : final.replace(/(\.[^.]+)$/, ` (${n})$1`);
    try {
      linkSync(tmp, target); // fails if target exists: never overwrites
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
        try {
          copyFileSync(tmp, target, constants.COPYFILE_EXCL);
        } catch (copyErr) {
          if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw copyErr;
        }
      } else throw err;
    }
    faultPoint('after-link-before-unlink');
    unlinkSync(tmp);
    return target;
  }
}

/**
 * Crash-test hook: CROSSDOCK_FAULT_INJECT=<point> kills this process at that point, the way a power
 * cut or `kill -9` would, so tests can prove every point recovers.
 */
function faultPoint(name: string): void {
  if (process.env.CROSSDOCK_FAULT_INJECT === name) process.kill(process.pid, 'SIGKILL');
}

function sameFile(a: string, b: string): boolean {
  const sa = statSync(a);
  const sb = statSync(b);
  return sa.ino === sb.ino && sa.dev === sb.dev;
}

function describeWorkerCrash(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/heap|memory/i.test(msg)) {
    return 'The job ran out of memory and was stopped; the file may be malformed or too large to process.';
  }
  return `The worker running the job stopped unexpectedly (${msg}).`;
}
