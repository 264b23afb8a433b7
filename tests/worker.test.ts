import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { CLI, freshDataDir, openEngine, tempDir, writeCsv } from './helpers.ts';

describe('crossdock worker (local queue)', () => {
  it('runs queued jobs and due scheduled exports until stopped, then exits cleanly', async () => {
    const data = freshDataDir();
    const out = tempDir('cd-out-');
    const client = openEngine(data, { run: 'none' });
    const schedule = client.addSchedule('0 3 * * *', {
      kind: 'export',
      list: 'РОЗН',
      format: 'csv',
      outDir: out,
    });
    client.store.db
      .prepare('UPDATE schedules SET next_run_at = ? WHERE id = ?')
      .run(Date.now() - 60_000, schedule.id);

    const worker = spawn(process.execPath, [CLI, 'worker', '--concurrency', '1'], {
      env: { ...process.env, CROSSDOCK_DATA_DIR: data },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    worker.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const ids: string[] = [];
      for (let j = 0; j < 3; j++) {
        const file = writeCsv(join(tempDir(), `w${j}.csv`), [
          ['Brand', 'Article'],
          [demoPart(j).brand, demoPart(j).display],
        ]);
        ids.push(
          (await client.submit({ kind: 'crossdock', input: file, list: 'ОПТ-1', outDir: out })).job.id,
        );
      }
      const done = await client.waitFor(ids);
      expect(done.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      // the schedule's export ran too
      const deadline = Date.now() + 20_000;
      while (client.list({ kind: ['export'], status: ['succeeded'] }).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(client.list({ kind: ['export'], status: ['succeeded'] })).toHaveLength(1);
      expect(readdirSync(out).filter((f) => f.endsWith('.csv'))).toHaveLength(1);
      expect(readdirSync(out).filter((f) => f.endsWith('.xlsx'))).toHaveLength(3);
      expect(stderr).toMatch(/Crossdock worker on .*: 1 job\(s\) at once/);
    } finally {
      worker.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => worker.on('close', r));
      expect(code).toBe(0);
      await client.close();
    }
  }, 60_000);
});
