import { FolderField } from '../components/bits.tsx';
import { useEffect, useMemo, useState } from 'react';
import type { SecretName, SecretStatus, SettingsValue } from '../../src-main/common/contract.ts';
import { api, errorText } from '../api.ts';
import { IconAlert, IconCheck } from '../components/icons.tsx';
import { useT, type T } from '../i18n/index.ts';
import { applySettings, useApp } from '../store.ts';

interface Draft {
  source: 'demo' | 'clickhouse';
  chUrl: string;
  chDb: string;
  chUser: string;
  chPassword: string;
  outDir: string;
  concurrency: string;
  retention: string;
  notifications: boolean;
  language: 'system' | 'en' | 'ru';
  close: 'tray' | 'ask';
  teamEnabled: boolean;
  teamUrl: string;
  teamCaFile: string;
  teamUser: string;
  teamName: string;
  teamRun: boolean;
  teamPassword: string;
}

function draftOf(s: SettingsValue): Draft {
  return {
    source: s.source,
    chUrl: s.clickhouse?.url ?? '',
    chDb: s.clickhouse?.database ?? 'default',
    chUser: s.clickhouse?.user ?? '',
    chPassword: '',
    outDir: s.defaultOutDir ?? '',
    concurrency: String(s.concurrency),
    retention: String(s.retentionDays),
    notifications: s.notifications,
    language: s.language ?? 'system',
    close: s.closeWhileRunning,
    teamEnabled: s.team?.enabled ?? false,
    teamUrl: s.team?.url ?? '',
    teamCaFile: s.team?.caFile ?? '',
    teamUser: s.team?.user ?? '',
    teamName: s.team?.name ?? 'crossdock',
    teamRun: s.team?.runJobs ?? true,
    teamPassword: '',
  };
}

type Test =
  { state: 'idle' } | { state: 'busy' } | { state: 'ok'; text: string } | { state: 'error'; text: string };

function TestResult({ test }: { test: Test }) {
  if (test.state === 'ok')
    return (
      <span className="test-result ok" role="status">
        <IconCheck size={14} /> {test.text}
      </span>
    );
  if (test.state === 'error')
    return (
      <span className="test-result err" role="alert">
        <IconAlert size={14} /> {test.text}
      </span>
    );
  return null;
}

function intIn(value: string, min: number, max: number): number | null {
  const n = Number(value);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

function PasswordField({
  name,
  label,
  value,
  status,
  onChange,
  onForget,
  t,
}: {
  name: SecretName;
  label: string;
  value: string;
  status: SecretStatus | null;
  onChange: (v: string) => void;
  onForget: () => void;
  t: T;
}) {
  const saved = status?.set[name] ?? false;
  const id = `secret-${name}`;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}{' '}
        <span className={`secret-state${saved ? ' saved' : ''}`} data-testid={`${name}-state`}>
          {saved ? t('settings.passwordSaved') : t('settings.passwordNotSaved')}
        </span>
      </label>
      <div className="input-group">
        <input
          id={id}
          className="input"
          type="password"
          autoComplete="off"
          value={value}
          placeholder={saved ? t('settings.passwordPlaceholderSaved') : ''}
          disabled={status?.storage === 'unavailable' || status?.storage === 'environment'}
          onChange={(e) => onChange(e.target.value)}
        />
        {saved && (
          <button type="button" className="btn" onClick={onForget}>
            {t('settings.passwordForget')}
          </button>
        )}
      </div>
    </div>
  );
}

