// The team broker: jobs go to a BullMQ queue on the team's Redis (team/service.ts) and run on any
// member; this computer runs team jobs in the slots its local jobs leave free, through the same task
// runner as local jobs. It also owns team mode's life here: which team to join (this process's
// `--redis`, else Settings), reconnecting when the settings or the password change, the status.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskOutcome, WorkerMessage } from '../../src-worker/protocol.ts';
import { CodedError } from '../common/errors.ts';
import { TEAM_OFF, type TeamStatus, type TeamTestResult } from '../common/team-types.ts';
import type { Job } from '../common/types.ts';
import { checkRedisUrl, TEAM_NAME, type TeamConfig } from '../team/config.ts';
import { failedTest } from '../team/connection-test.ts';
import type { TeamHost, TeamMergeRequest, TeamTaskRequest } from '../team/host.ts';
import { TeamError, TeamService, testTeamConnection } from '../team/service.ts';
import type { Broker } from './broker.ts';
import { requeueForRetry } from './broker.ts';
import type { EngineContext } from './context.ts';
import { finalizeFile, planOutput, resultBase, temporaryPath } from './results.ts';
import type { SecretStore } from './secrets.ts';
import { coded, SubmitError } from './submit-error.ts';
import { taskInput } from './task-runner.ts';
import { hasEnded, waitUntil } from './waiting.ts';

/** What the settings screen's Test button sends (a missing password means the stored one). */
export interface TeamTestConfig {
  url: string;
  user: string;
  name: string;
  password?: string;
  caFile?: string;
}

export interface TeamBrokerOptions {
  /** This process's team queue (`--redis`), over the stored team settings; null: none; undefined: the settings'. */
  team: TeamConfig | null | undefined;
  secrets: SecretStore;
  /** Local jobs executing in this process now: they use the same slots as team jobs. */
  localRunning(): number;
  /** A slot was handed back: local jobs may start. */
  slotFreed(): void;
}

