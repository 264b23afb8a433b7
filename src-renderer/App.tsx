import { useEffect } from 'react';
import { errorText } from './api.ts';
import { ConfirmDialog } from './components/ConfirmDialog.tsx';
import { DropOverlay } from './components/DropOverlay.tsx';
import {
  IconClock,
  IconCloudOff,
  IconJobs,
  IconLogo,
  IconOpen,
  IconSettings,
  IconTeam,
} from './components/icons.tsx';
import { Toasts } from './components/Toasts.tsx';
import { isTyping } from './hooks.ts';
import { useT, type Key } from './i18n/index.ts';
import { JobsScreen } from './screens/JobsScreen.tsx';
import { NewJobSheet } from './screens/NewJobSheet.tsx';
import { SchedulesScreen } from './screens/SchedulesScreen.tsx';
import { SettingsScreen } from './screens/SettingsScreen.tsx';
import { TeamScreen } from './screens/TeamScreen.tsx';
import { chooseAndOpen, deleteJob, navigate, useApp, type Screen } from './store.ts';

const NAV: { screen: Screen; icon: typeof IconJobs; key: Key }[] = [
  { screen: 'jobs', icon: IconJobs, key: 'nav.jobs' },
  { screen: 'schedules', icon: IconClock, key: 'nav.schedules' },
  { screen: 'team', icon: IconTeam, key: 'nav.team' },
  { screen: 'settings', icon: IconSettings, key: 'nav.settings' },
];

function Sidebar() {
  const t = useT();
  const screen = useApp((s) => s.screen);
  const running = useApp((s) => s.runningCount);
  const teamState = useApp((s) => s.team?.state ?? 'off');
  const source = useApp((s) => s.settings?.source);
  const version = useApp((s) => s.appInfo?.version);
  useEffect(() => {
    document.title = running > 0 ? `Crossdock — ${t('nav.running', { n: running })}` : 'Crossdock';
  }, [running, t]);
  return (
    <nav className="sidebar" aria-label="Crossdock">
      <div className="brand">
        <span className="brand-mark">
          <IconLogo size={18} />
        </span>
        <span className="brand-name">Crossdock</span>
      </div>
      <ul className="nav">
        {NAV.map(({ screen: s, icon: Icon, key }) => (
          <li key={s}>
            <button
              type="button"
              className={`nav-item${screen === s ? ' active' : ''}`}
              data-testid={`nav-${s}`}
              aria-current={screen === s ? 'page' : undefined}
              title={t(key)}
              onClick={() => navigate(s)}
            >
              <Icon size={17} />
              <span className="nav-label">{t(key)}</span>
              {s === 'jobs' && (
                <span
                  className="badge"
                  data-testid="running-count"
                  hidden={running === 0}
                  title={t('nav.running', { n: running })}
                  aria-label={t('nav.running', { n: running })}
                >
                  {running}
                </span>
              )}
              {s === 'team' && teamState !== 'off' && (
                <span className={`dot dot-${teamState}`} aria-hidden="true" />
              )}
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot">
        {source && (
          <button
            type="button"
            className="source-chip"
            title={t('common.source')}
            onClick={() => navigate('settings')}
          >
            <span className={`dot dot-${source === 'clickhouse' ? 'online' : 'demo'}`} aria-hidden="true" />
            <span className="ellipsis">
              {t(source === 'clickhouse' ? 'source.clickhouse' : 'source.demo')}
            </span>
          </button>
        )}
        {version && <span className="version">v{version}</span>}
      </div>
    </nav>
  );
}

function Header() {
  const t = useT();
  const screen = useApp((s) => s.screen);
  const running = useApp((s) => s.runningCount);
  const team = useApp((s) => s.team);
  const title: Record<Screen, Key> = {
    jobs: 'jobs.title',
    schedules: 'schedules.title',
    team: 'team.title',
    settings: 'settings.title',
  };
  return (
    <header className="topbar">
      <h1 className="topbar-title">{t(title[screen])}</h1>
      {running > 0 && (
        <span className="running-chip" aria-live="polite">
          <span className="spinner" aria-hidden="true" />
          {t('nav.running', { n: running })}
        </span>
      )}
      <span className="spacer" />
      {team?.state === 'offline' && (
        <button
          type="button"
          className="offline-chip"
          data-testid="team-offline"
          title={team.error ? errorText(team.error) : t('team.offlineBadgeTitle')}
          onClick={() => navigate('team')}
        >
          <IconCloudOff size={14} /> {t('team.offlineBadge')}
        </button>
      )}
      <button
        type="button"
        className="btn btn-primary"
        data-testid="open-files"
        title={t('header.openTitle')}
        onClick={() => void chooseAndOpen()}
      >
        <IconOpen /> {t('header.open')}
      </button>
    </header>
  );
}

function useShortcuts() {
  const shell = useApp((s) => s.appInfo?.shell);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = useApp.getState();
      if (s.confirm || s.sheetPaths) return;
      // In Electron the menu's accelerator opens files; in a browser the page does.
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o' && shell !== 'electron') {
        e.preventDefault();
        void chooseAndOpen();
        return;
      }
      if (isTyping(e.target)) return;
      if (e.key === 'Delete' && s.screen === 'jobs' && s.selectedJobId) {
        const job = s.jobs[s.selectedJobId];
        if (job && job.status !== 'queued' && job.status !== 'running') {
          e.preventDefault();
          void deleteJob(job);
        }
      }
      if (e.key === 'Escape' && s.detailOpen) useApp.setState({ detailOpen: false });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shell]);
}

export function App() {
  const screen = useApp((s) => s.screen);
  const sheetPaths = useApp((s) => s.sheetPaths);
  const fatal = useApp((s) => s.fatal);
  const t = useT();
  useShortcuts();
  return (
    <div className="app">
      <Sidebar />
      <div className="main">
        <Header />
        {fatal && (
          <div className="banner banner-error" role="alert">
            {t('error.load', { error: fatal })}
          </div>
        )}
        <main className="content">
          {screen === 'jobs' && <JobsScreen />}
          {screen === 'schedules' && <SchedulesScreen />}
          {screen === 'team' && <TeamScreen />}
          {screen === 'settings' && <SettingsScreen />}
        </main>
      </div>
      {sheetPaths && <NewJobSheet paths={sheetPaths} />}
      <ConfirmDialog />
      <Toasts />
      <DropOverlay />
    </div>
  );
}
