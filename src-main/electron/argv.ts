import { extname, isAbsolute, resolve } from 'node:path';

const SPREADSHEET = new Set(['.xlsx', '.xlsm', '.csv', '.txt', '.xls', '.xlsb', '.ods']);

/** True for a name the user may mean as a spreadsheet (the engine says why when it cannot read it). */
export function isSpreadsheetPath(path: string): boolean {
  return SPREADSHEET.has(extname(path).toLowerCase());
}

/**
 * The files in a command line (the app's own, or a second instance's): arguments that are not
 * switches (Chromium's and ours start with "-") and look like spreadsheets. Relative paths are
 * taken from the given working directory.
 */
export function filesFromArgv(args: readonly string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (!arg || arg.startsWith('-')) continue;
    if (!isSpreadsheetPath(arg)) continue;
    out.push(isAbsolute(arg) ? arg : resolve(cwd, arg));
  }
  return [...new Set(out)];
}
