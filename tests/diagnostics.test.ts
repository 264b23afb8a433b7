// The diagnostics bundle: built from a real engine's store and secrets, unzipped with the system's
// `unzip` (another zip implementation than the writer's), every entry searched for every secret in
// every form it could take (as is, URL-encoded, JSON-escaped), and the entries a helper needs there.
// Also the CLI command, and the app's rotating main.log.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDiagnostics } from '../src-main/engine/diagnostics.ts';
import type { Engine } from '../src-main/engine/engine.ts';
import { MainLog, mainLogFiles } from '../src-main/engine/main-log.ts';
import { REDACTED, Redactor } from '../src-main/engine/redact.ts';
import { StoredSecrets, type Cipher } from '../src-main/engine/secrets.ts';
import { cli, freshDataDir, openEngine, SAMPLE, tempDir } from './helpers.ts';

// Secrets with characters that change when URL-encoded or JSON-escaped.
const CH_PASSWORD = 'Ch"pw/Secr3t@1';
const REDIS_PASSWORD = 'R3dis pw&42';
const CH_URL_PASSWORD = 'UrlCh!pw9';
const REDIS_URL_PASSWORD = 'UrlR3dis~pw';
const ENV_PASSWORD = 'EnvCh-pw-77';
const LOG_TOKEN = 'tok_5f8a9c2e71';
const SECRETS = [CH_PASSWORD, REDIS_PASSWORD, CH_URL_PASSWORD, REDIS_URL_PASSWORD, ENV_PASSWORD, LOG_TOKEN];

/** Every way a secret could be written down in an entry. */
function forms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64'),
  ];
}

/** A stand-in for safeStorage (reversible, and the stored text is not the secret). */
const cipher: Cipher = {
  storage: 'encrypted',
  encrypt: (t) => Buffer.from(t, 'utf8').reverse(),
  decrypt: (b) => Buffer.from(b).reverse().toString('utf8'),
};

