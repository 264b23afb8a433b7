// Team mode in one process: the connection to the team's Redis, submitting to the BullMQ queue,
// mirroring team jobs into the local job table (live progress and logs), downloading results for
// the jobs submitted here, cancel across machines, the team panel's figures, and, when this
// process takes team jobs, its TeamWorker.
import type { ConnectionOptions, Job as BullJob, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Job, JobProgress } from '../common/types.ts';
import { TERMINAL } from '../common/types.ts';
import type { TeamStatus, TeamTestResult, TeamWorker as TeamWorkerInfo } from '../common/team-types.ts';
import { BlobError, BlobStore } from './blobs.ts';
import {
  askThePort,
  checkCaFile,
  createRedis,
  describeRedisError,
  isTlsUrl,
  QUEUE_NAME,
  redisOptions,
  redactUrl,
  teamPrefix,
  worthAskingThePort,
  type TeamConfig,
} from './config.ts';
import type { TeamHost } from './host.ts';
import { bullmq } from './packages.ts';
import { CANCELLED, TeamJobData, TeamMessage, TeamProgress, TeamResult } from './job-data.ts';
import { taskOptions } from '../common/spec.ts';
import { attemptNumber, TeamWorker, type WorkerInfo } from './worker-loop.ts';

const STATUS_EVERY_MS = 2000;
const RECONCILE_EVERY_MS = 3000;
const WORKER_TTL_MS = 15_000;
const DAY_S = 86_400;
const PRIORITY = { high: 1, normal: 2, low: 3 } as const;

/** A failure to reach or use the team queue, as one sentence. */
export class TeamError extends Error {
  override name = 'TeamError';
}

