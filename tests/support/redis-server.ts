// A private redis-server for one test file: a free port, its own dir, append-only persistence (so a
// restart keeps the queue, as a production server would), an ACL user with a password; optionally
// speaking only TLS on that port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './ports.ts';

export { freePort };

export const REDIS_USER = { user: 'crossdock', password: 'team-secret' };

/** PEM files for a TLS-only server. */
export interface RedisTls {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** Clients must show a certificate signed by caFile (redis-server's default); off unless set. */
  clientCertificates?: boolean;
}

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:<port>, or rediss:// with TLS (no credentials: pass the user and password separately). */
  url: string;
  /** Stops the server (SIGKILL: as a crash would) without removing its data. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function findBinary(): string {
  for (const dir of [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/bin',
    '/usr/local/bin',
    '/usr/sbin',
  ]) {
    const file = join(dir, 'redis-server');
    if (dir && existsSync(file)) return file;
  }
  throw new Error(
    'redis-server is not installed, so the team-mode tests cannot run; install it with "apt-get install -y redis-server".',
  );
}

function answers(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    // Over TLS only readiness is asked: the certificate is what the tests check, not this.
    const s = tls
      ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : connect(port, '127.0.0.1');
    s.once(tls ? 'secureConnect' : 'connect', () => {
      s.write('PING\r\n');
    });
    s.once('data', (d) => {
      s.destroy();
      resolve(/PONG|NOAUTH/.test(d.toString()));
    });
    // A server that wants client certificates answers with that alert: it is up.
    // 'on', not 'once': a TLS socket can report a second error, which would otherwise be uncaught.
    s.on('error', (err: NodeJS.ErrnoException) => {
      s.destroy();
      resolve(/CERTIFICATE_REQUIRED/.test(err.code ?? ''));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedis(options: { tls?: RedisTls } = {}): Promise<RedisServer> {
  const { tls } = options;
  const binary = findBinary();
  const dir = mkdtempSync(join(tmpdir(), 'cd-redis-'));
  const port = await freePort();
  // With TLS the port speaks only TLS (the plain port is off).
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile]
        .concat(['--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile])
        .concat(['--tls-auth-clients', tls.clientCertificates ? 'yes' : 'no'])
    : ['--port', String(port)];
  let child: ChildProcess | null = null;
  let stderr = '';
  const launch = async () => {
    child = spawn(
      binary,
      [
        ...listen,
        ...['--bind', '127.0.0.1', '--dir', dir, '--save', ''],
        ...['--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--loglevel', 'warning'],
        ...['--user', REDIS_USER.user, 'on', `>${REDIS_USER.password}`, '~*', '&*', '+@all'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (!(await answers(port, !!tls))) {
      if (tls && /tls/i.test(stderr) && /Bad directive|not supported|wrong number/i.test(stderr))
        throw new Error(
          `This redis-server is built without TLS, so the TLS team-mode tests cannot run; install one built with it (Debian's: "apt-get install -y redis-server"). It said: ${stderr.trim()}`,
        );
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`redis-server did not start on port ${port}: ${stderr || 'no output'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await launch();
  // A test process that ends without afterAll (a crash, a timeout) must not leave the server behind.
  process.once('exit', () => child?.kill('SIGKILL'));
  const kill = async () => {
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
    child = null;
  };
  return {
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
