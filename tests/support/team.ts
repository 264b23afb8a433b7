// Team-mode test helpers: headless workers as separate OS processes (the real CLI), and waiting.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TeamConfig } from '../../src-main/team/config.ts';
import { CLI, freshDataDir, writeCsv, tempDir } from '../helpers.ts';
import { REDIS_USER, type RedisServer } from './redis-server.ts';
import { demoPart } from '../../src-worker/sources/demo-data.ts';

export const LOCK_MS = 2000;

// Every data dir holds a ~100 MB copy of the demo catalog: the team tests make dozens, so they go.
const scratch: string[] = [];

/** A data dir with the demo catalog, removed by removeScratch(). */
export function scratchDataDir(): string {
  const dir = freshDataDir();
  scratch.push(dir);
  return dir;
}

/** A temporary folder, removed by removeScratch(). */
export function scratchDir(prefix = 'cd-'): string {
  const dir = tempDir(prefix);
  scratch.push(dir);
  return dir;
}

export function removeScratch(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function teamConfig(
  redis: RedisServer,
  name: string,
  runJobs: boolean,
  extra: Partial<TeamConfig> = {},
): TeamConfig {
  return {
    url: redis.url,
    user: REDIS_USER.user,
    password: REDIS_USER.password,
    name,
    runJobs,
    lockMs: LOCK_MS,
    // The big lists of the fault tests stay one job each; tests/team-split.test.ts sets its own size.
    splitLines: 100_000_000,
    ...extra,
  };
}

export interface WorkerProcess {
  proc: ChildProcess;
  pid: number;
  dataDir: string;
  output(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (a machine dying), then wait. */
  kill(): Promise<void>;
}

/**
 * `crossdock worker --redis … --team …` in its own process and data dir; resolves once it has started.
 * `extra`: more arguments and environment (e.g. the CA of a TLS server).
 */
export async function startWorker(
  redis: RedisServer,
  team: string,
  concurrency = 1,
  extra: { args?: string[]; env?: Record<string, string> } = {},
): Promise<WorkerProcess> {
  const dataDir = scratchDataDir();
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--redis',
      redis.url,
      '--team',
      team,
      '--concurrency',
      String(concurrency),
      '--data-dir',
      dataDir,
      ...(extra.args ?? []),
    ],
    {
      env: {
        ...process.env,
        CROSSDOCK_REDIS_USER: REDIS_USER.user,
        CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password,
        CROSSDOCK_TEAM_LOCK_MS: String(LOCK_MS),
        ...extra.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await until(() => out.includes('Crossdock worker for team') || proc.exitCode !== null, 20_000);
  if (proc.exitCode !== null) throw new Error(`the worker did not start: ${out}`);
  const end = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return {
    proc,
    pid: proc.pid!,
    dataDir,
    output: () => out,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A request list of `lines` demo parts (distinct content per seed). */
export function requestList(lines: number, seed = 0, dir = scratchDir()): string {
  const rows: unknown[][] = [['Brand', 'Article', 'Qty']];
  for (let i = 0; i < lines; i++) {
    const p = demoPart((i * 7 + seed) % 60_000);
    rows.push([p.brand, p.display, 1 + ((i + seed) % 3)]);
  }
  return writeCsv(join(dir, `list-${seed}-${lines}.csv`), rows);
}
