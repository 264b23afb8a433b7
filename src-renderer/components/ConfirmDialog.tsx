import { useT } from '../i18n/index.ts';
import { useApp } from '../store.ts';
import { Form } from './fields.tsx';
import { Modal } from './Modal.tsx';

export function ConfirmDialog() {
  const req = useApp((s) => s.confirm);
  const t = useT();
  if (!req) return null;
  return (
    <Modal
      label={req.title}
      onClose={() => req.resolve(false)}
      className="dialog confirm"
      initialFocus=".js-ok"
    >
      <Form onSubmit={() => req.resolve(true)}>
        <h2 className="dialog-title">{req.title}</h2>
        {req.body && <p className="dialog-body">{req.body}</p>}
        <div className="dialog-actions">
          <button
            type="button"
            className="btn"
            data-testid="confirm-cancel"
            onClick={() => req.resolve(false)}
          >
            {t('confirm.cancel')}
          </button>
          <button
            type="submit"
            className={`btn js-ok ${req.danger ? 'btn-danger' : 'btn-primary'}`}
            data-testid="confirm-ok"
          >
            {req.okLabel ?? t('confirm.ok')}
          </button>
        </div>
      </Form>
    </Modal>
  );
}
