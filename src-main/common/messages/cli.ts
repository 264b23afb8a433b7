// The command line's usage errors: a flag missing, a flag's value out of range.
import { dq, end, msg, num, plural, q, text } from './format.ts';

export const CLI = {
  CLI_CLICKHOUSE_BAD_URL: msg<{ url: string }>(
    (p) => `${dq(p.url)} is not a ClickHouse URL; use e.g. http://localhost:8123.`,
    (p) => `${q(p.url)} — не адрес ClickHouse; укажите, например, http://localhost:8123.`,
  ),
  CLI_CLICKHOUSE_NEEDS_URL: msg(
    () => '--source clickhouse needs --clickhouse-url (or CROSSDOCK_CLICKHOUSE_URL).',
    () => 'Для --source clickhouse нужен --clickhouse-url (или CROSSDOCK_CLICKHOUSE_URL).',
  ),
  CLI_DEMO_DATA_NEEDS_URL: msg(
    () => 'demo-data needs --clickhouse-url (or CROSSDOCK_CLICKHOUSE_URL).',
    () => 'Для demo-data нужен --clickhouse-url (или CROSSDOCK_CLICKHOUSE_URL).',
  ),
  CLI_REDIS_CA_NEEDS_REDIS: msg(
    () => '--redis-ca is for the team queue: add --redis <url> (or CROSSDOCK_REDIS_URL).',
    () => '--redis-ca нужен только для командной очереди: добавьте --redis <url> (или CROSSDOCK_REDIS_URL).',
  ),
  CLI_TEAM_NAME: msg(
    () => '--team takes 1 to 64 letters, digits, - or _.',
    () => '--team принимает от 1 до 64 букв, цифр, знаков - или _.',
  ),
  CLI_LIST_OR_QUERY: msg(
    () => 'Give either --list <name> or --query <sql>.',
    () => 'Укажите либо --list <имя>, либо --query <sql>.',
  ),
  CLI_BRAND_NEEDS_LIST: msg(
    () => '--brand filters a supplier list: add --list <name>.',
    () => '--brand отбирает предложения списка поставщиков: добавьте --list <имя>.',
  ),
  /** A flag that takes a whole number in a range (numbers grouped as the language writes them). */
  CLI_WHOLE_NUMBER: msg<{ flag: string; min: number; max: number }>(
    (p) =>
      `${text(p.flag)} takes a whole number from ${num(p.min).toLocaleString('en-US')} to ${num(p.max).toLocaleString('en-US')}.`,
    (p) =>
      `${text(p.flag)} принимает целое число от ${num(p.min).toLocaleString('ru-RU')} до ${num(p.max).toLocaleString('ru-RU')}.`,
  ),
  CLI_BAD_CURRENCY: msg<{ value: string }>(
    (p) =>
      `--base-currency takes a three-letter currency code such as RUB, EUR or USD, not "${text(p.value)}".`,
    (p) =>
      `--base-currency принимает трёхбуквенный код валюты, например RUB, EUR или USD, а не «${text(p.value)}».`,
  ),
  CLI_OLDER_THAN: msg(
    () => '--older-than takes a number of days, e.g. --older-than 30.',
    () => '--older-than принимает число дней, например --older-than 30.',
  ),
  CLI_NO_SUCH_JOB: msg<{ id: string }>(
    (p) => `There is no job ${text(p.id)}; "crossdock jobs list" shows them.`,
    (p) => `Задания ${text(p.id)} нет; список заданий показывает «crossdock jobs list».`,
  ),
  CLI_ONLY_EXPORTS: msg<{ cron: string }>(
    (p) =>
      `Only exports can be scheduled; write: crossdock schedule add ${dq(p.cron)} export --list <name> …`,
    (p) =>
      `По расписанию можно запускать только выгрузки; напишите: crossdock schedule add "${text(p.cron)}" export --list <имя> …`,
  ),
  /** A job of the command ended without its result: its name and the reason (the job's English sentence). */
  CLI_JOB_FAILED: msg<{ name: string; status: string; error: string }>(
    (p) =>
      p.status === 'cancelled'
        ? `${text(p.name)} was cancelled${p.error ? `: ${end(text(p.error))}` : '.'}`
        : `${text(p.name)} failed: ${end(text(p.error))}`,
    (p) =>
      p.status === 'cancelled'
        ? `${text(p.name)}: задание отменено${p.error ? `: ${end(text(p.error))}` : '.'}`
        : `${text(p.name)}: задание не выполнено: ${end(text(p.error))}`,
  ),
  /** Ctrl+C during run, export or jobs resume: the engine closed, unfinished jobs wait in the queue. */
  CLI_STOPPED: msg<{ left: number }>(
    (p) =>
      num(p.left) === 0
        ? 'Stopped; no jobs are left to resume.'
        : `Stopped; ${num(p.left).toLocaleString('en-US')} ${num(p.left) === 1 ? 'job is' : 'jobs are'} left in the queue: run "crossdock jobs resume" to finish ${num(p.left) === 1 ? 'it' : 'them'}.`,
    (p) =>
      num(p.left) === 0
        ? 'Остановлено; незавершённых заданий нет.'
        : `Остановлено; в очереди осталось ${num(p.left).toLocaleString('ru-RU')} ${plural(num(p.left), 'задание', 'задания', 'заданий')}: чтобы завершить, запустите «crossdock jobs resume».`,
  ),
};
