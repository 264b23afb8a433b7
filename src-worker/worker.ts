// The piscina worker entry: one task per call, everything it needs in its input.
import { basename } from 'node:path';
import { CodedError } from '../src-main/common/errors.ts';
import type { ErrorParams } from '../src-main/common/types.ts';
import { toTaskError } from './errors.ts';
import type { InspectOutcome, TaskOutcome, TaskRequest } from './protocol.ts';
import { TaskContext } from './task-context.ts';
import { runCatalogImport } from './tasks/catalog-import.ts';
import { runCrossdock } from './tasks/crossdock.ts';
import { runCrossdockMerge } from './tasks/crossdock-merge.ts';
import { runExport } from './tasks/export.ts';
import { runInspect } from './tasks/inspect.ts';

export default async function run(request: TaskRequest): Promise<TaskOutcome | InspectOutcome> {
  const ctx = new TaskContext(request.port);
  try {
    if (request.kind === 'crossdock') return { ok: true, ...(await runCrossdock(request.input, ctx)) };
    if (request.kind === 'crossdock-merge')
      return { ok: true, ...(await runCrossdockMerge(request.input, ctx)) };
    if (request.kind === 'catalog-import')
      return { ok: true, ...(await runCatalogImport(request.input, ctx)) };
    if (request.kind === 'inspect') {
      const { path, name } = request.input;
      const inspect = await runInspect(
        path,
        name,
        request.input.sheet,
        request.input.columns,
        request.input.count,
        request.input.crosses,
      );
      // A job's copy looked at again: its CSV sheet (named after the file) and problem say the user's name.
      for (const [from, to] of renames(path, name)) {
        const swap = (v: string): string => v.split(from).join(to);
        if (inspect.sheet !== null) inspect.sheet = swap(inspect.sheet);
        inspect.sheetNames = inspect.sheetNames.map(swap);
        if (inspect.problem !== null) inspect.problem = swap(inspect.problem);
        if (inspect.problemParams) inspect.problemParams = renamed(inspect.problemParams, from, to);
      }
      return { ok: true, inspect };
    }
    if (request.kind === 'export') return { ok: true, ...(await runExport(request.input, ctx, ctx.signal)) };
    return { ok: false, error: toTaskError(new CodedError('UNKNOWN_JOB_KIND', {})) };
  } catch (err) {
    const error = toTaskError(err);
    // Readers name the file they opened: the data dir's copy. The user knows it by its own name.
    const file =
      'inputPath' in request.input
        ? { copy: request.input.inputPath, name: request.input.inputName }
        : request.kind === 'inspect'
          ? { copy: request.input.path, name: request.input.name }
          : null;
    if (file) {
      for (const [copy, name] of renames(file.copy, file.name)) {
        error.message = error.message.split(copy).join(name);
        if (error.params) error.params = renamed(error.params, copy, name);
      }
    }
    return { ok: false, error };
  } finally {
    ctx.close();
  }
}

const stem = (name: string): string => name.replace(/\.[^.]*$/, '');

/**
 * What to say instead of the data dir's copy of a file: its user's name, and (a CSV's one sheet is
 * named after the file without its extension) that name's stem. None when the copy has that name.
 */
function renames(copyPath: string, name: string): [string, string][] {
  const copy = basename(copyPath);
  if (copy === name) return [];
  return [
    [copy, name],
    [stem(copy), stem(name)],
  ];
}

/** The parameters with every mention of `from` (the data dir's copy of the file) as `to`. */
function renamed(params: ErrorParams, from: string, to: string): ErrorParams {
  const swap = (v: string): string => v.split(from).join(to);
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [
      k,
      typeof v === 'string' ? swap(v) : Array.isArray(v) ? v.map((x: string) => swap(x)) : v,
    ]),
  );
}
