// Nothing lost: a worker killed mid-job, Redis restarting mid-job, 500 small jobs over 3 workers.
// Every job ends exactly once, with exactly one result file.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../src-main/engine/engine.ts';
import type { Job } from '../src-main/common/types.ts';
import { QUEUE_NAME, teamPrefix } from '../src-main/team/config.ts';
import { cli, openEngine } from './helpers.ts';
import { REDIS_USER, startRedis, type RedisServer } from './support/redis-server.ts';
import {
  removeScratch,
  requestList,
  scratchDataDir,
  scratchDir,
  startWorker,
  teamConfig,
  until,
  type WorkerProcess,
} from './support/team.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  removeScratch();
});

async function setup(team: string): Promise<{ redis: RedisServer; submitter: Engine }> {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const submitter = openEngine(scratchDataDir(), { run: 'none', team: teamConfig(redis, team, false) });
  submitter.on('error', () => undefined);
  submitter.start();
  cleanups.push(() => submitter.close());
  await until(() => submitter.teamStatus().state === 'online', 10_000, 'online');
  return { redis, submitter };
}

async function worker(redis: RedisServer, team: string, concurrency = 1): Promise<WorkerProcess> {
  const w = await startWorker(redis, team, concurrency);
  cleanups.push(() => w.stop());
  return w;
}

async function bullJob(redis: RedisServer, team: string, id: string) {
  const q = new Queue(QUEUE_NAME, { connection: new Redis({ port: redis.port }), prefix: teamPrefix(team) });
  try {
    const j = await q.getJob(id);
    return {
      state: await j!.getState(),
      attemptsMade: j!.attemptsMade,
      returnvalue: j!.returnvalue as unknown,
    };
  } finally {
    await q.close();
    (q.opts.connection as Redis).disconnect();
  }
}

function succeededOnce(e: Engine, id: string): void {
  const starts = e.logs(id).filter((l) => l.message.startsWith('Done:'));
  expect(starts).toHaveLength(1);
}

