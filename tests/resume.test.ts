import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSpreadsheet } from '../src-worker/io/open-spreadsheet.ts';
import type { Row } from '../src-worker/io/types.ts';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { cli, freshDataDir, openEngine, tempDir, writeCsv } from './helpers.ts';

const LINES = 400_000;

async function sheetRows(path: string, name: string): Promise<Row[]> {
  const wb = await openSpreadsheet(path);
  try {
    const rows: Row[] = [];
    for await (const b of wb.sheet(wb.sheetNames.indexOf(name)).batches()) rows.push(...b.rows);
    return rows;
  } finally {
    await wb.close();
  }
}

/** A data dir whose engine saves a checkpoint every 0.2 s. */
async function dataDirWithFastCheckpoints(): Promise<string> {
  const dir = freshDataDir();
  const e = openEngine(dir, { run: 'none' });
  e.updateSettings({ checkpointSeconds: 0.2 });
  await e.close();
  return dir;
}

describe('a long crossdock killed mid-run resumes from its last checkpoint', () => {
  it('finishes with the same workbook as an uninterrupted run, without redoing the checkpointed lines', async () => {
    const rows: unknown[][] = [['Line', 'Brand', 'Article', 'Qty']];
    for (let i = 0; i < LINES; i++) {
      const p = demoPart((i * 11) % 60_000);
      rows.push([i + 1, p.brand, p.display, 1 + (i % 7)]);
    }
    const input = writeCsv(join(tempDir(), 'long.csv'), rows);

    // The reference: the same job, never interrupted.
    const cleanData = await dataDirWithFastCheckpoints();
    const cleanOut = tempDir('cd-clean-');
    const clean = await cli(
      ['run', input, '--list', 'ОПТ-2', '--out', cleanOut, '--alternatives', '2', '--json'],
      {
        CROSSDOCK_DATA_DIR: cleanData,
      },
    );
    expect(clean.code, clean.stderr).toBe(0);
    const reference = JSON.parse(clean.stdout);

    const data = await dataDirWithFastCheckpoints();
    const out = tempDir('cd-out-');
    const db = new Database(join(data, 'crossdock.sqlite'), { readonly: true });
    let checkpointedAt = 0;
    const killed = await cli(
      ['run', input, '--list', 'ОПТ-2', '--out', out, '--alternatives', '2', '--json'],
      { CROSSDOCK_DATA_DIR: data },
      (p) => {
        const timer = setInterval(() => {
          const row = db.prepare(`SELECT checkpoint FROM jobs LIMIT 1`).get() as
            { checkpoint: string | null } | undefined;
          const saved = row?.checkpoint
            ? (JSON.parse(row.checkpoint) as { crossdock?: { stats: { rows: number } } })
            : null;
          if (saved?.crossdock && saved.crossdock.stats.rows >= 60_000) {
            checkpointedAt = saved.crossdock.stats.rows;
            clearInterval(timer);
            p.kill('SIGKILL');
          }
        }, 20);
        p.on('exit', () => clearInterval(timer));
      },
    );
    db.close();
    expect(killed.signal, 'the run ended before a checkpoint was saved; make the input longer').toBe(
      'SIGKILL',
    );
    expect(checkpointedAt).toBeGreaterThan(0);
    expect(checkpointedAt).toBeLessThan(LINES);

    const resumed = await cli(['jobs', 'resume', '--json'], { CROSSDOCK_DATA_DIR: data });
    expect(resumed.code, resumed.stderr).toBe(0);
    const job = JSON.parse(resumed.stdout);
    expect(job.status).toBe('succeeded');
    expect({ ...job, id: 0, outputs: 0 }).toEqual({ ...reference, id: 0, outputs: 0 });
    const show = JSON.parse(
      (await cli(['jobs', 'show', job.id, '--json'], { CROSSDOCK_DATA_DIR: data })).stdout,
    );
    const resumedFrom = show.logs
      .map((l: { message: string }) => /Resuming from the checkpoint at line (\d+)/.exec(l.message))
      .find(Boolean);
    expect(Number(resumedFrom?.[1])).toBeGreaterThanOrEqual(checkpointedAt);
    expect(readdirSync(out)).toHaveLength(1);
    // An independent zip reader inflates every entry and checks its CRC: the resumed deflate
    // streams (a sync-flushed stream continued by a new one) must be one valid stream each.
    const check = execFileSync('python3', [
      '-c',
      'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).testzip())',
      job.outputs[0],
    ]);
    expect(check.toString().trim()).toBe('None');

    for (const sheet of ['Result', 'Alternatives']) {
      const got = await sheetRows(job.outputs[0], sheet);
      const want = await sheetRows(reference.outputs[0], sheet);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++)
        if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
    }
    const summary = (await sheetRows(job.outputs[0], 'Summary')).filter((r) => r[0] !== 'Created');
    const wantSummary = (await sheetRows(reference.outputs[0], 'Summary')).filter((r) => r[0] !== 'Created');
    expect(summary).toEqual(wantSummary);
  }, 180_000);
});
