// Waiting for jobs to end, wherever they run: events cover this process, a poll covers other
// processes sharing the data folder (and team jobs mirrored into it).
import type { EventEmitter } from 'node:events';
import type { Job } from '../common/types.ts';
import { TERMINAL } from '../common/types.ts';
import type { JobStore } from './store.ts';

export interface Waitable {
  readonly store: JobStore;
  readonly events: EventEmitter;
  closed(): boolean;
}

/** A job that is gone (deleted, or the engine closed) reads as cancelled. */
const gone = (id: string): Job => ({ id, status: 'cancelled' }) as Job;

/**
 * Resolves when every one of these jobs has ended (a job that is gone counts as cancelled). One
 * set of listeners for all of them: `crossdock run` with 200 files waits on 200 jobs at once.
 */
export async function waitForAll(w: Waitable, ids: string[]): Promise<Job[]> {
  const ended = new Map<string, Job>();
  const pending = new Set(ids);
  await new Promise<void>((resolveWait) => {
    const settle = (id: string) => {
      const j = w.closed() ? null : w.store.get(id);
      if (j && !TERMINAL.includes(j.status)) return;
      ended.set(id, j ?? gone(id));
      pending.delete(id);
    };
    const checkAll = () => {
      for (const id of [...pending]) settle(id);
      if (pending.size === 0) finish();
    };
    const onJob = (j: Job | null) => {
      if (j && pending.has(j.id)) settle(j.id);
      if (pending.size === 0 || w.closed()) checkAll();
    };
    const poll = setInterval(checkAll, 100);
    const finish = () => {
      w.events.off('job', onJob);
      w.events.off('changed', checkAll);
      clearInterval(poll);
      resolveWait();
    };
    w.events.on('job', onJob);
    w.events.on('changed', checkAll);
    checkAll();
  });
  return ids.map((id) => ended.get(id)!);
}

/** Resolves with the job once `done` holds for it (or it is gone), or as it is after timeoutMs. */
export function waitUntil(
  w: Waitable,
  id: string,
  done: (j: Job) => boolean,
  timeoutMs?: number,
): Promise<Job> {
  return new Promise((resolveWait) => {
    const poll = setInterval(() => check(), 100);
    const timer = timeoutMs ? setTimeout(() => finish(w.store.get(id)), timeoutMs) : null;
    const finish = (j: Job | null) => {
      w.events.off('job', check);
      w.events.off('changed', check);
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      resolveWait(j ?? gone(id));
    };
    const check = () => {
      if (w.closed()) return finish(null);
      const j = w.store.get(id);
      if (!j || done(j)) finish(j);
    };
    w.events.on('job', check);
    w.events.on('changed', check);
    check();
  });
}

export const hasEnded = (j: Job): boolean => TERMINAL.includes(j.status);
export const notRunning = (j: Job): boolean => j.status !== 'running';
