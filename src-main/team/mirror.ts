// The local job table as a mirror of the team queue: every member shows every team job live (state,
// progress, logs), whoever submitted it and wherever it runs. Queue events only say which job
// changed; the job is then read back from Redis (untrusted, so parsed) and its row brought up to
// date, one sync at a time per job so that two events cannot apply out of order.
import type { Job as BullJob } from 'bullmq';
import { CodedError } from '../common/errors.ts';
import type { Job, JobProgress } from '../common/types.ts';
import type { LogText } from '../engine/context.ts';
import type { StoredError } from '../engine/store.ts';
import { TERMINAL } from '../common/types.ts';
import type { TeamConnection } from './connection.ts';
import { ResultDownloads } from './download.ts';
import type { TeamHost } from './host.ts';
import {
  CANCELLED,
  decodeReason,
  partOf,
  TeamJobData,
  type TeamMessage,
  TeamProgress,
  TeamResult,
} from './job-data.ts';
import { attemptNumber } from './worker-loop.ts';

type LogMessage = Extract<TeamMessage, { type: 'log' }>;

export class Mirror {
  private readonly syncs = new Map<string, Promise<void>>();
  /** Jobs that changed again while their sync ran: synced once more after it. */
  private readonly again = new Set<string>();
  private readonly lastProgress = new Map<string, number>();
  private readonly downloads: ResultDownloads;

  constructor(
    private readonly conn: TeamConnection,
    private readonly host: TeamHost,
  ) {
    this.downloads = new ResultDownloads(host, conn.blobs, (row, error) => this.end(row, 'failed', error));
  }

  /** A worker's log line, published live: only for a team job shown here. */
  log(m: LogMessage): void {
    const row = this.host.store.get(m.id);
    if (row?.origin !== 'team') return;
    try {
      const code = m.code ? { code: m.code, params: m.params ?? {} } : undefined;
      const line = this.host.store.addLog(m.id, m.level, m.message, m.at, code);
      this.host.events.emit('log', line);
    } catch {
      // removed meanwhile
    }
  }

  progress(id: string, data: unknown): void {
    const parsed = TeamProgress.safeParse(data);
    if (!parsed.success) return;
    const row = this.host.store.get(id);
    if (!row || row.origin !== 'team' || TERMINAL.includes(row.status)) return;
    const progress: JobProgress = parsed.data;
    const now = Date.now();
    // Every event goes to the screens; the row is written at most once a second.
    if (now - (this.lastProgress.get(id) ?? 0) >= 1000) {
      this.lastProgress.set(id, now);
      this.host.store.team.setProgress(id, progress, now);
    }
    if (row.status === 'queued') this.sync(id);
    this.host.events.emit('progress', id, progress);
  }

  /** Brings the local row of one team job up to date with the queue; one at a time per job. */
  sync(id: string): void {
    if (this.conn.closed) return;
    if (this.syncs.has(id)) {
      this.again.add(id);
      return;
    }
    const p = this.syncOne(id)
      .catch((err: unknown) => this.conn.noteError(err))
      .finally(() => {
        this.syncs.delete(id);
        if (this.again.delete(id)) this.sync(id);
      });
    this.syncs.set(id, p);
  }

  /** Resolves when the job's pending updates are applied (tests and cancel wait on it). */
  async settled(id: string): Promise<void> {
    while (this.syncs.has(id)) await this.syncs.get(id);
  }

