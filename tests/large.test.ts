import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSpreadsheet } from '../src-worker/io/open-spreadsheet.ts';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { freshDataDir, openEngine, runJob, tempDir } from './helpers.ts';

const EXCEL_ROWS = 1_048_576;

describe('a CSV longer than an Excel sheet', () => {
  it('works: the result continues on a second sheet with the header repeated', async () => {
    const lines = EXCEL_ROWS + 1000;
    const file = join(tempDir(), 'huge.csv');
    const fd = openSync(file, 'w');
    let buf = 'Brand,Article,Qty\n';
    for (let i = 0; i < lines; i++) {
      const p = demoPart(i % 5000);
      buf += `${p.brand},${p.display},${1 + (i % 3)}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, buf);
    closeSync(fd);

    const engine = openEngine(freshDataDir());
    engine.start();
    const out = tempDir('cd-out-');
    try {
      const job = await runJob(engine, { kind: 'crossdock', input: file, list: 'ОПТ-1', outDir: out });
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.result!.rows).toBe(lines);
      expect(readdirSync(out)).toHaveLength(1);
      const wb = await openSpreadsheet(job.outputs[0]);
      try {
        expect(wb.sheetNames).toEqual(['Result', 'Result (2)', 'Summary']);
        const counts: number[] = [];
        for (let s = 0; s < 2; s++) {
          let n = 0;
          let first: unknown[] | null = null;
          for await (const b of wb.sheet(s).batches()) {
            first ??= b.rows[0];
            n += b.rows.length;
          }
          expect(first!.slice(0, 3)).toEqual(['Brand', 'Article', 'Qty']);
          counts.push(n);
        }
        expect(counts[0]).toBe(EXCEL_ROWS);
        expect(counts[0] + counts[1] - 2).toBe(lines);
      } finally {
        await wb.close();
      }
    } finally {
      await engine.close();
    }
  }, 180_000);
});
