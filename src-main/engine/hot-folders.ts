// Hot folders (PRODUCT.md): every spreadsheet saved into a watched folder becomes a crossdock with
// that folder's options, once per content, once the file has stopped changing.
//
// How a file goes: seen (fs.watch, or the rescan that catches what fs.watch misses on network drives
// and what arrived while nothing ran) → pending until its size and mtime stay the same across looks
// `settleMs` apart and it can be opened → hashed (sha256) → a content the folder has queued before is
// noted and skipped; a new one is submitted through the engine's normal submit, whose transaction also
// writes the file's row in `hot_files` (hot-files.ts): a crash before it leaves nothing (the file is
// taken at the next start), a crash after it leaves both (the job resumes, the file is not run again).
import { createHash } from 'node:crypto';
import { createReadStream, watch, type FSWatcher, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { errorInfo, nest, type ErrorCode, type ParamsOf } from '../common/errors.ts';
import type { HotFolder } from '../common/settings-schema.ts';
import type { ErrorParams } from '../common/types.ts';
import type { EngineContext } from './context.ts';
import { faultPoint } from './faults.ts';
import type { HotFiles } from './hot-files.ts';
import { coded, SubmitError } from './submit-error.ts';
import type { SubmitRecord, SubmitResult } from './submit.ts';

export interface HotFolderTiming {
  /** A file is ready once its size and mtime stayed the same this long (two looks this far apart). */
  settleMs: number;
  /** How often files that are still changing are looked at again. */
  pollMs: number;
  /** How often each folder is listed again in full (fs.watch misses events on network drives). */
  rescanMs: number;
}

export const DEFAULT_HOT_FOLDER_TIMING: HotFolderTiming = { settleMs: 3000, pollMs: 1000, rescanMs: 10_000 };

/** The looks that go with a settle time (`crossdock watch --settle`): a few looks per settle, a rescan every few. */
export function hotFolderTiming(settleMs: number): HotFolderTiming {
  const clamp = (v: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, v)));
  return { settleMs, pollMs: clamp(settleMs / 3, 50, 1000), rescanMs: clamp(settleMs * 3, 300, 10_000) };
}

/** Which folders an engine watches: the stored settings' (the app, a worker), or its own (`crossdock watch`). */
export type HotFolderSource = 'settings' | readonly HotFolder[];

/** A line about a watched folder's files (event 'hot-folder'); `jobId` when a file became or was a job. */
export interface HotFolderNotice {
  at: number;
  level: 'info' | 'warn' | 'error';
  dir: string;
  path: string | null;
  jobId: string | null;
  code: string;
  params: ErrorParams;
  message: string;
}

const SPREADSHEET = new Set(['.xlsx', '.xlsm', '.csv', '.tsv']);
/** What browsers, Excel and copy tools write while a file is on its way: never a job, never a line. */
const TEMPORARY = /^(?:~\$|~|\.)|\.(?:part|crdownload|download|partial|tmp|temp|swp)$/i;

/** How a folder treats a file by its name alone. */
export function fileKind(name: string): 'spreadsheet' | 'temporary' | 'other' {
  if (TEMPORARY.test(name)) return 'temporary';
  return SPREADSHEET.has(extname(name).toLowerCase()) ? 'spreadsheet' : 'other';
}

/** Where a folder's results go: its own folder, or the "results" subfolder of the watched folder. */
export function hotFolderOutDir(folder: Pick<HotFolder, 'dir' | 'outDir'>): string {
  return folder.outDir ? resolve(folder.outDir) : join(resolve(folder.dir), 'results');
}

interface Pending {
  size: number;
  mtimeMs: number;
  /** When this size and mtime were first seen. */
  since: number;
}

const sameStat = (a: { size: number; mtimeMs: number }, b: { size: number; mtimeMs: number }) =>
  a.size === b.size && a.mtimeMs === b.mtimeMs;
const statKey = (s: { size: number; mtimeMs: number }) => `${s.size}:${s.mtimeMs}`;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** One watched folder: its fs.watch, the files waiting to stop changing, what was said about which file. */
class Watched {
  readonly dir: string;
  readonly outDir: string;
  watcher: FSWatcher | null = null;
  readonly pending = new Map<string, Pending>();
  /** Files already reported as ignored or refused, as they were then (size:mtime): not again until they change. */
  readonly noticed = new Map<string, string>();
  nextRescan = 0;
  /** The folder's own problem was reported (missing, unreadable): not again until it is fixed. */
  troubled = false;

  constructor(readonly folder: HotFolder) {
    this.dir = resolve(folder.dir);
    this.outDir = hotFolderOutDir(folder);
  }

