// A demo catalog build that is killed leaves its temporary file (~12 MB) in the data folder; the
// engine's start-up housekeeping removes it once its process is gone, and leaves alone the file of a
// build that is still running in another process, and files that are not a build's.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogBuildPath, catalogBuildPid } from '../src-worker/sources/demo-catalog.ts';
import { CLI, openEngine, tempDir } from './helpers.ts';

const builds = (dir: string) => readdirSync(dir).filter((n) => catalogBuildPid(n) !== null);

/** Starts a catalog build in a CLI process and kills it (SIGKILL) while its temporary file grows. */
async function killedBuild(dir: string): Promise<string[]> {
  const p = spawn(process.execPath, [CLI, 'catalog', 'lists', '--data-dir', dir], { stdio: 'ignore' });
  const closed = new Promise((r) => p.on('close', r));
  try {
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const tmp = builds(dir);
      if (tmp.length && statSync(join(dir, tmp[0])).size > 0) break;
      if (existsSync(join(dir, 'catalog.sqlite'))) return []; // finished before it could be killed
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    p.kill('SIGKILL');
    await closed;
  }
  return builds(dir);
}

async function sleeper(): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  await new Promise((r) => p.once('spawn', r));
  return p;
}

describe('leftovers of killed demo catalog builds', () => {
  it('a killed build leaves its file; the next engine start removes it', async () => {
    let dir = '';
    let left: string[] = [];
    for (let attempt = 0; attempt < 3 && left.length === 0; attempt++) {
      dir = tempDir('cd-left-');
      left = await killedBuild(dir);
    }
    // The temporary file, maybe with SQLite's companion (-journal) of it.
    expect(left.filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    expect(
      statSync(
        join(
          dir,
          left.find((n) => n.endsWith('.tmp'))!,
        ),
      ).size,
    ).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'catalog.sqlite'))).toBe(false);
    const engine = openEngine(dir);
    try {
      engine.start();
      expect(builds(dir)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('the file of a build still running elsewhere stays, and so does anything that is not a build', async () => {
    const dir = tempDir('cd-left-');
    const live = await sleeper();
    const dead = await sleeper();
    try {
      const deadPid = dead.pid!;
      const closed = new Promise((r) => dead.once('close', r));
      dead.kill('SIGKILL');
      await closed;
      const liveFile = catalogBuildPath(dir, live.pid!, 1_700_000_000_000);
      const deadFile = catalogBuildPath(dir, deadPid, 1_700_000_000_001);
      const mine = catalogBuildPath(dir, process.pid, 1_700_000_000_002);
      for (const f of [liveFile, deadFile, `${deadFile}-wal`, `${deadFile}-shm`, mine]) writeFileSync(f, 'x');
      const others = [
        'catalog.sqlite.tmp',
        'catalog.sqlite.12.tmp',
        'notes.1.2.tmp',
        `catalog.sqlite.${deadPid}.x.tmp`,
      ];
      for (const f of others) writeFileSync(join(dir, f), 'x');

      const engine = openEngine(dir);
      try {
        engine.start();
        const names = readdirSync(dir);
        expect(names).not.toContain(`catalog.sqlite.${deadPid}.1700000000001.tmp`);
        expect(names.filter((n) => n.startsWith(`catalog.sqlite.${deadPid}.1700000000001`))).toEqual([]);
        expect(names).toContain(`catalog.sqlite.${live.pid}.1700000000000.tmp`);
        expect(names).toContain(`catalog.sqlite.${process.pid}.1700000000002.tmp`);
        expect(names).toEqual(expect.arrayContaining(others));
      } finally {
        await engine.close();
      }
    } finally {
      live.kill('SIGKILL');
    }
  });
});
