import { useCallback, useEffect, useRef, useState } from 'react';
import type { Job, JobComment, JobDetails, JobLogLine } from '../../src-main/common/contract.ts';
import { CloseButton, IconButton, ProgressBar, StatusPill } from '../components/bits.tsx';
import { Form } from '../components/fields.tsx';
import { IconEdit, IconExternal, IconFolder, IconRetry, IconStop, IconTrash } from '../components/icons.tsx';
import { useNow } from '../hooks.ts';
import { api, baseName } from '../api.ts';
import {
  fmtClock,
  fmtDateTime,
  fmtEta,
  fmtNumber,
  fmtPercent,
  jobError,
  logLine,
  useT,
  type Key,
  type T,
} from '../i18n/index.ts';
import {
  attempt,
  cancelJob,
  closeDetail,
  confirmThen,
  deleteJob,
  openResult,
  retryJob,
  runAgainWith,
  showInFolder,
  useApp,
} from '../store.ts';

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

function Path({ path }: { path: string }) {
  return (
    <span className="path" title={path}>
      {path}
    </span>
  );
}

function ResultStats({ job, t }: { job: Job; t: T }) {
  const r = job.result;
  if (!r) return null;
  const total = r.rows || 1;
  const parts: { key: Key; value: number; cls: string }[] = [
    { key: 'detail.found', value: r.found, cls: 'found' },
    { key: 'detail.partial', value: r.partial, cls: 'partial' },
    { key: 'detail.notFound', value: r.notFound, cls: 'notfound' },
    { key: 'detail.invalid', value: r.invalid, cls: 'invalid' },
  ];
  return (
    <section className="detail-section">
      <h3>{t('detail.result')}</h3>
      <div className="stats">
        <div className="stat">
          <span className="stat-value">{fmtNumber(t.lang, r.rows)}</span>
          <span className="stat-label">{t('detail.rows')}</span>
        </div>
        {parts.map((p) => (
          <div key={p.key} className={`stat stat-${p.cls}`}>
            <span className="stat-value">
              {fmtNumber(t.lang, p.value)}
              <span className="stat-pct">{fmtPercent(t.lang, p.value / total)}</span>
            </span>
            <span className="stat-label">{t(p.key)}</span>
          </div>
        ))}
      </div>
      <div className="stack-bar" aria-hidden="true">
        {parts.map((p) =>
          p.value > 0 ? <span key={p.key} className={`seg-${p.cls}`} style={{ flexGrow: p.value }} /> : null,
        )}
      </div>
      {r.rule && <RuleLine rule={r.rule} t={t} />}
    </section>
  );
}

/** How the rule priced the lines: analogs, pack or minimum rounding, aliases, offers without a rate. */
function RuleLine({ rule, t }: { rule: NonNullable<Job['result']>['rule'] & object; t: T }) {
  const facts: { key: Key; n: number; testId: string; warn?: boolean }[] = [
    { key: 'detail.ruleAnalogs', n: rule.analogs, testId: 'rule-analogs' },
    { key: 'detail.ruleRounded', n: rule.rounded, testId: 'rule-rounded' },
    { key: 'detail.ruleAliased', n: rule.aliased, testId: 'rule-aliased' },
    { key: 'detail.ruleUnrated', n: rule.unrated, testId: 'rule-unrated', warn: true },
  ];
  return (
    <ul className="rule-facts" aria-label={t('detail.rule')}>
      {facts
        .filter((f) => f.n > 0)
        .map((f) => (
          <li key={f.key} data-testid={f.testId} className={f.warn ? 'warn' : undefined}>
            {t(f.key, { n: f.n, currency: rule.baseCurrency })}
          </li>
        ))}
      <li data-testid="rule-currency">{t('detail.ruleCurrency', { currency: rule.baseCurrency })}</li>
    </ul>
  );
}

