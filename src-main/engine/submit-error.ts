import { CodedError, errorInfo, type ErrorCode, type ErrorInfo, type ParamsOf } from '../common/errors.ts';

/** A mistake in what the caller asked for: nothing was queued or changed. One coded sentence. */
export class SubmitError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  override name = 'SubmitError';

  /** The same error as another part reported it (a schedule, the team queue), as a refusal of the call. */
  static from(err: unknown): SubmitError {
    const info: ErrorInfo = errorInfo(err);
    return new SubmitError(info.code as ErrorCode, info.params as ParamsOf<ErrorCode>);
  }
}

/** A coded log line or error as the engine keeps it. */
export function coded<C extends ErrorCode>(code: C, params: ParamsOf<C>): ErrorInfo {
  return new CodedError(code, params).info();
}
