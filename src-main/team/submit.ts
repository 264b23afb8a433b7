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
import { DEFAULT_SPLIT_LINES } from '../common/settings-schema.ts';
import { QUEUE_NAME } from './config.ts';
import { PART_JOB, partId, type SplitPlan, TeamJobData, type TeamPartData } from './job-data.ts';

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

  private jobOptions(data: Pick<TeamJobData, 'maxAttempts' | 'priority'>) {
    return {
      attempts: data.maxAttempts,
      backoff: { type: 'crossdock', delay: this.host.settings.backoffSeconds * 1000 },
      priority: PRIORITY[data.priority],
      removeOnComplete: { age: 7 * DAY_S, count: 10_000 },
      removeOnFail: { age: 30 * DAY_S, count: 10_000 },
    };
  }

  /**
   * How a crossdock is split, or null when it is not: more lines than the split size (this
   * process's --split-lines, else Settings → Team, else the default), counted by a quick look.
   */
  private async splitPlan(job: Job): Promise<SplitPlan | null> {
    const size = this.conn.config.splitLines ?? this.host.settings.team?.splitLines ?? DEFAULT_SPLIT_LINES;
    // A CSV line takes a few bytes at least: a small one needs no look (most jobs).
    const csv = /\.(csv|tsv|txt)$/i.test(job.spec.inputCopy ?? '');
    if (csv && job.spec.inputSize !== undefined && job.spec.inputSize < size * 4) return null;
    const lines = await this.host.estimateLines(job).catch(() => null);
    if (lines === null || lines <= size) return null;
    const count = Math.min(Math.ceil(lines / size), 1000);
    const each = Math.ceil(lines / count);
    const parts = Array.from({ length: count }, (_, i) => ({
      from: i * each,
      // The last part reads to the end: the count is an estimate.
      lines: i === count - 1 ? null : each,
    }));
    return { lines, parts };
  }

  /**
   * A split crossdock as one BullMQ flow: the job (the parent, which merges) waits in
   * waiting-children until every part is done; a part that fails for good lets it go on at once
   * (continueParentOnFailure) to fail the whole job. The same ids make a resend harmless.
   */
  async addSplit(data: TeamJobData): Promise<void> {
    const plan = data.split!;
    const opts = this.jobOptions(data);
    await this.conn.flows.add({
      name: data.spec.kind,
      queueName: QUEUE_NAME,
      data,
      opts: { ...opts, jobId: data.id },
      children: plan.parts.map((p, index) => {
        const part: TeamPartData = {
          v: 1,
          parent: data.id,
          index,
          parts: plan.parts.length,
          from: p.from,
          lines: p.lines,
          total: plan.lines,
          name: data.name,
          spec: data.spec,
          input: data.input!,
          maxAttempts: data.maxAttempts,
        };
        return {
          name: PART_JOB,
          queueName: QUEUE_NAME,
          data: part,
          opts: { ...opts, jobId: partId(data.id, index), continueParentOnFailure: true },
        };
      }),
    });
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
      const split = spec.kind === 'crossdock' && input ? await this.splitPlan(job) : null;
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
        ...(split ? { split } : {}),
      };
      TeamJobData.parse(data);
      if (data.split) await this.addSplit(data);
      else await this.conn.queue.add(job.kind, data, { ...this.jobOptions(data), jobId: job.id });
      if (this.host.store.team.markSent(job.id)) {
        if (data.split) {
          const parts = data.split.parts.length;
          const lines = Math.ceil(data.split.lines / parts);
          this.host.log(job.id, 'info', new CodedError('LOG_TEAM_SPLIT', { parts, lines }).info());
        }
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
