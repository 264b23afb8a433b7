// Takes team jobs from the queue and runs them in this engine's worker pool, with this machine's
// own data-source settings. BullMQ holds the job's lock while it runs; if this process dies, its
// stall checker hands the job to another worker, and only one attempt can complete it.
import type { ConnectionOptions, Job as BullJob, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CodedError } from '../common/errors.ts';
import { backoffMs } from '../common/settings-schema.ts';
import type { ErrorParams } from '../common/types.ts';
import { BlobError, type BlobStore } from './blobs.ts';
import { QUEUE_NAME, type TeamConfig } from './config.ts';
import { bullmq } from './packages.ts';
import type { TeamHost } from './host.ts';
import {
  CANCELLED,
  encodeReason,
  safeExtension,
  sendableCode,
  TeamJobData,
  type TeamMessage,
  type TeamResult,
} from './job-data.ts';
import type { TeamWorker as TeamWorkerRow } from '../common/team-types.ts';

/**
 * Which attempt a running team job is on: the failed ones and the ones a dead worker left (stalled),
 * plus this one. A job handed back to the queue (a worker stopping, or no free slot) spent none,
 * though BullMQ's attemptsStarted counts it.
 */
export function attemptNumber(job: Pick<BullJob, 'attemptsMade' | 'stalledCounter'>): number {
  return job.attemptsMade + (job.stalledCounter ?? 0) + 1;
}

/** A sentence a team job says (a log line, a failure): English, with its code when it has one. */
type Said = { message: string; code?: string | null; params?: ErrorParams | null };

/**
 * BullMQ fails such a job at once, without the retries left. Its reason carries the code and the
 * parameters to every member (job-data.ts, encodeReason).
 */
function unrecoverable(reason: Said): Error {
  return new (bullmq().UnrecoverableError)(encodeReason(reason));
}

const PROGRESS_EVERY_MS = 250;

/** What a worker's heartbeat key holds: the team panel's row without `self`. */
export type WorkerInfo = Omit<TeamWorkerRow, 'self'>;

