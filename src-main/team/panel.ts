// The team panel's figures (workers, queue depth, the last hour) and this process's heartbeat key,
// which is how the other members' panels list it as a worker.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TeamStatus, TeamWorker as TeamWorkerInfo } from '../common/team-types.ts';
import type { TeamConnection } from './connection.ts';
import type { TeamHost } from './host.ts';
import type { TeamWorker, WorkerInfo } from './worker-loop.ts';

const WORKER_TTL_MS = 15_000;

type Figures = Pick<TeamStatus, 'workers' | 'queue' | 'lastHour'>;

export class TeamPanel {
  private figures: Figures = { workers: [], queue: null, lastHour: null };
  /** The last status sent, without the heartbeat times: an unchanged panel is not sent again. */
  private sentJson = '';

  constructor(
    private readonly conn: TeamConnection,
    private readonly host: TeamHost,
    private readonly worker: TeamWorker | null,
  ) {}

  current(): TeamStatus {
    const error = this.conn.error;
    return {
      state: this.conn.state,
      team: this.conn.config.name,
      error: error?.message ?? null,
      errorCode: error?.code ?? null,
      errorParams: error?.params ?? null,
      ...this.figures,
      pendingSubmissions: this.host.store.team.pendingCount(),
    };
  }

  emit(): void {
    if (this.conn.closed) return;
    const s = this.current();
    const json = JSON.stringify({ ...s, workers: s.workers.map((w) => ({ ...w, lastSeen: 0 })) });
    if (json === this.sentJson) return;
    this.sentJson = json;
    this.host.events.emit('team', s);
  }

  async refresh(): Promise<TeamStatus> {
    if (!this.conn.online) {
      this.emit();
      return this.current();
    }
    const { client, queue, prefix } = this.conn;
    try {
      const [counts, paused, workers, lastHour] = await Promise.all([
        queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
        queue.isPaused(),
        readWorkers(client, prefix, this.worker?.id ?? null),
        readLastHour(queue),
      ]);
      this.figures = {
        workers,
        queue: {
          // A paused queue (Bull Board's pause button) holds its waiting jobs: shown as paused.
          waiting: paused ? 0 : (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          completed: counts.completed ?? 0,
          failed: counts.failed ?? 0,
          paused: paused ? (counts.waiting ?? 0) + (counts.prioritized ?? 0) : 0,
        },
        lastHour,
      };
    } catch (err) {
      this.conn.noteError(err);
    }
    this.emit();
    return this.current();
  }

  /** This process's heartbeat key, read by every member's team panel. */
  async beat(): Promise<void> {
    const { client, prefix } = this.conn;
    if (!this.worker || client.status !== 'ready') return;
    const info: WorkerInfo = this.worker.info();
    try {
      await client
        .multi()
        .set(`${prefix}:worker:${info.id}`, JSON.stringify(info), 'PX', WORKER_TTL_MS)
        .sadd(`${prefix}:workers`, info.id)
        .exec();
    } catch {
      // offline: the key expires and the panels stop listing this worker
    }
  }

  /** On close: the panels stop listing this worker at once rather than when its key expires. */
  async forget(): Promise<void> {
    const { client, prefix } = this.conn;
    if (!this.worker || client.status !== 'ready') return;
    await client
      .multi()
      .del(`${prefix}:worker:${this.worker.id}`)
      .srem(`${prefix}:workers`, this.worker.id)
      .exec()
      .catch(() => undefined);
  }
}

async function readWorkers(client: Redis, prefix: string, self: string | null): Promise<TeamWorkerInfo[]> {
  const ids = await client.smembers(`${prefix}:workers`);
  if (ids.length === 0) return [];
  const values = await client.mget(ids.map((id) => `${prefix}:worker:${id}`));
  const out: TeamWorkerInfo[] = [];
  const gone: string[] = [];
  ids.forEach((id, i) => {
    const v = values[i];
    if (!v) return gone.push(id);
    try {
      const w = JSON.parse(v) as WorkerInfo;
      out.push({
        id,
        host: String(w.host).slice(0, 255),
        pid: Number(w.pid) || 0,
        concurrency: Number(w.concurrency) || 0,
        running: Array.isArray(w.running) ? w.running.map(String).slice(0, 100) : [],
        lastSeen: Number(w.lastSeen) || 0,
        self: id === self,
      });
    } catch {
      gone.push(id);
    }
  });
  if (gone.length) await client.srem(`${prefix}:workers`, ...gone);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Completed and failed jobs in the last hour, from BullMQ's per-minute metrics (what Bull Board charts). */
async function readLastHour(queue: Queue): Promise<TeamStatus['lastHour']> {
  const [done, failed] = await Promise.all([
    queue.getMetrics('completed', 0, 59),
    queue.getMetrics('failed', 0, 59),
  ]);
  const sum = (m: { data: number[]; meta: { count: number; prevCount: number; prevTS: number } }) =>
    m.data.reduce((a, b) => a + (Number(b) || 0), 0) +
    // jobs of the running minute are not a data point yet
    Math.max(0, (Number(m.meta.count) || 0) - (Number(m.meta.prevCount) || 0));
  const completed = sum(done);
  const f = sum(failed);
  return { completed, failed: f, failureRate: completed + f > 0 ? f / (completed + f) : null };
}
