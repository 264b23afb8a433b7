import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { cli, freshDataDir, openEngine, tempDir, writeCsv } from './helpers.ts';

describe('two processes on one data dir', () => {
  it('never run the same job twice and never corrupt the store', async () => {
    const data = freshDataDir();
    const out = tempDir('cd-out-');
    const client = openEngine(data, { run: 'none' });
    const ids: string[] = [];
    for (let j = 0; j < 10; j++) {
      const rows: unknown[][] = [['Brand', 'Article', 'Qty']];
      for (let i = 0; i < 3000; i++) rows.push([demoPart(i + j).brand, demoPart(i + j).display, 1]);
      const file = writeCsv(join(tempDir(), `list-${j}.csv`), rows);
      ids.push((await client.submit({ kind: 'crossdock', input: file, list: 'ОПТ-1', outDir: out })).job.id);
    }
    const env = { CROSSDOCK_DATA_DIR: data };
    const [a, b] = await Promise.all([
      cli(['jobs', 'resume', '--json'], env),
      cli(['jobs', 'resume', '--json'], env),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    for (const id of ids) {
      const job = client.get(id)!;
      expect(job.status).toBe('succeeded');
      expect(job.attempts).toBe(1);
      const starts = client.logs(id).filter((l) => /^Attempt \d+ of/.test(l.message));
      expect(starts).toHaveLength(1);
    }
    expect(readdirSync(out)).toHaveLength(10);
    expect(client.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    await client.close();
  });

  it('lets a CLI in another process cancel a job this process is running', async () => {
    const data = freshDataDir();
    const out = tempDir('cd-out-');
    const rows: unknown[][] = [['Brand', 'Article']];
    for (let i = 0; i < 400_000; i++) rows.push(['BOSCH', `A${i}`]);
    const file = writeCsv(join(tempDir(), 'long.csv'), rows);
    const app = openEngine(data);
    app.start();
    const { job } = await app.submit({ kind: 'crossdock', input: file, list: 'ОПТ-1', outDir: out });
    await new Promise<void>((r) => app.on('progress', (id: string) => id === job.id && r()));
    const res = await cli(['jobs', 'cancel', job.id, '--json'], { CROSSDOCK_DATA_DIR: data });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).status).toBe('cancelled');
    expect(app.get(job.id)!.status).toBe('cancelled');
    expect(readdirSync(out)).toEqual([]);
    await app.close();
  });
});
