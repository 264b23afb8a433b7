// The desktop shell's IPC layer under plain Node: a fake ipcMain/shell/dialog/webContents, a REAL
// engine (SQLite, and the test worker where a job must actually finish).
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ARG_SCHEMAS,
  EVENTS,
  METHODS,
  channelOf,
  eventChannelOf,
  type CallError,
  type CallOutcome,
  type MethodName,
} from '../src-main/common/contract.ts';
import { renderMessage } from '../src-main/common/errors.ts';
import { forwardEvents, registerIpc, type IpcDeps } from '../src-main/electron/ipc.ts';
import { CSP, hardenWindow, isTrustedSender, SECURE_WEB_PREFERENCES } from '../src-main/electron/security.ts';
import { Engine } from '../src-main/engine/engine.ts';
import type { Job, JobComment, JobProgress } from '../src-main/common/types.ts';
import { freshDataDir, openEngine, ROOT, runJob, SAMPLE, tempDir } from './helpers.ts';
import type { InspectResult } from '../src-main/common/contract.ts';

const APP_ORIGIN = 'app://crossdock';
const TEST_WORKER = join(ROOT, 'tests', 'fixtures', 'test-worker.mjs');

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

interface FakeEvent {
  senderFrame: { url: string; parent: unknown } | null;
  sender: { id: number };
}

const mainFrame = (url = `${APP_ORIGIN}/index.html`): FakeEvent => ({
  senderFrame: { url, parent: null },
  sender: { id: 1 },
});

const engines: Engine[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function setup(engine?: Engine) {
  const e = engine ?? new Engine({ dataDir: freshDataDir(), run: 'none' });
  engines.push(e);
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: (channel: string, fn: Handler) => {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, fn);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  };
  const shell = {
    openPath: vi.fn(async (_p: string) => ''),
    showItemInFolder: vi.fn((_p: string) => undefined),
  };
  const dialog = {
    showOpenDialog: vi.fn(async (_o: unknown) => ({
      canceled: false,
      filePaths: ['/tmp/a.xlsx', '/tmp/b.csv'],
    })),
  };
  const errors: unknown[] = [];
  const deps = {
    isTrustedSender: (event) => isTrustedSender(event, APP_ORIGIN, { id: 1 }),
    shell,
    dialog,
    onError: (_m, err) => errors.push(err),
    appInfo: () => ({
      version: '0.0.0',
      shell: 'electron',
      platform: 'linux',
      systemLanguage: 'en',
      dataDir: '/x',
      userName: 'tester',
    }),
  } as IpcDeps;
  const dispose = registerIpc(ipcMain as never, e, deps);
  const call = async (method: MethodName, ...args: unknown[]) => {
    const h = handlers.get(channelOf(method));
    if (!h) throw new Error(`no handler for ${method}`);
    return answer(await h(mainFrame(), ...args));
  };
  const callFrom = async (event: FakeEvent, method: MethodName, ...args: unknown[]) =>
    answer(await handlers.get(channelOf(method))!(event, ...args));
  return { engine: e, handlers, call, callFrom, shell, dialog, dispose, errors };
}

/**
 * A handler's answer as the preload makes it: the value, or a rejection with the error's sentence, its
 * code and params (a handler resolves with a CallOutcome; Electron would keep only a thrown message).
 */
function answer(outcome: unknown): unknown {
  const o = outcome as CallOutcome;
  expect(JSON.parse(JSON.stringify(o ?? null))).toEqual(o ?? null); // structured-clone safe
  if (o.ok) return o.value;
  expect(o.error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  const err = Object.assign(new Error(o.error.message), { code: o.error.code, params: o.error.params });
  err.stack = `Error: ${o.error.message}`;
  throw err;
}

/** A rejection's message, asserting it is one sentence with no stack from main. */
async function rejection(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  const { message, stack } = err as Error;
  expect(message).toMatch(/^[^\n]+[.)]$/);
  expect(message.split(/\.\s+[A-Z]/)).toHaveLength(1);
  expect(stack ?? '').not.toMatch(/\n\s+at /);
  return message;
}

function requestFile(): string {
  const p = join(tempDir(), 'request.csv');
  writeFileSync(p, 'Brand,Article,Qty\nBOSCH,0986424815,2\n');
  return p;
}

