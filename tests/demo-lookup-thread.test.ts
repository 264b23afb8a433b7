// Big demo catalog lookups run in a thread started from dist/demo-lookup.mjs (built by the global
// setup next to the worker bundle); they must answer exactly as the lookups in the calling thread do.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offer } from '../src-worker/crossdock/best-offer.ts';
import { normalizeArticle, normalizeBrand } from '../src-main/common/normalize.ts';
import { DemoCatalog, ensureDemoCatalog } from '../src-worker/sources/demo-catalog.ts';
import { DEMO_PARTS, demoPart } from '../src-worker/sources/demo-data.ts';
import type { LookupKey } from '../src-worker/sources/types.ts';
import { ROOT, tempDir } from './helpers.ts';

const BUNDLE = join(ROOT, 'dist', 'demo-lookup.mjs');
let catalog: string;
const open: DemoCatalog[] = [];

function source(threaded: boolean, file = catalog): DemoCatalog {
  const s = new DemoCatalog(file, threaded ? { lookupThreadFile: BUNDLE } : {});
  open.push(s);
  return s;
}

function keys(n: number): LookupKey[] {
  const out: LookupKey[] = [];
  for (let i = 0; i < n; i++) {
    const p = demoPart((i * 7919) % DEMO_PARTS);
    out.push({ brand: normalizeBrand(p.brand), article: normalizeArticle(p.display) });
  }
  for (let i = 0; i < 50; i++) out.push({ brand: 'BOSCH', article: `NOSUCH${i}` });
  out.push(out[0], out[1]); // repeats are answered once
  return out;
}

const sorted = (m: Map<string, Offer[]>) =>
  [...m.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([k, offers]) => [
      k,
      [...offers].sort((a, b) => a.supplier.localeCompare(b.supplier) || a.price - b.price),
    ]);

beforeAll(() => {
  catalog = ensureDemoCatalog(tempDir());
});

afterAll(async () => {
  for (const s of open) await s.close().catch(() => undefined);
});

describe('demo catalog lookups in a thread', () => {
  it('answer exactly as lookups in the calling thread, for several lists and batches', async () => {
    const here = source(false);
    const there = source(true);
    for (const list of ['ОПТ-1', 'РОЗН']) {
      const ks = keys(6000);
      const a = await here.lookup(list, ks);
      const b = await there.lookup(list, ks);
      expect(b.size).toBe(a.size);
      expect(sorted(b)).toEqual(sorted(a));
      expect([...b.values()].filter((o) => o.length > 0).length).toBeGreaterThan(3000);
    }
  });

  it('runs in a thread for big lookups of jobs up to 300k lines, here for small lookups and bigger jobs', async () => {
    const s = source(true);
    await s.lookup('ОПТ-1', keys(100));
    expect(s.threadRunning).toBe(false);
    s.expectLines(100_000);
    await s.lookup('ОПТ-1', keys(5000));
    expect(s.threadRunning).toBe(true);
    await s.lookup('ОПТ-1', keys(100)); // lookups got small: the thread goes
    expect(s.threadRunning).toBe(false);
    s.expectLines(1_000_000);
    await s.lookup('ОПТ-1', keys(5000));
    expect(s.threadRunning).toBe(false);
  });

  it('a small lookup while a big one is in the thread does not end the thread under it (analogs do that)', async () => {
    const s = source(true);
    s.expectLines(100_000);
    const big = s.lookup('ОПТ-1', keys(20_000));
    const small = await s.lookup('ОПТ-1', keys(100));
    expect(small.size).toBeGreaterThan(100);
    // Before, the small lookup closed the thread and the big one never settled: a job hung for ever.
    const answer = await Promise.race([big, new Promise((r) => setTimeout(() => r('hung'), 20_000))]);
    expect(answer).toBeInstanceOf(Map);
    expect((answer as Map<string, Offer[]>).size).toBeGreaterThan(19_000);
    await s.lookup('ОПТ-1', keys(100)); // nothing in flight now: the thread goes
    expect(s.threadRunning).toBe(false);
  });

  it('a cancelled lookup rejects with the signal reason at once', async () => {
    const there = source(true);
    const controller = new AbortController();
    const pending = there.lookup('ОПТ-1', keys(20_000), controller.signal);
    const reason = new Error('Cancelled by the user.');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    // The source stays usable for the next call.
    expect((await there.lookup('ОПТ-1', keys(3000))).size).toBeGreaterThan(3000);
  });

  it('a catalog the thread cannot open fails the lookup with one sentence', async () => {
    const dir = tempDir();
    const copy = ensureDemoCatalog(dir);
    const there = source(true, copy);
    rmSync(copy); // opened here already; the thread opens it afresh and finds nothing
    await expect(there.lookup('ОПТ-1', keys(3000))).rejects.toThrow(/^The demo catalog could not be read: /);
  });
});
