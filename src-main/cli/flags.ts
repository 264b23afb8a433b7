import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { ClickHouseConfig } from '../../src-worker/api.ts';
import { CodedError, errorInfo, type ErrorCode, type ParamsOf } from '../common/errors.ts';
import { checkCaFile, checkRedisUrl, TEAM_NAME, type TeamConfig } from '../team/config.ts';

/** A mistake in the command line: exit code 2, one coded sentence on stderr. */
export class UsageError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  override name = 'UsageError';

  /** A sentence another part gave for a flag's value (a Redis URL, a CA file), as a usage error. */
  static from(err: unknown): UsageError {
    const info = errorInfo(err);
    return new UsageError(info.code as ErrorCode, info.params as ParamsOf<ErrorCode>);
  }
}

export interface OutputFlags {
  json?: boolean;
  verbose?: boolean;
}

export interface ClickHouseFlags {
  clickhouseUrl?: string;
  clickhouseDb?: string;
}

export interface TeamFlags {
  redis?: string;
  redisCa?: string;
  team?: string;
  /** --split-lines (run, worker): team crossdocks past this many lines are split into parts. */
  splitLines?: string;
}

export interface SourceFlags extends ClickHouseFlags {
  source: string;
}

export interface ColumnFlags {
  brandCol?: string;
  articleCol?: string;
  qtyCol?: string;
  headerRow?: string;
}

export type Priority = 'high' | 'normal' | 'low';

/** The ClickHouse connection from flags, then CROSSDOCK_CLICKHOUSE_* (PRODUCT.md). */
export function clickhouseFromFlags(o: ClickHouseFlags, env = process.env): ClickHouseConfig | undefined {
  const url = o.clickhouseUrl ?? env.CROSSDOCK_CLICKHOUSE_URL;
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('CLI_CLICKHOUSE_BAD_URL', { url });
  }
  return {
    url,
    database: o.clickhouseDb ?? env.CROSSDOCK_CLICKHOUSE_DB ?? 'default',
    user:
      env.CROSSDOCK_CLICKHOUSE_USER ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined),
    password:
      env.CROSSDOCK_CLICKHOUSE_PASSWORD ??
      (parsed.password ? decodeURIComponent(parsed.password) : undefined),
  };
}

/** What a job records of the connection: never credentials. */
function recordable(c: ClickHouseConfig): { url: string; database: string; user?: string } {
  const u = new URL(c.url);
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), database: c.database, ...(c.user ? { user: c.user } : {}) };
}

/** The spec's `source` and, for ClickHouse, the connection the job records. */
export function sourceFromFlags(o: SourceFlags): {
  source: 'demo' | 'clickhouse';
  clickhouse?: ReturnType<typeof recordable>;
} {
  const source = o.source === 'clickhouse' ? ('clickhouse' as const) : ('demo' as const);
  const ch = clickhouseFromFlags(o);
  if (source === 'clickhouse' && !ch) {
    throw new UsageError('CLI_CLICKHOUSE_NEEDS_URL', {});
  }
  return { source, ...(source === 'clickhouse' && ch ? { clickhouse: recordable(ch) } : {}) };
}

/**
 * The team queue from --redis/--team/--redis-ca, then CROSSDOCK_REDIS_URL, CROSSDOCK_TEAM,
 * CROSSDOCK_REDIS_CA, CROSSDOCK_REDIS_USER and CROSSDOCK_REDIS_PASSWORD (or the URL's user and
 * password). Undefined: no team mode.
 */
export function teamFromFlags(o: TeamFlags, runJobs: boolean, env = process.env): TeamConfig | undefined {
  const url = o.redis ?? env.CROSSDOCK_REDIS_URL;
  if (!url) {
    if (o.redisCa) throw new UsageError('CLI_REDIS_CA_NEEDS_REDIS', {});
    return undefined;
  }
  const bad = checkRedisUrl(url);
  if (bad) throw UsageError.from(bad);
  const name = o.team ?? env.CROSSDOCK_TEAM ?? 'default';
  if (!TEAM_NAME.test(name)) throw new UsageError('CLI_TEAM_NAME', {});
  const ca = o.redisCa ?? env.CROSSDOCK_REDIS_CA;
  const caFile = ca ? resolve(ca) : undefined;
  const badCa = checkCaFile(caFile);
  if (badCa) throw UsageError.from(badCa);
  const lockMs = Number(env.CROSSDOCK_TEAM_LOCK_MS) || undefined;
  const split = o.splitLines ?? env.CROSSDOCK_TEAM_SPLIT_LINES;
  const splitLines = split === undefined ? undefined : wholeNumber('--split-lines', split, 1, 100_000_000);
  return {
    url,
    name,
    runJobs,
    ...(caFile ? { caFile } : {}),
    ...(env.CROSSDOCK_REDIS_USER ? { user: env.CROSSDOCK_REDIS_USER } : {}),
    ...(env.CROSSDOCK_REDIS_PASSWORD ? { password: env.CROSSDOCK_REDIS_PASSWORD } : {}),
    ...(lockMs ? { lockMs } : {}),
    ...(splitLines !== undefined ? { splitLines } : {}),
  };
}

