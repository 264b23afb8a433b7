/** What the team panel shows (engine.teamStatus); plain data, shared with the renderer as types. */
import type { ErrorParams } from './types.ts';

export interface TeamWorker {
  /** A stable id per worker process (host:pid:random). */
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  /** Our job ids it is running now. */
  running: string[];
  lastSeen: number;
  /** This process. */
  self: boolean;
}

export interface TeamQueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: number;
}

export interface TeamStatus {
  /** off: no team configured or it is switched off; offline: configured but Redis cannot be reached. */
  state: 'off' | 'connecting' | 'online' | 'offline';
  team: string | null;
  /**
   * Why the team is offline, in one sentence (English); with `errorCode`, the renderer shows the
   * code's message in its language.
   */
  error: string | null;
  errorCode?: string | null;
  errorParams?: ErrorParams | null;
  workers: TeamWorker[];
  queue: TeamQueueCounts | null;
  /** Jobs done and failed in the last hour; failureRate is failed / (done + failed), null when none. */
  lastHour: { completed: number; failed: number; failureRate: number | null } | null;
  /** Team jobs submitted while offline, kept here until Redis is back. */
  pendingSubmissions: number;
}

export type TeamTestResult =
  | { ok: true; redisVersion: string; workers: number }
  | {
      ok: false;
      /** The English sentence; with `errorCode`, the renderer shows the code's message in its language. */
      error: string;
      errorCode?: string | null;
      errorParams?: ErrorParams | null;
    };

export const TEAM_OFF: TeamStatus = {
  state: 'off',
  team: null,
  error: null,
  errorCode: null,
  errorParams: null,
  workers: [],
  queue: null,
  lastHour: null,
  pendingSubmissions: 0,
};
