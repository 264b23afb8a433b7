// The job table's schema: the migrations (applied in order, once, by JobStore) and how a row reads
// back as a Job.
import type { JobSpec } from '../common/spec.ts';
import type {
  ErrorParams,
  Job,
  JobKind,
  JobProgress,
  JobResultStats,
  JobStatus,
  Priority,
} from '../common/types.ts';

// Each entry moves the schema one version up; never edit one that has shipped.
export const MIGRATIONS: string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     status TEXT NOT NULL,
     priority INTEGER NOT NULL,
     name TEXT NOT NULL,
     spec TEXT NOT NULL,
     outputs TEXT NOT NULL DEFAULT '[]',
     progress TEXT,
     checkpoint TEXT,
     result TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     max_attempts INTEGER NOT NULL,
     run_after INTEGER NOT NULL DEFAULT 0,
     error TEXT,
     error_details TEXT,
     dedupe_key TEXT,
     cancel_requested INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER,
     updated_at INTEGER NOT NULL,
     origin TEXT NOT NULL DEFAULT 'local',
     submitted_by TEXT NOT NULL,
     owner TEXT,
     owner_pid INTEGER,
     owner_host TEXT,
     heartbeat_at INTEGER
   );
   CREATE INDEX jobs_queue ON jobs (status, priority, created_at, id);
   CREATE INDEX jobs_dedupe ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;
   CREATE INDEX jobs_finished ON jobs (finished_at);
   CREATE TABLE job_comments (
     id INTEGER PRIMARY KEY,
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     author TEXT NOT NULL,
     text TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX job_comments_job ON job_comments (job_id);
   CREATE TABLE job_logs (
     id INTEGER PRIMARY KEY,
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     at INTEGER NOT NULL,
     level TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX job_logs_job ON job_logs (job_id, id);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  `CREATE TABLE schedules (
     id TEXT PRIMARY KEY,
     cron TEXT NOT NULL,
     timezone TEXT,
     spec TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     paused INTEGER NOT NULL DEFAULT 0,
     next_run_at INTEGER NOT NULL,
     last_run_at INTEGER,
     last_job_id TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX schedules_due ON schedules (paused, next_run_at);`,
  // Team mode: 'pending' (submitted here, not yet in the team queue), 'sent' (submitted here and in
  // the queue: this process downloads the result), 'mirror' (another member's job, shown here).
  `ALTER TABLE jobs ADD COLUMN team_state TEXT;
   CREATE INDEX jobs_team ON jobs (team_state) WHERE team_state IS NOT NULL;`,
  // The Brand/Article/Quantity columns a user set by hand for a header row (see column-memory.ts):
  // 0-based indexes into that row, keyed by a hash of its normalized cell texts.
  `CREATE TABLE column_mappings (
     signature TEXT PRIMARY KEY,
     brand INTEGER NOT NULL,
     article INTEGER NOT NULL,
     quantity INTEGER,
     headers TEXT NOT NULL,
     used_at INTEGER NOT NULL
   );
   CREATE INDEX column_mappings_used ON column_mappings (used_at);`,
  // Errors and log lines as codes with parameters (src-main/common/messages): each reader renders
  // them in its own language; `error` / `message` keep the English text for old rows and bug reports.
  `ALTER TABLE jobs ADD COLUMN error_code TEXT;
   ALTER TABLE jobs ADD COLUMN error_params TEXT;
   ALTER TABLE job_logs ADD COLUMN code TEXT;
   ALTER TABLE job_logs ADD COLUMN params TEXT;`,
  // Hot folders (hot-files.ts): each file seen in a watched folder, by content, with the job it was
  // submitted as (written in the same transaction as that job's row, so a crash cannot run it twice).
  `CREATE TABLE hot_files (
     folder TEXT NOT NULL,
     path TEXT NOT NULL,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     sha256 TEXT NOT NULL,
     job_id TEXT NOT NULL,
     seen_at INTEGER NOT NULL,
     PRIMARY KEY (folder, path, sha256)
   );
   CREATE INDEX hot_files_content ON hot_files (folder, sha256);`,
];

export interface JobRow {
  id: string;
  kind: string;
  status: string;
  priority: number;
  name: string;
  spec: string;
  outputs: string;
  progress: string | null;
  checkpoint: string | null;
  result: string | null;
  attempts: number;
  max_attempts: number;
  run_after: number;
  error: string | null;
  error_code: string | null;
  error_params: string | null;
  error_details: string | null;
  dedupe_key: string | null;
  cancel_requested: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
  origin: string;
  team_state: string | null;
  submitted_by: string;
  owner: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: number | null;
}

function readSpec(text: string): JobSpec {
  return JSON.parse(text);
}

const PRIORITY_NAME: Priority[] = ['high', 'normal', 'low'];

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    status: r.status as JobStatus,
    priority: PRIORITY_NAME[r.priority] ?? 'normal',
    name: r.name,
    // Written by this store from a checked spec (engine.submit, the team mirror): read back as such.
    spec: readSpec(r.spec),
    outputs: JSON.parse(r.outputs) as string[],
    progress: r.progress ? (JSON.parse(r.progress) as JobProgress) : null,
    result: r.result ? (JSON.parse(r.result) as JobResultStats) : null,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAfter: r.run_after,
    error: r.error,
    errorCode: r.error_code,
    errorParams: r.error_params ? (JSON.parse(r.error_params) as ErrorParams) : null,
    errorDetails: r.error_details,
    cancelRequested: r.cancel_requested === 1,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
    origin: r.origin === 'team' ? 'team' : 'local',
    fromTeammate: r.origin === 'team' && r.team_state === 'mirror',
    submittedBy: r.submitted_by,
    owner: r.owner,
  };
}
