// The local job table's side of team mode: team rows (origin 'team') never run by the local
// scheduler; their state follows the team queue. team_state says whose they are:
// 'pending' submitted here and not yet in Redis, 'sent' submitted here, 'mirror' another member's.
// Part of the store (it owns every statement on the jobs table); the team service reaches it as
// `store.team`.
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import type { TeamJobData } from '../team/job-data.ts';
import type { ErrorParams, Job, JobProgress, JobResultStats } from '../common/types.ts';
import { PRIORITY_RANK } from '../common/types.ts';
import { pidAlive } from './pid.ts';

export type TeamState = 'pending' | 'sent' | 'mirror';

export class TeamRows {
  constructor(
    private readonly db: Database.Database,
    /** The store's own reading of a job row (so both read rows the same way). */
    private readonly get: (id: string) => Job | null,
  ) {}

  teamState(id: string): TeamState | null {
    return (
      (this.db.prepare('SELECT team_state FROM jobs WHERE id = ?').pluck().get(id) as
        TeamState | undefined) ?? null
    );
  }

  /** Submissions waiting to go out, oldest first. */
  pending(): Job[] {
    const ids = this.db
      .prepare(
        `SELECT id FROM jobs WHERE team_state = 'pending' AND status = 'queued' ORDER BY created_at, id`,
      )
      .pluck()
      .all() as string[];
    return ids.map((id) => this.get(id)).filter((j): j is Job => j !== null);
  }

  pendingCount(): number {
    if (!this.db.open) return 0;
    return this.db
      .prepare(`SELECT COUNT(*) FROM jobs WHERE team_state = 'pending' AND status = 'queued'`)
      .pluck()
      .get() as number;
  }

  markSent(id: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE jobs SET team_state = 'sent', updated_at = ? WHERE id = ? AND team_state = 'pending'`,
        )
        .run(Date.now(), id).changes === 1
    );
  }

  markPending(id: string): void {
    this.db.prepare(`UPDATE jobs SET team_state = 'pending' WHERE id = ? AND team_state = 'sent'`).run(id);
  }

  /** Team jobs this process follows that have not ended. */
  open(): string[] {
    return this.db
      .prepare(
        `SELECT id FROM jobs WHERE origin = 'team' AND team_state IN ('sent', 'mirror') AND status IN ('queued', 'running') ORDER BY created_at, id`,
      )
      .pluck()
      .all() as string[];
  }

  /** Another member's job, shown here (no paths: the spec is the sanitized one from the queue). */
  insertMirror(data: TeamJobData, now: number): Job | null {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO jobs (id, kind, status, priority, name, spec, max_attempts, created_at, updated_at, submitted_by, origin, team_state)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, 'team', 'mirror')`,
      )
      .run(
        data.id,
        data.spec.kind,
        PRIORITY_RANK[data.priority],
        data.name,
        JSON.stringify({ ...data.spec, ...(data.input ? { inputSize: data.input.size } : {}) }),
        data.maxAttempts,
        Math.min(data.createdAt, now),
        now,
        `${data.submittedBy}@${data.host}`,
      );
    return this.get(data.id);
  }

  /**
   * The job runs (again) on some worker since `startedAt` (the worker's own time of taking it): a retry
   * or a hand-back starts the clock anew, as a local retry does.
   */
  setRunning(id: string, attempt: number, startedAt: number, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE jobs SET status = 'running', attempts = ?, started_at = ?, finished_at = NULL, updated_at = ?
           WHERE id = ? AND origin = 'team' AND status IN ('queued', 'running') AND (status = 'queued' OR attempts <> ?)`,
        )
        .run(attempt, startedAt, now, id, attempt).changes === 1
    );
  }

  /** Back to waiting in the queue (BullMQ retries it), with the last attempt's reason. */
  setQueued(
    id: string,
    error: { message: string; code?: string | null; params?: ErrorParams | null } | null,
    now: number,
  ): boolean {
    return (
      this.db
        .prepare(
          `UPDATE jobs SET status = 'queued', error = ?, error_code = ?, error_params = ?, updated_at = ?
           WHERE id = ? AND origin = 'team' AND status = 'running'`,
        )
        .run(
          error?.message ?? null,
          error?.code ?? null,
          error?.params ? JSON.stringify(error.params) : null,
          now,
          id,
        ).changes === 1
    );
  }

  setProgress(id: string, progress: JobProgress, now: number): void {
    this.db
      .prepare(
        `UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND origin = 'team' AND status IN ('queued', 'running')`,
      )
      .run(JSON.stringify(progress), now, id);
  }

  setResult(id: string, stats: JobResultStats): void {
    this.db.prepare(`UPDATE jobs SET result = ? WHERE id = ?`).run(JSON.stringify(stats), id);
  }

  /**
   * Lets one process (of those sharing this data dir) fetch a finished job's result: the claim is the
   * row's owner, taken when free, or left by a process that died (same host, pid gone) or stopped
   * beating long ago.
   */
  claimDownload(id: string, token: string, now: number): boolean {
    const row = this.db
      .prepare(
        `SELECT owner, owner_pid AS pid, owner_host AS host, heartbeat_at AS beat FROM jobs WHERE id = ?`,
      )
      .get(id) as
      { owner: string | null; pid: number | null; host: string | null; beat: number | null } | undefined;
    if (!row) return false;
    const free =
      row.owner === null ||
      row.owner === token ||
      (row.beat ?? 0) < now - 10 * 60_000 ||
      (row.host === hostname() && row.pid !== null && !pidAlive(row.pid));
    if (!free) return false;
    return (
      this.db
        .prepare(
          `UPDATE jobs SET owner = ?, owner_pid = ?, owner_host = ?, heartbeat_at = ?
           WHERE id = ? AND origin = 'team' AND status IN ('queued', 'running') AND owner IS ?`,
        )
        .run(token, process.pid, hostname(), now, id, row.owner).changes === 1
    );
  }
}
