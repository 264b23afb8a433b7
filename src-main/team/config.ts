// How to reach the team's Redis, and what a failure to reach it means in one coded sentence.
import type { RedisOptions } from 'ioredis';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls, rootCertificates } from 'node:tls';
import { CodedError, type ErrorCode } from '../common/errors.ts';
import { ioredis, tlsSafeConnector } from './packages.ts';

/** Everything a process needs to join a team queue (the password never leaves this process). */
export interface TeamConfig {
  url: string;
  /** ACL user; empty means the URL's user or `default`. */
  user?: string;
  password?: string;
  /**
   * A PEM file with the CA certificate(s) of a `rediss://` server signed by a private CA; trusted in
   * addition to Node's default CAs. Read by the process that connects.
   */
  caFile?: string;
  /** The team name: the queue prefix everyone in the team shares. */
  name: string;
  /** This process takes team jobs too. */
  runJobs: boolean;
  /** Team jobs at once in this process (defaults to the engine's concurrency). */
  concurrency?: number;
  /**
   * A crossdock with more lines than this is split into parts for several workers (this process's
   * `--split-lines`; default: Settings → Team, else DEFAULT_SPLIT_LINES).
   */
  splitLines?: number;
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

/** Checks a Redis URL: what is wrong with it (a coded sentence for a person), or null. */
export function checkRedisUrl(url: string): CodedError | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return new CodedError('REDIS_BAD_URL', { url: redactUrl(url) });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    return new CodedError('REDIS_WRONG_SCHEME', { url: redactUrl(url) });
  if (!u.hostname) return new CodedError('REDIS_NO_HOST', { url: redactUrl(url) });
  return null;
}

/** A team setting that cannot be used as it is (the CA file): a coded sentence for a person. */
export class TeamConfigError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  override name = 'TeamConfigError';
}

const MAX_CA_BYTES = 1024 * 1024;

/**
 * The certificates of a CA file, checked: PEM, every certificate in it readable. Throws a
 * TeamConfigError saying what is wrong with the file and what to do.
 */
export function readCaFile(file: string): string {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new TeamConfigError('CA_IS_FOLDER', { file });
    if (st.size > MAX_CA_BYTES) throw new TeamConfigError('CA_TOO_BIG', { file, bytes: st.size });
    text = readFileSync(file, 'latin1');
  } catch (err) {
    if (err instanceof TeamConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new TeamConfigError('CA_NOT_FOUND', { file });
    throw new TeamConfigError('CA_UNREADABLE', { file, reason: String(code ?? (err as Error).message) });
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new TeamConfigError('CA_NOT_PEM', { file });
  for (const pem of blocks) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new TeamConfigError('CA_DAMAGED', { file });
    }
  }
  return `${blocks.join('\n')}\n`;
}

/** What is wrong with the CA file (a coded sentence), else null (no file given: nothing to check). */
export function checkCaFile(file: string | undefined): TeamConfigError | null {
  if (!file) return null;
  try {
    readCaFile(file);
    return null;
  } catch (err) {
    if (err instanceof TeamConfigError) return err;
    throw err;
  }
}

/**
 * ioredis options for the team: keep retrying (the app stays usable offline), never queue commands
 * blindly. `rediss://` trusts Node's default CAs plus the config's CA file (read now: a TeamConfigError
 * when it cannot be used).
 */
export function redisOptions(
  config: Pick<TeamConfig, 'url' | 'user' | 'password' | 'caFile'>,
  extra: RedisOptions = {},
): RedisOptions {
  const u = new URL(config.url);
  const username = config.user || (u.username ? decodeURIComponent(u.username) : undefined);
  const password = config.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: u.port ? Number(u.port) : 6379,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) || 0 : 0,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(u.protocol === 'rediss:'
      ? {
          Connector: tlsSafeConnector(),
          tls: {
            // SNI takes host names only (an IP address is checked against the certificate all the same).
            ...(isIP(host) ? {} : { servername: host }),
            ...(config.caFile ? { ca: [...rootCertificates, readCaFile(config.caFile)] } : {}),
          },
        }
      : {}),
    connectTimeout: 5000,
    maxRetriesPerRequest: null,
    // Reconnect for ever, backing off to 2 s: Redis coming back is noticed within seconds.
    retryStrategy: (times) => Math.min(200 * times, 2000),
    ...extra,
  };
}

