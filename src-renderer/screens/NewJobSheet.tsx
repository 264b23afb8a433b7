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
import { useCallback, useEffect, useRef, useState } from 'react';
import type { InspectColumns, InspectResult, SubmitSpecInput } from '../../src-main/common/contract.ts';
import { columnLetter } from '../../src-main/common/column-letters.ts';
import { LINE_PROBLEMS, type LineProblem } from '../../src-main/common/normalize.ts';
import { RESULT_TEXT } from '../../src-main/common/result-text.ts';
import type { PreviewCell, RememberedColumns } from '../../src-main/common/types.ts';
import { api, baseName, errorText } from '../api.ts';
import { IconAlert, IconClose, IconFile, IconInfo } from '../components/icons.tsx';
import { Modal } from '../components/Modal.tsx';
import { fmtNumber, fmtSpan, inspectProblem, useT, type T } from '../i18n/index.ts';
import {
  closeSheet,
  rememberOutDir,
  removeSheetPath,
  showJob,
  toast,
  upsertJob,
  useApp,
  type SheetJob,
} from '../store.ts';

const PRIORITIES = ['high', 'normal', 'low'] as const;
type Priority = (typeof PRIORITIES)[number];
const ANALOGS = ['off', 'missing', 'always'] as const;
type Analogs = (typeof ANALOGS)[number];
type Role = 'brand' | 'article' | 'quantity';
/** The columns as 0-based indexes (a letter in the pickers); null: none chosen (quantity: none). */
interface Columns {
  brand: number | null;
  article: number | null;
  quantity: number | null;
}
const NO_COLUMNS: Columns = { brand: null, article: null, quantity: null };
interface FileState {
  status: 'loading' | 'ready';
  inspect?: InspectResult;
  columns: Columns;
  /** The header row the user chose (0: none); unset: the detected one. */
  headerRow?: number;
  /** The worksheet the user picked; unset: the first with a Brand and Article header. */
  sheet?: string;
  /** The columns the user set last time for this header row, applied when the file opened. */
  remembered?: Columns;
  /** The lines are being checked again with the columns chosen (the counts follow). */
  checking?: boolean;
}

const ROWS_PER_SECOND = 100_000;
const LAST_LIST_KEY = 'crossdock.lastList';

const fromInspect = (c: InspectResult['columns'] | RememberedColumns): Columns => ({
  brand: c.brand,
  article: c.article,
  quantity: c.quantity,
});

/**
 * The columns a file opens with: those the user set by hand last time for this header row (the engine
 * recognises the row and says so in `remembered`), else the detected ones.
 */
