/**
 * Errors as codes with parameters. Every error a user can see has a stable code of the message
 * catalog (./messages) and the values its sentence quotes; the job row, a log line and an IPC error
 * keep both, and each reader renders the sentence in its own language: the renderer, the shell's
 * notifications, the CLI. The English rendering is also the error's `message` (logs, stack traces,
 * `--verbose`, bug reports), so English output is what it was before codes.
 *
 * No runtime of its own: this runs in the renderer, the preload-free shell, the engine and the worker.
 */
import { MESSAGES, nest, type MessageDef, type RenderInner } from './messages/index.ts';
import type { ErrorParams } from './types.ts';

export type { ErrorParams };
export { MESSAGES, nest };

export type Lang = 'en' | 'ru';

/** A code of the catalog, e.g. `NO_SUCH_LIST`. */
export type ErrorCode = keyof typeof MESSAGES;

/** The parameters the message of `C` quotes (for a union of codes: the union of their parameters). */
export type ParamsOf<C extends ErrorCode> = C extends ErrorCode
  ? (typeof MESSAGES)[C] extends MessageDef<infer P extends ErrorParams>
    ? P
    : never
  : never;

/** An error as it is kept and sent: the code, its parameters and the English sentence. */
export interface ErrorInfo {
  code: string;
  params: ErrorParams;
  message: string;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(MESSAGES, code);
}

/**
 * The sentence of a coded error in `lang`. A code this version does not know (an old row, a newer
 * version's code) falls back to `message` (the English text kept with it), then to the code itself.
 * Never throws: parameters that do not match the message render with what is there.
 */
export function renderMessage(
  lang: Lang,
  e: { code: string | null | undefined; params?: ErrorParams | null; message?: string | null },
): string {
  const fallback = (): string => (e?.message ? e.message : (e?.code ?? ''));
  if (!e || !isErrorCode(e.code)) return fallback();
  const def = MESSAGES[e.code] as MessageDef<ErrorParams>;
  const params = e.params && typeof e.params === 'object' ? e.params : {};
  const inner: RenderInner = (x) => renderMessage(lang, x);
  try {
    const text = (lang === 'ru' ? def.ru : def.en)(params, inner);
    return typeof text === 'string' && text !== '' ? text : fallback();
  } catch {
    return fallback();
  }
}

export interface CodedErrorOptions {
  /** Worth retrying later (a server down, a time-out). */
  transient?: boolean;
  cause?: unknown;
}

/** An error with a catalog code: `message` is its English sentence. */
export class CodedError<C extends ErrorCode = ErrorCode> extends Error {
  override name = 'CodedError';
  readonly code: C;
  readonly params: ParamsOf<C>;
  readonly transient: boolean;

  constructor(code: C, params: ParamsOf<C>, options: CodedErrorOptions = {}) {
    super(
      renderMessage('en', { code, params }),
      options.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.code = code;
    this.params = params;
    this.transient = options.transient ?? false;
  }

  /** What a job row, a log line and an IPC error keep. */
  info(): ErrorInfo {
    return { code: this.code, params: this.params, message: this.message };
  }
}

/**
 * Code, parameters and English sentence of anything thrown: a CodedError's own; for anything else the
 * code UNEXPECTED with its message as the parameter (the sentence shown as it is).
 */
export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof CodedError) return err.info();
  const message =
    err instanceof Error
      ? err.message
      : typeof (err as { message?: unknown })?.message === 'string'
        ? (err as { message: string }).message
        : String(err);
  return { code: 'UNEXPECTED', params: { message }, message };
}
