// One big list across the team: a crossdock past the split size goes to the team queue as a BullMQ
// flow (the job the parent, its parts the children), several workers run the parts at once, and
// the parent merges them into the workbook an unsplit run writes (Result and Alternatives cell for
// cell, one Summary with the counts added up). Progress, cancel and retry act on the whole job; a
// worker killed holding a part loses nothing.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src-main/engine/engine.ts';
import type { Job } from '../src-main/common/types.ts';
import { QUEUE_NAME, teamPrefix } from '../src-main/team/config.ts';
import { decodeReason, PART_JOB, partId } from '../src-main/team/job-data.ts';
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
import { expectSameWorkbook } from './support/workbooks.ts';

const TEAM = 'split';
const OPTIONS = { list: 'ОПТ-1', alternatives: 2, analogs: 'missing' } as const;
let redis: RedisServer;
let submitter: Engine;
let local: Engine;
const workers: WorkerProcess[] = [];

async function worker(): Promise<WorkerProcess> {
  const w = await startWorker(redis, TEAM, 1);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  redis = await startRedis();
  await Promise.all([worker(), worker(), worker()]);
  submitter = openEngine(scratchDataDir(), {
    run: 'none',
    team: teamConfig(redis, TEAM, false, { splitLines: 8_000 }),
  });
  submitter.on('error', () => undefined);
  submitter.start();
  await until(() => submitter.teamStatus().state === 'online', 10_000, 'online');
  local = openEngine(scratchDataDir(), { run: 'all' });
  local.start();
}, 60_000);

afterAll(async () => {
  await submitter?.close().catch(() => undefined);
  await local?.close().catch(() => undefined);
  for (const w of workers) await w.stop().catch(() => undefined);
  await redis?.stop();
  removeScratch();
});

async function localRun(input: string): Promise<Job> {
  const { job } = await local.submit({
    kind: 'crossdock',
    input,
    outDir: scratchDir('cd-local-'),
    ...OPTIONS,
  });
  const [done] = await local.waitFor([job.id]);
  expect(done.status, done.error ?? '').toBe('succeeded');
  return done;
}

async function bullState(id: string): Promise<string> {
  const connection = new Redis({ port: redis.port, host: '127.0.0.1' });
  connection.on('error', () => undefined);
  const q = new Queue(QUEUE_NAME, { connection, prefix: teamPrefix(TEAM) });
  try {
    return await q.getJobState(id);
  } finally {
    await q.close();
    connection.disconnect();
  }
}

