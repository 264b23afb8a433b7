// A submitter that dies loses nothing: `crossdock run --redis` killed while its jobs are queued,
// running and done on the team; a plain `jobs resume` says in one sentence that they need the team
// queue (exit 1, at once); `jobs resume --redis` brings every result home exactly once, through a
// killed worker, a killed `jobs resume` and a Redis restart. Results equal a local run's.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../src-main/common/errors.ts';
import { EnvironmentSecrets } from '../src-main/engine/secrets.ts';
import { QUEUE_NAME, teamPrefix } from '../src-main/team/config.ts';
import { cli, CLI, collect, openEngine } from './helpers.ts';
import { REDIS_USER, startRedis, type RedisServer } from './support/redis-server.ts';
import {
  removeScratch,
  requestList,
  scratchDataDir,
  scratchDir,
  startWorker,
  until,
  type WorkerProcess,
} from './support/team.ts';
import { expectSameWorkbook } from './support/workbooks.ts';
import { spawn } from 'node:child_process';

const TEAM = 'resume';
let redis: RedisServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => undefined);
  await redis?.stop();
  removeScratch();
});

async function worker(): Promise<WorkerProcess> {
  const w = await startWorker(redis, TEAM, 1);
  workers.push(w);
  return w;
}

/** The team queue as an outsider reads it (the submitter is dead). */
async function withQueue<T>(fn: (q: Queue) => Promise<T>): Promise<T> {
  const connection = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const q = new Queue(QUEUE_NAME, { connection, prefix: teamPrefix(TEAM) });
  try {
    return await fn(q);
  } finally {
    await q.close().catch(() => undefined);
    connection.disconnect();
  }
}

const env = (dataDir: string) => ({
  CROSSDOCK_DATA_DIR: dataDir,
  CROSSDOCK_REDIS_USER: REDIS_USER.user,
  CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password,
});

function spawnCli(args: string[], dataDir: string) {
  const p = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env(dataDir) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { p, done: collect(p) };
}

