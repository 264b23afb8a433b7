import type { Job, JobProgress } from '../../src-main/contract.ts';

type JobStatus = Job['status'];
import { fmtNumber, useT, type Key } from '../i18n/index.ts';

export function StatusPill({ status, cancelling }: { status: JobStatus; cancelling?: boolean }) {
  const t = useT();
  const shown = cancelling && (status === 'running' || status === 'queued');
  return (
    <span className={`pill pill-${shown ? 'cancelling' : status}`}>
      <span className="pill-dot" aria-hidden="true" />
      {shown ? t('status.cancelling') : t(`status.${status}` as Key)}
    </span>
  );
}

/** Determinate when the total is known, else an indeterminate shimmer. */
export function ProgressBar({
  progress,
  status,
  testId,
  label,
}: {
  progress: JobProgress | null | undefined;
  status: JobStatus;
  testId?: string;
  label: string;
}) {
  const t = useT();
  const total = progress?.total ?? null;
  const done = progress?.done ?? 0;
  const pct =
    status === 'succeeded' ? 100 : total && total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
  const indeterminate = status === 'running' && (total === null || total === 0);
  return (
    <div
      className={`progress progress-${status}${indeterminate ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={
        indeterminate ? t(`stage.${progress?.stage ?? 'starting'}` as Key) : `${fmtNumber(t.lang, pct)}%`
      }
      data-testid={testId}
    >
      <div className="progress-fill" style={{ transform: `scaleX(${indeterminate ? 1 : pct / 100})` }} />
    </div>
  );
}

/** The supplier list picker (the new-job sheet and the schedule form): loading, none, or the lists. */
export function SupplierListSelect({
  lists,
  value,
  onChange,
  testId,
}: {
  lists: string[] | null;
  value: string;
  onChange: (list: string) => void;
  testId: string;
}) {
  const t = useT();
  return (
    <select
      className="select"
      data-testid={testId}
      value={value}
      disabled={lists === null}
      onChange={(e) => onChange(e.target.value)}
    >
      {lists === null && <option value="">{t('sheet.listLoading')}</option>}
      {lists?.length === 0 && <option value="">{t('sheet.listNone')}</option>}
      {lists?.map((l) => (
        <option key={l} value={l}>
          {l}
        </option>
      ))}
    </select>
  );
}
