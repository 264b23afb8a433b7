import { useT } from '../i18n/index.ts';
import { dismissToast, useApp } from '../store.ts';
import { CloseButton } from './bits.tsx';
import { IconAlert, IconCheck, IconInfo } from './icons.tsx';

export function Toasts() {
  const toasts = useApp((s) => s.toasts);
  const t = useT();
  return (
    <div className="toasts" role="region" aria-live="polite" aria-label={t('common.notifications')}>
      {toasts.map((toast) => (
        <div
          key={toast.id}
          className={`toast toast-${toast.kind}`}
          data-testid="toast"
          role={toast.kind === 'error' ? 'alert' : 'status'}
        >
          <span className="toast-icon">
            {toast.kind === 'error' ? <IconAlert /> : toast.kind === 'success' ? <IconCheck /> : <IconInfo />}
          </span>
          <span className="toast-text">{toast.text}</span>
          {toast.action && (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => {
                toast.action?.run();
                dismissToast(toast.id);
              }}
            >
              {toast.action.label}
            </button>
          )}
          <CloseButton label={t('common.dismiss')} size={14} onClick={() => dismissToast(toast.id)} />
        </div>
      ))}
    </div>
  );
}
