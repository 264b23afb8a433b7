import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshDataDir, tempDir, writeCsv } from './helpers.ts';
import { openSpreadsheet } from '../src-worker/io/open-spreadsheet.ts';
import { demoPart } from '../src-worker/sources/demo-data.ts';

const LINES = 150_000;

function bigRequestList(): string {
  const rows: unknown[][] = [['Бренд', 'Артикул', 'Кол-во']];
  for (let i = 0; i < LINES; i++) {
    const p = demoPart((i * 7) % 60_000);
    rows.push([p.brand, p.display, 1 + (i % 5)]);
  }
  return writeCsv(join(tempDir(), 'big.csv'), rows, ';');
}

interface JsonJob {
  id: string;
  status: string;
  outputs: string[];
  rows: number;
}

async function countRows(path: string, sheet: string): Promise<number> {
  const wb = await openSpreadsheet(path);
  try {
    let n = 0;
    for await (const b of wb.sheet(wb.sheetNames.indexOf(sheet)).batches()) n += b.rows.length;
    return n;
  } finally {
    await wb.close();
  }
}

/** Kills `crossdock run` (SIGKILL) at one point, then resumes and checks: one job, one result file, no leftovers. */
async function killThenResume(input: string, kill: { env?: string; afterMs?: number }) {
  const data = freshDataDir();
  const out = tempDir('cd-out-');
  const env = { CROSSDOCK_DATA_DIR: data, ...(kill.env ? { CROSSDOCK_FAULT_INJECT: kill.env } : {}) };
  const first = await cli(['run', input, '--list', 'ОПТ-1', '--out', out, '--json'], env, (p) => {
    if (kill.afterMs !== undefined) setTimeout(() => p.kill('SIGKILL'), kill.afterMs);
  });
  expect(first.signal).toBe('SIGKILL');
  const resumed = await cli(['jobs', 'resume', '--json'], { CROSSDOCK_DATA_DIR: data });
  expect(resumed.code, resumed.stderr).toBe(0);
  const all = await cli(['jobs', 'list', '--json'], { CROSSDOCK_DATA_DIR: data });
  const jobs = all.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JsonJob);
  if (kill.env === 'after-submit' || jobs.length > 0) {
    expect(jobs).toHaveLength(1);
    expect(jobs[0].status).toBe('succeeded');
    expect(jobs[0].rows).toBe(LINES);
    const files = readdirSync(out);
    expect(files).toHaveLength(1); // exactly one result, no temporary or partial file
    expect(files[0]).toMatch(/^big_ОПТ-1_\d{8}-\d{6}\.xlsx$/);
    expect(jobs[0].outputs).toEqual([join(out, files[0])]);
    expect(await countRows(join(out, files[0]), 'Result')).toBe(LINES + 1);
  } else {
    // killed before the job was committed: nothing was queued, nothing written
    expect(readdirSync(out)).toEqual([]);
  }
  // No attempt's scratch files are left (the folder exists only once a job has started).
  const work = join(data, 'work');
  expect(existsSync(work) ? readdirSync(work).length : 0).toBe(0);
  return jobs;
}

describe('SIGKILL at any point: the next start finishes every job exactly once', () => {
  const input = bigRequestList();
  for (const point of [
    'after-submit',
    'after-claim',
    'after-result',
    'after-link-before-unlink',
    'after-link',
  ]) {
    it(`killed ${point}`, async () => {
      const jobs = await killThenResume(input, { env: point });
      expect(jobs).toHaveLength(1);
    });
  }
  // Kills at fixed fractions of an uninterrupted run on this machine (timed once): fixed times in
  // milliseconds stopped being mid-run once runs got faster than them.
  let wholeMs = 0;
  it('runs whole once, to time the kills below', async () => {
    const started = Date.now();
    const whole = await cli(['run', input, '--list', 'ОПТ-1', '--out', tempDir('cd-out-'), '--json'], {
      CROSSDOCK_DATA_DIR: freshDataDir(),
    });
    wholeMs = Date.now() - started;
    expect(whole.code, whole.stderr).toBe(0);
  });
  for (const share of [0.3, 0.5, 0.7]) {
    it(`killed ${Math.round(share * 100)}% into the run`, async () => {
      expect(wholeMs).toBeGreaterThan(0);
      await killThenResume(input, { afterMs: Math.round(share * wholeMs) });
    });
  }
});
