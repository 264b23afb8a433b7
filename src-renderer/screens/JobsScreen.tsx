import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Job } from '../../src-main/common/contract.ts';
import { Select } from '../components/fields.tsx';
import { IconSearch, IconTrash } from '../components/icons.tsx';
import { useT } from '../i18n/index.ts';
import { clearFinishedJobs, FINISHED, selectJob, useApp } from '../store.ts';
import { EmptyJobs } from './EmptyJobs.tsx';
import { JobDetail } from './JobDetail.tsx';
import { JobRow, ROW_HEIGHT } from './JobRow.tsx';

const STATUSES = ['all', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const KINDS = ['all', 'crossdock', 'export', 'catalog-import'] as const;
const RANK = { high: 0, normal: 1, low: 2 } as const;

/** 1-based queue places, in the order the scheduler takes jobs: priority, then age. */
function queuePositions(jobs: Job[]): Map<string, number> {
  const queued = jobs.filter((j) => j.status === 'queued');
  queued.sort(
    (a, b) => RANK[a.priority] - RANK[b.priority] || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1),
  );
  return new Map(queued.map((j, i) => [j.id, i + 1]));
}

export function JobsScreen() {
  const t = useT();
  const jobsById = useApp((s) => s.jobs);
  const loaded = useApp((s) => s.jobsLoaded);
  const selectedId = useApp((s) => s.selectedJobId);
  const detailOpen = useApp((s) => s.detailOpen);
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('all');
  const [kind, setKind] = useState<(typeof KINDS)[number]>('all');
  const [search, setSearch] = useState('');

  const all = useMemo(() => Object.values(jobsById), [jobsById]);
  const positions = useMemo(() => queuePositions(all), [all]);
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const j of all) c[j.status] = (c[j.status] ?? 0) + 1;
    return c;
  }, [all]);
  const shown = useMemo(() => {
    const q = search.trim().toLocaleLowerCase();
    const list = all.filter((j) => {
      if (status !== 'all' && j.status !== status) return false;
      if (kind !== 'all' && j.kind !== kind) return false;
      if (!q) return true;
      const spec = j.spec;
      return (
        j.name.toLocaleLowerCase().includes(q) ||
        (typeof spec.list === 'string' && spec.list.toLocaleLowerCase().includes(q)) ||
        (typeof spec.brand === 'string' && spec.brand.toLocaleLowerCase().includes(q))
      );
    });
    // Newest first (ids are time-sortable ULIDs: ties in createdAt keep the order of submission).
    list.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    return list;
  }, [all, status, kind, search]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => shown[i].id,
  });

  // Keep the selected row in view when it is picked from elsewhere (a notification, the keyboard).
  useEffect(() => {
    if (!selectedId) return;
    const i = shown.findIndex((j) => j.id === selectedId);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'auto' });
  }, [selectedId]);

  const onListKey = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const i = shown.findIndex((j) => j.id === selectedId);
    const next =
      e.key === 'Home'
        ? 0
        : e.key === 'End'
          ? shown.length - 1
          : Math.max(0, Math.min(shown.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)));
    const job = shown[next];
    if (!job) return;
    selectJob(job.id, detailOpen);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() =>
      scrollRef.current?.querySelector<HTMLElement>(`[data-job-id="${job.id}"]`)?.focus(),
    );
  };

  const filtered = status !== 'all' || kind !== 'all' || search.trim() !== '';
  const finishedShown = useMemo(() => shown.filter((j) => FINISHED.includes(j.status)).length, [shown]);
  const empty = loaded && all.length === 0;

  return (
    <div className={`jobs-screen${detailOpen && selectedId ? ' with-detail' : ''}`}>
      <section className="jobs-main" aria-label={t('jobs.title')}>
        <div className="toolbar" hidden={empty}>
          <label className="search">
            <IconSearch size={14} />
            <input
              type="search"
              data-testid="search"
              placeholder={t('jobs.search')}
              aria-label={t('jobs.search')}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && search) {
                  e.stopPropagation();
                  setSearch('');
                }
              }}
            />
          </label>
          <Select
            testId="filter-status"
            label={t('jobs.filterStatus')}
            value={status}
            choices={STATUSES.map((s) => ({
              value: s,
              label: s === 'all' ? t('jobs.all') : `${t(`status.${s}`)} (${counts[s] ?? 0})`,
            }))}
            onChange={setStatus}
          />
          <Select
            testId="filter-kind"
            label={t('jobs.filterKind')}
            value={kind}
            choices={KINDS.map((k) => ({
              value: k,
              label: k === 'all' ? t('jobs.allKinds') : t(`kind.${k}`),
            }))}
            onChange={setKind}
          />
          <span className="toolbar-count">
            {filtered
              ? t('jobs.shown', { shown: shown.length, total: t('jobs.count', { n: all.length }) })
              : t('jobs.count', { n: all.length })}
          </span>
          <button
            type="button"
            className="btn"
            data-testid="clear-finished"
            data-count={finishedShown}
            title={t('jobs.clearFinishedTitle')}
            aria-label={t('jobs.clearFinished')}
            disabled={finishedShown === 0}
            onClick={() => void clearFinishedJobs(shown, filtered)}
          >
            <IconTrash size={14} />
            <span className="toolbar-clear-label">{t('jobs.clearFinished')}</span>
          </button>
        </div>

        {empty ? (
          <EmptyJobs />
        ) : (
          <div className="table" role="grid" aria-label={t('jobs.title')} aria-rowcount={shown.length}>
            <div className="table-head" role="row">
              <div role="columnheader">{t('jobs.col.name')}</div>
              <div role="columnheader">{t('jobs.col.status')}</div>
              <div role="columnheader">{t('jobs.col.progress')}</div>
              <div role="columnheader" className="cell-num cell-elapsed">
                {t('jobs.col.elapsed')}
              </div>
              <div role="columnheader" className="cell-num cell-created">
                {t('jobs.col.created')}
              </div>
              <div role="columnheader">
                <span className="visually-hidden">{t('jobs.col.actions')}</span>
              </div>
            </div>
            <div className="table-body" ref={scrollRef} onKeyDown={onListKey}>
              {!loaded && <div className="table-note">{t('jobs.loading')}</div>}
              {loaded && shown.length === 0 && (
                <div className="table-note">
                  {t('jobs.noMatch')}{' '}
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      setStatus('all');
                      setKind('all');
                      setSearch('');
                    }}
                  >
                    {t('jobs.clearFilters')}
                  </button>
                </div>
              )}
              <div className="table-rows" style={{ height: virtualizer.getTotalSize() }} role="rowgroup">
                {virtualizer.getVirtualItems().map((item) => {
                  const job = shown[item.index];
                  return (
                    <JobRow
                      key={job.id}
                      job={job}
                      index={item.index}
                      top={item.start}
                      selected={job.id === selectedId}
                      focusable={
                        job.id === selectedId || (item.index === 0 && !shown.some((j) => j.id === selectedId))
                      }
                      queuePos={positions.get(job.id) ?? null}
                    />
                  );
                })}
              </div>
            </div>
          </div>
        )}
      </section>
      {detailOpen && selectedId && <JobDetail jobId={selectedId} />}
    </div>
  );
}
