import { Banner, Card } from '../components/bits.tsx';
import { CheckField, FolderField, Form, NumberField, SelectField, TextField } from '../components/fields.tsx';
import { useEffect, useMemo, useState } from 'react';
import type { SecretName, SecretStatus, SettingsValue } from '../../src-main/common/contract.ts';
import { api, errorText } from '../api.ts';
import { IconAlert, IconCheck } from '../components/icons.tsx';
import { useT, type T } from '../i18n/index.ts';
import { applySettings, useApp } from '../store.ts';
import { HotFoldersCard, hotFolderDrafts, hotFoldersOf, type HotFolderDraft } from './HotFoldersCard.tsx';
import { UpdatesCard } from './UpdatesCard.tsx';

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
  baseCurrency: string;
  userName: string;
  hotFolders: HotFolderDraft[];
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
    baseCurrency: s.baseCurrency,
    userName: s.userName ?? '',
    hotFolders: hotFolderDrafts(s.hotFolders),
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

const LIMITS = { concurrency: { min: 1, max: 64 }, retention: { min: 1, max: 3650 } } as const;

function intIn(value: string, { min, max }: { min: number; max: number }): number | null {
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
  // Value and change from one key, so a field cannot show one setting and write another.
  const bind = <K extends keyof Draft>(key: K) => ({
    value: draft[key],
    onChange: (value: Draft[K]) => set(key, value),
  });

  const concurrency = intIn(draft.concurrency, LIMITS.concurrency);
  const retention = intIn(draft.retention, LIMITS.retention);
  const currency = /^[A-Za-z]{3}$/.test(draft.baseCurrency.trim())
    ? draft.baseCurrency.trim().toUpperCase()
    : null;

  const save = async () => {
    if (concurrency === null || retention === null || currency === null) return;
    if (draft.source === 'clickhouse' && !draft.chUrl.trim()) {
      setError(t('settings.chUrlNeeded'));
      return;
    }
    const hotFolders = hotFoldersOf(draft.hotFolders, t);
    if (typeof hotFolders === 'string') {
      setError(hotFolders);
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
        baseCurrency: currency,
        userName: draft.userName.trim() || null,
        hotFolders,
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
      <Banner kind="warn" icon={IconAlert} testId="settings-plaintext-warning">
        {t('settings.plainText')}
      </Banner>
    ) : storage === 'unavailable' ? (
      <Banner kind="warn" icon={IconAlert}>
        {t('settings.noSecrets')}
      </Banner>
    ) : storage === 'environment' ? (
      <p className="field-hint">{t('settings.envSecrets')}</p>
    ) : null;

  const systemName = info?.systemLanguage === 'ru' ? 'Русский' : 'English';

  return (
    <Form className="settings" onSubmit={save}>
      <div className="settings-scroll">
        <div className="settings-inner">
          {secretNote}
          <Card title={t('settings.source')} hint={t('settings.sourceHint')}>
            <SelectField
              label={t('settings.sourceLabel')}
              inline
              testId="settings-source"
              choices={[
                { value: 'demo', label: t('source.demo') },
                { value: 'clickhouse', label: t('source.clickhouse') },
              ]}
              {...bind('source')}
            />
            {draft.source === 'clickhouse' && (
              <div className="subform">
                <TextField
                  label={t('settings.chUrl')}
                  testId="settings-clickhouse-url"
                  placeholder="http://clickhouse.example:8123"
                  spellCheck={false}
                  {...bind('chUrl')}
                />
                <div className="field-pair">
                  <TextField
                    label={t('settings.chDb')}
                    testId="settings-clickhouse-db"
                    spellCheck={false}
                    {...bind('chDb')}
                  />
                  <TextField
                    label={t('settings.chUser')}
                    testId="settings-clickhouse-user"
                    placeholder="default"
                    spellCheck={false}
                    {...bind('chUser')}
                  />
                </div>
                <PasswordField
                  name="clickhouse-password"
                  label={t('settings.password')}
                  status={secrets}
                  onForget={() => void forget('clickhouse-password')}
                  t={t}
                  {...bind('chPassword')}
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
          </Card>

          <Card title={t('settings.output')}>
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
          </Card>

          <HotFoldersCard
            folders={draft.hotFolders}
            source={settings.source}
            onChange={(folders) => set('hotFolders', folders)}
            onError={setError}
          />

          <Card title={t('settings.pricing')} hint={t('settings.pricingHint')}>
            <TextField
              label={t('settings.baseCurrency')}
              testId="settings-base-currency"
              spellCheck={false}
              maxLength={3}
              invalid={currency === null}
              {...bind('baseCurrency')}
            >
              <span className="field-hint">{t('settings.baseCurrencyHint')}</span>
            </TextField>
          </Card>

          <Card title={t('settings.jobs')}>
            <div className="field-pair">
              <NumberField
                label={t('settings.concurrency')}
                testId="settings-concurrency"
                {...LIMITS.concurrency}
                invalid={concurrency === null}
                {...bind('concurrency')}
              >
                <span className="field-hint">{t('settings.concurrencyHint')}</span>
              </NumberField>
              <NumberField
                label={t('settings.retention')}
                testId="settings-retention"
                {...LIMITS.retention}
                invalid={retention === null}
                unit={t('settings.retentionUnit')}
                {...bind('retention')}
              />
            </div>
          </Card>

          <Card title={t('settings.app')}>
            <CheckField
              label={t('settings.notifications')}
              testId="settings-notifications"
              {...bind('notifications')}
            />
            <div className="field-pair">
              <SelectField
                label={t('settings.language')}
                testId="settings-language"
                choices={[
                  { value: 'system', label: t('settings.langSystem', { lang: systemName }) },
                  { value: 'en', label: 'English' },
                  { value: 'ru', label: 'Русский' },
                ]}
                {...bind('language')}
              />
              <TextField
                label={t('settings.userName')}
                testId="settings-user-name"
                placeholder={info?.userName ?? ''}
                spellCheck={false}
                {...bind('userName')}
              >
                <span className="field-hint">{t('settings.userNameHint')}</span>
              </TextField>
            </div>
            <div className="field-pair">
              <SelectField
                label={t('settings.close')}
                testId="settings-close"
                choices={[
                  { value: 'tray', label: t('settings.closeTray') },
                  { value: 'ask', label: t('settings.closeAsk') },
                ]}
                {...bind('close')}
              />
            </div>
          </Card>

          <UpdatesCard />

          <Card title={t('settings.team')} hint={t('settings.teamHint')}>
            <CheckField
              label={t('settings.teamEnabled')}
              testId="settings-team-enabled"
              {...bind('teamEnabled')}
            />
            {(draft.teamEnabled || draft.teamUrl) && (
              <div className="subform">
                <TextField
                  label={t('settings.teamUrl')}
                  testId="settings-team-url"
                  placeholder="redis://redis.example:6379"
                  spellCheck={false}
                  {...bind('teamUrl')}
                />
                <TextField
                  label={t('settings.teamCa')}
                  testId="settings-team-ca"
                  placeholder="/path/to/ca.pem"
                  spellCheck={false}
                  {...bind('teamCaFile')}
                >
                  <span className="field-hint">{t('settings.teamCaHint')}</span>
                </TextField>
                <div className="field-pair">
                  <TextField
                    label={t('settings.teamUser')}
                    testId="settings-team-user"
                    placeholder="default"
                    spellCheck={false}
                    {...bind('teamUser')}
                  />
                  <TextField
                    label={t('settings.teamName')}
                    testId="settings-team-name"
                    spellCheck={false}
                    {...bind('teamName')}
                  />
                </div>
                <PasswordField
                  name="redis-password"
                  label={t('settings.password')}
                  status={secrets}
                  onForget={() => void forget('redis-password')}
                  t={t}
                  {...bind('teamPassword')}
                />
                <CheckField label={t('settings.teamRun')} testId="settings-team-run" {...bind('teamRun')} />
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
          </Card>

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
          disabled={saving || concurrency === null || retention === null || currency === null}
        >
          {saving ? t('settings.saving') : t('settings.save')}
        </button>
      </footer>
    </Form>
  );
}
