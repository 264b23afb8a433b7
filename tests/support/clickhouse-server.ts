// A private ClickHouse server for one test file: own ports, own data dir, own users.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './ports.ts';

export const CLICKHOUSE_PASSWORD_USER = { user: 'crossdock', password: 'cd-secret' };

export interface ClickHouseServer {
  url: string;
  httpPort: number;
  /** Stops the server and removes its data dir. */
  stop(): Promise<void>;
  /** Runs one statement as `default` and returns the response text; throws the server's message. */
  query(sql: string): Promise<string>;
}

const START_TIMEOUT_MS = 30_000;

/** The server binary: Debian ships clickhouse-server in /usr/sbin, upstream packages in /usr/bin. */
function findBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const file = join(dir, 'clickhouse-server');
    if (dir && existsSync(file)) return file;
  }
  throw new Error(
    'clickhouse-server is not installed, so the ClickHouse tests cannot run; install it with "apt-get install -y clickhouse-server clickhouse-client".',
  );
}

function configXml(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/log/server.log</log>
    <errorlog>${dir}/log/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <keep_alive_timeout>3</keep_alive_timeout>
</yandex>
`;
}

function usersXml(): string {
  const user = (name: string, password: string): string => `
    <${name}>
      <password>${password}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${name}>`;
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>${user('default', '')}${user(CLICKHOUSE_PASSWORD_USER.user, CLICKHOUSE_PASSWORD_USER.password)}
  </users>
  <quotas><default><interval>
    <duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
`;
}

function httpQuery(port: number, sql: string, path = '/'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // agent: false, a connection of its own: Node's global agent keeps sockets alive, and one left
    // idle for the server's keep_alive_timeout (3 s: a demo data load between two queries) is
    // closed just as the next query goes out on it ("socket hang up").
    const req = request(
      { host: '127.0.0.1', port, path, method: sql ? 'POST' : 'GET', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(sql || undefined);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startOnce(binary: string): Promise<ClickHouseServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cd-clickhouse-'));
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(join(dir, sub));
  const httpPort = await freePort();
  let tcpPort = await freePort();
  while (tcpPort === httpPort) tcpPort = await freePort();
  const config = join(dir, 'config.xml');
  writeFileSync(config, configXml(dir, httpPort, tcpPort));
  writeFileSync(join(dir, 'users.xml'), usersXml());
  const child = spawn(binary, [`--config-file=${config}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  let spawnError: Error | null = null;
  child.on('error', (err) => (spawnError = err));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const log = [stderr, readTail(join(dir, 'log', 'server.err.log'))].join('\n').trim();
      await stop();
      throw new Error(
        `clickhouse-server did not start on port ${httpPort}${spawnError ? ` (${String(spawnError)})` : ''}: ${log.slice(-1500) || 'no output'}`,
      );
    }
    try {
      const ping = await httpQuery(httpPort, '', '/ping');
      if (ping.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: `http://127.0.0.1:${httpPort}`,
    httpPort,
    stop,
    async query(sql: string): Promise<string> {
      const res = await httpQuery(httpPort, sql);
      if (res.status !== 200) throw new Error(res.text.trim());
      return res.text;
    },
  };
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

/**
 * Starts clickhouse-server on free ports with a temp data dir, users `default` (no password) and
 * `crossdock` (CLICKHOUSE_PASSWORD_USER), and waits until /ping answers. Fails (does not skip)
 * when the binary is missing. A port taken between probing and binding gets one more try.
 */
export async function startClickHouse(): Promise<ClickHouseServer> {
  const binary = findBinary();
  try {
    return await startOnce(binary);
  } catch (err) {
    if (!/address already in use|Address already in use|bind/i.test(String(err))) throw err;
    return startOnce(binary);
  }
}
