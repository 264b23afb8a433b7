// What crosses the thread boundary between the engine and a worker task.
import type { MessagePort } from 'node:worker_threads';

export type SourceConfig =
  | { kind: 'demo'; catalogFile: string }
  | { kind: 'clickhouse'; url: string; database: string; user?: string; password?: string };

export interface CrossdockInput {
  jobId: string;
  inputPath: string;
  inputName: string;
  list: string;
  source: SourceConfig;
  columns: { brand?: string; article?: string; quantity?: string };
  alternatives: number;
  tmpPath: string;
  finalPath: string;
  /** Folder for the task's own scratch files (removed by the engine when the job ends). */
  workDir: string;
  maxRowsPerSheet?: number;
}

export interface CatalogImportInput {
  jobId: string;
  inputPath: string;
  inputName: string;
  catalogFile: string;
  supplier: string;
  list?: string;
  columns: { brand?: string; article?: string; quantity?: string };
}

export type TaskRequest =
  | { kind: 'crossdock'; input: CrossdockInput; port: MessagePort }
  | { kind: 'catalog-import'; input: CatalogImportInput; port: MessagePort };

export interface TaskStats {
  rows: number;
  found: number;
  partial: number;
  notFound: number;
  invalid: number;
}

export interface TaskError {
  message: string;
  code: string;
  /** Worth retrying later (connection refused, time-outs). */
  transient: boolean;
  details?: string;
}

export type TaskOutcome =
  { ok: true; stats: TaskStats; files: { tmp: string; final: string }[] } | { ok: false; error: TaskError };

/** Worker → engine. */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number | null; stage: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** Engine → worker. */
export type EngineMessage = { type: 'soft-timeout' };
