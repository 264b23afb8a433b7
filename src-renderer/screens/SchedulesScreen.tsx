import { IconButton } from '../components/bits.tsx';
import {
  Field,
  Form,
  OutDirField,
  SupplierListSelect,
  TextField,
  useSupplierLists,
} from '../components/fields.tsx';
import { useCallback, useEffect, useState } from 'react';
import type { Schedule } from '../../src-main/common/contract.ts';
import { api, errorText } from '../api.ts';
import { IconClock, IconPause, IconPlay, IconPlus, IconTrash } from '../components/icons.tsx';
import { Modal } from '../components/Modal.tsx';
import { useDebounced } from '../hooks.ts';
import { fmtWhen, useT } from '../i18n/index.ts';
import { attempt, confirmThen, showJob, toast, useApp } from '../store.ts';

/** The cron's description in the UI language (the stored one is English). */
function CronText({ cron, fallback }: { cron: string; fallback: string }) {
  const t = useT();
  const [text, setText] = useState(t.lang === 'en' ? fallback : '');
  useEffect(() => {
    let live = true;
    api.describeCron(cron, t.lang).then(
      (d) => live && setText(d),
      () => live && setText(fallback),
    );
    return () => {
      live = false;
    };
  }, [cron, t.lang, fallback]);
  return <>{text || fallback}</>;
}

const pickList = (names: string[], current: string) => current || names[0] || '';

