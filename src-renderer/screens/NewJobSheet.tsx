import { Banner, CloseButton } from '../components/bits.tsx';
import {
  Field,
  Form,
  NumberField,
  OutDirField,
  SelectField,
  SupplierListSelect,
  useSupplierLists,
} from '../components/fields.tsx';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { InspectResult, SubmitSpecInput } from '../../src-main/common/contract.ts';
import { api, baseName, errorText } from '../api.ts';
import { IconAlert, IconClose, IconFile, IconInfo } from '../components/icons.tsx';
import { Modal } from '../components/Modal.tsx';
import { fmtNumber, fmtSpan, inspectProblem, useT, type T } from '../i18n/index.ts';
import { closeSheet, rememberOutDir, removeSheetPath, showJob, toast, upsertJob, useApp } from '../store.ts';

const PRIORITIES = ['high', 'normal', 'low'] as const;
type Priority = (typeof PRIORITIES)[number];
interface Columns {
  brand: string;
  article: string;
  quantity: string;
}
interface FileState {
  status: 'loading' | 'ready';
  inspect?: InspectResult;
  columns: Columns;
  /** The worksheet the user picked; unset: the first with a Brand and Article header. */
  sheet?: string;
  /** The columns the user set last time for this header row, applied when the file opened. */
  remembered?: Columns;
}

const ROWS_PER_SECOND = 100_000;
const LAST_LIST_KEY = 'crossdock.lastList';

function headerName(r: InspectResult, index: number | null): string {
  return index === null ? '' : (r.headers[index] ?? '').trim() === '' ? '' : r.headers[index];
}

function detected(r: InspectResult): Columns {
  return {
    brand: headerName(r, r.columns.brand),
    article: headerName(r, r.columns.article),
    quantity: headerName(r, r.columns.quantity),
  };
}

/**
 * The columns a file opens with: those the user set by hand last time for this header row (the engine
 * recognises the row and says so in `remembered`), else the detected ones.
 */
function initialColumns(r: InspectResult): Pick<FileState, 'columns' | 'remembered'> {
  const m = r.remembered;
  if (m) {
    const columns = {
      brand: headerName(r, m.brand),
      article: headerName(r, m.article),
      quantity: headerName(r, m.quantity),
    };
    if (columns.brand && columns.article) return { columns, remembered: columns };
  }
  return { columns: detected(r) };
}

/** The list chosen before in this sheet, else the one used last time, else the first. */
const pickList = (names: string[], current: string) => {
  const last = localStorage.getItem(LAST_LIST_KEY);
  return current && names.includes(current)
    ? current
    : last && names.includes(last)
      ? last
      : (names[0] ?? '');
};

const sameColumns = (a: Columns, b: Columns) =>
  a.brand === b.brand && a.article === b.article && a.quantity === b.quantity;

function cellText(v: string | number | boolean | null, t: T): string {
  if (v === null) return '';
  if (typeof v === 'number') return fmtNumber(t.lang, v);
  return String(v);
}

function ColumnSelect({
  role,
  label,
  headers,
  value,
  optional,
  invalid,
  onChange,
}: {
  role: keyof Columns;
  label: string;
  headers: string[];
  value: string;
  optional?: boolean;
  invalid?: boolean;
  onChange: (v: string) => void;
}) {
  const t = useT();
  return (
    <label className={`field column-field col-${role}`}>
      <span className="field-label">
        <span className={`col-badge col-badge-${role}`} aria-hidden="true">
          {label.charAt(0)}
        </span>
        {label}
      </span>
      <select
        className={`select${invalid ? ' invalid' : ''}`}
        data-testid={`column-${role}`}
        value={value}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        {optional ? (
          <option value="">{t('sheet.noQuantity')}</option>
        ) : (
          <option value="" disabled>
            {t('sheet.choose')}
          </option>
        )}
        {headers.map((h) => (
          <option key={h} value={h}>
            {h}
          </option>
        ))}
      </select>
    </label>
  );
}

