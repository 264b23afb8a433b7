// The piscina worker entry: one task per call, everything it needs in its input.
import { basename } from 'node:path';
import { toTaskError } from './errors.ts';
import type { InspectOutcome, TaskOutcome, TaskRequest } from './protocol.ts';
import { TaskContext } from './task-context.ts';
import { runCatalogImport } from './tasks/catalog-import.ts';
import { runCrossdock } from './tasks/crossdock.ts';
import { runExport } from './tasks/export.ts';
import { runInspect } from './tasks/inspect.ts';

export default async function run(request: TaskRequest): Promise<TaskOutcome | InspectOutcome> {
  const ctx = new TaskContext(request.port);
  try {
    if (request.kind === 'crossdock') return { ok: true, ...(await runCrossdock(request.input, ctx)) };
    if (request.kind === 'catalog-import')
      return { ok: true, ...(await runCatalogImport(request.input, ctx)) };
    if (request.kind === 'inspect') {
      return {
        ok: true,
        inspect: await runInspect(request.input.path, request.input.name, request.input.sheet),
      };
    }
    if (request.kind === 'export') return { ok: true, ...(await runExport(request.input, ctx, ctx.signal)) };
    return { ok: false, error: { message: 'Unknown job kind.', code: 'UNKNOWN_KIND', transient: false } };
  } catch (err) {
    const error = toTaskError(err);
    // Readers name the file they opened: the data dir's copy. The user knows it by its own name.
    if ('inputPath' in request.input) {
      const copy = basename(request.input.inputPath);
      error.message = error.message.split(copy).join(request.input.inputName);
    }
    return { ok: false, error };
  } finally {
    ctx.close();
  }
}