describe('nothing lost', () => {
  it('a worker SIGKILLed mid-job: another worker takes it over and it ends with exactly one result', async () => {
    const { redis, submitter } = await setup('kill');
    const a = await worker(redis, 'kill');
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({
      kind: 'crossdock',
      input: requestList(600_000, 5),
      list: 'ОПТ-1',
      outDir: out,
    });
    await until(() => (submitter.get(job.id)?.progress?.done ?? 0) > 0, 30_000, 'progress on worker A');
    const transitions: string[] = [];
    submitter.on('job', (j: Job) => j.id === job.id && transitions.push(j.status));
    const b = await worker(redis, 'kill');
    await a.kill();
    const [done] = await submitter.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result!.rows).toBe(600_000);
    expect(readdirSync(out)).toHaveLength(1);
    expect(transitions.filter((s) => s === 'succeeded')).toHaveLength(1);
    succeededOnce(submitter, job.id);
    const logs = submitter.logs(job.id).map((l) => l.message);
    expect(logs.some((m) => m.includes(`(process ${a.pid})`))).toBe(true);
    expect(
      logs.some((m) => m.includes(`(process ${b.pid})`)),
      JSON.stringify(logs, null, 1) + b.pid,
    ).toBe(true);
    expect((await bullJob(redis, 'kill', job.id)).state).toBe('completed');
  });

  it('a worker stopped (Ctrl+C, SIGTERM) mid-job hands it back at once; another finishes it', async () => {
    const { redis, submitter } = await setup('handback');
    const a = await worker(redis, 'handback');
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({
      kind: 'crossdock',
      input: requestList(600_000, 13),
      list: 'ОПТ-1',
      outDir: out,
    });
    await until(() => (submitter.get(job.id)?.progress?.done ?? 0) > 0, 30_000, 'progress on worker A');
    const b = await worker(redis, 'handback');
    await a.stop();
    const [done] = await submitter.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(readdirSync(out)).toHaveLength(1);
    succeededOnce(submitter, job.id);
    const logs = submitter.logs(job.id).map((l) => l.message);
    expect(logs.some((m) => m.startsWith('Handed back to the team queue'))).toBe(true);
    expect(
      logs.some((m) => m.includes(`(process ${b.pid})`)),
      JSON.stringify(logs, null, 1) + b.pid,
    ).toBe(true);
  });

  it('Redis restarting mid-job: the job still ends once', async () => {
    const { redis, submitter } = await setup('restart');
    await worker(redis, 'restart');
    await worker(redis, 'restart');
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({
      kind: 'crossdock',
      input: requestList(600_000, 6),
      list: 'ОПТ-1',
      outDir: out,
    });
    await until(() => (submitter.get(job.id)?.progress?.done ?? 0) > 0, 30_000, 'progress');
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();
    const [done] = await submitter.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(readdirSync(out)).toHaveLength(1);
    succeededOnce(submitter, job.id);
    expect((await bullJob(redis, 'restart', job.id)).state).toBe('completed');
  });

  it('500 small jobs over 3 workers: every one done exactly once', { timeout: 240_000 }, async () => {
    const { redis, submitter } = await setup('load');
    const workers = await Promise.all([
      worker(redis, 'load', 1),
      worker(redis, 'load', 1),
      worker(redis, 'load', 1),
    ]);
    const out = scratchDir('cd-out-');
    const dir = scratchDir();
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) {
      const { job, duplicate } = await submitter.submit({
        kind: 'crossdock',
        input: requestList(3, 1000 + i, dir),
        list: 'ОПТ-1',
        outDir: out,
      });
      expect(duplicate).toBe(false);
      ids.push(job.id);
    }
    submitter.setMaxListeners(0); // waitFor listens once per job
    const jobs = await submitter.waitFor(ids);
    expect(jobs.filter((j) => j.status !== 'succeeded').map((j) => j.error)).toEqual([]);
    expect(readdirSync(out)).toHaveLength(500);
    for (const j of jobs) {
      expect(j.outputs).toHaveLength(1);
      succeededOnce(submitter, j.id);
    }
    const status = await submitter.refreshTeamStatus();
    expect(status.queue).toMatchObject({ completed: 500, failed: 0, waiting: 0, active: 0 });
    // Each worker took a share.
    const ran = workers.map(
      (w) =>
        ids.filter((id) => submitter.logs(id).some((l) => l.message.includes(`(process ${w.pid})`))).length,
    );
    expect(ran.reduce((a, b) => a + b, 0)).toBe(500);
    for (const n of ran) expect(n).toBeGreaterThan(0);
  });
});

describe('the submitter dies between downloading the result and putting it in place', () => {
  it('the next start finishes it: one result file, no temporary left', async () => {
    const { redis, submitter } = await setup('submitter-crash');
    await submitter.close();
    await worker(redis, 'submitter-crash');
    const data = scratchDataDir();
    const out = scratchDir('cd-out-');
    const env = {
      CROSSDOCK_DATA_DIR: data,
      CROSSDOCK_REDIS_USER: REDIS_USER.user,
      CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password,
      CROSSDOCK_FAULT_INJECT: 'team-after-download',
    };
    const first = await cli(
      [
        'run',
        requestList(2000, 12),
        '--list',
        'ОПТ-1',
        '--out',
        out,
        '--redis',
        redis.url,
        '--team',
        'submitter-crash',
      ],
      env,
    );
    expect(first.signal).toBe('SIGKILL');
    expect(readdirSync(out).filter((f) => !f.startsWith('.~crossdock-'))).toEqual([]);
    const again = openEngine(data, { run: 'none', team: teamConfig(redis, 'submitter-crash', false) });
    cleanups.push(() => again.close());
    again.start();
    const [job] = again.list();
    const [done] = await again.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(readdirSync(out)).toEqual([done.outputs[0].split('/').pop()]);
  });
});
