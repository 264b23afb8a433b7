import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeCron,
  nextRuns,
  ScheduleError,
  ScheduleService,
  type Schedule,
} from '../src-main/engine/schedules.ts';
import { JobStore } from '../src-main/engine/store.ts';

const stores: JobStore[] = [];
/** The thrown error's English sentence, whatever its class and code. */
const withMessage = (message: string) => expect.objectContaining({ message });
const dirs: string[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cd-sched-'));
  dirs.push(d);
  return d;
}

function openStore(dir: string): JobStore {
  const s = new JobStore(dir);
  stores.push(s);
  return s;
}

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

/** A fake Engine.submit: records specs, fails for the list "missing", answers after `delayMs`. */
function fakeSubmit(opts: { delayMs?: () => number; gate?: Promise<void> } = {}) {
  const submitted: Record<string, unknown>[] = [];
  let n = 0;
  const submit = async (spec: Record<string, unknown>): Promise<{ job: { id: string } }> => {
    if (opts.gate) await opts.gate;
    const delay = opts.delayMs?.() ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (spec.list === 'missing') throw new Error('There is no supplier list missing.');
    submitted.push(spec);
    return { job: { id: `job-${++n}-${String(spec.tag ?? '')}` } };
  };
  return { submit, submitted };
}

function setup(start: string) {
  const store = openStore(newDir());
  const clock = { now: at(start) };
  const fake = fakeSubmit();
  const errors: { schedule: Schedule; error: Error }[] = [];
  const service = new ScheduleService(store.db, fake.submit, () => clock.now, {
    onError: (schedule, error) => errors.push({ schedule, error }),
  });
  return { store, clock, service, submitted: fake.submitted, errors };
}

const exportSpec = (tag: string, list = 'ОПТ-1') => ({ kind: 'export', list, format: 'csv', tag });

describe('describeCron', () => {
  it('describes in English and Russian', () => {
    expect(describeCron('0 8 * * 1')).toBe('At 08:00, only on Monday');
    expect(describeCron('0 8 * * 1', 'en')).toBe('At 08:00, only on Monday');
    expect(describeCron('0 8 * * 1', 'ru')).toBe('В 08:00, только в понедельник');
    expect(describeCron('*/15 * * * *', 'en')).toBe('Every 15 minutes');
    expect(describeCron('*/15 * * * *', 'ru')).toBe('Каждые 15 минут');
  });

  it('throws a ScheduleError for an invalid expression', () => {
    expect(() => describeCron('* * *', 'ru')).toThrow(ScheduleError);
  });
});

describe('validation', () => {
  const example = 'use 5 fields, e.g. "0 8 * * 1" for every Monday at 08:00.';

  it.each([
    ['* * *', 'it has 3 fields'],
    ['0 0 8 * * 1', 'it has 6 fields; a seconds field is not supported'],
    ['@daily', 'shortcuts like @daily are not supported'],
    ['H 8 * * *', 'the minute field "H" uses a random "H" value'],
    ['0 0 30 2 *', 'it never fires'],
    ['0 0 31 4,6 *', 'it never fires'],
  ])('rejects %j', (cron, reason) => {
    const { service } = setup('2025-01-01T10:00:00Z');
    expect(() => service.add({ cron, spec: exportSpec('x') })).toThrow(
      withMessage(`The schedule "${cron}" is not a valid cron expression (${reason}); ${example}`),
    );
    expect(service.list()).toEqual([]);
  });

  it('names the field at fault', () => {
    expect(() => nextRuns('61 8 * * *', 0, 1)).toThrow(/\(the minute field "61": .*59.*\); use 5 fields/);
    expect(() => nextRuns('0 24 * * *', 0, 1)).toThrow(/the hour field "24"/);
    expect(() => nextRuns('0 8 * * 8', 0, 1)).toThrow(/the day-of-week field "8"/);
    expect(() => nextRuns('0 8 * 13 *', 0, 1)).toThrow(/the month field "13"/);
    expect(() => nextRuns('0 8 x * *', 0, 1)).toThrow(/the day-of-month field "x"/);
  });

  it('rejects an empty expression', () => {
    expect(() => nextRuns('   ', 0, 1)).toThrow(withMessage(`The schedule is empty; ${example}`));
  });

  it('accepts the usual crontab forms', () => {
    for (const cron of [
      '0 8 * * MON-FRI',
      '0 8 ? * *',
      '0 0 L * *',
      '0 0 * * 1#1',
      '0 8 * * 7',
      '0 0 29 2 *',
    ]) {
      expect(nextRuns(cron, at('2025-01-01T00:00:00Z'), 1, 'UTC')).toHaveLength(1);
    }
  });

  it('rejects an unknown time zone', () => {
    const { service } = setup('2025-01-01T10:00:00Z');
    expect(() => service.add({ cron: '0 8 * * 1', spec: exportSpec('x'), timezone: 'Mars/Olympus' })).toThrow(
      withMessage(
        'The time zone "Mars/Olympus" is not known; use an IANA name such as "Europe/Berlin" or "UTC".',
      ),
    );
    expect(service.list()).toEqual([]);
  });

  it('rejects a spec that is not an object', () => {
    const { service } = setup('2025-01-01T10:00:00Z');
    expect(() => service.add({ cron: '0 8 * * 1', spec: [] as unknown as Record<string, unknown> })).toThrow(
      ScheduleError,
    );
  });
});