  get key(): string {
    return JSON.stringify([this.dir, this.folder.list, this.folder.analogs, this.outDir, this.folder.lang]);
  }
}

export interface HotFolderOptions {
  folders: HotFolderSource;
  timing?: Partial<HotFolderTiming>;
}

/** The engine's hot folders: started and closed with it, told when the settings change. */
export class HotFolders {
  private readonly timing: HotFolderTiming;
  private readonly rows: HotFiles;
  private watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private started = false;
  private closed = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly submit: (spec: Record<string, unknown>, record: SubmitRecord) => Promise<SubmitResult>,
    private readonly opts: HotFolderOptions,
  ) {
    this.timing = { ...DEFAULT_HOT_FOLDER_TIMING, ...opts.timing };
    this.rows = ctx.store.hotFiles();
  }

  /** The folders watched now (enabled, and not putting their results into themselves). */
  folders(): HotFolder[] {
    return [...this.watched.values()].map((w) => w.folder);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.sync();
    this.schedule(0);
  }

  /** The stored settings changed: folders added, removed, switched off or given other options. */
  settingsChanged(): void {
    if (this.started && !this.closed && this.opts.folders === 'settings') {
      this.sync();
      this.schedule(0);
    }
  }

  /** Stops watching; a file being submitted now is finished first (its job and row commit together). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watched.values()) w.watcher?.close();
    this.watched.clear();
    await this.ticking;
  }

  private configured(): readonly HotFolder[] {
    return this.opts.folders === 'settings' ? this.ctx.settings().hotFolders : this.opts.folders;
  }

  /** Brings the watched set in line with the configured folders (a folder whose options changed starts afresh). */
  private sync(): void {
    const next = new Map<string, Watched>();
    for (const folder of this.configured()) {
      if (!folder.enabled) continue;
      const w = new Watched(folder);
      if (next.has(w.key)) continue;
      const old = this.watched.get(w.key);
      if (old) {
        next.set(w.key, old);
        continue;
      }
      if (w.outDir === w.dir) {
        this.notice(w, null, 'error', 'HOT_FOLDER_OUT_IS_WATCHED', { dir: w.dir });
        continue;
      }
      w.nextRescan = 0;
      next.set(w.key, w);
    }
    for (const [key, w] of this.watched) if (!next.has(key)) w.watcher?.close();
    this.watched = next;
    for (const w of next.values()) this.watch(w);
  }

  private watch(w: Watched): void {
    if (w.watcher || this.closed) return;
    try {
      // Not recursive: only files saved into the folder itself (its "results" subfolder stays out).
      w.watcher = watch(w.dir, { persistent: false }, (_event, name) => {
        if (this.closed || !name) return;
        void this.look(w, join(w.dir, name.toString()));
      });
      w.watcher.on('error', () => {
        // The folder went away, or a network drive dropped: the rescan notices and watches it again.
        w.watcher?.close();
        w.watcher = null;
      });
    } catch {
      w.watcher = null; // the rescan reports the folder's problem and tries again
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.ticking) return this.schedule(this.timing.pollMs);
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        this.schedule(this.timing.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  /** One round: rescans the folders that are due, then takes every pending file that has settled. */
  private async tick(): Promise<void> {
    for (const w of [...this.watched.values()]) {
      if (this.closed) return;
      try {
        const now = Date.now();
        if (now >= w.nextRescan) {
          w.nextRescan = now + this.timing.rescanMs;
          await this.rescan(w);
        }
        for (const path of [...w.pending.keys()]) {
          if (this.closed || !this.watched.has(w.key)) return;
          await this.look(w, path);
          const p = w.pending.get(path);
          if (p && Date.now() - p.since >= this.timing.settleMs) await this.take(w, path, p);
        }
      } catch (err) {
        this.ctx.reportError(err);
      }
    }
  }

  private async rescan(w: Watched): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(w.dir, { withFileTypes: true }))
        .filter((d) => !d.isDirectory())
        .map((d) => d.name);
    } catch (err) {
      if (!w.troubled) {
        const e = err as NodeJS.ErrnoException;
        this.notice(w, null, 'error', 'HOT_FOLDER_UNREADABLE', { dir: w.dir, reason: e.code ?? e.message });
      }
      w.troubled = true;
      w.watcher?.close();
      w.watcher = null;
      return;
    }
    w.troubled = false;
    this.watch(w);
    for (const name of names) await this.look(w, join(w.dir, name));
    // A file deleted before it settled is forgotten.
    const here = new Set(names.map((n) => join(w.dir, n)));
    for (const path of w.pending.keys()) if (!here.has(path)) w.pending.delete(path);
  }

  /** Notes a file's size and mtime now: new or changed files (re)start their wait, settled ones keep it. */
  private async look(w: Watched, path: string): Promise<void> {
    const name = basename(path);
    const kind = fileKind(name);
    if (kind === 'temporary') return;
    let st: Stats;
    try {
      st = await stat(path);
    } catch {
      w.pending.delete(path); // gone (renamed, deleted)
      return;
    }
    if (!st.isFile() || this.closed) return;
    if (kind === 'other') {
      if (w.noticed.get(path) !== statKey(st)) {
        w.noticed.set(path, statKey(st));
        this.notice(w, path, 'info', 'HOT_FOLDER_NOT_SPREADSHEET', { dir: w.dir, name });
      }
      return;
    }
    if (w.noticed.get(path) === statKey(st) || this.rows.known(w.dir, path, st.size, st.mtimeMs)) {
      w.pending.delete(path);
      return;
    }
    const p = w.pending.get(path);
    if (!p || !sameStat(p, st))
      w.pending.set(path, { size: st.size, mtimeMs: st.mtimeMs, since: Date.now() });
  }

  /** A settled file: opened, hashed, and queued unless its content was queued before. */
  private async take(w: Watched, path: string, p: Pending): Promise<void> {
    const name = basename(path);
    try {
      // Windows keeps a file that is still being written locked: it is tried again at the next round.
      const fh = await open(path, 'r');
      await fh.close();
    } catch {
      return;
    }
    const sha256 = await sha256Of(path).catch(() => null);
    let after: Stats | null = null;
    try {
      after = await stat(path);
    } catch {
      // gone meanwhile
    }
    if (sha256 === null || !after || !sameStat(after, p)) {
      if (after) w.pending.set(path, { size: after.size, mtimeMs: after.mtimeMs, since: Date.now() });
      else w.pending.delete(path);
      return;
    }
    if (this.closed) return;
    faultPoint('hot-folder-hashed');
    w.pending.delete(path);
    const row = { folder: w.dir, path, size: p.size, mtimeMs: p.mtimeMs, sha256 };
    const earlier = this.rows.jobOf(w.dir, sha256);
    if (earlier !== null) {
      this.rows.record({ ...row, jobId: earlier }, Date.now());
      this.notice(w, path, 'info', 'HOT_FOLDER_SAME_CONTENT', { dir: w.dir, name, id: earlier }, earlier);
      return;
    }
    const record: SubmitRecord = {
      sha256,
      claim: () => {
        // Another process watching the same folder (the app and a worker) may have queued it first.
        if (this.rows.jobOf(w.dir, sha256) !== null) throw new SubmitError('HOT_FILE_TAKEN', { name });
      },
      done: (job) => this.rows.record({ ...row, jobId: job.id }, Date.now()),
    };
    const f = w.folder;
    try {
      const { job, duplicate } = await this.submit(
        {
          kind: 'crossdock',
          input: path,
          list: f.list,
          analogs: f.analogs,
          lang: f.lang,
          outDir: w.outDir,
          source: this.ctx.settings().source,
        },
        record,
      );
      const said = { dir: w.dir, name, id: job.id };
      if (!duplicate) this.ctx.log(job.id, 'info', coded('HOT_FOLDER_SUBMITTED', said));
      this.notice(w, path, 'info', 'HOT_FOLDER_SUBMITTED', said, job.id);
    } catch (err) {
      const info = errorInfo(err);
      if (info.code === 'HOT_FILE_TAKEN') return;
      if (info.code === 'HOT_FILE_CHANGED') {
        w.pending.set(path, { size: -1, mtimeMs: -1, since: Date.now() });
        return;
      }
      // Refused (an output folder that cannot be made, the team queue's size cap…): said once, tried
      // again when the file changes or at the next start.
      w.noticed.set(path, statKey(p));
      this.notice(w, path, 'error', 'HOT_FOLDER_SUBMIT_FAILED', { ...nest(info), dir: w.dir, name });
    }
  }

  private notice<C extends ErrorCode>(
    w: Watched,
    path: string | null,
    level: HotFolderNotice['level'],
    code: C,
    params: ParamsOf<C>,
    jobId: string | null = null,
  ): void {
    const info = coded(code, params);
    const n: HotFolderNotice = {
      at: Date.now(),
      level,
      dir: w.dir,
      path,
      jobId,
      code: info.code,
      params: info.params,
      message: info.message,
    };
    this.ctx.events.emit('hot-folder', n);
  }
}
