// A private redis-server for one test file: a free port, its own dir, append-only persistence (so a
// restart keeps the queue, as a production server would), an ACL user with a password.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './ports.ts';

export { freePort };

export const REDIS_USER = { user: 'crossdock', password: 'team-secret' };

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:<port> (no credentials: pass the user and password separately). */
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

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.write('PING\r\n');
    });
    s.once('data', (d) => {
      s.destroy();
      resolve(/PONG|NOAUTH/.test(d.toString()));
    });
    s.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedis(): Promise<RedisServer> {
  const binary = findBinary();
  const dir = mkdtempSync(join(tmpdir(), 'cd-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let stderr = '';
  const launch = async () => {
    child = spawn(
      binary,
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
        ...['--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--loglevel', 'warning'],
        ...['--user', REDIS_USER.user, 'on', `>${REDIS_USER.password}`, '~*', '&*', '+@all'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (!(await answers(port))) {
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
    url: `redis://127.0.0.1:${port}`,
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