function Preview({ file, t }: { file: FileState; t: T }) {
  const r = file.inspect;
  if (!r) return <div className="preview-loading">{t('sheet.inspecting')}</div>;
  const roleOf = (h: string): keyof Columns | null =>
    h === ''
      ? null
      : h === file.columns.brand
        ? 'brand'
        : h === file.columns.article
          ? 'article'
          : h === file.columns.quantity
            ? 'quantity'
            : null;
  const width = Math.max(r.headers.length, ...r.preview.map((row) => row.length));
  const cols = Array.from({ length: width }, (_, i) => r.headers[i] ?? '');
  const first = (r.headerRow ?? 1) + 1;
  return (
    <div className="preview-wrap">
      <table className="preview">
        <thead>
          <tr className="preview-header">
            <th className="rownum">{r.headerRow ?? 1}</th>
            {cols.map((h, i) => {
              const role = roleOf(h);
              return (
                <th key={i} className={role ? `mapped mapped-${role}` : undefined} title={h}>
                  {role && (
                    <span className={`col-badge col-badge-${role}`}>{t(`sheet.${role}`).charAt(0)}</span>
                  )}
                  {h}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {r.preview.map((row, ri) => (
            <tr key={ri}>
              <td className="rownum">{first + ri}</td>
              {cols.map((h, ci) => {
                const role = roleOf(h);
                const text = cellText(row[ci] ?? null, t);
                return (
                  <td
                    key={ci}
                    className={`${role ? `mapped mapped-${role}` : ''}${typeof row[ci] === 'number' ? ' num' : ''}`}
                    title={text}
                  >
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function NewJobSheet({ paths }: { paths: string[] }) {
  const t = useT();
  const settings = useApp((s) => s.settings);
  const [files, setFiles] = useState<Record<string, FileState>>({});
  const [active, setActive] = useState(paths[0]);
  const [outDir, setOutDir] = useState(settings?.defaultOutDir ?? '');
  const [priority, setPriority] = useState<Priority>('normal');
  const [alternatives, setAlternatives] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const started = useRef(new Set<string>());
  const source = settings?.source ?? 'demo';
  const { lists, listsError, list, setList } = useSupplierLists(source, pickList);

  // Inspect every file once, as it arrives.
  useEffect(() => {
    for (const path of paths) {
      if (started.current.has(path)) continue;
      started.current.add(path);
      setFiles((f) => ({
        ...f,
        [path]: { status: 'loading', columns: { brand: '', article: '', quantity: '' } },
      }));
      api.inspect(path).then(
        (inspect) =>
          setFiles((f) => ({ ...f, [path]: { status: 'ready', inspect, ...initialColumns(inspect) } })),
        (err) => {
          toast('error', `${baseName(path)}: ${errorText(err)}`);
          removeSheetPath(path);
        },
      );
    }
    if (!paths.includes(active)) setActive(paths[0]);
  }, [paths, active]);

  const current = files[active];
  const ready = paths.map((p) => files[p]).filter((f): f is FileState => f?.status === 'ready');
  const loading = paths.some((p) => files[p]?.status !== 'ready');
  const totalRows = ready.reduce((n, f) => n + (f.inspect?.estimatedRows ?? 0), 0);
  const unknownRows = ready.some((f) => f.inspect?.estimatedRows == null);
  const unmapped = paths.filter((p) => {
    const f = files[p];
    return f?.status === 'ready' && (!f.columns.brand || !f.columns.article);
  });
  const clashing = paths.filter((p) => {
    const f = files[p];
    return f?.status === 'ready' && !!f.columns.brand && f.columns.brand === f.columns.article;
  });
  const headers = useMemo(() => {
    const hs = current?.inspect?.headers ?? [];
    return [...new Set(hs.filter((h) => h.trim() !== ''))];
  }, [current?.inspect]);

  // A mapping chosen for one file also fills the same gap in the batch's other files that have a
  // column of that name (ten exports of one system share their headers).
  const setColumns = (patch: Partial<Columns>) =>
    setFiles((f) => {
      if (!f[active]) return f;
      const next = { ...f, [active]: { ...f[active], columns: { ...f[active].columns, ...patch } } };
      for (const [path, file] of Object.entries(f)) {
        if (path === active || file.status !== 'ready' || !file.inspect) continue;
        const fill: Partial<Columns> = {};
        for (const [role, header] of Object.entries(patch) as [keyof Columns, string][])
          if (header && !file.columns[role] && file.inspect.headers.includes(header)) fill[role] = header;
        if (Object.keys(fill).length) next[path] = { ...file, columns: { ...file.columns, ...fill } };
      }
      return next;
    });

  // Another worksheet: look at the file again as that sheet, with its own detected columns.
  const chooseSheet = (sheet: string) => {
    const path = active;
    setFiles((f) => ({ ...f, [path]: { ...f[path], status: 'loading', sheet } }));
    api.inspect(path, sheet).then(
      (inspect) =>
        setFiles((f) => ({ ...f, [path]: { status: 'ready', inspect, ...initialColumns(inspect), sheet } })),
      (err) => {
        toast('error', `${baseName(path)}: ${errorText(err)}`);
        setFiles((f) => ({ ...f, [path]: { ...f[path], status: 'ready' } }));
      },
    );
  };

  const problem =
    !list && lists !== null
      ? t('sheet.needList')
      : !outDir.trim()
        ? t('sheet.needOutDir')
        : unmapped.length
          ? t('sheet.mapNeeded')
          : clashing.length
            ? t('sheet.sameColumn')
            : null;
  const canStart = !busy && !loading && ready.length > 0 && !problem;

  const startJobs = async () => {
    if (!canStart) return;
    setBusy(true);
    setError(null);
    localStorage.setItem(LAST_LIST_KEY, list);
    const dir = outDir.trim();
    try {
      if (settings && settings.defaultOutDir !== dir) await rememberOutDir(dir);
    } catch {
      // Remembering the folder is a convenience; the submit below says what is wrong with it.
    }
    let startedCount = 0;
    let firstId: string | null = null;
    for (const path of paths) {
      const f = files[path];
      if (f?.status !== 'ready') continue;
      const spec: SubmitSpecInput = {
        kind: 'crossdock',
        input: path,
        list,
        outDir: dir,
        source,
        alternatives,
        priority,
        columns: {
          brand: f.columns.brand,
          article: f.columns.article,
          ...(f.columns.quantity ? { quantity: f.columns.quantity } : {}),
        },
        ...(f.sheet ? { sheet: f.sheet } : {}),
      };
      try {
        // The engine remembers these columns for the file's header row if they differ from the detected ones.
        const { job, duplicate } = await api.submit(spec, { rememberColumns: true });
        upsertJob(job);
        if (duplicate) {
          toast('info', t('sheet.duplicate', { name: job.name }), {
            label: t('nav.jobs'),
            run: () => showJob(job.id),
          });
          showJob(job.id);
        } else {
          startedCount++;
          firstId ??= job.id;
        }
        removeSheetPath(path);
      } catch (err) {
        setError(`${baseName(path)}: ${errorText(err)}`);
        setActive(path);
        setBusy(false);
        return;
      }
    }
    setBusy(false);
    if (startedCount) {
      toast('success', t('sheet.started', { n: startedCount }));
      if (firstId && startedCount === 1) useApp.setState({ selectedJobId: firstId });
    }
    closeSheet();
  };

  const r = current?.inspect;
  const many = paths.length > 1;
  // The note stays while the remembered columns are the ones chosen; the selects below change them.
  const rememberedShown =
    !!current?.remembered && current.status === 'ready' && sameColumns(current.columns, current.remembered);

  return (
    <Modal
      label={t('sheet.title')}
      onClose={closeSheet}
      className="sheet"
      testId="new-job-sheet"
      initialFocus=".js-start"
    >
      <Form className="sheet-form" onSubmit={startJobs}>
        <header className="sheet-head">
          <div className="sheet-title">
            <h2>{many ? t('sheet.titleMany', { n: paths.length }) : t('sheet.title')}</h2>
            {!many && (
              <span className="muted ellipsis" title={paths[0]}>
                {paths[0]}
              </span>
            )}
          </div>
          <CloseButton label={t('action.close')} onClick={closeSheet} />
        </header>

        <div className="sheet-body">
          <div className="sheet-main">
            {many && (
              <div className="file-tabs" role="tablist" aria-label={t('sheet.files')}>
                {paths.map((p) => {
                  const f = files[p];
                  const bad = f?.status === 'ready' && (!f.columns.brand || !f.columns.article);
                  return (
                    <div key={p} className={`file-tab${p === active ? ' active' : ''}`}>
                      <button
                        type="button"
                        role="tab"
                        aria-selected={p === active}
                        className="file-tab-btn"
                        title={p}
                        onClick={() => setActive(p)}
                      >
                        {bad ? <IconAlert size={14} className="warn-icon" /> : <IconFile size={14} />}
                        <span className="ellipsis">{baseName(p)}</span>
                        {f?.inspect?.estimatedRows != null && (
                          <span className="file-tab-rows">{fmtNumber(t.lang, f.inspect.estimatedRows)}</span>
                        )}
                      </button>
                      <button
                        type="button"
                        className="icon-btn icon-btn-sm"
                        title={t('sheet.remove')}
                        aria-label={`${t('sheet.remove')}: ${baseName(p)}`}
                        onClick={() => removeSheetPath(p)}
                      >
                        <IconClose size={12} />
                      </button>
                    </div>
                  );
                })}
              </div>
            )}

            {rememberedShown ? (
              <Banner kind="info" icon={IconInfo} testId="sheet-remembered">
                {t('sheet.remembered')}
              </Banner>
            ) : r && inspectProblem(t.lang, r) ? (
              <Banner kind="warn" icon={IconAlert} testId="sheet-problem">
                {inspectProblem(t.lang, r)}
              </Banner>
            ) : null}

            <fieldset className="columns-row" disabled={!r}>
              <legend className="section-label">{t('sheet.columns')}</legend>
              <ColumnSelect
                role="brand"
                label={t('sheet.brand')}
                headers={headers}
                value={current?.columns.brand ?? ''}
                invalid={!!r && !current?.columns.brand}
                onChange={(v) => setColumns({ brand: v })}
              />
              <ColumnSelect
                role="article"
                label={t('sheet.article')}
                headers={headers}
                value={current?.columns.article ?? ''}
                invalid={!!r && !current?.columns.article}
                onChange={(v) => setColumns({ article: v })}
              />
              <ColumnSelect
                role="quantity"
                label={t('sheet.quantity')}
                headers={headers}
                value={current?.columns.quantity ?? ''}
                optional
                onChange={(v) => setColumns({ quantity: v })}
              />
            </fieldset>

            <div className="preview-head">
              <span className="section-label">{t('sheet.preview')}</span>
              {r && r.sheetNames.length > 1 && (
                <label className="sheet-picker">
                  <span className="muted small">{t('sheet.worksheet')}</span>
                  <select
                    data-testid="sheet-select"
                    value={current?.sheet ?? r.sheet ?? ''}
                    disabled={current?.status !== 'ready'}
                    onChange={(e) => chooseSheet(e.target.value)}
                  >
                    {r.sheetNames.map((name) => (
                      <option key={name} value={name}>
                        {name}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {r?.sheet && (
                <span className="muted small">
                  {r.headerRow
                    ? t('sheet.sheetName', { sheet: r.sheet, row: r.headerRow })
                    : t('sheet.sheetNoHeader', { sheet: r.sheet })}
                  {r.estimatedRows != null && ` · ${t('rows', { n: r.estimatedRows })}`}
                </span>
              )}
            </div>
            {current ? (
              <Preview file={current} t={t} />
            ) : (
              <div className="preview-loading">{t('sheet.inspecting')}</div>
            )}
          </div>

          <aside className="sheet-side">
            <span className="section-label">{t('sheet.options')}</span>
            {many && <p className="muted small">{t('sheet.appliesAll', { n: paths.length })}</p>}
            <Field label={t('sheet.list')}>
              <SupplierListSelect lists={lists} value={list} onChange={setList} testId="supplier-list" />
              <span className="field-hint">
                {t('sheet.source', {
                  source: t(source === 'clickhouse' ? 'source.clickhouse' : 'source.demo'),
                })}
              </span>
              {listsError && <span className="field-error">{listsError}</span>}
            </Field>

            <OutDirField
              id="sheet-out-dir"
              testId="out-dir"
              chooseTestId="choose-out-dir"
              value={outDir}
              onChange={setOutDir}
              onError={setError}
            />

            <div className="field-pair">
              <SelectField
                label={t('sheet.priority')}
                testId="priority"
                value={priority}
                choices={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
                onChange={setPriority}
              />
              <NumberField
                label={t('sheet.alternatives')}
                testId="alternatives"
                min={0}
                max={20}
                step={1}
                value={alternatives}
                onChange={(v) => setAlternatives(Math.max(0, Math.min(20, Math.round(Number(v) || 0))))}
              />
            </div>
            <p className="field-hint">{t('sheet.alternativesHint')}</p>

            <div className="estimate">
              <div>
                <span className="field-label">{many ? t('sheet.totalRows') : t('sheet.rows')}</span>
                <span
                  className="estimate-value"
                  data-testid="estimated-rows"
                  data-value={loading ? '' : totalRows}
                >
                  {loading
                    ? '…'
                    : unknownRows && totalRows === 0
                      ? t('sheet.rowsUnknown')
                      : fmtNumber(t.lang, totalRows)}
                </span>
              </div>
              {!loading && totalRows > 0 && (
                <span className="muted small">
                  {t('sheet.estimate', { t: fmtSpan(t, totalRows / ROWS_PER_SECOND) })}
                </span>
              )}
            </div>
          </aside>
        </div>

        <footer className="sheet-foot">
          <div className="sheet-message" role="status">
            {error ? (
              <span className="field-error">{error}</span>
            ) : problem && !loading ? (
              <span className="muted">{problem}</span>
            ) : null}
          </div>
          <button type="button" className="btn" onClick={closeSheet}>
            {t('sheet.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn-primary js-start"
            data-testid="start-job"
            disabled={!canStart}
          >
            {many ? t('sheet.startMany', { n: ready.length }) : t('sheet.start')}
          </button>
        </footer>
      </Form>
    </Modal>
  );
}
