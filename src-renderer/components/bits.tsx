import type { Job, JobProgress } from '../../src-main/common/contract.ts';

type JobStatus = Job['status'];
import { api, errorText } from '../api.ts';
import { fmtNumber, useT, type Key } from '../i18n/index.ts';
import { IconClose, IconFolder } from './icons.tsx';

/** The × that closes a panel, a sheet or a toast; `label` is its tooltip and accessible name. */
export function CloseButton({ label, onClick, size }: { label: string; onClick: () => void; size?: number }) {
  return (
    <button type="button" className="icon-btn" title={label} aria-label={label} onClick={onClick}>
      <IconClose size={size} />
    </button>
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

/**
 * An output folder: typed, or chosen with the system's folder dialog (the new-job sheet, the schedule
 * form, Settings). `onChosen` gets the chosen folder; a failure is one sentence for `onError`.
 */
export function FolderField({
  id,
  label,
  value,
  placeholder,
  testId,
  chooseTestId,
  onChange,
  onChosen,
  onError,
}: {
  id: string;
  label: string;
  value: string;
  placeholder: string;
  testId: string;
  chooseTestId?: string;
  onChange: (value: string) => void;
  onChosen: (dir: string) => void | Promise<void>;
  onError: (message: string) => void;
}) {
  const t = useT();
  const choose = async () => {
    try {
      const dir = await api.chooseFolder();
      if (dir) await onChosen(dir);
    } catch (err) {
      onError(errorText(err));
    }
  };
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="input-group">
        <input
          id={id}
          className="input"
          data-testid={testId}
          value={value}
          placeholder={placeholder}
          title={value}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
        />
        <button type="button" className="btn" data-testid={chooseTestId} onClick={() => void choose()}>
          <IconFolder /> {t('sheet.chooseFolder')}
        </button>
      </div>
    </div>
  );
}