  /** Resolves when every sync under way has ended (closing waits for them). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.syncs.values()]);
  }

  private async syncOne(id: string): Promise<void> {
    if (!this.conn.online) return;
    const { client, queue, prefix } = this.conn;
    const row = this.host.store.get(id);
    if (row && (row.origin !== 'team' || TERMINAL.includes(row.status))) return;
    if (row && this.host.store.team.teamState(id) === 'pending') return;
    // The state first: a finished job's hash is final, so the job read after it is consistent with it.
    const state = await queue.getJobState(id);
    const job = state === 'unknown' ? undefined : ((await queue.getJob(id)) as BullJob | undefined);
    if (!job) {
      if (!row) return;
      const cancelled = (await client.exists(`${prefix}:cancel:${id}`)) === 1;
      this.end(
        row,
        cancelled ? 'cancelled' : 'failed',
        (cancelled ? new CodedError('CANCELLED', {}) : new CodedError('TEAM_JOB_GONE', {})).info(),
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
    } else if (state === 'waiting-children' && (await client.exists(`${prefix}:parts:${id}`)) === 1) {
      // A split job whose parts have started: running as a whole.
      if (this.host.store.team.setRunning(id, attemptNumber(job), Date.now(), Date.now()))
        this.host.announce(id);
    } else if (
      state === 'waiting' ||
      state === 'delayed' ||
      state === 'prioritized' ||
      state === 'waiting-children'
    ) {
      if (
        current.status !== 'queued' &&
        this.host.store.team.setQueued(id, decodeReason(job.failedReason), Date.now())
      )
        this.host.announce(id);
    } else if (state === 'completed') {
      const result = TeamResult.safeParse(job.returnvalue);
      if (!result.success) {
        this.end(current, 'failed', new CodedError('TEAM_RESULT_INVALID', {}).info());
        return;
      }
      if (this.host.store.team.teamState(id) === 'sent') await this.downloads.download(current, result.data);
      else {
        this.host.store.team.setResult(id, result.data.stats);
        const done = new CodedError('LOG_TEAM_DONE', { rows: result.data.stats.rows });
        this.end(current, 'succeeded', null, done.info());
      }
    } else if (state === 'failed') {
      // The worker's reason, untrusted: coded when its code and parameters parse, else plain text.
      const reason = decodeReason(job.failedReason) ?? new CodedError('TEAM_JOB_FAILED', {}).info();
      this.end(current, reason.message.startsWith(CANCELLED) ? 'cancelled' : 'failed', reason);
    }
  }

  /** A job first seen here mid-way: its log so far, from the BullMQ job's log (what Bull Board shows too). */
  private async catchUpLogs(id: string): Promise<void> {
    try {
      const { logs } = await this.conn.queue.getJobLogs(id, 0, 999);
      for (const line of logs) {
        const m = /^(info|warn|error): ([\s\S]{0,4000})/.exec(String(line));
        if (m) this.host.store.addLog(id, m[1] as 'info' | 'warn' | 'error', m[2], Date.now());
      }
    } catch {
      // the log is a nicety: the job itself is mirrored
    }
  }

  /** Ends a team job here: `error` coded (or plain text from elsewhere); `message`: the log line, if not it. */
  end(
    row: Job,
    status: 'succeeded' | 'failed' | 'cancelled',
    error: StoredError | null,
    message?: LogText,
  ): void {
    // Read again: a retry here may have sent the job out again while this sync waited on Redis.
    if (this.host.store.team.teamState(row.id) === 'pending') return;
    this.record(row, status, error, message);
  }

  /** A submission not sent yet, cancelled here: never in Redis, so no sync can have sent it meanwhile. */
  cancelUnsent(row: Job, error: StoredError): void {
    this.record(row, 'cancelled', error);
  }

  private record(
    row: Job,
    status: 'succeeded' | 'failed' | 'cancelled',
    error: StoredError | null,
    message?: LogText,
  ): void {
    const outputs = status === 'succeeded' ? row.outputs : undefined;
    if (!this.host.store.finish(row.id, null, status, { error, ...(outputs ? { outputs } : {}) }, Date.now()))
      return;
    this.lastProgress.delete(row.id);
    const line: LogText = message ?? error ?? status;
    const text = typeof line === 'string' ? line : line.message;
    // The worker's own log line often says it already (it reached us live).
    const last = this.host.store.logs(row.id).at(-1);
    if (last?.message !== text) this.host.log(row.id, status === 'failed' ? 'error' : 'info', line);
    this.host.announce(row.id);
  }

  /** Every open team job here against the queue: covers events missed while offline. */
  async reconcile(): Promise<void> {
    if (!this.conn.online) return;
    for (const id of this.host.store.team.open()) {
      this.sync(id);
      await this.settled(id);
    }
  }

  /** Team jobs other members submitted while this process was not listening. */
  async discover(): Promise<void> {
    try {
      const jobs = await this.conn.queue.getJobs(
        ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children'],
        0,
        999,
      );
      for (const j of jobs) {
        const id = j?.id ? (partOf(j.id)?.parent ?? j.id) : null;
        if (id && !this.host.store.get(id)) this.sync(id);
      }
    } catch (err) {
      this.conn.noteError(err);
    }
  }
}
