import { existsSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../src-main/engine/engine.ts';
import { backoffMs, defaultSettings } from '../src-main/engine/settings.ts';
import type { Job } from '../src-main/common/types.ts';
import { freshDataDir, openEngine, ROOT, runJob, tempDir, writeCsv } from './helpers.ts';

const TEST_WORKER = join(ROOT, 'tests', 'fixtures', 'test-worker.mjs');
const engines: Engine[] = [];

function engineWith(dataDir: string, opts: Parameters<typeof openEngine>[1] = {}): Engine {
  const e = openEngine(dataDir, { workerFile: TEST_WORKER, ...opts });
  engines.push(e);
  return e;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function input(name = 'in.csv', body = 'Brand,Article\nBOSCH,1\n'): string {
  const p = join(tempDir(), name);
  writeFileSync(p, body);
  return p;
}

const spec = (list: string, file: string, out: string, extra: Record<string, unknown> = {}) => ({
  kind: 'crossdock',
  input: file,
  list,
  outDir: out,
  ...extra,
});

describe('job runner', () => {
  it('commits every state change and keeps the job row of ARCHITECTURE.md', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const e = engineWith(data);
    const seen: string[] = [];
    e.on('job', (j: Job) => {
      // announced only after it is committed: a fresh read sees the same status
      expect(e.store.get(j.id)?.status).toBe(j.status);
      seen.push(j.status);
    });
    e.start();
    const job = await runJob(e, spec('ok', input(), out));
    expect(job.status).toBe('succeeded');
    expect(seen).toEqual(['queued', 'running', 'succeeded']);
    expect(job.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(job.attempts).toBe(1);
    expect(job.startedAt).toBeGreaterThan(0);
    expect(job.finishedAt).toBeGreaterThanOrEqual(job.startedAt!);
    expect(job.origin).toBe('local');
    expect(existsSync(job.outputs[0])).toBe(true);
    expect(readdirSync(out)).toHaveLength(1);
    expect(
      e
        .logs(job.id)
        .map((l) => l.message)
        .join('\n'),
    ).toMatch(/Queued[\s\S]*Attempt 1 of 3 started[\s\S]*Done/);
  });

  it('returns the queued job when the same content is submitted again with the same options', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const e = engineWith(data, { run: 'none' });
    const a = await e.submit(spec('ok', input('a.csv'), out));
    const b = await e.submit(spec('ok', input('b.csv'), out)); // same bytes, other name
    const c = await e.submit(spec('ok', input('c.csv'), out, { priority: 'high' })); // priority does not make it different
    const d = await e.submit(spec('other', input('d.csv'), out));
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ job: a.job, duplicate: true });
    expect(c.duplicate).toBe(true);
    expect(d.duplicate).toBe(false);
    expect(e.list()).toHaveLength(2);
  });

  it('orders the queue by priority, FIFO within one, and reports queue positions', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const client = engineWith(data, { run: 'none' });
    const low = await client.submit(spec('ok', input('1.csv', 'a'), out, { priority: 'low' }));
    const n1 = await client.submit(spec('ok', input('2.csv', 'b'), out));
    const high = await client.submit(spec('ok', input('3.csv', 'c'), out, { priority: 'high' }));
    const n2 = await client.submit(spec('ok', input('4.csv', 'd'), out));
    expect([high, n1, n2, low].map((s) => client.queuePosition(s.job.id))).toEqual([1, 2, 3, 4]);
    const runner = engineWith(data);
    runner.updateSettings({ concurrency: 1 });
    runner.start();
    const done = await runner.waitFor([low, n1, high, n2].map((s) => s.job.id));
    const order = [...done]
      .sort((x, y) => x.startedAt! - y.startedAt! || (x.id < y.id ? -1 : 1))
      .map((j) => j.id);
    expect(order).toEqual([high, n1, n2, low].map((s) => s.job.id));
  });

  it('cancels a queued job at once and a running one within a second, removing its partial files', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const e = engineWith(data);
    e.updateSettings({ concurrency: 1 });
    e.start();
    const running = await e.submit(spec('sleep:60000', input('r.csv', 'r'), out));
    const queued = await e.submit(spec('ok', input('q.csv', 'q'), out));
    await new Promise<void>((r) => e.on('progress', (id: string) => id === running.job.id && r()));
    expect((await e.cancel(queued.job.id)).status).toBe('cancelled');
    const t0 = Date.now();
    const cancelled = await e.cancel(running.job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(readdirSync(out)).toEqual([]);
    // retry of a cancelled job runs it again from the start
    await e.submit(spec('ok', input('x.csv', 'x'), out));
    expect(e.retry(queued.job.id).status).toBe('queued');
    const [again] = await e.waitFor([queued.job.id]);
    expect(again.status).toBe('succeeded');
    expect(again.attempts).toBe(1);
  });

  it('retries transient errors with backoff up to the attempt limit, then fails with the last error', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const e = engineWith(data);
    e.updateSettings({ backoffSeconds: 0.05, maxAttempts: 3 });
    e.start();
    const recovered = await runJob(e, spec('flaky:2', input('f.csv', 'f'), out));
    expect(recovered.status).toBe('succeeded');
    expect(recovered.attempts).toBe(3);
    expect(e.logs(recovered.id).filter((l) => /Retrying in/.test(l.message))).toHaveLength(2);
    const gaveUp = await runJob(e, spec('flaky:9', input('g.csv', 'g'), out));
    expect(gaveUp.status).toBe('failed');
    expect(gaveUp.attempts).toBe(3);
    expect(gaveUp.error).toMatch(/ECONNREFUSED/);
    // user errors are not retried
    const bad = await runJob(e, spec('fail', input('h.csv', 'h'), out));
    expect(bad.status).toBe('failed');
    expect(bad.attempts).toBe(1);
    expect(bad.error).toBe('The file is broken; fix it.');
    // and a failed job can be retried by hand
    expect(e.retry(gaveUp.id).attempts).toBe(0);
  });

  it('grows the backoff exponentially with jitter, capped', () => {
    const s = { ...defaultSettings(), backoffSeconds: 2, backoffMaxSeconds: 60 };
    expect(backoffMs(s, 1, () => 1)).toBe(2000);
    expect(backoffMs(s, 1, () => 0)).toBe(1000);
    expect(backoffMs(s, 3, () => 1)).toBe(8000);
    expect(backoffMs(s, 20, () => 1)).toBe(60_000);
  });

  it('stops a job at its soft time limit, and kills one that ignores it at the hard limit', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const e = engineWith(data);
    e.updateSettings({
      timeLimits: {
        crossdock: { softSeconds: 0.3, hardSeconds: 1 },
        'catalog-import': { softSeconds: 60, hardSeconds: 60 },
        export: { softSeconds: 60, hardSeconds: 60 },
      },
    });
    e.start();
    const soft = await runJob(e, spec('sleep:60000', input('s.csv', 's'), out));
    expect(soft.status).toBe('failed');
    expect(soft.error).toMatch(/soft time limit/);
    const t0 = Date.now();
    const hard = await runJob(e, spec('spin', input('t.csv', 't'), out));
    expect(hard.status).toBe('failed');
    expect(hard.error).toMatch(/time limit of 1 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(readdirSync(out)).toEqual([]);
  });

  it('keeps every log line a task posts right before it returns', async () => {
    const e = engineWith(freshDataDir());
    e.start();
    const job = await runJob(e, spec('chatty:400', input('chatty.csv', 'c'), tempDir()));
    expect(job.status).toBe('succeeded');
    const lines = e.logs(job.id).map((l) => l.message);
    for (const n of [1, 200, 400]) expect(lines).toContain(`line ${n} of 400`);
    expect(lines.filter((l) => /^line \d+ of 400$/.test(l))).toHaveLength(400);
  });

  it('keeps comments: add, edit, delete, several per job', async () => {
    const data = freshDataDir();
    const e = engineWith(data, { run: 'none', user: 'anna' });
    const { job } = await e.submit(spec('ok', input(), tempDir()));
    const c1 = e.addComment(job.id, 'Customer wants it by Friday');
    const c2 = e.addComment(job.id, 'Use ОПТ-2 next time', 'boris');
    expect(e.editComment(c1.id, 'Customer wants it by Thursday').text).toBe('Customer wants it by Thursday');
    expect(() => e.addComment(job.id, '   ')).toThrow(/cannot be empty/);
    e.deleteComment(c2.id);
    const list = e.comments(job.id);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ author: 'anna', text: 'Customer wants it by Thursday' });
    expect(list[0].updatedAt).toBeGreaterThanOrEqual(list[0].createdAt);

    // The "Your name" setting signs new comments and new jobs; cleared, the OS user name again.
    e.updateSettings({ userName: 'Анна Петрова' });
    expect(e.addComment(job.id, 'signed').author).toBe('Анна Петрова');
    const { job: named } = await e.submit(spec('ok', input('n.csv', 'n'), tempDir()));
    expect(named.submittedBy).toBe('Анна Петрова');
    e.updateSettings({ userName: null });
    expect(e.addComment(job.id, 'again').author).toBe('anna');
  });

  it('fills a crossdock without a base currency from Settings, keeps one the spec names', async () => {
    const e = engineWith(freshDataDir(), { run: 'none' });
    const cross = (extra: Record<string, unknown>) => ({
      kind: 'crossdock',
      input: input(`c${Object.keys(extra).length}.csv`),
      list: 'ОПТ-1',
      outDir: tempDir(),
      ...extra,
    });
    e.updateSettings({ baseCurrency: 'eur' });
    expect(e.settings.baseCurrency).toBe('EUR');
    const { job: a } = await e.submit(cross({}));
    expect(a.spec).toMatchObject({ baseCurrency: 'EUR' });
    const { job: b } = await e.submit(cross({ baseCurrency: 'usd' }));
    expect(b.spec).toMatchObject({ baseCurrency: 'USD' });
    expect(() => e.updateSettings({ baseCurrency: 'euro' })).toThrow(/three letters/);
  });

  it('removes old jobs, logs and input copies at start, never result files', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const e = engineWith(data);
    e.start();
    const old = await runJob(e, spec('ok', input('old.csv', 'old'), out));
    const recent = await runJob(e, spec('ok', input('new.csv', 'new'), out));
    await e.close();
    const again = engineWith(data);
    const day = 86_400_000;
    again.store.db
      .prepare('UPDATE jobs SET finished_at = ?, created_at = ? WHERE id = ?')
      .run(Date.now() - 31 * day, Date.now() - 31 * day, old.id);
    again.store.db.prepare('UPDATE job_logs SET at = ? WHERE job_id = ?').run(Date.now() - 31 * day, old.id);
    const oldCopy = String(old.spec.inputCopy);
    utimesSync(oldCopy, new Date(Date.now() - 31 * day), new Date(Date.now() - 31 * day));
    again.start();
    expect(again.get(old.id)).toBeNull();
    expect(again.get(recent.id)).not.toBeNull();
    expect(existsSync(oldCopy)).toBe(false);
    expect(existsSync(String(recent.spec.inputCopy))).toBe(true);
    expect(existsSync(old.outputs[0])).toBe(true);
    expect(again.store.db.prepare('SELECT COUNT(*) FROM job_logs WHERE job_id = ?').pluck().get(old.id)).toBe(
      0,
    );
  });

  it('runs a job from its own copy after the original file moved away', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const file = writeCsv(join(tempDir(), 'moved.csv'), [
      ['Brand', 'Article'],
      ['BOSCH', 'X1'],
      ['MAHLE', 'X2'],
    ]);
    const client = openEngine(data, { run: 'none' });
    engines.push(client);
    const { job } = await client.submit({ kind: 'crossdock', input: file, list: 'ОПТ-1', outDir: out });
    renameSync(file, `${file}.gone`);
    const runner = openEngine(data);
    engines.push(runner);
    runner.start();
    const [done] = await runner.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result?.rows).toBe(2);
  });

  it('refuses bad submissions with one sentence and queues nothing', async () => {
    const data = freshDataDir();
    const e = engineWith(data, { run: 'none' });
    await expect(
      e.submit({ kind: 'crossdock', input: '/no/such/file.xlsx', list: 'ОПТ-1', outDir: tempDir() }),
    ).rejects.toThrow(/does not exist/);
    await expect(
      e.submit({ kind: 'crossdock', input: tempDir(), list: 'ОПТ-1', outDir: tempDir() }),
    ).rejects.toThrow(/is a folder/);
    await expect(
      e.submit({ kind: 'crossdock', input: input(), list: '', outDir: tempDir() }),
    ).rejects.toThrow(/not valid \(list/);
    await expect(e.submit({ kind: 'nope' })).rejects.toThrow(/not valid/);
    expect(e.list()).toHaveLength(0);
  });
});

describe('real crossdock jobs through the engine', () => {
  it('cancels a running crossdock within a second and leaves no partial file', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const rows: unknown[][] = [['Brand', 'Article', 'Qty']];
    for (let i = 0; i < 300_000; i++) rows.push(['BOSCH', `A${i}`, 1]);
    const file = writeCsv(join(tempDir(), 'big.csv'), rows);
    const e = openEngine(data);
    engines.push(e);
    e.start();
    const { job } = await e.submit({ kind: 'crossdock', input: file, list: 'ОПТ-1', outDir: out });
    await new Promise<void>((r) =>
      e.on('progress', (id: string, p: { done: number }) => id === job.id && p.done > 0 && r()),
    );
    const t0 = Date.now();
    const cancelled = await e.cancel(job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(readdirSync(out)).toEqual([]);
  });
});
