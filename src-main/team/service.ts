// Team mode in one process, as the engine sees it: one object it starts, asks and closes. Its parts
// live beside it: the link to the team's Redis (connection.ts), sending submissions (submit.ts),
// mirroring the queue into the local job table (mirror.ts, results coming home by download.ts), the
// team panel (panel.ts) and, when this process takes team jobs, its TeamWorker (worker-loop.ts).
// Here they are wired to Redis's events and to each other, and cancel and retry, which touch them
// all, are decided.
import type { Job as BullJob } from 'bullmq';
import { CodedError, type ErrorCode } from '../common/errors.ts';
import type { TeamStatus } from '../common/team-types.ts';
import { TERMINAL } from '../common/types.ts';
import type { TeamConfig } from './config.ts';
import { TeamConnection } from './connection.ts';
import type { BlobError } from './blobs.ts';
import type { TeamHost } from './host.ts';
import { partOf, TeamJobData, TeamMessage } from './job-data.ts';
import { Mirror } from './mirror.ts';
import { TeamPanel } from './panel.ts';
import { DAY_S, Submitter } from './submit.ts';
import { TeamWorker } from './worker-loop.ts';

export { testTeamConnection } from './connection-test.ts';

const STATUS_EVERY_MS = 2000;
const RECONCILE_EVERY_MS = 3000;
const BEAT_EVERY_MS = 5000;

/** A failure to reach or use the team queue, as one coded sentence. */
export class TeamError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  override name = 'TeamError';
}