function initialColumns(r: InspectResult): Pick<FileState, 'columns' | 'remembered'> {
  const m = r.remembered;
  if (m && m.brand !== null && m.article !== null) {
    const columns = fromInspect(m);
    return { columns, remembered: columns };
  }
  return { columns: fromInspect(r.columns) };
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

/** The header row a file is read with: chosen, detected, or (nothing found) the row shown as header. */
function headerRowOf(f: FileState): number | undefined {
  const r = f.inspect;
  if (f.headerRow !== undefined) return f.headerRow;
  if (!r) return undefined;
  return r.headerRow ?? r.topRows[0]?.row;
}

/** What a job (and a look with the user's choice) is given: 1-based indexes, "0" for no quantity. */
function specColumns(f: FileState): InspectColumns {
  const c = f.columns;
  const headerRow = headerRowOf(f);
  return {
    ...(c.brand !== null ? { brand: String(c.brand + 1) } : {}),
    ...(c.article !== null ? { article: String(c.article + 1) } : {}),
    quantity: c.quantity === null ? '0' : String(c.quantity + 1),
    ...(headerRow !== undefined ? { headerRow } : {}),
  };
}

/** Whether the lines are still to be counted with the columns chosen (both known, and different). */
function needsCount(f: FileState): boolean {
  const r = f.inspect;
  const c = f.columns;
  if (!r || c.brand === null || c.article === null || c.brand === c.article) return false;
  return r.validation === null || !sameColumns(c, fromInspect(r.columns));
}

/** The columns a job's spec names (header text or 1-based index) as indexes of an inspected file. */
function columnsOfSpec(r: InspectResult, c: SheetJob['columns']): Columns {
  const at = (v: string | undefined): number | null => {
    if (v === undefined) return null;
    if (/^\s*\d+\s*$/.test(v)) return Number(v) >= 1 ? Number(v) - 1 : null;
    const i = r.headers.findIndex((h) => h.trim().toLowerCase() === v.trim().toLowerCase());
    return i >= 0 ? i : null;
  };
  return {
    brand: at(c.brand) ?? r.columns.brand,
    article: at(c.article) ?? r.columns.article,
    quantity: c.quantity === undefined ? r.columns.quantity : at(c.quantity),
  };
}

function cellText(v: PreviewCell, t: T): string {
  if (v === null) return '';
  if (typeof v === 'number') return fmtNumber(t.lang, v);
  return String(v);
}

/** How many columns the file shows: its header and its rows, whichever is wider. */
function widthOf(r: InspectResult): number {
  return Math.max(
    r.headers.length,
    ...r.preview.map((row) => row.length),
    ...r.topRows.map((row) => row.cells.length),
  );
}

/** A column as the pickers and the preview name it: "B — Артикул"; a blank header by its letter only. */
function columnLabel(r: InspectResult, i: number): string {
  const h = r.headerRow === 0 ? '' : (r.headers[i] ?? '').trim();
  return h ? `${columnLetter(i)} — ${h}` : columnLetter(i);
}

/** The preview's invalid cells: "row:column" → the reason, in the words of the result's Note. */
function issueMap(r: InspectResult): Map<string, LineProblem> {
  return new Map(r.previewIssues.map((i) => [`${i.row}:${i.column}`, i.problem]));
}

function problemText(t: T, problem: LineProblem, value: string): string {
  return RESULT_TEXT[t.lang].note({ kind: 'invalid', problem, value: value.trim() });
}

function ColumnSelect({
  role,
  label,
  inspect,
  value,
  optional,
  invalid,
  onChange,
}: {
  role: Role;
  label: string;
  inspect: InspectResult | undefined;
  value: number | null;
  optional?: boolean;
  invalid?: boolean;
  onChange: (v: number | null) => void;
}) {
  const t = useT();
  const width = inspect ? widthOf(inspect) : 0;
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
        value={value === null ? '' : String(value)}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
      >
        {optional ? (
          <option value="">{t('sheet.noQuantity')}</option>
        ) : (
          <option value="" disabled>
            {t('sheet.choose')}
          </option>
        )}
        {inspect &&
          Array.from({ length: width }, (_, i) => (
            <option key={i} value={String(i)}>
              {columnLabel(inspect, i)}
            </option>
          ))}
      </select>
    </label>
  );
}

/** "Header row": the sheet's first rows by number (with their first cells), or "No header row". */
function HeaderRowSelect({
  file,
  onChange,
  t,
}: {
  file: FileState | undefined;
  onChange: (row: number) => void;
  t: T;
}) {
  const r = file?.inspect;
  const current = file ? headerRowOf(file) : undefined;
  const rows = r?.topRows ?? [];
  const listed = new Set(rows.map((row) => row.row));
  const summary = (cells: PreviewCell[]) =>
    cells
      .map((c) => cellText(c, t).trim())
      .filter(Boolean)
      .slice(0, 4)
      .join(', ');
  return (
    <label className="field header-row-field">
      <span className="field-label">{t('sheet.headerRow')}</span>
      <select
        className="select"
        data-testid="header-row"
        value={current === undefined ? '' : String(current)}
        disabled={!r || file?.status !== 'ready'}
        onChange={(e) => onChange(Number(e.target.value))}
      >
        {current === undefined && (
          <option value="" disabled>
            {t('sheet.chooseHeaderRow')}
          </option>
        )}
        <option value="0">{t('sheet.noHeaderRow')}</option>
        {current !== undefined && current > 0 && !listed.has(current) && (
          <option value={String(current)}>{t('sheet.rowN', { row: current })}</option>
        )}
        {rows.map((row) => {
          const text = summary(row.cells);
          return (
            <option key={row.row} value={String(row.row)}>
              {text ? t('sheet.rowWith', { row: row.row, text }) : t('sheet.rowN', { row: row.row })}
            </option>
          );
        })}
      </select>
    </label>
  );
}

