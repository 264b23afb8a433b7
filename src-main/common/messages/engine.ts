// The job runner and the shell's calls into it: submit, cancel, retry, remove, comments, results,
// settings and secrets, and the lines the engine writes to a job's log.
import { end, items, msg, type Nested, num, plural, text, unnest } from './format.ts';

const STATUS_RU: Record<string, string> = {
  queued: 'ещё в очереди',
  running: 'ещё выполняется',
  succeeded: 'уже выполнено',
  failed: 'завершилось ошибкой',
  cancelled: 'отменено',
};
const statusRu = (s: unknown): string => STATUS_RU[text(s)] ?? text(s);

export const ENGINE = {
  // ── jobs ───────────────────────────────────────────────────────────────────────────────────────
  NO_SUCH_JOB: msg<{ id: string }>(
    (p) => `There is no job ${text(p.id)}.`,
    (p) => `Задания ${text(p.id)} нет; возможно, его уже удалили.`,
  ),
  CANNOT_RETRY: msg<{ status: string }>(
    (p) => `Only failed or cancelled jobs can be retried; this one is ${text(p.status)}.`,
    (p) =>
      `Повторить можно только задание, которое завершилось ошибкой или было отменено, а это задание ${statusRu(p.status)}.`,
  ),
  CANNOT_DELETE: msg<{ status: string }>(
    (p) => `A ${text(p.status)} job cannot be deleted; cancel it first.`,
    (p) =>
      p.status === 'running'
        ? 'Выполняющееся задание нельзя удалить; сначала отмените его.'
        : p.status === 'queued'
          ? 'Задание в очереди нельзя удалить; сначала отмените его.'
          : `Задание нельзя удалить, пока оно ${statusRu(p.status)}; сначала отмените его.`,
  ),
  CANCELLED: msg(
    () => 'Cancelled.',
    () => 'Отменено.',
  ),
  CANCELLED_BEFORE_START: msg(
    () => 'Cancelled before it started.',
    () => 'Отменено до начала.',
  ),
  CANCELLED_WHILE_RUNNING: msg(
    () => 'Cancelled while running.',
    () => 'Отменено во время выполнения.',
  ),
  ONLY_EXPORTS_SCHEDULED: msg(
    () => 'Only exports can be scheduled.',
    () => 'По расписанию можно запускать только выгрузки.',
  ),
  TEAM_JOB_NO_INPUT: msg(
    () => 'The team job has no input file.',
    () => 'У командного задания нет входного файла.',
  ),

  // ── comments ───────────────────────────────────────────────────────────────────────────────────
  EMPTY_COMMENT: msg(
    () => 'A comment cannot be empty.',
    () => 'Комментарий не может быть пустым; напишите текст.',
  ),
  NO_SUCH_COMMENT: msg<{ id: number }>(
    (p) => `There is no comment ${text(p.id)}.`,
    (p) => `Комментария ${text(p.id)} нет; возможно, его уже удалили.`,
  ),

  // ── results and the output folder ──────────────────────────────────────────────────────────────
  OUTPUT_FOLDER_UNCREATABLE: msg<{ path: string }>(
    (p) => `The output folder ${text(p.path)} cannot be created; choose another one.`,
    (p) => `Папку для результатов ${text(p.path)} не удаётся создать; выберите другую.`,
  ),
  OUTPUT_FOLDER_IS_FILE: msg<{ path: string }>(
    (p) => `The output folder ${text(p.path)} is a file; choose a folder.`,
    (p) => `Вместо папки для результатов ${text(p.path)} — файл; выберите папку.`,
  ),
  ONLY_JOB_RESULTS: msg(
    () => 'Only the results of Crossdock jobs can be opened from the app.',
    () => 'Из приложения можно открыть только результаты заданий Crossdock.',
  ),
  RESULT_OPEN_FAILED: msg<{ reason: string }>(
    (p) => `The result could not be opened (${text(p.reason)}).`,
    (p) => `Не удалось открыть результат (${text(p.reason)}).`,
  ),

  // ── the shell's calls ──────────────────────────────────────────────────────────────────────────
  NO_SUCH_METHOD: msg<{ method: string }>(
    (p) => `There is no method ${text(p.method)}.`,
    (p) => `Метода ${text(p.method)} нет.`,
  ),
  CALL_NOT_ALLOWED: msg(
    () => 'This page is not allowed to call Crossdock.',
    () => 'Этой странице не разрешено обращаться к Crossdock.',
  ),

  // ── secrets ────────────────────────────────────────────────────────────────────────────────────
  NO_SAFE_STORAGE: msg(
    () => 'This computer offers no safe place for passwords, so it cannot be saved.',
    () => 'На этом компьютере нет безопасного хранилища паролей, поэтому пароль нельзя сохранить.',
  ),
  PASSWORDS_FROM_ENVIRONMENT: msg(
    () => 'The command line reads passwords from the environment; set CROSSDOCK_*_PASSWORD.',
    () => 'Командная строка берёт пароли из переменных окружения; задайте CROSSDOCK_*_PASSWORD.',
  ),

  // ── what the engine writes to a job's log ──────────────────────────────────────────────────────
  /** A transient failure, and when the next attempt starts. */
  RETRYING: msg<Nested & { seconds: number; attempt: number; max: number }>(
    (p, inner) =>
      `${inner(unnest(p))} Retrying in ${text(p.seconds)} s (attempt ${text(p.attempt)} of ${text(p.max)}).`,
    (p, inner) =>
      `${end(inner(unnest(p)))} Повтор через ${text(p.seconds)} с (попытка ${text(p.attempt)} из ${text(p.max)}).`,
  ),
  LOG_QUEUED_FILE: msg<{ name: string; bytes: number; team: boolean }>(
    (p) => `Queued ${text(p.name)} (${text(p.bytes)} bytes)${p.team ? ' for the team' : ''}.`,
    (p) =>
      `В очереди: ${text(p.name)} (${text(p.bytes)} ${plural(num(p.bytes), 'байт', 'байта', 'байт')})${p.team ? ', для команды' : ''}.`,
  ),
  LOG_QUEUED_EXPORT: msg<{ team: boolean }>(
    (p) => (p.team ? 'Queued the export for the team.' : 'Queued the export.'),
    (p) => (p.team ? 'Выгрузка поставлена в очередь команды.' : 'Выгрузка поставлена в очередь.'),
  ),
  LOG_ATTEMPT_STARTED: msg<{ attempt: number; max: number; pid: number }>(
    (p) => `Attempt ${text(p.attempt)} of ${text(p.max)} started (process ${text(p.pid)}).`,
    (p) => `Попытка ${text(p.attempt)} из ${text(p.max)} началась (процесс ${text(p.pid)}).`,
  ),
  LOG_ATTEMPT_INTERRUPTED: msg<{ attempt: number }>(
    (p) => `Attempt ${text(p.attempt)} was interrupted (the program running it stopped); it resumes now.`,
    (p) =>
      `Попытка ${text(p.attempt)} была прервана (остановилась выполнявшая её программа); задание продолжается.`,
  ),
  LOG_SOFT_LIMIT_REACHED: msg<{ seconds: number }>(
    (p) => `Soft time limit of ${text(p.seconds)} s reached; asking the job to stop.`,
    (p) => `Достигнут мягкий лимит времени (${text(p.seconds)} с); заданию отправлен запрос на остановку.`,
  ),
  LOG_CANCELLED_QUEUED: msg(
    () => 'Cancelled while queued.',
    () => 'Отменено в очереди.',
  ),
  LOG_CANCELLED_RUNNING: msg(
    () => 'Cancelled while running; its partial files were removed.',
    () => 'Отменено во время выполнения; частично записанные файлы удалены.',
  ),
  LOG_RETRY_REQUESTED: msg(
    () => 'Retry requested.',
    () => 'Запрошен повтор.',
  ),
  LOG_STOPPED_CLOSING: msg(
    () => 'Stopped because the program is closing; it resumes at the next start.',
    () => 'Остановлено, потому что программа закрывается; задание продолжится при следующем запуске.',
  ),
  LOG_DONE: msg<{
    rows: number;
    found: number;
    partial: number;
    notFound: number;
    invalid: number;
    outputs: readonly string[];
  }>(
    (p) =>
      items(p.outputs).length
        ? `Done: ${text(p.rows)} lines (${text(p.found)} found, ${text(p.partial)} partial, ${text(p.notFound)} not found, ${text(p.invalid)} invalid) → ${items(p.outputs).join(', ')}`
        : `Done: ${text(p.rows)} lines.`,
    (p) =>
      items(p.outputs).length
        ? `Готово: строк ${text(p.rows)} (найдено ${text(p.found)}, частично ${text(p.partial)}, не найдено ${text(p.notFound)}, с ошибками ${text(p.invalid)}) → ${items(p.outputs).join(', ')}`
        : `Готово: строк ${text(p.rows)}.`,
  ),
};
