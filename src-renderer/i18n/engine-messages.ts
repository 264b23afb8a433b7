// The engine (main process and worker) speaks English: a failed job's error, an inspect problem and a
// call's error are one English sentence each, and they stay the source of truth (logs, CLI, bug
// reports). The renderer shows them in the UI language by pattern: each rule matches one of the
// engine's sentences and rebuilds it in Russian, keeping the names, paths, numbers and lists it
// quotes. A sentence no rule knows stays as it is: English is better than a garbled translation.
//
// No DOM here, and no import of ./index.ts: the tests import this file under Node.

export interface EngineMessageRule {
  /** Matches the whole English sentence (anchored). */
  pattern: RegExp;
  ru: (m: RegExpMatchArray) => string;
}

/** "x" → «x»: the user's names keep their text, in Russian quotes. */
function q(s: string): string {
  return `«${s}»`;
}

/** A list of "a", "b" (or "a" and "b") with Russian quotes and conjunction. */
function quotedList(list: string): string {
  return list.replace(/" and "/g, '» и «').replace(/"([^"]*)"/g, '«$1»');
}

function plural(n: number, one: string, few: string, many: string): string {
  const n10 = n % 10;
  const n100 = n % 100;
  if (n10 === 1 && n100 !== 11) return one;
  if (n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14)) return few;
  return many;
}

/** A detail after a colon: translated when it is one of ours, else kept as the engine wrote it. */
function inner(s: string): string {
  return translateEngineMessage('ru', s);
}

/** Free text at the end of a sentence (a server's or the system's words): ends with a full stop. */
function end(s: string): string {
  return /[.!?…]$/.test(s.trimEnd()) ? s : `${s.trimEnd()}.`;
}

const FIELD: Record<string, string> = { Brand: 'Бренд', Article: 'Артикул', Quantity: 'Количество' };
const ASKED: Record<string, string> = { brand: 'бренд', article: 'артикул', quantity: 'количество' };
const STATUS: Record<string, string> = {
  queued: 'ещё в очереди',
  running: 'ещё выполняется',
  succeeded: 'уже выполнено',
  failed: 'завершилось ошибкой',
  cancelled: 'отменено',
};
const CRON_FIELD: Record<string, string> = {
  minute: 'минут',
  hour: 'часов',
  'day-of-month': 'дня месяца',
  month: 'месяца',
  'day-of-week': 'дня недели',
};

const status = (s: string): string => STATUS[s] ?? s;
const headersFound = (list: string): string =>
  list === 'none' ? 'заголовков в них нет' : `найдены: ${list}`;
const knownLists = (list: string): string =>
  list === 'none' ? 'других списков в источнике нет' : `есть списки: ${list}`;

/** Why a cron expression is refused: the common reasons in Russian, the parser's own kept. */
function cronReason(reason: string): string {
  let m: RegExpMatchArray | null;
  if (reason === 'it never fires') return 'оно никогда не срабатывает';
  if (reason === 'it has 6 fields; a seconds field is not supported')
    return 'в нём 6 полей, а поле секунд не поддерживается';
  if ((m = /^it has (\d+) fields?$/.exec(reason))) {
    const n = Number(m[1]);
    return `в нём ${m[1]} ${plural(n, 'поле', 'поля', 'полей')}`;
  }
  if ((m = /^shortcuts like (\S+) are not supported$/.exec(reason)))
    return `сокращения вроде ${m[1]} не поддерживаются`;
  if ((m = /^the (\S+) field "(.*)" uses a random "H" value$/.exec(reason)))
    return `поле ${CRON_FIELD[m[1]] ?? m[1]} ${q(m[2])} использует случайное значение «H»`;
  if ((m = /^the (\S+) field "(.*?)": ([\s\S]*)$/.exec(reason)))
    return `поле ${CRON_FIELD[m[1]] ?? m[1]} ${q(m[2])}: ${m[3]}`;
  return reason;
}

