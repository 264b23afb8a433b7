import type { MessagePort } from 'node:worker_threads';
import {
  CodedError,
  renderMessage,
  type ErrorCode,
  type ErrorParams,
  type ParamsOf,
} from '../src-main/common/errors.ts';
import { TimeLimitError } from './errors.ts';
import { END_OF_TASK, type EngineMessage, type WorkerMessage } from './protocol.ts';

const PROGRESS_EVERY_MS = 100;

/** A task's line to the engine: progress, log lines, and the soft time limit. */
export class TaskContext {
  private softTimeout = false;
  private lastProgress = 0;
  private readonly abort = new AbortController();
  /** Fires when the engine cancels the job: network calls stop and clean up on the server too. */
  readonly signal = this.abort.signal;

  constructor(private readonly port: MessagePort | null) {
    port?.on('message', (m: EngineMessage) => {
      if (m.type === 'soft-timeout') this.softTimeout = true;
      if (m.type === 'cancel') this.abort.abort(new CodedError('TASK_CANCELLED', {}));
    });
    port?.unref();
  }

  /** Posts progress at most every 100 ms unless forced. */
  progress(done: number, total: number | null, stage: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.post({ type: 'progress', done, total, stage });
  }

  /** Hands the engine a state to resume from after a crash (it stores it with the job). */
  saveCheckpoint(data: unknown): void {
    this.post({ type: 'checkpoint', data });
  }

  /** A line of the job's log in English; with `coded`, readers render its code in their language. */
  log(
    level: 'info' | 'warn' | 'error',
    message: string,
    coded?: { code: string; params: ErrorParams },
  ): void {
    this.post({ type: 'log', level, message, ...(coded ? { code: coded.code, params: coded.params } : {}) });
  }

  /** A line of the job's log by its catalog code (src-main/common/messages): the English text goes along. */
  logCoded<C extends ErrorCode>(level: 'info' | 'warn' | 'error', code: C, params: ParamsOf<C>): void {
    this.log(level, renderMessage('en', { code, params }), { code, params });
  }

  /** Called between batches: stops the task cleanly once the soft time limit has passed. */
  checkpoint(): void {
    this.signal.throwIfAborted();
    if (this.softTimeout) {
      throw new TimeLimitError();
    }
  }

  private post(m: WorkerMessage): void {
    this.port?.postMessage(m);
  }

  close(): void {
    this.port?.postMessage(END_OF_TASK);
    this.port?.close();
  }
}
