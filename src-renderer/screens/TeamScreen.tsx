import { errorText } from '../api.ts';
import { Card } from '../components/bits.tsx';
import { IconCloudOff, IconTeam } from '../components/icons.tsx';
import { fmtNumber, fmtPercent, fmtWhen, useT, type Key } from '../i18n/index.ts';
import { navigate, showJob, useApp } from '../store.ts';

const QUEUE_KEYS = ['waiting', 'active', 'delayed', 'completed', 'failed', 'paused'] as const;

export function TeamScreen() {
  const t = useT();
  const team = useApp((s) => s.team);
  const jobs = useApp((s) => s.jobs);
  const state = team?.state ?? 'off';

  if (state === 'off') {
    return (
      <div className="page">
        <div className="empty">
          <div className="empty-zone small-zone" data-testid="team-off">
            <span className="empty-icon">
              <IconTeam size={32} />
            </span>
            <h2>{t('team.off.title')}</h2>
            <p>{t('team.off.body')}</p>
            <button type="button" className="btn btn-primary" onClick={() => navigate('settings')}>
              {t('team.off.link')}
            </button>
          </div>
        </div>
      </div>
    );
  }

  const workers = team?.workers ?? [];
  const lastHour = team?.lastHour;
  return (
    <div className="page">
      <div className="toolbar">
        <span className="toolbar-title">
          {team?.team ? t('team.name', { name: team.team }) : t('team.title')}
        </span>
        <span className={`pill pill-team-${state}`} data-testid="team-state">
          <span className="pill-dot" />
          {t(`team.state.${state}` as Key)}
        </span>
      </div>
      <div className="page-scroll team">
        {team?.error && (
          <div className="banner banner-warn" role="alert">
            <IconCloudOff size={16} />
            <span>{errorText({ code: team.errorCode, params: team.errorParams, message: team.error })}</span>
          </div>
        )}
        {team && team.pendingSubmissions > 0 && (
          <div className="banner banner-info">{t('team.pending', { n: team.pendingSubmissions })}</div>
        )}

        <Card title={t('team.queue')}>
          <div className="stats">
            {QUEUE_KEYS.map((k) => (
              <div key={k} className="stat">
                <span className="stat-value">{team?.queue ? fmtNumber(t.lang, team.queue[k]) : '—'}</span>
                <span className="stat-label">{t(`team.q.${k}` as Key)}</span>
              </div>
            ))}
          </div>
        </Card>

        <Card title={t('team.lastHour')}>
          <div className="stats">
            <div className="stat stat-found">
              <span className="stat-value">{lastHour ? fmtNumber(t.lang, lastHour.completed) : '—'}</span>
              <span className="stat-label">{t('team.throughput')}</span>
            </div>
            <div className="stat stat-notfound">
              <span className="stat-value">{lastHour ? fmtNumber(t.lang, lastHour.failed) : '—'}</span>
              <span className="stat-label">{t('team.failures')}</span>
            </div>
            <div className="stat">
              <span className="stat-value">
                {lastHour?.failureRate != null ? fmtPercent(t.lang, lastHour.failureRate) : '—'}
              </span>
              <span className="stat-label">{t('team.failureRate')}</span>
            </div>
          </div>
        </Card>

        <Card title={t('team.workers')} count={workers.length}>
          {workers.length === 0 ? (
            <p className="muted">{t('team.noWorkers')}</p>
          ) : (
            <table className="grid-table">
              <thead>
                <tr>
                  <th>{t('team.host')}</th>
                  <th className="num">{t('team.concurrency')}</th>
                  <th>{t('team.current')}</th>
                  <th className="num">{t('team.lastSeen')}</th>
                </tr>
              </thead>
              <tbody>
                {workers.map((w) => (
                  <tr key={w.id} data-testid="team-worker">
                    <td>
                      <span className="strong">{w.host}</span>{' '}
                      {w.self && <span className="tag">{t('team.you')}</span>}
                      <div className="muted small">pid {w.pid}</div>
                    </td>
                    <td className="num">
                      {fmtNumber(t.lang, w.running.length)} / {fmtNumber(t.lang, w.concurrency)}
                    </td>
                    <td>
                      {w.running.length === 0 ? (
                        <span className="muted">—</span>
                      ) : (
                        w.running.map((id) => (
                          <button
                            key={id}
                            type="button"
                            className="link ellipsis block"
                            onClick={() => showJob(id)}
                          >
                            {jobs[id]?.name ?? id}
                          </button>
                        ))
                      )}
                    </td>
                    <td className="num">{fmtWhen(t.lang, w.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </div>
  );
}
