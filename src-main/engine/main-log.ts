// The desktop app's own log: warnings and errors of the main process (a failed IPC call, an engine
// loop error, the page's renderer gone), in the data folder, so that a diagnostics bundle can carry
// them. Small and rotating: main.log grows to `maxBytes`, then becomes main.log.1 (main.log.1 becomes
// main.log.2, ...), and the oldest past `keep` is dropped. Plain Node (no electron): the shell writes
// it, the diagnostics bundle (app and CLI) reads it.
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { renderMessage, type ErrorCode, type ParamsOf } from '../common/errors.ts';

export const MAIN_LOG_FILE = 'main.log';

export interface MainLogOptions {
  /** The size past which main.log is rotated. */
  maxBytes?: number;
  /** Rotated files kept besides main.log. */
  keep?: number;
}

/** The log files of a data folder that exist, oldest first (main.log.N ... main.log.1, main.log). */
export function mainLogFiles(dataDir: string, keep = 3): string[] {
  const files: string[] = [];
  for (let i = keep; i >= 1; i--) files.push(join(dataDir, `${MAIN_LOG_FILE}.${i}`));
  files.push(join(dataDir, MAIN_LOG_FILE));
  return files.filter((f) => existsSync(f));
}

export class MainLog {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(
    private readonly dataDir: string,
    { maxBytes = 1024 * 1024, keep = 3 }: MainLogOptions = {},
  ) {
    this.file = join(dataDir, MAIN_LOG_FILE);
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  /** One line: time, level, code, the English sentence (a log for whoever helps, in one language). */
  write<C extends ErrorCode>(level: 'warn' | 'error', code: C, params: ParamsOf<C>): void {
    const text = renderMessage('en', { code, params }).replace(/\s*\n\s*/g, ' ');
    this.append(`${new Date().toISOString()} ${level.toUpperCase()} ${code} ${text}\n`);
  }

  private append(line: string): void {
    try {
      mkdirSync(this.dataDir, { recursive: true });
      if (existsSync(this.file) && statSync(this.file).size + Buffer.byteLength(line) > this.maxBytes)
        this.rotate();
      appendFileSync(this.file, line);
    } catch {
      // A log that cannot be written (a full disk, a read-only folder) must not take the app down.
    }
  }

  private rotate(): void {
    rmSync(join(this.dataDir, `${MAIN_LOG_FILE}.${this.keep}`), { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      const from = join(this.dataDir, `${MAIN_LOG_FILE}.${i}`);
      if (existsSync(from)) renameSync(from, join(this.dataDir, `${MAIN_LOG_FILE}.${i + 1}`));
    }
    renameSync(this.file, join(this.dataDir, `${MAIN_LOG_FILE}.1`));
  }
}
