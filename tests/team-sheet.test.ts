// The worksheet a user picks reaches the team worker. A team job once lost it on the way (its data
// restated the options and `sheet` was left out), so the worker read the workbook's first sheet
// with a Brand/Article header instead: a plausible result of the wrong rows, with no error. This
// runs the whole path: a real redis-server, a real `crossdock worker` in its own process and data
// dir, and the result downloaded home.
import { Queue } from 'bullmq';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src-main/engine/engine.ts';
import { QUEUE_NAME, teamPrefix } from '../src-main/team/config.ts';
import { TeamJobData } from '../src-main/team/job-data.ts';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { openEngine, readXlsx } from './helpers.ts';
import { startRedis, type RedisServer } from './support/redis-server.ts';
import {
  removeScratch,
  scratchDataDir,
  scratchDir,
  startWorker,
  teamConfig,
  until,
  type WorkerProcess,
} from './support/team.ts';

const TEAM = 'sheets';
const HEADER = ['Brand', 'Article', 'Qty'];

let redis: RedisServer;
let worker: WorkerProcess;
let engine: Engine | undefined;

/** Demo catalog parts (so the lookup finds them), from disjoint index ranges per sheet. */
function rows(count: number, from: number): unknown[][] {
  return Array.from({ length: count }, (_, i) => {
    const p = demoPart(from + i * 13);
    return [p.brand, p.display, 1 + (i % 4)];
  });
}

beforeAll(async () => {
  redis = await startRedis();
  worker = await startWorker(redis, TEAM, 1);
});

afterAll(async () => {
  await engine?.close().catch(() => undefined);
  await worker?.stop();
  await redis?.stop();
  removeScratch();
});

describe('a team job reads the worksheet chosen at submit', () => {
  it('the worker crossdocks the chosen (second) sheet, not the first one with a Brand/Article header', async () => {
    // The first sheet is a full candidate too (same header, more rows): only `sheet` tells them apart.
    const first = rows(40, 1_000);
    const chosen = rows(25, 30_000);
    const firstArticles = new Set(first.map((r) => r[1]));
    expect(chosen.some((r) => firstArticles.has(r[1]))).toBe(false);
    const wb = new ExcelJS.Workbook();
    for (const [name, data] of [
      ['Prices', first],
      ['Order', chosen],
    ] as const) {
      const ws = wb.addWorksheet(name);
      ws.addRow(HEADER);
      for (const r of data) ws.addRow(r);
    }
    const input = join(scratchDir('cd-sheet-in-'), 'two-sheets.xlsx');
    await wb.xlsx.writeFile(input);

    engine = openEngine(scratchDataDir(), { run: 'none', team: teamConfig(redis, TEAM, false) });
    engine.on('error', () => undefined);
    engine.start();
    await until(() => engine!.teamStatus().state === 'online', 10_000, 'the team to be online');
    // Without a choice the first sheet is the one read: the choice below is what changes it.
    expect((await engine.inspect(input)).sheet).toBe('Prices');

    const out = scratchDir('cd-sheet-out-');
    const { job } = await engine.submit({
      kind: 'crossdock',
      input,
      list: 'ОПТ-1',
      outDir: out,
      sheet: 'Order',
    });
    expect(job.origin).toBe('team');
    const [done] = await engine.waitFor([job.id]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    // Run by the separate worker process (this engine takes no team jobs).
    const logs = engine.logs(job.id).map((l) => l.message);
    expect(logs.some((m) => m.includes(`(process ${worker.pid})`))).toBe(true);

    // What crossed Redis: the BullMQ job's data, valid team job data that names the sheet.
    const connection = new Redis({ port: redis.port, host: '127.0.0.1' });
    connection.on('error', () => undefined);
    const queue = new Queue(QUEUE_NAME, { connection, prefix: teamPrefix(TEAM) });
    try {
      const bull = await queue.getJob(job.id);
      expect(bull).toBeDefined();
      const data = TeamJobData.parse(bull!.data);
      expect(data.spec).toMatchObject({ kind: 'crossdock', list: 'ОПТ-1', sheet: 'Order' });
    } finally {
      await queue.close();
      connection.disconnect();
    }

    // The workbook that came home holds the chosen sheet's rows, in order, and none of the first's.
    expect(done.outputs).toHaveLength(1);
    expect(done.result).toMatchObject({ rows: chosen.length });
    const result = (await readXlsx(done.outputs[0])).get('Result');
    expect(result, 'the result has a Result sheet').toBeDefined();
    expect(result![0].slice(0, 3)).toEqual(HEADER);
    const articles = result!.slice(1).map((r) => r[1]);
    expect(articles).toEqual(chosen.map((r) => r[1]));
    expect(articles.filter((a) => firstArticles.has(a))).toEqual([]);
    expect(result!.slice(1).map((r) => r.slice(0, 3))).toEqual(chosen);
  });
});
