// The local run loop: claims queued jobs from the SQLite table by priority within the concurrency,
// runs each through the task runner, commits its end (done, failed, retried with backoff, or back
// to the queue on shutdown), beats this process's heart, and puts jobs whose process died back in
// the queue. Several processes may share one data folder: the table decides who runs what.
import { mkdirSync, existsSync, rmSync } from 'node:fs';
import type { TaskError, TaskOutcome, WorkerMessage } from '../../src-worker/protocol.ts';
import { errorInfo, nest } from '../common/errors.ts';
import type { Job, JobProgress } from '../common/types.ts';
import type { EngineContext } from './context.ts';
import { faultPoint } from './faults.ts';
import { pidAlive } from './pid.ts';
import { finalizeFile, planOutput, removeTemporaries, resultBase, workDirOf } from './results.ts';
import { backoffMs } from './settings.ts';
import { coded, SubmitError } from './submit-error.ts';
import { crashOutcome, taskInput, type Stopped, type TaskInput } from './task-runner.ts';

interface Running {
  job: Job;
  /** Aborted to stop the task (cancel or shutdown). */
  stop: AbortController;
  reason: 'cancel' | 'shutdown' | null;
  progress: JobProgress;
  startedAt: number;
  lastEmit: number;
  lastPersist: number;
}

const PROGRESS_EMIT_MS = 100;
const PROGRESS_PERSIST_MS = 1000;

export interface SchedulerOptions {
  /** Which jobs this process may run: every queued job, only these ids, or none (a client only). */
  run: 'all' | 'none' | { only: string[] };
  pollMs: number;
  /** A running job whose owner has not beaten its heart for this long is taken as interrupted. */
  staleAfterMs: number;
  /** Slots taken by team jobs this computer runs (they share the concurrency). */
  busyElsewhere(): number;
  /** Local jobs started or ended (team mode offers the free slots to the team). */
  loadChanged(): void;
}

