import { existsSync } from 'node:fs';
import { CodedError } from '../common/errors.ts';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'Crossdock';

/** The per-user app data folder, the same one Electron's app.getPath('userData') gives the app. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CROSSDOCK_DATA_DIR) return resolve(env.CROSSDOCK_DATA_DIR);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

/**
 * The bundled worker entry. Bundles put it next to this code (dist/worker.mjs); running from the
 * TypeScript sources (tests) uses the repository's dist/ build.
 */
export function defaultWorkerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'worker.mjs');
  if (existsSync(sibling)) return sibling;
  const fromSource = resolve(here, '..', '..', 'dist', 'worker.mjs');
  if (existsSync(fromSource)) return fromSource;
  throw new CodedError('WORKER_BUNDLE_MISSING', { path: sibling });
}
