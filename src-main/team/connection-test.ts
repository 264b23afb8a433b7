// The settings screen's Test button and `crossdock worker`'s start: one short-lived connection that
// proves what a team member needs (reachable, a recent Redis, the right to write the team's keys),
// and otherwise says in one coded sentence what to fix.
import { CodedError } from '../common/errors.ts';
import type { TeamTestResult } from '../common/team-types.ts';
import {
  askThePort,
  checkCaFile,
  createRedis,
  describeRedisError,
  teamPrefix,
  type TeamConfig,
} from './config.ts';

/** A failed check as the Test button shows it: the English sentence with its code and parameters. */
export function failedTest(err: CodedError): Extract<TeamTestResult, { ok: false }> {
  return { ok: false, error: err.message, errorCode: err.code, errorParams: err.params };
}

/** Checks a Redis connection for the settings screen's Test button and `crossdock worker`'s start. */
export async function testTeamConnection(config: TeamConfig): Promise<TeamTestResult> {
  // A CA file given but unusable is a setting to fix, whichever the scheme.
  const caError = checkCaFile(config.caFile);
  if (caError) return failedTest(caError);
  const client = createRedis(config, {
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    connectionName: 'crossdock-test',
  });
  // The 'error' event carries the cause (refused, wrong password); connect() only says it closed.
  let cause: unknown = null;
  client.on('error', (err) => (cause ??= err));
  try {
    await client.connect();
    const info = await client.info('server');
    const redisVersion = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    const major = Number(redisVersion.split('.')[0]);
    if (Number.isFinite(major) && major < 5)
      return failedTest(new CodedError('REDIS_TOO_OLD', { version: redisVersion }));
    const prefix = teamPrefix(config.name);
    // Proves the user may write the team's keys (an ACL that forbids it fails here, not mid-job).
    await client.set(`${prefix}:test:${process.pid}`, '1', 'PX', 10_000);
    const ids = await client.smembers(`${prefix}:workers`);
    const alive = ids.length
      ? (await client.mget(ids.map((id) => `${prefix}:worker:${id}`))).filter(Boolean).length
      : 0;
    return { ok: true, redisVersion, workers: alive };
  } catch (err) {
    const closed = /Connection is closed|enableOfflineQueue/i.test(String((err as Error)?.message));
    const why = closed && cause ? cause : err;
    const told = await askThePort(config.url, why);
    return failedTest(told ?? describeRedisError(why, config.url, config.caFile));
  } finally {
    // A connection that already ended needs nothing more; ioredis's disconnect() would arm a 2 s timer
    // waiting for a close that already happened, and the CLI would take that long to exit.
    if (client.status !== 'end') client.disconnect();
  }
}
