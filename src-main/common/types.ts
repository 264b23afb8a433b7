import type { LineProblem } from './normalize.ts';
import type { JobSpec, ScheduledSpec } from './spec.ts';

/** The values a coded message quotes: names, paths, numbers, lists of names. */
export type ErrorParams = Record<string, string | number | boolean | null | readonly string[]>;

/** One spreadsheet cell's value as the readers give it. */
export type CellValue = string | number | boolean | Date | null;

export type JobKind = 'crossdock' | 'catalog-import' | 'export';
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type Priority = 'high' | 'normal' | 'low';
export const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };
export const TERMINAL: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface JobProgress {
  done: number;
  total: number | null;
  stage: string;
  /** Seconds left, estimated from the rate so far. */
  eta: number | null;
}

export interface JobResultStats {
  rows: number;
  found: number;
  partial: number;
  notFound: number;
  invalid: number;
  /** How the rule priced a crossdock's lines (PRODUCT.md: analogs, brand aliases, packs, currencies). */
  rule?: RuleStats;
}

export interface RuleStats {
  /** Lines whose best offer is an analog's. */
  analogs: number;
  /** Orders rounded up to a pack or a minimum order. */
  rounded: number;
  /** Lines whose brand was read through the brand alias table. */
  aliased: number;
  /** Offers left out because the rates table has no rate for their currency. */
  unrated: number;
  /** The currency prices were compared and totals given in. */
  baseCurrency: string;
}

export interface Job {
  id: string;
  kind: JobKind;
  status: JobStatus;
  priority: Priority;
  name: string;
  spec: JobSpec;
  outputs: string[];
  progress: JobProgress | null;
  result: JobResultStats | null;
  attempts: number;
  maxAttempts: number;
  runAfter: number;
  /** The error in English (logs, bug reports); the UI renders `errorCode` + `errorParams` in its language. */
  error: string | null;
  /** A stable code from src-main/common/messages (e.g. `NO_SUCH_LIST`), or null for no error. */
  errorCode: string | null;
  /** The values the code's message quotes (names, paths, numbers, lists). */
  errorParams: ErrorParams | null;
  errorDetails: string | null;
  cancelRequested: boolean;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  origin: 'local' | 'team';
  /** A team job someone else submitted, mirrored here: its result goes to them, not to this computer. */
  fromTeammate: boolean;
  submittedBy: string;
  owner: string | null;
}

export interface JobComment {
  id: number;
  jobId: string;
  author: string;
  text: string;
  createdAt: number;
  updatedAt: number;
}

export interface JobLogLine {
  id: number;
  jobId: string;
  at: number;
  level: 'info' | 'warn' | 'error';
  /** The line in English (what the log was before codes; kept for old rows and unknown codes). */
  message: string;
  /** When set, the line is rendered from this code and its params in the reader's language. */
  code?: string | null;
  params?: ErrorParams | null;
}

/** A scheduled export (see schedules.ts). */
export interface Schedule {
  id: string;
  cron: string;
  /** IANA time zone, or null: the local time zone of the machine. */
  timezone: string | null;
  /** What is submitted to the engine at every run. */
  spec: ScheduledSpec;
  /** The English description of the cron expression, computed when the schedule was added. */
  description: string;
  paused: boolean;
  nextRunAt: number;
  /** When the last run was made (whether or not its submit succeeded), or null. */
  lastRunAt: number | null;
  /** The job the last run submitted; null when none ran yet or the last submit failed. */
  lastJobId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A cell as the new-job sheet's preview shows it (dates as ISO text). */
export type PreviewCell = string | number | boolean | null;

/** One row of a sheet with its row number as the sheet numbers it (1-based; blank rows count). */
export interface SheetRow {
  row: number;
  cells: PreviewCell[];
}

/** How many of a file's lines a job would mark invalid, per reason (PRODUCT.md, Normalization). */
export interface InspectValidation {
  /** Data lines in the sheet (every one was read). */
  lines: number;
  invalid: number;
  /** Invalid lines by their first reason (lineProblem); reasons with none are 0. */
  byProblem: Record<LineProblem, number>;
  /**
   * Valid lines whose part has at least one analog (cross) in the offers source, its brand read
   * through the alias table as a job would; null when the source could not be asked (not set up,
   * unreachable). Absent from older engines.
   */
  withCrosses?: number | null;
}

/** An invalid cell of the preview: which preview row (index into `preview`), which column, why. */
export interface PreviewIssue {
  row: number;
  column: number;
  problem: LineProblem;
}

/** What a file looks like before it is submitted: the new-job sheet's preview (engine.inspect). */
export interface InspectResult {
  name: string;
  format: 'xlsx' | 'csv';
  sheetNames: string[];
  /** The sheet the job would read (the first with a Brand and Article header), or the first sheet. */
  sheet: string | null;
  /** Sheet row number of the header; 0 when the user said the sheet has none; null when none was found. */
  headerRow: number | null;
  /** The header row's texts; without a header row, the columns' names ("Column A"…). */
  headers: string[];
  /** Detected (or chosen) columns as 0-based indexes into `headers`; null where detection failed. */
  columns: { brand: number | null; article: number | null; quantity: number | null };
  /** The first data rows (dates as ISO text), for the preview table. */
  preview: PreviewCell[][];
  /** The sheet row number of each `preview` row. */
  previewRows: number[];
  /** The invalid cells of the preview rows (every one, not only a line's first reason). */
  previewIssues: PreviewIssue[];
  /**
   * The sheet's rows 1–30 as the sheet numbers them (blank ones left out), to pick the header row
   * from: the header row and the rows above it as well as the first data rows.
   */
  topRows: SheetRow[];
  /** The whole sheet checked with these columns; null when the columns are not known (a problem). */
  validation: InspectValidation | null;
  /** Data lines: exact when the whole sheet was checked, else from the sheet's size. */
  estimatedRows: number | null;
  /** Why the columns need the user (no header found, or several candidates), in one English sentence. */
  problem: string | null;
  /** The problem's code (src-main/common/messages), rendered in the reader's language; null for none. */
  problemCode: string | null;
  problemParams: ErrorParams | null;
  /**
   * The columns the user set by hand the last time a file with this header row was started from the
   * new-job sheet (0-based indexes into `headers`), or null. Added by the engine, never by the worker.
   */
  remembered?: RememberedColumns | null;
}

/** A column mapping remembered for a header row (see column-memory.ts). */
export interface RememberedColumns {
  brand: number;
  article: number;
  /** null: the user chose no quantity column (every line counts 1). */
  quantity: number | null;
}
