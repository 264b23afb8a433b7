import type Database from 'better-sqlite3';
import { openSqlite } from '../../src-worker/api.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ErrorParams,
  Job,
  JobComment,
  JobKind,
  JobLogLine,
  JobProgress,
  JobResultStats,
  JobStatus,
  Priority,
} from '../common/types.ts';
import { PRIORITY_RANK } from '../common/types.ts';
import { MIGRATIONS, toJob, type JobRow } from './store-schema.ts';
import type { JobSpec, ScheduledSpec } from '../common/spec.ts';
import { ColumnMemory } from './column-memory.ts';
import { HotFiles } from './hot-files.ts';
import { TeamRows } from './team-rows.ts';
import { ScheduleService, type ScheduleServiceOptions } from './schedules.ts';

export const STORE_FILE = 'crossdock.sqlite';

export interface NewJob {
  id: string;
  kind: JobKind;
  priority: Priority;
  name: string;
  spec: JobSpec;
  maxAttempts: number;
  dedupeKey: string | null;
  submittedBy: string;
  now: number;
  /** A team job (see src-main/team): it runs wherever the team queue sends it, never by this scheduler. */
  team?: 'pending' | 'mirror';
}

/**
 * What else a submit writes in the job insert's transaction (a hot folder's file record): `claim`
 * runs first and throws to insert nothing; `done` gets the job inserted, or the equal one found.
 */
export interface InsertAlong {
  claim(): void;
  done(job: Job): void;
}

export interface JobFilter {
  status?: JobStatus[];
  kind?: JobKind[];
  search?: string;
  limit?: number;
}

export interface Owner {
  id: string;
  pid: number;
  host: string;
}

export interface RunningJobOwner {
  id: string;
  owner: string | null;
  ownerPid: number | null;
  ownerHost: string | null;
  heartbeatAt: number | null;
}

/** An error as a job row keeps it: the English sentence, and its code with parameters when it has one. */
export interface StoredError {
  message: string;
  code?: string | null;
  params?: ErrorParams | null;
}

/** The durable job table and everything hanging off it. One instance per process and data dir. */
export class JobStore {
  /** The database itself: for the store's own table classes and for tests; production code asks the store. */
  readonly db: Database.Database;
  /** Team mode's statements on the jobs table (team-rows.ts). */
  readonly team: TeamRows;

  constructor(dataDir: string, nativeBinding?: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = openSqlite(join(dataDir, STORE_FILE), nativeBinding ? { nativeBinding } : {});
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.team = new TeamRows(this.db, (id) => this.get(id));
  }

