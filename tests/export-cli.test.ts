import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshDataDir, readXlsx, tempDir } from './helpers.ts';

describe('crossdock export and schedule (demo catalog)', () => {
  const data = freshDataDir();
  const env = { CROSSDOCK_DATA_DIR: data };
  const catalog = new Database(join(data, 'catalog.sqlite'), { readonly: true });
  const listCount = (list: string, brand?: string) =>
    catalog
      .prepare(
        `SELECT COUNT(*) FROM offers o JOIN supplier_lists l ON l.supplier = o.supplier AND l.list = ? ${brand ? 'WHERE o.brand = ?' : ''}`,
      )
      .pluck()
      .get(...(brand ? [list, brand] : [list])) as number;

  it('exports a supplier list to CSV with a BOM, and one brand to xlsx', async () => {
    const out = tempDir('cd-out-');
    const res = await cli(['export', '--list', 'РОЗН', '--format', 'csv', '--out', out, '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const job = JSON.parse(res.stdout);
    expect(job).toMatchObject({ kind: 'export', status: 'succeeded', rows: listCount('РОЗН') });
    const text = readFileSync(job.outputs[0], 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.split('\r\n')[0]).toBe(
      '\ufeffBrand,Article,Supplier,Offer name,Price,Currency,Quantity,Delivery days',
    );
    expect(readdirSync(out)).toEqual([job.outputs[0].split('/').pop()]);

    const x = await cli(['export', '--list', 'ОПТ-1', '--brand', 'bosch', '--out', out, '--json'], env);
    expect(x.code, x.stderr).toBe(0);
    const xj = JSON.parse(x.stdout);
    expect(xj.rows).toBe(listCount('ОПТ-1', 'BOSCH'));
    const sheet = (await readXlsx(xj.outputs[0])).values().next().value!;
    expect(sheet.length).toBe(xj.rows + 1);
    expect(sheet.slice(1).every((r) => r[0] === 'BOSCH')).toBe(true);
    expect(typeof sheet[1][4]).toBe('number');
  });

  it('splits CSV exports into numbered files past the row limit', async () => {
    const out = tempDir('cd-out-');
    const res = await cli(
      [
        'export',
        '--list',
        'РОЗН',
        '--format',
        'csv',
        '--out',
        out,
        '--json',
        '--max-rows-per-sheet',
        '40000',
      ],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    const job = JSON.parse(res.stdout);
    const parts = Math.ceil(listCount('РОЗН') / 40000);
    expect(job.outputs).toHaveLength(parts);
    expect(readdirSync(out)).toHaveLength(parts);
    expect(job.outputs[1]).toMatch(/ \(part 2\)\.csv$/);
  });

  it('runs read-only queries and refuses anything else with one sentence', async () => {
    const out = tempDir('cd-out-');
    const ok = await cli(
      [
        'export',
        '--query',
        'SELECT brand, COUNT(*) AS n FROM offers GROUP BY brand ORDER BY brand',
        '--out',
        out,
        '--json',
      ],
      env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const brands = catalog.prepare('SELECT COUNT(DISTINCT brand) FROM offers').pluck().get() as number;
    expect(JSON.parse(ok.stdout).rows).toBe(brands);
    for (const sql of ['DELETE FROM offers', 'SELECT 1; DROP TABLE offers', 'UPDATE offers SET price = 0']) {
      const bad = await cli(['export', '--query', sql, '--out', out, '--json'], env);
      expect(bad.code).toBe(1);
      const job = JSON.parse(bad.stdout);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/^[^\n]+[.]$/);
    }
    expect(listCount('РОЗН')).toBeGreaterThan(0); // nothing was deleted
  });

  it('manages schedules and makes a missed run up exactly once', async () => {
    const out = tempDir('cd-out-');
    const add = await cli(
      ['schedule', 'add', '0 8 * * 1', 'export', '--list', 'РОЗН', '--format', 'csv', '--out', out, '--json'],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    const s = JSON.parse(add.stdout);
    expect(s.description).toMatch(/08:00.*Monday/);
    const bad = await cli(['schedule', 'add', '* * *', 'export', '--list', 'РОЗН'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a valid cron expression/);
    const unknownList = await cli(['schedule', 'add', '0 8 * * 1', 'export', '--list', 'НЕТ'], env);
    expect(unknownList.code).toBe(2);
    expect((await cli(['schedule', 'pause', s.id, '--json'], env)).stdout).toContain('"paused":true');
    expect((await cli(['schedule', 'resume', s.id, '--json'], env)).stdout).toContain('"paused":false');

    // Pretend nothing ran for three weeks: three Mondays were missed.
    const db = new Database(join(data, 'crossdock.sqlite'));
    db.prepare('UPDATE schedules SET next_run_at = ? WHERE id = ?').run(Date.now() - 21 * 86_400_000, s.id);
    db.close();
    const resume = await cli(['jobs', 'resume', '--json'], env);
    expect(resume.code, resume.stderr).toBe(0);
    const jobs = resume.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jobs.filter((j) => j.kind === 'export')).toHaveLength(1);
    expect(readdirSync(out)).toHaveLength(1);
    const again = await cli(['jobs', 'resume', '--json'], env);
    expect(again.stdout.trim()).toBe('');
    const list = await cli(['schedule', 'list', '--json'], env);
    const after = JSON.parse(list.stdout.trim());
    expect(after.nextRunAt).toBeGreaterThan(Date.now());
    expect(after.lastJobId).toBe(jobs[0].id);
    expect((await cli(['schedule', 'remove', s.id], env)).code).toBe(0);
    expect((await cli(['schedule', 'list'], env)).stdout).toMatch(/No scheduled exports/);
  });
});
