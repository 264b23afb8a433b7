import type { CrossdockApi } from '../src-main/common/contract.ts';
import type { ErrorParams } from '../src-main/common/types.ts';
import { renderMessage, useLang } from './i18n/index.ts';

declare global {
  interface Window {
    crossdock: CrossdockApi;
  }
}

/** The one door to the engine and the shell (the preload, or the test bridge's shim). */
export const api: CrossdockApi = window.crossdock;

/**
 * An error as one sentence for a person, in the UI language: a call's error (or any `{code, params,
 * message}`) rendered from its code; a bare message (a team status, an old row) as its first line,
 * never a stack, never an "Error:" prefix.
 */
export function errorText(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    params?: unknown;
    message?: unknown;
  };
  const raw = typeof err === 'string' ? err : typeof e.message === 'string' ? e.message : String(err);
  const firstLine = raw.split('\n')[0] ?? '';
  const message = firstLine.replace(/^(?:[A-Za-z]*Error:\s*)+/, '').trim() || 'Something went wrong.';
  return renderMessage(useLang.getState().lang, {
    code: typeof e.code === 'string' ? e.code : null,
    params: e.params && typeof e.params === 'object' ? (e.params as ErrorParams) : null,
    message,
  });
}

/** File extensions the reader opens (zip workbooks and delimited text). */
export const ACCEPTED_EXTENSIONS = ['.xlsx', '.xlsm', '.csv', '.txt', '.tsv'];

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

export function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : path;
}

export function extensionOf(path: string): string {
  const name = baseName(path);
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i).toLowerCase() : '';
}
