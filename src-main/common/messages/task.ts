// A running job and the worker running it: crashes, time limits, the disk, permissions, the unexpected.
import { end, items, msg, type Nested, num, plural, q, text, unnest } from './format.ts';

/** A count grouped as the language writes it: 1,500 / 1 500. */
const g = (lang: 'en' | 'ru', v: unknown): string => num(v).toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-US');

export type CountParams = { rows: number; found: number; partial: number; notFound: number; invalid: number };

/** What "found" means everywhere: a crossdock's four counts, always all four, in this order and words. */
export function countsSentence(lang: 'en' | 'ru', p: Partial<CountParams>): string {
  if (lang === 'ru')
    return `${g('ru', p.rows)} ${plural(num(p.rows), 'строка', 'строки', 'строк')}: найдено ${g('ru', p.found)}, частично ${g('ru', p.partial)}, не найдено ${g('ru', p.notFound)}, некорректных ${g('ru', p.invalid)}`;
  return `${g('en', p.rows)} line${num(p.rows) === 1 ? '' : 's'}: ${g('en', p.found)} found, ${g('en', p.partial)} partial, ${g('en', p.notFound)} not found, ${g('en', p.invalid)} invalid`;
}

export const TASK = {
  /**
   * An error without a code of its own (an unexpected one, or a sentence whose call site has no code
   * yet): its English text, as it is, in every language.
   */
  UNEXPECTED: msg<{ message: string }>(
    (p) => text(p.message),
    (p) => text(p.message),
  ),
  SOMETHING_WENT_WRONG: msg(
    () => 'Something went wrong; see the app log.',
    () => 'Что-то пошло не так; подробности в журнале приложения.',
  ),
  /** A failure worth retrying (a server down, a time-out) that no message of its own describes. */
  TEMPORARY_ERROR: msg<Nested>(
    (p, inner) => `A temporary error stopped the job: ${inner(unnest(p))}`,
    (p, inner) => `Задание остановила временная ошибка: ${end(inner(unnest(p)))}`,
  ),
  FAILED_UNEXPECTEDLY: msg<Nested>(
    (p, inner) => `The job failed unexpectedly: ${inner(unnest(p))}`,
    (p, inner) => `Задание неожиданно завершилось ошибкой: ${end(inner(unnest(p)))}`,
  ),
  DISK_FULL: msg(
    () => 'The disk is full; free some space and retry the job.',
    () => 'Диск заполнен; освободите место и повторите задание.',
  ),
  NO_WRITE_PERMISSION: msg<{ reason: string }>(
    (p) => `Crossdock may not write there (${text(p.reason)}); choose another output folder.`,
    (p) => `Crossdock не может писать туда (${text(p.reason)}); выберите другую папку для результатов.`,
  ),
  SOFT_TIME_LIMIT: msg(
    () => 'The job ran past its soft time limit and stopped; split the file or raise the limit in Settings.',
    () =>
      'Задание превысило мягкий лимит времени и остановилось; разделите файл или увеличьте лимит в настройках.',
  ),
  TIME_LIMIT: msg<{ seconds: number }>(
    (p) =>
      `The job ran past its time limit of ${text(p.seconds)} s and was stopped; split the file or raise the limit in Settings.`,
    (p) =>
      `Задание превысило лимит времени (${text(p.seconds)} с) и было остановлено; разделите файл или увеличьте лимит в настройках.`,
  ),
  INTERRUPTED_TOO_OFTEN: msg<{ times: number }>(
    (p) =>
      `The job was interrupted ${text(p.times)} times (the program running it stopped); retry it when the machine is stable.`,
    (p) =>
      `Задание прерывалось ${text(p.times)} ${plural(num(p.times), 'раз', 'раза', 'раз')} (останавливалась выполнявшая его программа); повторите его, когда компьютер будет работать стабильно.`,
  ),
  OUT_OF_MEMORY: msg(
    () => 'The job ran out of memory and was stopped; the file may be malformed or too large to process.',
    () =>
      'Заданию не хватило памяти, и оно было остановлено; возможно, файл повреждён или слишком велик для обработки.',
  ),
  WORKER_CRASHED: msg<{ reason: string }>(
    (p) => `The worker running the job stopped unexpectedly (${text(p.reason)}).`,
    (p) => `Процесс, выполнявший задание, неожиданно остановился (${text(p.reason)}).`,
  ),
  WORKER_BUNDLE_MISSING: msg<{ path: string }>(
    (p) => `The worker bundle is missing (looked for ${text(p.path)}); run "npm run build".`,
    (p) => `Нет сборки процесса-исполнителя (искали ${text(p.path)}); выполните «npm run build».`,
  ),
  TASK_CANCELLED: msg(
    () => 'The job was cancelled.',
    () => 'Задание отменено.',
  ),
  UNKNOWN_JOB_KIND: msg(
    () => 'Unknown job kind.',
    () => 'Неизвестный вид задания.',
  ),
  RESULT_NOT_SAVED: msg<Nested>(
    (p, inner) => `The result could not be saved: ${inner(unnest(p))}`,
    (p, inner) => `Не удалось сохранить результат: ${end(inner(unnest(p)))}`,
  ),
  FINISHED_FILE_MISSING: msg<{ path: string }>(
    (p) => `the finished file ${text(p.path)} is missing`,
    (p) => `готовый файл ${text(p.path)} пропал`,
  ),

  // ── what a task writes to the job's log ────────────────────────────────────────────────────────
  LOG_HEADER_FOUND: msg<{
    sheet: string;
    row: number;
    brand: number;
    article: number;
    quantity: number | null;
  }>(
    (p) =>
      `Sheet "${text(p.sheet)}", ${num(p.row) === 0 ? 'no header row (columns by letter)' : `header on row ${text(p.row)}`}: brand = column ${text(p.brand)}, article = column ${text(p.article)}, quantity = ${p.quantity === null || p.quantity === undefined ? 'none (1 each)' : `column ${text(p.quantity)}`}.`,
    (p) =>
      `Лист ${q(p.sheet)}, ${num(p.row) === 0 ? 'без строки заголовков (столбцы по буквам)' : `заголовки в строке ${text(p.row)}`}: бренд — столбец ${text(p.brand)}, артикул — столбец ${text(p.article)}, количество — ${p.quantity === null || p.quantity === undefined ? 'нет (по 1 на строку)' : `столбец ${text(p.quantity)}`}.`,
  ),
  LOG_RESUMING: msg<{ line: number }>(
    (p) =>
      `Resuming from the checkpoint at line ${text(p.line)} (the lines before it are not matched again).`,
    (p) =>
      `Продолжение с контрольной точки на строке ${text(p.line)} (строки до неё заново не сопоставляются).`,
  ),
  LOG_WIDER_ROWS: msg<{ lines: number }>(
    (p) =>
      `${text(p.lines)} lines had values to the right of the last header column; add headers to keep them.`,
    (p) =>
      `В ${text(p.lines)} ${plural(num(p.lines), 'строке', 'строках', 'строках')} есть значения правее последнего столбца с заголовком; добавьте заголовки, чтобы их сохранить.`,
  ),
  LOG_MATCHED: msg<{
    rows: number;
    list: string;
    found: number;
    partial: number;
    notFound: number;
    invalid: number;
  }>(
    (p) =>
      `Matched ${text(p.rows)} lines against "${text(p.list)}": ${text(p.found)} found, ${text(p.partial)} partial, ${text(p.notFound)} not found, ${text(p.invalid)} invalid.`,
    (p) =>
      `Сопоставлено строк со списком ${q(p.list)}: ${text(p.rows)}; найдено ${text(p.found)}, частично ${text(p.partial)}, не найдено ${text(p.notFound)}, с ошибками ${text(p.invalid)}.`,
  ),
  LOG_IMPORTED: msg<{ offers: number; supplier: string; list: string | null; skipped: number }>(
    (p) =>
      `Imported ${text(p.offers)} offers of "${text(p.supplier)}"${p.list ? ` into list "${text(p.list)}"` : ''}; ${text(p.skipped)} lines skipped.`,
    (p) =>
      `Импортировано предложений поставщика ${q(p.supplier)}${p.list ? ` в список ${q(p.list)}` : ''}: ${text(p.offers)}; пропущено строк: ${text(p.skipped)}.`,
  ),
  LOG_EXPORTED: msg<{
    rows: number;
    list: string | null;
    brand: string | null;
    format: 'xlsx' | 'csv';
    files: number;
    sheets: number;
  }>(
    (p) => {
      const rows = num(p.rows);
      const what =
        p.list === null || p.list === undefined
          ? 'the query'
          : `the offers of supplier list "${text(p.list)}"${p.brand ? ` for brand ${text(p.brand)}` : ''}`;
      const to =
        p.format === 'csv'
          ? `${text(p.files)} .csv file${num(p.files) === 1 ? '' : 's'}`
          : `an .xlsx file with ${text(p.sheets)} sheet${num(p.sheets) === 1 ? '' : 's'}`;
      return `Exported ${text(p.rows)} row${rows === 1 ? '' : 's'} of ${what} to ${to}.`;
    },
    (p) => {
      const what =
        p.list === null || p.list === undefined
          ? 'результат запроса'
          : `предложения списка поставщиков ${q(p.list)}${p.brand ? ` по бренду ${text(p.brand)}` : ''}`;
      const to =
        p.format === 'csv'
          ? `${text(p.files)} ${plural(num(p.files), 'файл', 'файла', 'файлов')} .csv`
          : `файл .xlsx (${text(p.sheets)} ${plural(num(p.sheets), 'лист', 'листа', 'листов')})`;
      return `Выгружено строк: ${text(p.rows)} (${what}) в ${to}.`;
    },
  ),
  LOG_NO_RATE: msg<{ offers: number; currencies: string[]; base: string }>(
    (p) =>
      `Left out ${text(p.offers)} offer${num(p.offers) === 1 ? '' : 's'} in ${items(p.currencies).join(', ')}: the rates table has no rate for ${items(p.currencies).length === 1 ? 'it' : 'them'} (base currency ${text(p.base)}).`,
    (p) =>
      `Не учтено ${text(p.offers)} ${plural(num(p.offers), 'предложение', 'предложения', 'предложений')} в ${items(p.currencies).join(', ')}: в таблице курсов нет курса (базовая валюта ${text(p.base)}).`,
  ),
  LOG_PRICING: msg<{ base: string; rates: number }>(
    (p) =>
      num(p.rates) === 0
        ? 'No exchange rates: prices are compared as they are, and totals are per currency.'
        : `Prices compared in ${text(p.base)} through ${text(p.rates)} exchange rate${num(p.rates) === 1 ? '' : 's'}.`,
    (p) =>
      num(p.rates) === 0
        ? 'Курсов валют нет: цены сравниваются как есть, итоги — по каждой валюте.'
        : `Цены сравниваются в ${text(p.base)} по курсам (${text(p.rates)}).`,
  ),
  /**
   * What "found" means everywhere (job row, detail, notification, CLI): the four counts of a
   * crossdock's lines, always all four, in this order and these words.
   */
  RESULT_COUNTS: msg<CountParams>(
    (p) => countsSentence('en', p),
    (p) => countsSentence('ru', p),
  ),
  LOG_RULE_COUNTS: msg<{ analogs: number; rounded: number; aliased: number }>(
    (p) =>
      `${text(p.analogs)} line${num(p.analogs) === 1 ? '' : 's'} priced with an analog, ${text(p.rounded)} order${num(p.rounded) === 1 ? '' : 's'} rounded to a pack or minimum order, ${text(p.aliased)} line${num(p.aliased) === 1 ? '' : 's'} with a brand read through the alias table.`,
    (p) =>
      `Строк с аналогом: ${text(p.analogs)}; заказов, округлённых до кратности или минимального заказа: ${text(p.rounded)}; строк с брендом через таблицу синонимов: ${text(p.aliased)}.`,
  ),
};
