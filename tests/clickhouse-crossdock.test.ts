import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoData } from '../src-worker/sources/clickhouse-demo.ts';
import { StoredSecrets, type Cipher } from '../src-main/engine/secrets.ts';
import { cli, freshDataDir, openEngine, readXlsx, runJob, SAMPLE, tempDir } from './helpers.ts';
import { CLICKHOUSE_PASSWORD_USER, startClickHouse } from './support/clickhouse-server.ts';

/** A stand-in for safeStorage that visibly changes the bytes (so a stored secret is not the password). */
const xorCipher: Cipher = {
  storage: 'encrypted',
  encrypt: (text) => Buffer.from(Buffer.from(text, 'utf8').map((b) => b ^ 0x5a)),
  decrypt: (data) => Buffer.from(data.map((b) => b ^ 0x5a)).toString('utf8'),
};

type Server = Awaited<ReturnType<typeof startClickHouse>>;

describe('crossdock run --source clickhouse', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startClickHouse();
    // The same deterministic offers as the demo catalog, so both sources must give the same workbook.
    await createDemoData({ url: server.url, database: 'shop' }, { offers: 400_000 });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('gives the same result as the demo catalog, cell by cell', async () => {
    const env = { CROSSDOCK_DATA_DIR: freshDataDir() };
    const outDemo = tempDir('cd-out-');
    const outCh = tempDir('cd-out-');
    const demo = await cli(['run', SAMPLE, '--list', 'ОПТ-2', '--out', outDemo, '--json'], env);
    expect(demo.code, demo.stderr).toBe(0);
    const ch = await cli(
      [
        'run',
        SAMPLE,
        '--list',
        'ОПТ-2',
        '--out',
        outCh,
        '--json',
        '--source',
        'clickhouse',
        '--clickhouse-url',
        server.url,
        '--clickhouse-db',
        'shop',
      ],
      env,
    );
    expect(ch.code, ch.stderr).toBe(0);
    const a = JSON.parse(demo.stdout);
    const b = JSON.parse(ch.stdout);
    expect(b.rows).toBe(1500);
    expect({ ...b, id: 0, outputs: 0 }).toEqual({ ...a, id: 0, outputs: 0 });
    const resultA = (await readXlsx(a.outputs[0])).get('Result')!;
    const resultB = (await readXlsx(b.outputs[0])).get('Result')!;
    expect(resultB).toEqual(resultA);
    const summary = (await readXlsx(b.outputs[0])).get('Summary')!;
    expect(summary.find((r) => r[0] === 'Source')?.[1]).toBe('ClickHouse');
  });

  it('the app way: server and user in Settings, the password in the secret store; Test connection', async () => {
    const dataDir = freshDataDir();
    const engine = openEngine(dataDir, { secrets: (store) => new StoredSecrets(store, xorCipher) });
    engine.start();
    try {
      const { user, password } = CLICKHOUSE_PASSWORD_USER;
      const where = { url: server.url, database: 'shop', user };
      engine.updateSettings({ source: 'clickhouse', clickhouse: where });

      const noPassword = await engine.testClickHouse(where);
      expect(noPassword.ok).toBe(false);
      expect(!noPassword.ok && noPassword.error).toMatch(/rejected user "crossdock".*\.$/);
      engine.secrets.set('clickhouse-password', password);
      const ok = await engine.testClickHouse(where);
      expect(ok).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) });
      expect(ok.ok && ok.lists).toContain('ОПТ-2');
      // A password typed in the form but not saved yet is tried as given.
      expect((await engine.testClickHouse({ ...where, password: 'wrong' })).ok).toBe(false);
      const refused = await engine.testClickHouse({ ...where, url: 'http://127.0.0.1:9' });
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.error).toMatch(/127\.0\.0\.1:9/);

      expect(await engine.supplierLists()).toContain('ОПТ-2');
      const out = tempDir('cd-out-');
      const job = await runJob(engine, {
        kind: 'crossdock',
        input: SAMPLE,
        list: 'ОПТ-2',
        outDir: out,
        source: 'clickhouse',
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.spec.clickhouse).toEqual(where);
      expect(job.result?.rows).toBe(1500);
    } finally {
      await engine.close();
    }
    // The password is nowhere in the database as text.
    const db = readFileSync(join(dataDir, 'crossdock.sqlite'));
    expect(db.includes(Buffer.from(CLICKHOUSE_PASSWORD_USER.password))).toBe(false);
  });

  it('reads the connection from CROSSDOCK_CLICKHOUSE_* and records no password in the job', async () => {
    const data = freshDataDir();
    const env = {
      CROSSDOCK_DATA_DIR: data,
      CROSSDOCK_CLICKHOUSE_URL: server.url,
      CROSSDOCK_CLICKHOUSE_DB: 'shop',
      CROSSDOCK_CLICKHOUSE_USER: 'crossdock',
      CROSSDOCK_CLICKHOUSE_PASSWORD: 'cd-secret',
    };
    const res = await cli(
      ['run', SAMPLE, '--list', 'РОЗН', '--out', tempDir(), '--source', 'clickhouse', '--json'],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    const show = await cli(['jobs', 'show', JSON.parse(res.stdout).id, '--json'], {
      CROSSDOCK_DATA_DIR: data,
    });
    expect(show.stdout).toContain('"database":"shop"');
    expect(show.stdout).not.toContain('cd-secret');
  });

  it('says what is wrong: unknown list, wrong password, server down', async () => {
    const env = { CROSSDOCK_DATA_DIR: freshDataDir() };
    const base = ['run', SAMPLE, '--out', tempDir(), '--source', 'clickhouse', '--clickhouse-db', 'shop'];
    const unknown = await cli([...base, '--list', 'НЕТ', '--clickhouse-url', server.url], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no supplier list "НЕТ"; known lists: ОПТ-1, ОПТ-2, РОЗН/);
    const badUrl = new URL(server.url);
    badUrl.username = 'crossdock';
    badUrl.password = 'wrong';
    const denied = await cli([...base, '--list', 'ОПТ-1', '--clickhouse-url', badUrl.toString()], env);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toMatch(/rejected user "crossdock" \(wrong user name or password\)/);
    expect(denied.stderr).not.toContain('wrong@');
    const down = await cli([...base, '--list', 'ОПТ-1', '--clickhouse-url', 'http://127.0.0.1:9'], env);
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toMatch(/Nothing answers at http:\/\/127\.0\.0\.1:9/);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('crossdock demo-data creates and fills a database, and re-running replaces the data', async () => {
    for (let run = 0; run < 2; run++) {
      const res = await cli(
        ['demo-data', '--clickhouse-url', server.url, '--clickhouse-db', 'fresh', '--offers', '50000'],
        {},
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(
        /Loaded 50,000 offers, 3 supplier lists, [\d,]+ crosses, \d+ brand aliases and 3 exchange rates into fresh/,
      );
    }
    expect((await server.query('SELECT count() FROM fresh.offers')).trim()).toBe('50000');
    for (const table of ['crosses', 'brand_aliases', 'rates'])
      expect(Number((await server.query(`SELECT count() FROM fresh.${table}`)).trim())).toBeGreaterThan(0);
    const usage = await cli(['demo-data', '--offers', '10'], { CROSSDOCK_CLICKHOUSE_URL: '' });
    expect(usage.code).toBe(2);
  });

  it('crossdock export --source clickhouse: a list to xlsx, a query to csv, writes refused by the server', async () => {
    const env = {
      CROSSDOCK_DATA_DIR: freshDataDir(),
      CROSSDOCK_CLICKHOUSE_URL: server.url,
      CROSSDOCK_CLICKHOUSE_DB: 'shop',
    };
    const out = tempDir('cd-out-');
    const list = await cli(
      ['export', '--source', 'clickhouse', '--list', 'РОЗН', '--brand', 'MAHLE', '--out', out, '--json'],
      env,
    );
    expect(list.code, list.stderr).toBe(0);
    const job = JSON.parse(list.stdout);
    const expected = Number(
      (
        await server.query(
          "SELECT count() FROM shop.offers WHERE brand = 'MAHLE' AND supplier IN (SELECT supplier FROM shop.supplier_lists WHERE list = 'РОЗН')",
        )
      ).trim(),
    );
    expect(job.rows).toBe(expected);
    const rows = (await readXlsx(job.outputs[0])).values().next().value!;
    expect(rows).toHaveLength(expected + 1);
    expect(rows.slice(1).every((r) => r[0] === 'MAHLE')).toBe(true);

    const query = await cli(
      [
        'export',
        '--source',
        'clickhouse',
        '--query',
        "SELECT supplier, count() AS offers, toDate('2026-01-02') AS d FROM offers GROUP BY supplier ORDER BY supplier",
        '--format',
        'csv',
        '--out',
        out,
        '--json',
      ],
      env,
    );
    expect(query.code, query.stderr).toBe(0);
    const q = JSON.parse(query.stdout);
    // One row per supplier with offers: the demo's 24 and the showcase's EUR/USD suppliers.
    expect(q.rows).toBe(Number((await server.query('SELECT uniqExact(supplier) FROM shop.offers')).trim()));
    expect(q.rows).toBeGreaterThanOrEqual(24);
    const text = readFileSync(q.outputs[0], 'utf8');
    expect(text.split('\r\n')[0]).toBe('\ufeffsupplier,offers,d');
    expect(text.split('\r\n')[1]).toMatch(/^[^,]+,\d+,2026-01-02$/);

    const write = await cli(
      [
        'export',
        '--source',
        'clickhouse',
        '--query',
        "SELECT 1 INTO OUTFILE '/tmp/x'",
        '--out',
        out,
        '--json',
      ],
      env,
    );
    expect(write.code).toBe(1);
    expect(JSON.parse(write.stdout).error).toMatch(/read-only|only a single SELECT|not allowed/i);
    expect((await server.query('SELECT count() FROM shop.offers')).trim()).not.toBe('0');
  });

  it('cancelling a job stops its running lookup within a second and kills the query on the server', async () => {
    // "offers" as an endless scan: the job's first lookup never ends by itself.
    await server.query('CREATE DATABASE IF NOT EXISTS endless');
    await server.query(`CREATE VIEW IF NOT EXISTS endless.offers AS
      SELECT toString(number) AS brand, toString(number) AS article, 'S' AS supplier, '' AS name,
        toFloat64(0) AS price, '' AS currency, toUInt32(0) AS quantity, toUInt16(0) AS delivery_days
      FROM system.numbers`);
    await server.query(
      'CREATE TABLE IF NOT EXISTS endless.supplier_lists (list String, supplier String) ENGINE = Memory',
    );
    await server.query("INSERT INTO endless.supplier_lists VALUES ('L', 'S')");
    const lookups = async () =>
      Number(
        (
          await server.query(
            "SELECT count() FROM system.processes WHERE query LIKE '%crossdock_keys%' AND query NOT LIKE '%system.processes%'",
          )
        ).trim(),
      );
    const engine = openEngine(freshDataDir(), { clickhouse: { url: server.url, database: 'endless' } });
    engine.start();
    try {
      const out = tempDir('cd-out-');
      const { job } = await engine.submit({
        kind: 'crossdock',
        input: SAMPLE,
        list: 'L',
        outDir: out,
        source: 'clickhouse',
      });
      const deadline = Date.now() + 15_000;
      while ((await lookups()) === 0) {
        if (Date.now() > deadline) throw new Error('the lookup never showed in system.processes');
        await new Promise((r) => setTimeout(r, 50));
      }
      const started = Date.now();
      const cancelled = await engine.cancel(job.id);
      expect(cancelled.status).toBe('cancelled');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await lookups()).toBe(0);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
