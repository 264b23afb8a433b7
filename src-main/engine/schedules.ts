import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import type { CronExpressionParser as CronParser } from 'cron-parser';
import type Cronstrue from 'cronstrue';
import { monotonicFactory } from 'ulid';
import { CodedError, errorInfo, nest, type ErrorCode } from '../common/errors.ts';
import type { Schedule } from '../common/types.ts';
import type { ScheduledSpec } from '../common/spec.ts';

/**
 * cron-parser (with luxon) and cronstrue are ~0.4 MB of code that a run without schedules never
 * needs: loaded at the first schedule, not compiled and evaluated at every start of the CLI and the
 * app (the CLI bundle leaves them out; scripts/build.mjs).
 */
const requireHere = createRequire(import.meta.url);
let cronLibs: { parser: typeof CronParser; describe: typeof Cronstrue } | null = null;
function cronLib(): { parser: typeof CronParser; describe: typeof Cronstrue } {
  if (!cronLibs) {
    const parser = (requireHere('cron-parser') as typeof import('cron-parser')).CronExpressionParser;
    const describe = (requireHere('cronstrue') as { default: typeof Cronstrue }).default;
    // Registers the Russian locale on that cronstrue instance (the English one is built in).
    requireHere('cronstrue/locales/ru.js');
    cronLibs = { parser, describe };
  }
  return cronLibs;
}

/**
 * Periodic jobs: `crossdock schedule add "<cron>" export ...` and the tick that submits them.
 *
 * Cron syntax: exactly 5 fields — minute, hour, day of month, month, day of week — as in crontab.
 * Names (`MON`, `JAN`), `?`, ranges, lists, steps, `L` (last day / last weekday of the month) and
 * `#` (n-th weekday) are accepted. Not accepted: a 6th seconds field (an export a second is never
 * what anyone means, and the tick has no use for sub-minute precision), `@daily`-style shortcuts
 * and Jenkins-style random `H` values (a schedule must fire at the same times in every process).
 * When both day of month and day of week are restricted, either one matching fires (as in crontab).
 *
 * Time zone: an IANA name (`Europe/Berlin`, `UTC`), or null for the local time of the machine that
 * computes the next run. Around DST changes the times follow the wall clock: a time skipped in
 * spring runs once, just after the change; a time repeated in autumn runs once.
 */

export type { Schedule };

/** A mistake in what the caller asked for: a coded sentence fit for the user. */
export class ScheduleError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  override name = 'ScheduleError';
}

export interface ScheduleServiceOptions {
  /**
   * Called once for every run whose submit failed (e.g. the spec names a list that no longer
   * exists), or whose schedule could not be computed. The run is recorded anyway (last_run_at set,
   * last_job_id null) and next_run_at still moves on. Default: a process warning.
   */
  onError?: (schedule: Schedule, error: Error) => void;
}

type Lang = 'en' | 'ru';

const FIELD_NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const ulid = monotonicFactory();

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function neverFires(err: unknown): boolean {
  return /explicit day of month|loop limit|time span/i.test(messageOf(err));
}

function tidy(message: string): string {
  const m = message.replace(/^constraint error,\s*/i, '').replace(/[.!]+$/, '');
  return m.charAt(0).toLowerCase() + m.slice(1);
}

/** Trims and checks a cron expression; returns it with single spaces between fields. */
function normalizeCron(cron: unknown): string {
  if (typeof cron !== 'string' || cron.trim() === '') {
    throw new ScheduleError('SCHEDULE_EMPTY', {});
  }
  const shown = cron.trim();
  const fields = shown.split(/\s+/);
  if (shown.startsWith('@')) throw new ScheduleError('CRON_SHORTCUT', { cron: shown, shortcut: fields[0] });
  if (fields.length === 6) throw new ScheduleError('CRON_SECONDS_FIELD', { cron: shown });
  if (fields.length !== 5) throw new ScheduleError('CRON_FIELD_COUNT', { cron: shown, count: fields.length });
  for (let i = 0; i < 5; i++) {
    if (/(^|,)H/i.test(fields[i])) {
      throw new ScheduleError('CRON_RANDOM_H', { cron: shown, field: FIELD_NAMES[i], value: fields[i] });
    }
  }
  const normalized = fields.join(' ');
  try {
    // next() too: an expression can parse and still never fire.
    cronLib().parser.parse(normalized, { currentDate: Date.now(), tz: 'UTC' }).next();
  } catch (err) {
    if (neverFires(err)) throw new ScheduleError('CRON_NEVER_FIRES', { cron: shown });
    // Name the field at fault: parse each one alone, the others left as "*".
    for (let i = 0; i < 5; i++) {
      const alone = fields.map((f, j) => (j === i ? f : '*')).join(' ');
      try {
        cronLib().parser.parse(alone, { currentDate: 0, tz: 'UTC' });
      } catch (fieldErr) {
        if (neverFires(fieldErr)) break;
        const reason = tidy(messageOf(fieldErr));
        throw new ScheduleError('CRON_BAD_FIELD', {
          cron: shown,
          field: FIELD_NAMES[i],
          value: fields[i],
          reason,
        });
      }
    }
    throw new ScheduleError('CRON_INVALID', { cron: shown, reason: tidy(messageOf(err)) });
  }
  return normalized;
}

