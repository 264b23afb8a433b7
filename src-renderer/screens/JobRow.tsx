import { memo } from 'react';
import { countsLine } from '../../src-main/common/counts.ts';
import type { Job } from '../../src-main/common/contract.ts';
import { IconButton, ProgressBar, StatusPill } from '../components/bits.tsx';
import {
  IconExternal,
  IconFile,
  IconFolder,
  IconRetry,
  IconSheet,
  IconStop,
  IconTrash,
} from '../components/icons.tsx';
import { useNow } from '../hooks.ts';
import { fmtClock, fmtEta, fmtNumber, fmtWhen, jobError, useT, type Key } from '../i18n/index.ts';
import { cancelJob, deleteJob, openResult, retryJob, selectJob, showInFolder, useApp } from '../store.ts';

export const ROW_HEIGHT = 60;

function Elapsed({ job }: { job: Job }) {
  const running = job.status === 'running';
  const now = useNow(running);
  // A queued job may carry the start of an earlier attempt: nothing is elapsing while it waits.
  if (!job.startedAt || job.status === 'queued') return <span className="muted">—</span>;
  const end = running ? now : (job.finishedAt ?? job.updatedAt);
  return <span>{fmtClock(end - job.startedAt)}</span>;
}

const COUNT_SEGMENTS = [
  ['found', 'found'],
  ['partial', 'partial'],
  ['notFound', 'notfound'],
  ['invalid', 'invalid'],
] as const;

function ProgressCell({ job }: { job: Job }) {
  const t = useT();
  const progress = useApp((s) => s.progress[job.id]);
  const total = progress?.total ?? null;
  const done = progress?.done ?? 0;
  let line: React.ReactNode = null;
  if (job.status === 'running') {
    const stage = progress?.stage ?? 'starting';
    // Reading the file and writing the result have no row count of their own: say what is happening.
    const pct =
      total && stage !== 'writing' && stage !== 'starting'
        ? Math.min(100, Math.floor((done / total) * 100))
        : null;
    line = (
      <>
        <span className="strong">{pct === null ? t(`stage.${stage}` as Key) : `${pct}%`}</span>
        {total ? (
          <span>{t('jobs.rowsOf', { done: fmtNumber(t.lang, done), total: fmtNumber(t.lang, total) })}</span>
        ) : done > 0 ? (
          <span>{fmtNumber(t.lang, done)}</span>
        ) : null}
        {progress?.eta != null && progress.eta > 0 && (
          <span>{t('jobs.eta', { t: fmtEta(t.lang, progress.eta) })}</span>
        )}
      </>
    );
  } else if (job.status === 'succeeded' && job.result) {
    // The four counts, in the words the detail, the notification and the CLI use (common/counts.ts).
    line =
      job.kind === 'crossdock' ? (
        <span className="ellipsis" data-testid="job-counts" title={countsLine(t.lang, job.result)}>
          {countsLine(t.lang, job.result)}
        </span>
      ) : (
        <span>{t('rows', { n: job.result.rows })}</span>
      );
  } else if (job.status === 'succeeded') {
    line = <span>{total ? t('rows', { n: total }) : t('status.succeeded')}</span>;
  } else if (job.status === 'failed' && job.error) {
    const error = jobError(t.lang, job);
    line = (
      <span className="err ellipsis" title={error}>
        {error}
      </span>
    );
  } else if (job.status === 'cancelled' && total) {
    line = (
      <span>{t('jobs.rowsOf', { done: fmtNumber(t.lang, done), total: fmtNumber(t.lang, total) })}</span>
    );
  }
  const counted = job.status === 'succeeded' && job.kind === 'crossdock' && job.result && job.result.rows > 0;
  return (
    <div className="cell-progress">
      {counted && job.result ? (
        // A finished crossdock's bar is its four counts, as in the detail (found, partial, not found, invalid).
        <div
          className="stack-bar row-stack"
          role="img"
          aria-label={countsLine(t.lang, job.result)}
          data-testid="job-counts-bar"
        >
          {COUNT_SEGMENTS.map(([key, cls]) =>
            job.result![key] > 0 ? (
              <span key={key} className={`seg-${cls}`} style={{ flexGrow: job.result![key] }} />
            ) : null,
          )}
        </div>
      ) : (
        <ProgressBar progress={progress} status={job.status} testId="job-progress" label={job.name} />
      )}
      <div className="progress-line">{line}</div>
    </div>
  );
}

