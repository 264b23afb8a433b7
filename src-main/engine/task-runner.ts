// One way to run a task, whoever asked for it: a local job, a team job this computer took, or the
// new-job sheet's inspect. It builds the task's input from the job spec, arms the time limits, runs
// it in the worker pool and turns a stop or a crash into an outcome, so the three callers cannot
// drift apart again (a team job once read the default sheet because its input was built elsewhere).
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type {
  CatalogImportInput,
  ColumnChoice,
  CrossdockInput,
  EngineMessage,
  ExportInput,
  InspectOutcome,
  PortMessage,
  SourceConfig,
  TaskOutcome,
  TaskRequest,
  WorkerMessage,
} from '../../src-worker/protocol.ts';
import type { Settings } from '../common/settings-schema.ts';
import type { JobSpec } from '../common/spec.ts';
import type { JobKind } from '../common/types.ts';
import { defaultWorkerFile } from './paths.ts';
import { POOL_OPTIONS, takeWarmPool } from './pool-warm.ts';
import { temporaryPath, temporaryPrefix } from './results.ts';
import { coded } from './submit-error.ts';

/** A task's request without its port (the runner makes the channel). */
export type TaskInput = {
  [K in TaskRequest['kind']]: Omit<Extract<TaskRequest, { kind: K }>, 'port'>;
}[TaskRequest['kind']];

/** Where one attempt of a job reads and writes. */
export interface TaskPlace {
  jobId: string;
  /** The job's display name (the input file's name). */
  name: string;
  /** The input file to read (the engine's copy); null for exports. */
  inputPath: string | null;
  /** The first result file's final path; temporaries go beside it. */
  finalPath: string;
  /** The task's own scratch folder. */
  scratchDir: string;
  checkpointEveryMs: number;
  /** A checkpoint of an earlier attempt (a crossdock resumes from it). */
  resume?: unknown;
  /** A part of a split team crossdock (CrossdockInput.part). */
  part?: CrossdockInput['part'];
}

/** The task input of a job spec: the one place that maps spec fields to what a task reads. */
export function taskInput(
  spec: JobSpec,
  place: TaskPlace,
  source: () => SourceConfig,
  catalogFile: () => string,
): TaskInput {
  if (spec.kind === 'export') {
    const input: ExportInput = {
      jobId: place.jobId,
      source: source(),
      what:
        spec.query !== undefined
          ? { kind: 'query', sql: spec.query }
          : { kind: 'list', list: spec.list ?? '', ...(spec.brand ? { brand: spec.brand } : {}) },
      format: spec.format,
      finalPath: place.finalPath,
      tmpPrefix: temporaryPrefix(place.finalPath, place.jobId),
      maxRowsPerSheet: spec.maxRowsPerSheet,
    };
    return { kind: 'export', input };
  }
  if (!place.inputPath) throw new Error(`A ${spec.kind} task needs an input file.`);
  if (spec.kind === 'catalog-import') {
    const input: CatalogImportInput = {
      jobId: place.jobId,
      inputPath: place.inputPath,
      inputName: place.name,
      catalogFile: catalogFile(),
      // A job queued before crosses and aliases could be imported has no table: a price list.
      table: spec.table ?? 'offers',
      supplier: spec.supplier,
      list: spec.list,
      columns: spec.columns,
    };
    return { kind: 'catalog-import', input };
  }
  const input: CrossdockInput = {
    jobId: place.jobId,
    inputPath: place.inputPath,
    inputName: place.name,
    list: spec.list,
    source: source(),
    columns: spec.columns,
    ...(spec.sheet !== undefined ? { sheet: spec.sheet } : {}),
    alternatives: spec.alternatives,
    // A job queued by an older version has none of these (its row's spec predates them): the defaults.
    analogs: spec.analogs,
    baseCurrency: spec.baseCurrency,
    lang: spec.lang,
    tmpPath: temporaryPath(place.finalPath, place.jobId),
    finalPath: place.finalPath,
    workDir: place.scratchDir,
    maxRowsPerSheet: spec.maxRowsPerSheet,
    checkpointEveryMs: place.checkpointEveryMs,
    ...(place.resume !== undefined ? { resume: place.resume } : {}),
    ...(place.part ? { part: place.part } : {}),
  };
  return { kind: 'crossdock', input };
}

export interface RunOptions {
  /** Aborted: the task is asked to stop (it aborts its server queries), and its thread is ended 800 ms later. */
  signal: AbortSignal;
  onMessage(m: WorkerMessage): void;
  /** The soft time limit was reached: the task was asked to stop itself. */
  onSoftLimit?(seconds: number): void;
}