export class TeamService {
  readonly prefix: string;
  private state: TeamStatus['state'] = 'connecting';
  private error: string | null = null;
  private client: Redis;
  private sub: Redis;
  private queue: Queue;
  private events: QueueEvents;
  private readonly blobs: BlobStore;
  readonly worker: TeamWorker | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly syncs = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private pushing: Promise<void> | null = null;
  private pushAgain = false;
  private status: TeamStatus;
  private statusJson = '';
  private closed = false;
  private readonly lastProgress = new Map<string, number>();
  /** This process, as the owner of a result download in the shared job table. */
  private readonly token = `team:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  /** The CA file cannot be used: said instead of any connection error until it is online. */
  private readonly caError: string | null;
  private everOnline = false;
  /** Before the first connection: the port was asked once why it fails (askThePort); its sentence. */
  private portAsked = false;
  private portAnswer: string | null = null;

  constructor(
    private readonly host: TeamHost,
    readonly config: TeamConfig,
  ) {
    this.prefix = teamPrefix(config.name);
    // A CA file that cannot be used does not stop the app: the connections trust the default CAs only
    // (never less safe), and the team status says what is wrong with the file.
    this.caError = isTlsUrl(config.url) ? checkCaFile(config.caFile) : null;
    const usable: TeamConfig = this.caError ? { ...config, caFile: undefined } : config;
    this.error = this.caError;
    // Commands fail at once while Redis is away (enableOfflineQueue: false): submissions then wait locally.
    // Every connection of this service, BullMQ's included (and their duplicates), stops reconnecting
    // once the service is closed, even one that never got in (a wrong password).
    const retryStrategy = (times: number) => (this.closed ? null : Math.min(200 * times, 2000));
    this.client = createRedis(usable, {
      enableOfflineQueue: false,
      connectionName: 'crossdock',
      retryStrategy,
    });
    this.sub = createRedis(usable, { connectionName: 'crossdock-sub', retryStrategy });
    // BullMQ makes (and closes) its own connections from these options, and reports their errors.
    const bull = () =>
      redisOptions(usable, { connectionName: 'crossdock-bullmq', retryStrategy }) as ConnectionOptions;
    const { Queue, QueueEvents } = bullmq();
    this.queue = new Queue(QUEUE_NAME, { connection: bull(), prefix: this.prefix });
    this.events = new QueueEvents(QUEUE_NAME, { connection: bull(), prefix: this.prefix, autorun: true });
    this.blobs = new BlobStore(this.client, this.prefix, config.maxBlobBytes);
    if (config.runJobs)
      this.worker = new TeamWorker(
        host,
        config,
        this.prefix,
        this.client,
        bull(),
        this.blobs,
        (m) => this.publish(m),
        (err) => this.noteError(err),
        () => void this.beat(),
      );
    this.status = this.baseStatus();
  }

  get channel(): string {
    return `${this.prefix}:events`;
  }

  start(): void {
    this.client.on('ready', () => void this.onOnline());
    this.client.on('error', (err) => this.noteError(err));
    this.client.on('close', () => this.setState('offline'));
    this.sub.on('error', () => undefined);
    this.queue.on('error', () => undefined);
    this.events.on('error', () => undefined);
    void this.sub.subscribe(this.channel).catch(() => undefined);
    this.sub.on('message', (_channel: string, text: string) => this.onMessage(text));
    for (const ev of ['added', 'active', 'completed', 'failed', 'removed', 'waiting', 'delayed', 'stalled'])
      this.events.on(ev as 'added', ({ jobId }: { jobId: string }) => this.sync(jobId));
    this.events.on('progress', ({ jobId, data }: { jobId: string; data: unknown }) =>
      this.onProgress(jobId, data),
    );
    this.worker?.start();
    this.every(() => void this.refreshStatus(), STATUS_EVERY_MS);
    this.every(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.every(() => void this.beat(), 5000);
  }

  /** Local jobs started or ended here: team jobs are taken only into the slots they leave free. */
  localLoadChanged(): void {
    this.worker?.fitSlots();
  }

  private every(fn: () => void, ms: number): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.worker?.close();
    if (this.worker && this.client.status === 'ready')
      await this.client
        .multi()
        .del(`${this.prefix}:worker:${this.worker.id}`)
        .srem(`${this.prefix}:workers`, this.worker.id)
        .exec()
        .catch(() => undefined);
    await Promise.allSettled([...this.syncs.values()]);
    // BullMQ's close waits for its connections; one that never got in (a wrong password) is cut.
    for (const q of [this.events, this.queue])
      if (!(await settlesWithin(q.close(), 2000))) await settlesWithin(q.disconnect(), 1000);
    for (const c of [this.client, this.sub]) c.disconnect();
  }

  // ── connection state ─────────────────────────────────────────────────────────────────────────

  private noteError(err: unknown): void {
    if (this.closed) return;
    const ready = this.client.status === 'ready';
    // Not connected: what the setting lacks says more than the connection error it causes.
    this.error =
      (!ready && (this.caError ?? this.portAnswer)) ||
      describeRedisError(err, this.config.url, this.config.caFile);
    if (!ready) this.setState('offline');
    else this.emitStatus();
    if (!this.everOnline && !this.portAsked && worthAskingThePort(this.config.url, err)) {
      this.portAsked = true;
      void askThePort(this.config.url, err).then((sentence) => {
        if (!sentence || this.closed || this.everOnline) return;
        this.portAnswer = sentence;
        this.error = this.caError ?? sentence;
        this.emitStatus();
      });
    }
  }

  private setState(state: TeamStatus['state']): void {
    if (this.closed || this.state === state) return;
    this.state = state;
    if (state === 'offline' && !this.error)
      this.error = `The team queue at ${redactUrl(this.config.url)} cannot be reached; jobs run on this computer meanwhile.`;
    if (state === 'online') this.error = null;
    this.status = { ...this.status, state, error: this.error };
    this.emitStatus();
  }

  private async onOnline(): Promise<void> {
    this.everOnline = true;
    this.portAnswer = null;
    this.setState('online');
    await this.beat();
    await this.pushPending();
    await this.discover();
    await this.reconcile();
    await this.refreshStatus();
  }

  get online(): boolean {
    return this.state === 'online' && this.client.status === 'ready';
  }

  // ── submitting ───────────────────────────────────────────────────────────────────────────────

  /** One sentence when a file is too big for the team queue, else null. */
  tooBig(size: number): string | null {
    return this.blobs.tooBig(size);
  }

  /** Sends every submission still waiting here (made offline, or just now). Once each: jobId = our id. */
  pushPending(): Promise<void> {
    if (this.pushing) {
      this.pushAgain = true;
      return this.pushing;
    }
    const run = async () => {
      try {
        do {
          this.pushAgain = false;
          for (const job of this.host.store.team.pending()) {
            if (!this.online || this.closed) break;
            await this.push(job);
          }
        } while (this.pushAgain && this.online && !this.closed);
      } finally {
        this.pushing = null;
        this.emitStatus();
      }
    };
    this.pushing = Promise.resolve().then(run);
    return this.pushing;
  }

  private async push(job: Job): Promise<void> {
    const spec = job.spec;
    try {
      let input: TeamJobData['input'] = null;
      if (spec.inputCopy !== undefined) {
        const name = /^[0-9a-f]{64}/.exec(spec.inputCopy.split(/[\\/]/).pop() ?? '')?.[0];
        const size = spec.inputSize;
        const up = await this.blobs.put(
          spec.inputCopy,
          name && size !== undefined ? { sha256: name, size } : undefined,
        );
        input = { blob: up.sha256, name: job.name, size: up.size };
      }
      const data: TeamJobData = {
        v: 1,
        id: job.id,
        name: job.name,
        spec: taskOptions(spec),
        input,
        submittedBy: job.submittedBy,
        host: hostname(),
        priority: job.priority,
        maxAttempts: job.maxAttempts,
        createdAt: job.createdAt,
      };
      TeamJobData.parse(data);
      await this.queue.add(job.kind, data, {
        jobId: job.id,
        attempts: job.maxAttempts,
        backoff: { type: 'crossdock', delay: this.host.settings.backoffSeconds * 1000 },
        priority: PRIORITY[job.priority],
        removeOnComplete: { age: 7 * DAY_S, count: 10_000 },
        removeOnFail: { age: 30 * DAY_S, count: 10_000 },
      });
      if (this.host.store.team.markSent(job.id)) {
        this.host.log(job.id, 'info', `Sent to the team queue "${this.config.name}".`);
        this.host.announce(job.id);
      }
      this.publish({ type: 'changed', id: job.id });
    } catch (err) {
      if (err instanceof BlobError || (err instanceof Error && /not valid|Invalid/i.test(err.message))) {
        // Not worth trying again: the job fails here with the reason.
        if (this.host.store.finish(job.id, null, 'failed', { error: err.message }, Date.now())) {
          this.host.log(job.id, 'error', err.message);
          this.host.announce(job.id);
        }
        return;
      }
      this.noteError(err);
    }
  }

  // ── mirroring ────────────────────────────────────────────────────────────────────────────────

  private onMessage(text: string): void {
    let m: TeamMessage;
    try {
      const parsed = TeamMessage.safeParse(JSON.parse(text));
      if (!parsed.success) return;
      m = parsed.data;
    } catch {
      return;
    }
    if (m.type === 'cancel') this.worker?.cancel(m.id);
    else if (m.type === 'changed') this.sync(m.id);
    else if (m.type === 'log') {
      const row = this.host.store.get(m.id);
      if (row?.origin !== 'team') return;
      try {
        const line = this.host.store.addLog(m.id, m.level, m.message, m.at);
        this.host.events.emit('log', line);
      } catch {
        // removed meanwhile
      }
    }
  }

  private publish(m: TeamMessage): void {
    if (this.client.status !== 'ready') return;
    void this.client.publish(this.channel, JSON.stringify(m)).catch(() => undefined);
  }

  private onProgress(id: string, data: unknown): void {
    const parsed = TeamProgress.safeParse(data);
    if (!parsed.success) return;
    const row = this.host.store.get(id);
    if (!row || row.origin !== 'team' || TERMINAL.includes(row.status)) return;
    const progress: JobProgress = parsed.data;
    const now = Date.now();
    if (now - (this.lastProgress.get(id) ?? 0) >= 1000) {
      this.lastProgress.set(id, now);
      this.host.store.team.setProgress(id, progress, now);
    }
    if (row.status === 'queued') this.sync(id);
    this.host.events.emit('progress', id, progress);
  }

  /** Brings the local row of one team job up to date with the queue; one at a time per job. */
  sync(id: string): void {
    if (this.closed) return;
    if (this.syncs.has(id)) {
      this.again.add(id);
      return;
    }
    const p = this.syncOne(id)
      .catch((err: unknown) => this.noteError(err))
      .finally(() => {
        this.syncs.delete(id);
        if (this.again.delete(id)) this.sync(id);
      });
    this.syncs.set(id, p);
  }

  /** Shows a team job this process has not seen yet (e.g. `crossdock jobs cancel --redis <id>`). */
  async adopt(id: string): Promise<void> {
    this.sync(id);
    await this.settled(id);
  }

  /** Resolves when the job's pending updates are applied (tests and cancel wait on it). */
  async settled(id: string): Promise<void> {
    while (this.syncs.has(id)) await this.syncs.get(id);
  }

  private async syncOne(id: string): Promise<void> {
    if (!this.online) return;
    const row = this.host.store.get(id);
    if (row && (row.origin !== 'team' || TERMINAL.includes(row.status))) return;
    if (row && this.host.store.team.teamState(id) === 'pending') return;
    // The state first: a finished job's hash is final, so the job read after it is consistent with it.
    const state = await this.queue.getJobState(id);
    const job = state === 'unknown' ? undefined : ((await this.queue.getJob(id)) as BullJob | undefined);
    if (!job) {
      if (!row) return;
      const cancelled = (await this.client.exists(`${this.prefix}:cancel:${id}`)) === 1;
      this.end(
        row,
        cancelled ? 'cancelled' : 'failed',
        cancelled
          ? 'Cancelled.'
          : 'The job is no longer in the team queue (it was removed, or Redis lost it); submit it again.',
      );
      return;
    }
    let current = row;
    if (!current) {
      const data = TeamJobData.safeParse(job.data);
      if (!data.success || data.data.id !== id) return; // not ours to show: a worker refuses it with the reason
      current = this.host.store.team.insertMirror(data.data, Date.now());
      if (!current) return;
      await this.catchUpLogs(id);
      this.host.events.emit('job', current);
    }
    if (state === 'active') {
      if (
        this.host.store.team.setRunning(
          id,
          attemptNumber(job),
          Math.min(job.processedOn ?? Infinity, Date.now()),
          Date.now(),
        )
      )
        this.host.announce(id);
    } else if (
      state === 'waiting' ||
      state === 'delayed' ||
      state === 'prioritized' ||
      state === 'waiting-children'
    ) {
      if (
        current.status !== 'queued' &&
        this.host.store.team.setQueued(id, job.failedReason ?? null, Date.now())
      )
        this.host.announce(id);
    } else if (state === 'completed') {
      const result = TeamResult.safeParse(job.returnvalue);
      if (!result.success) {
        this.end(current, 'failed', 'The result the worker reported is not valid; it was refused.');
        return;
      }
      if (this.host.store.team.teamState(id) === 'sent') await this.download(current, result.data);
      else {
        this.host.store.team.setResult(id, result.data.stats);
        this.end(current, 'succeeded', null, `Done on the team: ${result.data.stats.rows} lines.`);
      }
    } else if (state === 'failed') {
      const reason = String(job.failedReason ?? 'The job failed on the team.').slice(0, 2000);
      if (reason.startsWith(CANCELLED)) this.end(current, 'cancelled', reason);
      else this.end(current, 'failed', reason);
    }
  }

  /** A job first seen here mid-way: its log so far, from the BullMQ job's log (what Bull Board shows too). */
  private async catchUpLogs(id: string): Promise<void> {
    try {
      const { logs } = await this.queue.getJobLogs(id, 0, 999);
      for (const line of logs) {
        const m = /^(info|warn|error): ([\s\S]{0,4000})/.exec(String(line));
        if (m) this.host.store.addLog(id, m[1] as 'info' | 'warn' | 'error', m[2], Date.now());
      }
    } catch {
      // the log is a nicety: the job itself is mirrored
    }
  }

  private end(
    row: Job,
    status: 'succeeded' | 'failed' | 'cancelled',
    error: string | null,
    message?: string,
  ): void {
    // Read again: a retry here may have sent the job out again while this sync waited on Redis.
    if (this.host.store.team.teamState(row.id) === 'pending') return;
    const outputs = status === 'succeeded' ? row.outputs : undefined;
    if (!this.host.store.finish(row.id, null, status, { error, ...(outputs ? { outputs } : {}) }, Date.now()))
      return;
    this.lastProgress.delete(row.id);
    const text = message ?? error ?? status;
    // The worker's own log line often says it already (it reached us live).
    const last = this.host.store.logs(row.id).at(-1);
    if (last?.message !== text) this.host.log(row.id, status === 'failed' ? 'error' : 'info', text);
    this.host.announce(row.id);
  }

  /**
   * The submitter's side of a finished job: the result files go into the job's own output folder,
   * under the names planned here, through temporary names (a crash in between finds them again).
   */
  private async download(row: Job, result: TeamResult): Promise<void> {
    if (!this.host.store.team.claimDownload(row.id, this.token, Date.now())) return; // another process here does it
    const outDir = row.spec.outDir ?? '';
    if (!outDir) {
      this.end(row, 'failed', 'The job has no output folder here; it cannot receive its result.');
      return;
    }
    mkdirSync(outDir, { recursive: true });
    let outputs = row.outputs;
    if (outputs.length < result.files.length) {
      const { base, ext } = this.host.resultBase(row);
      outputs = result.files.map(
        (_f, i) =>
          outputs[i] ?? this.host.planOutput(outDir, i === 0 ? base : `${base} (part ${i + 1})`, ext),
      );
      this.host.store.setPlannedOutputs(row.id, outputs, Date.now());
    }
    const finals: string[] = [];
    try {
      for (let i = 0; i < result.files.length; i++) {
        const final = outputs[i];
        const tmp = this.host.temporaryPath(final, row.id);
        if (!existsSync(tmp) && !existsSync(final)) await this.blobs.get(result.files[i].blob, tmp);
        faultPoint('team-after-download');
        finals.push(this.host.finalizeFile(tmp, final));
      }
    } catch (err) {
      this.end(row, 'failed', `The result could not be downloaded: ${(err as Error).message}`);
      return;
    }
    this.host.store.team.setResult(row.id, result.stats);
    const s = result.stats;
    if (this.host.store.finish(row.id, null, 'succeeded', { outputs: finals }, Date.now())) {
      this.host.log(
        row.id,
        'info',
        `Done: ${s.rows} lines (${s.found} found, ${s.partial} partial, ${s.notFound} not found, ${s.invalid} invalid) → ${finals.join(', ')}`,
      );
      this.host.announce(row.id);
    }
  }

  /** Every open team job here against the queue: covers events missed while offline. */
  private async reconcile(): Promise<void> {
    if (!this.online) return;
    for (const id of this.host.store.team.open()) {
      this.sync(id);
      await this.settled(id);
    }
  }

  /** Team jobs other members submitted while this process was not listening. */
  private async discover(): Promise<void> {
    try {
      const jobs = await this.queue.getJobs(['active', 'waiting', 'prioritized', 'delayed'], 0, 999);
      for (const j of jobs) if (j?.id && !this.host.store.get(j.id)) this.sync(j.id);
    } catch (err) {
      this.noteError(err);
    }
  }

  // ── control ──────────────────────────────────────────────────────────────────────────────────

  /** Cancels a team job wherever it runs: a durable flag plus a message the worker holding it acts on. */
  async cancel(id: string): Promise<void> {
    const row = this.host.store.get(id);
    if (!row || TERMINAL.includes(row.status)) return;
    if (this.host.store.team.teamState(id) === 'pending') {
      this.end(row, 'cancelled', 'Cancelled before it was sent to the team.');
      return;
    }
    if (!this.online)
      throw new TeamError(
        'The team queue is offline, so the job cannot be cancelled now; try again when it is back.',
      );
    await this.client.set(`${this.prefix}:cancel:${id}`, '1', 'EX', 7 * DAY_S);
    this.publish({ type: 'cancel', id });
    const job = (await this.queue.getJob(id)) as BullJob | undefined;
    if (job) {
      const state = await job.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        try {
          await job.remove();
          this.end(row, 'cancelled', 'Cancelled before it started.');
          this.publish({ type: 'changed', id });
        } catch {
          // a worker took it meanwhile: the flag stops it
        }
      }
    } else this.sync(id);
  }

  /**
   * Before a failed or cancelled team job goes back to the queue here: a job submitted here is
   * sent again (so no sync may end it meanwhile for being gone from Redis).
   */
  prepareRetry(id: string): void {
    if (this.host.store.team.teamState(id) === 'sent') this.host.store.team.markPending(id);
  }

  /** Runs a failed or cancelled team job again (the local row is already back in the queue). */
  async retry(id: string): Promise<void> {
    if (!this.online) return; // a pending one goes out when Redis is back
    await this.client.del(`${this.prefix}:cancel:${id}`);
    const job = (await this.queue.getJob(id)) as BullJob | undefined;
    const state = job ? await job.getState() : 'unknown';
    if (this.host.store.team.teamState(id) === 'pending') {
      // The old BullMQ job (failed, or completed and then cancelled here) makes room for the new one.
      if (job && state !== 'active') await job.remove().catch(() => undefined);
      await this.pushPending();
      return;
    }
    // Another member's job: BullMQ retries it in place.
    if (job && (state === 'failed' || state === 'completed')) {
      await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
      this.publish({ type: 'changed', id });
    }
    this.sync(id);
  }

  // ── team panel ───────────────────────────────────────────────────────────────────────────────

  private baseStatus(): TeamStatus {
    return {
      state: this.state,
      team: this.config.name,
      error: this.error,
      workers: [],
      queue: null,
      lastHour: null,
      pendingSubmissions: this.host.store.team.pendingCount(),
    };
  }

  current(): TeamStatus {
    return {
      ...this.status,
      state: this.state,
      error: this.error,
      pendingSubmissions: this.host.store.team.pendingCount(),
    };
  }

  private emitStatus(): void {
    if (this.closed) return;
    const s = this.current();
    const json = JSON.stringify({ ...s, workers: s.workers.map((w) => ({ ...w, lastSeen: 0 })) });
    if (json === this.statusJson) return;
    this.statusJson = json;
    this.host.events.emit('team', s);
  }

  /** This process's heartbeat key, read by every member's team panel. */
  private async beat(): Promise<void> {
    if (!this.worker || this.client.status !== 'ready') return;
    const info: WorkerInfo = this.worker.info();
    try {
      await this.client
        .multi()
        .set(`${this.prefix}:worker:${info.id}`, JSON.stringify(info), 'PX', WORKER_TTL_MS)
        .sadd(`${this.prefix}:workers`, info.id)
        .exec();
    } catch {
      // offline: the key expires and the panels stop listing this worker
    }
  }

  async refreshStatus(): Promise<TeamStatus> {
    if (!this.online) {
      this.emitStatus();
      return this.current();
    }
    try {
      const [counts, paused, workers, lastHour] = await Promise.all([
        this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
        this.queue.isPaused(),
        readWorkers(this.client, this.prefix, this.worker?.id ?? null),
        readLastHour(this.queue),
      ]);
      this.status = {
        ...this.status,
        workers,
        queue: {
          // A paused queue (Bull Board's pause button) holds its waiting jobs: shown as paused.
          waiting: paused ? 0 : (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          completed: counts.completed ?? 0,
          failed: counts.failed ?? 0,
          paused: paused ? (counts.waiting ?? 0) + (counts.prioritized ?? 0) : 0,
        },
        lastHour,
      };
    } catch (err) {
      this.noteError(err);
    }
    this.emitStatus();
    return this.current();
  }
}

async function readWorkers(client: Redis, prefix: string, self: string | null): Promise<TeamWorkerInfo[]> {
  const ids = await client.smembers(`${prefix}:workers`);
  if (ids.length === 0) return [];
  const values = await client.mget(ids.map((id) => `${prefix}:worker:${id}`));
  const out: TeamWorkerInfo[] = [];
  const gone: string[] = [];
  ids.forEach((id, i) => {
    const v = values[i];
    if (!v) return gone.push(id);
    try {
      const w = JSON.parse(v) as WorkerInfo;
      out.push({
        id,
        host: String(w.host).slice(0, 255),
        pid: Number(w.pid) || 0,
        concurrency: Number(w.concurrency) || 0,
        running: Array.isArray(w.running) ? w.running.map(String).slice(0, 100) : [],
        lastSeen: Number(w.lastSeen) || 0,
        self: id === self,
      });
    } catch {
      gone.push(id);
    }
  });
  if (gone.length) await client.srem(`${prefix}:workers`, ...gone);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Completed and failed jobs in the last hour, from BullMQ's per-minute metrics (what Bull Board charts). */
async function readLastHour(queue: Queue): Promise<TeamStatus['lastHour']> {
  const [done, failed] = await Promise.all([
    queue.getMetrics('completed', 0, 59),
    queue.getMetrics('failed', 0, 59),
  ]);
  const sum = (m: { data: number[]; meta: { count: number; prevCount: number; prevTS: number } }) =>
    m.data.reduce((a, b) => a + (Number(b) || 0), 0) +
    // jobs of the running minute are not a data point yet
    Math.max(0, (Number(m.meta.count) || 0) - (Number(m.meta.prevCount) || 0));
  const completed = sum(done);
  const f = sum(failed);
  return { completed, failed: f, failureRate: completed + f > 0 ? f / (completed + f) : null };
}

/** Checks a Redis connection for the settings screen's Test button and `crossdock worker`'s start. */
export async function testTeamConnection(config: TeamConfig): Promise<TeamTestResult> {
  // A CA file given but unusable is a setting to fix, whichever the scheme.
  const caError = checkCaFile(config.caFile);
  if (caError) return { ok: false, error: caError };
  const client = createRedis(config, {
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    connectionName: 'crossdock-test',
  });
  // The 'error' event carries the cause (refused, wrong password); connect() only says it closed.
  let cause: unknown = null;
  client.on('error', (err) => (cause ??= err));
  try {
    await client.connect();
    const info = await client.info('server');
    const redisVersion = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    const major = Number(redisVersion.split('.')[0]);
    if (Number.isFinite(major) && major < 5)
      return {
        ok: false,
        error: `Redis ${redisVersion} is too old for the team queue; it needs Redis 5 or newer (6.2+ recommended).`,
      };
    const prefix = teamPrefix(config.name);
    // Proves the user may write the team's keys (an ACL that forbids it fails here, not mid-job).
    await client.set(`${prefix}:test:${process.pid}`, '1', 'PX', 10_000);
    const ids = await client.smembers(`${prefix}:workers`);
    const alive = ids.length
      ? (await client.mget(ids.map((id) => `${prefix}:worker:${id}`))).filter(Boolean).length
      : 0;
    return { ok: true, redisVersion, workers: alive };
  } catch (err) {
    const closed = /Connection is closed|enableOfflineQueue/i.test(String((err as Error)?.message));
    const why = closed && cause ? cause : err;
    const told = await askThePort(config.url, why);
    return { ok: false, error: told ?? describeRedisError(why, config.url, config.caFile) };
  } finally {
    // A connection that already ended needs nothing more; ioredis's disconnect() would arm a 2 s timer
    // waiting for a close that already happened, and the CLI would take that long to exit.
    if (client.status !== 'end') client.disconnect();
  }
}

/** Whether a promise settles within ms (it is left running otherwise). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = p.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Crash-test hook, as the engine's: CROSSDOCK_FAULT_INJECT=<point> kills this process there. */
function faultPoint(name: string): void {
  if (process.env.CROSSDOCK_FAULT_INJECT === name) process.kill(process.pid, 'SIGKILL');
}
