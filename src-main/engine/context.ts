// What the engine's parts share: the store, who this process is, its settings and its voice (log
// lines and events). The facade (engine.ts) makes one and hands it to each part, so the parts need
// no reference to the facade and each can be read on its own.
import type { EventEmitter } from 'node:events';
import type { Settings } from '../common/settings-schema.ts';
import type { ErrorParams, Job, JobLogLine } from '../common/types.ts';

/** A log line's text: a code with its params and English sentence, or a sentence alone. */
export type LogText = string | { code?: string | null; params?: ErrorParams | null; message: string };
import type { Sources } from './sources.ts';
import type { JobStore, Owner } from './store.ts';
import type { TaskRunner } from './task-runner.ts';

export interface EngineContext {
  readonly store: JobStore;
  readonly dataDir: string;
  /** This process as the owner of the jobs it runs. */
  readonly owner: Owner;
  /** Who submits and comments here (a setting, else the OS user). */
  readonly user: string;
  readonly runner: TaskRunner;
  readonly sources: Sources;
  /** The engine's events: 'job', 'progress', 'log', 'changed', 'removed', 'team', 'error'. */
  readonly events: EventEmitter;
  settings(): Settings;
  /** Jobs this process runs at once (local and team jobs share the slots). */
  concurrency(): number;
  closed(): boolean;
  /** A log line: coded (rendered in each reader's language) or, for text from elsewhere, a plain sentence. */
  log(jobId: string, level: JobLogLine['level'], line: LogText): void;
  /** Emits the job's committed state and returns it. */
  announce(id: string): Job;
  /** A failure in the engine's own loop: reported, and the loop carries on. */
  reportError(err: unknown): void;
}