describe('ScheduleService: add, list, pause, resume, remove', () => {
  it('keeps schedules', () => {
    const { service, clock } = setup('2025-01-01T10:00:00Z'); // a Wednesday
    const s = service.add({ cron: '  0  8 * *   1 ', spec: exportSpec('weekly'), timezone: 'utc' });
    expect(s).toMatchObject({
      cron: '0 8 * * 1',
      timezone: 'UTC',
      spec: exportSpec('weekly'),
      description: 'At 08:00, only on Monday',
      paused: false,
      lastRunAt: null,
      lastJobId: null,
      createdAt: clock.now,
      updatedAt: clock.now,
    });
    expect(iso(s.nextRunAt)).toBe('2025-01-06T08:00:00.000Z');
    expect(s.id).toMatch(/^[0-9A-Z]{26}$/);

    clock.now += 1000;
    const local = service.add({ cron: '*/15 * * * *', spec: exportSpec('often') });
    expect(local.timezone).toBeNull();
    expect(service.list().map((x) => x.id)).toEqual([s.id, local.id]);
    expect(service.get(s.id)).toEqual(s);
    expect(service.get('nope')).toBeNull();
  });

  it('pauses and resumes without a burst of missed runs', async () => {
    const { service, clock, submitted } = setup('2025-01-01T10:00:00Z');
    const s = service.add({ cron: '0 8 * * 1', spec: exportSpec('weekly'), timezone: 'UTC' });
    expect(service.msUntilNext()).toBe(s.nextRunAt - clock.now);

    const paused = service.pause(s.id);
    expect(paused.paused).toBe(true);
    expect(service.pause(s.id)).toEqual(paused);
    expect(service.msUntilNext()).toBeNull();

    clock.now = at('2025-01-20T09:00:00Z'); // three Mondays missed
    expect(await service.tick()).toEqual([]);
    const resumed = service.resume(s.id);
    expect(resumed.paused).toBe(false);
    expect(iso(resumed.nextRunAt)).toBe('2025-01-27T08:00:00.000Z');
    expect(resumed.updatedAt).toBe(clock.now);
    expect(await service.tick()).toEqual([]);
    expect(submitted).toEqual([]);
    expect(service.resume(s.id)).toEqual(resumed); // already active: nothing changes
  });

  it('removes, and names an unknown id', () => {
    const { service } = setup('2025-01-01T10:00:00Z');
    const s = service.add({ cron: '0 8 * * 1', spec: exportSpec('weekly') });
    service.remove(s.id);
    expect(service.list()).toEqual([]);
    const msg = `There is no schedule ${s.id}.`;
    expect(() => service.remove(s.id)).toThrow(withMessage(msg));
    expect(() => service.pause(s.id)).toThrow(withMessage(msg));
    expect(() => service.resume(s.id)).toThrow(withMessage(msg));
  });
});

