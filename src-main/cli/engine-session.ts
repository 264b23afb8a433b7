import { resolve } from 'node:path';
import { Engine, type EngineOptions } from '../engine/engine.ts';
import { defaultDataDir } from '../engine/paths.ts';
import { CodedError, renderMessage, type ErrorCode, type ParamsOf } from '../common/errors.ts';
import { TERMINAL, type Job, type JobProgress } from '../common/types.ts';
import type { TeamConfig } from '../team/config.ts';
import { testTeamConnection } from '../team/service.ts';
import { clickhouseFromFlags, UsageError, type ClickHouseFlags, type OutputFlags } from './flags.ts';
import { ProgressDisplay } from './progress.ts';
import { formatJobLine, jobJson } from './format.ts';
import { suggestList } from '../common/list-names.ts';

export interface EngineFlags extends ClickHouseFlags {
  dataDir?: string;
}

export interface Session {
  /** Which jobs this process may run (EngineOptions.run). */
  run: 'all' | 'none' | { only: string[] };
  team?: TeamConfig;
  concurrency?: number;
  /** The folders this process watches (`crossdock watch`), instead of none. */
  hotFolders?: Pick<EngineOptions, 'hotFolders' | 'hotFolderTiming'>;
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
    ...session.hotFolders,
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

export async function checkList(engine: Engine, source: 'demo' | 'clickhouse', list: string): Promise<void> {
  const known = await engine.supplierLists(source);
  if (!known.includes(list))
    throw new UsageError('NO_SUCH_LIST', { list, known, suggestion: suggestList(list, known) });
}

/** The English sentence of a catalog code, for the CLI's own lines on stderr. */
export function say<C extends ErrorCode>(code: C, params: ParamsOf<C>): void {
  process.stderr.write(`${renderMessage('en', { code, params })}\n`);
}

/**
 * Runs jobs this process may take to the end: progress bars on stderr (on a terminal), then one
 * result per job on stdout (a line, or a JSON object with --json), and a failed job's sentence on
 * stderr. Returns the exit code: 0 all succeeded, 1 any did not, 130 (143 for SIGTERM) when stopped
 * by Ctrl+C: the engine closes, running jobs go back to the queue and "crossdock jobs resume" finishes them.
 */
export async function runToEnd(engine: Engine, ids: string[], opts: OutputFlags): Promise<number> {
  const display = new ProgressDisplay(process.stderr, !opts.json && process.stderr.isTTY === true);
  // Set by Ctrl+C (or SIGTERM): the engine closing, how many of the jobs were left, the exit code.
  const interrupt: { stopped: { closing: Promise<void>; left: number; code: number } | null } = {
    stopped: null,
  };
  // The event carries the live figures; the row in the store is refreshed only once a second.
  const onProgress = (id: string, progress: JobProgress) => {
    if (interrupt.stopped || !ids.includes(id)) return;
    const job = engine.get(id);
    if (job) display.update({ ...job, progress });
  };
  const onJob = (job: Job) => {
    if (!interrupt.stopped && ids.includes(job.id)) display.update(job);
  };
  const onChanged = () => {
    if (!interrupt.stopped) ids.forEach((id) => display.update(engine.get(id)));
  };
  const stop = (signal: NodeJS.Signals) => {
    // A second Ctrl+C while closing does not wait: the jobs are requeued on the next start anyway.
    if (interrupt.stopped) process.exit(interrupt.stopped.code);
    display.clear();
    const left = ids.filter((id) => {
      const job = engine.get(id);
      return job !== null && !TERMINAL.includes(job.status);
    }).length;
    // Closing ends waitFor (the jobs read as gone): nothing of them is drawn or printed after this.
    interrupt.stopped = { closing: engine.close(), left, code: signal === 'SIGTERM' ? 143 : 130 };
  };
  engine.on('progress', onProgress);
  engine.on('job', onJob);
  engine.on('changed', onChanged);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    engine.start();
    for (const id of ids) display.update(engine.get(id));
    const jobs = await engine.waitFor(ids);
    if (interrupt.stopped) {
      const { closing, left, code } = interrupt.stopped;
      await closing;
      say('CLI_STOPPED', { left });
      return code;
    }
    display.clear();
    let failed = 0;
    for (const job of jobs) {
      // A job deleted meanwhile (e.g. by another process) reads as cancelled with nothing else known.
      const known = Boolean(job.kind);
      if (opts.json) process.stdout.write(`${JSON.stringify(jobJson(job))}\n`);
      else process.stdout.write(`${known ? formatJobLine(job) : `${job.id}  ${job.status}`}\n`);
      if (job.status === 'succeeded') continue;
      failed++;
      say('CLI_JOB_FAILED', { name: known ? job.name : job.id, status: job.status, error: job.error ?? '' });
    }
    return failed ? 1 : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    engine.off('progress', onProgress);
    engine.off('job', onJob);
    engine.off('changed', onChanged);
  }
}

/** Lets this process take the jobs it just submitted, then waits for them like runToEnd. */
export function runSubmitted(engine: Engine, ids: string[], opts: OutputFlags): Promise<number> {
  engine.allowRun(ids);
  return runToEnd(engine, ids, opts);
}
