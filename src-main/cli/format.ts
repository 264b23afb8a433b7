import { countsLine } from '../common/counts.ts';
import type { Job, JobComment, JobLogLine } from '../common/types.ts';
import type { Schedule } from '../engine/schedules.ts';

/** The --json shape of PRODUCT.md: one object per finished job. */
export function jobJson(job: Job): Record<string, unknown> {
  const r = job.result;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    outputs: job.status === 'succeeded' ? job.outputs : [],
    rows: r?.rows ?? null,
    found: r?.found ?? null,
    partial: r?.partial ?? null,
    notFound: r?.notFound ?? null,
    invalid: r?.invalid ?? null,
    error: job.status === 'succeeded' ? null : job.error,
    /** The error's stable code (src-main/common/messages), for scripts that act on the kind of failure. */
    errorCode: job.status === 'succeeded' ? null : job.errorCode,
  };
}

const when = (t: number | null) => (t ? new Date(t).toLocaleString('sv-SE').slice(0, 19) : '—');

/** A count as English writes it: 100,000. */
export const grouped = (n: number): string => n.toLocaleString('en-US');

/** What a finished job made, for its one line: lines priced, rows exported or lines imported. */
function resultDetail(job: Job): string {
  const r = job.result;
  if (!r) return '';
  const to = job.outputs.length ? ` → ${job.outputs.join(', ')}` : '';
  if (job.kind === 'crossdock') return `${countsLine('en', r)}${to}`;
  if (job.kind === 'export') return `${grouped(r.rows)} ${r.rows === 1 ? 'row' : 'rows'} exported${to}`;
  return `${grouped(r.found)} of ${grouped(r.rows)} lines imported`;
}

export function formatJobLine(job: Job, queuePosition: number | null = null): string {
  let detail = '';
  if (job.status === 'succeeded') detail = resultDetail(job);
  else if (job.status === 'queued') {
    detail = `${queuePosition ? `#${queuePosition} in queue` : 'queued'}${job.error ? ` (last attempt: ${job.error})` : ''}`;
  } else if (job.status === 'running') {
    const p = job.progress;
    detail = p ? `${p.stage} ${grouped(p.done)}${p.total ? `/${grouped(p.total)}` : ''} rows` : 'starting';
  } else detail = job.error ?? '';
  return `${job.id}  ${job.status.padEnd(9)}  ${job.kind.padEnd(14)}  ${when(job.createdAt)}  ${job.name}  ${detail}`;
}

export function formatJobDetail(
  job: Job,
  queuePosition: number | null,
  logs: JobLogLine[],
  comments: JobComment[],
): string {
  const lines = [
    `Job ${job.id} (${job.kind})`,
    `  file        ${job.name}`,
    `  status      ${job.status}${queuePosition ? ` (#${queuePosition} in queue)` : ''}`,
    `  priority    ${job.priority}`,
    `  attempts    ${job.attempts} of ${job.maxAttempts}`,
    `  created     ${when(job.createdAt)}`,
    `  started     ${when(job.startedAt)}`,
    `  finished    ${when(job.finishedAt)}`,
    `  options     ${JSON.stringify(job.spec)}`,
  ];
  if (job.result) lines.push(`  result      ${JSON.stringify(job.result)}`);
  if (job.outputs.length) lines.push(`  outputs     ${job.outputs.join('\n              ')}`);
  if (job.error) lines.push(`  error       ${job.error}`);
  lines.push('', 'Log:');
  for (const l of logs) lines.push(`  ${when(l.at)}  ${l.level.padEnd(5)}  ${l.message}`);
  if (comments.length) {
    lines.push('', 'Comments:');
    for (const c of comments) lines.push(`  ${when(c.createdAt)}  ${c.author}: ${c.text}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatSchedule(s: Schedule): string {
  const what = s.spec.query
    ? `query → ${String(s.spec.format)}`
    : `offers of ${String(s.spec.list)}${s.spec.brand ? ` (${String(s.spec.brand)})` : ''} → ${String(s.spec.format)}`;
  const next = s.paused ? 'paused' : `next ${new Date(s.nextRunAt).toLocaleString('sv-SE').slice(0, 16)}`;
  return `${s.id}  "${s.cron}"  ${s.description}  ${what}  ${next}${s.lastJobId ? `  last job ${s.lastJobId}` : ''}`;
}