describe('jobs resume --redis', () => {
  it('brings every team job of a killed submitter home once, through worker, resume and Redis kills', async () => {
    const dir = scratchDir('cd-in-');
    const inputs = [requestList(150_000, 21, dir), requestList(150_000, 22, dir), requestList(900, 23, dir)];
    const data = scratchDataDir();
    const out = scratchDir('cd-out-');
    const teamArgs = ['--redis', redis.url, '--team', TEAM];

    // 1. The submitter sends its three jobs and is killed before any has run (no worker yet).
    const run = spawnCli(['run', ...inputs, '--list', 'ОПТ-1', '--out', out, ...teamArgs], data);
    await until(
      () => withQueue(async (q) => (await q.getJobCounts('waiting', 'prioritized')).prioritized === 3),
      30_000,
      'three jobs in the team queue',
    );
    run.p.kill('SIGKILL');
    await run.done;

    // 2. Without the team queue, resume says so at once and exits 1 (it used to wait for ever).
    const plain = await cli(['jobs', 'resume'], { CROSSDOCK_DATA_DIR: data });
    expect(plain.code, plain.stderr).toBe(1);
    const sentence = renderMessage('en', { code: 'TEAM_RESUME_NEEDS_TEAM_QUEUE', params: { count: 3 } });
    expect(plain.stderr.trim()).toBe(sentence);
    expect(renderMessage('ru', { code: 'TEAM_RESUME_NEEDS_TEAM_QUEUE', params: { count: 3 } })).toMatch(
      /^3 командных задания можно завершить только через командную очередь/,
    );

    // 3. A worker starts them and is killed mid-job; another takes over.
    const a = await worker();
    await until(
      () =>
        withQueue(async (q) => {
          const active = await q.getJobs(['active']);
          return active.some((j) => ((j.progress as { done?: number })?.done ?? 0) > 0);
        }),
      30_000,
      'a job running with progress',
    );
    await a.kill();
    await worker();

    // 4. A resume that is killed itself, then Redis restarting.
    const first = spawnCli(['jobs', 'resume', ...teamArgs], data);
    await new Promise((r) => setTimeout(r, 1500));
    first.p.kill('SIGKILL');
    await first.done;
    await redis.restart();

    // 5. The next resume finishes everything: one result per job, none twice. The killed resume may
    // have brought a job home already (a fast machine finishes the 900-line one in time): the next
    // resume answers for the others.
    const second = await cli(['jobs', 'resume', ...teamArgs, '--json'], env(data));
    expect(second.code, second.stderr).toBe(0);
    const done = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; status: string; outputs: string[]; rows: number });
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.every((j) => j.status === 'succeeded')).toBe(true);
    const files = readdirSync(out);
    expect(files.filter((f) => f.startsWith('.~crossdock-'))).toEqual([]);
    expect(files).toHaveLength(3);

    const engine = openEngine(data, { run: 'none' });
    try {
      const all = engine.list();
      expect(all).toHaveLength(3);
      expect(done.every((j) => all.some((r) => r.id === j.id))).toBe(true);
      for (const j of all) {
        const row = engine.get(j.id)!;
        expect(row.status).toBe('succeeded');
        expect(row.outputs).toHaveLength(1);
        expect(existsSync(row.outputs[0])).toBe(true);
        expect(engine.logs(j.id).filter((l) => l.message.startsWith('Done:'))).toHaveLength(1);
      }
      // Once more: nothing left, nothing written again.
      const third = await cli(['jobs', 'resume', ...teamArgs], env(data));
      expect(third.code, third.stderr).toBe(0);
      expect(third.stderr).toMatch(/Nothing to resume/);
      expect(readdirSync(out)).toHaveLength(3);

      // The same inputs run locally give the same workbooks, cell for cell.
      const local = openEngine(scratchDataDir(), { run: 'all' });
      local.start();
      try {
        for (const input of inputs) {
          const { job } = await local.submit({
            kind: 'crossdock',
            input,
            list: 'ОПТ-1',
            outDir: scratchDir('cd-local-'),
          });
          const [ref] = await local.waitFor([job.id]);
          expect(ref.status, ref.error ?? '').toBe('succeeded');
          const teamJob = engine.list().find((r) => r.name === input.split('/').pop())!;
          expect(teamJob.result).toEqual(ref.result);
          await expectSameWorkbook(teamJob.outputs[0], ref.outputs[0]);
        }
      } finally {
        await local.close();
      }
    } finally {
      await engine.close();
    }
  }, 150_000);

  it('the Engine with team settings picks up the team jobs a dead submitter left', async () => {
    await worker();
    const data = scratchDataDir();
    const out = scratchDir('cd-out-');
    const run = spawnCli(
      ['run', requestList(2_000, 31), '--list', 'ОПТ-1', '--out', out, '--redis', redis.url, '--team', TEAM],
      data,
    );
    // Killed as soon as the job is in the queue: it may be queued, running or done by now.
    const total = () =>
      withQueue(async (q) => Object.values(await q.getJobCounts()).reduce((a, b) => a + b, 0));
    const before = await total();
    await until(async () => (await total()) > before, 30_000, 'the job in the queue');
    run.p.kill('SIGKILL');
    await run.done;
    // The app's next start: team mode from its Settings, the password from its secret store.
    const app = openEngine(data, {
      run: 'all',
      secrets: new EnvironmentSecrets({ CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password }),
    });
    app.on('error', () => undefined);
    app.updateSettings({
      team: { enabled: true, url: redis.url, user: REDIS_USER.user, name: TEAM, runJobs: false },
    });
    app.start();
    try {
      const mine = app.list().filter((j) => j.origin === 'team');
      expect(mine).toHaveLength(1);
      const [done] = await app.waitFor([mine[0].id]);
      expect(done.status, done.error ?? '').toBe('succeeded');
      expect(readdirSync(out)).toEqual([done.outputs[0].split('/').pop()]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
