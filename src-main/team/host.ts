// What the team code needs from the engine, as one small interface (no import cycle, easy to fake).
import type { EventEmitter } from 'node:events';
import type { TaskOutcome, WorkerMessage } from '../../src-worker/protocol.ts';
import type { Settings } from '../common/settings-schema.ts';
import type { LogText } from '../engine/context.ts';
import type { JobStore } from '../engine/store.ts';
import type { Job, JobLogLine } from '../common/types.ts';
import type { TeamSpec } from './job-data.ts';

export interface TeamTaskRequest {
  jobId: string;
  name: string;
  spec: TeamSpec;
  /** The verified copy of the input in this worker's data dir (null for exports). */
  inputPath: string | null;
  /** Scratch folder for this attempt: the result is written here, never elsewhere. */
  workDir: string;
  /** A part of a split crossdock: its range of data lines (its outcome's last file is its PartSummary). */
  part?: { from: number; lines: number | null };
}

/** The merge of a split crossdock's parts (downloaded into workDir), in order. */
export interface TeamMergeRequest {
  jobId: string;
  name: string;
  spec: TeamSpec;
  parts: { workbook: string; summary: string }[];
  workDir: string;
}

export interface TeamHost {
  readonly dataDir: string;
  readonly store: JobStore;
  readonly settings: Settings;
  readonly concurrency: number;
  /** Local (non-team) jobs executing in this process now: they use the same slots as team jobs. */
  localRunning(): number;
  readonly user: string;
  readonly events: EventEmitter;
  /** A log line: coded (each reader renders it in its language), or a plain sentence from elsewhere. */
  log(jobId: string, level: JobLogLine['level'], line: LogText): void;
  announce(id: string): Job | null;
  /** Runs a team job's task in this engine's worker pool with this process's own data source. */
  runTeamTask(
    req: TeamTaskRequest,
    signal: AbortSignal,
    onMessage: (m: WorkerMessage) => void,
  ): Promise<TaskOutcome>;
  /** Merges the parts of a split crossdock into one workbook, in this engine's worker pool. */
  runTeamMerge(
    req: TeamMergeRequest,
    signal: AbortSignal,
    onMessage: (m: WorkerMessage) => void,
  ): Promise<TaskOutcome>;
  /** The data lines of a submitted crossdock's input (an estimate from a quick look), or null. */
  estimateLines(job: Job): Promise<number | null>;
  /** A result name in outDir that exists neither on disk nor among other jobs' planned outputs. */
  planOutput(outDir: string, base: string, ext: string): string;
  /** The result file name base for a job (crossdock: `<input>_<list>_<time>`). */
  resultBase(job: Job): { base: string; ext: string };
  /** Moves a finished temporary file into place without overwriting; idempotent after a crash. */
  finalizeFile(tmp: string, final: string): string;
  temporaryPath(final: string, jobId: string): string;
}