const CRON_EXAMPLE = 'use 5 fields, e.g. "0 8 * * 1" for every Monday at 08:00';
const CRON_EXAMPLE_RU = 'укажите 5 полей, например «0 8 * * 1» — каждый понедельник в 08:00';
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Ordered: the first rule whose pattern matches wins. */
export const ENGINE_MESSAGES: readonly EngineMessageRule[] = [
  // ── supplier lists, header and columns ──────────────────────────────────────────────────────
  {
    pattern: /^There is no supplier list "([\s\S]*)"; known lists: ([\s\S]*)\.$/,
    ru: (m) => `Списка поставщиков ${q(m[1])} нет; ${knownLists(m[2])}.`,
  },
  {
    pattern:
      /^The file has no Brand and Article header in its first (\d+) rows\. Found: ([\s\S]*)\. Map the columns \(in the new-job sheet, or with --brand-col and --article-col\) or rename the headers\.$/,
    ru: (m) =>
      `В первых ${m[1]} строках файла нет заголовков Бренд и Артикул (${headersFound(m[2])}); сопоставьте столбцы в окне нового задания (или флагами --brand-col и --article-col) или переименуйте заголовки.`,
  },
  {
    pattern:
      /^The columns you named \(([\s\S]*)\) were not found in the first (\d+) rows\. Found: ([\s\S]*)\. Map the columns \(in the new-job sheet, or with --brand-col and --article-col\) or rename the headers\.$/,
    ru: (m) => {
      const asked = m[1].replace(
        /\b(brand|article|quantity) "([\s\S]*?)"(?=, (?:brand|article|quantity) "|$)/g,
        (_, k: string, v: string) => `${ASKED[k]} ${q(v)}`,
      );
      return `Указанные столбцы (${asked}) не найдены в первых ${m[2]} строках (${headersFound(m[3])}); сопоставьте столбцы в окне нового задания (или флагами --brand-col и --article-col) или переименуйте заголовки.`;
    },
  },
  {
    pattern:
      /^Several columns could be the (Brand|Article|Quantity): ([\s\S]*); choose one with (--[a-z]+-col) \(or map the columns in the app\)\.$/,
    ru: (m) =>
      `На роль столбца ${FIELD[m[1]]} подходят несколько столбцов: ${quotedList(m[2])}; выберите один, сопоставив столбцы в приложении (или флагом ${m[3]}).`,
  },
  {
    pattern: /^The Brand and Article columns must be different columns\.$/,
    ru: () => 'Бренд и Артикул должны быть разными столбцами.',
  },
  {
    pattern: /^The file has a header row but no data rows below it; add lines to price and retry\.$/,
    ru: () =>
      'В файле есть строка заголовков, но под ней нет данных; добавьте строки для подбора цен и повторите.',
  },
  {
    pattern: /^The price list has no Price column \(found: ([\s\S]*)\); add a "Price" or "Цена" header\.$/,
    ru: (m) =>
      `В прайс-листе нет столбца Цена (найдены: ${m[1] || 'ничего'}); добавьте заголовок «Price» или «Цена».`,
  },
  {
    pattern: /^The price list has no usable lines \(each needs a brand, an article and a price\)\.$/,
    ru: () => 'В прайс-листе нет пригодных строк (в каждой нужны бренд, артикул и цена).',
  },

  // ── the file: where it is, what it is ──────────────────────────────────────────────────────
  {
    pattern: /^The file ([\s\S]+) does not exist; check the path\.$/,
    ru: (m) => `Файла ${m[1]} не существует; проверьте путь.`,
  },
  {
    pattern: /^([\s\S]+) is a folder, not a spreadsheet; choose a \.xlsx or \.csv file\.$/,
    ru: (m) => `${m[1]} — это папка, а не таблица; выберите файл .xlsx или .csv.`,
  },
  {
    pattern: /^([\s\S]+) is a folder, not a file; choose an \.xlsx or \.csv file\.$/,
    ru: (m) => `${m[1]} — это папка, а не файл; выберите файл .xlsx или .csv.`,
  },
  {
    pattern: /^([\s\S]+) is not a regular file; choose an \.xlsx or \.csv file\.$/,
    ru: (m) => `${m[1]} — не обычный файл; выберите файл .xlsx или .csv.`,
  },
  {
    pattern: /^([\s\S]+) was not found; check that the file exists and retry\.$/,
    ru: (m) => `Файл ${m[1]} не найден; проверьте, что он существует, и повторите.`,
  },
  {
    pattern: /^([\s\S]+) cannot be read \(permission denied\); check the file's permissions and retry\.$/,
    ru: (m) => `Файл ${m[1]} нельзя прочитать (нет доступа); проверьте права на файл и повторите.`,
  },
  {
    pattern: /^([\s\S]+) is locked by another program; close it there and retry\.$/,
    ru: (m) => `Файл ${m[1]} занят другой программой; закройте его там и повторите.`,
  },
  { pattern: /^The file is empty\.$/, ru: () => 'Файл пустой.' },
  {
    pattern: /^The file is empty: it has no rows; check that you chose the right file\.$/,
    ru: () => 'Файл пустой, в нём нет ни одной строки; проверьте, тот ли файл выбран.',
  },
  {
    pattern: /^The sheet "([\s\S]*)" is empty; choose another sheet\.$/,
    ru: (m) => `Лист ${q(m[1])} пустой; выберите другой лист.`,
  },
  {
    pattern: /^The workbook has no sheet "([\s\S]*)"; its sheets are ([\s\S]*)\.$/,
    ru: (m) => `В книге нет листа ${q(m[1])}; её листы: ${quotedList(m[2])}.`,
  },
  {
    pattern:
      /^([\s\S]+) contains no worksheets, only charts or macros; put the data on a worksheet in Excel and retry\.$/,
    ru: (m) =>
      `В файле ${m[1]} нет листов с данными, только диаграммы или макросы; перенесите данные на лист в Excel и повторите.`,
  },
  {
    pattern:
      /^Old Excel \.xls files are not supported; open it in Excel and save it as \.xlsx, then retry\.$/,
    ru: () =>
      'Старые файлы Excel .xls не поддерживаются; откройте файл в Excel, сохраните его как .xlsx и повторите.',
  },
  {
    pattern:
      /^The workbook is password-protected; remove the password in Excel \(File › Info › Protect Workbook\) and retry\.$/,
    ru: () =>
      'Книга защищена паролем; снимите пароль в Excel (Файл › Сведения › Защитить книгу) и повторите.',
  },
  {
    pattern:
      /^([\s\S]+) is a web page or XML file, not a real workbook; open it in Excel and save it as \.xlsx, then retry\.$/,
    ru: (m) =>
      `${m[1]} — это веб-страница или XML-файл, а не настоящая книга Excel; откройте его в Excel, сохраните как .xlsx и повторите.`,
  },
  {
    pattern: /^([\s\S]+) is not a spreadsheet \(\.xlsx or \.csv\)\.$/,
    ru: (m) => `${m[1]} — не таблица (.xlsx или .csv).`,
  },
  {
    pattern:
      /^([\s\S]+) is an Excel binary workbook \(\.xlsb\), which is not supported; open it in Excel and save it as \.xlsx, then retry\.$/,
    ru: (m) =>
      `${m[1]} — двоичная книга Excel (.xlsb), такие не поддерживаются; откройте её в Excel, сохраните как .xlsx и повторите.`,
  },
  {
    pattern:
      /^([\s\S]+) is an OpenDocument spreadsheet \(\.ods\); open it and save it as \.xlsx, then retry\.$/,
    ru: (m) => `${m[1]} — таблица OpenDocument (.ods); откройте её, сохраните как .xlsx и повторите.`,
  },
  {
    pattern:
      /^([\s\S]+) is a zip file but not an Excel workbook \(\.xlsx\); open it in Excel and save it as \.xlsx, then retry\.$/,
    ru: (m) =>
      `${m[1]} — zip-архив, но не книга Excel (.xlsx); откройте его в Excel, сохраните как .xlsx и повторите.`,
  },
  {
    pattern:
      /^The file is damaged or incomplete \(not a readable \.xlsx\)\. Save it again from Excel and retry\.$/,
    ru: () =>
      'Файл повреждён или неполон (это не читаемый .xlsx); сохраните его заново из Excel и повторите.',
  },
  {
    pattern:
      /^The file expands to far more data than any real workbook \(a "zip bomb"\), so it was refused for safety; if it is a genuine workbook, save it again from Excel and retry\.$/,
    ru: () =>
      'Файл распаковывается в гораздо больший объём, чем у любой настоящей книги («zip-бомба»), поэтому он отклонён ради безопасности; если это настоящая книга, сохраните её заново из Excel и повторите.',
  },
  {
    pattern:
      /^The workbook part ([\s\S]+) is unreasonably large \((\d+) bytes\), so the file was refused for safety; save it again from Excel and retry\.$/,
    ru: (m) =>
      `Часть книги ${m[1]} слишком велика (${m[2]} ${plural(Number(m[2]), 'байт', 'байта', 'байт')}), поэтому файл отклонён ради безопасности; сохраните его заново из Excel и повторите.`,
  },
  {
    pattern:
      /^The file is an encrypted zip archive; save it again from Excel without a password and retry\.$/,
    ru: () => 'Файл — зашифрованный zip-архив; сохраните его заново из Excel без пароля и повторите.',
  },
  {
    pattern:
      /^The file uses a compression method \((\d+)\) that Excel does not write; save it again from Excel and retry\.$/,
    ru: (m) =>
      `Файл сжат методом (${m[1]}), которым Excel не пользуется; сохраните его заново из Excel и повторите.`,
  },
  {
    pattern:
      /^The workbook contains a DOCTYPE declaration, which spreadsheets never need; it was refused for safety\.$/,
    ru: () =>
      'В книге есть объявление DOCTYPE, которое таблицам никогда не нужно; файл отклонён ради безопасности.',
  },
  {
    pattern:
      /^The workbook holds more text than can be read safely; split it into smaller files and retry\.$/,
    ru: () =>
      'В книге больше текста, чем можно безопасно прочитать; разделите её на файлы поменьше и повторите.',
  },
  {
    pattern:
      /^Row (\d+) of the CSV file has a value longer than 32 MB, most likely a quote that never closes; fix the quotes and retry\.$/,
    ru: (m) =>
      `В строке ${m[1]} CSV-файла значение длиннее 32 МБ — скорее всего, незакрытая кавычка; исправьте кавычки и повторите.`,
  },

  // ── ClickHouse ──────────────────────────────────────────────────────────────────────────────
  {
    pattern:
      /^No ClickHouse server is configured; set one in Settings, or pass --clickhouse-url or set CROSSDOCK_CLICKHOUSE_URL\.$/,
    ru: () =>
      'Сервер ClickHouse не настроен; укажите его в настройках (или флагом --clickhouse-url, или в CROSSDOCK_CLICKHOUSE_URL).',
  },
  {
    pattern: /^"([\s\S]*)" is not a ClickHouse HTTP URL; use one like http:\/\/host:8123\.$/,
    ru: (m) => `${q(m[1])} — не HTTP-адрес ClickHouse; укажите адрес вида http://host:8123.`,
  },
  {
    pattern:
      /^The ClickHouse server at (\S+) rejected user "([\s\S]*)" \(wrong user name or password\); check the ClickHouse user and password \(CROSSDOCK_CLICKHOUSE_USER, CROSSDOCK_CLICKHOUSE_PASSWORD\)\.$/,
    ru: (m) =>
      `Сервер ClickHouse ${m[1]} не принял пользователя ${q(m[2])} (неверное имя пользователя или пароль); проверьте пользователя и пароль ClickHouse (CROSSDOCK_CLICKHOUSE_USER, CROSSDOCK_CLICKHOUSE_PASSWORD).`,
  },
  {
    pattern:
      /^The ClickHouse server at (\S+) does not accept user "([\s\S]*)" from this computer; ask its administrator to allow it\.$/,
    ru: (m) =>
      `Сервер ClickHouse ${m[1]} не принимает пользователя ${q(m[2])} с этого компьютера; попросите администратора сервера разрешить доступ.`,
  },
  {
    pattern:
      /^ClickHouse user "([\s\S]*)" lacks a permission at (\S+) \(([\s\S]*)\); ask the server's administrator for it\.$/,
    ru: (m) =>
      `У пользователя ClickHouse ${q(m[1])} нет нужного права на ${m[2]} (${m[3]}); попросите его у администратора сервера.`,
  },
  {
    pattern:
      /^The ClickHouse server at (\S+) has no database(?: "([\s\S]*)")?; create it with "crossdock demo-data" or check --clickhouse-db\.$/,
    ru: (m) =>
      `На сервере ClickHouse ${m[1]} нет базы данных${m[2] !== undefined ? ` ${q(m[2])}` : ''}; создайте её командой «crossdock demo-data» или проверьте --clickhouse-db.`,
  },
  {
    pattern:
      /^The ClickHouse database "([\s\S]*)" has no table "([\s\S]*)"; create it with "crossdock demo-data" or check --clickhouse-db\.$/,
    ru: (m) =>
      `В базе данных ClickHouse ${q(m[1])} нет таблицы ${q(m[2])}; создайте её командой «crossdock demo-data» или проверьте --clickhouse-db.`,
  },
  {
    pattern:
      /^The ClickHouse table "([\s\S]*)" has no (columns?) ([\s\S]*); add (?:it|them) as in the Crossdock schema or recreate the table with "crossdock demo-data"\.$/,
    ru: (m) => {
      const many = m[2] === 'columns';
      return `В таблице ClickHouse ${q(m[1])} нет ${many ? 'столбцов' : 'столбца'} ${quotedList(m[3])}; добавьте ${many ? 'их' : 'его'} по схеме Crossdock или пересоздайте таблицу командой «crossdock demo-data».`;
    },
  },
  {
    pattern: /^The ClickHouse server at (\S+) could not answer now \(([\s\S]*)\)\.$/,
    ru: (m) => `Сервер ClickHouse ${m[1]} сейчас не может ответить (${m[2]}).`,
  },
  {
    pattern: /^Nothing answers at (\S+) \(connection refused\); is the ClickHouse server running\?$/,
    ru: (m) =>
      `По адресу ${m[1]} никто не отвечает (соединение отклонено); проверьте, что сервер ClickHouse запущен.`,
  },
  {
    pattern: /^The host of (\S+) is unknown; check --clickhouse-url\.$/,
    ru: (m) => `Хост из адреса ${m[1]} не найден; проверьте адрес ClickHouse (--clickhouse-url).`,
  },
  {
    pattern: /^The ClickHouse server at (\S+) did not answer in time\.$/,
    ru: (m) => `Сервер ClickHouse ${m[1]} не ответил вовремя; попробуйте позже.`,
  },
  {
    pattern: /^The connection to the ClickHouse server at (\S+) broke off \(([\s\S]*)\)\.$/,
    ru: (m) => `Соединение с сервером ClickHouse ${m[1]} оборвалось (${m[2]}).`,
  },
  {
    pattern: /^The ClickHouse server at (\S+) cannot be reached \(([\s\S]*)\)\.$/,
    ru: (m) => `Сервер ClickHouse ${m[1]} недоступен (${m[2]}); проверьте сеть и адрес.`,
  },
  {
    pattern: /^The ClickHouse server at (\S+) refused a query: ([\s\S]*)$/,
    ru: (m) => `Сервер ClickHouse ${m[1]} отклонил запрос: ${end(m[2])}`,
  },
  {
    pattern:
      /^The ClickHouse server refused the query in read-only mode \(([\s\S]*)\); exports may only read, without SETTINGS or table functions\.$/,
    ru: (m) =>
      `Сервер ClickHouse отклонил запрос в режиме только для чтения (${m[1]}); выгрузка может только читать данные, без SETTINGS и табличных функций.`,
  },

  // ── export queries ──────────────────────────────────────────────────────────────────────────
  {
    pattern: /^The query is empty; write one SELECT statement\.$/,
    ru: () => 'Запрос пустой; напишите один оператор SELECT.',
  },
  {
    pattern:
      /^Only a read-only SELECT \(or WITH … SELECT\) query can be exported, not one that starts with "([\s\S]*)"\.$/,
    ru: (m) =>
      `Выгрузить можно только запрос на чтение SELECT (или WITH … SELECT), а этот начинается с ${q(m[1])}.`,
  },
  {
    pattern:
      /^The query holds more than one statement; export a single SELECT without a semicolon in the middle\.$/,
    ru: () => 'В запросе больше одного оператора; выгрузите один SELECT без точки с запятой в середине.',
  },
  {
    pattern:
      /^The query contains (\S+), which may change data; only read-only SELECT queries can be exported\.$/,
    ru: (m) =>
      `В запросе есть ${m[1]}, а это может изменить данные; выгрузить можно только запросы SELECT на чтение.`,
  },
  {
    pattern: /^Leave the FORMAT clause out of the query; Crossdock chooses the format it reads\.$/,
    ru: () => 'Уберите FORMAT из запроса: Crossdock сам выбирает формат, в котором читает данные.',
  },
  {
    pattern: /^The query has an unclosed (string|quoted name) \(([\s\S])\); close it and retry\.$/,
    ru: (m) =>
      m[1] === 'string'
        ? `В запросе не закрыта строка (${m[2]}); закройте её и повторите.`
        : `В запросе не закрыто имя в кавычках (${m[2]}); закройте его и повторите.`,
  },
  {
    pattern: /^Only a read-only SELECT query that returns rows can be exported\.$/,
    ru: () => 'Выгрузить можно только запрос SELECT на чтение, который возвращает строки.',
  },
  {
    pattern: /^The catalog refused the query as a write; only read-only SELECT queries can be exported\.$/,
    ru: () =>
      'Каталог принял запрос за запись и отклонил его; выгрузить можно только запросы SELECT на чтение.',
  },
  {
    pattern: /^The query failed on (\S+): ([\s\S]*)$/,
    ru: (m) => `Запрос не выполнен на ${m[1]}: ${end(m[2])}`,
  },
  { pattern: /^The query failed: ([\s\S]*)$/, ru: (m) => `Запрос не выполнен: ${end(m[1])}` },
  {
    pattern:
      /^The demo catalog ([\s\S]+) cannot be opened \(([\s\S]*)\); restart Crossdock to recreate it\.$/,
    ru: (m) =>
      `Демо-каталог ${m[1]} не открывается (${m[2]}); перезапустите Crossdock, чтобы создать его заново.`,
  },

  // ── jobs, comments, results ─────────────────────────────────────────────────────────────────
  {
    pattern: /^Only failed or cancelled jobs can be retried; this one is (\w+)\.$/,
    ru: (m) =>
      `Повторить можно только задание, которое завершилось ошибкой или было отменено, а это задание ${status(m[1])}.`,
  },
  {
    pattern: /^An? (\w+) job cannot be deleted; cancel it first\.$/,
    ru: (m) =>
      m[1] === 'running'
        ? 'Выполняющееся задание нельзя удалить; сначала отмените его.'
        : m[1] === 'queued'
          ? 'Задание в очереди нельзя удалить; сначала отмените его.'
          : `Задание нельзя удалить, пока оно ${status(m[1])}; сначала отмените его.`,
  },
  { pattern: /^There is no job (\S+)\.$/, ru: (m) => `Задания ${m[1]} нет; возможно, его уже удалили.` },
  {
    pattern: /^There is no comment (\S+)\.$/,
    ru: (m) => `Комментария ${m[1]} нет; возможно, его уже удалили.`,
  },
  {
    pattern: /^There is no schedule (\S+)\.$/,
    ru: (m) => `Расписания ${m[1]} нет; возможно, его уже удалили.`,
  },
  { pattern: /^A comment cannot be empty\.$/, ru: () => 'Комментарий не может быть пустым; напишите текст.' },
  { pattern: /^Cancelled before it started\.$/, ru: () => 'Отменено до начала.' },
  { pattern: /^Cancelled while running\.$/, ru: () => 'Отменено во время выполнения.' },
  { pattern: /^Cancelled\.$/, ru: () => 'Отменено.' },
  {
    pattern:
      /^The job ran past its time limit of ([\d.]+) s and was stopped; split the file or raise the limit in Settings\.$/,
    ru: (m) =>
      `Задание превысило лимит времени (${m[1]} с) и было остановлено; разделите файл или увеличьте лимит в настройках.`,
  },
  {
    pattern:
      /^The job was interrupted (\d+) times \(the program running it stopped\); retry it when the machine is stable\.$/,
    ru: (m) =>
      `Задание прерывалось ${m[1]} ${plural(Number(m[1]), 'раз', 'раза', 'раз')} (останавливалась выполнявшая его программа); повторите его, когда компьютер будет работать стабильно.`,
  },
  {
    pattern:
      /^The job ran out of memory and was stopped; the file may be malformed or too large to process\.$/,
    ru: () =>
      'Заданию не хватило памяти, и оно было остановлено; возможно, файл повреждён или слишком велик для обработки.',
  },
  {
    pattern: /^The worker running the job stopped unexpectedly \(([\s\S]*)\)\.$/,
    ru: (m) => `Процесс, выполнявший задание, неожиданно остановился (${m[1]}).`,
  },
  // src-worker/errors.ts wraps a failure it has no sentence of its own for: a retried one (a server
  // down, a timeout) and any other. The detail is translated when it is one of ours.
  {
    pattern: /^A temporary error stopped the job: ([\s\S]+)$/,
    ru: (m) => `Задание остановила временная ошибка: ${end(inner(m[1]))}`,
  },
  {
    pattern: /^The job failed unexpectedly: ([\s\S]+)$/,
    ru: (m) => `Задание неожиданно завершилось ошибкой: ${end(inner(m[1]))}`,
  },
  {
    pattern: /^The copy of the input file is gone from the data folder; submit the file again\.$/,
    ru: () => 'Копия входного файла пропала из папки данных; отправьте файл заново.',
  },
  {
    pattern: /^The result could not be saved: ([\s\S]*)$/,
    ru: (m) => `Не удалось сохранить результат: ${end(inner(m[1]))}`,
  },
  {
    pattern: /^The output folder ([\s\S]+) cannot be created; choose another one\.$/,
    ru: (m) => `Папку для результатов ${m[1]} не удаётся создать; выберите другую.`,
  },
  {
    pattern: /^The output folder ([\s\S]+) is a file; choose a folder\.$/,
    ru: (m) => `Вместо папки для результатов ${m[1]} — файл; выберите папку.`,
  },
  {
    pattern: /^Only the results of Crossdock jobs can be opened from the app\.$/,
    ru: () => 'Из приложения можно открыть только результаты заданий Crossdock.',
  },
  {
    pattern: /^The result could not be opened \(([\s\S]*)\)\.$/,
    ru: (m) => `Не удалось открыть результат (${m[1]}).`,
  },
  {
    pattern: /^The job settings are not valid \(([\s\S]*)\)\.$/,
    ru: (m) => `Параметры задания неверны (${m[1]}).`,
  },
  { pattern: /^The settings are not valid \(([\s\S]*)\)\.$/, ru: (m) => `Настройки неверны (${m[1]}).` },
  { pattern: /^The request is not valid \(([\s\S]*)\)\.$/, ru: (m) => `Запрос неверен (${m[1]}).` },
  // Team mode (src-main/team): connecting to Redis and team files.
  {
    pattern: /^"(.*)" is not a Redis URL; use e\.g\. redis:\/\/localhost:6379 or rediss:\/\/host:6380\.$/,
    ru: (m) =>
      `${q(m[1])} — не адрес Redis; укажите, например, redis://localhost:6379 или rediss://host:6380.`,
  },
  {
    pattern: /^"(.*)" is not a Redis URL: it must start with redis:\/\/ or rediss:\/\/\.$/,
    ru: (m) => `${q(m[1])} — не адрес Redis: он должен начинаться с redis:// или rediss://.`,
  },
  {
    pattern: /^"(.*)" has no host; use e\.g\. redis:\/\/localhost:6379\.$/,
    ru: (m) => `В адресе ${q(m[1])} нет сервера; укажите, например, redis://localhost:6379.`,
  },
  {
    pattern:
      /^Nothing answers at (\S+) \(connection refused\); check the address and that Redis is running\.$/,
    ru: (m) =>
      `По адресу ${m[1]} никто не отвечает (соединение отклонено); проверьте адрес и что Redis запущен.`,
  },
  {
    pattern: /^The host in (\S+) cannot be found; check the Redis URL\.$/,
    ru: (m) => `Сервер из адреса ${m[1]} не найден; проверьте адрес Redis.`,
  },
  {
    pattern: /^Redis at (\S+) did not answer in time; check the address, the port and any firewall\.$/,
    ru: (m) => `Redis по адресу ${m[1]} не ответил вовремя; проверьте адрес, порт и брандмауэр.`,
  },
  {
    pattern:
      /^Redis at (\S+) refused the user name or password; check them in Settings \(or CROSSDOCK_REDIS_PASSWORD\)\.$/,
    ru: (m) =>
      `Redis по адресу ${m[1]} не принял имя пользователя или пароль; проверьте их в настройках (или CROSSDOCK_REDIS_PASSWORD).`,
  },
  {
    pattern:
      /^The Redis user lacks a permission Crossdock needs \(([\s\S]*)\); allow it all commands on the keys and channels crossdock:\*\.$/,
    ru: (m) =>
      `У пользователя Redis нет нужного Crossdock права (${m[1]}); разрешите ему все команды для ключей и каналов crossdock:*.`,
  },
  {
    pattern:
      /^The TLS connection to (\S+) failed \(([\s\S]*)\); check redis:\/\/ versus rediss:\/\/ and the server's certificate\.$/,
    ru: (m) =>
      `TLS-соединение с ${m[1]} не удалось (${m[2]}); проверьте redis:// или rediss:// и сертификат сервера.`,
  },
  {
    pattern: /^What answers at (\S+) is not a Redis server; check the address and the port\.$/,
    ru: (m) => `По адресу ${m[1]} отвечает не Redis; проверьте адрес и порт.`,
  },
  {
    pattern: /^The connection to Redis at (\S+) was lost; Crossdock keeps trying\.$/,
    ru: (m) => `Связь с Redis по адресу ${m[1]} потеряна; Crossdock продолжает попытки.`,
  },
  {
    pattern:
      /^Redis ([\d.]+) is too old for the team queue; it needs Redis 5 or newer \(6\.2\+ recommended\)\.$/,
    ru: (m) =>
      `Redis ${m[1]} слишком стар для командной очереди; нужен Redis 5 или новее (рекомендуется 6.2+).`,
  },
  {
    pattern: /^Redis at (\S+) failed: ([\s\S]*)$/,
    ru: (m) => `Ошибка Redis по адресу ${m[1]}: ${end(m[2])}`,
  },
  {
    pattern:
      /^(The file|The input) is (\d+) MB, over the team queue's limit of (\d+) MB; run it on this computer \(team mode off\) or split it\.$/,
    ru: (m) =>
      `${m[1] === 'The input' ? 'Входной файл' : 'Файл'} занимает ${m[2]} МБ, больше предела командной очереди в ${m[3]} МБ; выполните его на этом компьютере (без командного режима) или разделите.`,
  },
  {
    pattern: /^The team queue is offline, so the job cannot be cancelled now; try again when it is back\.$/,
    ru: () =>
      'Командная очередь недоступна, поэтому задание сейчас нельзя отменить; попробуйте снова, когда она вернётся.',
  },
  {
    pattern: /^Cancelled before it was sent to the team\.$/,
    ru: () => 'Отменено до отправки в команду.',
  },
  {
    pattern: /^This team job can be (cancelled|retried) only while team mode is on\.$/,
    ru: (m) =>
      `Это командное задание можно ${m[1] === 'cancelled' ? 'отменить' : 'повторить'} только при включённом командном режиме.`,
  },
  {
    pattern: /^The file changed while it was being uploaded; submit it again\.$/,
    ru: () => 'Файл изменился во время отправки; отправьте его ещё раз.',
  },
  {
    pattern: /^The file from the team queue does not match its hash; it was refused\.$/,
    ru: () => 'Файл из командной очереди не совпадает со своей контрольной суммой; он отклонён.',
  },
  {
    pattern: /^The team file is larger than the limit; it was refused\.$/,
    ru: () => 'Файл команды больше допустимого размера; он отклонён.',
  },
  {
    pattern: /^The team file record is damaged; submit the job again\.$/,
    ru: () => 'Запись о файле команды повреждена; отправьте задание ещё раз.',
  },
  {
    pattern: /^This computer offers no safe place for passwords, so it cannot be saved\.$/,
    ru: () => 'На этом компьютере нет безопасного хранилища паролей, поэтому пароль нельзя сохранить.',
  },
  {
    pattern: /^Something went wrong; see the app log\.$/,
    ru: () => 'Что-то пошло не так; подробности в журнале приложения.',
  },

  // ── schedules ───────────────────────────────────────────────────────────────────────────────
  {
    pattern: /^Only exports can be scheduled\.$/,
    ru: () => 'По расписанию можно запускать только выгрузки.',
  },
  {
    pattern: new RegExp(`^The schedule is empty; ${esc(CRON_EXAMPLE)}\\.$`),
    ru: () => `Расписание пустое; ${CRON_EXAMPLE_RU}.`,
  },
  {
    pattern: new RegExp(
      `^The schedule "([\\s\\S]*)" is not a valid cron expression \\(([\\s\\S]*)\\); ${esc(CRON_EXAMPLE)}\\.$`,
    ),
    ru: (m) => `Расписание ${q(m[1])} — неверное выражение cron (${cronReason(m[2])}); ${CRON_EXAMPLE_RU}.`,
  },
  {
    pattern: /^The time zone must be a name such as "Europe\/Berlin" or "UTC"\.$/,
    ru: () => 'Часовой пояс задаётся названием, например «Europe/Berlin» или «UTC».',
  },
  {
    pattern: /^The time zone "([\s\S]*)" is not known; use an IANA name such as "Europe\/Berlin" or "UTC"\.$/,
    ru: (m) =>
      `Часовой пояс ${q(m[1])} неизвестен; укажите название IANA, например «Europe/Berlin» или «UTC».`,
  },
];

/**
 * The engine's English sentence in the UI language: Russian when a rule knows it, else unchanged.
 * Surrounding whitespace is ignored for matching; a sentence no rule knows comes back as given.
 */
export function translateEngineMessage(lang: string, message: string): string {
  if (lang !== 'ru' || !message) return message;
  const text = message.trim();
  for (const rule of ENGINE_MESSAGES) {
    const m = text.match(rule.pattern);
    if (m) return rule.ru(m);
  }
  return message;
}