function Preview({ file, t, onHeaderRow }: { file: FileState; t: T; onHeaderRow: (row: number) => void }) {
  const r = file.inspect;
  if (!r) return <div className="preview-loading">{t('sheet.inspecting')}</div>;
  const roleOf = (i: number): Role | null =>
    i === file.columns.brand
      ? 'brand'
      : i === file.columns.article
        ? 'article'
        : i === file.columns.quantity
          ? 'quantity'
          : null;
  const width = widthOf(r);
  const cols = Array.from({ length: width }, (_, i) => i);
  const issues = issueMap(r);
  const headerRow = headerRowOf(file);
  const headerless = r.headerRow === 0;
  return (
    <div className="preview-wrap">
      <table className="preview" data-testid="preview">
        <thead>
          <tr className="preview-header">
            <th className="rownum">{headerless ? '' : (headerRow ?? '')}</th>
            {cols.map((i) => {
              const role = roleOf(i);
              const h = headerless ? '' : (r.headers[i] ?? '');
              return (
                <th
                  key={i}
                  className={role ? `mapped mapped-${role}` : undefined}
                  title={columnLabel(r, i)}
                  data-column={columnLetter(i)}
                >
                  {role && (
                    <span className={`col-badge col-badge-${role}`}>{t(`sheet.${role}`).charAt(0)}</span>
                  )}
                  <span className="col-letter">{columnLetter(i)}</span>
                  {h}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {r.preview.map((row, ri) => {
            const n = r.previewRows[ri];
            return (
              <tr key={ri}>
                <td className="rownum">
                  {n !== undefined && (
                    <button
                      type="button"
                      className="rownum-btn"
                      title={t('sheet.useAsHeader', { row: n })}
                      aria-label={t('sheet.useAsHeader', { row: n })}
                      onClick={() => onHeaderRow(n)}
                    >
                      {n}
                    </button>
                  )}
                </td>
                {cols.map((ci) => {
                  const role = roleOf(ci);
                  const text = cellText(row[ci] ?? null, t);
                  const problem = issues.get(`${ri}:${ci}`);
                  const why = problem ? problemText(t, problem, text) : null;
                  const cls = [
                    role ? `mapped mapped-${role}` : '',
                    typeof row[ci] === 'number' ? 'num' : '',
                    why ? 'invalid-cell' : '',
                  ]
                    .filter(Boolean)
                    .join(' ');
                  return (
                    <td
                      key={ci}
                      className={cls || undefined}
                      title={why ? `${t('sheet.invalidCell')}: ${why}` : text}
                      data-problem={problem}
                    >
                      {text}
                      {why && (
                        <span className="visually-hidden">{` (${t('sheet.invalidCell')}: ${why})`}</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** "25 lines will be invalid: 12 no brand, 3 no article…" (or "All 200 lines can be priced."). */
function ValidationSummary({ file, t }: { file: FileState | undefined; t: T }) {
  const r = file?.inspect;
  if (!file || !r || file.status !== 'ready') return null;
  if (file.checking)
    return (
      <p className="validation-summary muted small" data-testid="validation-summary" aria-live="polite">
        {t('sheet.checking')}
      </p>
    );
  const v = r.validation;
  if (!v) return null;
  if (v.invalid === 0)
    return (
      <p className="validation-summary muted small" data-testid="validation-summary" aria-live="polite">
        {t('sheet.allValid', { n: v.lines })}
      </p>
    );
  const parts = LINE_PROBLEMS.filter((p) => v.byProblem[p] > 0).map((p) =>
    t(`sheet.problem.${p}`, { n: v.byProblem[p] }),
  );
  return (
    <Banner kind="warn" icon={IconAlert} testId="validation-summary">
      <span aria-live="polite">
        {t('sheet.invalidLines', { n: v.invalid })} {parts.join(', ')}. {t('sheet.invalidKept')}
      </span>
    </Banner>
  );
}

/** "312 of 1,500 lines have analogs in the catalog": the files' lines with a cross (inspect's count). */
function CrossesPreview({ files, t }: { files: (FileState | undefined)[]; t: T }) {
  let lines = 0;
  let withCrosses = 0;
  for (const f of files) {
    const v = f?.status === 'ready' && !f.checking ? f.inspect?.validation : null;
    if (!v || v.withCrosses === undefined || v.withCrosses === null) return null;
    lines += v.lines - v.invalid;
    withCrosses += v.withCrosses;
  }
  if (files.length === 0) return null;
  return (
    <p className="field-hint" data-testid="crosses-preview" data-value={withCrosses}>
      {withCrosses === 0 ? t('sheet.noCrosses') : t('sheet.withCrosses', { n: withCrosses, total: lines })}
    </p>
  );
}

export function NewJobSheet({ paths }: { paths: string[] }) {
  const t = useT();
  const settings = useApp((s) => s.settings);
  const sheetJobs = useApp((s) => s.sheetJobs);
  const firstJob = paths.map((p) => sheetJobs[p]).find((j): j is SheetJob => !!j);
  const [files, setFiles] = useState<Record<string, FileState>>({});
  const [active, setActive] = useState(paths[0]);
  const [outDir, setOutDir] = useState(firstJob?.outDir ?? settings?.defaultOutDir ?? '');
  const [priority, setPriority] = useState<Priority>(firstJob?.priority ?? 'normal');
  const [alternatives, setAlternatives] = useState(firstJob?.alternatives ?? 0);
  const [analogs, setAnalogs] = useState<Analogs>(firstJob?.analogs ?? 'off');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const started = useRef(new Set<string>());
  // The latest look asked for per file: an older answer that arrives later is dropped.
  const looks = useRef(new Map<string, number>());
  const source = settings?.source ?? 'demo';
  // The list of the job to run again, else the usual choice (stable: the hook reloads on a new one).
  const presetList = firstJob?.list;
  const pick = useCallback(
    (names: string[], current: string) =>
      presetList && !current && names.includes(presetList) ? presetList : pickList(names, current),
    [presetList],
  );
  const { lists, listsError, list, setList } = useSupplierLists(source, pick);

  const nameOf = (p: string) => sheetJobs[p]?.name ?? baseName(p);

  /**
   * Looks at a file (a job's file by its id), keeping only the answer to the latest look: `count`
   * false for a quick first look at its first rows, true to count the invalid lines of all of it.
   */
  const look = (
    path: string,
    sheet: string | undefined,
    columns: InspectColumns | undefined,
    count: boolean,
  ) => {
    const seq = (looks.current.get(path) ?? 0) + 1;
    looks.current.set(path, seq);
    const job = useApp.getState().sheetJobs[path];
    // Nothing as null: a call's arguments may cross as JSON (the test bridge), which has no undefined.
    const call = job
      ? api.inspectJobInput(job.jobId, sheet ?? null, columns ?? null, { count })
      : api.inspect(path, sheet ?? null, columns ?? null, { count });
    return call.then(
      (r) => (looks.current.get(path) === seq ? r : null),
      (err: unknown) => {
        if (looks.current.get(path) !== seq) return null;
        throw err;
      },
    );
  };

  /** Counts the invalid lines again with the columns the user chose (the preview stays). */
  const check = (path: string, f: FileState) => {
    setFiles((all) => ({ ...all, [path]: { ...all[path], checking: true } }));
    look(path, f.sheet, specColumns(f), true).then(
      (inspect) => {
        if (inspect)
          setFiles((all) => ({
            ...all,
            [path]: { ...all[path], inspect, status: 'ready', checking: false },
          }));
      },
      (err) => {
        toast('error', `${nameOf(path)}: ${errorText(err)}`);
        setFiles((all) => ({ ...all, [path]: { ...all[path], checking: false } }));
      },
    );
  };

  // Look at every file once, as it arrives: a job's file with that job's sheet and columns.
  useEffect(() => {
    for (const path of paths) {
      if (started.current.has(path)) continue;
      started.current.add(path);
      const job = useApp.getState().sheetJobs[path];
      const columns = job && Object.keys(job.columns).length ? job.columns : undefined;
      setFiles((f) => ({
        ...f,
        [path]: {
          status: 'loading',
          columns: NO_COLUMNS,
          sheet: job?.sheet,
          headerRow: job?.columns.headerRow,
        },
      }));
      look(path, job?.sheet, columns, false).then(
        (inspect) => {
          if (!inspect) return;
          const state: FileState = job
            ? {
                status: 'ready',
                inspect,
                columns: columnsOfSpec(inspect, job.columns),
                sheet: job.sheet,
                headerRow: job.columns.headerRow,
              }
            : { status: 'ready', inspect, ...initialColumns(inspect) };
          setFiles((f) => ({ ...f, [path]: state }));
          // The quick look did not count the lines (or counted them for other columns): count now.
          if (needsCount(state)) check(path, state);
        },
        (err) => {
          toast('error', `${nameOf(path)}: ${errorText(err)}`);
          removeSheetPath(path);
        },
      );
    }
    if (!paths.includes(active)) setActive(paths[0]);
    // look and check read the latest state through refs and setters only.
  }, [paths, active]);

  const current = files[active];
  const ready = paths.map((p) => files[p]).filter((f): f is FileState => f?.status === 'ready');
  const loading = paths.some((p) => files[p]?.status !== 'ready');
  const totalRows = ready.reduce((n, f) => n + (f.inspect?.estimatedRows ?? 0), 0);
  const unknownRows = ready.some((f) => f.inspect?.estimatedRows == null);
  const unmapped = paths.filter((p) => {
    const f = files[p];
    return f?.status === 'ready' && (f.columns.brand === null || f.columns.article === null);
  });
  const clashing = paths.filter((p) => {
    const f = files[p];
    return f?.status === 'ready' && f.columns.brand !== null && f.columns.brand === f.columns.article;
  });
  const unread = paths.filter((p) => {
    const f = files[p];
    return f?.status === 'ready' && !f.checking && !!f.inspect?.problemCode && !unmapped.includes(p);
  });

  // A column chosen for one file also fills the same gap in the batch's other files that have a
  // column with that header (ten exports of one system share their headers); each is counted again.
  const setColumns = (patch: Partial<Columns>) => {
    const all = files;
    const f = all[active];
    if (!f?.inspect) return;
    const next: Record<string, FileState> = { [active]: { ...f, columns: { ...f.columns, ...patch } } };
    for (const [path, file] of Object.entries(all)) {
      if (path === active || file.status !== 'ready' || !file.inspect || file.inspect.headerRow === 0)
        continue;
      const fill: Partial<Columns> = {};
      for (const [role, index] of Object.entries(patch) as [Role, number | null][]) {
        const header = index === null ? '' : (f.inspect.headers[index] ?? '').trim();
        const there = header ? file.inspect.headers.findIndex((h) => h.trim() === header) : -1;
        if (there >= 0 && file.columns[role] === null) fill[role] = there;
      }
      if (Object.keys(fill).length) next[path] = { ...file, columns: { ...file.columns, ...fill } };
    }
    setFiles((s) => ({ ...s, ...next }));
    for (const [path, file] of Object.entries(next))
      if (
        file.columns.brand !== null &&
        file.columns.article !== null &&
        file.columns.brand !== file.columns.article
      )
        check(path, file);
  };

  // Another worksheet, or another header row: look at the file again, with its own detected columns
  // (without a header row, the columns chosen so far, since they can only be given by index).
  const reread = (path: string, sheet: string | undefined, headerRow: number | undefined) => {
    const f = files[path];
    const keep = headerRow === 0 && f ? specColumns({ ...f, headerRow }) : undefined;
    const columns = headerRow === undefined ? undefined : (keep ?? { headerRow });
    setFiles((all) => ({ ...all, [path]: { ...all[path], status: 'loading', sheet, headerRow } }));
    look(path, sheet, columns, false).then(
      (inspect) => {
        if (!inspect) return;
        const state: FileState =
          headerRow === 0 && f
            ? { status: 'ready', inspect, columns: f.columns, sheet, headerRow }
            : { status: 'ready', inspect, columns: fromInspect(inspect.columns), sheet, headerRow };
        setFiles((all) => ({ ...all, [path]: state }));
        if (needsCount(state)) check(path, state);
      },
      (err) => {
        toast('error', `${nameOf(path)}: ${errorText(err)}`);
        setFiles((all) => ({ ...all, [path]: { ...all[path], status: 'ready' } }));
      },
    );
  };
  const chooseSheet = (sheet: string) => reread(active, sheet, undefined);
  const chooseHeaderRow = (row: number) => reread(active, current?.sheet, row);

  const problem =
    !list && lists !== null
      ? t('sheet.needList')
      : !outDir.trim()
        ? t('sheet.needOutDir')
        : unmapped.length
          ? t('sheet.mapNeeded')
          : clashing.length
            ? t('sheet.sameColumn')
            : unread.length
              ? t('sheet.fixProblem')
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
      const job = sheetJobs[path];
      const r = f.inspect;
      // The sheet the preview showed, when it is not the one the job would find by itself.
      const sheet = f.sheet ?? (r?.sheet && r.sheet !== r.sheetNames[0] ? r.sheet : undefined);
      const spec: SubmitSpecInput = {
        kind: 'crossdock',
        input: job?.input ?? path,
        list,
        outDir: dir,
        source,
        alternatives,
        analogs,
        lang: t.lang,
        priority,
        columns: specColumns(f),
        ...(sheet ? { sheet } : {}),
      };
      try {
        // The engine remembers these columns for the file's header row if they differ from the detected ones.
        const { job, duplicate } = await api.submit(
          spec,
          sheetJobs[path] ? { fromJob: sheetJobs[path].jobId } : { rememberColumns: true },
        );
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
        setError(`${nameOf(path)}: ${errorText(err)}`);
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
        <div className="sheet-head">
          <div className="sheet-title">
            <h2>
              {many
                ? t('sheet.titleMany', { n: paths.length })
                : firstJob
                  ? t('sheet.againTitle', { name: firstJob.name })
                  : t('sheet.title')}
            </h2>
            {!many && (
              <span className="muted ellipsis" title={firstJob?.input ?? paths[0]}>
                {firstJob?.input ?? paths[0]}
              </span>
            )}
          </div>
          <CloseButton label={t('action.close')} onClick={closeSheet} />
        </div>

        <div className="sheet-body">
          <div className="sheet-main">
            {many && (
              <div className="file-tabs" role="tablist" aria-label={t('sheet.files')}>
                {paths.map((p) => {
                  const f = files[p];
                  const bad =
                    f?.status === 'ready' &&
                    (f.columns.brand === null || f.columns.article === null || unread.includes(p));
                  return (
                    <div key={p} className={`file-tab${p === active ? ' active' : ''}`}>
                      <button
                        type="button"
                        role="tab"
                        aria-selected={p === active}
                        className="file-tab-btn"
                        title={sheetJobs[p]?.input ?? p}
                        onClick={() => setActive(p)}
                      >
                        {bad ? <IconAlert size={14} className="warn-icon" /> : <IconFile size={14} />}
                        <span className="ellipsis">{nameOf(p)}</span>
                        {f?.inspect?.estimatedRows != null && (
                          <span className="file-tab-rows">{fmtNumber(t.lang, f.inspect.estimatedRows)}</span>
                        )}
                      </button>
                      <button
                        type="button"
                        className="icon-btn icon-btn-sm"
                        title={t('sheet.remove')}
                        aria-label={`${t('sheet.remove')}: ${nameOf(p)}`}
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

            <fieldset className="columns-row" disabled={!r || current?.status !== 'ready'}>
              <legend className="section-label">{t('sheet.columns')}</legend>
              <HeaderRowSelect file={current} onChange={chooseHeaderRow} t={t} />
              <ColumnSelect
                role="brand"
                label={t('sheet.brand')}
                inspect={r}
                value={current?.columns.brand ?? null}
                invalid={!!r && current?.columns.brand === null}
                onChange={(v) => setColumns({ brand: v })}
              />
              <ColumnSelect
                role="article"
                label={t('sheet.article')}
                inspect={r}
                value={current?.columns.article ?? null}
                invalid={!!r && current?.columns.article === null}
                onChange={(v) => setColumns({ article: v })}
              />
              <ColumnSelect
                role="quantity"
                label={t('sheet.quantity')}
                inspect={r}
                value={current?.columns.quantity ?? null}
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
                    : r.headerRow === 0
                      ? t('sheet.sheetWithoutHeader', { sheet: r.sheet })
                      : t('sheet.sheetNoHeader', { sheet: r.sheet })}
                  {r.estimatedRows != null && ` · ${t('rows', { n: r.estimatedRows })}`}
                </span>
              )}
            </div>
            {current?.status === 'ready' ? (
              <Preview file={current} t={t} onHeaderRow={chooseHeaderRow} />
            ) : (
              <div className="preview-loading">{t('sheet.inspecting')}</div>
            )}
            <ValidationSummary file={current} t={t} />
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

            <SelectField
              label={t('sheet.analogs')}
              testId="analogs"
              value={analogs}
              choices={ANALOGS.map((a) => ({ value: a, label: t(`sheet.analogs.${a}`) }))}
              onChange={setAnalogs}
            />
            <p className="field-hint">{t(`sheet.analogsHint.${analogs}`)}</p>
            <CrossesPreview files={paths.map((p) => files[p])} t={t} />

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
