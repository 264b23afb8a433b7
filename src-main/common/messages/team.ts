// Team mode: the Redis connection (URL, TLS, certificates, users), the team queue and its files.
import { dq, end, msg, type Nested, num, plural, q, text, unnest } from './format.ts';

const WHERE_CA_EN = 'Settings → Team, or --redis-ca / CROSSDOCK_REDIS_CA';
const WHERE_CA_RU = 'Настройки → Команда, или --redis-ca / CROSSDOCK_REDIS_CA';

/** What a team-file message is about: a submitted file, a job's input on a worker, or a job's result. */
type What = 'file' | 'input' | 'result';
const whatEn = (w: unknown): string =>
  w === 'input' ? 'The input' : w === 'result' ? 'The result' : 'The file';
const whatRu = (w: unknown): string =>
  w === 'input' ? 'Входной файл' : w === 'result' ? 'Результат' : 'Файл';

export const TEAM = {
  // ── the Redis URL ──────────────────────────────────────────────────────────────────────────────
  REDIS_BAD_URL: msg<{ url: string }>(
    (p) => `${dq(p.url)} is not a Redis URL; use e.g. redis://localhost:6379 or rediss://host:6380.`,
    (p) => `${q(p.url)} — не адрес Redis; укажите, например, redis://localhost:6379 или rediss://host:6380.`,
  ),
  REDIS_WRONG_SCHEME: msg<{ url: string }>(
    (p) => `${dq(p.url)} is not a Redis URL: it must start with redis:// or rediss://.`,
    (p) => `${q(p.url)} — не адрес Redis: он должен начинаться с redis:// или rediss://.`,
  ),
  REDIS_NO_HOST: msg<{ url: string }>(
    (p) => `${dq(p.url)} has no host; use e.g. redis://localhost:6379.`,
    (p) => `В адресе ${q(p.url)} нет сервера; укажите, например, redis://localhost:6379.`,
  ),
  TEAM_NAME_INVALID: msg(
    () => 'A team name is 1 to 64 letters, digits, - or _.',
    () => 'Имя команды — от 1 до 64 букв, цифр, знаков - или _.',
  ),

  // ── the CA certificate file ────────────────────────────────────────────────────────────────────
  CA_IS_FOLDER: msg<{ file: string }>(
    (p) =>
      `${text(p.file)} is a folder; give the CA certificate file itself (a .pem file) in ${WHERE_CA_EN}.`,
    (p) => `${text(p.file)} — это папка; укажите сам файл сертификата CA (файл .pem) в ${WHERE_CA_RU}.`,
  ),
  CA_TOO_BIG: msg<{ file: string; bytes: number }>(
    (p) =>
      `${text(p.file)} is too big to be a CA certificate (${text(p.bytes)} bytes); give your Redis server's CA certificate (a .pem file) in ${WHERE_CA_EN}.`,
    (p) =>
      `${text(p.file)} слишком велик для сертификата CA (${text(p.bytes)} байт); укажите сертификат CA вашего сервера Redis (файл .pem) в ${WHERE_CA_RU}.`,
  ),
  CA_NOT_FOUND: msg<{ file: string }>(
    (p) => `The CA certificate file ${text(p.file)} does not exist; check the path in ${WHERE_CA_EN}.`,
    (p) => `Файла сертификата CA ${text(p.file)} не существует; проверьте путь в ${WHERE_CA_RU}.`,
  ),
  CA_UNREADABLE: msg<{ file: string; reason: string }>(
    (p) =>
      `The CA certificate file ${text(p.file)} cannot be read (${text(p.reason)}); check that this user may read it, or give another path in ${WHERE_CA_EN}.`,
    (p) =>
      `Файл сертификата CA ${text(p.file)} нельзя прочитать (${text(p.reason)}); проверьте, что этому пользователю разрешено его читать, или укажите другой путь в ${WHERE_CA_RU}.`,
  ),
  CA_NOT_PEM: msg<{ file: string }>(
    (p) =>
      `${text(p.file)} is not a PEM certificate (there is no "-----BEGIN CERTIFICATE-----" in it); give the CA certificate in PEM form (convert a DER file with "openssl x509 -inform der -in ca.crt -out ca.pem").`,
    (p) =>
      `${text(p.file)} — не сертификат PEM (в нём нет «-----BEGIN CERTIFICATE-----»); укажите сертификат CA в формате PEM (файл DER можно преобразовать командой «openssl x509 -inform der -in ca.crt -out ca.pem»).`,
  ),
  CA_DAMAGED: msg<{ file: string }>(
    (p) =>
      `${text(p.file)} holds a damaged certificate; give an intact copy of your Redis server's CA certificate in ${WHERE_CA_EN}.`,
    (p) =>
      `В ${text(p.file)} повреждённый сертификат; укажите неповреждённую копию сертификата CA вашего сервера Redis в ${WHERE_CA_RU}.`,
  ),

  // ── TLS ────────────────────────────────────────────────────────────────────────────────────────
  REDIS_CERT_UNTRUSTED: msg<{ url: string }>(
    (p) =>
      `The certificate of Redis at ${text(p.url)} is not trusted (it is self-signed or from a private CA); give the server's CA certificate file in Settings → Team (or --redis-ca / CROSSDOCK_REDIS_CA).`,
    (p) =>
      `Сертификату Redis по адресу ${text(p.url)} нет доверия (он самоподписанный или выдан частным CA); укажите файл сертификата CA сервера в разделе Настройки → Команда (или --redis-ca / CROSSDOCK_REDIS_CA).`,
  ),
  REDIS_CERT_UNTRUSTED_CA: msg<{ url: string; ca: string }>(
    (p) =>
      `The certificate of Redis at ${text(p.url)} is not trusted: neither ${text(p.ca)} nor a public CA signed it; give the CA certificate that signed the server's certificate (Settings → Team, or --redis-ca / CROSSDOCK_REDIS_CA).`,
    (p) =>
      `Сертификату Redis по адресу ${text(p.url)} нет доверия: его не подписал ни ${text(p.ca)}, ни публичный CA; укажите сертификат CA, которым подписан сертификат сервера (Настройки → Команда, или --redis-ca / CROSSDOCK_REDIS_CA).`,
  ),
  /** `names`: the names the certificate lists ('' when unknown); `host`: null when the URL names none. */
  REDIS_CERT_WRONG_HOST: msg<{ url: string; names: string; host: string | null }>(
    (p) =>
      `The certificate of Redis at ${text(p.url)} is for another host name${p.names ? ` (${text(p.names)})` : ''}; connect with a name the certificate lists, or have the server's certificate issued for ${p.host ? text(p.host) : 'this address'}.`,
    (p) =>
      `Сертификат Redis по адресу ${text(p.url)} выдан для другого имени сервера${p.names ? ` (${text(p.names)})` : ''}; подключайтесь по имени из сертификата или выпустите сертификат сервера для ${p.host ? text(p.host) : 'этого адреса'}.`,
  ),
  REDIS_CERT_EXPIRED: msg<{ url: string }>(
    (p) =>
      `The certificate of Redis at ${text(p.url)} has expired; the server needs a renewed certificate (or this computer's date is wrong).`,
    (p) =>
      `Срок действия сертификата Redis по адресу ${text(p.url)} истёк; серверу нужен новый сертификат (или на этом компьютере неверная дата).`,
  ),
  REDIS_CERT_NOT_YET_VALID: msg<{ url: string }>(
    (p) =>
      `The certificate of Redis at ${text(p.url)} is not valid yet; check this computer's date and time.`,
    (p) =>
      `Сертификат Redis по адресу ${text(p.url)} ещё не действует; проверьте дату и время на этом компьютере.`,
  ),
  /** `other`: the URL with the other scheme (redis:// ⇄ rediss://). */
  REDIS_SPEAKS_TLS: msg<{ url: string; other: string }>(
    (p) => `This port speaks TLS: use ${text(p.other)} instead of ${text(p.url)}.`,
    (p) => `Этот порт работает по TLS: укажите ${text(p.other)} вместо ${text(p.url)}.`,
  ),
  REDIS_NOT_TLS: msg<{ url: string; other: string }>(
    (p) => `This port does not speak TLS: use ${text(p.other)} instead of ${text(p.url)}.`,
    (p) => `Этот порт работает без TLS: укажите ${text(p.other)} вместо ${text(p.url)}.`,
  ),
  REDIS_CLIENT_CERTIFICATE: msg<{ url: string }>(
    (p) =>
      `Redis at ${text(p.url)} asks for a client certificate, which Crossdock does not send; allow clients without one on the server (tls-auth-clients no or optional).`,
    (p) =>
      `Redis по адресу ${text(p.url)} требует клиентский сертификат, а Crossdock его не отправляет; разрешите на сервере клиентов без сертификата (tls-auth-clients no или optional).`,
  ),
  REDIS_TLS_FAILED: msg<{ url: string; reason: string }>(
    (p) =>
      `The TLS connection to ${text(p.url)} failed (${text(p.reason)}); check redis:// versus rediss:// and the server's certificate.`,
    (p) =>
      `TLS-соединение с ${text(p.url)} не удалось (${text(p.reason)}); проверьте redis:// или rediss:// и сертификат сервера.`,
  ),

  // ── reaching Redis ─────────────────────────────────────────────────────────────────────────────
  REDIS_CONNECTION_REFUSED: msg<{ url: string }>(
    (p) =>
      `Nothing answers at ${text(p.url)} (connection refused); check the address and that Redis is running.`,
    (p) =>
      `По адресу ${text(p.url)} никто не отвечает (соединение отклонено); проверьте адрес и что Redis запущен.`,
  ),
  REDIS_UNKNOWN_HOST: msg<{ url: string }>(
    (p) => `The host in ${text(p.url)} cannot be found; check the Redis URL.`,
    (p) => `Сервер из адреса ${text(p.url)} не найден; проверьте адрес Redis.`,
  ),
  REDIS_TIMEOUT: msg<{ url: string }>(
    (p) => `Redis at ${text(p.url)} did not answer in time; check the address, the port and any firewall.`,
    (p) => `Redis по адресу ${text(p.url)} не ответил вовремя; проверьте адрес, порт и брандмауэр.`,
  ),
  REDIS_AUTH_FAILED: msg<{ url: string }>(
    (p) =>
      `Redis at ${text(p.url)} refused the user name or password; check them in Settings (or CROSSDOCK_REDIS_PASSWORD).`,
    (p) =>
      `Redis по адресу ${text(p.url)} не принял имя пользователя или пароль; проверьте их в настройках (или CROSSDOCK_REDIS_PASSWORD).`,
  ),
  /** `reason`: Redis's own words (NOPERM …). */
  REDIS_NO_PERMISSION: msg<{ reason: string }>(
    (p) =>
      `The Redis user lacks a permission Crossdock needs (${text(p.reason)}); allow it all commands on the keys and channels crossdock:*.`,
    (p) =>
      `У пользователя Redis нет нужного Crossdock права (${text(p.reason)}); разрешите ему все команды для ключей и каналов crossdock:*.`,
  ),
  REDIS_NOT_REDIS: msg<{ url: string }>(
    (p) => `What answers at ${text(p.url)} is not a Redis server; check the address and the port.`,
    (p) => `По адресу ${text(p.url)} отвечает не Redis; проверьте адрес и порт.`,
  ),
  REDIS_CONNECTION_LOST: msg<{ url: string }>(
    (p) => `The connection to Redis at ${text(p.url)} was lost; Crossdock keeps trying.`,
    (p) => `Связь с Redis по адресу ${text(p.url)} потеряна; Crossdock продолжает попытки.`,
  ),
  /** `reason`: the client's or the server's own words, without a final full stop. */
  REDIS_FAILED: msg<{ url: string; reason: string }>(
    (p) => `Redis at ${text(p.url)} failed: ${text(p.reason)}.`,
    (p) => `Ошибка Redis по адресу ${text(p.url)}: ${end(text(p.reason))}`,
  ),
  REDIS_TOO_OLD: msg<{ version: string }>(
    (p) =>
      `Redis ${text(p.version)} is too old for the team queue; it needs Redis 5 or newer (6.2+ recommended).`,
    (p) =>
      `Redis ${text(p.version)} слишком стар для командной очереди; нужен Redis 5 или новее (рекомендуется 6.2+).`,
  ),
  TEAM_UNREACHABLE: msg<{ url: string }>(
    (p) => `The team queue at ${text(p.url)} cannot be reached; jobs run on this computer meanwhile.`,
    (p) => `Командная очередь ${text(p.url)} недоступна; пока задания выполняются на этом компьютере.`,
  ),

  // ── team jobs ──────────────────────────────────────────────────────────────────────────────────
  TEAM_CANCEL_NEEDS_TEAM_MODE: msg(
    () => 'This team job can be cancelled only while team mode is on.',
    () => 'Это командное задание можно отменить только при включённом командном режиме.',
  ),
  TEAM_RETRY_NEEDS_TEAM_MODE: msg(
    () => 'This team job can be retried only while team mode is on.',
    () => 'Это командное задание можно повторить только при включённом командном режиме.',
  ),
  /** `jobs resume` without a team queue: this data folder's team jobs are left waiting for it. */
  TEAM_RESUME_NEEDS_TEAM_QUEUE: msg<{ count: number }>(
    (p) =>
      `${num(p.count) === 1 ? '1 team job' : `${num(p.count).toLocaleString('en-US')} team jobs`} here ${num(p.count) === 1 ? 'needs' : 'need'} the team queue to finish: run "crossdock jobs resume --redis <url>" (or turn team mode on in Settings).`,
    (p) =>
      `${num(p.count).toLocaleString('ru-RU')} ${plural(num(p.count), 'командное задание', 'командных задания', 'командных заданий')} можно завершить только через командную очередь: запустите «crossdock jobs resume --redis <адрес>» (или включите командный режим в настройках).`,
  ),
  TEAM_OFFLINE_CANCEL: msg(
    () => 'The team queue is offline, so the job cannot be cancelled now; try again when it is back.',
    () =>
      'Командная очередь недоступна, поэтому задание сейчас нельзя отменить; попробуйте снова, когда она вернётся.',
  ),
  TEAM_CANCELLED_BEFORE_SENT: msg(
    () => 'Cancelled before it was sent to the team.',
    () => 'Отменено до отправки в команду.',
  ),
  TEAM_CANCELLED_WHILE_RUNNING: msg<{ host: string }>(
    (p) => `Cancelled while running on ${text(p.host)}.`,
    (p) => `Отменено во время выполнения на ${text(p.host)}.`,
  ),
  TEAM_JOB_GONE: msg(
    () => 'The job is no longer in the team queue (it was removed, or Redis lost it); submit it again.',
    () =>
      'Задания больше нет в командной очереди (его удалили, или Redis его потерял); отправьте его ещё раз.',
  ),
  TEAM_JOB_FAILED: msg(
    () => 'The job failed on the team.',
    () => 'Задание завершилось ошибкой в команде.',
  ),
  TEAM_RESULT_INVALID: msg(
    () => 'The result the worker reported is not valid; it was refused.',
    () => 'Результат, о котором сообщил исполнитель, неверен; он отклонён.',
  ),
  TEAM_RESULT_NOT_DOWNLOADED: msg<Nested>(
    (p, inner) => `The result could not be downloaded: ${inner(unnest(p))}`,
    (p, inner) => `Не удалось скачать результат: ${end(inner(unnest(p)))}`,
  ),
  TEAM_NO_OUTPUT_FOLDER: msg(
    () => 'The job has no output folder here; it cannot receive its result.',
    () => 'У задания нет папки для результатов на этом компьютере; получить результат некуда.',
  ),
  /** `reason`: the first problem the job data's schema found (English). */
  TEAM_JOB_DATA_INVALID: msg<{ reason: string }>(
    (p) => `The team job's data is not valid (${text(p.reason)}); this worker refused it.`,
    (p) => `Данные командного задания неверны (${text(p.reason)}); этот исполнитель отказался от него.`,
  ),

  // ── team files ─────────────────────────────────────────────────────────────────────────────────
  TEAM_FILE_OVER_LIMIT: msg<{ what: What; mb: number; limitMb: number }>(
    (p) =>
      `${whatEn(p.what)} is ${text(p.mb)} MB, over the team queue's limit of ${text(p.limitMb)} MB; run it on this computer (team mode off) or split it.`,
    (p) =>
      `${whatRu(p.what)} занимает ${text(p.mb)} МБ, больше предела командной очереди в ${text(p.limitMb)} МБ; выполните его на этом компьютере (без командного режима) или разделите.`,
  ),
  TEAM_FILE_CHANGED: msg<{ what: What }>(
    (p) => `${whatEn(p.what)} changed while it was being uploaded; submit it again.`,
    (p) => `${whatRu(p.what)} изменился во время отправки; отправьте его ещё раз.`,
  ),
  TEAM_FILE_BAD_HASH: msg(
    () => 'The team job names a file by an invalid hash.',
    () => 'Командное задание ссылается на файл по неверной контрольной сумме.',
  ),
  TEAM_FILE_EXPIRED: msg(
    () => 'The file is no longer in the team queue (it expired or Redis lost it); submit the job again.',
    () =>
      'Файла больше нет в командной очереди (срок его хранения истёк, или Redis его потерял); отправьте задание ещё раз.',
  ),
  TEAM_FILE_PART_MISSING: msg(
    () => 'Part of the file is missing from the team queue (it expired); submit the job again.',
    () => 'Части файла нет в командной очереди (срок её хранения истёк); отправьте задание ещё раз.',
  ),
  TEAM_FILE_RECORD_DAMAGED: msg(
    () => 'The team file record is damaged; submit the job again.',
    () => 'Запись о файле команды повреждена; отправьте задание ещё раз.',
  ),
  TEAM_FILE_TOO_LARGE: msg(
    () => 'The team file is larger than the limit; it was refused.',
    () => 'Файл команды больше допустимого размера; он отклонён.',
  ),
  TEAM_FILE_HASH_MISMATCH: msg(
    () => 'The file from the team queue does not match its hash; it was refused.',
    () => 'Файл из командной очереди не совпадает со своей контрольной суммой; он отклонён.',
  ),

  // ── what team mode writes to a job's log ───────────────────────────────────────────────────────
  LOG_TEAM_SENT: msg<{ team: string }>(
    (p) => `Sent to the team queue ${dq(p.team)}.`,
    (p) => `Отправлено в командную очередь ${q(p.team)}.`,
  ),
  LOG_TEAM_DONE: msg<{ rows: number }>(
    (p) => `Done on the team: ${text(p.rows)} lines.`,
    (p) => `Выполнено в команде: строк ${text(p.rows)}.`,
  ),
  LOG_TEAM_ATTEMPT_STARTED: msg<{ attempt: number; max: number; host: string; pid: number }>(
    (p) =>
      `Attempt ${text(p.attempt)} of ${text(p.max)} started on ${text(p.host)} (process ${text(p.pid)}).`,
    (p) =>
      `Попытка ${text(p.attempt)} из ${text(p.max)} началась на ${text(p.host)} (процесс ${text(p.pid)}).`,
  ),
  LOG_TEAM_SPLIT: msg<{ parts: number; lines: number }>(
    (p) =>
      `Split into ${text(p.parts)} parts of about ${num(p.lines).toLocaleString('en-US')} lines, run by the team's workers at once.`,
    (p) =>
      `Разделено на ${text(p.parts)} ${plural(num(p.parts), 'часть', 'части', 'частей')} примерно по ${num(p.lines).toLocaleString('ru-RU')} строк; их выполняют исполнители команды одновременно.`,
  ),
  LOG_TEAM_PART_STARTED: msg<{
    part: number;
    parts: number;
    attempt: number;
    max: number;
    host: string;
    pid: number;
  }>(
    (p) =>
      `Attempt ${text(p.attempt)} of ${text(p.max)} started on ${text(p.host)} (process ${text(p.pid)}): part ${text(p.part)} of ${text(p.parts)}.`,
    (p) =>
      `Попытка ${text(p.attempt)} из ${text(p.max)} началась на ${text(p.host)} (процесс ${text(p.pid)}): часть ${text(p.part)} из ${text(p.parts)}.`,
  ),
  LOG_TEAM_MERGING: msg<{ parts: number; host: string }>(
    (p) => `Merging the ${text(p.parts)} parts into one workbook on ${text(p.host)}.`,
    (p) => `Части (${text(p.parts)}) объединяются в одну книгу на ${text(p.host)}.`,
  ),
  TEAM_SPLIT_PART_MISSING: msg<{ part: number }>(
    (p) => `Part ${text(p.part)} of the split job left no usable result; retry the job.`,
    (p) => `Часть ${text(p.part)} разделённого задания не дала годного результата; повторите задание.`,
  ),
  LOG_TEAM_HANDED_BACK: msg<{ host: string }>(
    (p) => `Handed back to the team queue: the worker on ${text(p.host)} is stopping.`,
    (p) => `Возвращено в командную очередь: исполнитель на ${text(p.host)} останавливается.`,
  ),
  LOG_TEAM_FINISHED_ON: msg<{ host: string; rows: number }>(
    (p) => `Finished on ${text(p.host)}: ${text(p.rows)} lines.`,
    (p) => `Завершено на ${text(p.host)}: строк ${text(p.rows)}.`,
  ),
};
