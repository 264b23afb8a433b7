import type { ReactNode } from 'react';
import type { Job, JobProgress } from '../../src-main/common/contract.ts';
import { fmtNumber, useT, type Key } from '../i18n/index.ts';
import { IconClose } from './icons.tsx';

type JobStatus = Job['status'];

/** A button that shows only an icon: `label` is its tooltip and its accessible name. */
export function IconButton({
  label,
  className,
  testId,
  disabled,
  onClick,
  children,
}: {
  label: string;
  /** Classes beside `icon-btn`. */
  className?: string;
  testId?: string;
  disabled?: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={className ? `icon-btn ${className}` : 'icon-btn'}
      data-testid={testId}
      title={label}
      aria-label={label}
      disabled={disabled}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

/** The × that closes a panel, a sheet or a toast. */
export function CloseButton({ label, onClick, size }: { label: string; onClick: () => void; size?: number }) {
  return (
    <IconButton label={label} onClick={onClick}>
      <IconClose size={size} />
    </IconButton>
  );
}

/** A line across a screen or a sheet: a warning is an alert (read out at once), a note a status. */
export function Banner({
  kind,
  icon: Icon,
  testId,
  children,
}: {
  kind: 'warn' | 'info';
  icon: (props: { size?: number }) => ReactNode;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div className={`banner banner-${kind}`} role={kind === 'warn' ? 'alert' : 'status'} data-testid={testId}>
      <Icon size={16} />
      <span>{children}</span>
    </div>
  );
}

export function Card({
  title,
  count,
  hint,
  children,
}: {
  title: string;
  /** How many things the card lists, beside its title. */
  count?: number;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <section className="card">
      <h2 className="card-title">
        {title}
        {count !== undefined && (
          <>
            {' '}
            <span className="count">{count}</span>
          </>
        )}
      </h2>
      {hint && <p className="card-hint">{hint}</p>}
      {children}
    </section>
  );
}

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
