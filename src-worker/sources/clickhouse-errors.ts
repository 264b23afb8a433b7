// The two kinds of ClickHouse failure besides InputError (the user's to fix): how ClickHouseConnection
// (clickhouse.ts) sorts them is what decides whether the engine retries.

/** The server could not be reached or did not answer: the engine retries these with backoff. */
export class ClickHouseUnavailableError extends Error {
  override name = 'ClickHouseUnavailableError';
  readonly transient = true;
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Any other error the server reported: not retried; its code (`CLICKHOUSE_<n>`) keeps the number. */
export class ClickHouseQueryError extends Error {
  override name = 'ClickHouseQueryError';
  readonly code: string;
  constructor(
    message: string,
    readonly serverCode: number,
  ) {
    super(message);
    this.code = `CLICKHOUSE_${serverCode}`;
  }
}

/** An answer that ended before its format says it is complete: the connection broke mid-answer. */
export function truncatedAnswerError(displayUrl: string): ClickHouseUnavailableError {
  return new ClickHouseUnavailableError(
    `The ClickHouse server at ${displayUrl} sent a truncated answer.`,
    'CLICKHOUSE_TRUNCATED',
  );
}
