// What crosses the thread boundary between the engine and a worker task.
import type { MessagePort } from 'node:worker_threads';
import type { ErrorParams, InspectResult, RuleStats } from '../src-main/common/types.ts';

export type SourceConfig =
  | { kind: 'demo'; catalogFile: string }
  | { kind: 'clickhouse'; url: string; database: string; user?: string; password?: string };

/**
 * The request list's columns as a job (spec.ts `columns`) or the new-job sheet gives them: each by
 * header text or 1-based index, and the header row (a sheet row number; 0 = none). Absent: detected.
 */
export interface ColumnChoice {
  brand?: string;
  article?: string;
  quantity?: string;
  headerRow?: number;
}

/** The new-job sheet's look at a file: the sheet and the columns the user chose, if any. */
export interface InspectInput {
  path: string;
  name: string;
  sheet?: string;
  columns?: ColumnChoice;
  /** false: a quick look at the first rows, without counting the invalid lines (default true). */
  count?: boolean;
  /** With count: the source whose crosses table tells how many lines have analogs. */
  crosses?: SourceConfig;
}

export interface CrossdockInput {
  jobId: string;
  inputPath: string;
  inputName: string;
  list: string;
  source: SourceConfig;
  columns: ColumnChoice;
  /** The worksheet to read; by default the first with a Brand and Article header. */
  sheet?: string;
  alternatives: number;
  /** Analog offers: off (default), when the part has no full offer, always. */
  analogs?: 'off' | 'missing' | 'always';
  /** Prices compared in this currency through the rates table (default RUB). */
  baseCurrency?: string;
  /** The result workbook's language (default en). */
  lang?: 'en' | 'ru';
  tmpPath: string;
  finalPath: string;
  /** Folder for the task's own scratch files (removed by the engine when the job ends). */
  workDir: string;
  maxRowsPerSheet?: number;
  /** How often to save a checkpoint. */
  checkpointEveryMs?: number;
  /** A checkpoint saved by an earlier attempt of this job (the task checks it is still usable). */
  resume?: unknown;
  /**
   * One part of a split team job: only the data lines from `from` (0-based), `lines` of them (null:
   * to the end); no lines is not an error. The totals a merge needs go to `summaryPath` (PartSummary).
   */
  part?: { from: number; lines: number | null; summaryPath: string };
}

/** What a part of a split crossdock tells the merge besides its workbook (JSON, crossdock.ts). */
export interface PartSummary {
  v: 1;
  stats: TaskStats;
  counts: { analogs: number; rounded: number; aliased: number };
  /** Offers left out for want of a rate. */
  unrated: number;
  /** [supplier, lines won, [currency, cost][]] */
  perSupplier: [string, number, [string, number][]][];
  /** Prices were compared in `base` through rates (the Summary says so and totals in it). */
  rated: boolean;
  base: string;
  sourceKind: 'demo' | 'clickhouse';
  /** The input columns the Result sheet repeats, and the article column among them (0-based). */
  width: number;
  articleColumn: number;
}

/** Joins the parts of a split crossdock, in order, into one result workbook (crossdock-merge.ts). */
export interface CrossdockMergeInput {
  jobId: string;
  inputName: string;
  list: string;
  analogs?: 'off' | 'missing' | 'always';
  lang?: 'en' | 'ru';
  alternatives: number;
  maxRowsPerSheet?: number;
  parts: { workbook: string; summary: string }[];
  tmpPath: string;
  finalPath: string;
}

export interface CatalogImportInput {
  jobId: string;
  inputPath: string;
  inputName: string;
  catalogFile: string;
  /** What the file holds (default: a price list, which needs the supplier). */
  table?: 'offers' | 'crosses' | 'aliases';
  supplier?: string;
  list?: string;
  columns: ColumnChoice;
}

/** What an export job reads: a supplier list's offers (optionally one brand), or a read-only query. */
export type ExportWhat = { kind: 'list'; list: string; brand?: string } | { kind: 'query'; sql: string };

export interface ExportInput {
  jobId: string;
  source: SourceConfig;
  what: ExportWhat;
  format: 'xlsx' | 'csv';
  /** Final path of the first file; further CSV parts get " (part 2)", " (part 3)" … before the extension. */
  finalPath: string;
  /** Temporary files are `${tmpPrefix}.<n>.tmp` in the output folder (the engine removes them on failure). */
  tmpPrefix: string;
  /** Rows per sheet (xlsx) or per file (csv) before splitting; Excel's limit by default. A test hook. */
  maxRowsPerSheet?: number;
}

export type TaskRequest =
  | { kind: 'crossdock'; input: CrossdockInput; port: MessagePort }
  | { kind: 'crossdock-merge'; input: CrossdockMergeInput; port: MessagePort }
  | { kind: 'catalog-import'; input: CatalogImportInput; port: MessagePort }
  | { kind: 'export'; input: ExportInput; port: MessagePort }
  | { kind: 'inspect'; input: InspectInput; port: MessagePort };

export interface TaskStats {
  rows: number;
  found: number;
  partial: number;
  notFound: number;
  invalid: number;
  rule?: RuleStats;
}

/** Why a task failed, as the job row keeps it. */
export interface TaskError {
  /** The English sentence (logs, bug reports, readers that do not know the code). */
  message: string;
  /** A code of src-main/common/messages; readers render it with `params` in their language. */
  code: string;
  /** The values the code's message quotes. */
  params: ErrorParams;
  /** Worth retrying later (connection refused, time-outs). */
  transient: boolean;
  details?: string;
}

export type TaskOutcome =
  { ok: true; stats: TaskStats; files: { tmp: string; final: string }[] } | { ok: false; error: TaskError };

export type InspectOutcome = { ok: true; inspect: InspectResult } | { ok: false; error: TaskError };

/** Worker → engine. */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number | null; stage: string }
  | {
      type: 'log';
      level: 'info' | 'warn' | 'error';
      /** The line in English; with `code`, readers render `code` + `params` in their language. */
      message: string;
      code?: string;
      params?: ErrorParams;
    }
  /** Everything written so far is durable; an attempt after a crash can resume from `data`. */
  | { type: 'checkpoint'; data: unknown };

/**
 * The worker's last message on a task's port, posted just before the task returns: messages on a
 * port arrive in order, so once the engine has it, every log line and checkpoint before it is in.
 */
export const END_OF_TASK = { type: 'end' } as const;
export type PortMessage = WorkerMessage | typeof END_OF_TASK;

/** Engine → worker. */
export type EngineMessage = { type: 'soft-timeout' } | { type: 'cancel' };
