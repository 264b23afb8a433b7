// The command line's conventions (PRODUCT.md): results on stdout, everything else on stderr, exit
// codes 0 / 1 / 2 / 130, --version, a closed pipe ends quietly. All through the bundled CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import {
  CLI,
  cli,
  collect,
  freshDataDir,
  openEngine,
  ROOT,
  SAMPLE,
  tempDir,
  writeCsv,
  type CliResult,
} from './helpers.ts';

const STACK = /\n\s+at |padEnd|TypeError/;
const lines = (s: string) => s.split('\n').filter(Boolean);

/** Spawns the CLI like cli(), but hands back the child at once (to send it a signal). */
function spawnCli(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<CliResult> } {
  let child: ChildProcess | undefined;
  const done = cli(args, env, (p) => (child = p));
  return { child: child!, done };
}

describe('crossdock CLI conventions', () => {
  const data = freshDataDir();
  const env = { CROSSDOCK_DATA_DIR: data };

  it('puts the human one-line result on stdout with grouped numbers, and nothing on stderr', async () => {
    const out = tempDir('cd-out-');
    const res = await cli(['run', SAMPLE, '--list', 'ОПТ-1', '--out', out], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    const [line, ...rest] = lines(res.stdout);
    expect(rest).toEqual([]);
    const [file] = readdirSync(out);
    expect(line).toMatch(/^\S+\s+succeeded\s+crossdock\s/);
    expect(line).toMatch(
      / {2}1,500 lines: [\d,]+ found, [\d,]+ partial, [\d,]+ not found, [\d,]+ invalid → .+\.xlsx$/,
    );
    expect(line.endsWith(join(out, file))).toBe(true);
  });

  it('with --json: one object per job on stdout, nothing on stderr when all succeed', async () => {
    const out = tempDir('cd-out-');
    const res = await cli(['run', SAMPLE, '--list', 'ОПТ-1', '--out', out, '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    const objs = lines(res.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs).toHaveLength(1);
    expect(objs[0]).toMatchObject({ status: 'succeeded', rows: 1500, error: null });
  });

  it("writes a failed job's sentence to stderr, with --json too, and exits 1", async () => {
    const out = tempDir('cd-out-');
    const bad = writeCsv(join(tempDir(), 'no-header.csv'), [
      ['Name', 'Code', 'Price'],
      ['a', 'b', '1'],
    ]);
    const good = writeCsv(join(tempDir(), 'good.csv'), [
      ['Brand', 'Article', 'Qty'],
      [demoPart(3).brand, demoPart(3).display, 1],
    ]);
    const json = await cli(['run', good, bad, '--list', 'ОПТ-1', '--out', out, '--json'], env);
    expect(json.code).toBe(1);
    const objs = lines(json.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.map((o) => o.status)).toEqual(['succeeded', 'failed']);
    const err = lines(json.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toBe(`no-header.csv failed: ${String(objs[1].error)}`);
    expect(err[0]).toMatch(/no Brand and Article header/);
    expect(json.stderr).not.toMatch(STACK);

    const human = await cli(['run', bad, '--list', 'ОПТ-1', '--out', out], env);
    expect(human.code).toBe(1);
    expect(lines(human.stdout)).toHaveLength(1);
    expect(human.stdout).toMatch(/^\S+\s+failed\s+crossdock\s.*no Brand and Article header/);
    expect(lines(human.stderr)).toEqual([err[0]]);
  });

  it('prints the version of package.json with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const res = await cli([flag]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toBe(`${version}\n`);
      expect(res.stderr).toBe('');
    }
  });

  it('names the rows and the file an export wrote', async () => {
    const out = tempDir('cd-out-');
    const res = await cli(['export', '--list', 'РОЗН', '--format', 'csv', '--out', out], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    const [line] = lines(res.stdout);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    const m = /^(\S+)\s+succeeded\s+export\s.* {2}([\d,]+) rows exported → (.+)$/.exec(line);
    expect(m, line).not.toBeNull();
    expect(m![3]).toBe(join(out, files[0]));
    expect(line).not.toMatch(/imported/);
    const shown = JSON.parse((await cli(['jobs', 'show', m![1], '--json'], env)).stdout) as { rows: number };
    expect(shown.rows).toBeGreaterThan(999);
    expect(m![2]).toBe(shown.rows.toLocaleString('en-US'));
  });

  it('ends quietly with exit 0 when the reader closes the pipe early (EPIPE)', async () => {
    // Enough jobs that the listing is well past a pipe's buffer (64 KiB): `head -1` closes it first.
    const dir = freshDataDir();
    const engine = openEngine(dir, { run: 'none' });
    try {
      for (let i = 0; i < 1000; i++)
        await engine.submit({
          kind: 'export',
          list: 'РОЗН',
          format: 'csv',
          outDir: join(tempDir(), `o${i}`),
        });
    } finally {
      await engine.close();
    }
    for (const json of [['--json'], []]) {
      // A real shell pipe (a child's stdio from spawn is a socket with a far bigger buffer).
      const script = `"$0" "$1" jobs list --limit 2000 ${json.join(' ')} | head -1; echo "exit \${PIPESTATUS[0]}" >&2`;
      const res = await collect(
        spawn('bash', ['-c', script, process.execPath, CLI], {
          env: { ...process.env, CROSSDOCK_DATA_DIR: dir },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      expect(lines(res.stdout)).toHaveLength(1);
      expect(res.stderr).toBe('exit 0\n');
    }
  });

  it('on Ctrl+C: one sentence, exit 130, the job left queued, and jobs resume finishes it', async () => {
    const LINES = 150_000;
    const rows: unknown[][] = [['Бренд', 'Артикул', 'Кол-во']];
    for (let i = 0; i < LINES; i++) {
      const p = demoPart((i * 7) % 60_000);
      rows.push([p.brand, p.display, 1 + (i % 5)]);
    }
    const input = writeCsv(join(tempDir(), 'big.csv'), rows, ';');
    const dir = freshDataDir();
    const out = tempDir('cd-out-');
    const denv = { CROSSDOCK_DATA_DIR: dir };
    const { child, done } = spawnCli(['run', input, '--list', 'ОПТ-1', '--out', out], denv);
    // Wait until the job runs, then a little more so the worker is well into it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const list = await cli(['jobs', 'list', '--json'], denv);
      const status = lines(list.stdout).map((l) => (JSON.parse(l) as { status: string }).status)[0];
      if (status === 'running') break;
      expect(status ?? '', 'the job ended before Ctrl+C').not.toMatch(/succeeded|failed|cancelled/);
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const res = await done;
    expect(res.code, res.stderr).toBe(130);
    expect(res.stdout).toBe('');
    expect(lines(res.stderr)).toEqual([
      'Stopped; 1 job is left in the queue: run "crossdock jobs resume" to finish it.',
    ]);
    expect(res.stderr).not.toMatch(STACK);
    const left = JSON.parse((await cli(['jobs', 'list', '--json'], denv)).stdout.trim()) as {
      status: string;
    };
    expect(['queued', 'running']).toContain(left.status);
    expect(readdirSync(out)).toEqual([]);

    const resumed = await cli(['jobs', 'resume', '--json'], denv);
    expect(resumed.code, resumed.stderr).toBe(0);
    const jobs = lines(resumed.stdout).map(
      (l) => JSON.parse(l) as { status: string; rows: number; outputs: string[] },
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ status: 'succeeded', rows: LINES });
    expect(existsSync(jobs[0].outputs[0])).toBe(true);
  });
});