interface RowProps {
  job: Job;
  queuePos: number | null;
  selected: boolean;
  /** The one row Tab reaches (roving tabindex). */
  focusable: boolean;
  top: number;
  index: number;
}

export const JobRow = memo(function JobRow({ job, queuePos, selected, focusable, top, index }: RowProps) {
  const t = useT();
  const spec = job.spec;
  // A failed or cancelled job may name the file it was writing; only a finished one can be opened.
  const output = job.status === 'succeeded' ? job.outputs[0] : undefined;
  const cancellable = job.status === 'queued' || job.status === 'running';
  const retriable = job.status === 'failed' || job.status === 'cancelled';
  const now = useNow(job.status === 'queued' && job.runAfter > Date.now(), 1000);
  const waiting = job.status === 'queued' && job.runAfter > now;
  const meta: string[] = [t(`kind.${job.kind}` as Key)];
  if (spec.list) meta.push(spec.list);
  if (spec.brand) meta.push(spec.brand);
  if (job.priority !== 'normal') meta.push(t(`priority.${job.priority}` as Key));

  const stop = (e: React.SyntheticEvent) => e.stopPropagation();

  return (
    <div
      className={`job-row${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      data-testid="job-row"
      data-job-id={job.id}
      data-status={job.status}
      data-index={index}
      role="row"
      aria-selected={selected}
      tabIndex={focusable ? 0 : -1}
      onClick={() => selectJob(job.id)}
      onDoubleClick={() => {
        if (output) void openResult(output);
      }}
      onFocus={(e) => {
        // Keyboard focus is the selection (so Delete acts on the row you are on); the panel stays as it is.
        if (e.target === e.currentTarget && !selected) useApp.setState({ selectedJobId: job.id });
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) selectJob(job.id);
      }}
    >
      <div className="cell-name" role="gridcell">
        <span className={`kind-icon kind-${job.kind}`}>
          {job.kind === 'export' ? <IconSheet /> : <IconFile />}
        </span>
        <div className="name-stack">
          <span className="job-name ellipsis" title={job.name}>
            {job.name}
          </span>
          <span className="job-meta ellipsis">
            {meta.join(' · ')}
            {job.origin === 'team' && <span className="tag">{t('jobs.team')}</span>}
          </span>
        </div>
      </div>
      <div className="cell-status" role="gridcell">
        <StatusPill status={job.status} cancelling={job.cancelRequested} />
        {queuePos !== null && !waiting && <span className="sub">{t('jobs.queuePos', { n: queuePos })}</span>}
        {waiting && (
          <span className="sub">{t('jobs.retryIn', { t: fmtEta(t.lang, (job.runAfter - now) / 1000) })}</span>
        )}
      </div>
      <div className="cell-progress-wrap" role="gridcell">
        <ProgressCell job={job} />
      </div>
      <div className="cell-num cell-elapsed" role="gridcell">
        <Elapsed job={job} />
      </div>
      <div
        className="cell-num cell-created"
        role="gridcell"
        title={new Date(job.createdAt).toLocaleString(t.lang)}
      >
        {fmtWhen(t.lang, job.createdAt)}
      </div>
      <div className="cell-actions" role="gridcell" onClick={stop} onKeyDown={stop}>
        {cancellable && (
          <IconButton
            label={t('action.cancel')}
            testId="job-cancel"
            disabled={job.cancelRequested}
            onClick={() => void cancelJob(job)}
          >
            <IconStop />
          </IconButton>
        )}
        {retriable && (
          <IconButton label={t('action.retry')} testId="job-retry" onClick={() => void retryJob(job)}>
            <IconRetry />
          </IconButton>
        )}
        {output && (
          <>
            <IconButton
              label={t('action.open')}
              className="icon-btn-accent"
              testId="job-open"
              onClick={() => void openResult(output)}
            >
              <IconExternal />
            </IconButton>
            <IconButton label={t('action.show')} testId="job-show" onClick={() => void showInFolder(output)}>
              <IconFolder />
            </IconButton>
          </>
        )}
        {!cancellable && (
          <IconButton
            label={t('action.delete')}
            className="icon-btn-danger"
            testId="job-delete"
            onClick={() => void deleteJob(job)}
          >
            <IconTrash />
          </IconButton>
        )}
      </div>
    </div>
  );
});
