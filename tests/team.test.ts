// Team mode against a real redis-server: joining, submitting, running in another OS process,
// mirroring, cancel across members, offline submissions, and hostile data.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src-main/engine/engine.ts';
import type { TeamStatus } from '../src-main/common/team-types.ts';
import type { Job } from '../src-main/common/types.ts';
import { QUEUE_NAME, teamPrefix } from '../src-main/team/config.ts';
import { BlobStore } from '../src-main/team/blobs.ts';
import { CANCELLED, decodeReason, encodeReason } from '../src-main/team/job-data.ts';
import { renderMessage } from '../src-main/common/errors.ts';
import { cli, openEngine, readXlsx, SAMPLE } from './helpers.ts';
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

let redis: RedisServer;
let worker: WorkerProcess;
const engines: Engine[] = [];
const TEAM = 'buyers';

function member(runJobs = false, extra = {}): Engine {
  const e = openEngine(scratchDataDir(), { run: 'none', team: teamConfig(redis, TEAM, runJobs, extra) });
  e.on('error', () => undefined);
  e.start();
  engines.push(e);
  return e;
}

function online(e: Engine): Promise<void> {
  return until(() => e.teamStatus().state === 'online', 10_000, 'the team to be online');
}

function rawRedis(): Redis {
  const client = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: false });
  // Some tests stop Redis while such a client is open; it reconnects quietly until closed.
  client.on('error', () => undefined);
  return client;
}

beforeAll(async () => {
  redis = await startRedis();
  worker = await startWorker(redis, TEAM, 2);
});

afterAll(async () => {
  for (const e of engines) await e.close().catch(() => undefined);
  await worker?.stop();
  await redis?.stop();
  removeScratch();
});