function AddSchedule({ onClose, onAdded }: { onClose: () => void; onAdded: (s: Schedule) => void }) {
  const t = useT();
  const settings = useApp((s) => s.settings);
  const source = settings?.source ?? 'demo';
  const [cron, setCron] = useState('0 6 * * 1-5');
  const [preview, setPreview] = useState<{ ok: boolean; text: string } | null>(null);
  const { lists, listsError, list, setList } = useSupplierLists(source, pickList);
  const [brand, setBrand] = useState('');
  const [format, setFormat] = useState<'xlsx' | 'csv'>('xlsx');
  const [outDir, setOutDir] = useState(settings?.defaultOutDir ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const settled = useDebounced(cron.trim(), 300);

  useEffect(() => {
    if (!settled) {
      setPreview(null);
      return;
    }
    let live = true;
    api.describeCron(settled, t.lang).then(
      (text) => live && setPreview({ ok: true, text }),
      (err) => live && setPreview({ ok: false, text: errorText(err) }),
    );
    return () => {
      live = false;
    };
  }, [settled, t.lang]);

  // The form has one line for errors: a folder or submit failure, else the lists' own.
  const shownError = error ?? listsError;
  const canAdd = !busy && cron.trim() !== '' && list !== '' && outDir.trim() !== '' && preview?.ok !== false;
  const add = async () => {
    if (!canAdd) return;
    setBusy(true);
    setError(null);
    try {
      const schedule = await api.addSchedule(
        cron.trim(),
        {
          kind: 'export',
          list,
          ...(brand.trim() ? { brand: brand.trim() } : {}),
          format,
          outDir: outDir.trim(),
          source,
        },
        null,
      );
      onAdded(schedule);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      label={t('schedules.add')}
      onClose={onClose}
      className="dialog dialog-wide"
      testId="schedule-dialog"
    >
      <Form onSubmit={add}>
        <h2 className="dialog-title">{t('schedules.add')}</h2>
        <TextField
          label={t('schedules.cron')}
          testId="schedule-cron"
          mono
          spellCheck={false}
          value={cron}
          onChange={setCron}
        >
          <span
            className={`cron-preview${preview?.ok === false ? ' err' : ''}`}
            data-testid="schedule-cron-preview"
            aria-live="polite"
          >
            {preview ? preview.text : t('schedules.cronHint')}
          </span>
        </TextField>
        <div className="field-pair">
          <Field label={t('sheet.list')}>
            <SupplierListSelect lists={lists} value={list} onChange={setList} testId="schedule-list" />
          </Field>
          <TextField
            label={t('schedules.brand')}
            testId="schedule-brand"
            placeholder={t('schedules.brandPlaceholder')}
            value={brand}
            onChange={setBrand}
          />
        </div>
        <div className="field">
          <span className="field-label">{t('schedules.format')}</span>
          <div className="segmented" role="radiogroup" aria-label={t('schedules.format')}>
            {(['xlsx', 'csv'] as const).map((f) => (
              <label key={f} className={format === f ? 'on' : ''}>
                <input
                  type="radio"
                  name="format"
                  value={f}
                  data-testid={`schedule-format-${f}`}
                  checked={format === f}
                  onChange={() => setFormat(f)}
                />
                {f.toUpperCase()}
              </label>
            ))}
          </div>
        </div>
        <OutDirField
          id="schedule-out"
          testId="schedule-out-dir"
          value={outDir}
          onChange={setOutDir}
          onError={setError}
        />
        {shownError && <p className="field-error">{shownError}</p>}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('sheet.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" data-testid="schedule-save" disabled={!canAdd}>
            {t('schedules.create')}
          </button>
        </div>
      </Form>
    </Modal>
  );
}

export function SchedulesScreen() {
  const t = useT();
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [adding, setAdding] = useState(false);

  const load = useCallback(async () => {
    try {
      setSchedules(await api.listSchedules());
    } catch (err) {
      setSchedules([]);
      toast('error', errorText(err));
    }
  }, []);

  useEffect(() => {
    void load();
    // Next/last run times move on; refresh now and then, and when jobs come from schedules.
    const timer = window.setInterval(() => void load(), 30_000);
    const off = api.on('changed', () => void load());
    return () => {
      window.clearInterval(timer);
      off();
    };
  }, [load]);

  const replace = (s: Schedule) => setSchedules((list) => list?.map((x) => (x.id === s.id ? s : x)) ?? [s]);

  const togglePause = (s: Schedule) =>
    attempt(async () => replace(s.paused ? await api.resumeSchedule(s.id) : await api.pauseSchedule(s.id)));
  const remove = (s: Schedule) =>
    confirmThen(
      {
        title: t('schedules.confirmRemove.title'),
        body: t('schedules.confirmRemove.body'),
        okLabel: t('schedules.remove'),
        danger: true,
      },
      async () => {
        await api.removeSchedule(s.id);
        setSchedules((list) => list?.filter((x) => x.id !== s.id) ?? null);
      },
    );

  return (
    <div className="page">
      <div className="toolbar">
        <span className="muted">{t('schedules.empty.body')}</span>
        <span className="spacer" />
        <button
          type="button"
          className="btn btn-primary"
          data-testid="schedule-add"
          onClick={() => setAdding(true)}
        >
          <IconPlus /> {t('schedules.add')}
        </button>
      </div>
      {schedules === null ? (
        <div className="screen-note">{t('common.loading')}</div>
      ) : schedules.length === 0 ? (
        <div className="empty">
          <div className="empty-zone small-zone">
            <span className="empty-icon">
              <IconClock size={32} />
            </span>
            <h2>{t('schedules.empty.title')}</h2>
            <p>{t('schedules.empty.body')}</p>
            <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
              <IconPlus /> {t('schedules.add')}
            </button>
          </div>
        </div>
      ) : (
        <div className="page-scroll">
          <table className="grid-table">
            <thead>
              <tr>
                <th>{t('schedules.col.when')}</th>
                <th>{t('schedules.col.what')}</th>
                <th>{t('schedules.col.next')}</th>
                <th>{t('schedules.col.last')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {schedules.map((s) => {
                const spec = s.spec;
                return (
                  <tr
                    key={s.id}
                    data-testid="schedule-row"
                    data-schedule-id={s.id}
                    className={s.paused ? 'paused' : ''}
                  >
                    <td>
                      <div className="strong">
                        <CronText cron={s.cron} fallback={s.description} />
                      </div>
                      <code className="muted small">{s.cron}</code>
                    </td>
                    <td>
                      <div className="ellipsis">
                        {spec.list ?? '—'} · {spec.brand ?? t('schedules.allBrands')} ·{' '}
                        {(spec.format ?? 'xlsx').toUpperCase()}
                      </div>
                      {spec.outDir && (
                        <div className="muted small ellipsis" title={spec.outDir}>
                          {spec.outDir}
                        </div>
                      )}
                    </td>
                    <td className="num">
                      {s.paused ? (
                        <span className="pill pill-cancelled">
                          <span className="pill-dot" />
                          {t('schedules.paused')}
                        </span>
                      ) : (
                        fmtWhen(t.lang, s.nextRunAt)
                      )}
                    </td>
                    <td className="num">
                      {s.lastRunAt ? (
                        fmtWhen(t.lang, s.lastRunAt)
                      ) : (
                        <span className="muted">{t('schedules.never')}</span>
                      )}
                      {s.lastJobId && (
                        <button
                          type="button"
                          className="link small"
                          onClick={() => showJob(s.lastJobId as string)}
                        >
                          {t('schedules.lastJob')}
                        </button>
                      )}
                    </td>
                    <td className="actions">
                      <IconButton
                        label={s.paused ? t('schedules.resume') : t('schedules.pause')}
                        testId={s.paused ? 'schedule-resume' : 'schedule-pause'}
                        onClick={() => void togglePause(s)}
                      >
                        {s.paused ? <IconPlay /> : <IconPause />}
                      </IconButton>
                      <IconButton
                        label={t('schedules.remove')}
                        className="icon-btn-danger"
                        testId="schedule-remove"
                        onClick={() => void remove(s)}
                      >
                        <IconTrash />
                      </IconButton>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {adding && (
        <AddSchedule
          onClose={() => setAdding(false)}
          onAdded={(s) => {
            setAdding(false);
            setSchedules((list) => [...(list ?? []), s]);
            toast('success', t('schedules.created'));
          }}
        />
      )}
    </div>
  );
}
