// Takes team jobs from the queue and runs them in this engine's worker pool, with this machine's
// own data-source settings. BullMQ holds the job's lock while it runs; if this process dies, its
// stall checker hands the job to another worker, and only one attempt can complete it.
import type { ConnectionOptions, Job as BullJob, Queue, Worker } from 'bullmq';
import type { TaskOutcome, WorkerMessage } from '../../src-worker/protocol.ts';
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
  decodeReason,
  encodeReason,
  PART_JOB,
  partId,
  partOf,
  safeExtension,
  sendableCode,
  TeamJobData,
  type TeamMessage,
  TeamPartData,
  TeamResult,
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
  /** The team job of each BullMQ job running here: a part's parent, else itself. */
  private readonly parentOf = new Map<string, string>();
  private stopping = false;
  private cancelTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: TeamHost,
    private readonly config: TeamConfig,
    private readonly prefix: string,
    private readonly client: Redis,
    private readonly queue: Queue,
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

  /** The team jobs running here (a part counts as its job). */
  runningIds(): string[] {
    return [...new Set([...this.running].map((r) => this.parentOf.get(r) ?? r))];
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
    for (const r of this.running)
      if (r === id || this.parentOf.get(r) === id) this.worker?.cancelJob(r, CANCELLED);
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
    // A part of a split crossdock: its own data (the parent's options, a range of lines).
    const asPart = job.name === PART_JOB ? TeamPartData.safeParse(job.data) : null;
    if (asPart && (!asPart.success || partId(asPart.data.parent, asPart.data.index) !== job.id)) {
      const issue = asPart.success ? 'its id does not match' : asPart.error.issues[0]?.message;
      throw unrecoverable(new CodedError('TEAM_JOB_DATA_INVALID', { reason: String(issue) }));
    }
    const part = asPart?.success ? asPart.data : null;
    let data: TeamJobData | null = null;
    if (!part) {
      const parsed = TeamJobData.safeParse(job.data);
      if (!parsed.success || parsed.data.id !== job.id) {
        const issue = parsed.success ? 'its id does not match' : parsed.error.issues[0]?.message;
        throw unrecoverable(new CodedError('TEAM_JOB_DATA_INVALID', { reason: String(issue) }));
      }
      data = parsed.data;
    }
    /** The team job as members see it: a part's parent. */
    const id = part ? part.parent : data!.id;
    // A split job whose part failed for good (or was cancelled) goes on at once to fail as a whole.
    if (data?.split) await this.failedPart(job);
    if (await this.client.exists(`${this.prefix}:cancel:${id}`))
      throw unrecoverable(new CodedError(data?.split ? 'CANCELLED' : 'CANCELLED_BEFORE_START', {}));
    if (this.stopping || this.host.localRunning() >= this.host.concurrency) {
      // Fetched as this worker stops, or just as local jobs took every slot (a fetch already waiting
      // on Redis is not stopped by pausing): back to the queue at once, for another member (or this
      // one later).
      this.fitSlots();
      await job.moveToWait(token);
      throw new (bullmq().WaitingError)();
    }
    // Bull Board's job log keeps the English; the members hear the code too (a part's under its parent).
    const log = (level: 'info' | 'warn' | 'error', line: Said) => {
      void job.log(`${level}: ${line.message}`).catch(() => undefined);
      // A member that joins later reads the job's log so far from its parent's (Bull Board too).
      if (part) void this.queue.addJobLog(id, `${level}: ${line.message}`).catch(() => undefined);
      const at = Date.now();
      this.publish({ type: 'log', id, at, level, message: line.message, ...sendableCode(line) });
    };
    const runId = job.id ?? id;
    this.running.add(runId);
    this.parentOf.set(runId, id);
    this.onRunningChange();
    const workDir = join(this.host.dataDir, 'team', 'work', `${runId}-${randomBytes(4).toString('hex')}`);
    try {
      const where = { host: hostname(), pid: process.pid };
      if (part) {
        log(
          'info',
          new CodedError('LOG_TEAM_PART_STARTED', {
            part: part.index + 1,
            parts: part.parts,
            attempt: attemptNumber(job),
            max: part.maxAttempts,
            ...where,
          }),
        );
        await this.partProgress(part, 0, null);
      } else
        log(
          'info',
          new CodedError('LOG_TEAM_ATTEMPT_STARTED', {
            attempt: attemptNumber(job),
            max: data!.maxAttempts,
            ...where,
          }),
        );
      mkdirSync(workDir, { recursive: true });
      const abort = signal ?? new AbortController().signal;
      let lastProgress = 0;
      const onMessage = (m: WorkerMessage) => {
        // A part's own summary lines would say each part's counts: the merge says the whole job's.
        if (m.type === 'log') {
          if (!part || m.level !== 'info') log(m.level, m);
        } else if (m.type === 'progress') {
          const now = Date.now();
          if (now - lastProgress < PROGRESS_EVERY_MS) return;
          lastProgress = now;
          if (part) void this.partProgress(part, m.done, m.total).catch(() => undefined);
          else
            void job
              .updateProgress({ done: m.done, total: m.total, stage: m.stage, eta: null })
              .catch(() => undefined);
        }
      };
      let outcome: TaskOutcome;
      if (data?.split) {
        const parts = await this.downloadParts(job, data.split.parts.length, workDir);
        log('info', new CodedError('LOG_TEAM_MERGING', { parts: parts.length, host: hostname() }));
        outcome = await this.host.runTeamMerge(
          { jobId: id, name: data.name, spec: data.spec, parts, workDir },
          abort,
          onMessage,
        );
      } else {
        const spec = part ? part.spec : data!.spec;
        const input = part ? part.input : data!.input;
        const inputPath = input ? await this.downloadInput(input) : null;
        outcome = await this.host.runTeamTask(
          {
            jobId: runId,
            name: part ? part.name : data!.name,
            spec,
            inputPath,
            workDir,
            ...(part ? { part: { from: part.from, lines: part.lines } } : {}),
          },
          abort,
          onMessage,
        );
      }
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
      // The team result's counts, and how the lines were priced when it says (checked by readers).
      const { rows, found, partial, notFound, invalid, rule } = outcome.stats;
      if (!part)
        log('info', new CodedError('LOG_TEAM_FINISHED_ON', { host: hostname(), rows: outcome.stats.rows }));
      else await this.partProgress(part, rows, rows).catch(() => undefined);
      return { stats: { rows, found, partial, notFound, invalid, ...(rule ? { rule } : {}) }, files };
    } finally {
      this.running.delete(runId);
      this.parentOf.delete(runId);
      this.onRunningChange();
      rmSync(workDir, { recursive: true, force: true });
    }
  }

  /** The verified copy of a team job's input in this worker's data dir (kept for later jobs). */
  private async downloadInput(input: NonNullable<TeamJobData['input']>): Promise<string> {
    const dir = join(this.host.dataDir, 'team', 'inputs');
    mkdirSync(dir, { recursive: true });
    // Named by the hash this worker verified, so a copy from an earlier job can be reused.
    const inputPath = join(dir, `${input.blob}${safeExtension(input.name)}`);
    if (!existsSync(inputPath) || statSync(inputPath).size !== input.size) {
      const tooBig = this.blobs.tooBig(input.size, 'input');
      if (tooBig) throw unrecoverable(tooBig);
      try {
        await this.blobs.get(input.blob, inputPath);
      } catch (err) {
        throw unrecoverable(err instanceof CodedError ? err : { message: (err as Error).message });
      }
    }
    return inputPath;
  }

  /** A split job's part that failed for good: the whole job fails (or is cancelled) with its reason. */
  private async failedPart(job: BullJob): Promise<void> {
    const failed = await job.getFailedChildrenValues();
    const keys = Object.keys(failed).sort();
    if (keys.length === 0) return;
    // The parts not started are not needed any more; running ones end on their own.
    await job.removeUnprocessedChildren().catch(() => undefined);
    const reason = decodeReason(failed[keys[0]]) ?? new CodedError('TEAM_JOB_FAILED', {}).info();
    throw unrecoverable(reason);
  }

  /** Every part's result (untrusted: parsed), downloaded in order into the merge's folder. */
  private async downloadParts(
    job: BullJob,
    count: number,
    workDir: string,
  ): Promise<{ workbook: string; summary: string }[]> {
    const values = await job.getChildrenValues();
    const results = new Map<number, TeamResult>();
    for (const [key, value] of Object.entries(values)) {
      const of = partOf(key);
      const parsed = TeamResult.safeParse(value);
      if (of && of.parent === job.id && parsed.success && parsed.data.files.length === 2)
        results.set(of.index, parsed.data);
    }
    const parts: { workbook: string; summary: string }[] = [];
    for (let i = 0; i < count; i++) {
      const r = results.get(i);
      if (!r) throw unrecoverable(new CodedError('TEAM_SPLIT_PART_MISSING', { part: i + 1 }));
      const workbook = join(workDir, `part-${i + 1}.xlsx`);
      const summary = join(workDir, `part-${i + 1}.json`);
      try {
        await this.blobs.get(r.files[0].blob, workbook);
        await this.blobs.get(r.files[1].blob, summary);
      } catch (err) {
        if (err instanceof BlobError) throw unrecoverable(err);
        throw err;
      }
      parts.push({ workbook, summary });
    }
    return parts;
  }

  /**
   * A part's progress, and the whole job's from every part's (a hash beside the job): members see
   * the parent's progress as they see any job's.
   */
  private async partProgress(part: TeamPartData, done: number, total: number | null): Promise<void> {
    const key = `${this.prefix}:parts:${part.parent}`;
    const [, , all] = ((await this.client
      .multi()
      .hset(key, String(part.index), JSON.stringify({ done, total }))
      .expire(key, 7 * 86_400)
      .hgetall(key)
      .exec()) ?? []) as [unknown, unknown, [Error | null, Record<string, string>]];
    let sum = 0;
    for (const v of Object.values(all?.[1] ?? {})) {
      try {
        const d = (JSON.parse(v) as { done?: unknown }).done;
        if (typeof d === 'number' && Number.isFinite(d) && d >= 0) sum += d;
      } catch {
        // not ours: counted as nothing
      }
    }
    await this.queue.updateJobProgress(part.parent, {
      done: sum,
      total: Math.max(part.total, sum),
      stage: 'matching',
      eta: null,
    });
  }
}
