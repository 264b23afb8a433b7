import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { cli, freshDataDir, readXlsx, SAMPLE, tempDir, writeCsv, writeXlsx } from './helpers.ts';

describe('crossdock CLI', () => {
  const data = freshDataDir();
  const env = { CROSSDOCK_DATA_DIR: data };

  it('runs the sample and prints one JSON object per finished job', async () => {
    const out = tempDir('cd-out-');
    const second = writeCsv(join(tempDir(), 'second.csv'), [
      ['Brand', 'Article', 'Qty'],
      [demoPart(1).brand, demoPart(1).display, 1],
    ]);
    const res = await cli(['run', SAMPLE, second, '--list', 'ОПТ-1', '--out', out, '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(
        [
          'error',
          'errorCode',
          'found',
          'id',
          'invalid',
          'kind',
          'notFound',
          'outputs',
          'partial',
          'rows',
          'status',
        ].sort(),
      );
      expect(l.status).toBe('succeeded');
      expect(l.kind).toBe('crossdock');
      expect(l.error).toBeNull();
      expect(l.errorCode).toBeNull();
      for (const p of l.outputs as string[]) expect(existsSync(p)).toBe(true);
    }
    expect(lines[0].rows).toBe(1500);
    expect(readdirSync(out)).toHaveLength(2);
  });

  it("gives a failed job's error code with its sentence in --json, and jobs show --json the same", async () => {
    const out = tempDir('cd-out-');
    const bad = writeCsv(join(tempDir(), 'no-header.csv'), [
      ['Марка?', 'Код', 'Цена'],
      ['X', '1', 2],
    ]);
    const res = await cli(['run', bad, '--list', 'ОПТ-1', '--out', out, '--json'], env);
    expect(res.code).toBe(1);
    const line = JSON.parse(res.stdout.trim()) as Record<string, unknown>;
    expect(line.status).toBe('failed');
    expect(line.errorCode).toMatch(/^[A-Z][A-Z_]+$/);
    expect(line.errorCode).not.toBe('UNEXPECTED');
    expect(String(line.error)).toMatch(/Brand/);
    const shown = await cli(['jobs', 'show', String(line.id), '--json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const job = JSON.parse(shown.stdout) as Record<string, unknown>;
    expect(job.errorCode).toBe(line.errorCode);
  });

  it('waits on many files at once quietly: 15 files, 15 results, nothing on stderr', async () => {
    const out = tempDir('cd-out-');
    const dir = tempDir();
    const files = Array.from({ length: 15 }, (_, i) =>
      writeCsv(join(dir, `many-${i}.csv`), [
        ['Brand', 'Article', 'Qty'],
        [demoPart(i).brand, demoPart(i).display, 1 + i],
      ]),
    );
    const res = await cli(['run', ...files, '--list', 'ОПТ-1', '--out', out, '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim().split('\n')).toHaveLength(15);
    expect(readdirSync(out)).toHaveLength(15);
    expect(res.stderr).toBe('');
  });

  it('exits 1 when a job fails, with the reason as one sentence and no stack trace', async () => {
    const out = tempDir('cd-out-');
    const bad = writeCsv(join(tempDir(), 'bad.csv'), [
      ['Name', 'Code', 'Price'],
      ['a', 'b', '1'],
    ]);
    const res = await cli(['run', bad, '--list', 'ОПТ-1', '--out', out], env);
    expect(res.code).toBe(1);
    // The job's line is a result (stdout); its reason is also the one sentence on stderr.
    expect(res.stdout).toMatch(/failed .*no Brand and Article header.*Found: Name, Code, Price/);
    expect(res.stderr).toMatch(/^bad\.csv failed: .*no Brand and Article header.*Found: Name, Code, Price/);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    const json = await cli(['run', bad, '--list', 'ОПТ-1', '--out', out, '--json'], env);
    expect(json.code).toBe(1);
    const obj = JSON.parse(json.stdout);
    expect(obj.status).toBe('failed');
    expect(obj.error).toMatch(/Map the columns/);
    expect(obj.outputs).toEqual([]);
  });

  it('exits 2 on usage errors, with one sentence', async () => {
    const cases: [string[], RegExp][] = [
      [['run', SAMPLE], /required option '--list <name>'/],
      [['run', SAMPLE, '--list', 'НЕТ'], /no supplier list "НЕТ"; known lists: ОПТ-1, ОПТ-2, РОЗН/],
      [['run', SAMPLE, '--list', 'OPT-1'], /no supplier list "OPT-1"; did you mean "ОПТ-1"\? Known lists: /],
      [['run', '/no/such.xlsx', '--list', 'ОПТ-1'], /does not exist/],
      [['run', SAMPLE, '--list', 'ОПТ-1', '--alternatives', 'x'], /--alternatives takes a whole number/],
      [['run', SAMPLE, '--list', 'ОПТ-1', '--priority', 'urgent'], /Allowed choices are high, normal, low/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['jobs', 'show', 'NOPE'], /There is no job NOPE/],
    ];
    for (const [args, msg] of cases) {
      const res = await cli(args, env);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(msg);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('lists, shows, retries jobs and imports a price list into the demo catalog', async () => {
    const out = tempDir('cd-out-');
    const prices = await writeXlsx(join(tempDir(), 'prices.xlsx'), [
      ['Производитель', 'Артикул', 'Наименование', 'Цена', 'Остаток', 'Срок'],
      ['ACME', 'zz-001', 'Фильтр ACME', 99.5, 10, 2],
      ['ACME', 'ZZ 002', 'Свеча ACME', '1 250,50', 0, 1],
      ['', 'no-brand', 'x', 1, 1, 1],
    ]);
    const imp = await cli(
      ['catalog', 'import', prices, '--supplier', 'Мой поставщик', '--list', 'МОЙ', '--json'],
      env,
    );
    expect(imp.code, imp.stderr).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({
      kind: 'catalog-import',
      status: 'succeeded',
      rows: 3,
      found: 2,
      invalid: 1,
    });
    const lists = await cli(['catalog', 'lists'], env);
    expect(lists.stdout.split('\n')).toContain('МОЙ');
    const req = writeCsv(join(tempDir(), 'req.csv'), [
      ['Brand', 'Article', 'Qty'],
      ['acme', 'ZZ001', 3],
      ['ACME', 'zz002', 1],
    ]);
    const run = await cli(['run', req, '--list', 'МОЙ', '--out', out, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const result = (await readXlsx(JSON.parse(run.stdout).outputs[0])).get('Result')!;
    expect(result[1].slice(3)).toEqual([
      'Мой поставщик',
      'Фильтр ACME',
      99.5,
      'RUB',
      10,
      2,
      3,
      298.5,
      'found',
    ]);
    expect(result[2][11]).toBe('not_found'); // only zero stock
    expect(result[2][12]).toBe('only out of stock');

    const list = await cli(['jobs', 'list', '--json'], env);
    const jobs = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; status: string });
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    const failed = jobs.find((j) => j.status === 'failed')!;
    const show = await cli(['jobs', 'show', failed.id], env);
    expect(show.stdout).toMatch(/status\s+failed/);
    expect(show.stdout).toMatch(/Log:/);
    const retry = await cli(['jobs', 'retry', failed.id, '--json'], env);
    expect(retry.code).toBe(1); // the same bad file fails again
    const notRetryable = await cli(['jobs', 'retry', jobs.find((j) => j.status === 'succeeded')!.id], env);
    expect(notRetryable.code).toBe(2);
    expect(notRetryable.stderr).toMatch(/Only failed or cancelled jobs can be retried/);
  });
});