export class TeamBroker implements Broker {
  private service: TeamService | null = null;
  private readonly tasksHere = new Set<string>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly opts: TeamBrokerOptions,
  ) {}

  /** Team mode is on here (a queue is configured and joined). */
  get active(): boolean {
    return this.service !== null;
  }

  /** Team jobs this computer runs now. */
  runningIds(): string[] {
    return [...this.tasksHere];
  }

  get busy(): number {
    return this.tasksHere.size;
  }

  start(): void {
    const config = this.config();
    if (!config || this.ctx.closed()) return;
    this.service = new TeamService(this.host(), config);
    this.service.start();
    this.ctx.events.emit('team', this.service.current());
  }

  async close(): Promise<void> {
    const s = this.service;
    this.service = null;
    await s?.close();
  }

  /** Reconnects with the current settings and secrets. */
  async restart(): Promise<void> {
    await this.close();
    this.start();
    if (!this.service) this.ctx.events.emit('team', this.status());
  }

  /** The process's own team (`--redis`) is fixed; the settings' one follows Settings. */
  get followsSettings(): boolean {
    return this.opts.team === undefined;
  }

  /** A new Redis password saved in Settings takes effect without a restart. */
  noticePassword(): void {
    if (!this.service || !this.followsSettings) return;
    if (this.service.config.password !== (this.opts.secrets.get('redis-password') ?? undefined))
      void this.restart();
  }

  /** Local jobs started or ended: the team hears how many slots are free here. */
  loadChanged(): void {
    this.service?.localLoadChanged();
  }

  status(): TeamStatus {
    return this.service?.current() ?? { ...TEAM_OFF, team: this.ctx.settings().team?.name ?? null };
  }

  async refreshStatus(): Promise<TeamStatus> {
    return this.service ? this.service.refreshStatus() : this.status();
  }

  /** Checks a Redis connection for the settings screen's Test button; a missing password means the stored one. */
  async test(config: TeamTestConfig): Promise<TeamTestResult> {
    const bad = checkRedisUrl(config.url);
    if (bad) return failedTest(bad);
    if (!TEAM_NAME.test(config.name)) return failedTest(new CodedError('TEAM_NAME_INVALID', {}));
    return testTeamConnection({
      url: config.url,
      user: config.user || undefined,
      password: config.password ?? this.opts.secrets.get('redis-password') ?? undefined,
      ...(config.caFile ? { caFile: config.caFile } : {}),
      name: config.name,
      runJobs: false,
    });
  }

  /** An input this large cannot go to the team queue: the coded reason, else null. */
  tooBig(size: number): CodedError | null {
    return this.service?.tooBig(size) ?? null;
  }

  /** Another member's job this computer has not seen yet: fetched into the table. */
  async adopt(id: string): Promise<void> {
    await this.service?.adopt(id);
  }

  // ── Broker ───────────────────────────────────────────────────────────────────────────────────

  queued(_job: Job): void {
    this.opts.slotFreed(); // a team job this computer may run is also claimed by the local loop's tick
    // Sent now if Redis is reachable, else when it is back (once: the queue's job id is ours).
    void this.service?.pushPending();
  }

  async cancel(job: Job): Promise<Job> {
    const service = this.require('cancelled');
    try {
      await service.cancel(job.id);
    } catch (err) {
      if (err instanceof TeamError) throw SubmitError.from(err);
      throw err;
    }
    return waitUntil(this.ctx, job.id, hasEnded, 5000);
  }

  retry(job: Job): Job {
    const service = this.require('retried');
    if (hasEnded(job) && job.status !== 'succeeded') service.prepareRetry(job.id);
    requeueForRetry(this.ctx, job);
    void service.retry(job.id).catch((err: unknown) => this.ctx.reportError(err));
    return this.ctx.announce(job.id);
  }

  private require(verb: 'cancelled' | 'retried'): TeamService {
    if (!this.service)
      throw new SubmitError(
        verb === 'cancelled' ? 'TEAM_CANCEL_NEEDS_TEAM_MODE' : 'TEAM_RETRY_NEEDS_TEAM_MODE',
        {},
      );
    return this.service;
  }

  // ── running team jobs here ───────────────────────────────────────────────────────────────────

  /** The team this engine joins: the process's (CLI), else the settings' when switched on. */
  private config(): TeamConfig | null {
    if (this.opts.team !== undefined) return this.opts.team;
    const t = this.ctx.settings().team;
    if (!t?.enabled) return null;
    return {
      url: t.url,
      user: t.user || undefined,
      password: this.opts.secrets.get('redis-password') ?? undefined,
      ...(t.caFile ? { caFile: t.caFile } : {}),
      name: t.name,
      runJobs: t.runJobs,
    };
  }

  /** What the team code may use of this engine. */
  private host(): TeamHost {
    const { ctx, opts } = this;
    return {
      dataDir: ctx.dataDir,
      store: ctx.store,
      get settings() {
        return ctx.settings();
      },
      get concurrency() {
        return ctx.concurrency();
      },
      get user() {
        return ctx.settings().userName ?? ctx.user;
      },
      events: ctx.events,
      log: (id, level, message) => ctx.log(id, level, message),
      announce: (id) => (ctx.store.isOpen() && ctx.store.get(id) ? ctx.announce(id) : null),
      localRunning: () => opts.localRunning(),
      runTeamTask: (req, signal, onMessage) => this.runHere(req, signal, onMessage),
      runTeamMerge: (req, signal, onMessage) => this.mergeHere(req, signal, onMessage),
      estimateLines: async (job) => {
        const s = job.spec;
        if (s.kind !== 'crossdock' || s.inputCopy === undefined) return null;
        const look = await ctx.runner.inspect(s.inputCopy, job.name, s.sheet, s.columns, false);
        return look.ok ? look.inspect.estimatedRows : null;
      },
      planOutput: (outDir, base, ext) => planOutput(ctx.store, outDir, base, ext),
      resultBase: (job) => resultBase(job),
      finalizeFile,
      temporaryPath,
    };
  }

  /**
   * Runs a team job's task here: same runner, same tasks and time limits as local jobs, this
   * machine's data source. A cancel (the signal) asks the task to stop, then stops its thread.
   */
  private async runHere(
    req: TeamTaskRequest,
    signal: AbortSignal,
    onMessage: (m: WorkerMessage) => void,
  ): Promise<TaskOutcome> {
    this.tasksHere.add(req.jobId);
    try {
      if (req.spec.kind === 'crossdock' && !req.inputPath)
        return { ok: false, error: { ...coded('TEAM_JOB_NO_INPUT', {}), transient: false } };
      let task;
      const summaryPath = join(req.workDir, 'part-summary.json');
      try {
        const scratchDir = join(req.workDir, 'scratch');
        if (req.spec.kind === 'crossdock') mkdirSync(scratchDir, { recursive: true });
        task = taskInput(
          // A part's workbook is only merged: one sheet however long (the merge splits the whole).
          req.part ? { ...req.spec, maxRowsPerSheet: undefined } : req.spec,
          {
            jobId: req.jobId,
            name: req.name,
            inputPath: req.inputPath,
            finalPath: join(req.workDir, `result.${req.spec.kind === 'export' ? req.spec.format : 'xlsx'}`),
            scratchDir,
            checkpointEveryMs: 3_600_000,
            ...(req.part ? { part: { ...req.part, summaryPath } } : {}),
          },
          () => this.ctx.sources.forSpec(req.spec),
          () => this.ctx.sources.catalogFile(),
        );
      } catch (err) {
        if (err instanceof SubmitError) return { ok: false, error: { ...err.info(), transient: false } };
        throw err;
      }
      const { outcome } = await this.ctx.runner.run(req.spec.kind, task, { signal, onMessage });
      // A part hands its totals on beside its workbook.
      if (req.part && outcome.ok) outcome.files.push({ tmp: summaryPath, final: summaryPath });
      return outcome;
    } finally {
      this.tasksHere.delete(req.jobId);
      // A slot is free again for local jobs.
      if (!this.ctx.closed()) this.opts.slotFreed();
    }
  }

  /** Merges a split team crossdock's parts here, in a worker thread (with the crossdock's time limits). */
  private async mergeHere(
    req: TeamMergeRequest,
    signal: AbortSignal,
    onMessage: (m: WorkerMessage) => void,
  ): Promise<TaskOutcome> {
    if (req.spec.kind !== 'crossdock')
      return { ok: false, error: { ...coded('TEAM_JOB_NO_INPUT', {}), transient: false } };
    this.tasksHere.add(req.jobId);
    try {
      const finalPath = join(req.workDir, 'result.xlsx');
      const { outcome } = await this.ctx.runner.run(
        'crossdock',
        {
          kind: 'crossdock-merge',
          input: {
            jobId: req.jobId,
            inputName: req.name,
            list: req.spec.list,
            analogs: req.spec.analogs,
            lang: req.spec.lang,
            alternatives: req.spec.alternatives,
            maxRowsPerSheet: req.spec.maxRowsPerSheet,
            parts: req.parts,
            tmpPath: temporaryPath(finalPath, req.jobId),
            finalPath,
          },
        },
        { signal, onMessage },
      );
      return outcome;
    } finally {
      this.tasksHere.delete(req.jobId);
      if (!this.ctx.closed()) this.opts.slotFreed();
    }
  }
}