/** The job's end, or its log so far when it does not come. */
async function ended(id: string, ms: number): Promise<Job> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ended: ${messages(id).join('\n')}`)), ms);
  });
  try {
    return (await Promise.race([submitter.waitFor([id]), late]))[0];
  } finally {
    clearTimeout(timer);
  }
}

const messages = (id: string) => submitter.logs(id).map((l) => l.message);

describe('a crossdock past the split size', () => {
  it('runs as parts on several workers at once and comes home as the workbook an unsplit run writes', async () => {
    const input = requestList(30_000, 41);
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({ kind: 'crossdock', input, outDir: out, ...OPTIONS });
    const seen: Job['status'][] = [];
    let progressed = 0;
    submitter.on('job', (j: Job) => j.id === job.id && seen.push(j.status));
    submitter.on('progress', (id: string, p: { done: number }) => {
      if (id === job.id) progressed = Math.max(progressed, p.done);
    });
    const [done] = await submitter.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result).toMatchObject({ rows: 30_000 });
    expect(readdirSync(out)).toEqual([done.outputs[0].split('/').pop()]);
    expect(seen.filter((s) => s === 'succeeded')).toHaveLength(1);
    expect(seen).toContain('running');
    expect(progressed).toBeGreaterThan(0);
    const logs = messages(job.id);
    expect(
      logs.some((m) => /^Split into \d parts of about [\d,]+ lines/.test(m)),
      logs.join('\n'),
    ).toBe(true);
    // The parts ran on more than one worker.
    const ranOn = new Set(
      logs.flatMap((m) => (/^Attempt \d of \d started on .* \(process (\d+)\): part/.exec(m) ?? []).slice(1)),
    );
    expect(ranOn.size).toBeGreaterThan(1);
    expect(logs.filter((m) => m.startsWith('Done:'))).toHaveLength(1);
    expect(await bullState(job.id)).toBe('completed');
    expect(await bullState(partId(job.id, 2))).toBe('completed');

    const ref = await localRun(input);
    expect(done.result).toEqual(ref.result);
    await expectSameWorkbook(done.outputs[0], ref.outputs[0]);
  }, 90_000);

  it('a worker killed holding a part: the part moves to another worker, the job ends once', async () => {
    const input = requestList(30_000, 42);
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({ kind: 'crossdock', input, outDir: out, ...OPTIONS });
    // A worker holding a part now (the team panel says which).
    let victim: WorkerProcess | undefined;
    await until(
      async () => {
        const status = await submitter.refreshTeamStatus();
        const busy = status.workers.find((w) => w.running.includes(job.id));
        victim = busy && workers.find((w) => w.pid === busy.pid);
        return victim !== undefined;
      },
      30_000,
      'a worker holding a part',
    );
    await victim!.kill();
    workers.splice(workers.indexOf(victim!), 1);
    await worker();
    const done = await ended(job.id, 100_000);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result).toMatchObject({ rows: 30_000 });
    expect(readdirSync(out)).toHaveLength(1);
    expect(messages(job.id).filter((m) => m.startsWith('Done:'))).toHaveLength(1);
    // The killed worker's part started again elsewhere.
    expect(messages(job.id).some((m) => /^Attempt 2 of \d started on .*: part \d+ of \d+/.test(m))).toBe(
      true,
    );
    await expectSameWorkbook(done.outputs[0], (await localRun(input)).outputs[0]);
  }, 120_000);

  it('cancel stops every part and ends the job cancelled; retry runs it again whole', async () => {
    const input = requestList(30_000, 43);
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({ kind: 'crossdock', input, outDir: out, ...OPTIONS });
    await until(() => submitter.get(job.id)?.status === 'running', 30_000, 'running');
    const cancelled = await submitter.cancel(job.id);
    await until(() => submitter.get(job.id)?.status === 'cancelled', 10_000, 'cancelled');
    expect(cancelled.id).toBe(job.id);
    expect(readdirSync(out)).toEqual([]);
    submitter.retry(job.id);
    const done = await ended(job.id, 100_000);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result).toMatchObject({ rows: 30_000 });
    expect(readdirSync(out)).toHaveLength(1);
  }, 120_000);

  it('a part whose data is not valid is refused by the worker, with the reason', async () => {
    const connection = new Redis({ port: redis.port, host: '127.0.0.1' });
    connection.on('error', () => undefined);
    const q = new Queue(QUEUE_NAME, { connection, prefix: teamPrefix(TEAM) });
    try {
      const id = partId('01JA0000000000000000000000', 0);
      await q.add(
        PART_JOB,
        { v: 1, parent: '01JA0000000000000000000000', index: 0, spec: { kind: 'rm -rf' } },
        { jobId: id },
      );
      await until(async () => (await q.getJobState(id)) === 'failed', 20_000, 'the part refused');
      const failed = await q.getJob(id);
      expect(decodeReason(failed!.failedReason)).toMatchObject({ code: 'TEAM_JOB_DATA_INVALID' });
    } finally {
      await q.close();
      connection.disconnect();
    }
  });

  it('crossdock run --split-lines N splits from the command line', async () => {
    const out = scratchDir('cd-out-');
    const data = scratchDataDir();
    const res = await cli(
      ['run', requestList(900, 44), ...['--list', 'ОПТ-1', '--out', out, '--split-lines', '300']].concat([
        '--redis',
        redis.url,
        '--team',
        TEAM,
        '--json',
      ]),
      {
        CROSSDOCK_DATA_DIR: data,
        CROSSDOCK_REDIS_USER: REDIS_USER.user,
        CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password,
      },
    );
    expect(res.code, res.stderr).toBe(0);
    const job = JSON.parse(res.stdout.trim()) as { id: string; status: string; rows: number };
    expect(job).toMatchObject({ status: 'succeeded', rows: 900 });
    expect(await bullState(partId(job.id, 2))).toBe('completed');
    expect(readdirSync(out)).toHaveLength(1);
  }, 60_000);
});
