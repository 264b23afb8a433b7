// Keeping the data folder tidy: finished jobs cleared by the user, and everything past the retention
// period (jobs, logs, input copies no job needs). Result files in the user's folders are never touched.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { catalogBuildPid } from '../../src-worker/api.ts';
import type { EngineContext } from './context.ts';
import { pidAlive } from './pid.ts';

const DAY_MS = 86_400_000;

/**
 * Deletes finished jobs (done, failed, cancelled) with their logs and comments, in one transaction,
 * and then their input copies that no job left needs: the given ids (all finished jobs without
 * them), optionally only those finished before a time. Queued and running jobs stay, whatever the
 * ids say. Returns the ids it deleted.
 */
export function clearFinished(
  ctx: EngineContext,
  select: { ids?: readonly string[]; finishedBefore?: number },
): string[] {
  const { jobs, orphanedInputs } = ctx.store.deleteFinished(select);
  if (orphanedInputs.length > 0) {
    // Asked again after the commit: a submit (maybe in another process) may have reused a copy since.
    const keep = ctx.store.referencedInputs();
    const inputsDir = join(ctx.dataDir, 'inputs');
    for (const copy of orphanedInputs) {
      if (keep.has(copy) || dirname(resolve(copy)) !== inputsDir) continue; // only our own copies
      try {
        rmSync(copy, { force: true });
      } catch {
        // not a file, or not ours to remove: retention cleanup looks again
      }
    }
  }
  for (const job of jobs) ctx.events.emit('removed', job.id);
  return jobs.map((job) => job.id);
}

/**
 * Removes what a demo catalog build that was killed left in the data folder (its ~12 MB temporary
 * file, named with the builder's pid; see catalogBuildPath), when that process is gone. A build of a
 * live process (another app or CLI building the catalog right now, or this process) keeps its file.
 * The pid is this computer's: the data folder holds a SQLite database in WAL mode, which works only
 * on a local disk, so every process that builds in it runs here. Returns the files removed.
 */
export function removeCatalogLeftovers(dataDir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return removed; // no data folder yet
  }
  for (const name of names) {
    const pid = catalogBuildPid(name);
    if (pid === null || pid === process.pid || pidAlive(pid)) continue;
    const p = join(dataDir, name);
    try {
      if (!statSync(p).isFile()) continue;
      rmSync(p, { force: true });
      removed.push(p);
    } catch {
      // removed by another process meanwhile, or still open elsewhere (Windows): the next start looks again
    }
  }
  return removed;
}

/** Removes jobs, logs and input copies older than the retention period, and leftovers of killed catalog builds. */
export function cleanup(ctx: EngineContext, now: number): { jobs: number; inputs: number } {
  removeCatalogLeftovers(ctx.dataDir);
  const cutoff = now - ctx.settings().retentionDays * DAY_MS;
  const removed = ctx.store.deleteFinishedBefore(cutoff);
  ctx.store.deleteLogsBefore(cutoff);
  const keep = ctx.store.referencedInputs();
  let inputs = 0;
  const dir = join(ctx.dataDir, 'inputs');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (keep.has(p)) continue;
      try {
        // Unreferenced copies younger than a day may belong to a submission in progress.
        if (now - statSync(p).mtimeMs < DAY_MS) continue;
        rmSync(p, { force: true });
        inputs++;
      } catch {
        // removed by another process meanwhile
      }
    }
  }
  for (const j of removed) ctx.events.emit('removed', j.id);
  return { jobs: removed.length, inputs };
}
