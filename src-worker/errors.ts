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
export class TimeLimitError extends Error {
  override name = 'TimeLimitError';
}

/** Sorts a thrown value into what the engine needs: a sentence, a code, and whether to retry. */
export function toTaskError(err: unknown): TaskError {
  if (err instanceof InputError) return { message: err.message, code: err.code, transient: false };
  if (err instanceof TimeLimitError) return { message: err.message, code: 'TIME_LIMIT', transient: false };
  const e = err as { code?: unknown; message?: unknown; stack?: unknown; transient?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'INTERNAL';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const transient =
    e?.transient === true || TRANSIENT_CODES.has(code) || /timed? ?out|socket hang up/i.test(message);
  if (code === 'ENOSPC') {
    return { message: 'The disk is full; free some space and retry the job.', code, transient: false };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      message: `Crossdock may not write there (${message}); choose another output folder.`,
      code,
      transient: false,
    };
  }
  return {
    message: transient
      ? `A temporary error stopped the job: ${message}`
      : `The job failed unexpectedly: ${message}`,
    code,
    transient,
    details: typeof e?.stack === 'string' ? e.stack : undefined,
  };
}