describe('ScheduleService.tick', () => {
  it('submits a due schedule once, and nothing before', async () => {
    const { service, clock, submitted } = setup('2025-01-01T07:00:00Z');
    const s = service.add({ cron: '0 8 * * *', spec: exportSpec('daily'), timezone: 'UTC' });

    clock.now = at('2025-01-01T07:59:59.999Z');
    expect(await service.tick()).toEqual([]);
    expect(service.msUntilNext()).toBe(1);

    clock.now = at('2025-01-01T08:00:00Z');
    expect(service.msUntilNext()).toBe(0);
    const ids = await service.tick();
    expect(ids).toEqual(['job-1-daily']);
    expect(submitted).toEqual([exportSpec('daily')]);
    const after = service.get(s.id)!;
    expect(after.lastJobId).toBe('job-1-daily');
    expect(after.lastRunAt).toBe(clock.now);
    expect(iso(after.nextRunAt)).toBe('2025-01-02T08:00:00.000Z');

    expect(await service.tick()).toEqual([]);
    expect(submitted).toHaveLength(1);
  });

  it('makes up many missed runs exactly once', async () => {
    const { service, clock, submitted } = setup('2025-01-01T07:00:00Z');
    const daily = service.add({ cron: '0 8 * * *', spec: exportSpec('daily'), timezone: 'UTC' });
    const often = service.add({ cron: '*/15 * * * *', spec: exportSpec('often'), timezone: 'UTC' });

    clock.now = at('2025-01-04T12:07:00Z'); // 3 days on: 4 daily and ~300 quarter-hour runs missed
    const ids = await service.tick();
    expect(ids).toHaveLength(2);
    expect(submitted.map((s) => s.tag).sort()).toEqual(['daily', 'often']);
    expect(iso(service.get(daily.id)!.nextRunAt)).toBe('2025-01-05T08:00:00.000Z');
    expect(iso(service.get(often.id)!.nextRunAt)).toBe('2025-01-04T12:15:00.000Z');
    for (const s of service.list()) expect(s.nextRunAt).toBeGreaterThan(clock.now);

    expect(await service.tick()).toEqual([]);
    clock.now = at('2025-01-04T12:15:00Z');
    expect(await service.tick()).toHaveLength(1);
    expect(submitted).toHaveLength(3);
  });

  it('skips paused schedules', async () => {
    const { service, clock, submitted } = setup('2025-01-01T07:00:00Z');
    const s = service.add({ cron: '0 8 * * *', spec: exportSpec('daily'), timezone: 'UTC' });
    service.pause(s.id);
    clock.now = at('2025-01-03T09:00:00Z');
    expect(await service.tick()).toEqual([]);
    expect(submitted).toEqual([]);
    expect(service.get(s.id)!.lastRunAt).toBeNull();
  });

  it('records a failed submit, moves on, and reports it', async () => {
    const { service, clock, submitted, errors } = setup('2025-01-01T07:00:00Z');
    const bad = service.add({ cron: '0 8 * * *', spec: exportSpec('bad', 'missing'), timezone: 'UTC' });
    const good = service.add({ cron: '0 8 * * *', spec: exportSpec('good'), timezone: 'UTC' });

    clock.now = at('2025-01-01T08:00:30Z');
    expect(await service.tick()).toEqual(['job-1-good']);
    expect(submitted.map((s) => s.tag)).toEqual(['good']);
    expect(errors).toHaveLength(1);
    expect(errors[0].schedule.id).toBe(bad.id);
    expect(errors[0].error.message).toBe('There is no supplier list missing.');

    const b = service.get(bad.id)!;
    expect(b.lastRunAt).toBe(clock.now);
    expect(b.lastJobId).toBeNull();
    expect(iso(b.nextRunAt)).toBe('2025-01-02T08:00:00.000Z');
    expect(service.get(good.id)!.lastJobId).toBe('job-1-good');

    expect(await service.tick()).toEqual([]); // not retried at every tick
    expect(errors).toHaveLength(1);
  });

  it('pauses a row it cannot compute instead of failing at every tick', async () => {
    const { store, service, clock, errors } = setup('2025-01-01T07:00:00Z');
    const s = service.add({ cron: '0 8 * * *', spec: exportSpec('daily'), timezone: 'UTC' });
    store.db.prepare(`UPDATE schedules SET cron = '0 8 * *' || ' 99' WHERE id = ?`).run(s.id);
    clock.now = at('2025-01-01T09:00:00Z');
    expect(await service.tick()).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(service.get(s.id)!.paused).toBe(true);
    expect(service.msUntilNext()).toBeNull();
  });

  it('submits each due run once when two processes tick at once', async () => {
    const dir = newDir();
    const a = openStore(dir);
    const b = openStore(dir);
    const clock = { now: at('2025-01-01T07:00:00Z') };
    const fake = fakeSubmit({ delayMs: () => Math.floor(Math.random() * 5) });
    const sa = new ScheduleService(a.db, fake.submit, () => clock.now);
    const sb = new ScheduleService(b.db, fake.submit, () => clock.now);
    const crons = ['0 8 * * *', '*/15 * * * *', '30 7 * * *', '0 * * * *', '*/5 * * * *', '0 8 * * 3'];
    crons.forEach((cron, i) => (i % 2 ? sa : sb).add({ cron, spec: exportSpec(`s${i}`), timezone: 'UTC' }));

    for (const t of ['2025-01-01T08:00:00Z', '2025-01-01T08:05:00Z', '2025-01-03T00:00:00Z']) {
      clock.now = at(t);
      const before = fake.submitted.length;
      const expected = sa.list().filter((s) => s.nextRunAt <= clock.now).length;
      const [ia, ib] = await Promise.all([sa.tick(), sb.tick()]);
      expect(ia.length + ib.length).toBe(expected);
      expect(new Set([...ia, ...ib]).size).toBe(expected);
      const tags = fake.submitted.slice(before).map((s) => s.tag);
      expect(new Set(tags).size).toBe(tags.length);
      expect(tags).toHaveLength(expected);
    }
    expect(fake.submitted.length).toBeGreaterThan(crons.length);
  });

  it('does not submit a run another process claimed after this one read it', async () => {
    const dir = newDir();
    const a = openStore(dir);
    const b = openStore(dir);
    const clock = { now: at('2025-01-01T07:00:00Z') };
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const slow = fakeSubmit({ gate }); // A stalls in its first submit, holding a stale list of due rows
    const fast = fakeSubmit();
    const sa = new ScheduleService(a.db, slow.submit, () => clock.now);
    const sb = new ScheduleService(b.db, fast.submit, () => clock.now);
    for (let i = 0; i < 4; i++) sa.add({ cron: '0 8 * * *', spec: exportSpec(`s${i}`), timezone: 'UTC' });

    clock.now = at('2025-01-01T08:00:00Z');
    const ta = sa.tick();
    const ib = await sb.tick();
    open();
    const ia = await ta;
    expect(ia).toHaveLength(1);
    expect(ib).toHaveLength(3);
    expect([...slow.submitted, ...fast.submitted].map((s) => s.tag).sort()).toEqual(['s0', 's1', 's2', 's3']);
  });
});