export function createRedis(
  config: Pick<TeamConfig, 'url' | 'user' | 'password' | 'caFile'>,
  extra: RedisOptions = {},
) {
  return new (ioredis().Redis)(redisOptions(config, extra));
}

/** The URL asks for TLS (rediss://). */
export function isTlsUrl(url: string): boolean {
  return /^rediss:/i.test(url.trim());
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

/** The same address with the other scheme (redis:// ⇄ rediss://), for a sentence saying which to use. */
function otherScheme(where: string): string {
  return where.startsWith('rediss:') ? `redis:${where.slice(7)}` : `rediss:${where.slice(6)}`;
}

/**
 * A Redis error as one coded sentence saying what is wrong and what to do (never the password).
 * `caFile` is the CA file the connection trusted besides the default CAs, if any. Reaching Redis is
 * worth trying again (transient); a setting to fix is not.
 */
export function describeRedisError(err: unknown, url: string, caFile?: string): CodedError {
  const where = redactUrl(url);
  const e = err as NodeJS.ErrnoException & { message?: string };
  const msg = String(e?.message ?? err);
  const code = e?.code ?? '';
  if (err instanceof TeamConfigError) return err;
  const transient = { transient: true };
  // TLS: the codes Node's tls module puts on the error ioredis emits.
  if (UNTRUSTED.has(code))
    return caFile
      ? new CodedError('REDIS_CERT_UNTRUSTED_CA', { url: where, ca: caFile })
      : new CodedError('REDIS_CERT_UNTRUSTED', { url: where });
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    // Node: "… is not in the cert's altnames: DNS:b" (for an IP: "… cert's list: <IPs>"), or "… is not cert's CN: b".
    const m = /is not in the cert's (?:altnames|list): (.*)$|is not cert's CN: (.+)$/.exec(msg);
    const names = m?.[1]?.trim() || (m?.[2] ? `CN=${m[2].trim()}` : '');
    const host = URL.canParse(where) ? new URL(where).hostname : null;
    return new CodedError('REDIS_CERT_WRONG_HOST', { url: where, names, host });
  }
  if (code === 'CERT_HAS_EXPIRED') return new CodedError('REDIS_CERT_EXPIRED', { url: where });
  if (code === 'CERT_NOT_YET_VALID') return new CodedError('REDIS_CERT_NOT_YET_VALID', { url: where });
  if (
    isTlsUrl(url) &&
    (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(msg))
  )
    return notTls(where);
  if (/CERTIFICATE_REQUIRED|certificate required/i.test(`${code} ${msg}`))
    return needsClientCertificate(where);
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg))
    return new CodedError('REDIS_CONNECTION_REFUSED', { url: where }, transient);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(msg))
    return new CodedError('REDIS_UNKNOWN_HOST', { url: where }, transient);
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(msg))
    return new CodedError('REDIS_TIMEOUT', { url: where }, transient);
  if (/WRONGPASS|invalid username-password|NOAUTH|AUTH failed|invalid password/i.test(msg))
    return new CodedError('REDIS_AUTH_FAILED', { url: where });
  if (/NOPERM/i.test(msg))
    return new CodedError('REDIS_NO_PERMISSION', { reason: msg.replace(/\s+/g, ' ').slice(0, 160) });
  if (/SSL|TLS|certificate|EPROTO|wrong version number/i.test(msg))
    return new CodedError('REDIS_TLS_FAILED', { url: where, reason: msg.slice(0, 120) });
  if (/Unknown RESP type|Protocol error/i.test(msg)) return new CodedError('REDIS_NOT_REDIS', { url: where });
  if (/Connection is closed|ECONNRESET|EPIPE|Stream isn't writeable|enableOfflineQueue/i.test(msg))
    return new CodedError('REDIS_CONNECTION_LOST', { url: where }, transient);
  return new CodedError('REDIS_FAILED', { url: where, reason: msg.replace(/\s+/g, ' ').slice(0, 200) });
}