/** The time zone to compute in: the given one, or the machine's. */
function zoneOf(timezone: string | null | undefined): string {
  if (timezone) return timezone;
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Checks an IANA time zone name; returns its canonical spelling, or null for "local time". */
function normalizeTimezone(timezone: unknown): string | null {
  if (timezone === undefined || timezone === null) return null;
  if (typeof timezone !== 'string') {
    throw new ScheduleError('TIMEZONE_NOT_NAME', {});
  }
  const name = timezone.trim();
  if (name === '') return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new ScheduleError('TIMEZONE_UNKNOWN', { timezone: name });
  }
}

/** Next occurrences strictly after `from`; fewer than asked when the expression runs out. */
function occurrences(
  cron: string,
  from: number,
  count: number,
  timezone: string | null | undefined,
): number[] {
  const expr = cronLib().parser.parse(cron, { currentDate: from, tz: zoneOf(timezone) });
  const out: number[] = [];
  while (out.length < count) {
    try {
      out.push(expr.next().getTime());
    } catch (err) {
      if (neverFires(err)) break;
      throw err;
    }
  }
  return out;
}

/** The first occurrence strictly after `from`, or a ScheduleError when there is none. */
function firstAfter(cron: string, from: number, timezone: string | null | undefined): number {
  const [next] = occurrences(cron, from, 1, timezone);
  if (next === undefined) throw new ScheduleError('CRON_NEVER_FIRES', { cron });
  return next;
}

/**
 * A human-readable description of a (valid) cron expression, e.g. "At 08:00, only on Monday" /
 * "В 08:00, только в понедельник". Throws a ScheduleError for an invalid one — a UI can show it as
 * the user types.
 */
export function describeCron(cron: string, lang: Lang = 'en'): string {
  const normalized = normalizeCron(cron);
  try {
    return cronLib().describe.toString(normalized, {
      use24HourTimeFormat: true,
      locale: lang === 'ru' ? 'ru' : 'en',
      throwExceptionOnParseError: true,
    });
  } catch {
    return normalized;
  }
}

/**
 * The next `count` occurrences strictly after `from` (epoch ms), in the given IANA time zone or, when
 * none, the machine's local time. Throws a ScheduleError for an invalid expression or time zone.
 */
export function nextRuns(cron: string, from: number, count: number, timezone?: string | null): number[] {
  const normalized = normalizeCron(cron);
  const zone = normalizeTimezone(timezone);
  if (!Number.isFinite(from)) throw new ScheduleError('SCHEDULE_START_NOT_FINITE', {});
  const n = Math.max(0, Math.floor(count));
  return n === 0 ? [] : occurrences(normalized, from, n, zone);
}

interface ScheduleRow {
  id: string;
  cron: string;
  timezone: string | null;
  spec: string;
  description: string;
  paused: number;
  next_run_at: number;
  last_run_at: number | null;
  last_job_id: string | null;
  created_at: number;
  updated_at: number;
}

/** Written by add() from a checked export spec: read back as such. */
function readSpec(text: string): ScheduledSpec {
  return JSON.parse(text);
}