export function SettingsScreen() {
  const t = useT();
  const settings = useApp((s) => s.settings);
  const info = useApp((s) => s.appInfo);
  const [draft, setDraft] = useState<Draft | null>(settings ? draftOf(settings) : null);
  const [secrets, setSecrets] = useState<SecretStatus | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [chTest, setChTest] = useState<Test>({ state: 'idle' });
  const [teamTest, setTeamTest] = useState<Test>({ state: 'idle' });

  useEffect(() => {
    if (settings && !draft) setDraft(draftOf(settings));
  }, [settings, draft]);
  useEffect(() => {
    api.secretStatus().then(setSecrets, () => setSecrets(null));
  }, []);

  const dirty = useMemo(() => {
    if (!settings || !draft) return false;
    return (
      JSON.stringify(draftOf(settings)) !== JSON.stringify({ ...draft, chPassword: '', teamPassword: '' }) ||
      draft.chPassword !== '' ||
      draft.teamPassword !== ''
    );
  }, [settings, draft]);

  if (!draft || !settings) return <div className="screen-note">{t('common.loading')}</div>;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => (d ? { ...d, [key]: value } : d));
    setSaved(false);
    setError(null);
  };

  const concurrency = intIn(draft.concurrency, 1, 64);
  const retention = intIn(draft.retention, 1, 3650);

  const save = async () => {
    if (concurrency === null || retention === null) return;
    if (draft.source === 'clickhouse' && !draft.chUrl.trim()) {
      setError(t('settings.chUrlNeeded'));
      return;
    }
    setSaving(true);
    setError(null);
    try {
      if (draft.chPassword) setSecrets(await api.setSecret('clickhouse-password', draft.chPassword));
      if (draft.teamPassword) setSecrets(await api.setSecret('redis-password', draft.teamPassword));
      const chUrl = draft.chUrl.trim();
      const teamUrl = draft.teamUrl.trim();
      const next = await api.updateSettings({
        source: draft.source,
        clickhouse: chUrl
          ? { url: chUrl, database: draft.chDb.trim() || 'default', user: draft.chUser.trim() }
          : null,
        team:
          teamUrl || draft.teamEnabled
            ? {
                enabled: draft.teamEnabled,
                url: teamUrl,
                caFile: draft.teamCaFile.trim(),
                user: draft.teamUser.trim(),
                name: draft.teamName.trim(),
                runJobs: draft.teamRun,
              }
            : null,
        defaultOutDir: draft.outDir.trim() || null,
        concurrency,
        retentionDays: retention,
        notifications: draft.notifications,
        language: draft.language === 'system' ? null : draft.language,
        closeWhileRunning: draft.close,
      });
      applySettings(next);
      setDraft(draftOf(next));
      setSaved(true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  const forget = async (name: SecretName) => {
    try {
      setSecrets(await api.setSecret(name, null));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const testClickHouse = async () => {
    setChTest({ state: 'busy' });
    try {
      const r = await api.testClickHouse({
        url: draft.chUrl.trim(),
        database: draft.chDb.trim() || 'default',
        user: draft.chUser.trim(),
        ...(draft.chPassword ? { password: draft.chPassword } : {}),
      });
      setChTest(
        r.ok
          ? {
              state: 'ok',
              text: t('settings.chOk', {
                version: r.version,
                lists: t('settings.lists', { n: r.lists.length }),
              }),
            }
          : {
              state: 'error',
              text: errorText({ code: r.errorCode, params: r.errorParams, message: r.error }),
            },
      );
    } catch (err) {
      setChTest({ state: 'error', text: errorText(err) });
    }
  };

  const testTeam = async () => {
    setTeamTest({ state: 'busy' });
    try {
      const r = await api.testTeam({
        url: draft.teamUrl.trim(),
        user: draft.teamUser.trim(),
        name: draft.teamName.trim(),
        ...(draft.teamCaFile.trim() ? { caFile: draft.teamCaFile.trim() } : {}),
        ...(draft.teamPassword ? { password: draft.teamPassword } : {}),
      });
      setTeamTest(
        r.ok
          ? {
              state: 'ok',
              text: t('settings.teamOk', {
                version: r.redisVersion,
                workers: t('settings.workers', { n: r.workers }),
              }),
            }
          : {
              state: 'error',
              text: errorText({ code: r.errorCode, params: r.errorParams, message: r.error }),
            },
      );
    } catch (err) {
      setTeamTest({ state: 'error', text: errorText(err) });
    }
  };

  const storage = secrets?.storage;
  const secretNote =
    storage === 'plain-text' ? (
      <div className="banner banner-warn" role="alert" data-testid="settings-plaintext-warning">
        <IconAlert size={16} />
        <span>{t('settings.plainText')}</span>
      </div>
    ) : storage === 'unavailable' ? (
      <div className="banner banner-warn" role="alert">
        <IconAlert size={16} />
        <span>{t('settings.noSecrets')}</span>
      </div>
    ) : storage === 'environment' ? (
      <p className="field-hint">{t('settings.envSecrets')}</p>
    ) : null;

  const systemName = info?.systemLanguage === 'ru' ? 'Русский' : 'English';

  return (
    <form
      className="settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="settings-scroll">
        <div className="settings-inner">
          {secretNote}
          <section className="card">
            <h2 className="card-title">{t('settings.source')}</h2>
            <p className="card-hint">{t('settings.sourceHint')}</p>
            <label className="field field-inline">
              <span className="field-label">{t('settings.sourceLabel')}</span>
              <select
                className="select"
                data-testid="settings-source"
                value={draft.source}
                onChange={(e) => set('source', e.target.value as Draft['source'])}
              >
                <option value="demo">{t('source.demo')}</option>
                <option value="clickhouse">{t('source.clickhouse')}</option>
              </select>
            </label>
            {draft.source === 'clickhouse' && (
              <div className="subform">
                <label className="field">
                  <span className="field-label">{t('settings.chUrl')}</span>
                  <input
                    className="input"
                    data-testid="settings-clickhouse-url"
                    value={draft.chUrl}
                    placeholder="http://clickhouse.example:8123"
                    spellCheck={false}
                    onChange={(e) => set('chUrl', e.target.value)}
                  />
                </label>
                <div className="field-pair">
                  <label className="field">
                    <span className="field-label">{t('settings.chDb')}</span>
                    <input
                      className="input"
                      data-testid="settings-clickhouse-db"
                      value={draft.chDb}
                      spellCheck={false}
                      onChange={(e) => set('chDb', e.target.value)}
                    />
                  </label>
                  <label className="field">
                    <span className="field-label">{t('settings.chUser')}</span>
                    <input
                      className="input"
                      data-testid="settings-clickhouse-user"
                      value={draft.chUser}
                      placeholder="default"
                      spellCheck={false}
                      onChange={(e) => set('chUser', e.target.value)}
                    />
                  </label>
                </div>
                <PasswordField
                  name="clickhouse-password"
                  label={t('settings.password')}
                  value={draft.chPassword}
                  status={secrets}
                  onChange={(v) => set('chPassword', v)}
                  onForget={() => void forget('clickhouse-password')}
                  t={t}
                />
                <div className="test-row">
                  <button
                    type="button"
                    className="btn"
                    data-testid="settings-test-clickhouse"
                    disabled={!draft.chUrl.trim() || chTest.state === 'busy'}
                    onClick={() => void testClickHouse()}
                  >
                    {chTest.state === 'busy' ? t('settings.testing') : t('settings.test')}
                  </button>
                  <TestResult test={chTest} />
                </div>
              </div>
            )}
          </section>

          <section className="card">
            <h2 className="card-title">{t('settings.output')}</h2>
            <FolderField
              id="settings-out-dir"
              label={t('settings.outDir')}
              value={draft.outDir}
              placeholder={t('settings.outDirNone')}
              testId="settings-out-dir"
              onChange={(v) => set('outDir', v)}
              onChosen={(dir) => set('outDir', dir)}
              onError={setError}
            />
          </section>

          <section className="card">
            <h2 className="card-title">{t('settings.jobs')}</h2>
            <div className="field-pair">
              <label className="field">
                <span className="field-label">{t('settings.concurrency')}</span>
                <input
                  className={`input num${concurrency === null ? ' invalid' : ''}`}
                  type="number"
                  min={1}
                  max={64}
                  data-testid="settings-concurrency"
                  value={draft.concurrency}
                  aria-invalid={concurrency === null || undefined}
                  onChange={(e) => set('concurrency', e.target.value)}
                />
                <span className="field-hint">{t('settings.concurrencyHint')}</span>
              </label>
              <label className="field">
                <span className="field-label">{t('settings.retention')}</span>
                <span className="input-unit">
                  <input
                    className={`input num${retention === null ? ' invalid' : ''}`}
                    type="number"
                    min={1}
                    max={3650}
                    data-testid="settings-retention"
                    value={draft.retention}
                    aria-invalid={retention === null || undefined}
                    onChange={(e) => set('retention', e.target.value)}
                  />
                  <span className="muted">{t('settings.retentionUnit')}</span>
                </span>
              </label>
            </div>
          </section>

          <section className="card">
            <h2 className="card-title">{t('settings.app')}</h2>
            <label className="check">
              <input
                type="checkbox"
                data-testid="settings-notifications"
                checked={draft.notifications}
                onChange={(e) => set('notifications', e.target.checked)}
              />
              <span>{t('settings.notifications')}</span>
            </label>
            <div className="field-pair">
              <label className="field">
                <span className="field-label">{t('settings.language')}</span>
                <select
                  className="select"
                  data-testid="settings-language"
                  value={draft.language}
                  onChange={(e) => set('language', e.target.value as Draft['language'])}
                >
                  <option value="system">{t('settings.langSystem', { lang: systemName })}</option>
                  <option value="en">English</option>
                  <option value="ru">Русский</option>
                </select>
              </label>
              <label className="field">
                <span className="field-label">{t('settings.close')}</span>
                <select
                  className="select"
                  data-testid="settings-close"
                  value={draft.close}
                  onChange={(e) => set('close', e.target.value as Draft['close'])}
                >
                  <option value="tray">{t('settings.closeTray')}</option>
                  <option value="ask">{t('settings.closeAsk')}</option>
                </select>
              </label>
            </div>
          </section>

          <section className="card">
            <h2 className="card-title">{t('settings.team')}</h2>
            <p className="card-hint">{t('settings.teamHint')}</p>
            <label className="check">
              <input
                type="checkbox"
                data-testid="settings-team-enabled"
                checked={draft.teamEnabled}
                onChange={(e) => set('teamEnabled', e.target.checked)}
              />
              <span>{t('settings.teamEnabled')}</span>
            </label>
            {(draft.teamEnabled || draft.teamUrl) && (
              <div className="subform">
                <label className="field">
                  <span className="field-label">{t('settings.teamUrl')}</span>
                  <input
                    className="input"
                    data-testid="settings-team-url"
                    value={draft.teamUrl}
                    placeholder="redis://redis.example:6379"
                    spellCheck={false}
                    onChange={(e) => set('teamUrl', e.target.value)}
                  />
                </label>
                <label className="field">
                  <span className="field-label">{t('settings.teamCa')}</span>
                  <input
                    className="input"
                    data-testid="settings-team-ca"
                    value={draft.teamCaFile}
                    placeholder="/path/to/ca.pem"
                    spellCheck={false}
                    onChange={(e) => set('teamCaFile', e.target.value)}
                  />
                  <span className="field-hint">{t('settings.teamCaHint')}</span>
                </label>
                <div className="field-pair">
                  <label className="field">
                    <span className="field-label">{t('settings.teamUser')}</span>
                    <input
                      className="input"
                      data-testid="settings-team-user"
                      value={draft.teamUser}
                      placeholder="default"
                      spellCheck={false}
                      onChange={(e) => set('teamUser', e.target.value)}
                    />
                  </label>
                  <label className="field">
                    <span className="field-label">{t('settings.teamName')}</span>
                    <input
                      className="input"
                      data-testid="settings-team-name"
                      value={draft.teamName}
                      spellCheck={false}
                      onChange={(e) => set('teamName', e.target.value)}
                    />
                  </label>
                </div>
                <PasswordField
                  name="redis-password"
                  label={t('settings.password')}
                  value={draft.teamPassword}
                  status={secrets}
                  onChange={(v) => set('teamPassword', v)}
                  onForget={() => void forget('redis-password')}
                  t={t}
                />
                <label className="check">
                  <input
                    type="checkbox"
                    data-testid="settings-team-run"
                    checked={draft.teamRun}
                    onChange={(e) => set('teamRun', e.target.checked)}
                  />
                  <span>{t('settings.teamRun')}</span>
                </label>
                <div className="test-row">
                  <button
                    type="button"
                    className="btn"
                    data-testid="settings-test-team"
                    disabled={!draft.teamUrl.trim() || teamTest.state === 'busy'}
                    onClick={() => void testTeam()}
                  >
                    {teamTest.state === 'busy' ? t('settings.testing') : t('settings.test')}
                  </button>
                  <TestResult test={teamTest} />
                </div>
              </div>
            )}
          </section>

          {info && (
            <p className="about muted small">
              {t('settings.about', { version: info.version, platform: info.platform, dir: info.dataDir })}
            </p>
          )}
        </div>
      </div>

      <footer className="settings-bar">
        <div className="settings-status" role="status">
          {error ? (
            <span className="field-error" data-testid="settings-error">
              {error}
            </span>
          ) : saved && !dirty ? (
            <span className="saved" data-testid="settings-saved">
              <IconCheck size={14} /> {t('settings.saved')}
            </span>
          ) : dirty ? (
            <span className="muted">{t('settings.unsaved')}</span>
          ) : null}
        </div>
        <button
          type="button"
          className="btn"
          disabled={!dirty || saving}
          onClick={() => {
            setDraft(draftOf(settings));
            setError(null);
          }}
        >
          {t('settings.reset')}
        </button>
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="settings-save"
          disabled={saving || concurrency === null || retention === null}
        >
          {saving ? t('settings.saving') : t('settings.save')}
        </button>
      </footer>
    </form>
  );
}