export class TeamService {
  readonly prefix: string;
  readonly worker: TeamWorker | null = null;
  private readonly conn: TeamConnection;
  private readonly panel: TeamPanel;
  private readonly submitter: Submitter;
  private readonly mirror: Mirror;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly host: TeamHost,
    readonly config: TeamConfig,
  ) {
    this.conn = new TeamConnection(config, () => this.panel.emit());
    this.prefix = this.conn.prefix;
    if (config.runJobs)
      this.worker = new TeamWorker(
        host,
        config,
        this.prefix,
        this.conn.client,
        this.conn.queue,
        this.conn.bullConnection(),
        this.conn.blobs,
        (m) => this.conn.publish(m),
        (err) => this.conn.noteError(err),
        () => void this.panel.beat(),
      );
    this.panel = new TeamPanel(this.conn, host, this.worker);
    this.submitter = new Submitter(this.conn, host, () => this.panel.emit());
    this.mirror = new Mirror(this.conn, host);
  }

  get channel(): string {
    return this.conn.channel;
  }

  start(): void {
    const { client, sub, queue, events } = this.conn;
    client.on('ready', () => void this.onOnline());
    client.on('error', (err) => this.conn.noteError(err));
    client.on('close', () => this.conn.setState('offline'));
    sub.on('error', () => undefined);
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    void sub.subscribe(this.channel).catch(() => undefined);
    sub.on('message', (_channel: string, text: string) => this.onMessage(text));
    for (const ev of ['added', 'active', 'completed', 'failed', 'removed', 'waiting', 'delayed', 'stalled'])
      // A part's events are its split job's.
      events.on(ev as 'added', ({ jobId }: { jobId: string }) =>
        this.mirror.sync(partOf(jobId)?.parent ?? jobId),
      );
    events.on('progress', ({ jobId, data }: { jobId: string; data: unknown }) =>
      this.mirror.progress(jobId, data),
    );
    this.worker?.start();
    this.every(() => void this.panel.refresh(), STATUS_EVERY_MS);
    this.every(() => void this.mirror.reconcile(), RECONCILE_EVERY_MS);
    this.every(() => void this.panel.beat(), BEAT_EVERY_MS);
  }

  /** Local jobs started or ended here: team jobs are taken only into the slots they leave free. */
  localLoadChanged(): void {
    this.worker?.fitSlots();
  }

  private every(fn: () => void, ms: number): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  async close(): Promise<void> {
    if (this.conn.closed) return;
    this.conn.markClosed();
    for (const t of this.timers) clearInterval(t);
    await this.worker?.close();
    await this.panel.forget();
    await this.mirror.drain();
    await this.conn.disconnect();
  }

  private async onOnline(): Promise<void> {
    this.conn.markOnline();
    await this.panel.beat();
    await this.submitter.pushPending();
    await this.mirror.discover();
    await this.mirror.reconcile();
    await this.panel.refresh();
  }

  get online(): boolean {
    return this.conn.online;
  }

  private onMessage(text: string): void {
    let m: TeamMessage;
    try {
      const parsed = TeamMessage.safeParse(JSON.parse(text));
      if (!parsed.success) return;
      m = parsed.data;
    } catch {
      return;
    }
    if (m.type === 'cancel') this.worker?.cancel(m.id);
    else if (m.type === 'changed') this.mirror.sync(m.id);
    else if (m.type === 'log') this.mirror.log(m);
  }

  // ── submitting and mirroring ─────────────────────────────────────────────────────────────────

  /** Why a file is too big for the team queue (a coded sentence), else null. */
  tooBig(size: number): BlobError | null {
    return this.conn.blobs.tooBig(size);
  }

  /** Sends every submission still waiting here (made offline, or just now). Once each: jobId = our id. */
  pushPending(): Promise<void> {
    return this.submitter.pushPending();
  }

  /** Brings the local row of one team job up to date with the queue; one at a time per job. */
  sync(id: string): void {
    this.mirror.sync(id);
  }

  /** Shows a team job this process has not seen yet (e.g. `crossdock jobs cancel --redis <id>`). */
  async adopt(id: string): Promise<void> {
    this.mirror.sync(id);
    await this.mirror.settled(id);
  }

  /** Resolves when the job's pending updates are applied (tests and cancel wait on it). */
  settled(id: string): Promise<void> {
    return this.mirror.settled(id);
  }

  // ── control ──────────────────────────────────────────────────────────────────────────────────

  /** Cancels a team job wherever it runs: a durable flag plus a message the worker holding it acts on. */
  async cancel(id: string): Promise<void> {
    const row = this.host.store.get(id);
    if (!row || TERMINAL.includes(row.status)) return;
    if (this.host.store.team.teamState(id) === 'pending') {
      this.mirror.cancelUnsent(row, new CodedError('TEAM_CANCELLED_BEFORE_SENT', {}).info());
      return;
    }
    if (!this.online) throw new TeamError('TEAM_OFFLINE_CANCEL', {}, { transient: true });
    await this.conn.client.set(`${this.prefix}:cancel:${id}`, '1', 'EX', 7 * DAY_S);
    this.conn.publish({ type: 'cancel', id });
    const job = (await this.conn.queue.getJob(id)) as BullJob | undefined;
    if (job) {
      const state = await job.getState();
      if (state === 'waiting-children') {
        // A split job: removed with its parts if none runs; else the parts not started go, and the
        // flag stops the running ones (the job then ends cancelled as a whole).
        try {
          await job.remove();
          this.mirror.end(row, 'cancelled', new CodedError('CANCELLED_BEFORE_START', {}).info());
          this.conn.publish({ type: 'changed', id });
        } catch {
          await job.removeUnprocessedChildren().catch(() => undefined);
        }
      } else if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        try {
          await job.remove();
          this.mirror.end(row, 'cancelled', new CodedError('CANCELLED_BEFORE_START', {}).info());
          this.conn.publish({ type: 'changed', id });
        } catch {
          // a worker took it meanwhile: the flag stops it
        }
      }
    } else this.mirror.sync(id);
  }

  /**
   * Before a failed or cancelled team job goes back to the queue here: a job submitted here is
   * sent again (so no sync may end it meanwhile for being gone from Redis).
   */
  prepareRetry(id: string): void {
    if (this.host.store.team.teamState(id) === 'sent') this.host.store.team.markPending(id);
  }

  /** Runs a failed or cancelled team job again (the local row is already back in the queue). */
  async retry(id: string): Promise<void> {
    if (!this.online) return; // a pending one goes out when Redis is back
    await this.conn.client.del(`${this.prefix}:cancel:${id}`);
    const job = (await this.conn.queue.getJob(id)) as BullJob | undefined;
    const state = job ? await job.getState() : 'unknown';
    if (this.host.store.team.teamState(id) === 'pending') {
      // The old BullMQ job (failed, or completed and then cancelled here) makes room for the new one
      // (a split job's parts go with it, and its parts' progress). One still finishing (a split job
      // whose last part was stopping when it was cancelled) is waited for, up to 10 s.
      for (let i = 0; job && i < 100; i++) {
        const old = (await this.conn.queue.getJob(id)) as BullJob | undefined;
        if (!old) break;
        if (
          (await old.getState()) !== 'active' &&
          (await old.remove().then(
            () => true,
            () => false,
          ))
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await this.conn.client.del(`${this.prefix}:parts:${id}`);
      await this.submitter.pushPending();
      return;
    }
    // Another member's split job: added again whole (its parts with it), from its own data.
    const split = job ? TeamJobData.safeParse(job.data) : null;
    if (job && split?.success && split.data.split && (state === 'failed' || state === 'completed')) {
      await this.conn.client.del(`${this.prefix}:parts:${id}`);
      await job.remove();
      await this.submitter.addSplit(split.data);
      this.conn.publish({ type: 'changed', id });
    } else if (job && (state === 'failed' || state === 'completed')) {
      // Another member's job: BullMQ retries it in place.
      await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
      this.conn.publish({ type: 'changed', id });
    }
    this.mirror.sync(id);
  }

  // ── team panel ───────────────────────────────────────────────────────────────────────────────

  current(): TeamStatus {
    return this.panel.current();
  }

  refreshStatus(): Promise<TeamStatus> {
    return this.panel.refresh();
  }
}