function unzip(file: string): Map<string, string> {
  execFileSync('unzip', ['-tq', file]); // the archive is sound: every entry's CRC checks
  const dir = tempDir('cd-unzip-');
  execFileSync('unzip', ['-q', file, '-d', dir]);
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function expectNoSecrets(entries: Map<string, string>, secrets: string[]): void {
  for (const [name, text] of entries)
    for (const secret of secrets)
      for (const form of forms(secret))
        expect(text.includes(form), `${name} contains the secret ${JSON.stringify(secret)} as ${form}`).toBe(
          false,
        );
}

let dataDir: string;
let engine: Engine;
let failedId: string;

beforeAll(async () => {
  dataDir = freshDataDir();
  engine = openEngine(dataDir, { secrets: (store) => new StoredSecrets(store, cipher) });
  engine.secrets.set('clickhouse-password', CH_PASSWORD);
  engine.secrets.set('redis-password', REDIS_PASSWORD);
  engine.updateSettings({
    clickhouse: {
      url: `http://default:${CH_URL_PASSWORD}@127.0.0.1:8123`,
      database: 'default',
      user: 'default',
    },
    team: {
      enabled: false,
      url: `redis://crossdock:${REDIS_URL_PASSWORD}@127.0.0.1:6379`,
      user: 'crossdock',
      name: 'buyers',
      runJobs: false,
    },
  });
  // A job (never started: the engine is not) that failed with secrets in its error and its log.
  const { job } = await engine.submit({
    kind: 'crossdock',
    input: SAMPLE,
    list: 'ОПТ-1',
    outDir: tempDir('cd-out-'),
  });
  failedId = job.id;
  const at = Date.now();
  engine.store.addLog(job.id, 'info', `connecting to http://default:${CH_PASSWORD}@ch.local:8123`, at);
  engine.store.addLog(job.id, 'warn', `retrying with password=${CH_PASSWORD} token: ${LOG_TOKEN}`, at);
  engine.store.addLog(job.id, 'error', `Authorization: Bearer ${LOG_TOKEN}`, at);
  engine.store.finish(
    job.id,
    null,
    'failed',
    {
      error: { message: `Redis at redis://crossdock:${REDIS_PASSWORD}@10.0.0.5 refused ${REDIS_PASSWORD}.` },
      errorDetails: JSON.stringify({ password: REDIS_PASSWORD, url: `redis://:${REDIS_URL_PASSWORD}@h` }),
    },
    at,
  );
  // The app's own log, with secrets in what it quotes.
  const log = new MainLog(dataDir);
  log.write('error', 'MAIN_LOG_ENGINE_ERROR', {
    reason: `WRONGPASS for ${REDIS_PASSWORD} at redis://u:${REDIS_URL_PASSWORD}@h`,
  });
  log.write('warn', 'MAIN_LOG_CALL_FAILED', { method: 'testClickHouse', reason: `secret=${CH_PASSWORD}` });
});

afterAll(async () => {
  await engine?.close();
});

describe('diagnostics bundle', () => {
  it('holds the expected entries, and no secret in any form anywhere', async () => {
    const file = join(tempDir('cd-diag-'), 'diagnostics.zip');
    const { entries } = await writeDiagnostics(file, {
      dataDir,
      store: engine.store,
      settings: engine.settings,
      secrets: engine.secrets,
      app: { version: '9.8.7', shell: 'electron' },
      env: { CROSSDOCK_CLICKHOUSE_PASSWORD: ENV_PASSWORD, CROSSDOCK_REDIS_PASSWORD: REDIS_PASSWORD },
      versions: { ...process.versions, electron: '41.7.1', chrome: '140.0.0.0' },
    });
    const unzipped = unzip(file);
    expect([...unzipped.keys()].sort()).toEqual([...entries].sort());
    expect(entries).toEqual(
      expect.arrayContaining([
        'about.json',
        'settings.json',
        'jobs.jsonl',
        'job-logs.jsonl',
        'logs/main.log',
        'data-folder.json',
      ]),
    );
    // The stored (encrypted) form of the secrets is not in it either.
    const stored = engine.store.getSetting<string>('secret:clickhouse-password')!;
    expect(stored).toBeTruthy();
    for (const text of unzipped.values()) expect(text.includes(stored)).toBe(false);
    expectNoSecrets(unzipped, SECRETS);
    // A temporary file never stays behind.
    expect(readdirSync(join(file, '..'))).toEqual(['diagnostics.zip']);

    const about = JSON.parse(unzipped.get('about.json')!);
    expect(about).toMatchObject({
      app: 'Crossdock',
      version: '9.8.7',
      versions: { electron: '41.7.1', chrome: '140.0.0.0', node: process.versions.node },
      os: { platform: process.platform, arch: process.arch },
      keychain: { storage: 'encrypted', set: { 'clickhouse-password': true, 'redis-password': true } },
      jobs: { total: 1, byStatus: { failed: 1 } },
      mainLogFiles: ['main.log'],
    });
    const settings = JSON.parse(unzipped.get('settings.json')!);
    expect(settings.clickhouse.url).toBe(`http://default:${REDACTED}@127.0.0.1:8123`);
    expect(settings.team.url).toBe(`redis://crossdock:${REDACTED}@127.0.0.1:6379`);
    expect(settings.baseCurrency).toBe('RUB');

    const jobs = unzipped
      .get('jobs.jsonl')!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      id: failedId,
      kind: 'crossdock',
      status: 'failed',
      spec: { list: 'ОПТ-1' },
    });
    expect(jobs[0].error).toBe(`Redis at redis://crossdock:${REDACTED}@10.0.0.5 refused ${REDACTED}.`);
    expect(JSON.parse(jobs[0].errorDetails)).toEqual({ password: REDACTED, url: `redis://:${REDACTED}@h` });
    const logs = unzipped
      .get('job-logs.jsonl')!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(logs.filter((l) => l.jobId === failedId).map((l) => l.message)).toEqual(
      expect.arrayContaining([
        `connecting to http://default:${REDACTED}@ch.local:8123`,
        `retrying with password=${REDACTED} token: ${REDACTED}`,
        `Authorization: Bearer ${REDACTED}`,
      ]),
    );
    expect(unzipped.get('logs/main.log')).toMatch(
      /ERROR MAIN_LOG_ENGINE_ERROR The job engine reported an error/,
    );
    // No input file: only names and sizes of the data folder.
    const input = readFileSync(SAMPLE);
    for (const text of unzipped.values()) expect(text.length).toBeLessThan(input.length * 4);
    const folder = JSON.parse(unzipped.get('data-folder.json')!) as { name: string }[];
    expect(folder.map((f) => f.name)).toEqual(
      expect.arrayContaining(['crossdock.sqlite', 'inputs/', 'main.log']),
    );
  });

  it('streams many log lines without holding them (pages of the store, every line there)', async () => {
    for (let i = 0; i < 2500; i++)
      engine.store.addLog(failedId, 'info', `line ${i} password=${CH_PASSWORD}`, Date.now());
    const file = join(tempDir('cd-diag-'), 'big.zip');
    await writeDiagnostics(file, {
      dataDir,
      store: engine.store,
      settings: engine.settings,
      secrets: engine.secrets,
      app: { version: '1', shell: 'cli' },
      env: {},
    });
    const unzipped = unzip(file);
    const lines = unzipped.get('job-logs.jsonl')!.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2503);
    expect(lines.at(-1)).toContain(`line 2499 password=${REDACTED}`);
    expectNoSecrets(unzipped, [CH_PASSWORD, REDIS_PASSWORD]);
  });

  it('the CLI writes the bundle: environment passwords and URL passwords taken out', async () => {
    const out = join(tempDir('cd-diag-'), 'cli.zip');
    const r = await cli(['diagnostics', '--out', out, '--data-dir', dataDir], {
      CROSSDOCK_CLICKHOUSE_PASSWORD: ENV_PASSWORD,
      CROSSDOCK_REDIS_URL: `redis://u:${REDIS_URL_PASSWORD}@127.0.0.1:1`,
    });
    expect(r.stderr).toBe(`Diagnostics saved to ${out}.\n`);
    expect(r.code).toBe(0);
    const unzipped = unzip(out);
    expect([...unzipped.keys()]).toEqual(
      expect.arrayContaining([
        'about.json',
        'settings.json',
        'jobs.jsonl',
        'job-logs.jsonl',
        'logs/main.log',
      ]),
    );
    expect(JSON.parse(unzipped.get('about.json')!)).toMatchObject({
      madeBy: 'cli',
      versions: { node: process.versions.node, electron: null },
      keychain: { storage: 'environment', set: { 'clickhouse-password': true } },
    });
    // The CLI cannot read the app's stored passwords, so it takes out what it knows of: the
    // environment's, the URLs', the named ones (this job's log and error quote the stored ones in
    // such places).
    expectNoSecrets(unzipped, [ENV_PASSWORD, REDIS_URL_PASSWORD, CH_URL_PASSWORD, LOG_TOKEN]);
  });

  it('the CLI says in one sentence when it cannot write the bundle', async () => {
    const out = join(tempDir('cd-diag-'), 'no-such-folder', 'x.zip');
    const r = await cli(['diagnostics', '--out', out, '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The diagnostics could not be saved to .*x\.zip: .*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

describe('main.log', () => {
  it('rotates past its size, keeping a few old files', () => {
    const dir = tempDir('cd-log-');
    const log = new MainLog(dir, { maxBytes: 400, keep: 2 });
    for (let i = 0; i < 40; i++)
      log.write('warn', 'MAIN_LOG_NAVIGATION_REFUSED', { url: `https://example.com/${i}` });
    expect(mainLogFiles(dir, 2).map((f) => relative(dir, f))).toEqual([
      'main.log.2',
      'main.log.1',
      'main.log',
    ]);
    expect(existsSync(join(dir, 'main.log.3'))).toBe(false);
    for (const f of mainLogFiles(dir, 2)) expect(statSync(f).size).toBeLessThanOrEqual(400);
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).toMatch(
      /WARN MAIN_LOG_NAVIGATION_REFUSED .*example\.com\/39\.\n$/,
    );
  });
});

describe('Redactor', () => {
  it('takes out known values, URL passwords and named values, and leaves the rest', () => {
    const r = new Redactor(['hunter2']);
    expect(r.text('pw hunter2 in hunter2%')).toBe(`pw ${REDACTED} in ${REDACTED}%`);
    expect(r.text('rediss://:p%40ss@host:6380/0')).toBe(`rediss://:${REDACTED}@host:6380/0`);
    expect(r.text('redis://user@host')).toBe('redis://user@host');
    expect(r.text('"apiKey": "abc123", user=bob')).toBe(`"apiKey": "${REDACTED}", user=bob`);
    expect(
      r.value({ password: 'x', nested: [{ token: 5, ok: true, passwordSet: true }], note: 'hunter2' }),
    ).toEqual({
      password: REDACTED,
      nested: [{ token: REDACTED, ok: true, passwordSet: true }],
      note: REDACTED,
    });
  });
});