describe('time zones and DST', () => {
  const berlinTime = (ms: number): string =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      dateStyle: 'short',
      timeStyle: 'short',
    }).format(ms);

  it('keeps the wall-clock time across the March change', () => {
    const runs = nextRuns('0 8 * * *', at('2025-03-28T12:00:00Z'), 4, 'Europe/Berlin');
    expect(runs.map(iso)).toEqual([
      '2025-03-29T07:00:00.000Z', // 08:00 CET
      '2025-03-30T06:00:00.000Z', // 08:00 CEST
      '2025-03-31T06:00:00.000Z',
      '2025-04-01T06:00:00.000Z',
    ]);
    expect(runs.map(berlinTime).every((t) => t.endsWith('08:00'))).toBe(true);
  });

  it('runs a time skipped by the change once, right after it', () => {
    const runs = nextRuns('30 2 * * *', at('2025-03-28T12:00:00Z'), 4, 'Europe/Berlin');
    expect(runs.map(berlinTime)).toEqual([
      '29/03/2025, 02:30',
      '30/03/2025, 03:30', // 02:30 does not exist that night
      '31/03/2025, 02:30',
      '01/04/2025, 02:30',
    ]);
  });

  it('runs a time repeated in October once', () => {
    const runs = nextRuns('30 2 * * *', at('2025-10-25T12:00:00Z'), 3, 'Europe/Berlin');
    expect(runs.map(iso)).toEqual([
      '2025-10-26T00:30:00.000Z', // the first 02:30 (CEST); not again at 01:30Z (CET)
      '2025-10-27T01:30:00.000Z',
      '2025-10-28T01:30:00.000Z',
    ]);
  });

  it('has no repeated or missing hours across the March change', () => {
    const runs = nextRuns('0 * * * *', at('2025-03-29T22:00:00Z'), 6, 'Europe/Berlin');
    for (let i = 1; i < runs.length; i++) expect(runs[i] - runs[i - 1]).toBe(3_600_000);
  });

  it('ticks in the schedule time zone', async () => {
    const { service, clock, submitted } = setup('2025-03-29T12:00:00Z');
    const s = service.add({ cron: '0 8 * * *', spec: exportSpec('berlin'), timezone: 'europe/berlin' });
    expect(s.timezone).toBe('Europe/Berlin');
    expect(iso(s.nextRunAt)).toBe('2025-03-30T06:00:00.000Z');
    clock.now = s.nextRunAt;
    expect(await service.tick()).toHaveLength(1);
    expect(iso(service.get(s.id)!.nextRunAt)).toBe('2025-03-31T06:00:00.000Z');
    expect(submitted).toHaveLength(1);
  });

  it('uses the machine time zone when none is given', () => {
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const from = at('2025-03-28T12:00:00Z');
    expect(nextRuns('0 8 * * *', from, 3)).toEqual(nextRuns('0 8 * * *', from, 3, local));
  });
});