  private migrate(): void {
    // IMMEDIATE: two processes opening a new data dir at once must not both migrate.
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        for (let v = version; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]);
        if (version < MIGRATIONS.length) this.db.pragma(`user_version = ${MIGRATIONS.length}`);
      })
      .immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The new-job sheet's remembered columns, kept in this database. */
  columnMemory(): ColumnMemory {
    return new ColumnMemory(this.db);
  }

  /** The hot folders' record of the files they turned into jobs, kept in this database. */
  hotFiles(): HotFiles {
    return new HotFiles(this.db);
  }

  /** Scheduled exports, kept in this database; `submit` queues each run's job. */
  scheduleService(
    submit: (spec: ScheduledSpec) => Promise<{ job: { id: string } }>,
    options: ScheduleServiceOptions = {},
  ): ScheduleService {
    return new ScheduleService(this.db, submit, undefined, options);
  }

  /** False once closed (timers that outlive a close check it). */
  isOpen(): boolean {
    return this.db.open;
  }

  /** Changes when another connection (another process) commits: a cheap way to notice them. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  insertJob(j: NewJob): Job {
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, status, priority, name, spec, max_attempts, dedupe_key, created_at, updated_at, submitted_by, origin, team_state)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        j.id,
        j.kind,
        PRIORITY_RANK[j.priority],
        j.name,
        JSON.stringify(j.spec),
        j.maxAttempts,
        j.dedupeKey,
        j.now,
        j.now,
        j.submittedBy,
        j.team ? 'team' : 'local',
        j.team ?? null,
      );
    return this.get(j.id)!;
  }

  /** Inserts unless an equal job is queued or running; atomic across processes (with `along`'s writes). */
  insertUnlessDuplicate(j: NewJob, along?: InsertAlong): { job: Job; duplicate: boolean } {
    return this.db
      .transaction(() => {
        along?.claim();
        if (j.dedupeKey) {
          const existing = this.db
            .prepare(
              `SELECT * FROM jobs WHERE dedupe_key = ? AND status IN ('queued', 'running') ORDER BY created_at LIMIT 1`,
            )
            .get(j.dedupeKey) as JobRow | undefined;
          if (existing) {
            const job = toJob(existing);
            along?.done(job);
            return { job, duplicate: true };
          }
        }
        const job = this.insertJob(j);
        along?.done(job);
        return { job, duplicate: false };
      })
      .immediate();
  }

  get(id: string): Job | null {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  checkpoint(id: string): unknown {
    const row = this.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(id) as
      { checkpoint: string | null } | undefined;
    return row?.checkpoint ? JSON.parse(row.checkpoint) : null;
  }

  list(filter: JobFilter = {}): Job[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status?.length) {
      where.push(`status IN (${filter.status.map(() => '?').join(',')})`);
      args.push(...filter.status);
    }
    if (filter.kind?.length) {
      where.push(`kind IN (${filter.kind.map(() => '?').join(',')})`);
      args.push(...filter.kind);
    }
    if (filter.search) {
      where.push(`(name LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')`);
      const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      args.push(like, like);
    }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    args.push(filter.limit ?? 10_000);
    return (this.db.prepare(sql).all(...args) as JobRow[]).map(toJob);
  }

  /** 1-based place in the queue of a queued job (FIFO within a priority), or null. */
  queuePosition(id: string): number | null {
    const row = this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM jobs o WHERE o.status = 'queued'
                   AND (o.priority < j.priority OR (o.priority = j.priority AND (o.created_at < j.created_at
                        OR (o.created_at = j.created_at AND o.id < j.id))))) + 1 AS pos
         FROM jobs j WHERE j.id = ? AND j.status = 'queued'`,
      )
      .get(id) as { pos: number } | undefined;
    return row ? row.pos : null;
  }

  /**
   * Atomically moves the next due queued job to running for this owner. started_at becomes the start
   * of this attempt: an earlier attempt's start (before a backoff wait, or before the program was
   * closed) would count the wait as running time; the log keeps every attempt's start line.
   */
  claimNext(owner: Owner, now: number, onlyIds?: readonly string[]): Job | null {
    const only = onlyIds ? `AND id IN (SELECT value FROM json_each(?))` : '';
    const args: unknown[] = [owner.id, owner.pid, owner.host, now, now, now, now];
    if (onlyIds) args.push(JSON.stringify(onlyIds));
    const row = this.db
      .prepare(
        `UPDATE jobs SET status = 'running', owner = ?, owner_pid = ?, owner_host = ?, heartbeat_at = ?,
                started_at = ?, attempts = attempts + 1, updated_at = ?, finished_at = NULL
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND origin = 'local' AND run_after <= ? ${only}
                     ORDER BY priority, created_at, id LIMIT 1)
         RETURNING *`,
      )
      .get(...args) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Earliest run_after among queued jobs in the future, to sleep until then. */
  nextDueAt(): number | null {
    const row = this.db
      .prepare(`SELECT MIN(run_after) AS t FROM jobs WHERE status = 'queued' AND origin = 'local'`)
      .get() as {
      t: number | null;
    };
    return row.t;
  }

  /** An interrupted job back to the queue, if the interrupted owner still holds it (not if another process took it over). */
  requeueIfOwner(id: string, owner: string | null, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE jobs SET status = 'queued', run_after = 0, updated_at = ?, owner = NULL, owner_pid = NULL, owner_host = NULL, heartbeat_at = NULL
           WHERE id = ? AND status = 'running' AND owner IS ?`,
        )
        .run(now, id, owner).changes === 1
    );
  }

  /** A job stopped by a shutdown does not spend an attempt. */
  giveBackAttempt(id: string, ownerId: string): void {
    this.db
      .prepare(`UPDATE jobs SET attempts = MAX(0, attempts - 1) WHERE id = ? AND owner = ?`)
      .run(id, ownerId);
  }

  /** The result paths planned by queued and running jobs (a new job's names avoid them). */
  plannedOutputs(): Set<string> {
    return new Set(
      this.db
        .prepare(`SELECT value FROM jobs, json_each(jobs.outputs) WHERE status IN ('queued', 'running')`)
        .pluck()
        .all() as string[],
    );
  }

  heartbeat(ownerId: string, now: number): void {
    this.db
      .prepare(`UPDATE jobs SET heartbeat_at = ? WHERE owner = ? AND status = 'running'`)
      .run(now, ownerId);
  }

  runningOwners(): RunningJobOwner[] {
    return this.db
      .prepare(
        `SELECT id, owner, owner_pid AS ownerPid, owner_host AS ownerHost, heartbeat_at AS heartbeatAt FROM jobs WHERE status = 'running' AND origin = 'local'`,
      )
      .all() as RunningJobOwner[];
  }

  setProgress(id: string, ownerId: string, progress: JobProgress, checkpoint: unknown, now: number): void {
    this.db
      .prepare(
        `UPDATE jobs SET progress = ?, checkpoint = COALESCE(?, checkpoint), updated_at = ? WHERE id = ? AND owner = ? AND status = 'running'`,
      )
      .run(
        JSON.stringify(progress),
        checkpoint === undefined ? null : JSON.stringify(checkpoint),
        now,
        id,
        ownerId,
      );
  }

  /** Records the planned result paths before they are written, so a crash can finish the job later. */
  setPlannedOutputs(id: string, outputs: string[], now: number): void {
    this.db
      .prepare('UPDATE jobs SET outputs = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(outputs), now, id);
  }

  /**
   * Records a finished task's figures and the files it wrote, before they are moved into place:
   * a crash during the move finds the list here and completes it.
   */
  setResult(id: string, result: JobResultStats, files: { tmp: string; final: string }[], now: number): void {
    this.db
      .prepare('UPDATE jobs SET result = ?, checkpoint = ?, outputs = ?, updated_at = ? WHERE id = ?')
      .run(
        JSON.stringify(result),
        JSON.stringify({ finalize: files }),
        JSON.stringify(files.map((f) => f.final)),
        now,
        id,
      );
  }

  /** Ends a running job held by ownerId. Returns false when it is no longer ours to end. */
  finish(
    id: string,
    ownerId: string | null,
    status: Exclude<JobStatus, 'queued' | 'running'>,
    fields: {
      /** A coded error (rendered in each reader's language), or an English sentence without a code. */
      error?: StoredError | string | null;
      errorDetails?: string | null;
      outputs?: string[];
    },
    now: number,
  ): boolean {
    const guard = ownerId === null ? `status IN ('running', 'queued')` : `status = 'running' AND owner = ?`;
    const error = typeof fields.error === 'string' ? { message: fields.error } : (fields.error ?? null);
    const args: unknown[] = [
      status,
      error?.message ?? null,
      error?.code ?? null,
      error?.params ? JSON.stringify(error.params) : null,
      fields.errorDetails ?? null,
      fields.outputs ? JSON.stringify(fields.outputs) : null,
      now,
      now,
      id,
    ];
    if (ownerId !== null) args.push(ownerId);
    const res = this.db
      .prepare(
        `UPDATE jobs SET status = ?, error = ?, error_code = ?, error_params = ?, error_details = ?, outputs = COALESCE(?, outputs), finished_at = ?, updated_at = ?,
                owner = NULL, owner_pid = NULL, owner_host = NULL, heartbeat_at = NULL, cancel_requested = 0
         WHERE id = ? AND ${guard}`,
      )
      .run(...args);
    return res.changes === 1;
  }

  /** Puts a running job back in the queue (a transient failure or an interruption). */
  requeue(
    id: string,
    ownerId: string | null,
    runAfter: number,
    error: StoredError | null,
    now: number,
  ): boolean {
    const guard = ownerId === null ? '' : 'AND owner = ?';
    const args: unknown[] = [
      runAfter,
      error?.message ?? null,
      error?.code ?? null,
      error?.params ? JSON.stringify(error.params) : null,
      now,
      id,
    ];
    if (ownerId !== null) args.push(ownerId);
    const res = this.db
      .prepare(
        `UPDATE jobs SET status = 'queued', run_after = ?, error = ?, error_code = ?, error_params = ?, updated_at = ?,
                owner = NULL, owner_pid = NULL, owner_host = NULL, heartbeat_at = NULL
         WHERE id = ? AND status = 'running' ${guard}`,
      )
      .run(...args);
    return res.changes === 1;
  }

  requestCancel(id: string, now: number): boolean {
    return (
      this.db
        .prepare(`UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ? AND status = 'running'`)
        .run(now, id).changes === 1
    );
  }

  cancelRequestedFor(ownerId: string): string[] {
    return this.db
      .prepare(`SELECT id FROM jobs WHERE owner = ? AND status = 'running' AND cancel_requested = 1`)
      .pluck()
      .all(ownerId) as string[];
  }

  /** A failed or cancelled job goes back to the queue with a fresh set of attempts. */
  retry(id: string, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE jobs SET status = 'queued', attempts = 0, run_after = 0, error = NULL, error_code = NULL, error_params = NULL, error_details = NULL, progress = NULL,
                  checkpoint = NULL, result = NULL, outputs = '[]', finished_at = NULL, started_at = NULL, updated_at = ?
           WHERE id = ? AND status IN ('failed', 'cancelled')`,
        )
        .run(now, id).changes === 1
    );
  }

  remove(id: string): boolean {
    return (
      this.db
        .prepare(`DELETE FROM jobs WHERE id = ? AND status IN ('succeeded', 'failed', 'cancelled')`)
        .run(id).changes === 1
    );
  }

  /** A log line; with a code, readers render it in their language (`message` is its English text). */
  addLog(
    jobId: string,
    level: JobLogLine['level'],
    message: string,
    now: number,
    coded?: { code: string; params?: ErrorParams | null },
  ): JobLogLine {
    const params = coded ? JSON.stringify(coded.params ?? {}) : null;
    const info = this.db
      .prepare('INSERT INTO job_logs (job_id, at, level, message, code, params) VALUES (?, ?, ?, ?, ?, ?)')
      .run(jobId, now, level, message, coded?.code ?? null, params);
    return {
      id: Number(info.lastInsertRowid),
      jobId,
      at: now,
      level,
      message,
      ...(coded ? { code: coded.code, params: coded.params ?? {} } : {}),
    };
  }

  logs(jobId: string, afterId = 0, limit = 1000): JobLogLine[] {
    const rows = this.db
      .prepare(
        'SELECT id, job_id AS jobId, at, level, message, code, params FROM job_logs WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?',
      )
      .all(jobId, afterId, limit) as (Omit<JobLogLine, 'params'> & { params: string | null })[];
    return rows.map(({ code, params, ...line }) =>
      code ? { ...line, code, params: params ? (JSON.parse(params) as ErrorParams) : {} } : line,
    );
  }

  addComment(jobId: string, author: string, text: string, now: number): JobComment {
    const info = this.db
      .prepare(
        'INSERT INTO job_comments (job_id, author, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(jobId, author, text, now, now);
    return { id: Number(info.lastInsertRowid), jobId, author, text, createdAt: now, updatedAt: now };
  }

  editComment(id: number, text: string, now: number): JobComment | null {
    this.db.prepare('UPDATE job_comments SET text = ?, updated_at = ? WHERE id = ?').run(text, now, id);
    return (
      (this.db
        .prepare(
          'SELECT id, job_id AS jobId, author, text, created_at AS createdAt, updated_at AS updatedAt FROM job_comments WHERE id = ?',
        )
        .get(id) as JobComment | undefined) ?? null
    );
  }

  deleteComment(id: number): boolean {
    return this.db.prepare('DELETE FROM job_comments WHERE id = ?').run(id).changes === 1;
  }

  comments(jobId: string): JobComment[] {
    return this.db
      .prepare(
        'SELECT id, job_id AS jobId, author, text, created_at AS createdAt, updated_at AS updatedAt FROM job_comments WHERE job_id = ? ORDER BY created_at, id',
      )
      .all(jobId) as JobComment[];
  }

  getSetting<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setSetting(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value));
  }

  /** Deletes finished jobs older than the cutoff (logs and comments go with them); returns their specs. */
  deleteFinishedBefore(cutoff: number): Job[] {
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            `SELECT * FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?`,
          )
          .all(cutoff) as JobRow[];
        this.db
          .prepare(
            `DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?`,
          )
          .run(cutoff);
        return rows.map(toJob);
      })
      .immediate();
  }

  /**
   * Deletes finished jobs in one transaction (their logs and comments go with them): the given ids
   * (all finished jobs without ids), optionally only those finished before a time. Queued and running
   * jobs are never touched, whatever the ids. Returns the deleted jobs, and the input copies that no
   * job left refers to (copies are shared by content, so another job may still need one).
   */
  deleteFinished(select: { ids?: readonly string[]; finishedBefore?: number } = {}): {
    jobs: Job[];
    orphanedInputs: string[];
  } {
    return this.db
      .transaction(() => {
        const where = [`status IN ('succeeded', 'failed', 'cancelled')`];
        const args: unknown[] = [];
        if (select.ids) {
          where.push(`id IN (SELECT value FROM json_each(?))`);
          args.push(JSON.stringify(select.ids));
        }
        if (select.finishedBefore !== undefined) {
          where.push(`finished_at < ?`);
          args.push(select.finishedBefore);
        }
        const jobs = (
          this.db
            .prepare(`DELETE FROM jobs WHERE ${where.join(' AND ')} RETURNING *`)
            .all(...args) as JobRow[]
        ).map(toJob);
        const keep = this.referencedInputs();
        const orphaned = new Set<string>();
        for (const job of jobs) {
          const copy = job.spec.inputCopy;
          if (typeof copy === 'string' && !keep.has(copy)) orphaned.add(copy);
        }
        return { jobs, orphanedInputs: [...orphaned] };
      })
      .immediate();
  }

  deleteLogsBefore(cutoff: number): number {
    return this.db.prepare('DELETE FROM job_logs WHERE at < ?').run(cutoff).changes;
  }

  /** Input copies still needed by some job. */
  referencedInputs(): Set<string> {
    const rows = this.db.prepare(`SELECT json_extract(spec, '$.inputCopy') AS p FROM jobs`).pluck().all() as (
      string | null
    )[];
    return new Set(rows.filter((p): p is string => typeof p === 'string'));
  }
}
