// Hot folders at the engine level (src-main/engine/hot-folders.ts): real folders, real files written
// slowly, real jobs, restarts over the same data folder, and a crash inside the submit.
import { appendFileSync, copyFileSync, existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HotFolder } from '../src-main/common/settings-schema.ts';
import type { Job } from '../src-main/common/types.ts';
import type { Engine, EngineOptions } from '../src-main/engine/engine.ts';
import { HotFiles } from '../src-main/engine/hot-files.ts';
import { fileKind, type HotFolderNotice } from '../src-main/engine/hot-folders.ts';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { freshDataDir, openEngine, tempDir } from './helpers.ts';

const TIMING = { settleMs: 1000, pollMs: 50, rescanMs: 200 };

function requestText(lines: number, from = 0): string {
  const rows = ['Brand,Article,Qty'];
  for (let i = from; i < from + lines; i++) {
    const p = demoPart(i);
    rows.push(`${p.brand},${p.display},${1 + (i % 3)}`);
  }
  return `${rows.join('\r\n')}\r\n`;
}

function folderOf(dir: string, extra: Partial<HotFolder> = {}): HotFolder {
  return { dir, list: 'ОПТ-1', analogs: 'off', outDir: null, lang: 'en', enabled: true, ...extra };
}

const open: Engine[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** An engine watching `dir` through the settings, with short looks, and what it said. */
function watching(data: string, dir: string, extra: Partial<EngineOptions> = {}) {
  const engine = openEngine(data, { hotFolderTiming: TIMING, ...extra });
  open.push(engine);
  const notices: HotFolderNotice[] = [];
  engine.on('hot-folder', (n: HotFolderNotice) => notices.push(n));
  engine.updateSettings({ hotFolders: [folderOf(dir)] });
  engine.start();
  return { engine, notices };
}

async function until<T>(what: () => T | undefined | null | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = what();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const crossdocks = (engine: Engine): Job[] => engine.list({ kind: ['crossdock'] });
const submitted = (notices: HotFolderNotice[]) => notices.filter((n) => n.code === 'HOT_FOLDER_SUBMITTED');

async function finished(engine: Engine, count: number): Promise<Job[]> {
  const jobs = await until(() => {
    const all = crossdocks(engine);
    return all.length >= count && all.every((j) => j.status === 'succeeded' || j.status === 'failed') && all;
  });
  return jobs.sort((a, b) => a.createdAt - b.createdAt);
}

describe('hot folders', () => {
  it('names: spreadsheets, temporary files, the rest', () => {
    expect(['a.xlsx', 'B.XLSM', 'c.csv', 'd.tsv'].map(fileKind)).toEqual(Array(4).fill('spreadsheet'));
    expect(['~$a.xlsx', '.x.csv', 'a.xlsx.part', 'a.csv.crdownload', '.DS_Store'].map(fileKind)).toEqual(
      Array(5).fill('temporary'),
    );
    expect(['notes.txt', 'a.pdf', 'a.xls', 'noext'].map(fileKind)).toEqual(Array(4).fill('other'));
  });

  it('a file written slowly becomes one job only after its last chunk, and the job reads all of it', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-hot-');
    const { engine, notices } = watching(data, dir);
    const text = requestText(30_000);
    const chunks = 12;
    const size = Math.ceil(text.length / chunks);
    const file = join(dir, 'slow.csv');
    let lastChunkAt = 0;
    // ~2.4 s of writing, a chunk every 200 ms: shorter than the settle time, so it never looks settled.
    for (let i = 0; i < chunks; i++) {
      appendFileSync(file, text.slice(i * size, (i + 1) * size));
      lastChunkAt = Date.now();
      expect(crossdocks(engine), `a job after chunk ${i + 1} of ${chunks}`).toHaveLength(0);
      await sleep(200);
    }
    const [job] = await finished(engine, 1);
    expect(crossdocks(engine)).toHaveLength(1);
    expect(job.createdAt).toBeGreaterThanOrEqual(lastChunkAt + TIMING.settleMs);
    expect(job.status).toBe('succeeded');
    expect(job.result?.rows).toBe(30_000);
    expect(job.spec).toMatchObject({ kind: 'crossdock', list: 'ОПТ-1', analogs: 'off', lang: 'en' });
    expect(job.spec.outDir).toBe(join(dir, 'results'));
    expect(job.outputs).toHaveLength(1);
    expect(job.outputs[0].startsWith(join(dir, 'results'))).toBe(true);
    expect(existsSync(job.outputs[0])).toBe(true);
    expect(submitted(notices)).toHaveLength(1);
    expect(submitted(notices)[0]).toMatchObject({ jobId: job.id, path: file, level: 'info' });
    expect(engine.logs(job.id).some((l) => l.code === 'HOT_FOLDER_SUBMITTED')).toBe(true);
    // The row says what was seen, in the job store's database.
    const rows = engine.store.hotFiles().list(dir);
    expect(rows).toEqual([
      expect.objectContaining({ path: file, size: Buffer.byteLength(text), jobId: job.id }),
    ]);
    expect(rows[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    // The results subfolder is not watched: the result file there is not taken as a request list.
    await sleep(TIMING.settleMs * 2);
    expect(crossdocks(engine)).toHaveLength(1);
  });

  it('files that are not spreadsheets are ignored with a line; temporary files silently', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-hot-');
    writeFileSync(join(dir, 'notes.txt'), 'not a request list');
    writeFileSync(join(dir, 'scan.pdf'), '%PDF-1.4');
    writeFileSync(join(dir, '~$order.xlsx'), 'lock');
    writeFileSync(join(dir, '.hidden.csv'), requestText(3));
    writeFileSync(join(dir, 'order.csv.part'), requestText(3));
    writeFileSync(join(dir, 'order.xlsx.crdownload'), 'x');
    const { engine, notices } = watching(data, dir);
    await until(() => notices.filter((n) => n.code === 'HOT_FOLDER_NOT_SPREADSHEET').length === 2);
    await sleep(TIMING.settleMs * 2 + TIMING.rescanMs * 2);
    const ignored = notices.filter((n) => n.code === 'HOT_FOLDER_NOT_SPREADSHEET');
    // Once each, however many rescans saw them.
    expect(ignored.map((n) => n.path).sort()).toEqual([join(dir, 'notes.txt'), join(dir, 'scan.pdf')]);
    expect(ignored[0].message).toMatch(
      /is not a spreadsheet \(\.xlsx, \.xlsm, \.csv or \.tsv\); it is ignored\.$/,
    );
    expect(notices.filter((n) => n.code !== 'HOT_FOLDER_NOT_SPREADSHEET')).toEqual([]);
    expect(crossdocks(engine)).toEqual([]);
  });

  it('the same content twice is one job; changed content is a new one', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-hot-');
    const { engine, notices } = watching(data, dir);
    const a = join(dir, 'order.csv');
    writeFileSync(a, requestText(20));
    const [first] = await finished(engine, 1);
    // A copy under another name, and the same bytes saved again (a new mtime): no second job.
    copyFileSync(a, join(dir, 'order (copy).csv'));
    writeFileSync(a, requestText(20));
    const later = new Date(Date.now() + 5000);
    utimesSync(a, later, later);
    await until(() => notices.filter((n) => n.code === 'HOT_FOLDER_SAME_CONTENT').length === 2);
    expect(notices.filter((n) => n.code === 'HOT_FOLDER_SAME_CONTENT').map((n) => n.jobId)).toEqual([
      first.id,
      first.id,
    ]);
    expect(crossdocks(engine)).toHaveLength(1);
    // New content in the same file: a new job.
    writeFileSync(a, requestText(25, 100));
    const jobs = await finished(engine, 2);
    expect(jobs.map((j) => j.result?.rows)).toEqual([20, 25]);
    await sleep(TIMING.settleMs * 2);
    expect(crossdocks(engine)).toHaveLength(2);
    expect(submitted(notices)).toHaveLength(2);
  });

  it('after a restart: files that arrived while it was down are taken, done ones are not run again', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-hot-');
    writeFileSync(join(dir, 'before.csv'), requestText(10));
    const one = watching(data, dir);
    await finished(one.engine, 1);
    await one.engine.close();
    writeFileSync(join(dir, 'while-down.csv'), requestText(12, 50));
    writeFileSync(join(dir, 'while-down.xlsx.part'), 'half');

    const two = watching(data, dir);
    const jobs = await finished(two.engine, 2);
    expect(jobs.map((j) => j.name)).toEqual(['before.csv', 'while-down.csv']);
    await sleep(TIMING.settleMs * 2 + TIMING.rescanMs);
    expect(crossdocks(two.engine)).toHaveLength(2);
    expect(submitted(two.notices).map((n) => n.path)).toEqual([join(dir, 'while-down.csv')]);
    expect(readdirSync(join(dir, 'results')).filter((f) => f.endsWith('.xlsx'))).toHaveLength(2);
  });

  it('a crash inside the submit leaves neither job nor record: the file is taken once at the next start', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-hot-');
    // The power goes while the file's row is written, in the transaction that inserts its job.
    const record = vi.spyOn(HotFiles.prototype, 'record').mockImplementationOnce(() => {
      throw new Error('power cut');
    });
    const one = watching(data, dir);
    writeFileSync(join(dir, 'order.csv'), requestText(15));
    await until(() => one.notices.some((n) => n.code === 'HOT_FOLDER_SUBMIT_FAILED'));
    expect(record).toHaveBeenCalledTimes(1);
    expect(crossdocks(one.engine)).toEqual([]);
    expect(one.engine.store.hotFiles().list(dir)).toEqual([]);
    await one.engine.close();
    record.mockRestore();

    const two = watching(data, dir);
    const [job] = await finished(two.engine, 1);
    expect(job).toMatchObject({ name: 'order.csv', status: 'succeeded' });
    await sleep(TIMING.settleMs * 2);
    expect(crossdocks(two.engine)).toHaveLength(1);
  });

  it('a crash after the submit, before the job ran: the next start runs that job and submits nothing new', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-hot-');
    // This process queues but runs nothing, and "dies" (closes) as soon as the job is in the table.
    const one = watching(data, dir, { run: 'none', hotFolders: 'settings' });
    writeFileSync(join(dir, 'order.csv'), requestText(15));
    const [queued] = await until(() => submitted(one.notices).length === 1 && crossdocks(one.engine));
    expect(queued.status).toBe('queued');
    await one.engine.close();

    const two = watching(data, dir);
    const [job] = await finished(two.engine, 1);
    expect(job.id).toBe(queued.id);
    expect(job.status).toBe('succeeded');
    await sleep(TIMING.settleMs * 2);
    expect(submitted(two.notices)).toEqual([]);
    expect(crossdocks(two.engine)).toHaveLength(1);
  });

  it('settings: a folder switched off is not watched; one whose results go into itself is refused with a line', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-hot-');
    const { engine, notices } = watching(data, dir);
    engine.updateSettings({ hotFolders: [folderOf(dir, { enabled: false })] });
    writeFileSync(join(dir, 'order.csv'), requestText(5));
    await sleep(TIMING.settleMs * 2 + TIMING.rescanMs);
    expect(crossdocks(engine)).toEqual([]);
    engine.updateSettings({ hotFolders: [folderOf(dir, { outDir: dir })] });
    expect(notices.map((n) => n.code)).toContain('HOT_FOLDER_OUT_IS_WATCHED');
    expect(engine.hotFolders.folders()).toEqual([]);
    // Switched on again: the file that waited there is taken.
    engine.updateSettings({ hotFolders: [folderOf(dir)] });
    const [job] = await finished(engine, 1);
    expect(job.name).toBe('order.csv');
  });
});
