// Where offers come from: supplier lists, the demo catalog, a ClickHouse server, export queries.
import { dq, end, items, msg, q, text } from './format.ts';

const knownEn = (known: unknown): string => items(known).join(', ') || 'none';
const knownRu = (known: unknown): string =>
  items(known).length === 0 ? 'других списков в источнике нет' : `есть списки: ${items(known).join(', ')}`;

const DEMO_DATA_EN = 'create it with "crossdock demo-data" or check --clickhouse-db.';
const DEMO_DATA_RU = 'создайте её командой «crossdock demo-data» или проверьте --clickhouse-db.';

export const SOURCE = {
  // ── supplier lists ─────────────────────────────────────────────────────────────────────────────
  /** `suggestion`: the known list the name looks like (common/list-names.ts), when one does. */
  NO_SUCH_LIST: msg<{ list: string; known: readonly string[]; suggestion?: string | null }>(
    (p) =>
      p.suggestion
        ? `There is no supplier list ${dq(p.list)}; did you mean ${dq(p.suggestion)}? Known lists: ${knownEn(p.known)}.`
        : `There is no supplier list ${dq(p.list)}; known lists: ${knownEn(p.known)}.`,
    (p) =>
      p.suggestion
        ? `Списка поставщиков ${q(p.list)} нет; может быть, ${q(p.suggestion)}? Сейчас ${knownRu(p.known)}.`
        : `Списка поставщиков ${q(p.list)} нет; ${knownRu(p.known)}.`,
  ),

  // ── the demo catalog ───────────────────────────────────────────────────────────────────────────
  DEMO_CATALOG_UNOPENABLE: msg<{ path: string; reason: string }>(
    (p) =>
      `The demo catalog ${text(p.path)} cannot be opened (${text(p.reason)}); restart Crossdock to recreate it.`,
    (p) =>
      `Демо-каталог ${text(p.path)} не открывается (${text(p.reason)}); перезапустите Crossdock, чтобы создать его заново.`,
  ),
  DEMO_CATALOG_UNREADABLE: msg<{ reason: string }>(
    (p) => `The demo catalog could not be read: ${text(p.reason)}`,
    (p) => `Не удалось прочитать демо-каталог: ${end(text(p.reason))}`,
  ),
  DEMO_LOOKUP_STOPPED: msg(
    () => 'The demo catalog lookup stopped unexpectedly; retry the job.',
    () => 'Поиск в демо-каталоге неожиданно остановился; повторите задание.',
  ),
  DEMO_OFFERS_NEGATIVE: msg<{ offers: number }>(
    (p) => `The number of demo offers must be 0 or more, not ${text(p.offers)}.`,
    (p) => `Число демо-предложений должно быть 0 или больше, а не ${text(p.offers)}.`,
  ),

  // ── ClickHouse: where it is, who may use it ────────────────────────────────────────────────────
  CLICKHOUSE_NOT_CONFIGURED: msg(
    () =>
      'No ClickHouse server is configured; set one in Settings, or pass --clickhouse-url or set CROSSDOCK_CLICKHOUSE_URL.',
    () =>
      'Сервер ClickHouse не настроен; укажите его в настройках (или флагом --clickhouse-url, или в CROSSDOCK_CLICKHOUSE_URL).',
  ),
  CLICKHOUSE_NOT_HTTP_URL: msg<{ url: string }>(
    (p) => `${dq(p.url)} is not a ClickHouse HTTP URL; use one like http://host:8123.`,
    (p) => `${q(p.url)} — не HTTP-адрес ClickHouse; укажите адрес вида http://host:8123.`,
  ),
  CLICKHOUSE_AUTH_FAILED: msg<{ url: string; user: string }>(
    (p) =>
      `The ClickHouse server at ${text(p.url)} rejected user ${dq(p.user)} (wrong user name or password); check the ClickHouse user and password (CROSSDOCK_CLICKHOUSE_USER, CROSSDOCK_CLICKHOUSE_PASSWORD).`,
    (p) =>
      `Сервер ClickHouse ${text(p.url)} не принял пользователя ${q(p.user)} (неверное имя пользователя или пароль); проверьте пользователя и пароль ClickHouse (CROSSDOCK_CLICKHOUSE_USER, CROSSDOCK_CLICKHOUSE_PASSWORD).`,
  ),
  CLICKHOUSE_HOST_NOT_ALLOWED: msg<{ url: string; user: string }>(
    (p) =>
      `The ClickHouse server at ${text(p.url)} does not accept user ${dq(p.user)} from this computer; ask its administrator to allow it.`,
    (p) =>
      `Сервер ClickHouse ${text(p.url)} не принимает пользователя ${q(p.user)} с этого компьютера; попросите администратора сервера разрешить доступ.`,
  ),
  CLICKHOUSE_NO_PERMISSION: msg<{ user: string; url: string; reason: string }>(
    (p) =>
      `ClickHouse user ${dq(p.user)} lacks a permission at ${text(p.url)} (${text(p.reason)}); ask the server's administrator for it.`,
    (p) =>
      `У пользователя ClickHouse ${q(p.user)} нет нужного права на ${text(p.url)} (${text(p.reason)}); попросите его у администратора сервера.`,
  ),

  // ── ClickHouse: the schema ─────────────────────────────────────────────────────────────────────
  CLICKHOUSE_NO_SUCH_DATABASE: msg<{ url: string; database: string | null }>(
    (p) =>
      `The ClickHouse server at ${text(p.url)} has no database${p.database ? ` ${dq(p.database)}` : ''}; ${DEMO_DATA_EN}`,
    (p) =>
      `На сервере ClickHouse ${text(p.url)} нет базы данных${p.database ? ` ${q(p.database)}` : ''}; ${DEMO_DATA_RU}`,
  ),
  CLICKHOUSE_NO_SUCH_TABLE: msg<{ database: string; table: string }>(
    (p) => `The ClickHouse database ${dq(p.database)} has no table ${dq(p.table)}; ${DEMO_DATA_EN}`,
    (p) => `В базе данных ClickHouse ${q(p.database)} нет таблицы ${q(p.table)}; ${DEMO_DATA_RU}`,
  ),
  CLICKHOUSE_MISSING_COLUMNS: msg<{ table: string; columns: readonly string[] }>(
    (p) => {
      const many = items(p.columns).length > 1;
      return `The ClickHouse table ${dq(p.table)} has no column${many ? 's' : ''} ${items(p.columns).map(dq).join(', ')}; add ${many ? 'them' : 'it'} as in the Crossdock schema or recreate the table with "crossdock demo-data".`;
    },
    (p) => {
      const many = items(p.columns).length > 1;
      return `В таблице ClickHouse ${q(p.table)} нет ${many ? 'столбцов' : 'столбца'} ${items(p.columns).map(q).join(', ')}; добавьте ${many ? 'их' : 'его'} по схеме Crossdock или пересоздайте таблицу командой «crossdock demo-data».`;
    },
  ),

  // ── ClickHouse: reaching it ────────────────────────────────────────────────────────────────────
  CLICKHOUSE_BUSY: msg<{ url: string; reason: string }>(
    (p) => `The ClickHouse server at ${text(p.url)} could not answer now (${text(p.reason)}).`,
    (p) => `Сервер ClickHouse ${text(p.url)} сейчас не может ответить (${text(p.reason)}).`,
  ),
  CLICKHOUSE_CONNECTION_REFUSED: msg<{ url: string }>(
    (p) => `Nothing answers at ${text(p.url)} (connection refused); is the ClickHouse server running?`,
    (p) =>
      `По адресу ${text(p.url)} никто не отвечает (соединение отклонено); проверьте, что сервер ClickHouse запущен.`,
  ),
  CLICKHOUSE_UNKNOWN_HOST: msg<{ url: string }>(
    (p) => `The host of ${text(p.url)} is unknown; check --clickhouse-url.`,
    (p) => `Хост из адреса ${text(p.url)} не найден; проверьте адрес ClickHouse (--clickhouse-url).`,
  ),
  CLICKHOUSE_TIMEOUT: msg<{ url: string }>(
    (p) => `The ClickHouse server at ${text(p.url)} did not answer in time.`,
    (p) => `Сервер ClickHouse ${text(p.url)} не ответил вовремя; попробуйте позже.`,
  ),
  CLICKHOUSE_CONNECTION_LOST: msg<{ url: string; reason: string }>(
    (p) => `The connection to the ClickHouse server at ${text(p.url)} broke off (${text(p.reason)}).`,
    (p) => `Соединение с сервером ClickHouse ${text(p.url)} оборвалось (${text(p.reason)}).`,
  ),
  CLICKHOUSE_UNREACHABLE: msg<{ url: string; reason: string }>(
    (p) => `The ClickHouse server at ${text(p.url)} cannot be reached (${text(p.reason)}).`,
    (p) => `Сервер ClickHouse ${text(p.url)} недоступен (${text(p.reason)}); проверьте сеть и адрес.`,
  ),
  CLICKHOUSE_NO_REASON: msg<{ url: string }>(
    (p) =>
      `The ClickHouse server at ${text(p.url)} turned a request down without saying why; check that the URL is its HTTP port (8123 by default).`,
    (p) =>
      `Сервер ClickHouse ${text(p.url)} отклонил запрос, не объяснив причину; проверьте, что адрес указывает на его HTTP-порт (по умолчанию 8123).`,
  ),
  CLICKHOUSE_TRUNCATED_ANSWER: msg<{ url: string }>(
    (p) => `The ClickHouse server at ${text(p.url)} sent a truncated answer.`,
    (p) => `Сервер ClickHouse ${text(p.url)} прислал оборванный ответ.`,
  ),
  CLICKHOUSE_UNREADABLE_ANSWER: msg<{ answer: string }>(
    (p) => `The server sent an answer Crossdock cannot read: ${text(p.answer)}`,
    (p) => `Сервер прислал ответ, который Crossdock не может прочитать: ${end(text(p.answer))}`,
  ),
  CLICKHOUSE_QUERY_REFUSED: msg<{ url: string; reason: string }>(
    (p) => `The ClickHouse server at ${text(p.url)} refused a query: ${text(p.reason)}`,
    (p) => `Сервер ClickHouse ${text(p.url)} отклонил запрос: ${end(text(p.reason))}`,
  ),
  MULTIPART_COLLISION: msg(
    () => 'Multipart boundary collision; retry the job.',
    () => 'Совпала граница multipart-запроса; повторите задание.',
  ),

  // ── export queries ─────────────────────────────────────────────────────────────────────────────
  EMPTY_QUERY: msg(
    () => 'The query is empty; write one SELECT statement.',
    () => 'Запрос пустой; напишите один оператор SELECT.',
  ),
  QUERY_NOT_SELECT: msg<{ start: string }>(
    (p) =>
      `Only a read-only SELECT (or WITH … SELECT) query can be exported, not one that starts with ${dq(p.start)}.`,
    (p) =>
      `Выгрузить можно только запрос на чтение SELECT (или WITH … SELECT), а этот начинается с ${q(p.start)}.`,
  ),
  QUERY_SEVERAL_STATEMENTS: msg(
    () =>
      'The query holds more than one statement; export a single SELECT without a semicolon in the middle.',
    () => 'В запросе больше одного оператора; выгрузите один SELECT без точки с запятой в середине.',
  ),
  QUERY_WRITES: msg<{ word: string }>(
    (p) =>
      `The query contains ${text(p.word)}, which may change data; only read-only SELECT queries can be exported.`,
    (p) =>
      `В запросе есть ${text(p.word)}, а это может изменить данные; выгрузить можно только запросы SELECT на чтение.`,
  ),
  QUERY_FORMAT_CLAUSE: msg(
    () => 'Leave the FORMAT clause out of the query; Crossdock chooses the format it reads.',
    () => 'Уберите FORMAT из запроса: Crossdock сам выбирает формат, в котором читает данные.',
  ),
  QUERY_UNCLOSED: msg<{ what: 'string' | 'name'; quote: string }>(
    (p) =>
      `The query has an unclosed ${p.what === 'name' ? 'quoted name' : 'string'} (${text(p.quote)}); close it and retry.`,
    (p) =>
      p.what === 'name'
        ? `В запросе не закрыто имя в кавычках (${text(p.quote)}); закройте его и повторите.`
        : `В запросе не закрыта строка (${text(p.quote)}); закройте её и повторите.`,
  ),
  QUERY_RETURNS_NO_ROWS: msg(
    () => 'Only a read-only SELECT query that returns rows can be exported.',
    () => 'Выгрузить можно только запрос SELECT на чтение, который возвращает строки.',
  ),
  QUERY_WRITE_REFUSED: msg(
    () => 'The catalog refused the query as a write; only read-only SELECT queries can be exported.',
    () => 'Каталог принял запрос за запись и отклонил его; выгрузить можно только запросы SELECT на чтение.',
  ),
  QUERY_READ_ONLY_REFUSED: msg<{ reason: string }>(
    (p) =>
      `The ClickHouse server refused the query in read-only mode (${text(p.reason)}); exports may only read, without SETTINGS or table functions.`,
    (p) =>
      `Сервер ClickHouse отклонил запрос в режиме только для чтения (${text(p.reason)}); выгрузка может только читать данные, без SETTINGS и табличных функций.`,
  ),
  QUERY_FAILED: msg<{ reason: string }>(
    (p) => `The query failed: ${text(p.reason)}`,
    (p) => `Запрос не выполнен: ${end(text(p.reason))}`,
  ),
  QUERY_FAILED_ON: msg<{ url: string; reason: string }>(
    (p) => `The query failed on ${text(p.url)}: ${text(p.reason)}`,
    (p) => `Запрос не выполнен на ${text(p.url)}: ${end(text(p.reason))}`,
  ),
};
