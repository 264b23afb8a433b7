/** Where the sample request list that ships with the app is, in development and packaged. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SAMPLE_FILE = join('samples', 'request-list-ru.xlsx');

/**
 * The app's assets folder: electron-builder.yml copies assets/samples/** (and the icons) into the
 * package's resources as an extra resource (`resources/assets`); in development it is the repository's
 * assets folder, two levels above dist/electron.
 */
export function assetsDir(opts: { packaged: boolean; resourcesPath: string; distDir: string }): string {
  return opts.packaged ? join(opts.resourcesPath, 'assets') : join(opts.distDir, '..', '..', 'assets');
}

/** The sample's path, or null when it is not there (a build made without it). */
export function samplePath(assets: string): string | null {
  const file = join(assets, SAMPLE_FILE);
  return existsSync(file) ? file : null;
}