describe('the contract', () => {
  it('names every method once, with a zod tuple each, and derives the channels in one place', () => {
    expect(new Set(METHODS).size).toBe(METHODS.length);
    expect(METHODS).toEqual(
      expect.arrayContaining([
        'inspect',
        'inspectJobInput',
        'submit',
        'listJobs',
        'getJob',
        'cancel',
        'retry',
        'remove',
        'clearFinished',
        'addComment',
        'editComment',
        'deleteComment',
        'supplierLists',
        'getSettings',
        'updateSettings',
        'listSchedules',
        'addSchedule',
        'pauseSchedule',
        'resumeSchedule',
        'removeSchedule',
        'describeCron',
        'openResult',
        'showInFolder',
        'chooseFiles',
        'chooseFolder',
      ]),
    );
    expect(METHODS).toHaveLength(34);
    for (const m of METHODS) expect(ARG_SCHEMAS[m].def.type).toBe('tuple');
    expect(channelOf('submit')).toBe('crossdock:submit');
    expect(eventChannelOf('progress')).toBe('crossdock:event:progress');
  });
});

describe('registerIpc', () => {
  it('registers one handler per contract method and removes them all', () => {
    const { handlers, dispose } = setup();
    expect([...handlers.keys()].sort()).toEqual(METHODS.map(channelOf).sort());
    dispose();
    expect(handlers.size).toBe(0);
  });

  it('refuses a foreign origin, a subframe, a dead frame and another window, before the engine', async () => {
    const { callFrom, engine } = setup();
    const submit = vi.spyOn(engine, 'submit');
    const list = vi.spyOn(engine, 'list');
    const spec = { kind: 'crossdock', input: requestFile(), list: 'ОПТ-1', outDir: tempDir() };
    const refused = [
      mainFrame('https://evil.example/index.html'),
      mainFrame('app://crossdock.evil/index.html'),
      mainFrame('file:///tmp/index.html'),
      { senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: {} }, sender: { id: 1 } },
      { senderFrame: null, sender: { id: 1 } },
      { senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null }, sender: { id: 2 } },
    ];
    for (const ev of refused) {
      expect(await rejection(callFrom(ev, 'submit', spec))).toBe(
        'This page is not allowed to call Crossdock.',
      );
      await expect(callFrom(ev, 'listJobs')).rejects.toThrow(/not allowed/);
    }
    expect(submit).not.toHaveBeenCalled();
    expect(list).not.toHaveBeenCalled();
    await expect(callFrom(mainFrame(), 'listJobs')).resolves.toEqual([]);
  });

  it('refuses invalid arguments with one sentence and never calls the engine', async () => {
    const { call, engine, shell, dialog } = setup();
    const spies = [
      vi.spyOn(engine, 'submit'),
      vi.spyOn(engine, 'get'),
      vi.spyOn(engine, 'list'),
      vi.spyOn(engine, 'cancel'),
      vi.spyOn(engine, 'addComment'),
      vi.spyOn(engine, 'editComment'),
      vi.spyOn(engine, 'deleteComment'),
      vi.spyOn(engine, 'updateSettings'),
      vi.spyOn(engine, 'addSchedule'),
      vi.spyOn(engine, 'supplierLists'),
      shell.openPath,
      shell.showItemInFolder,
      dialog.showOpenDialog,
    ];
    const out = tempDir();
    const cases: [MethodName, unknown[], RegExp][] = [
      ['getJob', [42], /getJob .*argument 1/],
      ['getJob', ['not-an-id'], /not a job or schedule id/],
      ['getJob', ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'extra'], /getJob/],
      ['cancel', ['01arz3ndektsv4rrffq69g5fav'], /not a job or schedule id/],
      ['listJobs', [{ status: ['done'] }], /listJobs/],
      ['listJobs', [{ sql: 'DROP TABLE jobs' }], /listJobs/],
      ['listJobs', [{ search: 'x'.repeat(201) }], /listJobs/],
      ['addComment', ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'x'.repeat(10_001)], /addComment .*argument 2/],
      ['addComment', ['01ARZ3NDEKTSV4RRFFQ69G5FAV'], /addComment/],
      ['editComment', ['1', 'text'], /editComment/],
      ['deleteComment', [-1], /deleteComment/],
      ['deleteComment', [1.5], /deleteComment/],
      [
        'submit',
        [{ kind: 'crossdock', input: 'a\u0000b.xlsx', list: 'ОПТ-1', outDir: out }],
        /^The job settings are not valid \(input: a path cannot contain NUL\)\.$/,
      ],
      ['submit', [{ kind: 'crossdock', input: '', list: 'ОПТ-1', outDir: out }], /job settings/],
      [
        'submit',
        [{ kind: 'crossdock', input: 'a.xlsx', list: 'x'.repeat(201), outDir: out }],
        /job settings/,
      ],
      ['submit', [{ kind: 'rm -rf' }], /job settings/],
      ['submit', ['{"kind":"export"}'], /job settings/],
      ['updateSettings', [{ concurrency: 2, evil: true }], /^The settings are not valid/],
      ['updateSettings', [{ concurrency: 0 }], /^The settings are not valid \(concurrency: /],
      ['updateSettings', [{ defaultOutDir: '/tmp/\u0000' }], /NUL/],
      ['updateSettings', [[]], /settings/],
      ['supplierLists', ['postgres'], /supplierLists/],
      ['addSchedule', ['x'.repeat(201), { kind: 'export', list: 'ОПТ-1', outDir: out }], /addSchedule/],
      ['addSchedule', ['0 8 * * 1', { kind: 'export', list: 'ОПТ-1', outDir: out }, 5], /addSchedule/],
      ['describeCron', ['0 8 * * 1', 'de'], /describeCron/],
      ['openResult', [''], /openResult .*empty/],
      ['openResult', ['/tmp/x\u0000.xlsx'], /NUL/],
      ['showInFolder', [{ path: '/tmp' }], /showInFolder/],
      ['chooseFiles', [{ defaultPath: '/' }], /chooseFiles/],
      ['getSettings', ['x'], /getSettings/],
    ];
    for (const [method, args, pattern] of cases) {
      const message = await rejection(call(method, ...args));
      expect(message, `${method}(${JSON.stringify(args)})`).toMatch(pattern);
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('submit → getJob → comments → cancel → remove, all through IPC', async () => {
    const { call, engine } = setup();
    const input = requestFile();
    const out = tempDir();
    const { job, duplicate } = (await call('submit', {
      kind: 'crossdock',
      input,
      list: 'ОПТ-1',
      outDir: out,
    })) as { job: Job; duplicate: boolean };
    expect(duplicate).toBe(false);
    expect(job.status).toBe('queued');
    expect(JSON.parse(JSON.stringify(job))).toEqual(job); // JSON-safe

    const details = (await call('getJob', job.id)) as {
      job: Job;
      queuePosition: number;
      logs: { message: string }[];
      comments: JobComment[];
    };
    expect(details.job.id).toBe(job.id);
    expect(details.queuePosition).toBe(1);
    expect(details.logs.map((l) => l.message)).toEqual([expect.stringMatching(/^Queued request\.csv/)]);
    expect(details.comments).toEqual([]);
    expect(await call('listJobs', { status: ['queued'] })).toEqual([expect.objectContaining({ id: job.id })]);
    expect(await call('listJobs', { status: ['failed'] })).toEqual([]);

    const c = (await call('addComment', job.id, '  customer wants it by noon  ')) as JobComment;
    expect(c.text).toBe('customer wants it by noon');
    const edited = (await call('editComment', c.id, 'by 14:00')) as JobComment;
    expect(edited.text).toBe('by 14:00');
    expect(((await call('getJob', job.id)) as { comments: JobComment[] }).comments).toEqual([edited]);
    // The engine's own one-sentence errors come through unchanged.
    expect(await rejection(call('editComment', c.id, '   '))).toBe('A comment cannot be empty.');
    expect(await call('deleteComment', c.id)).toBeUndefined();
    expect(await rejection(call('deleteComment', c.id))).toBe(`There is no comment ${c.id}.`);
    expect(await rejection(call('addComment', '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'hi'))).toBe(
      'There is no job 01ARZ3NDEKTSV4RRFFQ69G5FAV.',
    );

    expect(await rejection(call('remove', job.id))).toBe('A queued job cannot be deleted; cancel it first.');
    const cancelled = (await call('cancel', job.id)) as Job;
    expect(cancelled.status).toBe('cancelled');
    const retried = (await call('retry', job.id)) as Job;
    expect(retried.status).toBe('queued');
    await call('cancel', job.id);
    expect(await call('remove', job.id)).toBeUndefined();
    expect(await call('getJob', job.id)).toBeNull();
    expect(engine.get(job.id)).toBeNull();

    // A missing input is the engine's sentence, not a stack.
    expect(
      await rejection(
        call('submit', { kind: 'crossdock', input: join(out, 'gone.xlsx'), list: 'ОПТ-1', outDir: out }),
      ),
    ).toMatch(/^The file .*gone\.xlsx does not exist; check the path\.$/);
  });

  it('settings, supplier lists, schedules and cron descriptions', async () => {
    const { call } = setup();
    const before = (await call('getSettings')) as { concurrency: number; retentionDays: number };
    const after = (await call('updateSettings', { retentionDays: 7 })) as typeof before;
    expect(after).toEqual({ ...before, retentionDays: 7 });
    expect(await call('supplierLists', 'demo')).toEqual(expect.arrayContaining(['ОПТ-1']));
    expect(await call('describeCron', '0 8 * * 1', 'en')).toMatch(/08:00/);
    expect(await rejection(call('describeCron', '0 8 * *', 'en'))).toMatch(/not a valid cron expression/);

    const out = tempDir();
    const s = (await call(
      'addSchedule',
      '0 8 * * 1',
      { kind: 'export', list: 'ОПТ-1', outDir: out },
      'UTC',
    )) as {
      id: string;
      paused: boolean;
    };
    expect(s.paused).toBe(false);
    expect(((await call('pauseSchedule', s.id)) as { paused: boolean }).paused).toBe(true);
    expect(((await call('resumeSchedule', s.id)) as { paused: boolean }).paused).toBe(false);
    expect(await call('listSchedules')).toEqual([expect.objectContaining({ id: s.id })]);
    expect(await call('removeSchedule', s.id)).toBeUndefined();
    expect(await rejection(call('removeSchedule', s.id))).toBe(`There is no schedule ${s.id}.`);
    expect(
      await rejection(
        call('addSchedule', '0 8 * * 1', {
          kind: 'crossdock',
          input: requestFile(),
          list: 'ОПТ-1',
          outDir: out,
        }),
      ),
    ).toBe('Only exports can be scheduled.');
  });

  it('inspect previews a file through a worker and refuses a missing one with one sentence', async () => {
    const { call } = setup();
    const preview = (await call('inspect', SAMPLE)) as InspectResult;
    expect(preview).toMatchObject({
      name: 'request-list-ru.xlsx',
      format: 'xlsx',
      sheet: 'Заявка',
      headerRow: 4,
    });
    expect(preview.headers.slice(0, 3)).toEqual(['№', 'Производитель', 'Каталожный номер']);
    expect(preview.columns).toEqual({ brand: 1, article: 2, quantity: 4 });
    expect(preview.preview).toHaveLength(10);
    expect(preview.problem).toBeNull();
    expect(await rejection(call('inspect', '/tmp/no-such-file.xlsx'))).toMatch(/does not exist/);
  });

  it("inspect takes a header row and columns; Run again with… looks at a failed job's copy and starts it", async () => {
    const { call, engine } = setup(openEngine(freshDataDir()));
    const dir = tempDir();
    const file = join(dir, 'headless.csv');
    writeFileSync(file, 'BOSCH;0986424815;2\nNGK;BKR6E;x\n');
    const failed = await runJob(engine, { kind: 'crossdock', input: file, list: 'ОПТ-1', outDir: dir });
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'NO_HEADER' });
    const columns = { headerRow: 0, brand: '1', article: '2', quantity: '3' };
    const chosen = (await call('inspect', file, undefined, columns)) as InspectResult;
    expect(chosen).toMatchObject({
      headerRow: 0,
      headers: ['Column A', 'Column B', 'Column C'],
      problem: null,
    });
    expect(chosen.validation).toMatchObject({ lines: 2, invalid: 1, byProblem: { qty_text: 1 } });
    expect(await rejection(call('inspect', file, undefined, { headerRow: -1 }))).toMatch(/headerRow/);
    expect(await rejection(call('inspect', file, undefined, { brand: '1', sheet: 'x' }))).toMatch(/sheet/);
    // The original is gone: the job's own copy is what is looked at and started again.
    rmSync(file);
    const again = (await call('inspectJobInput', failed.id, undefined, columns)) as InspectResult;
    expect(again).toMatchObject({ name: 'headless.csv', headerRow: 0, problem: null });
    const { job } = (await call(
      'submit',
      { kind: 'crossdock', input: 'ignored.csv', list: 'ОПТ-1', outDir: dir, columns },
      { fromJob: failed.id },
    )) as { job: Job };
    expect(job).toMatchObject({ name: 'headless.csv', spec: { input: file, columns } });
    const [done] = await engine.waitFor([job.id]);
    expect(done).toMatchObject({ status: 'succeeded', result: { rows: 2, invalid: 1 } });
    expect(done.outputs[0]).toContain('headless_ОПТ-1_');
    expect(await rejection(call('inspectJobInput', '01ARZ3NDEKTSV4RRFFQ69G5FAV'))).toBe(
      'There is no job 01ARZ3NDEKTSV4RRFFQ69G5FAV.',
    );
    expect(
      await rejection(
        call('submit', { kind: 'crossdock', input: 'a.csv', list: 'L', outDir: dir }, { fromJob: 'x' }),
      ),
    ).toMatch(/job or schedule id/);
  });

  it('openResult / showInFolder open only job outputs, and openPath error strings reject', async () => {
    const dataDir = freshDataDir();
    const engine = openEngine(dataDir, { workerFile: TEST_WORKER });
    engine.start();
    const { call, shell } = setup(engine);
    const out = tempDir();
    const job = await runJob(engine, { kind: 'crossdock', input: requestFile(), list: 'ok', outDir: out });
    expect(job.status).toBe('succeeded');
    const [result] = job.outputs;

    for (const path of [join(out, 'other.xlsx'), '/etc/passwd', job.spec.inputCopy as string, `${result}x`])
      expect(await rejection(call('openResult', path))).toBe(
        'Only the results of Crossdock jobs can be opened from the app.',
      );
    expect(await rejection(call('showInFolder', '/etc/passwd'))).toMatch(/Only the results/);
    expect(shell.openPath).not.toHaveBeenCalled();
    expect(shell.showItemInFolder).not.toHaveBeenCalled();

    await expect(call('openResult', result)).resolves.toBeUndefined();
    expect(shell.openPath).toHaveBeenCalledWith(result);
    // A path spelled differently but naming the same file is the same output.
    await call('openResult', join(out, '.', '..', out.split('/').pop()!, result.split('/').pop()!));

    shell.openPath.mockResolvedValueOnce('Failed to open path.');
    expect(await rejection(call('openResult', result))).toBe(
      'The result could not be opened (Failed to open path).',
    );

    await call('showInFolder', result);
    expect(shell.showItemInFolder).toHaveBeenCalledWith(result);
  });

  it('chooseFiles / chooseFolder go through the dialog and turn a cancel into empty results', async () => {
    const { call, dialog } = setup();
    expect(await call('chooseFiles')).toEqual(['/tmp/a.xlsx', '/tmp/b.csv']);
    expect(dialog.showOpenDialog).toHaveBeenLastCalledWith(
      expect.objectContaining({ properties: ['openFile', 'multiSelections'] }),
    );
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await call('chooseFiles')).toEqual([]);
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/tmp/out'] });
    expect(await call('chooseFolder')).toBe('/tmp/out');
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await call('chooseFolder')).toBeNull();
  });

  it('an unexpected engine error crosses as its first line only', async () => {
    const { call, engine, errors } = setup();
    vi.spyOn(engine, 'list').mockImplementation(() => {
      throw new Error('SQLITE_BUSY: database is locked\n    at JobStore.list (store.ts:1:1)');
    });
    expect(await rejection(call('listJobs'))).toBe('SQLITE_BUSY: database is locked.');
    expect(errors).toHaveLength(1); // the full error goes to the main-side log
  });

  it('errors cross with their code and params, so the renderer says them in its language', async () => {
    const { call, callFrom, engine } = setup();
    const coded = async (p: Promise<unknown>) =>
      p.then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e as CallError,
      );
    const refused = await coded(callFrom(mainFrame('https://evil.example/'), 'listJobs'));
    expect(refused).toMatchObject({ code: 'CALL_NOT_ALLOWED', params: {} });
    const args = await coded(call('getJob', 42));
    expect(args).toMatchObject({ code: 'CALL_ARGS_INVALID', params: { method: 'getJob', argument: 1 } });
    expect(renderMessage('en', args)).toBe(args.message);
    expect(renderMessage('ru', args)).toMatch(/^Метод crossdock\.getJob вызван с неверным аргументом 1/);
    const settings = await coded(call('updateSettings', { concurrency: 0 }));
    expect(settings).toMatchObject({ code: 'SETTINGS_INVALID', params: { field: 'concurrency' } });
    expect(renderMessage('ru', settings)).toMatch(/^Настройки неверны \(concurrency: /);
    const outside = await coded(call('openResult', '/etc/passwd'));
    expect(outside).toMatchObject({ code: 'ONLY_JOB_RESULTS', params: {} });
    expect(renderMessage('ru', outside)).toBe(
      'Из приложения можно открыть только результаты заданий Crossdock.',
    );
    // An engine sentence without a code of its own yet: its English text, as it is, in every language.
    const missing = await coded(call('cancel', '01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    expect(missing.message).toBe('There is no job 01ARZ3NDEKTSV4RRFFQ69G5FAV.');
    expect(renderMessage('ru', missing)).toMatch(/01ARZ3NDEKTSV4RRFFQ69G5FAV/);
    vi.spyOn(engine, 'list').mockImplementation(() => {
      throw new Error('\n');
    });
    const empty = await coded(call('listJobs'));
    expect(empty).toMatchObject({
      code: 'SOMETHING_WENT_WRONG',
      message: 'Something went wrong; see the app log.',
    });
  });
});

