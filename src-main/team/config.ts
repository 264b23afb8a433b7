// How to reach the team's Redis, and what a failure to reach it means in one sentence.
import { Redis, type RedisOptions } from 'ioredis';

/** Everything a process needs to join a team queue (the password never leaves this process). */
export interface TeamConfig {
  url: string;
  /** ACL user; empty means the URL's user or `default`. */
  user?: string;
  password?: string;
  /** The team name: the queue prefix everyone in the team shares. */
  name: string;
  /** This process takes team jobs too. */
  runJobs: boolean;
  /** Team jobs at once in this process (defaults to the engine's concurrency). */
  concurrency?: number;
  /** Largest input or result file the team queue takes (default 200 MB). */
  maxBlobBytes?: number;
  /** Test hooks: how fast a dead worker's job is taken over. */
  lockMs?: number;
  stalledMs?: number;
}

export const TEAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Key prefix of the team's BullMQ queue (`crossdock:<team>:jobs:*`) and of our own keys. */
export function teamPrefix(name: string): string {
  return `crossdock:${name}`;
}
export const QUEUE_NAME = 'jobs';

/** The URL without user name or password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/** Checks a Redis URL; the message is one sentence for a person. */
export function checkRedisUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${redactUrl(url)}" is not a Redis URL; use e.g. redis://localhost:6379 or rediss://host:6380.`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    return `"${redactUrl(url)}" is not a Redis URL: it must start with redis:// or rediss://.`;
  if (!u.hostname) return `"${redactUrl(url)}" has no host; use e.g. redis://localhost:6379.`;
  return null;
}

/** ioredis options for the team: keep retrying (the app stays usable offline), never queue commands blindly. */
export function redisOptions(
  config: Pick<TeamConfig, 'url' | 'user' | 'password'>,
  extra: RedisOptions = {},
): RedisOptions {
  const u = new URL(config.url);
  const username = config.user || (u.username ? decodeURIComponent(u.username) : undefined);
  const password = config.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) || 0 : 0,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
    connectTimeout: 5000,
    maxRetriesPerRequest: null,
    // Reconnect for ever, backing off to 2 s: Redis coming back is noticed within seconds.
    retryStrategy: (times) => Math.min(200 * times, 2000),
    ...extra,
  };
}

export function createRedis(config: Pick<TeamConfig, 'url' | 'user' | 'password'>, extra: RedisOptions = {}) {
  return new Redis(redisOptions(config, extra));
}

/** A Redis error as one sentence saying what is wrong and what to do (never the password). */
export function describeRedisError(err: unknown, url: string): string {
  const where = redactUrl(url);
  const e = err as NodeJS.ErrnoException & { message?: string };
  const msg = String(e?.message ?? err);
  const code = e?.code ?? '';
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg))
    return `Nothing answers at ${where} (connection refused); check the address and that Redis is running.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(msg))
    return `The host in ${where} cannot be found; check the Redis URL.`;
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(msg))
    return `Redis at ${where} did not answer in time; check the address, the port and any firewall.`;
  if (/WRONGPASS|invalid username-password|NOAUTH|AUTH failed|invalid password/i.test(msg))
    return `Redis at ${where} refused the user name or password; check them in Settings (or CROSSDOCK_REDIS_PASSWORD).`;
  if (/NOPERM/i.test(msg))
    return `The Redis user lacks a permission Crossdock needs (${msg.replace(/\s+/g, ' ').slice(0, 160)}); allow it all commands on the keys and channels crossdock:*.`;
  if (/SSL|TLS|certificate|EPROTO|wrong version number/i.test(msg))
    return `The TLS connection to ${where} failed (${msg.slice(0, 120)}); check redis:// versus rediss:// and the server's certificate.`;
  if (/Unknown RESP type|Protocol error/i.test(msg))
    return `What answers at ${where} is not a Redis server; check the address and the port.`;
  if (/Connection is closed|ECONNRESET|EPIPE|Stream isn't writeable|enableOfflineQueue/i.test(msg))
    return `The connection to Redis at ${where} was lost; Crossdock keeps trying.`;
  return `Redis at ${where} failed: ${msg.replace(/\s+/g, ' ').slice(0, 200)}.`;
}
