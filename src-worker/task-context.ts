import type { MessagePort } from 'node:worker_threads';
import { TimeLimitError } from './errors.ts';
import type { EngineMessage, WorkerMessage } from './protocol.ts';

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
      if (m.type === 'cancel') this.abort.abort(new Error('The job was cancelled.'));
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

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.post({ type: 'log', level, message });
  }

  /** Called between batches: stops the task cleanly once the soft time limit has passed. */
  checkpoint(): void {
    this.signal.throwIfAborted();
    if (this.softTimeout) {
      throw new TimeLimitError(
        'The job ran past its soft time limit and stopped; split the file or raise the limit in Settings.',
      );
    }
  }

  private post(m: WorkerMessage): void {
    this.port?.postMessage(m);
  }

  close(): void {
    this.port?.close();
  }
}
