// The hot folders' memory (the `hot_files` table): which file, with which content, became which job.
// A row is written in the same transaction as its job's row (see SubmitRecord in submit.ts), so a
// file is never submitted twice, whatever process crashes where.
import type Database from 'better-sqlite3';

export interface HotFileRow {
  /** The watched folder (resolved). */
  folder: string;
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  /** The job this content was queued as (for a second file with the same content: that first job). */
  jobId: string;
}

export class HotFiles {
  constructor(private readonly db: Database.Database) {}

  /** Whether this file, as it is now (size and mtime), has been seen: no need to read it again. */
  known(folder: string, path: string, size: number, mtimeMs: number): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM hot_files WHERE folder = ? AND path = ? AND size = ? AND mtime_ms = ? LIMIT 1`,
        )
        .get(folder, path, size, mtimeMs) !== undefined
    );
  }

  /** The job this content of the folder was queued as, or null when it is new. */
  jobOf(folder: string, sha256: string): string | null {
    const row = this.db
      .prepare(`SELECT job_id FROM hot_files WHERE folder = ? AND sha256 = ? ORDER BY seen_at LIMIT 1`)
      .get(folder, sha256) as { job_id: string } | undefined;
    return row?.job_id ?? null;
  }

  record(r: HotFileRow, now: number): void {
    this.db
      .prepare(
        `INSERT INTO hot_files (folder, path, size, mtime_ms, sha256, job_id, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (folder, path, sha256) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms`,
      )
      .run(r.folder, r.path, r.size, r.mtimeMs, r.sha256, r.jobId, now);
  }

  /** Every row of a folder (tests, and whoever wants to see what a folder did). */
  list(folder: string): HotFileRow[] {
    return this.db
      .prepare(
        `SELECT folder, path, size, mtime_ms AS mtimeMs, sha256, job_id AS jobId FROM hot_files WHERE folder = ? ORDER BY seen_at, path`,
      )
      .all(folder) as HotFileRow[];
  }
}
