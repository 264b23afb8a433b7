// Result files: planned names, temporary files beside them, moving a finished file into place
// without ever overwriting, and removing what an interrupted or failed attempt left behind. Every
// step is idempotent, so a job interrupted anywhere finishes with one result.
import {
  copyFileSync,
  constants,
  existsSync,
  linkSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { CodedError } from '../common/errors.ts';
import type { Job } from '../common/types.ts';
import { faultPoint } from './faults.ts';
import { resultBaseName } from './output-name.ts';
import type { JobStore } from './store.ts';

/** Every temporary file of a job starts with this and the job's id (in its output folder). */
export const TEMP_PREFIX = '.~crossdock-';

export function temporaryPath(final: string, jobId: string): string {
  return join(dirname(final), `${TEMP_PREFIX}${jobId}${extname(final)}.tmp`);
}

/** The prefix of an export's temporary files (`<prefix>.<n>.tmp`), beside its first result file. */
export function temporaryPrefix(final: string, jobId: string): string {
  return join(dirname(final), `${TEMP_PREFIX}${jobId}`);
}

/** The result's name without folder and extension: a crossdock's `<input>_<list>_<time>`, an export's own name. */
export function resultBase(job: Pick<Job, 'name' | 'spec'>, at = new Date()): { base: string; ext: string } {
  const spec = job.spec;
  if (spec.kind === 'export') return { base: job.name, ext: spec.format === 'csv' ? 'csv' : 'xlsx' };
  return { base: resultBaseName(job.name, spec.list ?? '', at), ext: 'xlsx' };
}

/** A result name that exists neither on disk nor among other jobs' planned outputs. */
export function planOutput(store: JobStore, outDir: string, base: string, ext: string): string {
  const planned = store.plannedOutputs();
  for (let n = 1; ; n++) {
    const candidate = join(outDir, n === 1 ? `${base}.${ext}` : `${base} (${n}).${ext}`);
    if (!existsSync(candidate) && !planned.has(candidate)) return candidate;
  }
}

/** Moves a finished temporary file into place without ever overwriting; idempotent after a crash. */
export function finalizeFile(tmp: string, final: string): string {
  if (!existsSync(tmp)) {
    if (existsSync(final)) return final; // done before a crash
    throw new CodedError('FINISHED_FILE_MISSING', { path: tmp });
  }
  if (existsSync(final) && sameFile(tmp, final)) {
    unlinkSync(tmp); // linked before a crash, not yet unlinked
    return final;
  }
  for (let n = 1; ; n++) {
    const target = n === 1 ? final : final.replace(/(\.[^.]+)$/, ` (${n})$1`);
    try {
      linkSync(tmp, target); // fails if target exists: never overwrites
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
        try {
          copyFileSync(tmp, target, constants.COPYFILE_EXCL);
        } catch (copyErr) {
          if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw copyErr;
        }
      } else throw err;
    }
    faultPoint('after-link-before-unlink');
    unlinkSync(tmp);
    return target;
  }
}

function sameFile(a: string, b: string): boolean {
  const sa = statSync(a);
  const sb = statSync(b);
  return sa.ino === sb.ino && sa.dev === sb.dev;
}

/** The job's scratch folder in the data dir (removed when the job ends). */
export function workDirOf(dataDir: string, jobId: string): string {
  return join(dataDir, 'work', jobId);
}

/** Removes the job's partial result files from its output folder (all start with `.~crossdock-<id>`). */
export function removeTemporaries(dataDir: string, job: Job, { keepWorkDir = false } = {}): void {
  const dirs = new Set(job.outputs.map((f) => dirname(f)));
  if (job.spec.outDir !== undefined) dirs.add(job.spec.outDir);
  const prefix = `${TEMP_PREFIX}${job.id}`;
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir)) if (f.startsWith(prefix)) rmSync(join(dir, f), { force: true });
    } catch {
      // the folder is gone: nothing to clean
    }
  }
  if (!keepWorkDir) rmSync(workDirOf(dataDir, job.id), { recursive: true, force: true });
}
