import { CodedError, errorInfo, nest } from '../src-main/common/errors.ts';
import { InputError } from './io/types.ts';
import type { TaskError } from './protocol.ts';

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/** The job ran past its soft time limit and stopped itself. */
export class TimeLimitError extends CodedError<'SOFT_TIME_LIMIT'> {
  override name = 'TimeLimitError';
  constructor() {
    super('SOFT_TIME_LIMIT', {});
  }
}

/**
 * Sorts a thrown value into what the engine needs: a catalog code with its parameters (and the English
 * sentence), and whether to retry. The user's own mistakes (InputError) and the soft time limit keep
 * their codes; system errors with a sentence of their own (a full disk, no permission) get theirs; any
 * other failure is wrapped as a temporary or an unexpected one, quoting its own code and parameters
 * when it has them.
 */
export function toTaskError(err: unknown): TaskError {
  if (err instanceof InputError || err instanceof TimeLimitError) {
    return { message: err.message, code: err.code, params: err.params, transient: false };
  }
  const e = err as { code?: unknown; stack?: unknown; transient?: unknown };
  // A system error's own code (ENOSPC, ECONNREFUSED …); a CodedError's code is a catalog code.
  const systemCode = !(err instanceof CodedError) && typeof e?.code === 'string' ? e.code : '';
  const inner = err instanceof CodedError ? err.info() : { ...errorInfo(err), code: null, params: {} };
  const message = inner.message;
  const transient =
    e?.transient === true || TRANSIENT_CODES.has(systemCode) || /timed? ?out|socket hang up/i.test(message);
  if (systemCode === 'ENOSPC') {
    const full = new CodedError('DISK_FULL', {});
    return { message: full.message, code: full.code, params: full.params, transient: false };
  }
  if (systemCode === 'EACCES' || systemCode === 'EPERM') {
    const denied = new CodedError('NO_WRITE_PERMISSION', { reason: message });
    return { message: denied.message, code: denied.code, params: denied.params, transient: false };
  }
  const wrapped = new CodedError(transient ? 'TEMPORARY_ERROR' : 'FAILED_UNEXPECTEDLY', nest(inner));
  return {
    message: wrapped.message,
    code: wrapped.code,
    params: wrapped.params,
    transient,
    details: typeof e?.stack === 'string' ? e.stack : undefined,
  };
}