/** --split-lines for the commands that submit team jobs (run; worker, for its hot folders). */
export function withSplitOption(cmd: Command): Command {
  return cmd.option(
    '--split-lines <n>',
    'team mode: split a crossdock of more lines than this into parts for several workers (default: Settings → Team, 200,000; $CROSSDOCK_TEAM_SPLIT_LINES)',
  );
}

/** Number() on purpose, as the flags always did: an empty value is 0. */
export function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError('CLI_WHOLE_NUMBER', { flag, min, max });
  }
  return n;
}

/** --base-currency as a spec field: three letters, any case; absent leaves the app's setting. */
export function baseCurrencyFromFlags(o: { baseCurrency?: string }): { baseCurrency?: string } {
  if (o.baseCurrency === undefined) return {};
  const code = o.baseCurrency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new UsageError('CLI_BAD_CURRENCY', { value: o.baseCurrency });
  return { baseCurrency: code };
}

/** --max-rows-per-sheet as a spec field; absent leaves the writer's own limit. */
export function maxRowsFromFlags(o: { maxRowsPerSheet?: string }): { maxRowsPerSheet?: number } {
  return o.maxRowsPerSheet === undefined ? {} : { maxRowsPerSheet: Number(o.maxRowsPerSheet) };
}

/** The sheet's last possible row: --header-row goes no further. */
const MAX_SHEET_ROW = 1_048_576;

/**
 * Only the columns given: the rest are detected from the header row. --header-row N: the header is
 * sheet row N (0: there is none, the columns are given by 1-based index and every row is data).
 */
export function columnsFromFlags(o: ColumnFlags): {
  brand?: string;
  article?: string;
  quantity?: string;
  headerRow?: number;
} {
  const headerRow =
    o.headerRow === undefined ? undefined : wholeNumber('--header-row', o.headerRow, 0, MAX_SHEET_ROW);
  if (headerRow === 0) {
    const byIndex = (v: string | undefined) => v === undefined || /^\s*0*[1-9]\d*\s*$/.test(v);
    const qty = o.qtyCol === undefined || byIndex(o.qtyCol) || /^\s*0+\s*$/.test(o.qtyCol);
    if (!o.brandCol || !o.articleCol || !byIndex(o.brandCol) || !byIndex(o.articleCol) || !qty)
      throw new UsageError('NO_HEADER_ROW_NEEDS_INDEXES', {});
  }
  return {
    ...(o.brandCol ? { brand: o.brandCol } : {}),
    ...(o.articleCol ? { article: o.articleCol } : {}),
    ...(o.qtyCol ? { quantity: o.qtyCol } : {}),
    ...(headerRow !== undefined ? { headerRow } : {}),
  };
}

export const dataDirOption = (): Option =>
  new Option('--data-dir <dir>', 'Crossdock data folder (default: the app’s, or $CROSSDOCK_DATA_DIR)');

export const priorityOption = (): Option =>
  new Option('--priority <p>', 'queue priority').choices(['high', 'normal', 'low']).default('normal');

const COLUMN_FLAGS = { brand: '--brand-col <h>', article: '--article-col <h>', quantity: '--qty-col <h>' };

/** The column flags asked for, and --header-row (the row they are found in). */
export function withColumnOptions(cmd: Command, columns: (keyof typeof COLUMN_FLAGS)[]): Command {
  cmd.option(
    '--header-row <n>',
    'the header row’s number in the sheet (default: detected in rows 1–20); 0: no header row, give the columns by index',
  );
  for (const c of columns)
    cmd.option(
      COLUMN_FLAGS[c],
      `${c} column: header text or 1-based index${c === 'quantity' ? ' (0: none, every line 1)' : ''}`,
    );
  return cmd;
}

/** --source and the ClickHouse connection, shared by run, export and schedule add. */
export function withSourceOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--source <source>', 'where offers come from')
        .choices(['demo', 'clickhouse'])
        .default('demo'),
    )
    .option('--clickhouse-url <url>', 'ClickHouse URL (default: $CROSSDOCK_CLICKHOUSE_URL)')
    .option('--clickhouse-db <db>', 'ClickHouse database (default: $CROSSDOCK_CLICKHOUSE_DB)');
}

/** For commands that run stored jobs: the connection is not part of a job, so each run gives it. */
export function withJobClickHouseOptions(cmd: Command): Command {
  return cmd
    .option('--clickhouse-url <url>', 'ClickHouse URL for jobs that use it')
    .option('--clickhouse-db <db>', 'ClickHouse database');
}

/** --redis (its help says what the command does with the queue), --redis-ca and --team. */
export function withTeamOptions(cmd: Command, redisHelp: string): Command {
  return cmd
    .option('--redis <url>', `${redisHelp} (default: $CROSSDOCK_REDIS_URL)`)
    .option(
      '--redis-ca <file>',
      'CA certificate (PEM) of a rediss:// server with a private CA, trusted besides the default CAs (default: $CROSSDOCK_REDIS_CA)',
    )
    .option('--team <name>', 'the team queue’s name (default: $CROSSDOCK_TEAM or "default")');
}
