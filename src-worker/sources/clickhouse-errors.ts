// The two kinds of ClickHouse failure besides InputError (the user's to fix): how ClickHouseConnection
// (clickhouse.ts) sorts them is what decides whether the engine retries. Both are coded errors
// (src-main/common/messages/source.ts), so every reader says them in its own language.
import { CodedError, type ParamsOf } from '../../src-main/common/errors.ts';

/** The codes of a server that could not be reached or did not answer. */
export type ClickHouseUnavailableCode =
  | 'CLICKHOUSE_BUSY'
  | 'CLICKHOUSE_CONNECTION_REFUSED'
  | 'CLICKHOUSE_TIMEOUT'
  | 'CLICKHOUSE_CONNECTION_LOST'
  | 'CLICKHOUSE_UNREACHABLE'
  | 'CLICKHOUSE_NO_REASON'
  | 'CLICKHOUSE_TRUNCATED_ANSWER';

/**
 * The server could not be reached or did not answer: transient, the engine retries these with
 * backoff. CLICKHOUSE_CONNECTION_LOST (ECONNRESET, EPIPE, a socket hang-up) is the one a read is
 * sent again for (ClickHouseHttp.run).
 */
export class ClickHouseUnavailableError<
  C extends ClickHouseUnavailableCode = ClickHouseUnavailableCode,
> extends CodedError<C> {
  override name = 'ClickHouseUnavailableError';
  constructor(code: C, params: ParamsOf<C>) {
    super(code, params, { transient: true });
  }
}

/**
 * Any other error the server reported (CLICKHOUSE_QUERY_REFUSED): not retried; `serverCode` keeps the
 * server's number (the schema check looks at it).
 */
export class ClickHouseQueryError extends CodedError<'CLICKHOUSE_QUERY_REFUSED'> {
  override name = 'ClickHouseQueryError';
  constructor(
    params: ParamsOf<'CLICKHOUSE_QUERY_REFUSED'>,
    readonly serverCode: number,
  ) {
    super('CLICKHOUSE_QUERY_REFUSED', params);
  }
}

/** An answer that ended before its format says it is complete: the connection broke mid-answer. */
export function truncatedAnswerError(displayUrl: string): ClickHouseUnavailableError {
  return new ClickHouseUnavailableError('CLICKHOUSE_TRUNCATED_ANSWER', { url: displayUrl });
}