function toSchedule(r: ScheduleRow): Schedule {
  return {
    id: r.id,
    cron: r.cron,
    timezone: r.timezone,
    spec: readSpec(r.spec),
    description: r.description,
    paused: r.paused === 1,
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
    lastJobId: r.last_job_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The `schedules` table and the tick that turns due schedules into jobs. Every method but tick() is
 * synchronous. Several instances (one per process, each on its own connection to the same data dir)
 * may tick at once: each run is claimed atomically, so it is submitted by exactly one of them.
 */
export class ScheduleService {
  private readonly db: Database.Database;
  private readonly submit: (spec: ScheduledSpec) => Promise<{ job: { id: string } }>;
  private readonly now: () => number;
  private readonly onError: (schedule: Schedule, error: Error) => void;

  constructor(
    db: Database.Database,
    submit: (spec: ScheduledSpec) => Promise<{ job: { id: string } }>,
    now: () => number = Date.now,
    options: ScheduleServiceOptions = {},
  ) {
    this.db = db;
    this.submit = submit;
    this.now = now;
    this.onError =
      options.onError ??
      ((s, err) =>
        process.emitWarning(
          new CodedError('SCHEDULE_RUN_FAILED', { ...nest(errorInfo(err)), id: s.id, cron: s.cron }).message,
        ));
  }

  /** Validates the cron expression and time zone; the first run is the first occurrence after now. */
  add(input: { cron: string; spec: Record<string, unknown>; timezone?: string | null }): Schedule {
    const cron = normalizeCron(input.cron);
    const timezone = normalizeTimezone(input.timezone);
    const spec: unknown = input.spec;
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      throw new ScheduleError('SCHEDULE_SPEC_NOT_OBJECT', {});
    }
    const now = this.now();
    const nextRunAt = firstAfter(cron, now, timezone);
    const id = ulid();
    this.db
      .prepare(
        `INSERT INTO schedules (id, cron, timezone, spec, description, paused, next_run_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      )
      .run(id, cron, timezone, JSON.stringify(spec), describeCron(cron, 'en'), nextRunAt, now, now);
    return this.get(id)!;
  }

  /** Every schedule, oldest first. */
  list(): Schedule[] {
    return (this.db.prepare('SELECT * FROM schedules ORDER BY created_at, id').all() as ScheduleRow[]).map(
      toSchedule,
    );
  }

  get(id: string): Schedule | null {
    const row = this.db.prepare('SELECT * FROM schedules WHERE id = ?').get(id) as ScheduleRow | undefined;
    return row ? toSchedule(row) : null;
  }

  remove(id: string): void {
    if (this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes === 0) throw missing(id);
  }

  /** Stops the runs; pausing a paused schedule changes nothing. */
  pause(id: string): Schedule {
    this.db
      .prepare('UPDATE schedules SET paused = 1, updated_at = ? WHERE id = ? AND paused = 0')
      .run(this.now(), id);
    return this.mustGet(id);
  }

  /**
   * Starts the runs again from now: the next run is the first occurrence after now, so runs missed
   * while paused are not made up. Resuming an active schedule changes nothing.
   */
  resume(id: string): Schedule {
    const s = this.mustGet(id);
    if (!s.paused) return s;
    const now = this.now();
    const nextRunAt = firstAfter(s.cron, now, s.timezone);
    this.db
      .prepare('UPDATE schedules SET paused = 0, next_run_at = ?, updated_at = ? WHERE id = ? AND paused = 1')
      .run(nextRunAt, now, id);
    return this.mustGet(id);
  }

  /**
   * Submits every due schedule once. A run missed while nothing was running is made up ONCE at the
   * next tick, never several times; then next_run_at moves to the first occurrence after now. Safe
   * when two processes tick at once: each due run is claimed with an atomic
   * UPDATE … WHERE id = ? AND next_run_at = <old value>, and submitted only if that changed a row.
   * The claim comes before the submit, so a crash in between loses that run rather than doubling it.
   * A failed submit is reported to onError and does not stop the others. Returns the submitted job ids.
   */
  async tick(): Promise<string[]> {
    const now = this.now();
    const due = this.db
      .prepare('SELECT * FROM schedules WHERE paused = 0 AND next_run_at <= ? ORDER BY next_run_at, id')
      .all(now) as ScheduleRow[];
    const claim = this.db.prepare(
      `UPDATE schedules SET next_run_at = ?, last_run_at = ?, last_job_id = NULL, updated_at = ?
       WHERE id = ? AND next_run_at = ? AND paused = 0`,
    );
    const jobIds: string[] = [];
    for (const row of due) {
      const schedule = toSchedule(row);
      let nextRunAt: number;
      try {
        nextRunAt = firstAfter(row.cron, now, row.timezone);
      } catch (err) {
        // A row this version cannot read (edited by hand, or a bad time zone): pause it rather
        // than retry it at every tick.
        const paused = this.db
          .prepare(
            'UPDATE schedules SET paused = 1, updated_at = ? WHERE id = ? AND next_run_at = ? AND paused = 0',
          )
          .run(now, row.id, row.next_run_at);
        if (paused.changes === 1) this.report(schedule, err);
        continue;
      }
      if (claim.run(nextRunAt, now, now, row.id, row.next_run_at).changes !== 1) continue;
      try {
        const { job } = await this.submit(schedule.spec);
        this.db
          .prepare('UPDATE schedules SET last_job_id = ? WHERE id = ? AND last_run_at = ?')
          .run(job.id, row.id, now);
        jobIds.push(job.id);
      } catch (err) {
        this.report({ ...schedule, nextRunAt, lastRunAt: now, lastJobId: null, updatedAt: now }, err);
      }
    }
    return jobIds;
  }

  /**
   * Milliseconds until the earliest next_run_at of an active schedule (0 when one is due), or null
   * when none is active. Clamp it before setTimeout, whose limit is 2^31-1 ms (about 24.8 days).
   */
  msUntilNext(): number | null {
    const row = this.db.prepare('SELECT MIN(next_run_at) AS t FROM schedules WHERE paused = 0').get() as {
      t: number | null;
    };
    return row.t === null ? null : Math.max(0, row.t - this.now());
  }

  private mustGet(id: string): Schedule {
    const s = this.get(id);
    if (!s) throw missing(id);
    return s;
  }

  private report(schedule: Schedule, err: unknown): void {
    try {
      this.onError(schedule, asError(err));
    } catch {
      // A throwing callback must not stop the other schedules.
    }
  }
}

function missing(id: string): ScheduleError {
  return new ScheduleError('NO_SUCH_SCHEDULE', { id });
}
