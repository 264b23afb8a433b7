// Clearing finished jobs, column mappings remembered per header row, and a retried job's timings.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApi } from '../src-main/electron/ipc.ts';
import { headerSignature, MAX_MAPPINGS } from '../src-main/engine/column-memory.ts';
import type { Engine } from '../src-main/engine/engine.ts';
import type { Job } from '../src-main/common/types.ts';
import { CodedError, renderMessage } from '../src-main/common/errors.ts';
import { toTaskError } from '../src-worker/errors.ts';
import { cli, freshDataDir, openEngine, ROOT, runJob, tempDir, writeCsv } from './helpers.ts';

const TEST_WORKER = join(ROOT, 'tests', 'fixtures', 'test-worker.mjs');
const engines: Engine[] = [];

function engineWith(dataDir: string, opts: Parameters<typeof openEngine>[1] = {}): Engine {
  const e = openEngine(dataDir, opts);
  engines.push(e);
  return e;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** A small input whose bytes (and so its input copy) are its own unless `body` is shared. */
function input(name: string, body = `Brand,Article\nBOSCH,${name}\n`): string {
  const p = join(tempDir(), name);
  writeFileSync(p, body);
  return p;
}

const spec = (list: string, file: string, out: string) => ({
  kind: 'crossdock',
  input: file,
  list,
  outDir: out,
});

const inputCopy = (job: Job) => job.spec.inputCopy as string;

const count = (e: Engine, table: 'job_logs' | 'job_comments', ids: string[]) =>
  e.store.db
    .prepare(`SELECT COUNT(*) FROM ${table} WHERE job_id IN (SELECT value FROM json_each(?))`)
    .pluck()
    .get(JSON.stringify(ids)) as number;

const waitForStatus = (e: Engine, id: string, status: Job['status']) =>
  new Promise<void>((resolveWait) => {
    const check = () => {
      if (e.get(id)?.status === status) {
        e.off('job', check);
        resolveWait();
      }
    };
    e.on('job', check);
    check();
  });

describe('clearing finished jobs', () => {
  it('deletes only finished jobs among the ids given, with logs, comments and input copies; results stay', async () => {
    const out = tempDir();
    const e = engineWith(freshDataDir(), { workerFile: TEST_WORKER });
    e.updateSettings({ concurrency: 1 });
    e.start();
    const done = await runJob(e, spec('ok', input('done.csv'), out));
    const kept = await runJob(e, spec('ok', input('kept.csv'), out));
    const failed = await runJob(e, spec('fail', input('failed.csv'), out));
    e.addComment(done.id, 'checked');
    e.addComment(failed.id, 'ask the customer');
    const running = await e.submit(spec('sleep:60000', input('running.csv'), out));
    const queued = await e.submit(spec('ok', input('queued.csv'), out));
    await waitForStatus(e, running.job.id, 'running');
    expect(e.get(queued.job.id)?.status).toBe('queued');
    expect(existsSync(inputCopy(done))).toBe(true);

    const removedEvents: string[] = [];
    e.on('removed', (id: string) => removedEvents.push(id));
    const ids = [done.id, failed.id, running.job.id, queued.job.id];
    const removed = e.clearFinished({ ids });

    expect([...removed].sort()).toEqual([done.id, failed.id].sort());
    expect([...removedEvents].sort()).toEqual([done.id, failed.id].sort());
    expect(e.get(done.id)).toBeNull();
    expect(e.get(failed.id)).toBeNull();
    expect(count(e, 'job_logs', [done.id, failed.id])).toBe(0);
    expect(count(e, 'job_comments', [done.id, failed.id])).toBe(0);
    expect(existsSync(inputCopy(done))).toBe(false);
    expect(existsSync(inputCopy(failed))).toBe(false);
    // The result file stays on disk; the running and the queued job are untouched.
    expect(existsSync(done.outputs[0])).toBe(true);
    expect(e.get(running.job.id)?.status).toBe('running');
    expect(e.get(queued.job.id)?.status).toBe('queued');
    expect(e.get(kept.id)?.status).toBe('succeeded');
    expect(count(e, 'job_logs', [running.job.id, kept.id])).toBeGreaterThan(0);
    expect(existsSync(inputCopy(e.get(queued.job.id)!))).toBe(true);

    // Without ids: every finished job, and still never a running or queued one.
    await e.cancel(queued.job.id);
    expect(e.clearFinished().sort()).toEqual([kept.id, queued.job.id].sort());
    expect(e.list().map((j) => j.id)).toEqual([running.job.id]);
    expect(existsSync(kept.outputs[0])).toBe(true);
    await e.cancel(running.job.id);
  });

  it('keeps an input copy another job still uses, and can take only jobs finished before a time', async () => {
    const out = tempDir();
    const e = engineWith(freshDataDir(), { workerFile: TEST_WORKER });
    e.start();
    const body = 'Brand,Article\nBOSCH,same\n';
    const first = await runJob(e, spec('ok', input('a.csv', body), out));
    const second = await runJob(e, spec('ok', input('b.csv', body), out)); // the same bytes: one copy
    expect(inputCopy(second)).toBe(inputCopy(first));
    expect(e.clearFinished({ finishedBefore: first.finishedAt! })).toEqual([]);
    expect(e.clearFinished({ ids: [first.id] })).toEqual([first.id]);
    expect(existsSync(inputCopy(second))).toBe(true);
    expect(e.clearFinished({ ids: [second.id] })).toEqual([second.id]);
    expect(existsSync(inputCopy(second))).toBe(false);
  });

  it('crosses the API with its ids checked: job ids only, at most 10,000', async () => {
    const out = tempDir();
    const e = engineWith(freshDataDir(), { workerFile: TEST_WORKER });
    e.start();
    const done = await runJob(e, spec('ok', input('api.csv'), out));
    const call = createApi(e, {
      shell: { openPath: async () => '', showItemInFolder: () => undefined },
      dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
      appInfo: () => ({
        version: '0',
        shell: 'bridge',
        platform: 'linux',
        systemLanguage: 'en',
        dataDir: '',
        userName: 'tester',
      }),
    });
    await expect(call('clearFinished', [['../../etc/passwd']])).rejects.toThrow(
      'crossdock.clearFinished was called with invalid argument 1 (0: this is not a job or schedule id).',
    );
    await expect(call('clearFinished', [Array.from({ length: 10_001 }, () => done.id)])).rejects.toThrow(
      /at most 10,000 jobs at once/,
    );
    await expect(call('clearFinished', ['01JZZZZZZZZZZZZZZZZZZZZZZZ'])).rejects.toThrow(/argument 1/);
    expect(await call('clearFinished', [[done.id]])).toEqual([done.id]);
    expect(e.get(done.id)).toBeNull();
    await expect(
      call('submit', [spec('ok', input('x.csv'), out), { rememberColumns: true, extra: 1 }]),
    ).rejects.toThrow(/argument 2/);
  });

  it('crossdock jobs clear removes finished jobs and says how many; --older-than keeps recent ones', async () => {
    const data = freshDataDir();
    const out = tempDir();
    const e = openEngine(data, { workerFile: TEST_WORKER });
    e.start();
    await runJob(e, spec('ok', input('c1.csv'), out));
    await runJob(e, spec('fail', input('c2.csv'), out));
    await e.close();
    const env = { CROSSDOCK_DATA_DIR: data };

    const recent = await cli(['jobs', 'clear', '--older-than', '1'], env);
    expect(recent.code, recent.stderr).toBe(0);
    expect(recent.stdout).toBe('No finished jobs to remove.\n');
    const bad = await cli(['jobs', 'clear', '--older-than', 'soon'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('--older-than takes a number of days, e.g. --older-than 30.\n');
    const all = await cli(['jobs', 'clear'], env);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toBe('Removed 2 finished jobs; result files stay on disk.\n');
    const again = await cli(['jobs', 'clear', '--json'], env);
    expect(JSON.parse(again.stdout)).toEqual({ removed: 0 });
  });
});

describe('column mappings remembered per header row', () => {
  const customHeader = ['Поставщик', 'Номер', 'Штук', 'Комментарий'];
  const customFile = (name: string, header = customHeader) =>
    writeCsv(join(tempDir(), name), [
      header,
      ['BOSCH', '0 986 452 041', 2, ''],
      ['MANN', 'W 712/75', 1, 'x'],
    ]);
  const mapped = { brand: 'Поставщик', article: 'Номер', quantity: 'Штук' };

  it('remembers a mapping the user changed, and inspect offers it for the same header row only', async () => {
    const e = engineWith(freshDataDir(), { run: 'none' });
    const out = tempDir();
    const first = await e.inspect(customFile('first.csv'));
    expect(first.columns).toEqual({ brand: null, article: null, quantity: null });
    expect(first.remembered).toBeNull();

    await e.submit(
      { ...spec('ОПТ-1', customFile('first.csv'), out), columns: mapped },
      { rememberColumns: true },
    );
    expect(e.columnMemory.count()).toBe(1);

    // The same header row (other case, spaces, data, even a trailing empty cell) gets it back...
    const same = await e.inspect(
      writeCsv(join(tempDir(), 'same.csv'), [
        ['  поставщик ', 'НОМЕР', 'Штук', 'Комментарий', ''],
        ['NGK', 'BKR6E', 4, ''],
      ]),
    );
    expect(same.remembered).toEqual({ brand: 0, article: 1, quantity: 2 });
    // ...with the detected columns and the reason they are needed still there, as they were.
    expect(same.columns).toEqual({ brand: null, article: null, quantity: null });
    expect(same.problem).toMatch(/no Brand and Article header/);
    // Another header row does not.
    const other = await e.inspect(customFile('other.csv', ['Поставщик', 'Номер', 'Штук']));
    expect(other.remembered).toBeNull();
    expect(headerSignature(other.headers)).not.toBe(headerSignature(same.headers));
  });

  it('records only a mapping the user changed from the detected one, and only from the sheet', async () => {
    const e = engineWith(freshDataDir(), { run: 'none' });
    const out = tempDir();
    const standard = (name: string) =>
      writeCsv(join(tempDir(), name), [
        ['Brand', 'Article', 'Qty', 'Штук'],
        ['BOSCH', 'X1', 1, 5],
      ]);
    // The detected columns, as the sheet sends them: nothing to remember.
    const detected = { brand: 'Brand', article: 'Article', quantity: 'Qty' };
    await e.inspect(standard('a.csv'));
    await e.submit(
      { ...spec('ОПТ-1', standard('a.csv'), out), columns: detected },
      { rememberColumns: true },
    );
    expect(e.columnMemory.count()).toBe(0);
    // Changed, but from the CLI or a script (no rememberColumns): nothing either.
    await e.submit({ ...spec('ОПТ-1', customFile('cli.csv'), out), columns: mapped });
    expect(e.columnMemory.count()).toBe(0);
    // Changed in the sheet (another quantity column): remembered, even without an inspect first.
    await e.submit(
      { ...spec('ОПТ-2', standard('b.csv'), out), columns: { ...detected, quantity: 'Штук' } },
      { rememberColumns: true },
    );
    expect(e.columnMemory.count()).toBe(1);
    expect((await e.inspect(standard('c.csv'))).remembered).toEqual({ brand: 0, article: 1, quantity: 3 });
    // Set back to the detected columns: forgotten, so the old correction stops coming back.
    await e.submit({ ...spec('РОЗН', standard('d.csv'), out), columns: detected }, { rememberColumns: true });
    expect(e.columnMemory.count()).toBe(0);
    expect((await e.inspect(standard('e.csv'))).remembered).toBeNull();
  });

  it(`keeps the ${MAX_MAPPINGS} most recently used header rows`, () => {
    const e = engineWith(freshDataDir(), { run: 'none' });
    const header = (i: number) => [`Make ${i}`, `Code ${i}`];
    const file = (i: number) => ({
      headers: header(i),
      columns: { brand: null, article: null, quantity: null },
    });
    for (let i = 0; i < MAX_MAPPINGS + 5; i++)
      expect(e.columnMemory.note(file(i), { brand: `Make ${i}`, article: `Code ${i}` }, 1000 + i)).toBe(
        'remembered',
      );
    const has = (i: number) => e.columnMemory.get(headerSignature(header(i))!) !== null;
    expect(e.columnMemory.count()).toBe(MAX_MAPPINGS);
    expect([0, 1, 2, 3, 4, 5].map(has)).toEqual([false, false, false, false, false, true]);
    // Using an old one again makes it recent: the next new one pushes out the one after it.
    expect(e.columnMemory.note(file(5), { brand: `Code 5`, article: `Make 5` }, 5000)).toBe('remembered');
    expect(e.columnMemory.note(file(500), { brand: 'Make 500', article: 'Code 500' }, 6000)).toBe(
      'remembered',
    );
    // Columns the header row does not have change nothing.
    expect(e.columnMemory.note(file(501), { brand: 'Make x', article: 'Code x' }, 7000)).toBeNull();
    expect(e.columnMemory.count()).toBe(MAX_MAPPINGS);
    expect([5, 6, 7, MAX_MAPPINGS + 4, 500, 501].map(has)).toEqual([true, false, true, true, true, false]);
    expect(e.columnMemory.get(headerSignature(header(5))!)).toEqual({ brand: 1, article: 0, quantity: null });
  });

  it('the CLI never applies a remembered mapping', async () => {
    const data = freshDataDir();
    const e = openEngine(data, { run: 'none' });
    await e.inspect(customFile('seen.csv'));
    await e.submit(
      { ...spec('ОПТ-1', customFile('seen.csv'), tempDir()), columns: mapped },
      { rememberColumns: true },
    );
    expect(e.columnMemory.count()).toBe(1);
    await e.close();
    const res = await cli(['run', customFile('again.csv'), '--list', 'ОПТ-1', '--out', tempDir()], {
      CROSSDOCK_DATA_DIR: data,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/no Brand and Article header/);
  });
});

describe("a retried job's timings", () => {
  const startLines = (e: Engine, id: string) =>
    e.logs(id).filter((l) => /^Attempt \d+ of \d+ started/.test(l.message));

  it('an automatic retry after a transient error starts the clock again; the log keeps every attempt', async () => {
    const e = engineWith(freshDataDir(), { workerFile: TEST_WORKER });
    e.updateSettings({ backoffSeconds: 0.4, maxAttempts: 3 });
    e.start();
    const job = await runJob(e, spec('flaky:1', input('flaky.csv'), tempDir()));
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBe(2);
    const retrying = e.logs(job.id).find((l) => /Retrying in/.test(l.message))!;
    const starts = startLines(e, job.id);
    expect(starts.map((l) => l.message.slice(0, 19))).toEqual(['Attempt 1 of 3 star', 'Attempt 2 of 3 star']);
    // Started is the second attempt's start: the backoff wait is not running time.
    expect(job.startedAt!).toBeGreaterThan(retrying.at);
    expect(job.startedAt!).toBeLessThanOrEqual(starts[1].at);
  });

  it('a job resumed after the program closed counts from its resumption', async () => {
    const data = freshDataDir();
    const first = openEngine(data, { workerFile: TEST_WORKER });
    first.start();
    const { job } = await first.submit(spec('sleep:60000', input('long.csv'), tempDir()));
    await waitForStatus(first, job.id, 'running');
    const startedBefore = first.get(job.id)!.startedAt!;
    await first.close();
    await new Promise((r) => setTimeout(r, 300));
    const reopened = Date.now();
    const second = engineWith(data, { workerFile: TEST_WORKER });
    second.start();
    await waitForStatus(second, job.id, 'running');
    const resumed = second.get(job.id)!;
    expect(resumed.startedAt!).toBeGreaterThanOrEqual(reopened);
    expect(resumed.startedAt!).toBeGreaterThan(startedBefore + 300);
    expect(startLines(second, job.id)).toHaveLength(2);
    await second.cancel(job.id);
  });

  it('the error a job gives up with after its retries reads in Russian, with the reason inside it', () => {
    const url = 'http://127.0.0.1:9';
    const refused = new CodedError('CLICKHOUSE_CONNECTION_REFUSED', { url }, { transient: true });
    const temporary = toTaskError(refused);
    expect(temporary.transient).toBe(true);
    expect(renderMessage('ru', temporary)).toBe(
      `Задание остановила временная ошибка: По адресу ${url} никто не отвечает (соединение отклонено); проверьте, что сервер ClickHouse запущен.`,
    );
    const other = toTaskError(new Error('socket closed by peer'));
    expect(other.transient).toBe(false);
    expect(renderMessage('ru', other)).toBe('Задание неожиданно завершилось ошибкой: socket closed by peer.');
  });

  it('a retry by hand clears the last run’s times and the new run sets its own', async () => {
    const e = engineWith(freshDataDir(), { workerFile: TEST_WORKER });
    e.start();
    const failed = await runJob(e, spec('fail', input('bad.csv'), tempDir()));
    expect(failed.status).toBe('failed');
    await new Promise((r) => setTimeout(r, 50));
    const queued = e.retry(failed.id);
    expect(queued).toMatchObject({ status: 'queued', startedAt: null, finishedAt: null, attempts: 0 });
    const [again] = await e.waitFor([failed.id]);
    expect(again.startedAt!).toBeGreaterThan(failed.finishedAt!);
    expect(again.finishedAt!).toBeGreaterThanOrEqual(again.startedAt!);
    expect(e.logs(failed.id).map((l) => l.message)).toEqual([
      expect.stringMatching(/^Queued bad\.csv/),
      expect.stringMatching(/^Attempt 1 of 3 started/),
      'The file is broken; fix it.',
      'Retry requested.',
      expect.stringMatching(/^Attempt 1 of 3 started/),
      'The file is broken; fix it.',
    ]);
  });
});