function Comments({ jobId, initial }: { jobId: string; initial: JobComment[] }) {
  const t = useT();
  const [comments, setComments] = useState(initial);
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<number | null>(null);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => setComments(initial), [initial]);

  const add = async () => {
    if (!text.trim() || busy) return;
    setBusy(true);
    await attempt(async () => {
      const c = await api.addComment(jobId, text.trim());
      setComments((cs) => [...cs, c]);
      setText('');
    });
    setBusy(false);
  };
  const save = async (id: number) => {
    if (!draft.trim()) return;
    await attempt(async () => {
      const c = await api.editComment(id, draft.trim());
      setComments((cs) => cs.map((x) => (x.id === id ? c : x)));
      setEditing(null);
    });
  };
  const remove = (id: number) =>
    confirmThen(
      {
        title: t('detail.deleteComment.title'),
        body: t('detail.deleteComment.body'),
        okLabel: t('confirm.delete'),
        danger: true,
      },
      async () => {
        await api.deleteComment(id);
        setComments((cs) => cs.filter((x) => x.id !== id));
      },
    );

  return (
    <section className="detail-section">
      <h3>
        {t('detail.comments')} {comments.length > 0 && <span className="count">{comments.length}</span>}
      </h3>
      {comments.length === 0 && <p className="muted small">{t('detail.noComments')}</p>}
      <ul className="comments">
        {comments.map((c) => (
          <li key={c.id} className="comment" data-testid="comment" data-comment-id={c.id}>
            <div className="comment-head">
              <span className="comment-author">{c.author}</span>
              <span className="muted small" title={fmtDateTime(t.lang, c.createdAt)}>
                {fmtDateTime(t.lang, c.createdAt)}
                {c.updatedAt > c.createdAt && ` · ${t('detail.commentEdited')}`}
              </span>
              {editing !== c.id && (
                <span className="comment-actions">
                  <IconButton
                    label={t('detail.commentEdit')}
                    className="icon-btn-sm"
                    testId="comment-edit"
                    onClick={() => {
                      setEditing(c.id);
                      setDraft(c.text);
                    }}
                  >
                    <IconEdit size={14} />
                  </IconButton>
                  <IconButton
                    label={t('detail.commentDelete')}
                    className="icon-btn-sm icon-btn-danger"
                    testId="comment-delete"
                    onClick={() => void remove(c.id)}
                  >
                    <IconTrash size={14} />
                  </IconButton>
                </span>
              )}
            </div>
            {editing === c.id ? (
              <Form className="comment-edit" onSubmit={() => save(c.id)}>
                <textarea
                  className="input"
                  data-testid="comment-edit-input"
                  aria-label={t('detail.commentEdit')}
                  value={draft}
                  autoFocus
                  rows={2}
                  onChange={(e) => setDraft(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                      e.stopPropagation();
                      setEditing(null);
                    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                      e.preventDefault();
                      void save(c.id);
                    }
                  }}
                />
                <div className="row-gap">
                  <button type="button" className="btn btn-small" onClick={() => setEditing(null)}>
                    {t('detail.commentCancel')}
                  </button>
                  <button
                    type="submit"
                    className="btn btn-small btn-primary"
                    data-testid="comment-save"
                    disabled={!draft.trim()}
                  >
                    {t('detail.commentSave')}
                  </button>
                </div>
              </Form>
            ) : (
              <p className="comment-text">{c.text}</p>
            )}
          </li>
        ))}
      </ul>
      <Form className="comment-new" onSubmit={add}>
        <textarea
          className="input"
          data-testid="comment-input"
          aria-label={t('detail.commentPlaceholder')}
          placeholder={t('detail.commentPlaceholder')}
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void add();
            }
          }}
        />
        <button
          type="submit"
          className="btn btn-small"
          data-testid="comment-add"
          disabled={!text.trim() || busy}
        >
          {t('detail.commentAdd')}
        </button>
      </Form>
    </section>
  );
}

