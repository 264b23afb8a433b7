// Sending this computer's submissions to the team queue. A submission is recorded locally first
// (pending) and sent when Redis is reachable, so one made offline goes out when the team is back;
// the BullMQ job id is the local job id, which makes sending the same one twice harmless.
import { hostname } from 'node:os';
import { CodedError } from '../common/errors.ts';
import { taskOptions } from '../common/spec.ts';
import type { Job } from '../common/types.ts';
import { BlobError } from './blobs.ts';
import type { TeamConnection } from './connection.ts';
import type { TeamHost } from './host.ts';
import { TeamJobData } from './job-data.ts';

export const DAY_S = 86_400;
const PRIORITY = { high: 1, normal: 2, low: 3 } as const;

export class Submitter {
  private pushing: Promise<void> | null = null;
  private pushAgain = false;

  constructor(
    private readonly conn: TeamConnection,
    private readonly host: TeamHost,
    /** The count of submissions waiting here may have changed. */
    private readonly changed: () => void,
  ) {}

  /** Sends every submission still waiting here (made offline, or just now). Once each: jobId = our id. */
  pushPending(): Promise<void> {
    if (this.pushing) {
      this.pushAgain = true;
      return this.pushing;
    }
    const run = async () => {
      try {
        do {
          this.pushAgain = false;
          for (const job of this.host.store.team.pending()) {
            if (!this.conn.online || this.conn.closed) break;
            await this.push(job);
          }
        } while (this.pushAgain && this.conn.online && !this.conn.closed);
      } finally {
        this.pushing = null;
        this.changed();
      }
    };
    this.pushing = Promise.resolve().then(run);
    return this.pushing;
  }

  private async push(job: Job): Promise<void> {
    const spec = job.spec;
    try {
      let input: TeamJobData['input'] = null;
      if (spec.inputCopy !== undefined) {
        // The copy is named by its sha256 and its size is on the row: no need to hash it again.
        const name = /^[0-9a-f]{64}/.exec(spec.inputCopy.split(/[\\/]/).pop() ?? '')?.[0];
        const size = spec.inputSize;
        const up = await this.conn.blobs.put(
          spec.inputCopy,
          name && size !== undefined ? { sha256: name, size } : undefined,
        );
        input = { blob: up.sha256, name: job.name, size: up.size };
      }
      const data: TeamJobData = {
        v: 1,
        id: job.id,
        name: job.name,
        spec: taskOptions(spec),
        input,
        submittedBy: job.submittedBy,
        host: hostname(),
        priority: job.priority,
        maxAttempts: job.maxAttempts,
        createdAt: job.createdAt,
      };
      TeamJobData.parse(data);
      await this.conn.queue.add(job.kind, data, {
        jobId: job.id,
        attempts: job.maxAttempts,
        backoff: { type: 'crossdock', delay: this.host.settings.backoffSeconds * 1000 },
        priority: PRIORITY[job.priority],
        removeOnComplete: { age: 7 * DAY_S, count: 10_000 },
        removeOnFail: { age: 30 * DAY_S, count: 10_000 },
      });
      if (this.host.store.team.markSent(job.id)) {
        this.host.log(
          job.id,
          'info',
          new CodedError('LOG_TEAM_SENT', { team: this.conn.config.name }).info(),
        );
        this.host.announce(job.id);
      }
      this.conn.publish({ type: 'changed', id: job.id });
    } catch (err) {
      if (err instanceof BlobError || (err instanceof Error && /not valid|Invalid/i.test(err.message))) {
        // Not worth trying again: the job fails here with the reason (coded: a file the team cannot take).
        const error = err instanceof BlobError ? err.info() : err.message;
        if (this.host.store.finish(job.id, null, 'failed', { error }, Date.now())) {
          this.host.log(job.id, 'error', error);
          this.host.announce(job.id);
        }
        return;
      }
      this.conn.noteError(err);
    }
  }
}