describe('forwardEvents', () => {
  function fakeWindow() {
    const sent: [string, unknown][] = [];
    return {
      sent,
      webContents: { send: (c: string, p: unknown) => sent.push([c, p]), isDestroyed: () => false },
    };
  }
  const progress = (done: number): JobProgress => ({ done, total: 1000, stage: 'lookup', eta: null });

  it('sends job, log and removed events on their channels', async () => {
    const { engine, call } = setup();
    const { sent, webContents } = fakeWindow();
    const stop = forwardEvents(engine, webContents as never);
    const { job } = (await call('submit', {
      kind: 'crossdock',
      input: requestFile(),
      list: 'ОПТ-1',
      outDir: tempDir(),
    })) as { job: Job };
    await call('cancel', job.id);
    await call('remove', job.id);
    const channels = sent.map(([c]) => c);
    expect(channels).toContain(eventChannelOf('job'));
    expect(channels).toContain(eventChannelOf('log'));
    expect(sent.at(-1)).toEqual([eventChannelOf('removed'), { jobId: job.id }]);
    expect(sent.filter(([c]) => c === eventChannelOf('job')).map(([, j]) => (j as Job).status)).toEqual([
      'queued',
      'cancelled',
    ]);
    stop();
    const n = sent.length;
    engine.emit('log', { id: 1, jobId: job.id, at: 0, level: 'info', message: 'x' });
    expect(sent).toHaveLength(n);
    expect(EVENTS).toEqual([
      'job',
      'progress',
      'log',
      'removed',
      'changed',
      'team',
      'showJob',
      'openFiles',
      'navigate',
      'update',
    ]);
  });

  it('throttles progress to 10 updates a second per job, keeping the last figures', () => {
    vi.useFakeTimers();
    const { engine } = setup();
    const { sent, webContents } = fakeWindow();
    forwardEvents(engine, webContents as never);
    // 1,000 updates a second for 2 seconds, for two jobs.
    for (let ms = 0; ms < 2000; ms++) {
      engine.emit('progress', 'A', progress(ms));
      engine.emit('progress', 'B', progress(ms));
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(200);
    const of = (id: string) =>
      sent
        .filter(([, p]) => (p as { jobId: string }).jobId === id)
        .map(([, p]) => (p as { progress: JobProgress }).progress.done);
    for (const id of ['A', 'B']) {
      const dones = of(id);
      expect(dones.length).toBeGreaterThanOrEqual(19);
      expect(dones.length).toBeLessThanOrEqual(21);
      expect(dones.at(-1)).toBe(1999); // the trailing update arrives
    }
    expect(sent.every(([c]) => c === eventChannelOf('progress'))).toBe(true);
  });

  it('drops a pending progress update when its job ends', () => {
    vi.useFakeTimers();
    const { engine } = setup();
    const { sent, webContents } = fakeWindow();
    forwardEvents(engine, webContents as never);
    engine.emit('progress', 'A', progress(1));
    engine.emit('progress', 'A', progress(2)); // pending
    engine.emit('job', { id: 'A', status: 'succeeded' } as Job);
    vi.advanceTimersByTime(500);
    expect(sent.map(([c]) => c)).toEqual([eventChannelOf('progress'), eventChannelOf('job')]);
  });
});

describe('security', () => {
  it('accepts only the main frame of the app origin', () => {
    expect(isTrustedSender(mainFrame() as never, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(mainFrame('app://crossdock/deep/page.html?x#y') as never, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(mainFrame('http://localhost:5173/') as never, 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender(mainFrame('http://localhost:5174/') as never, 'http://localhost:5173')).toBe(
      false,
    );
    expect(isTrustedSender(mainFrame('not a url') as never, APP_ORIGIN)).toBe(false);
  });

  it('hardens the window: other origins, popups and webviews are denied', () => {
    const listeners = new Map<string, (e: { url?: string; preventDefault(): void }, url?: string) => void>();
    let openHandler: (() => { action: string }) | null = null;
    const wc = {
      on: (name: string, fn: never) => listeners.set(name, fn),
      setWindowOpenHandler: (fn: () => { action: string }) => (openHandler = fn),
    };
    hardenWindow(wc as never, APP_ORIGIN);
    const attempt = (name: string, url: string) => {
      const e = { url, preventDefault: vi.fn() };
      listeners.get(name)!(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(attempt('will-frame-navigate', 'file:///etc/passwd')).toBe(true);
    expect(attempt('will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
    expect(attempt('will-attach-webview', `${APP_ORIGIN}/index.html`)).toBe(true);
    expect(openHandler!()).toEqual({ action: 'deny' });
  });

  it('has a strict CSP and secure web preferences', () => {
    expect(CSP).toContain("default-src 'self'");
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).toContain("object-src 'none'");
    expect(CSP).toContain("frame-ancestors 'none'");
    expect(CSP).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
  });
});

describe('preload', () => {
  it('exposes only window.crossdock: the contract methods, on() and pathForFile()', async () => {
    const exposed = new Map<string, Record<string, unknown>>();
    const invoke = vi.fn(async (..._args: unknown[]) => {
      throw new Error("Error invoking remote method 'crossdock:cancel': Error: There is no job X.");
    });
    const listeners = new Map<string, (...a: unknown[]) => void>();
    vi.doMock('electron', () => ({
      contextBridge: {
        exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api),
      },
      ipcRenderer: {
        invoke,
        on: (c: string, fn: (...a: unknown[]) => void) => listeners.set(c, fn),
        removeListener: (c: string) => listeners.delete(c),
      },
      webUtils: { getPathForFile: () => '/dropped/file.xlsx' },
    }));
    await import('../src-main/electron/preload.ts');
    vi.doUnmock('electron');
    expect([...exposed.keys()]).toEqual(['crossdock']);
    const api = exposed.get('crossdock')!;
    expect(Object.keys(api).sort()).toEqual([...METHODS, 'on', 'pathForFile'].sort());

    await expect((api.cancel as (id: string) => Promise<unknown>)('X')).rejects.toThrow(
      /^There is no job X\.$/,
    );
    expect(invoke).toHaveBeenCalledWith('crossdock:cancel', 'X');
    // A handler's answer: the value, or the error's code, params and sentence as a rejection.
    invoke.mockResolvedValueOnce({ ok: true, value: ['ОПТ-1'] } as never);
    await expect((api.supplierLists as () => Promise<unknown>)()).resolves.toEqual(['ОПТ-1']);
    invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'NO_SUCH_JOB', params: { id: 'X' }, message: 'There is no job X.' },
    } as never);
    const rejected = await (api.cancel as (id: string) => Promise<unknown>)('X').catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(Error);
    expect(rejected).toMatchObject({
      message: 'There is no job X.',
      code: 'NO_SUCH_JOB',
      params: { id: 'X' },
    });

    const got: unknown[] = [];
    const off = (api.on as (e: string, cb: (p: unknown) => void) => () => void)('progress', (p) =>
      got.push(p),
    );
    listeners.get(eventChannelOf('progress'))!({ sender: 'secret' }, { jobId: 'A' });
    expect(got).toEqual([{ jobId: 'A' }]); // the IPC event itself never reaches the page
    off();
    expect(listeners.size).toBe(0);
    expect(() => (api.on as (e: string, cb: () => void) => void)('nope', () => {})).toThrow(/no event/);
    expect((api.pathForFile as (f: unknown) => string)({})).toBe('/dropped/file.xlsx');
  });

  it('bundles for a sandboxed preload: it requires nothing but electron', async () => {
    const result = await build({
      entryPoints: [join(ROOT, 'src-main/electron/preload.ts')],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      external: ['electron'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(code).not.toMatch(/zod|better-sqlite3/);
  });
});