function speaksTls(where: string): CodedError {
  return new CodedError('REDIS_SPEAKS_TLS', { url: where, other: otherScheme(where) });
}

function notTls(where: string): CodedError {
  return new CodedError('REDIS_NOT_TLS', { url: where, other: otherScheme(where) });
}

function needsClientCertificate(where: string): CodedError {
  return new CodedError('REDIS_CLIENT_CERTIFICATE', { url: where });
}

/**
 * Whether a failure to connect may have a cause only the port can tell: a TLS port behind redis://
 * resets the connection at the first command; a plain port behind rediss:// leaves the TLS handshake
 * unanswered until the connect timeout (rarely, it answers: wrong version number); a TLS server that
 * wants a client certificate resets the connection after the handshake.
 */
export function worthAskingThePort(url: string, err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | null;
  const text = `${e?.code ?? ''} ${String(e?.message ?? err)}`;
  if (isTlsUrl(url))
    return /ETIMEDOUT|EPROTO|ECONNRESET|EPIPE|Connection is closed|wrong version number/i.test(text);
  return /ECONNRESET|EPIPE|Connection is closed/i.test(text);
}

/**
 * After a connection that failed that way: asks the port what it speaks, and says in one coded
 * sentence what to change when that is the cause (the other scheme, or the server's client
 * certificates); null when it is not, or the port does not tell.
 */
export async function askThePort(url: string, err: unknown, timeoutMs = 2000): Promise<CodedError | null> {
  if (!worthAskingThePort(url, err)) return null;
  const u = new URL(url);
  const where = redactUrl(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : 6379;
  if (u.protocol === 'redis:') return (await tlsAnswer(host, port, timeoutMs, 0)) ? speaksTls(where) : null;
  // Both questions at once; a plain answer ends the TLS one (a plain port leaves it hanging).
  const stop = new AbortController();
  const tls = tlsAnswer(host, port, timeoutMs, 500, stop.signal);
  if (await answersPlainRedis(host, port, timeoutMs)) {
    stop.abort();
    return notTls(where);
  }
  return (await tls) === 'client-certificate' ? needsClientCertificate(where) : null;
}

/** A Redis server without TLS answers PING (or asks for a password). */
function answersPlainRedis(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    const done = (yes: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(yes);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d: Buffer) =>
      done(/^(\+PONG|-NOAUTH|-ERR|-WRONGPASS|-DENIED)/.test(d.toString('latin1'))),
    );
    // 'on', not 'once': a TLS socket can report a second error (an alert after a failed write), and an
    // 'error' without a listener would crash the process.
    socket.on('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/**
 * Whether the port speaks TLS: it completes a handshake or answers it with a TLS alert; with
 * `waitMs`, how long to wait after the handshake for the alert of a server that wants a client
 * certificate. Only a question: nothing is sent, so the server's certificate is not checked here.
 */
function tlsAnswer(
  host: string,
  port: number,
  timeoutMs: number,
  waitMs: number,
  signal?: AbortSignal,
): Promise<'tls' | 'client-certificate' | null> {
  return new Promise((resolve) => {
    const socket = connectTls({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
    });
    let handshake = false;
    const done = (answer: 'tls' | 'client-certificate' | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    let timer = setTimeout(() => done(null), timeoutMs);
    signal?.addEventListener('abort', () => done(null), { once: true });
    socket.once('secureConnect', () => {
      handshake = true;
      clearTimeout(timer);
      if (waitMs <= 0) done('tls');
      else timer = setTimeout(() => done('tls'), waitMs);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (/CERTIFICATE_REQUIRED/.test(code)) done('client-certificate');
      else done(handshake || /^ERR_SSL_.*ALERT/.test(code) ? 'tls' : null);
    });
    socket.once('close', () => done(handshake ? 'tls' : null));
  });
}