/** How a run ended besides its outcome: stopped on request, or past its hard time limit. */
export type Stopped = 'stopped' | 'time-limit' | null;

const STOP_GRACE_MS = 800;
/** How long a finished task's last port messages may lag its outcome (they normally take < 1 ms). */
const END_WAIT_MS = 2000;

export class TaskRunner {
  private pool: Piscina | null = null;

  constructor(
    private readonly limits: () => Settings['timeLimits'],
    private readonly workerFile?: string,
  ) {}

  /** Runs a task to its end; never rejects for what the task or its thread did. */
  async run(
    kind: JobKind,
    task: TaskInput,
    opts: RunOptions,
  ): Promise<{ outcome: TaskOutcome; stopped: Stopped }> {
    const channel = new MessageChannel();
    const hard = new AbortController();
    const timers: NodeJS.Timeout[] = [];
    let stopped: Stopped = null;
    const post = (m: EngineMessage) => {
      try {
        channel.port1.postMessage(m);
      } catch {
        // the port is already closed: the task has ended
      }
    };
    const onStop = () => {
      stopped ??= 'stopped';
      post({ type: 'cancel' });
      const t = setTimeout(() => hard.abort(), STOP_GRACE_MS);
      t.unref();
      timers.push(t);
    };
    if (opts.signal.aborted) onStop();
    else opts.signal.addEventListener('abort', onStop, { once: true });
    const limits = this.limits()[kind];
    timers.push(
      setTimeout(() => {
        opts.onSoftLimit?.(limits.softSeconds);
        post({ type: 'soft-timeout' });
      }, limits.softSeconds * 1000),
      setTimeout(() => {
        stopped ??= 'time-limit';
        hard.abort();
      }, limits.hardSeconds * 1000),
    );
    // The outcome comes back beside the port: a task's last log lines may still be on their way.
    let ended = false;
    let onEnd: (() => void) | null = null;
    channel.port1.on('message', (m: PortMessage) => {
      if (m.type !== 'end') return opts.onMessage(m);
      ended = true;
      onEnd?.();
    });
    try {
      const outcome = (await this.getPool().run({ ...task, port: channel.port2 } as TaskRequest, {
        transferList: [channel.port2] as never,
        signal: hard.signal,
      })) as TaskOutcome;
      if (!ended)
        await new Promise<void>((done) => {
          onEnd = done;
          setTimeout(done, END_WAIT_MS).unref();
        });
      return { outcome, stopped };
    } catch (err) {
      return { outcome: crashOutcome(err, stopped, limits.hardSeconds), stopped };
    } finally {
      for (const t of timers) clearTimeout(t);
      opts.signal.removeEventListener('abort', onStop);
      channel.port1.close();
    }
  }

  /** The new-job sheet's look at a file, in a worker thread (a minute at most). */
  async inspect(
    path: string,
    name: string,
    sheet?: string,
    columns?: ColumnChoice,
    count?: boolean,
    crosses?: SourceConfig,
  ): Promise<InspectOutcome> {
    const channel = new MessageChannel();
    try {
      return (await this.getPool().run(
        {
          kind: 'inspect',
          input: {
            path,
            name,
            ...(sheet !== undefined ? { sheet } : {}),
            ...(columns !== undefined ? { columns } : {}),
            ...(count !== undefined ? { count } : {}),
            ...(crosses !== undefined && count !== false ? { crosses } : {}),
          },
          port: channel.port2 as MessagePort,
        } satisfies TaskRequest,
        { transferList: [channel.port2] as never, signal: AbortSignal.timeout(60_000) },
      )) as InspectOutcome;
    } finally {
      channel.port1.close();
    }
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = null;
  }

  private getPool(): Piscina {
    if (this.pool) return this.pool;
    const filename = this.workerFile ?? defaultWorkerFile();
    this.pool = takeWarmPool(filename) ?? new Piscina({ ...POOL_OPTIONS, filename });
    return this.pool;
  }
}

/** The outcome of a task whose thread ended without one: stopped, past its limit, out of memory, or crashed. */
export function crashOutcome(err: unknown, stopped: Stopped, hardSeconds: number): TaskOutcome {
  if (stopped === 'stopped') return { ok: false, error: { ...coded('CANCELLED', {}), transient: false } };
  if (stopped === 'time-limit')
    return { ok: false, error: { ...coded('TIME_LIMIT', { seconds: hardSeconds }), transient: false } };
  const msg = err instanceof Error ? err.message : String(err);
  const error = /heap|memory/i.test(msg)
    ? coded('OUT_OF_MEMORY', {})
    : coded('WORKER_CRASHED', { reason: msg });
  return {
    ok: false,
    error: { ...error, transient: false, details: err instanceof Error ? err.stack : String(err) },
  };
}
