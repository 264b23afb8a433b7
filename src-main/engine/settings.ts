import { availableParallelism } from 'node:os';
import { Settings } from '../common/settings-schema.ts';
import type { JobStore } from './store.ts';

export { Settings };

export function defaultSettings(): Settings {
  return {
    concurrency: Math.max(1, availableParallelism() - 1),
    retentionDays: 30,
    maxAttempts: 3,
    backoffSeconds: 2,
    backoffMaxSeconds: 300,
    timeLimits: {
      crossdock: { softSeconds: 30 * 60, hardSeconds: 35 * 60 },
      'catalog-import': { softSeconds: 30 * 60, hardSeconds: 35 * 60 },
      export: { softSeconds: 60 * 60, hardSeconds: 65 * 60 },
    },
    defaultOutDir: null,
    checkpointSeconds: 5,
    source: 'demo',
    clickhouse: null,
    team: null,
    notifications: true,
    language: null,
    closeWhileRunning: 'tray',
    baseCurrency: 'RUB',
    userName: null,
    hotFolders: [],
    checkUpdates: true,
  };
}

/** Stored settings merged over the defaults; unknown or invalid stored values fall back. */
export function loadSettings(store: JobStore): Settings {
  const stored = store.getSetting<Partial<Settings>>('engine') ?? {};
  const defaults = defaultSettings();
  const merged: Record<string, unknown> = { ...defaults, ...stored };
  // A stored value that no longer fits (an older or a hand-edited database) falls back alone.
  for (let i = 0; i < 20; i++) {
    const parsed = Settings.safeParse(merged);
    if (parsed.success) return parsed.data;
    const key = parsed.error.issues[0]?.path[0];
    if (typeof key !== 'string' || !(key in defaults)) return defaults;
    merged[key] = defaults[key as keyof Settings];
  }
  return defaults;
}

export function saveSettings(store: JobStore, patch: Partial<Settings>): Settings {
  const next = Settings.parse({ ...loadSettings(store), ...patch });
  store.setSetting('engine', next);
  return next;
}

export { backoffMs } from '../common/settings-schema.ts';
