// `crossdock watch` as a user runs it: a real process over a real folder, a file dropped into it, the
// result in --out, Ctrl+C → 130; and a watch killed (SIGKILL) at each step of taking a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { CLI, cli, collect, freshDataDir, readXlsx, tempDir, type CliResult } from './helpers.ts';

function requestCsv(path: string, lines: number): string {
  const rows = ['Бренд;Артикул;Кол-во'];
  for (let i = 0; i < lines; i++) {
    const p = demoPart(i * 3);
    rows.push(`${p.brand};${p.display};${1 + (i % 4)}`);
  }
  writeFileSync(path, `${rows.join('\r\n')}\r\n`);
  return path;
}

/** A running `crossdock watch`: its output so far, and a wait for a line on stdout or stderr. */
function watch(args: string[], env: Record<string, string>) {
  const p: ChildProcess = spawn(process.execPath, [CLI, 'watch', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  p.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const done: Promise<CliResult> = collect(p);
  const until = async (what: RegExp, on: 'stdout' | 'stderr', ms = 30_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!what.test(out[on])) {
      if (Date.now() > end || p.exitCode !== null || p.signalCode !== null)
        throw new Error(`no ${String(what)} on ${on}; stdout: ${out.stdout}\nstderr: ${out.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { p, out, done, until };
}

interface JsonJob {
  id: string;
  status: string;
  outputs: string[];
  rows: number;
}

describe('crossdock watch', () => {
  it('a file dropped into the folder becomes a job whose result lands in --out; Ctrl+C exits 130', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-watch-');
    const out = tempDir('cd-watch-out-');
    const w = watch([dir, '--list', 'ОПТ-1', '--out', out, '--lang', 'ru', '--settle', '0.5', '--json'], {
      CROSSDOCK_DATA_DIR: data,
    });
    await w.until(/Watching .*supplier list ОПТ-1, results to .*Ctrl\+C to stop\./, 'stderr');
    writeFileSync(join(dir, 'readme.txt'), 'not a request list');
    requestCsv(join(dir, 'заказ.csv'), 40);
    await w.until(/"status":"succeeded"/, 'stdout');
    expect(w.out.stderr).toMatch(/readme\.txt in the hot folder .* is not a spreadsheet/);
    expect(w.out.stderr).toMatch(/заказ\.csv from the hot folder .* is queued as job [0-9A-Z]{26}\./);
    const [line] = w.out.stdout.trim().split('\n');
    const job = JSON.parse(line) as JsonJob;
    expect(job).toMatchObject({ status: 'succeeded', rows: 40 });
    expect(job.outputs).toHaveLength(1);
    expect(job.outputs[0].startsWith(out)).toBe(true);
    expect(readdirSync(out)).toEqual([job.outputs[0].slice(out.length + 1)]);
    // --lang ru: the appended headers are Russian.
    const result = (await readXlsx(job.outputs[0])).get('Result')!;
    expect(result[0]).toContain('Поставщик');
    // Nothing else: the folder's own files are untouched, no results subfolder when --out is given.
    expect(readdirSync(dir).sort()).toEqual(['readme.txt', 'заказ.csv']);

    w.p.kill('SIGINT');
    const end = await w.done;
    expect(end.code).toBe(130);
    const last = end.stderr.trim().split('\n').at(-1)!;
    expect(last).toBe('Stopped watching; files saved from now on are picked up at the next start.');
  });

  it('without --out the results go to the folder\'s "results" subfolder; usage errors exit 2', async () => {
    const data = freshDataDir();
    const dir = tempDir('cd-watch-');
    const w = watch([dir, '--list', 'ОПТ-2', '--settle', '0.3'], { CROSSDOCK_DATA_DIR: data });
    await w.until(/Watching/, 'stderr');
    requestCsv(join(dir, 'order.csv'), 10);
    await w.until(/succeeded .* order\.csv .*10 lines/, 'stdout');
    expect(readdirSync(join(dir, 'results'))).toHaveLength(1);
    w.p.kill('SIGINT');
    expect((await w.done).code).toBe(130);

    const env = { CROSSDOCK_DATA_DIR: data };
    const missing = await cli(['watch', join(dir, 'nope'), '--list', 'ОПТ-1'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`${join(dir, 'nope')} is not a folder; give the folder to watch.`);
    const noList = await cli(['watch', dir, '--list', 'НЕТ'], env);
    expect(noList.code).toBe(2);
    expect(noList.stderr).toMatch(/There is no supplier list "НЕТ"/);
    const self = await cli(['watch', dir, '--list', 'ОПТ-1', '--out', dir], env);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/cannot keep its results in itself/);
  });

  for (const point of ['hot-folder-hashed', 'after-submit'])
    it(`killed at ${point}: the next watch runs the file exactly once`, async () => {
      const data = freshDataDir();
      const dir = tempDir('cd-watch-');
      const out = tempDir('cd-watch-out-');
      const args = [dir, '--list', 'ОПТ-1', '--out', out, '--settle', '0.3', '--json'];
      requestCsv(join(dir, 'order.csv'), 25);
      const killed = await watch(args, { CROSSDOCK_DATA_DIR: data, CROSSDOCK_FAULT_INJECT: point }).done;
      expect(killed.signal).toBe('SIGKILL');
      expect(readdirSync(out)).toEqual([]);

      const w = watch(args, { CROSSDOCK_DATA_DIR: data });
      await w.until(/"status":"succeeded"/, 'stdout');
      await new Promise((r) => setTimeout(r, 1500)); // a few more rescans: nothing else comes
      w.p.kill('SIGINT');
      const end = await w.done;
      expect(end.code).toBe(130);
      const lines = end.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ status: 'succeeded', rows: 25 });
      const files = readdirSync(out);
      expect(files).toHaveLength(1);
      expect(existsSync(join(out, files[0]))).toBe(true);
      const jobs = await cli(['jobs', 'list', '--json'], { CROSSDOCK_DATA_DIR: data });
      expect(jobs.stdout.trim().split('\n')).toHaveLength(1);
    });
});
