import { useEffect, useState } from 'react';
import type { UpdateStatus } from '../../src-main/common/contract.ts';
import { api, errorText } from '../api.ts';
import { Card } from '../components/bits.tsx';
import { CheckField } from '../components/fields.tsx';
import { useT, type T } from '../i18n/index.ts';
import { applySettings, toast, useApp } from '../store.ts';

/** The status line: what the updater is doing, in one sentence. */
export function updateText(t: T, status: UpdateStatus, version: string): string {
  switch (status.state) {
    case 'off':
      return t(status.reason === 'no-url' ? 'updates.off.noUrl' : 'updates.off.notPackaged');
    case 'idle':
      return t('updates.idle', { version });
    case 'checking':
      return t('updates.checking');
    case 'up-to-date':
      return t('updates.upToDate', { version: status.version });
    case 'downloading':
      return t('updates.downloading', { version: status.version, percent: status.percent });
    case 'ready':
      return t('updates.ready', { version: status.version });
    case 'error':
      return t('updates.error', { message: status.message });
  }
}

/**
 * Settings' Updates card: the updater's state (pushed by main as the `update` event), Check for
 * updates, and whether to check at start (saved at once: the card is not part of the Save bar's draft).
 */
export function UpdatesCard() {
  const t = useT();
  const version = useApp((s) => s.appInfo?.version ?? '');
  const saved = useApp((s) => s.settings?.checkUpdates ?? true);
  // Shown at once (a controlled box would spring back until the engine answers).
  const [checkOnStart, setShown] = useState(saved);
  useEffect(() => setShown(saved), [saved]);
  const [status, setStatus] = useState<UpdateStatus | null>(null);

  useEffect(() => {
    let live = true;
    const off = api.on('update', (next) => setStatus(next));
    api.updateStatus().then(
      (s) => live && setStatus((now) => now ?? s),
      () => undefined,
    );
    return () => {
      live = false;
      off();
    };
  }, []);

  const check = async () => {
    try {
      setStatus(await api.checkForUpdates());
    } catch (err) {
      toast('error', errorText(err));
    }
  };
  const setCheckOnStart = async (checkUpdates: boolean) => {
    setShown(checkUpdates);
    try {
      applySettings(await api.updateSettings({ checkUpdates }));
    } catch (err) {
      setShown(saved);
      toast('error', errorText(err));
    }
  };

  const off = !status || status.state === 'off';
  const busy = status?.state === 'checking' || status?.state === 'downloading';
  return (
    <Card title={t('updates.title')} hint={off ? undefined : t('updates.hint')}>
      <p className="updates-status" role="status" data-testid="updates-status" data-state={status?.state}>
        {status ? updateText(t, status, version) : '\u00a0'}
      </p>
      {!off && (
        <>
          <CheckField
            label={t('updates.checkOnStart')}
            testId="updates-check-on-start"
            value={checkOnStart}
            onChange={(v) => void setCheckOnStart(v)}
          />
          <div className="test-row">
            <button
              type="button"
              className="btn"
              data-testid="updates-check"
              disabled={busy || status?.state === 'ready'}
              onClick={() => void check()}
            >
              {t('updates.check')}
            </button>
          </div>
        </>
      )}
    </Card>
  );
}
