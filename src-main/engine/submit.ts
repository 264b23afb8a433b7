// Submitting: the spec is checked, its folders made, the server it reads recorded, its input copied
// into the data folder (so a retry works after the original moves), and its row inserted unless an
// equal job (same content, same options) is already queued or running.
import { mkdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { monotonicFactory } from 'ulid';
import { ZodError } from 'zod';
import { ScheduledSpec, specProblem, SubmitSpec, type ParsedSpec, type SpecOf } from '../common/spec.ts';
import type { CodedError, ErrorInfo } from '../common/errors.ts';
import type { Job } from '../common/types.ts';
import type { EngineContext } from './context.ts';
import type { InsertAlong } from './store.ts';
import { faultPoint } from './faults.ts';
import { copyInput } from './input-copy.ts';
import { coded, SubmitError } from './submit-error.ts';

export const ulid = monotonicFactory();

export interface SubmitResult {
  job: Job;
  /** An equal job (same content, same options) was already queued or running: this is it. */
  duplicate: boolean;
}

/**
 * A record written in the same transaction as the job (a hot folder's file, see hot-folders.ts):
 * `sha256` is the content the caller read; a copy of other content (the file changed since) is
 * refused with HOT_FILE_CHANGED and nothing is queued.
 */
export interface SubmitRecord extends InsertAlong {
  sha256: string;
}

/** Where a submitted job goes: the local queue, or the team's (when team mode is on and takes the kind). */
export interface SubmitTarget {
  team: boolean;
  /** With team: an input this large cannot go to the team queue (the coded reason), else null. */
  tooBig(size: number): CodedError | null;
  queued(job: Job): void;
}

/** Parses what a caller sent, or throws one sentence saying what is wrong. */
export function parseSpec(raw: unknown): ParsedSpec {
  try {
    return SubmitSpec.parse(raw);
  } catch (err) {
    if (err instanceof ZodError) throw new SubmitError('JOB_SETTINGS_INVALID', specProblem(err));
    throw err;
  }
}

/** A schedule's export spec, checked like a submit and with its output folder made. */
export function parseScheduledSpec(raw: unknown): SpecOf<'export'> {
  const parsed = SubmitSpec.safeParse(raw);
  if (!parsed.success) throw new SubmitError('JOB_SETTINGS_INVALID', specProblem(parsed.error));
  if (parsed.data.kind !== 'export') throw new SubmitError('ONLY_EXPORTS_SCHEDULED', {});
  return ScheduledSpec.parse({ ...parsed.data, outDir: prepareOutDir(parsed.data.outDir) });
}

/**
 * Checks and queues a spec. `copyFrom`: the file to take instead of the spec's `input` (Run again
 * with…: the earlier job's input copy); the job still records and is named after `input`.
 */
export async function submitJob(
  ctx: EngineContext,
  raw: unknown,
  target: (spec: ParsedSpec) => SubmitTarget,
  copyFrom?: string,
  record?: SubmitRecord,
): Promise<{ result: SubmitResult; spec: ParsedSpec }> {
  let spec = parseSpec(withSettingsDefaults(ctx, raw));
  if (spec.kind === 'crossdock' || spec.kind === 'export') {
    spec = { ...spec, outDir: prepareOutDir(spec.outDir) };
    if (spec.source === 'clickhouse' && !spec.clickhouse) {
      // The job records which server it reads (never the password), so a retry reads the same one.
      const where = ctx.sources.recordable();
      if (where) spec = { ...spec, clickhouse: where };
    }
  }
  const to = target(spec);
  if (spec.kind === 'export') {
    const result = insert(ctx, to, {
      spec,
      name: exportName(spec),
      dedupeKey: `export:${stableJson(withoutPriority(spec))}`,
      message: coded('LOG_QUEUED_EXPORT', { team: to.team }),
    });
    return { result, spec };
  }
  const input = resolve(spec.input);
  const file = copyFrom ?? input;
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new SubmitError('FILE_DOES_NOT_EXIST', { path: file });
  }
  if (!st.isFile()) throw new SubmitError('FOLDER_NOT_SPREADSHEET', { path: file });
  const tooBig = to.team ? to.tooBig(st.size) : null;
  if (tooBig) throw SubmitError.from(tooBig);
  const copy = await copyInput(file, join(ctx.dataDir, 'inputs'));
  if (record && copy.sha256 !== record.sha256)
    throw new SubmitError('HOT_FILE_CHANGED', { name: basename(input) });
  const { input: _input, ...jobOptions } = withoutPriority(spec);
  const result = insert(ctx, to, {
    spec: { ...spec, input, inputCopy: copy.path, inputSize: copy.size },
    name: basename(input),
    dedupeKey: `${copy.sha256}:${stableJson(jobOptions)}`,
    message: coded('LOG_QUEUED_FILE', { name: basename(input), bytes: copy.size, team: to.team }),
    along: record,
  });
  return { result, spec: { ...spec, input } };
}

/** A crossdock that names no base currency takes the app's (Settings); the job then records it. */
function withSettingsDefaults(ctx: EngineContext, raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const r = raw as Record<string, unknown>;
  if (r.kind !== 'crossdock' || r.baseCurrency !== undefined) return raw;
  return { ...r, baseCurrency: ctx.settings().baseCurrency };
}

function insert(
  ctx: EngineContext,
  to: SubmitTarget,
  row: { spec: Job['spec']; name: string; dedupeKey: string; message: ErrorInfo; along?: InsertAlong },
): SubmitResult {
  const now = Date.now();
  const result = ctx.store.insertUnlessDuplicate(
    {
      id: ulid(now),
      kind: row.spec.kind,
      priority: row.spec.priority ?? 'normal',
      name: row.name,
      spec: row.spec,
      maxAttempts: ctx.settings().maxAttempts,
      dedupeKey: row.dedupeKey,
      submittedBy: ctx.settings().userName ?? ctx.user,
      now,
      ...(to.team ? { team: 'pending' as const } : {}),
    },
    row.along,
  );
  if (!result.duplicate) {
    faultPoint('after-submit');
    ctx.log(result.job.id, 'info', row.message);
    ctx.events.emit('job', result.job);
    to.queued(result.job);
  }
  return result;
}

/** The output folder, made if missing; one sentence when it cannot be. */
export function prepareOutDir(dir: string): string {
  const outDir = resolve(dir);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch {
    throw new SubmitError('OUTPUT_FOLDER_UNCREATABLE', { path: outDir });
  }
  if (!statSync(outDir).isDirectory()) throw new SubmitError('OUTPUT_FOLDER_IS_FILE', { path: outDir });
  return outDir;
}

function withoutPriority<T extends { priority?: unknown }>(spec: T): Omit<T, 'priority'> {
  const { priority: _priority, ...rest } = spec;
  return rest;
}

/** JSON with object keys sorted at every depth: equal options give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function exportName(spec: SpecOf<'export'>): string {
  if (spec.query) return 'query';
  return ['offers', spec.list, spec.brand].filter(Boolean).join('_');
}