export class LocalScheduler {
  private readonly running = new Map<string, Running>();
  private runFilter: 'all' | 'none' | Set<string>;
  private loopTimer: NodeJS.Timeout | null = null;
  private lastDataVersion = -1;
  private ticking = false;
  private tickAgain = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly opts: SchedulerOptions,
  ) {
    const run = opts.run;
    this.runFilter = run === 'all' || run === 'none' ? run : new Set(run.only);
  }

  get runsEverything(): boolean {
    return this.runFilter === 'all';
  }

  /** Local jobs executing in this process now. */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  get size(): number {
    return this.running.size;
  }

  /** Lets this process run more jobs (the CLI adds the jobs it submitted). */
  allowRun(ids: string[]): void {
    if (this.runFilter === 'all') return;
    if (this.runFilter === 'none') this.runFilter = new Set();
    for (const id of ids) this.runFilter.add(id);
    this.poke();
  }

  /** Looks for work now. */
  poke(delay = 0): void {
    if (this.ctx.closed()) return;
    if (this.loopTimer) clearTimeout(this.loopTimer);
    this.loopTimer = setTimeout(() => void this.tick(), delay);
  }

  /** Stops looking for work and stops running jobs (they go back to the queue); resolves when they have. */
  async close(): Promise<void> {
    if (this.loopTimer) clearTimeout(this.loopTimer);
    for (const r of this.running.values()) this.stopRunning(r, 'shutdown');
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /** Stops a job this process runs; false when it runs elsewhere. */
  stop(id: string): boolean {
    const r = this.running.get(id);
    if (!r) return false;
    this.stopRunning(r, 'cancel');
    return true;
  }

  // ── the loop ─────────────────────────────────────────────────────────────────────────────────

  private async tick(): Promise<void> {
    const { ctx } = this;
    if (ctx.closed()) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      const version = ctx.store.dataVersion();
      if (version !== this.lastDataVersion) {
        if (this.lastDataVersion !== -1) ctx.events.emit('changed');
        this.lastDataVersion = version;
        this.honourCancelRequests();
      }
      if (this.runFilter !== 'none') {
        // Team jobs this computer took count against the same slots (the app's one concurrency setting).
        while (this.running.size + this.opts.busyElsewhere() < ctx.concurrency() && !ctx.closed()) {
          const only = this.runFilter === 'all' ? undefined : [...this.runFilter];
          if (only && only.length === 0) break;
          const job = ctx.store.claimNext(ctx.owner, Date.now(), only);
          if (!job) break;
          faultPoint('after-claim');
          this.start(job);
        }
      }
    } catch (err) {
      ctx.reportError(err);
    } finally {
      this.ticking = false;
    }
    if (this.tickAgain) {
      this.tickAgain = false;
      this.poke(0);
      return;
    }
    const due = ctx.store.isOpen() ? ctx.store.nextDueAt() : null;
    const pollMs = this.opts.pollMs;
    const wait = due !== null && due > Date.now() ? Math.min(pollMs, due - Date.now()) : pollMs;
    this.poke(Math.max(10, wait));
  }

  private honourCancelRequests(): void {
    for (const id of this.ctx.store.cancelRequestedFor(this.ctx.owner.id)) {
      const r = this.running.get(id);
      if (r && !r.reason) this.stopRunning(r, 'cancel');
    }
  }

  /**
   * Asks the task to stop (it aborts its server queries and cleans up); the runner ends its thread
   * if it has not stopped 800 ms later: a cancelled job always stops within a second.
   */
  private stopRunning(r: Running, reason: 'cancel' | 'shutdown'): void {
    if (r.reason) return;
    r.reason = reason;
    r.stop.abort();
  }

  // ── heartbeats and recovery ──────────────────────────────────────────────────────────────────

  heartbeat(): void {
    this.ctx.store.heartbeat(this.ctx.owner.id, Date.now());
    this.recoverInterrupted();
  }

  /** Whether the process running this job is gone (or it runs nowhere). */
  ownerIsGone(jobId: string): boolean {
    const o = this.ctx.store.runningOwners().find((r) => r.id === jobId);
    if (!o) return true;
    return this.isStale(o.owner, o.ownerPid, o.ownerHost, o.heartbeatAt);
  }

  private isStale(owner: string | null, pid: number | null, host: string | null, heartbeatAt: number | null) {
    const me = this.ctx.owner;
    if (owner === me.id) return false;
    if (host === me.host && pid !== null && !pidAlive(pid)) return true;
    return heartbeatAt === null || Date.now() - heartbeatAt > this.opts.staleAfterMs;
  }

  /** Running jobs whose process died go back to the queue (or fail after too many attempts). */
  recoverInterrupted(): void {
    const { ctx } = this;
    for (const o of ctx.store.runningOwners()) {
      if (!this.isStale(o.owner, o.ownerPid, o.ownerHost, o.heartbeatAt)) continue;
      const job = ctx.store.get(o.id);
      if (!job || job.status !== 'running') continue;
      const now = Date.now();
      if (job.cancelRequested) {
        removeTemporaries(ctx.dataDir, job);
        if (ctx.store.finish(job.id, null, 'cancelled', { error: coded('CANCELLED', {}) }, now))
          ctx.announce(job.id);
        continue;
      }
      if (job.attempts >= job.maxAttempts) {
        const msg = coded('INTERRUPTED_TOO_OFTEN', { times: job.attempts });
        if (ctx.store.finish(job.id, null, 'failed', { error: msg }, now)) {
          removeTemporaries(ctx.dataDir, job);
          ctx.log(job.id, 'error', msg);
          ctx.announce(job.id);
        }
        continue;
      }
      if (ctx.store.requeueIfOwner(job.id, o.owner, now)) {
        this.poke(0);
        ctx.log(job.id, 'warn', coded('LOG_ATTEMPT_INTERRUPTED', { attempt: job.attempts }));
        ctx.announce(job.id);
      }
    }
  }

  // ── one job ──────────────────────────────────────────────────────────────────────────────────

  private start(job: Job): void {
    const progress: JobProgress = job.progress ?? { done: 0, total: null, stage: 'starting', eta: null };
    const r: Running = {
      job,
      stop: new AbortController(),
      reason: null,
      progress: { ...progress, stage: 'starting' },
      startedAt: Date.now(),
      lastEmit: 0,
      lastPersist: 0,
    };
    this.running.set(job.id, r);
    this.opts.loadChanged();
    this.ctx.log(
      job.id,
      'info',
      coded('LOG_ATTEMPT_STARTED', { attempt: job.attempts, max: job.maxAttempts, pid: process.pid }),
    );
    this.ctx.announce(job.id);
    void this.run(r).catch((err: unknown) => this.ctx.reportError(err));
  }

  private async run(r: Running): Promise<void> {
    const { job } = r;
    const { ctx } = this;
    let outcome: TaskOutcome;
    let stopped: Stopped = null;
    try {
      let prepared: { task: TaskInput } | { done: TaskOutcome };
      try {
        prepared = this.prepare(job);
      } catch (err) {
        if (!(err instanceof SubmitError)) throw err;
        prepared = { done: { ok: false, error: { ...err.info(), transient: false } } };
      }
      if ('done' in prepared) {
        outcome = prepared.done;
      } else {
        ({ outcome, stopped } = await ctx.runner.run(job.kind, prepared.task, {
          signal: r.stop.signal,
          onMessage: (m) => this.onWorkerMessage(r, m),
          onSoftLimit: (s) => ctx.log(job.id, 'warn', coded('LOG_SOFT_LIMIT_REACHED', { seconds: s })),
        }));
      }
    } catch (err) {
      outcome = crashOutcome(err, null, 0);
    }
    try {
      this.complete(r, outcome, stopped);
    } finally {
      this.running.delete(job.id);
      this.opts.loadChanged();
      this.poke(0);
      ctx.events.emit('job', ctx.store.isOpen() ? ctx.store.get(job.id) : job);
    }
  }

  /** Builds the task's input; plans the output names first so a crash later finds them. */
  private prepare(job: Job): { task: TaskInput } | { done: TaskOutcome } {
    const { ctx } = this;
    const spec = job.spec;
    const workDir = workDirOf(ctx.dataDir, job.id);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    if (spec.kind !== 'export' && (spec.inputCopy === undefined || !existsSync(spec.inputCopy))) {
      return {
        done: {
          ok: false,
          error: { ...coded('INPUT_GONE', {}), transient: false },
        },
      };
    }
    const place = {
      jobId: job.id,
      name: job.name,
      inputPath: spec.inputCopy ?? null,
      scratchDir: workDir,
      checkpointEveryMs: ctx.settings().checkpointSeconds * 1000,
    };
    const source = () => ctx.sources.forSpec(spec.kind === 'catalog-import' ? { source: 'demo' } : spec);
    const catalog = () => ctx.sources.catalogFile();
    if (spec.kind === 'catalog-import')
      return { task: taskInput(spec, { ...place, finalPath: '' }, source, catalog) };
    // A finished result whose job was not yet marked done (a crash in between): just finalize.
    const checkpoint = ctx.store.checkpoint(job.id) as {
      finalize?: { tmp: string; final: string }[];
      crossdock?: unknown;
    } | null;
    const finalize = checkpoint?.finalize;
    if (job.result && finalize && finalize.every((f) => existsSync(f.final) || existsSync(f.tmp))) {
      return { done: { ok: true, stats: job.result, files: finalize } };
    }
    // A long crossdock interrupted after a checkpoint resumes there (the task checks its files are
    // intact); anything else starts over, and leftovers of the interrupted attempt go first.
    const saved = spec.kind === 'crossdock' && job.outputs.length > 0 ? checkpoint?.crossdock : undefined;
    if (saved === undefined) removeTemporaries(ctx.dataDir, job, { keepWorkDir: true });
    const outDir = spec.outDir ?? ctx.dataDir;
    // The folder may have been removed since the job was submitted: a user expects it back.
    mkdirSync(outDir, { recursive: true });
    let outputs = job.outputs;
    if (outputs.length === 0) {
      const { base, ext } = resultBase(job);
      outputs = [planOutput(ctx.store, outDir, base, ext)];
      ctx.store.setPlannedOutputs(job.id, outputs, Date.now());
    }
    const task = taskInput(
      spec,
      { ...place, finalPath: outputs[0], ...(saved !== undefined ? { resume: saved } : {}) },
      source,
      catalog,
    );
    return { task };
  }

  private onWorkerMessage(r: Running, m: WorkerMessage): void {
    const { ctx } = this;
    const now = Date.now();
    if (m.type === 'log') {
      ctx.log(r.job.id, m.level, m);
      return;
    }
    if (m.type === 'checkpoint') {
      // Committed at once: the partial files on disk already match it.
      ctx.store.setProgress(r.job.id, ctx.owner.id, r.progress, { crossdock: m.data }, now);
      return;
    }
    const elapsed = (now - r.startedAt) / 1000;
    const eta =
      m.total && m.done > 0 && elapsed > 0.5 ? Math.max(0, ((m.total - m.done) * elapsed) / m.done) : null;
    r.progress = { done: m.done, total: m.total, stage: m.stage, eta: eta === null ? null : Math.round(eta) };
    if (now - r.lastPersist >= PROGRESS_PERSIST_MS) {
      r.lastPersist = now;
      ctx.store.setProgress(r.job.id, ctx.owner.id, r.progress, undefined, now);
    }
    if (now - r.lastEmit >= PROGRESS_EMIT_MS) {
      r.lastEmit = now;
      ctx.events.emit('progress', r.job.id, r.progress);
    }
  }

  private complete(r: Running, outcome: TaskOutcome, stopped: Stopped): void {
    const { ctx } = this;
    const { job } = r;
    const now = Date.now();
    const workDir = workDirOf(ctx.dataDir, job.id);
    if (r.reason === 'shutdown') {
      // Not a failure: the job resumes at the next start (from its checkpoint, if it saved one).
      const current = ctx.store.get(job.id) ?? job;
      if (!(ctx.store.checkpoint(job.id) as { crossdock?: unknown } | null)?.crossdock)
        removeTemporaries(ctx.dataDir, current);
      rmSync(workDir, { recursive: true, force: true });
      ctx.store.giveBackAttempt(job.id, ctx.owner.id);
      ctx.store.requeue(job.id, ctx.owner.id, 0, null, now);
      ctx.log(job.id, 'info', coded('LOG_STOPPED_CLOSING', {}));
      return;
    }
    if (r.reason === 'cancel' || stopped === 'time-limit') {
      removeTemporaries(ctx.dataDir, ctx.store.get(job.id) ?? job);
      if (r.reason === 'cancel') {
        ctx.store.finish(
          job.id,
          ctx.owner.id,
          'cancelled',
          { error: coded('CANCELLED_WHILE_RUNNING', {}) },
          now,
        );
        ctx.log(job.id, 'info', coded('LOG_CANCELLED_RUNNING', {}));
      } else if (!outcome.ok) {
        ctx.store.finish(job.id, ctx.owner.id, 'failed', { error: outcome.error }, now);
        ctx.log(job.id, 'error', outcome.error);
      }
      return;
    }
    if (outcome.ok) {
      try {
        ctx.store.setResult(job.id, outcome.stats, outcome.files, now);
        faultPoint('after-result');
        const outputs = outcome.files.map((f) => finalizeFile(f.tmp, f.final));
        faultPoint('after-link');
        removeTemporaries(ctx.dataDir, job); // parts of an earlier attempt that could not be resumed
        ctx.store.finish(job.id, ctx.owner.id, 'succeeded', { outputs }, Date.now());
        const s = outcome.stats;
        const { rows, found, partial, notFound, invalid } = s;
        ctx.log(job.id, 'info', coded('LOG_DONE', { rows, found, partial, notFound, invalid, outputs }));
      } catch (err) {
        this.fail(job, { ...coded('RESULT_NOT_SAVED', nest(errorInfo(err))), transient: false }, now);
      }
      return;
    }
    removeTemporaries(ctx.dataDir, ctx.store.get(job.id) ?? job);
    this.fail(job, outcome.error, now);
  }

  /** A failed attempt: retried later with backoff when the error is transient and attempts are left. */
  private fail(job: Job, error: TaskError, now: number): void {
    const { ctx } = this;
    const current = ctx.store.get(job.id) ?? job;
    if (error.transient && current.attempts < current.maxAttempts) {
      const delay = backoffMs(ctx.settings(), current.attempts);
      ctx.store.requeue(job.id, ctx.owner.id, now + delay, error, now);
      const retry = {
        ...nest(error),
        seconds: Math.round(delay / 100) / 10,
        attempt: current.attempts + 1,
        max: current.maxAttempts,
      };
      ctx.log(job.id, 'warn', coded('RETRYING', retry));
      return;
    }
    ctx.store.finish(job.id, ctx.owner.id, 'failed', { error, errorDetails: error.details ?? null }, now);
    ctx.log(job.id, 'error', error);
  }
}