function Log({ jobId, initial }: { jobId: string; initial: JobLogLine[] }) {
  const t = useT();
  const [lines, setLines] = useState(initial);
  const ref = useRef<HTMLOListElement>(null);
  useEffect(() => setLines(initial), [initial]);
  useEffect(
    () =>
      api.on('log', (line) => {
        if (line.jobId !== jobId) return;
        setLines((ls) => (ls.some((l) => l.id === line.id) ? ls : [...ls, line]));
      }),
    [jobId],
  );
  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  const time = new Intl.DateTimeFormat(t.lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return (
    <section className="detail-section">
      <h3>{t('detail.log')}</h3>
      <ol className="log" data-testid="job-log" ref={ref} tabIndex={0} aria-label={t('detail.log')}>
        {lines.length === 0 && <li className="muted">{t('detail.logEmpty')}</li>}
        {lines.map((l) => (
          <li key={l.id} className={`log-${l.level}`}>
            <time>{time.format(l.at)}</time>
            <span>{logLine(t.lang, l)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function JobDetail({ jobId }: { jobId: string }) {
  const t = useT();
  const live = useApp((s) => s.jobs[jobId]);
  const progress = useApp((s) => s.progress[jobId]);
  const [details, setDetails] = useState<JobDetails | null | undefined>(undefined);
  const panelRef = useRef<HTMLElement>(null);

  const load = useCallback(() => attempt(async () => setDetails(await api.getJob(jobId))), [jobId]);

  useEffect(() => setDetails(undefined), [jobId]);
  // Load, and reload when the job changes state (its queue place, attempts, outputs).
  const stamp = live ? `${live.status}:${live.attempts}:${live.updatedAt}` : '';
  useEffect(() => {
    void load();
  }, [stamp, load]);

  const job = live ?? details?.job;
  const running = job?.status === 'running';
  const now = useNow(running);

  return (
    <aside
      className="detail"
      data-testid="job-detail"
      aria-label={t('detail.title')}
      ref={panelRef}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.stopPropagation();
          closeDetail();
        }
      }}
    >
      <header className="detail-head">
        <div className="detail-title">
          <h2 className="ellipsis" title={job?.name}>
            {job?.name ?? t('detail.title')}
          </h2>
          {job && (
            <div className="detail-sub">
              <StatusPill status={job.status} cancelling={job.cancelRequested} />
              <span className="muted">{t(`kind.${job.kind}` as Key)}</span>
              {details?.queuePosition != null && job.status === 'queued' && (
                <span className="muted">{t('jobs.queuePos', { n: details.queuePosition })}</span>
              )}
            </div>
          )}
        </div>
        <CloseButton label={t('action.close')} onClick={closeDetail} />
      </header>

      {details === undefined && !job && <p className="detail-note">{t('detail.loading')}</p>}
      {details === null && !live && <p className="detail-note">{t('detail.notFoundJob')}</p>}

      {job && (
        <div className="detail-body">
          <div className="detail-actions">
            {job.status === 'succeeded' && job.outputs[0] && (
              <>
                <button
                  type="button"
                  className="btn btn-primary"
                  onClick={() => void openResult(job.outputs[0])}
                >
                  <IconExternal /> {t('action.open')}
                </button>
                <button type="button" className="btn" onClick={() => void showInFolder(job.outputs[0])}>
                  <IconFolder /> {t('action.show')}
                </button>
              </>
            )}
            {(job.status === 'queued' || job.status === 'running') && (
              <button
                type="button"
                className="btn"
                disabled={job.cancelRequested}
                onClick={() => void cancelJob(job)}
              >
                <IconStop /> {t('action.cancel')}
              </button>
            )}
            {(job.status === 'failed' || job.status === 'cancelled') && (
              <button type="button" className="btn" onClick={() => void retryJob(job)}>
                <IconRetry /> {t('action.retry')}
              </button>
            )}
            {job.status === 'failed' && job.kind === 'crossdock' && job.spec.inputCopy !== undefined && (
              <button
                type="button"
                className="btn"
                data-testid="run-again-with"
                title={t('sheet.againHint')}
                onClick={() => runAgainWith(job)}
              >
                <IconEdit /> {t('sheet.againAction')}
              </button>
            )}
            {job.status !== 'queued' && job.status !== 'running' && (
              <button type="button" className="btn btn-ghost-danger" onClick={() => void deleteJob(job)}>
                <IconTrash /> {t('action.delete')}
              </button>
            )}
          </div>

          {(job.status === 'running' || job.status === 'queued') && (
            <section className="detail-section">
              <h3>{t('detail.progress')}</h3>
              <ProgressBar progress={progress} status={job.status} label={job.name} />
              <div className="progress-line detail-progress-line">
                {progress && <span className="strong">{t(`stage.${progress.stage}` as Key)}</span>}
                {progress?.total ? (
                  <span>
                    {t('jobs.rowsOf', {
                      done: fmtNumber(t.lang, progress.done),
                      total: fmtNumber(t.lang, progress.total),
                    })}{' '}
                    · {Math.floor((progress.done / progress.total) * 100)}%
                  </span>
                ) : progress?.done ? (
                  <span>{t('rows', { n: progress.done })}</span>
                ) : null}
                {progress?.eta != null && progress.eta > 0 && (
                  <span>{t('jobs.eta', { t: fmtEta(t.lang, progress.eta) })}</span>
                )}
              </div>
            </section>
          )}

          {job.error && (
            <section className="detail-section">
              <h3>{t('detail.error')}</h3>
              <div className="error-box" data-testid="job-error" role="alert">
                {jobError(t.lang, job)}
              </div>
              {job.errorDetails && (
                <details className="error-details">
                  <summary>{t('detail.errorDetails')}</summary>
                  <pre>{job.errorDetails}</pre>
                </details>
              )}
            </section>
          )}

          {job.status === 'succeeded' && <ResultStats job={job} t={t} />}

          {job.status === 'succeeded' && job.outputs.length > 0 && (
            <section className="detail-section">
              <h3>{t('detail.outputs')}</h3>
              <ul className="outputs">
                {job.outputs.map((path) => (
                  <li key={path}>
                    <span className="output-name ellipsis" title={path}>
                      {baseName(path)}
                    </span>
                    <IconButton label={t('action.open')} onClick={() => void openResult(path)}>
                      <IconExternal />
                    </IconButton>
                    <IconButton label={t('action.show')} onClick={() => void showInFolder(path)}>
                      <IconFolder />
                    </IconButton>
                  </li>
                ))}
              </ul>
            </section>
          )}

          <Options job={job} t={t} />

          <section className="detail-section">
            <h3>{t('detail.timings')}</h3>
            <dl className="props">
              <Row label={t('detail.created')}>{fmtDateTime(t.lang, job.createdAt)}</Row>
              <Row label={t('detail.started')} testId="detail-started">
                {job.startedAt ? fmtDateTime(t.lang, job.startedAt) : '—'}
              </Row>
              <Row label={t('detail.finished')}>
                {job.finishedAt ? fmtDateTime(t.lang, job.finishedAt) : '—'}
              </Row>
              <Row label={t('detail.duration')} testId="detail-duration">
                {job.startedAt
                  ? fmtClock((job.finishedAt ?? (running ? now : job.updatedAt)) - job.startedAt)
                  : '—'}
              </Row>
              <Row label={t('detail.attempts')} testId="detail-attempts">
                {t('detail.attemptsValue', { n: job.attempts, max: job.maxAttempts })}
              </Row>
              <Row label={t('detail.submittedBy')}>{job.submittedBy}</Row>
              <Row label={t('detail.origin')}>
                {t(job.origin === 'team' ? 'detail.originTeam' : 'detail.originLocal')}
              </Row>
            </dl>
          </section>

          {details && <Comments jobId={job.id} initial={details.comments} />}
          {details && <Log jobId={job.id} initial={details.logs} />}
        </div>
      )}
    </aside>
  );
}

function Options({ job, t }: { job: Job; t: T }) {
  const spec = job.spec;
  const cols = spec.columns ?? {};
  const colText = [cols.brand, cols.article, cols.quantity].some(Boolean)
    ? [
        `${t('sheet.brand')}: ${cols.brand ?? '—'}`,
        `${t('sheet.article')}: ${cols.article ?? '—'}`,
        `${t('sheet.quantity')}: ${cols.quantity ?? '—'}`,
      ].join(' · ')
    : t('detail.columnsAuto');
  return (
    <section className="detail-section">
      <h3>{t('detail.options')}</h3>
      <dl className="props">
        {spec.input && (
          <Row label={t('detail.input')}>
            <Path path={spec.input} />
          </Row>
        )}
        {spec.list && <Row label={t('detail.list')}>{spec.list}</Row>}
        {spec.supplier && <Row label={t('detail.supplier')}>{spec.supplier}</Row>}
        {spec.query && (
          <Row label={t('detail.query')}>
            <code className="path">
              {spec.query.length > 400 ? `${spec.query.slice(0, 400)}…` : spec.query}
            </code>
          </Row>
        )}
        {spec.brand && <Row label={t('detail.brand')}>{spec.brand}</Row>}
        {spec.source && (
          <Row label={t('detail.source')}>
            {t(spec.source === 'clickhouse' ? 'source.clickhouse' : 'source.demo')}
          </Row>
        )}
        {job.kind === 'crossdock' && <Row label={t('detail.columns')}>{colText}</Row>}
        {job.kind === 'crossdock' && cols.headerRow !== undefined && (
          <Row label={t('detail.headerRow')}>
            {cols.headerRow === 0 ? t('detail.noHeaderRow') : t('detail.headerRowN', { n: cols.headerRow })}
          </Row>
        )}
        {job.kind === 'crossdock' && (
          <Row label={t('sheet.analogs')}>{t(`sheet.analogs.${spec.analogs ?? 'off'}` as Key)}</Row>
        )}
        {job.kind === 'crossdock' && <Row label={t('detail.baseCurrency')}>{spec.baseCurrency ?? 'RUB'}</Row>}
        {job.kind === 'crossdock' && (
          <Row label={t('detail.resultLang')}>{spec.lang === 'ru' ? 'Русский' : 'English'}</Row>
        )}
        {job.kind === 'crossdock' && (
          <Row label={t('detail.alternatives')}>
            {spec.alternatives ? fmtNumber(t.lang, spec.alternatives) : t('detail.off')}
          </Row>
        )}
        {spec.format && <Row label={t('detail.format')}>{spec.format.toUpperCase()}</Row>}
        <Row label={t('detail.priority')}>{t(`priority.${job.priority}` as Key)}</Row>
        {spec.outDir && (
          <Row label={t('detail.outDir')}>
            <Path path={spec.outDir} />
          </Row>
        )}
      </dl>
    </section>
  );
}
