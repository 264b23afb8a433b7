import { resolve } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { defaultDataDir } from '../engine/paths.ts';
import { CodedError, type ErrorCode, type ParamsOf } from '../common/errors.ts';
import type { Job, JobProgress } from '../common/types.ts';
import type { TeamConfig } from '../team/config.ts';
import { testTeamConnection } from '../team/service.ts';
import { clickhouseFromFlags, UsageError, type ClickHouseFlags, type OutputFlags } from './flags.ts';
import { ProgressDisplay } from './progress.ts';
import { formatJobLine, jobJson } from './format.ts';

export interface EngineFlags extends ClickHouseFlags {
  dataDir?: string;
}

export interface Session {
  /** Which jobs this process may run (EngineOptions.run). */
  run: 'all' | 'none' | { only: string[] };
  team?: TeamConfig;
  concurrency?: number;
}

/**
 * Opens the engine on the data folder and connection the flags name, runs `fn`, and closes the
 * engine however `fn` ends, so that no command leaves the store or the worker threads open.
 */
export async function withEngine<T>(
  flags: EngineFlags,
  session: Session,
  fn: (engine: Engine) => T | Promise<T>,
): Promise<T> {
  // Connects once before any work: a wrong address or password is one sentence and exit 1.
  if (session.team) {
    const test = await testTeamConnection(session.team);
    if (!test.ok)
      throw test.errorCode
        ? new CodedError(test.errorCode as ErrorCode, (test.errorParams ?? {}) as ParamsOf<ErrorCode>)
        : new Error(test.error);
  }
  const engine = new Engine({
    dataDir: flags.dataDir ? resolve(flags.dataDir) : defaultDataDir(),
    run: session.run,
    clickhouse: clickhouseFromFlags(flags),
    ...(session.concurrency !== undefined ? { concurrency: session.concurrency } : {}),
    ...(session.team ? { team: session.team } : {}),
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

export async function checkList(engine: Engine, source: 'demo' | 'clickhouse', list: string): Promise<void> {
  const known = await engine.supplierLists(source);
  if (!known.includes(list)) throw new UsageError('NO_SUCH_LIST', { list, known });
}

/** Runs jobs this process may take to the end, printing progress and one result per job. */
export async function runToEnd(engine: Engine, ids: string[], opts: OutputFlags): Promise<number> {
  const display = new ProgressDisplay(process.stderr, !opts.json && process.stderr.isTTY === true);
  // The event carries the live figures; the row in the store is refreshed only once a second.
  const onProgress = (id: string, progress: JobProgress) => {
    if (!ids.includes(id)) return;
    const job = engine.get(id);
    if (job) display.update({ ...job, progress });
  };
  const onJob = (job: Job) => {
    if (ids.includes(job.id)) display.update(job);
  };
  engine.on('progress', onProgress);
  engine.on('job', onJob);
  engine.on('changed', () => ids.forEach((id) => display.update(engine.get(id))));
  const stop = () => {
    display.clear();
    process.stderr.write(
      'Stopping: running jobs go back to the queue; run "crossdock jobs resume" to finish them.\n',
    );
    void engine.close().then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  engine.start();
  for (const id of ids) display.update(engine.get(id));
  const jobs = await engine.waitFor(ids);
  display.clear();
  let failed = 0;
  for (const job of jobs) {
    if (job.status !== 'succeeded') failed++;
    if (opts.json) process.stdout.write(`${JSON.stringify(jobJson(job))}\n`);
    else process.stderr.write(`${formatJobLine(job)}\n`);
  }
  return failed ? 1 : 0;
}

/** Lets this process take the jobs it just submitted, then waits for them like runToEnd. */
export function runSubmitted(engine: Engine, ids: string[], opts: OutputFlags): Promise<number> {
  engine.allowRun(ids);
  return runToEnd(engine, ids, opts);
}
