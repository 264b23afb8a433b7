// Scheduled exports: the cron expression, the time zone, the schedules themselves.
import { dq, end, msg, type Nested, num, plural, q, text, unnest } from './format.ts';

const EXAMPLE_EN = 'use 5 fields, e.g. "0 8 * * 1" for every Monday at 08:00';
const EXAMPLE_RU = 'укажите 5 полей, например «0 8 * * 1» — каждый понедельник в 08:00';

const CRON_FIELD_RU: Record<string, string> = {
  minute: 'минут',
  hour: 'часов',
  'day-of-month': 'дня месяца',
  month: 'месяца',
  'day-of-week': 'дня недели',
};
const fieldRu = (f: unknown): string => CRON_FIELD_RU[text(f)] ?? text(f);

/** "The schedule "<cron>" is not a valid cron expression (<reason>); <example>." in both languages. */
function invalid<P extends { cron: string }>(reasonEn: (p: P) => string, reasonRu: (p: P) => string) {
  return msg<P>(
    (p) => `The schedule ${dq(p.cron)} is not a valid cron expression (${reasonEn(p)}); ${EXAMPLE_EN}.`,
    (p) => `Расписание ${q(p.cron)} — неверное выражение cron (${reasonRu(p)}); ${EXAMPLE_RU}.`,
  );
}

export const SCHEDULE = {
  SCHEDULE_EMPTY: msg(
    () => `The schedule is empty; ${EXAMPLE_EN}.`,
    () => `Расписание пустое; ${EXAMPLE_RU}.`,
  ),
  CRON_SHORTCUT: invalid<{ cron: string; shortcut: string }>(
    (p) => `shortcuts like ${text(p.shortcut)} are not supported`,
    (p) => `сокращения вроде ${text(p.shortcut)} не поддерживаются`,
  ),
  CRON_SECONDS_FIELD: invalid<{ cron: string }>(
    () => 'it has 6 fields; a seconds field is not supported',
    () => 'в нём 6 полей, а поле секунд не поддерживается',
  ),
  CRON_FIELD_COUNT: invalid<{ cron: string; count: number }>(
    (p) => `it has ${text(p.count)} field${num(p.count) === 1 ? '' : 's'}`,
    (p) => `в нём ${text(p.count)} ${plural(num(p.count), 'поле', 'поля', 'полей')}`,
  ),
  CRON_RANDOM_H: invalid<{ cron: string; field: string; value: string }>(
    (p) => `the ${text(p.field)} field ${dq(p.value)} uses a random "H" value`,
    (p) => `поле ${fieldRu(p.field)} ${q(p.value)} использует случайное значение «H»`,
  ),
  /** `reason` is the cron parser's own words (English). */
  CRON_BAD_FIELD: invalid<{ cron: string; field: string; value: string; reason: string }>(
    (p) => `the ${text(p.field)} field ${dq(p.value)}: ${text(p.reason)}`,
    (p) => `поле ${fieldRu(p.field)} ${q(p.value)}: ${text(p.reason)}`,
  ),
  CRON_NEVER_FIRES: invalid<{ cron: string }>(
    () => 'it never fires',
    () => 'оно никогда не срабатывает',
  ),
  /** `reason` is the cron parser's own words (English). */
  CRON_INVALID: invalid<{ cron: string; reason: string }>(
    (p) => text(p.reason),
    (p) => text(p.reason),
  ),
  TIMEZONE_NOT_NAME: msg(
    () => 'The time zone must be a name such as "Europe/Berlin" or "UTC".',
    () => 'Часовой пояс задаётся названием, например «Europe/Berlin» или «UTC».',
  ),
  TIMEZONE_UNKNOWN: msg<{ timezone: string }>(
    (p) => `The time zone ${dq(p.timezone)} is not known; use an IANA name such as "Europe/Berlin" or "UTC".`,
    (p) =>
      `Часовой пояс ${q(p.timezone)} неизвестен; укажите название IANA, например «Europe/Berlin» или «UTC».`,
  ),
  SCHEDULE_START_NOT_FINITE: msg(
    () => 'The start time must be a finite number of milliseconds.',
    () => 'Время начала должно быть конечным числом миллисекунд.',
  ),
  SCHEDULE_SPEC_NOT_OBJECT: msg(
    () => 'A schedule needs a job to run: its spec must be an object.',
    () => 'Расписанию нужно задание для запуска: его описание должно быть объектом.',
  ),
  NO_SUCH_SCHEDULE: msg<{ id: string }>(
    (p) => `There is no schedule ${text(p.id)}.`,
    (p) => `Расписания ${text(p.id)} нет; возможно, его уже удалили.`,
  ),
  /** A scheduled run whose submit failed (a process warning by default). */
  SCHEDULE_RUN_FAILED: msg<Nested & { id: string; cron: string }>(
    (p, inner) => `Schedule ${text(p.id)} (${text(p.cron)}) did not submit its job: ${inner(unnest(p))}`,
    (p, inner) => `Расписание ${text(p.id)} (${text(p.cron)}) не отправило задание: ${end(inner(unnest(p)))}`,
  ),
};
