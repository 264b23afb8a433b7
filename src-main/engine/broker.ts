// Where a job runs once it is queued, behind one interface: the local broker (this SQLite table and
// the in-process scheduler, shared by every process on the data folder) or the team broker (BullMQ
// on a shared Redis, see team-broker.ts). The engine picks one per job and never branches on team
// mode otherwise.
import type { Job } from '../common/types.ts';
import type { EngineContext } from './context.ts';
import { removeTemporaries } from './results.ts';
import type { LocalScheduler } from './scheduler.ts';
import { coded, SubmitError } from './submit-error.ts';
import { notRunning, waitUntil } from './waiting.ts';

export interface Broker {
  /** The job's row is committed (queued): have it run. */
  queued(job: Job): void;
  /** Cancels a queued or running job; resolves with its state once it stopped (or 5 s later). */
  cancel(job: Job): Promise<Job>;
  /** Puts a failed or cancelled job back in the queue with a fresh set of attempts. */
  retry(job: Job): Job;
}

export class LocalBroker implements Broker {
  constructor(
    private readonly ctx: EngineContext,
    private readonly scheduler: LocalScheduler,
  ) {}

  queued(_job: Job): void {
    this.scheduler.poke(0);
  }

  /** At once while queued; a running one is stopped here, or asked to stop by the process that runs it. */
  async cancel(job: Job): Promise<Job> {
    const { ctx } = this;
    const now = Date.now();
    if (job.status === 'queued') {
      if (ctx.store.finish(job.id, null, 'cancelled', { error: coded('CANCELLED_BEFORE_START', {}) }, now)) {
        ctx.log(job.id, 'info', coded('LOG_CANCELLED_QUEUED', {}));
        return ctx.announce(job.id);
      }
      const now2 = ctx.store.get(job.id); // it started meanwhile
      return now2 ? this.cancel(now2) : job;
    }
    if (this.scheduler.stop(job.id)) return waitUntil(ctx, job.id, notRunning, 5000);
    if (this.scheduler.ownerIsGone(job.id)) {
      removeTemporaries(ctx.dataDir, job);
      ctx.store.finish(job.id, null, 'cancelled', { error: coded('CANCELLED', {}) }, now);
      return ctx.announce(job.id);
    }
    ctx.store.requestCancel(job.id, now);
    return waitUntil(ctx, job.id, notRunning, 5000);
  }

  retry(job: Job): Job {
    requeueForRetry(this.ctx, job);
    this.scheduler.poke(0);
    return this.ctx.announce(job.id);
  }
}

/** The retry both brokers make on the job's row: only a failed or cancelled job goes back. */
export function requeueForRetry(ctx: EngineContext, job: Job): void {
  if (!ctx.store.retry(job.id, Date.now())) throw new SubmitError('CANNOT_RETRY', { status: job.status });
  ctx.log(job.id, 'info', coded('LOG_RETRY_REQUESTED', {}));
}