describe('joining', () => {
  it('the Test button says what is wrong in one sentence, and what is right', async () => {
    const e = openEngine(scratchDataDir(), { run: 'none' });
    engines.push(e);
    const ok = await e.testTeam({
      url: redis.url,
      user: REDIS_USER.user,
      password: REDIS_USER.password,
      name: TEAM,
    });
    expect(ok).toMatchObject({ ok: true, redisVersion: expect.stringMatching(/^\d+\./) });
    expect(ok.ok && ok.workers).toBeGreaterThanOrEqual(1);
    // Each answer is coded: the renderer says it in the UI's language.
    const wrong = await e.testTeam({ url: redis.url, user: REDIS_USER.user, password: 'nope', name: TEAM });
    expect(wrong).toEqual({
      ok: false,
      error: expect.stringMatching(/refused the user name or password/),
      errorCode: 'REDIS_AUTH_FAILED',
      errorParams: { url: redis.url },
    });
    expect(JSON.stringify(wrong)).not.toContain('nope');
    const closed = await e.testTeam({ url: 'redis://127.0.0.1:1', user: '', name: TEAM });
    expect(closed).toEqual({
      ok: false,
      error: expect.stringMatching(/^Nothing answers at redis:\/\/127\.0\.0\.1:1/),
      errorCode: 'REDIS_CONNECTION_REFUSED',
      errorParams: { url: 'redis://127.0.0.1:1' },
    });
    const bad = await e.testTeam({ url: 'http://x', user: '', name: TEAM });
    expect(bad).toEqual({
      ok: false,
      error: expect.stringMatching(/must start with redis:\/\/ or rediss:\/\//),
      errorCode: 'REDIS_WRONG_SCHEME',
      errorParams: { url: 'http://x' },
    });
    const badName = await e.testTeam({ url: redis.url, user: '', name: 'no spaces' });
    expect(badName).toEqual({
      ok: false,
      error: 'A team name is 1 to 64 letters, digits, - or _.',
      errorCode: 'TEAM_NAME_INVALID',
      errorParams: {},
    });
    if (!wrong.ok)
      expect(
        renderMessage('ru', { code: wrong.errorCode, params: wrong.errorParams, message: wrong.error }),
      ).toMatch(/^Redis по адресу .* не принял имя пользователя или пароль/);
  });

  it('crossdock worker refuses to start with a wrong password (exit 1) or a bad URL (exit 2)', async () => {
    const wrong = await cli(
      ['worker', '--redis', `redis://${REDIS_USER.user}:secret123@127.0.0.1:${redis.port}`],
      {
        CROSSDOCK_DATA_DIR: scratchDir(),
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toEqual([
      `Redis at redis://127.0.0.1:${redis.port} refused the user name or password; check them in Settings (or CROSSDOCK_REDIS_PASSWORD).`,
    ]);
    expect(wrong.stderr).not.toContain('secret123');
    const bad = await cli(['worker', '--redis', 'localhost:6379'], { CROSSDOCK_DATA_DIR: scratchDir() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a Redis URL/);
  });
});

describe('a job submitted here runs in another process and comes back', () => {
  it('mirrors state, progress and logs on every member, and downloads the result once', async () => {
    const submitter = member();
    const watcher = member();
    await Promise.all([online(submitter), online(watcher)]);
    const seen: { progress: number; logs: string[]; statuses: string[] } = {
      progress: 0,
      logs: [],
      statuses: [],
    };
    watcher.on('progress', () => seen.progress++);
    watcher.on('log', (l: { message: string }) => seen.logs.push(l.message));
    watcher.on('job', (j: Job) => seen.statuses.push(j.status));
    const out = scratchDir('cd-out-');
    const input = requestList(150_000, 1);
    const first = await submitter.submit({ kind: 'crossdock', input, list: 'ОПТ-1', outDir: out });
    const again = await submitter.submit({ kind: 'crossdock', input, list: 'ОПТ-1', outDir: out });
    expect(again).toMatchObject({ duplicate: true, job: { id: first.job.id } });
    expect(first.job.origin).toBe('team');
    const [done] = await submitter.waitFor([first.job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.outputs).toHaveLength(1);
    expect(readdirSync(out)).toEqual([done.outputs[0].split('/').pop()]);
    expect(done.result).toMatchObject({ rows: 150_000 });
    const sheets = await readXlsx(done.outputs[0]);
    expect(sheets.get('Result')!.length).toBe(150_001);
    // The worker ran it (its own process), not this one.
    const lines = submitter.logs(first.job.id);
    const logs = lines.map((l) => l.message);
    expect(logs.some((m) => m.includes(`(process ${worker.pid})`))).toBe(true);
    // Team mode's lines are coded, the worker's included (they came through Redis).
    const codeOf = (m: string | undefined) => lines.find((l) => l.message === m)?.code;
    expect(codeOf(`Sent to the team queue "${TEAM}".`)).toBe('LOG_TEAM_SENT');
    expect(lines.find((l) => l.code === 'LOG_TEAM_ATTEMPT_STARTED')).toMatchObject({
      params: { attempt: 1, max: 3, pid: worker.pid },
      message: expect.stringMatching(/^Attempt 1 of 3 started on /),
    });
    expect(lines.find((l) => l.code === 'LOG_TEAM_FINISHED_ON')?.params).toMatchObject({ rows: 150_000 });
    expect(codeOf(logs.find((m) => m.startsWith('Matched 150000 lines')))).toBeTruthy();
    expect(codeOf(logs.find((m) => m.startsWith('Done: 150000 lines (')))).toBe('LOG_DONE');
    // Another member shows the same job, live, without any file.
    await until(() => watcher.get(first.job.id)?.status === 'succeeded', 10_000, 'the mirror');
    const mirrored = watcher.get(first.job.id)!;
    expect(mirrored).toMatchObject({ origin: 'team', outputs: [], result: { rows: 150_000 } });
    expect(JSON.stringify(mirrored.spec)).not.toContain(out);
    expect(seen.statuses).toContain('running');
    expect(seen.progress).toBeGreaterThan(0);
    expect(seen.logs.some((m) => /Matched 150000 lines/.test(m))).toBe(true);
    expect(watcher.logs(first.job.id).find((l) => l.code === 'LOG_TEAM_DONE')).toMatchObject({
      message: 'Done on the team: 150000 lines.',
      params: { rows: 150_000 },
    });
    // One BullMQ job, a standard one (Bull Board shows it as it is).
    const q = new Queue(QUEUE_NAME, { connection: rawRedis(), prefix: teamPrefix(TEAM) });
    const bull = await q.getJob(first.job.id);
    expect(await bull!.getState()).toBe('completed');
    expect(bull!.name).toBe('crossdock');
    expect(JSON.stringify(bull!.data)).not.toContain(out);
    expect(JSON.stringify(bull!.data)).not.toContain('inputs/');
    await q.close();
    (q.opts.connection as Redis).disconnect();
    // The team panel: the worker with its concurrency, queue depth, the last hour's throughput.
    const status: TeamStatus = await submitter.refreshTeamStatus();
    expect(status.state).toBe('online');
    expect(status.workers.find((w) => w.pid === worker.pid)).toMatchObject({ concurrency: 2 });
    expect(status.queue!.completed).toBeGreaterThanOrEqual(1);
    expect(status.lastHour!.completed).toBeGreaterThanOrEqual(1);
  });

  it('crossdock run --redis submits and waits like a local run', async () => {
    const out = scratchDir('cd-out-');
    const res = await cli(
      ['run', SAMPLE, '--list', 'ОПТ-1', '--out', out, '--redis', redis.url, '--team', TEAM, '--json'],
      {
        CROSSDOCK_DATA_DIR: scratchDataDir(),
        CROSSDOCK_REDIS_USER: REDIS_USER.user,
        CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password,
      },
    );
    expect(res.code, res.stderr).toBe(0);
    const job = JSON.parse(res.stdout.trim()) as { status: string; outputs: string[]; rows: number };
    expect(job).toMatchObject({ status: 'succeeded', rows: 1500 });
    expect(readdirSync(out)).toEqual([job.outputs[0].split('/').pop()]);
  });
});

describe('cancel from any member', () => {
  it('stops the job where it runs within 2 s, and every member sees it cancelled', async () => {
    const submitter = member();
    const other = member();
    await Promise.all([online(submitter), online(other)]);
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({
      kind: 'crossdock',
      input: requestList(1_500_000, 2),
      list: 'ОПТ-1',
      outDir: out,
    });
    await until(() => other.get(job.id)?.status === 'running', 20_000, 'the job to run on the worker');
    await until(() => (other.get(job.id)?.progress?.done ?? 0) > 0, 20_000, 'progress');
    // A member that joins now sees the running job with its log so far.
    const late = member();
    await until(() => late.get(job.id)?.status === 'running', 10_000, 'the late member to see it');
    expect(late.logs(job.id).map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^Attempt 1 of 3 started/),
    );
    // The team panel: which worker runs it, and the queue's active count.
    const panel = await other.refreshTeamStatus();
    expect(panel.workers.find((w) => w.pid === worker.pid)?.running).toContain(job.id);
    expect(panel.queue!.active).toBeGreaterThanOrEqual(1);
    const started = Date.now();
    const cancelled = await other.cancel(job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(2000);
    await until(() => submitter.get(job.id)?.status === 'cancelled', 3000, 'the submitter to see it');
    // The worker's reason, coded through Redis: each member renders it in its language.
    const why = {
      error: `Cancelled while running on ${hostname()}.`,
      errorCode: 'TEAM_CANCELLED_WHILE_RUNNING',
      errorParams: { host: hostname() },
    };
    expect(other.get(job.id)).toMatchObject(why);
    expect(submitter.get(job.id)).toMatchObject(why);
    expect(readdirSync(out)).toEqual([]);
    // Not retried: it stays cancelled.
    await new Promise((r) => setTimeout(r, 1000));
    expect(submitter.get(job.id)!.status).toBe('cancelled');
  });

  it('cancels a waiting job before any worker takes it', async () => {
    const submitter = member();
    await online(submitter);
    const q = new Queue(QUEUE_NAME, { connection: rawRedis(), prefix: teamPrefix(TEAM) });
    await q.pause();
    try {
      const { job } = await submitter.submit({
        kind: 'crossdock',
        input: requestList(10, 3),
        list: 'ОПТ-1',
        outDir: scratchDir(),
      });
      await until(async () => (await q.getJob(job.id)) !== undefined, 5000, 'the job in the queue');
      const res = await submitter.cancel(job.id);
      expect(res).toMatchObject({
        status: 'cancelled',
        error: 'Cancelled before it started.',
        errorCode: 'CANCELLED_BEFORE_START',
      });
      expect(await q.getJob(job.id)).toBeUndefined();
    } finally {
      await q.resume();
      await q.close();
      (q.opts.connection as Redis).disconnect();
    }
  });
});

describe('untrusted data', () => {
  it('a hostile job is refused by the worker and not shown by members; nothing is written from its paths', async () => {
    const watcher = member();
    await online(watcher);
    const conn = rawRedis();
    const q = new Queue(QUEUE_NAME, { connection: conn, prefix: teamPrefix(TEAM) });
    const target = join(scratchDir(), 'pwned.txt');
    const hostile = {
      v: 1,
      id: '01HOSTILE0000000000000000Z',
      name: `../../${target}`,
      spec: {
        kind: 'crossdock',
        list: 'ОПТ-1',
        source: 'demo',
        alternatives: 0,
        columns: {},
        outDir: target,
      },
      input: { blob: 'x'.repeat(64), name: '../evil.xlsx', size: 10 },
      submittedBy: 'mallory',
      host: 'evil',
      priority: 'normal',
      maxAttempts: 1,
      createdAt: Date.now(),
    };
    await q.add('crossdock', hostile, { jobId: hostile.id });
    await until(
      async () => (await q.getJob(hostile.id))?.failedReason !== undefined,
      10_000,
      'the worker to refuse it',
    );
    const failed = await q.getJob(hostile.id);
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.failedReason).toMatch(/^The team job's data is not valid/);
    expect(decodeReason(failed!.failedReason)).toMatchObject({
      code: 'TEAM_JOB_DATA_INVALID',
      message: expect.stringMatching(/^The team job's data is not valid \(.+\); this worker refused it\.$/),
    });
    expect(failed!.attemptsMade).toBe(1); // not retried
    expect(existsSync(target)).toBe(false);
    expect(watcher.get(hostile.id)).toBeNull();

    // Valid data, but the blob's content was changed in Redis: refused by its hash.
    const blobs = new BlobStore(conn, teamPrefix(TEAM));
    const file = join(scratchDir(), 'tiny.csv');
    writeFileSync(file, 'Brand,Article\nBOSCH,123\n');
    const { sha256, size } = await blobs.put(file);
    await conn.set(`${teamPrefix(TEAM)}:blob:${sha256}:0`, 'Brand,Article\nEVIL,666\n');
    const tampered = {
      ...hostile,
      id: '01TAMPERED000000000000000Z',
      name: 'tiny.csv',
      spec: { kind: 'crossdock', list: 'ОПТ-1', source: 'demo', alternatives: 0, columns: {} },
      input: { blob: sha256, name: 'tiny.csv', size },
    };
    await q.add('crossdock', tampered, { jobId: tampered.id });
    await until(async () => (await q.getJob(tampered.id))?.failedReason !== undefined, 10_000, 'the refusal');
    expect((await q.getJob(tampered.id))!.failedReason).toMatch(/does not match its hash/);
    await until(() => watcher.get(tampered.id)?.status === 'failed', 10_000, 'the mirror');
    expect(watcher.get(tampered.id)).toMatchObject({
      error: 'The file from the team queue does not match its hash; it was refused.',
      errorCode: 'TEAM_FILE_HASH_MISMATCH',
    });
    await q.close();
    conn.disconnect();
  });

  it('a file over the size cap is refused at submit with one sentence', async () => {
    const submitter = member(false, { maxBlobBytes: 1000 });
    await online(submitter);
    await expect(
      submitter.submit({ kind: 'crossdock', input: SAMPLE, list: 'ОПТ-1', outDir: scratchDir() }),
    ).rejects.toThrow(/^The file is 1 MB, over the team queue's limit of 1 MB; run it on this computer/);
    await expect(
      submitter.submit({ kind: 'crossdock', input: SAMPLE, list: 'ОПТ-1', outDir: scratchDir() }),
    ).rejects.toMatchObject({
      code: 'TEAM_FILE_OVER_LIMIT',
      params: { what: 'file', mb: 1, limitMb: 1 },
    });
  });

  it('a failure reason read back from Redis is coded only when its code and parameters parse', () => {
    const coded = { message: 'Cancelled while running on pc-7.', code: 'TEAM_CANCELLED_WHILE_RUNNING' };
    const reason = encodeReason({ ...coded, params: { host: 'pc-7' } });
    // The sentence first (Bull Board shows it; a cancel still starts with CANCELLED), then the code.
    expect(reason.startsWith(`${CANCELLED} while running on pc-7.\n`)).toBe(true);
    expect(decodeReason(reason)).toEqual({ ...coded, params: { host: 'pc-7' } });
    const plain = (message: string) => ({ message, code: null, params: null });
    // An older member's reason, or BullMQ's own: plain text.
    expect(decodeReason('job stalled more than allowable limit')).toEqual(
      plain('job stalled more than allowable limit'),
    );
    expect(decodeReason(undefined)).toBeNull();
    const [sentence, mark] = [reason.slice(0, reason.indexOf('\n')), reason.slice(reason.indexOf('\n'))];
    const forged = (json: string) => decodeReason(`${sentence}${mark.slice(0, mark.indexOf('{'))}${json}`);
    // What does not parse, or is out of bounds, shows as the sentence without a code.
    for (const json of [
      '{not json',
      JSON.stringify({ code: 'lower_case', params: {} }),
      JSON.stringify({ code: 'TEAM_JOB_GONE', params: { host: { nested: true } } }),
      JSON.stringify({ code: 'TEAM_JOB_GONE', params: { host: 'x'.repeat(2001) } }),
      JSON.stringify({ code: 'TEAM_JOB_GONE', params: { list: Array(101).fill('a') } }),
      JSON.stringify({
        code: 'TEAM_JOB_GONE',
        params: Object.fromEntries([...Array(33)].map((_, i) => [`k${i}`, 1])),
      }),
      JSON.stringify({ code: 'TEAM_JOB_GONE', params: { '<script>': 1 } }),
      JSON.stringify({ code: 'TEAM_JOB_GONE', params: {}, extra: 1 }),
      JSON.stringify({
        code: 'TEAM_JOB_GONE',
        params: {
          a: 'x'.repeat(1900),
          b: 'x'.repeat(1900),
          c: 'x'.repeat(1900),
          d: 'x'.repeat(1900),
          e: 'x'.repeat(1900),
        },
      }),
    ])
      expect(forged(json), json.slice(0, 80)).toEqual(plain(sentence));
    // A sentence is kept to 2000 characters, whatever Redis holds.
    expect(decodeReason('x'.repeat(10_000))!.message).toHaveLength(2000);
    // Parameters a reader would refuse are not sent: the sentence goes alone.
    expect(encodeReason({ message: 'm.', code: 'TEAM_JOB_GONE', params: { a: 'x'.repeat(3000) } })).toBe(
      'm.',
    );
  });
});

describe('Redis unreachable', () => {
  it('says "offline", keeps submissions here, and sends them once when Redis is back', async () => {
    const server = await startRedis();
    const team = { ...teamConfig(server, 'offline', false) };
    const e = openEngine(scratchDataDir(), { run: 'none', team });
    engines.push(e);
    e.on('error', () => undefined);
    const statuses: TeamStatus[] = [];
    e.on('team', (s: TeamStatus) => statuses.push(s));
    e.start();
    await online(e);
    await server.kill();
    await until(() => e.teamStatus().state === 'offline', 5000, 'offline');
    expect(e.teamStatus().error).toMatch(/redis:\/\/127\.0\.0\.1:\d+/);
    const out = scratchDir('cd-out-');
    const { job } = await e.submit({ kind: 'crossdock', input: SAMPLE, list: 'ОПТ-1', outDir: out });
    expect(e.get(job.id)!.status).toBe('queued');
    expect(e.teamStatus().pendingSubmissions).toBe(1);
    // A local job still runs meanwhile? (This engine runs none; the point is: nothing throws.)
    await server.restart();
    const w = await startWorker(server, 'offline', 1);
    try {
      const [done] = await e.waitFor([job.id]);
      expect(done.status, done.error ?? '').toBe('succeeded');
      expect(e.teamStatus().pendingSubmissions).toBe(0);
      expect(readdirSync(out)).toHaveLength(1);
      const logs = e.logs(job.id).map((l) => l.message);
      expect(logs.filter((m) => m.startsWith('Sent to the team queue'))).toHaveLength(1);
      expect(statuses.some((s) => s.state === 'offline')).toBe(true);
    } finally {
      await w.stop();
      await e.close();
      await server.stop();
    }
  });
});

describe('the app: team mode from Settings', () => {
  it('joins when switched on (password from the secret store), says so by the team event, and leaves when off', async () => {
    const { EnvironmentSecrets } = await import('../src-main/engine/secrets.ts');
    const env: NodeJS.ProcessEnv = { CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password };
    const e = openEngine(scratchDataDir(), { run: 'none', secrets: new EnvironmentSecrets(env) });
    engines.push(e);
    const states: string[] = [];
    e.on('team', (s: TeamStatus) => states.push(s.state));
    e.start();
    expect(e.teamStatus()).toMatchObject({ state: 'off', team: null });
    e.updateSettings({
      team: { enabled: true, url: redis.url, user: REDIS_USER.user, name: TEAM, runJobs: false },
    });
    await online(e);
    expect(e.teamStatus().team).toBe(TEAM);
    const out = scratchDir('cd-out-');
    const { job } = await e.submit({
      kind: 'crossdock',
      input: requestList(20, 7),
      list: 'ОПТ-1',
      outDir: out,
    });
    expect(job.origin).toBe('team');
    const [done] = await e.waitFor([job.id]);
    expect(done.status).toBe('succeeded');
    // A password changed in Settings takes effect by itself: wrong → offline with the reason, right → online.
    env.CROSSDOCK_REDIS_PASSWORD = 'wrong';
    await until(() => e.teamStatus().state === 'offline', 8000, 'offline with the wrong password');
    expect(e.teamStatus().error).toMatch(/refused the user name or password/);
    env.CROSSDOCK_REDIS_PASSWORD = REDIS_USER.password;
    await online(e);
    e.updateSettings({
      team: { enabled: false, url: redis.url, user: REDIS_USER.user, name: TEAM, runJobs: false },
    });
    await until(() => states.at(-1) === 'off', 5000, 'off');
    expect(states).toContain('online');
    expect(e.teamStatus().state).toBe('off');
    // Team mode off: new jobs are this computer's again.
    const local = await e.submit({
      kind: 'crossdock',
      input: requestList(20, 9),
      list: 'ОПТ-1',
      outDir: out,
    });
    expect(local.job.origin).toBe('local');
  });

  it('retries a cancelled team job: it goes to the queue again and finishes', async () => {
    const submitter = member();
    await online(submitter);
    const q = new Queue(QUEUE_NAME, { connection: rawRedis(), prefix: teamPrefix(TEAM) });
    await q.pause();
    let id = '';
    try {
      const { job } = await submitter.submit({
        kind: 'crossdock',
        input: requestList(10, 8),
        list: 'ОПТ-1',
        outDir: scratchDir(),
      });
      id = job.id;
      await until(async () => (await q.getJob(id)) !== undefined, 5000, 'the job in the queue');
      expect((await submitter.cancel(id)).status).toBe('cancelled');
      submitter.retry(id);
    } finally {
      await q.resume();
      await q.close();
      (q.opts.connection as Redis).disconnect();
    }
    const [done] = await submitter.waitFor([id]);
    expect(done.status, JSON.stringify(submitter.logs(id).map((l) => l.message))).toBe('succeeded');
    expect(done.outputs).toHaveLength(1);
  });
});

describe('cancel from another machine', () => {
  it('crossdock jobs cancel --redis in another process stops a job running on the worker', async () => {
    const submitter = member();
    await online(submitter);
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({
      kind: 'crossdock',
      input: requestList(1_500_000, 10),
      list: 'ОПТ-1',
      outDir: out,
    });
    await until(() => (submitter.get(job.id)?.progress?.done ?? 0) > 0, 30_000, 'progress');
    const res = await cli(['jobs', 'cancel', job.id, '--redis', redis.url, '--team', TEAM, '--json'], {
      CROSSDOCK_DATA_DIR: scratchDataDir(),
      CROSSDOCK_REDIS_USER: REDIS_USER.user,
      CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ id: job.id, status: 'cancelled' });
    await until(() => submitter.get(job.id)?.status === 'cancelled', 3000, 'the submitter to see it');
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('retries follow the local rules', () => {
  it('a transient failure is retried with backoff on the team, and ends in one result', async () => {
    const flakyWorker = openEngine(scratchDataDir(), {
      run: 'none',
      workerFile: join(import.meta.dirname, 'fixtures', 'test-worker.mjs'),
      team: teamConfig(redis, 'retries', true),
    });
    engines.push(flakyWorker);
    flakyWorker.updateSettings({ backoffSeconds: 0.2 });
    flakyWorker.start();
    const submitter = openEngine(scratchDataDir(), {
      run: 'none',
      team: teamConfig(redis, 'retries', false),
    });
    engines.push(submitter);
    submitter.start();
    await Promise.all([online(flakyWorker), online(submitter)]);
    const out = scratchDir('cd-out-');
    const { job } = await submitter.submit({
      kind: 'crossdock',
      input: requestList(5, 11),
      list: 'flaky:2',
      outDir: out,
    });
    let firstStart: number | null = null;
    const between: string[] = [];
    submitter.on('job', (j: Job) => {
      if (j.id === job.id && j.status === 'running' && firstStart === null) firstStart = j.startedAt;
      if (j.id === job.id && j.status === 'queued' && j.error) between.push(j.error);
    });
    const [done] = await submitter.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(readdirSync(out)).toHaveLength(1);
    // The job's start is its last attempt's, as for a local retry: the backoff is not running time.
    expect(done.attempts).toBe(3);
    expect(firstStart).not.toBeNull();
    expect(done.startedAt!).toBeGreaterThan(firstStart! + 300);
    const logs = submitter.logs(job.id).map((l) => l.message);
    expect(logs.filter((m) => /^Attempt \d of 3 started/.test(m))).toHaveLength(3);
    expect(logs.filter((m) => m.includes('ECONNREFUSED'))).toHaveLength(2);
    // Between attempts the row shows the last attempt's sentence, without the code Redis carries for it.
    for (const e of between) expect(e).not.toContain('\n');
  });
});

describe('blobs', () => {
  it('are chunked, content-addressed, kept with a TTL, uploaded once, and checked on the way back', async () => {
    const conn = rawRedis();
    const blobs = new BlobStore(conn, teamPrefix('blobs'), 10 * 1024 * 1024, 3600);
    const file = join(scratchDir(), 'big.bin');
    const body = Buffer.alloc(2.5 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    writeFileSync(file, body);
    const { sha256, size } = await blobs.put(file);
    expect(size).toBe(body.length);
    const keys = (await conn.keys(`${teamPrefix('blobs')}:blob:${sha256}:*`)).sort();
    expect(keys).toHaveLength(4); // three 1 MiB chunks and the meta key
    for (const k of keys) expect(await conn.ttl(k)).toBeGreaterThan(3500);
    // Uploading it again writes nothing (only the TTL is refreshed).
    await conn.set(`${teamPrefix('blobs')}:blob:${sha256}:0`, 'marker', 'KEEPTTL');
    await blobs.put(file);
    expect(await conn.get(`${teamPrefix('blobs')}:blob:${sha256}:0`)).toBe('marker');
    // …and that changed chunk is refused on the way back, leaving no file.
    const dest = join(scratchDir(), 'copy.bin');
    await expect(blobs.get(sha256, dest)).rejects.toThrow(/does not match its hash/);
    expect(existsSync(dest)).toBe(false);
    // A meta key claiming more than the cap is refused before anything is read.
    await conn.set(
      `${teamPrefix('blobs')}:blob:${'a'.repeat(64)}:meta`,
      JSON.stringify({ size: 1e12, chunks: 1e6 }),
    );
    await expect(blobs.get('a'.repeat(64), dest)).rejects.toThrow(/damaged/);
    await expect(blobs.get('../../etc/passwd', dest)).rejects.toThrow(/invalid hash/);
    // Over the cap: one sentence, nothing stored.
    const small = new BlobStore(conn, teamPrefix('blobs'), 1024 * 1024);
    await expect(small.put(file)).rejects.toThrow(/^The file is 3 MB, over the team queue's limit of 1 MB;/);
    conn.disconnect();
  });
});

describe('one concurrency setting for local and team jobs', () => {
  it('a team job this computer runs takes a slot: a local job waits for it', async () => {
    // A team of its own, so the headless worker above does not take the job.
    const e = openEngine(scratchDataDir(), {
      concurrency: 1,
      team: teamConfig(redis, 'slots', true),
    });
    e.on('error', () => undefined);
    e.start();
    engines.push(e);
    await online(e);
    const out = scratchDir();
    const team = await e.submit({
      kind: 'crossdock',
      input: requestList(200_000),
      list: 'ОПТ-1',
      outDir: out,
    });
    expect(team.job.origin).toBe('team');
    await until(() => e.runningHere().includes(team.job.id), 20_000, 'the team job to run here');
    // Catalog imports stay local in team mode.
    const prices = join(scratchDir(), 'prices.csv');
    writeFileSync(prices, 'Brand,Article,Name,Price,Stock,Days\r\nBOSCH,X-1,Filter,10.5,100,1\r\n');
    // When the local job starts, the team job's task must no longer be running here.
    let overlapped: boolean | null = null;
    e.on('job', (j: Job) => {
      if (j.kind === 'catalog-import' && j.status === 'running' && overlapped === null)
        overlapped = e.runningHere().includes(team.job.id);
    });
    const local = await e.submit({ kind: 'catalog-import', input: prices, supplier: 'Склад', list: 'СКЛАД' });
    expect(local.job.origin).toBe('local');
    const [teamDone, localDone] = await e.waitFor([team.job.id, local.job.id]);
    expect(teamDone.status, teamDone.error ?? '').toBe('succeeded');
    expect(localDone.status, localDone.error ?? '').toBe('succeeded');
    expect(overlapped).toBe(false);
  });

  it('while local jobs fill every slot this computer takes no team job; it takes it when a slot frees', async () => {
    const e = openEngine(scratchDataDir(), {
      concurrency: 1,
      team: teamConfig(redis, 'slots-busy', true),
    });
    e.on('error', () => undefined);
    e.start();
    engines.push(e);
    await online(e);
    // A local job long enough to submit a team job while it runs (catalog imports stay local).
    const lines = ['Brand,Article,Name,Price,Stock,Days'];
    for (let i = 0; i < 300_000; i++) lines.push(`BOSCH,SLOT-${i},Filter,10.5,100,1`);
    const prices = join(scratchDir(), 'prices.csv');
    writeFileSync(prices, `${lines.join('\r\n')}\r\n`);
    const local = await e.submit({ kind: 'catalog-import', input: prices, supplier: 'Склад', list: 'СКЛАД' });
    await until(() => e.runningHere().includes(local.job.id), 20_000, 'the import to run');

    const team = await e.submit({ kind: 'crossdock', input: SAMPLE, list: 'ОПТ-1', outDir: scratchDir() });
    // Whether the team job's task ever runs here together with the import.
    let together = false;
    const watch = setInterval(() => {
      const here = e.runningHere();
      if (here.includes(team.job.id) && here.includes(local.job.id)) together = true;
    }, 5);
    expect(team.job.origin).toBe('team');
    expect(e.runningHere()).toContain(local.job.id); // submitted while the import still runs
    const [localDone, teamDone] = await e.waitFor([local.job.id, team.job.id]);
    clearInterval(watch);
    expect(localDone.status, localDone.error ?? '').toBe('succeeded');
    expect(teamDone.status, teamDone.error ?? '').toBe('succeeded');
    expect(together).toBe(false);
    // It ran here, once, after the import: no attempt was spent on waiting for a slot.
    expect(teamDone.attempts).toBe(1);
  });
});