export class TeamWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private worker: Worker | null = null;
  private readonly running = new Set<string>();
  private stopping = false;
  private cancelTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: TeamHost,
    private readonly config: TeamConfig,
    private readonly prefix: string,
    private readonly client: Redis,
    private readonly connection: ConnectionOptions,
    private readonly blobs: BlobStore,
    private readonly publish: (m: TeamMessage) => void,
    private readonly onError: (err: unknown) => void,
    /** The set of running jobs changed: the heartbeat key is rewritten at once (the team panel shows it). */
    private readonly onRunningChange: () => void = () => undefined,
  ) {}

  get concurrency(): number {
    return this.config.concurrency ?? this.host.concurrency;
  }

  runningIds(): string[] {
    return [...this.running];
  }

  info(): WorkerInfo {
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      concurrency: this.concurrency,
      running: this.runningIds(),
      lastSeen: Date.now(),
    };
  }

  start(): void {
    const lockDuration = this.config.lockMs ?? 15_000;
    const { Worker } = bullmq();
    this.worker = new Worker(QUEUE_NAME, (job, token, signal) => this.process(job, token, signal), {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: this.concurrency,
      lockDuration,
      stalledInterval: this.config.stalledMs ?? Math.max(1000, Math.round(lockDuration / 2)),
      // A worker dying mid-job counts as an attempt, as an interruption does locally.
      maxStalledCount: this.host.settings.maxAttempts,
      // Bull Board's charts, and the team panel's: a week of per-minute figures.
      metrics: { maxDataPoints: 10_080 },
      settings: { backoffStrategy: (attemptsMade: number) => backoffMs(this.host.settings, attemptsMade) },
      name: this.id,
    });
    this.worker.on('error', (err) => this.onError(err));
    this.fitSlots();
    // The durable cancel flag covers a cancel message sent while this worker was not listening.
    this.cancelTimer = setInterval(() => void this.checkCancelFlags(), 1000);
    this.cancelTimer.unref();
  }

  /**
   * One concurrency for local and team jobs: the queue hands this process only as many team jobs as
   * the slots local jobs leave free, and none while they fill every slot (the worker pauses, so
   * another member takes the job instead of it waiting here). Team jobs already running go on.
   */
  fitSlots(): void {
    const worker = this.worker;
    if (!worker || this.stopping) return;
    const room = Math.min(this.concurrency, this.host.concurrency - this.host.localRunning());
    if (room < 1) {
      if (!worker.isPaused()) void worker.pause(true).catch((err: unknown) => this.onError(err));
      return;
    }
    if (worker.concurrency !== room) worker.concurrency = room;
    if (worker.isPaused()) void worker.resume().catch((err: unknown) => this.onError(err));
  }

  /** A cancel for a job this process holds: abort it (BullMQ's own cancel only reaches this process). */
  cancel(id: string): void {
    if (this.running.has(id)) this.worker?.cancelJob(id, CANCELLED);
  }

  private async checkCancelFlags(): Promise<void> {
    const ids = this.runningIds();
    if (ids.length === 0 || this.client.status !== 'ready') return;
    try {
      const flags = await this.client.mget(ids.map((id) => `${this.prefix}:cancel:${id}`));
      ids.forEach((id, i) => flags[i] && this.cancel(id));
    } catch {
      // offline: checked again in a second
    }
  }

  /**
   * Stops taking jobs. Running ones are stopped and handed back to the queue at once, for another
   * worker to take (not counted as a failure); a job that cannot be handed back within 5 s is left to
   * the stall checker, which gives it to another worker when its lock runs out.
   */
  async close(): Promise<void> {
    if (this.cancelTimer) clearInterval(this.cancelTimer);
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    // No new fetches while the running jobs are handed back (else a handed-back job comes right back here).
    await worker.pause(true).catch(() => undefined);
    for (const id of this.running) worker.cancelJob(id, 'shutdown');
    const deadline = Date.now() + 5000;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Forced, and bounded: a worker whose connection never got in must not hold the app's exit.
    const closing = worker.close(true).catch(() => undefined);
    await Promise.race([closing, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.worker = null;
  }

  private async process(job: BullJob, token?: string, signal?: AbortSignal): Promise<TeamResult> {
    const parsed = TeamJobData.safeParse(job.data);
    if (!parsed.success || parsed.data.id !== job.id) {
      const issue = parsed.success ? 'its id does not match' : parsed.error.issues[0]?.message;
      throw unrecoverable(new CodedError('TEAM_JOB_DATA_INVALID', { reason: String(issue) }));
    }
    const data = parsed.data;
    const id = data.id;
    if (await this.client.exists(`${this.prefix}:cancel:${id}`))
      throw unrecoverable(new CodedError('CANCELLED_BEFORE_START', {}));
    if (this.stopping || this.host.localRunning() >= this.host.concurrency) {
      // Fetched as this worker stops, or just as local jobs took every slot (a fetch already waiting
      // on Redis is not stopped by pausing): back to the queue at once, for another member (or this
      // one later).
      this.fitSlots();
      await job.moveToWait(token);
      throw new (bullmq().WaitingError)();
    }
    // Bull Board's job log keeps the English; the members hear the code too.
    const log = (level: 'info' | 'warn' | 'error', line: Said) => {
      void job.log(`${level}: ${line.message}`).catch(() => undefined);
      const at = Date.now();
      this.publish({ type: 'log', id, at, level, message: line.message, ...sendableCode(line) });
    };
    this.running.add(id);
    this.onRunningChange();
    const workDir = join(this.host.dataDir, 'team', 'work', `${id}-${randomBytes(4).toString('hex')}`);
    try {
      log(
        'info',
        new CodedError('LOG_TEAM_ATTEMPT_STARTED', {
          attempt: attemptNumber(job),
          max: data.maxAttempts,
          host: hostname(),
          pid: process.pid,
        }),
      );
      let inputPath: string | null = null;
      if (data.input) {
        const dir = join(this.host.dataDir, 'team', 'inputs');
        mkdirSync(dir, { recursive: true });
        // Named by the hash this worker verified, so a copy from an earlier job can be reused.
        inputPath = join(dir, `${data.input.blob}${safeExtension(data.input.name)}`);
        if (!existsSync(inputPath) || statSync(inputPath).size !== data.input.size) {
          const tooBig = this.blobs.tooBig(data.input.size, 'input');
          if (tooBig) throw unrecoverable(tooBig);
          try {
            await this.blobs.get(data.input.blob, inputPath);
          } catch (err) {
            throw unrecoverable(err instanceof CodedError ? err : { message: (err as Error).message });
          }
        }
      }
      mkdirSync(workDir, { recursive: true });
      let lastProgress = 0;
      const outcome = await this.host.runTeamTask(
        { jobId: id, name: data.name, spec: data.spec, inputPath, workDir },
        signal ?? new AbortController().signal,
        (m) => {
          if (m.type === 'log') log(m.level, m);
          else if (m.type === 'progress') {
            const now = Date.now();
            if (now - lastProgress < PROGRESS_EVERY_MS) return;
            lastProgress = now;
            void job
              .updateProgress({ done: m.done, total: m.total, stage: m.stage, eta: null })
              .catch(() => undefined);
          }
        },
      );
      if (signal?.aborted && this.stopping) {
        log('info', new CodedError('LOG_TEAM_HANDED_BACK', { host: hostname() }));
        await job.moveToWait(token);
        throw new (bullmq().WaitingError)();
      }
      if (signal?.aborted)
        throw unrecoverable(new CodedError('TEAM_CANCELLED_WHILE_RUNNING', { host: hostname() }));
      if (!outcome.ok) {
        log(outcome.error.transient ? 'warn' : 'error', outcome.error);
        // Retried by BullMQ: the reason of the attempt, coded as well.
        if (outcome.error.transient) throw new Error(encodeReason(outcome.error));
        throw unrecoverable(outcome.error);
      }
      const files: TeamResult['files'] = [];
      for (const f of outcome.files) {
        const path = existsSync(f.tmp) ? f.tmp : f.final;
        try {
          const { sha256, size } = await this.blobs.put(path, undefined, 'result');
          files.push({ blob: sha256, size });
        } catch (err) {
          if (err instanceof BlobError) throw unrecoverable(err);
          throw err;
        }
      }
      log('info', new CodedError('LOG_TEAM_FINISHED_ON', { host: hostname(), rows: outcome.stats.rows }));
      return { stats: outcome.stats, files };
    } finally {
      this.running.delete(id);
      this.onRunningChange();
      rmSync(workDir, { recursive: true, force: true });
    }
  }
}
