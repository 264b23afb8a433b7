import type { CrossdockApi } from '../src-main/common/contract.ts';
import { translateEngineMessage } from './i18n/engine-messages.ts';
import { useLang } from './i18n/index.ts';

declare global {
  interface Window {
    crossdock: CrossdockApi;
  }
}

/** The one door to the engine and the shell (the preload, or the test bridge's shim). */
export const api: CrossdockApi = window.crossdock;

/**
 * An error as one sentence for a person: never a stack, never an "Error:" prefix; the engine's
 * English sentence in the UI language when it is a known one.
 */
export function errorText(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : String(err);
  const firstLine = raw.split('\n')[0] ?? '';
  const text = firstLine.replace(/^(?:[A-Za-z]*Error:\s*)+/, '').trim() || 'Something went wrong.';
  return translateEngineMessage(useLang.getState().lang, text);
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
