// Team mode over TLS (rediss://) against real TLS redis-servers with a throwaway private CA: a job
// through the team queue, and each TLS mistake as one sentence (Test button, CLI, team status).
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src-main/engine/engine.ts';
import { createRedis, describeRedisError } from '../src-main/team/config.ts';
import { cli, openEngine, SAMPLE, tempDir } from './helpers.ts';
import { REDIS_USER, startRedis, type RedisServer } from './support/redis-server.ts';
import {
  removeScratch,
  requestList,
  scratchDataDir,
  scratchDir,
  startWorker,
  teamConfig,
  until,
  type WorkerProcess,
} from './support/team.ts';

const TEAM = 'tls-buyers';

interface Certificates {
  dir: string;
  ca: string;
  server: { certFile: string; keyFile: string };
  other: { certFile: string; keyFile: string };
  notPem: string;
}

function findOpenssl(): string {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']) {
    const file = join(dir, 'openssl');
    if (dir && existsSync(file)) return file;
  }
  throw new Error(
    'openssl is not installed, so the TLS team-mode tests cannot make their certificates; install it with "apt-get install -y openssl".',
  );
}

/** A throwaway CA, a server certificate for 127.0.0.1/localhost and one for other.example only. */
function makeCertificates(dir: string): Certificates {
  const openssl = findOpenssl();
  const run = (args: string, ...more: string[]) => {
    try {
      execFileSync(openssl, [...args.split(' '), ...more], { cwd: dir, stdio: 'pipe' });
    } catch (err) {
      throw new Error(`openssl ${args} failed: ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
    }
  };
  writeFileSync(
    join(dir, 'openssl.cnf'),
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      'CN = unused',
      '[ca]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      '[server]',
      'basicConstraints = CA:FALSE',
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = IP:127.0.0.1,DNS:localhost',
      '[other]',
      'basicConstraints = CA:FALSE',
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = DNS:other.example',
      '',
    ].join('\n'),
  );
  const key = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  // Valid for two days: long enough for any run, short for a key that lies in a temporary folder.
  const days = '-days 2';
  run(
    `req -x509 -new ${key} -keyout ca.key -out ca.pem ${days} -config openssl.cnf -extensions ca`,
    '-subj',
    '/CN=Crossdock test CA',
  );
  let serial = 1;
  const issue = (name: string, cn: string) => {
    run(`req -new ${key} -keyout ${name}.key -out ${name}.csr -config openssl.cnf`, '-subj', `/CN=${cn}`);
    run(
      `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -out ${name}.pem -set_serial ${++serial} ${days}` +
        ` -extfile openssl.cnf -extensions ${name}`,
    );
    return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
  };
  const notPem = join(dir, 'not-a-certificate.txt');
  writeFileSync(notPem, 'this is not a certificate\n');
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    server: issue('server', 'localhost'),
    other: issue('other', 'other.example'),
    notPem,
  };
}

let certs: Certificates;
let tlsRedis: RedisServer;
let otherRedis: RedisServer;
let plainRedis: RedisServer;
let clientCertRedis: RedisServer;
let worker: WorkerProcess;
const engines: Engine[] = [];

beforeAll(async () => {
  certs = makeCertificates(tempDir('cd-tls-'));
  [tlsRedis, otherRedis, plainRedis, clientCertRedis] = await Promise.all([
    startRedis({ tls: { ...certs.server, caFile: certs.ca } }),
    startRedis({ tls: { ...certs.other, caFile: certs.ca } }),
    startRedis(),
    startRedis({ tls: { ...certs.server, caFile: certs.ca, clientCertificates: true } }),
  ]);
  // The CA by the environment here; `crossdock run` below gives it with --redis-ca.
  worker = await startWorker(tlsRedis, TEAM, 1, { env: { CROSSDOCK_REDIS_CA: certs.ca } });
});

afterAll(async () => {
  for (const e of engines) await e.close().catch(() => undefined);
  await worker?.stop();
  await Promise.all([tlsRedis?.stop(), otherRedis?.stop(), plainRedis?.stop(), clientCertRedis?.stop()]);
  removeScratch();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

function engine(extra: Parameters<typeof openEngine>[1] = {}): Engine {
  const e = openEngine(scratchDataDir(), { run: 'none', ...extra });
  e.on('error', () => undefined);
  engines.push(e);
  return e;
}

/** The Test button's answer for a URL (the ACL user and password of the test servers). */
function test(url: string, caFile?: string) {
  return engine().testTeam({
    url,
    user: REDIS_USER.user,
    password: REDIS_USER.password,
    name: TEAM,
    ...(caFile !== undefined ? { caFile } : {}),
  });
}

/** A failed Test as the renderer gets it: the English sentence, and its code with the parameters. */
function failed(error: string, errorCode: string, errorParams: Record<string, unknown>) {
  return { ok: false, error, errorCode, errorParams };
}

const cliEnv = () => ({
  CROSSDOCK_DATA_DIR: scratchDir(),
  CROSSDOCK_REDIS_USER: REDIS_USER.user,
  CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password,
});

describe('rediss:// with the CA file', () => {
  it('the Test button connects and sees the worker that joined over TLS', async () => {
    let ok = await test(tlsRedis.url, certs.ca);
    expect(ok).toMatchObject({ ok: true, redisVersion: expect.stringMatching(/^\d+\./) });
    // The worker writes its heartbeat once it is in (it prints its start line before).
    await until(
      async () => (ok = await test(tlsRedis.url, certs.ca)).ok && ok.workers >= 1,
      10_000,
      'the worker',
    );
  });

  it('a job submitted from the app (CA file in Settings) runs on a worker in another process and its result comes back', async () => {
    const { EnvironmentSecrets } = await import('../src-main/engine/secrets.ts');
    const e = engine({
      secrets: new EnvironmentSecrets({ CROSSDOCK_REDIS_PASSWORD: REDIS_USER.password }),
    });
    e.start();
    e.updateSettings({
      team: {
        enabled: true,
        url: tlsRedis.url,
        user: REDIS_USER.user,
        caFile: certs.ca,
        name: TEAM,
        runJobs: false,
      },
    });
    await until(() => e.teamStatus().state === 'online', 10_000, 'the team to be online over TLS');
    const out = scratchDir('cd-out-');
    const { job } = await e.submit({
      kind: 'crossdock',
      input: requestList(2000, 3),
      list: 'ОПТ-1',
      outDir: out,
    });
    expect(job.origin).toBe('team');
    const [done] = await e.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result).toMatchObject({ rows: 2000 });
    expect(done.outputs).toHaveLength(1);
    expect(existsSync(done.outputs[0])).toBe(true);
    // The worker process ran it, not this one.
    expect(e.logs(job.id).some((l) => l.message.includes(`(process ${worker.pid})`))).toBe(true);
  });

  it('crossdock run --redis rediss://… --redis-ca submits over TLS and waits for the result', async () => {
    const out = scratchDir('cd-out-');
    const run = ['run', SAMPLE, '--list', 'ОПТ-1', '--out', out, '--json', '--team', TEAM];
    const overTls = ['--redis', tlsRedis.url, '--redis-ca', certs.ca];
    const res = await cli([...run, ...overTls], cliEnv());
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout.trim())).toMatchObject({ status: 'succeeded', rows: 1500 });
  });
});

describe('a TLS socket that reports two errors', () => {
  it('does not take the process down (ioredis listens for one error per socket)', async () => {
    const client = createRedis({
      url: tlsRedis.url.replace('redis://', 'rediss://'),
      user: REDIS_USER.user,
      password: REDIS_USER.password,
      caFile: certs.ca,
    });
    client.on('error', () => undefined);
    try {
      expect(await client.ping()).toBe('PONG');
      const socket = (client as unknown as { stream: NodeJS.EventEmitter }).stream;
      // Without a listener of its own left, emit('error') throws: an uncaught 'error' in the app.
      expect(() => {
        socket.emit('error', new Error('first'));
        socket.emit('error', new Error('second: an alert after the first failure'));
      }).not.toThrow();
    } finally {
      client.disconnect();
    }
  });
});

describe('each TLS mistake is one sentence', () => {
  it('without the CA file: the certificate is not trusted; give its CA file', async () => {
    const sentence = `The certificate of Redis at ${tlsRedis.url} is not trusted (it is self-signed or from a private CA); give the server's CA certificate file in Settings → Team (or --redis-ca / CROSSDOCK_REDIS_CA).`;
    expect(await test(tlsRedis.url)).toEqual(failed(sentence, 'REDIS_CERT_UNTRUSTED', { url: tlsRedis.url }));
    const res = await cli(['worker', '--redis', tlsRedis.url, '--team', TEAM], cliEnv());
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([sentence]);
    // A CA file that did not sign the server's certificate (here another server's certificate) says so.
    expect(await test(tlsRedis.url, certs.other.certFile)).toEqual(
      failed(
        `The certificate of Redis at ${tlsRedis.url} is not trusted: neither ${certs.other.certFile} nor a public CA signed it; give the CA certificate that signed the server's certificate (Settings → Team, or --redis-ca / CROSSDOCK_REDIS_CA).`,
        'REDIS_CERT_UNTRUSTED_CA',
        { url: tlsRedis.url, ca: certs.other.certFile },
      ),
    );
  });

  it('a certificate for another host name says so, with the names it is for', async () => {
    const url = `rediss://localhost:${otherRedis.port}`;
    expect(await test(url, certs.ca)).toEqual(
      failed(
        `The certificate of Redis at ${url} is for another host name (DNS:other.example); connect with a name the certificate lists, or have the server's certificate issued for localhost.`,
        'REDIS_CERT_WRONG_HOST',
        { url, names: 'DNS:other.example', host: 'localhost' },
      ),
    );
  });

  it('redis:// to a TLS port and rediss:// to a plain port say which to use (Test button and team status)', async () => {
    const tlsAsPlain = `redis://127.0.0.1:${tlsRedis.port}`;
    const plainAsTls = `rediss://127.0.0.1:${plainRedis.port}`;
    // The app's team status finds it out too, while it keeps retrying.
    const member = engine({ team: { ...teamConfig(tlsRedis, TEAM, false), url: tlsAsPlain } });
    member.start();
    const [speaks, doesNot] = await Promise.all([test(tlsAsPlain), test(plainAsTls, certs.ca)]);
    const speaksTls = `This port speaks TLS: use rediss://127.0.0.1:${tlsRedis.port} instead of ${tlsAsPlain}.`;
    const other = `rediss://127.0.0.1:${tlsRedis.port}`;
    expect(speaks).toEqual(failed(speaksTls, 'REDIS_SPEAKS_TLS', { url: tlsAsPlain, other }));
    expect(doesNot).toEqual(
      failed(
        `This port does not speak TLS: use redis://127.0.0.1:${plainRedis.port} instead of ${plainAsTls}.`,
        'REDIS_NOT_TLS',
        { url: plainAsTls, other: `redis://127.0.0.1:${plainRedis.port}` },
      ),
    );
    await until(() => member.teamStatus().error === speaksTls, 10_000, 'the team status to say it');
    expect(member.teamStatus()).toMatchObject({
      state: 'offline',
      errorCode: 'REDIS_SPEAKS_TLS',
      errorParams: { url: tlsAsPlain, other },
    });
  });

  it('a server that wants client certificates says so', async () => {
    expect(await test(clientCertRedis.url, certs.ca)).toEqual(
      failed(
        `Redis at ${clientCertRedis.url} asks for a client certificate, which Crossdock does not send; allow clients without one on the server (tls-auth-clients no or optional).`,
        'REDIS_CLIENT_CERTIFICATE',
        { url: clientCertRedis.url },
      ),
    );
  });

  it('a CA file that does not exist or is not PEM: what is wrong with the file (Test button, CLI exit 2, team status)', async () => {
    const missing = join(certs.dir, 'missing.pem');
    const missingSentence = `The CA certificate file ${missing} does not exist; check the path in Settings → Team, or --redis-ca / CROSSDOCK_REDIS_CA.`;
    const notPemSentence = `${certs.notPem} is not a PEM certificate (there is no "-----BEGIN CERTIFICATE-----" in it); give the CA certificate in PEM form (convert a DER file with "openssl x509 -inform der -in ca.crt -out ca.pem").`;
    expect(await test(tlsRedis.url, missing)).toEqual(
      failed(missingSentence, 'CA_NOT_FOUND', { file: missing }),
    );
    expect(await test(tlsRedis.url, certs.notPem)).toEqual(
      failed(notPemSentence, 'CA_NOT_PEM', { file: certs.notPem }),
    );
    const [byFlag, byEnv, alone] = await Promise.all([
      cli(['worker', '--redis', tlsRedis.url, '--redis-ca', missing], cliEnv()),
      cli(['jobs', 'cancel', 'x', '--redis', tlsRedis.url], {
        ...cliEnv(),
        CROSSDOCK_REDIS_CA: certs.notPem,
      }),
      cli(['worker', '--redis-ca', certs.ca], { ...cliEnv(), CROSSDOCK_REDIS_URL: '' }),
    ]);
    expect(byFlag.code).toBe(2);
    expect(byFlag.stderr.trim().split('\n')).toEqual([missingSentence]);
    expect(byEnv.code).toBe(2);
    expect(byEnv.stderr.trim().split('\n')).toEqual([notPemSentence]);
    expect(alone.code).toBe(2);
    expect(alone.stderr.trim()).toBe(
      '--redis-ca is for the team queue: add --redis <url> (or CROSSDOCK_REDIS_URL).',
    );
    // The app does not stop for it: the team is offline with that sentence.
    const member = engine({ team: teamConfig(tlsRedis, TEAM, false, { caFile: missing }) });
    member.start();
    await until(() => member.teamStatus().state === 'offline', 10_000, 'offline');
    await until(() => member.teamStatus().error === missingSentence, 5000, 'the sentence');
    expect(member.teamStatus()).toMatchObject({ errorCode: 'CA_NOT_FOUND', errorParams: { file: missing } });
  });

  it('the codes Node gives for other certificate problems have their sentence', () => {
    const url = 'rediss://redis.example:6380';
    const err = (code: string) => Object.assign(new Error(code), { code });
    for (const code of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ])
      expect(describeRedisError(err(code), url)).toMatchObject({
        code: 'REDIS_CERT_UNTRUSTED',
        params: { url },
        message: expect.stringMatching(/is not trusted .*give the server's CA certificate file/),
      });
    expect(describeRedisError(err('CERT_HAS_EXPIRED'), url)).toMatchObject({
      code: 'REDIS_CERT_EXPIRED',
      params: { url },
      message: `The certificate of Redis at ${url} has expired; the server needs a renewed certificate (or this computer's date is wrong).`,
    });
    expect(
      describeRedisError(
        Object.assign(new Error('...:ssl3_get_record:wrong version number'), { code: 'EPROTO' }),
        url,
      ),
    ).toMatchObject({
      code: 'REDIS_NOT_TLS',
      params: { url, other: 'redis://redis.example:6380' },
      message:
        'This port does not speak TLS: use redis://redis.example:6380 instead of rediss://redis.example:6380.',
    });
    // An IP address: Node lists only the IP addresses of the certificate (here none).
    const ip = Object.assign(
      new Error(
        "Hostname/IP does not match certificate's altnames: IP: 10.0.0.5 is not in the cert's list: ",
      ),
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    );
    expect(describeRedisError(ip, 'rediss://10.0.0.5:6380')).toMatchObject({
      code: 'REDIS_CERT_WRONG_HOST',
      params: { url: 'rediss://10.0.0.5:6380', names: '', host: '10.0.0.5' },
      message:
        "The certificate of Redis at rediss://10.0.0.5:6380 is for another host name; connect with a name the certificate lists, or have the server's certificate issued for 10.0.0.5.",
    });
  });
});
