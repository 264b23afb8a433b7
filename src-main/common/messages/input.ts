// The user's files: where they are, what they are, their sheets, header row and columns.
import { dq, items, msg, num, plural, q, text } from './format.ts';

type Field = 'brand' | 'article' | 'quantity';
const FIELD_EN: Record<Field, string> = { brand: 'Brand', article: 'Article', quantity: 'Quantity' };
const FIELD_RU: Record<Field, string> = { brand: 'Бренд', article: 'Артикул', quantity: 'Количество' };
const ASKED_RU: Record<Field, string> = { brand: 'бренд', article: 'артикул', quantity: 'количество' };
const FIELDS: readonly Field[] = ['brand', 'article', 'quantity'];
const fieldOf = (v: unknown): Field => (FIELDS.includes(v as Field) ? (v as Field) : 'brand');

/** The header row a job looked at: its first 12 names, and whether it has more. */
type Headers = { headers: readonly string[]; more: boolean };
const shownHeaders = (p: Headers): string => {
  const h = items(p.headers);
  return h.length === 0 ? 'none' : `${h.join(', ')}${p.more ? ', …' : ''}`;
};
const headersFoundRu = (p: Headers): string =>
  items(p.headers).length === 0 ? 'заголовков в них нет' : `найдены: ${shownHeaders(p)}`;

/** The columns the user named (header text or 1-based number); null where none was named. */
type Asked = { brand: string | null; article: string | null; quantity: string | null };
const asked = (p: Asked, say: (f: Field, v: string) => string): string =>
  FIELDS.filter((f) => p[f] !== null && p[f] !== undefined)
    .map((f) => say(f, text(p[f])))
    .join(', ');

const MAP_EN =
  'Map the columns (in the new-job sheet, or with --brand-col and --article-col) or rename the headers.';
const MAP_RU =
  'сопоставьте столбцы в окне нового задания (или флагами --brand-col и --article-col) или переименуйте заголовки.';

export const INPUT = {
  // ── header and columns ─────────────────────────────────────────────────────────────────────────
  NO_HEADER: msg<{ rows: number } & Headers>(
    (p) =>
      `The file has no Brand and Article header in its first ${text(p.rows)} rows. Found: ${shownHeaders(p)}. ${MAP_EN}`,
    (p) =>
      `В первых ${text(p.rows)} строках файла нет заголовков Бренд и Артикул (${headersFoundRu(p)}); ${MAP_RU}`,
  ),
  NAMED_COLUMNS_NOT_FOUND: msg<Asked & { rows: number } & Headers>(
    (p) =>
      `The columns you named (${asked(p, (f, v) => `${f} ${dq(v)}`)}) were not found in the first ${text(p.rows)} rows. Found: ${shownHeaders(p)}. ${MAP_EN}`,
    (p) =>
      `Указанные столбцы (${asked(p, (f, v) => `${ASKED_RU[f]} ${q(v)}`)}) не найдены в первых ${text(p.rows)} строках (${headersFoundRu(p)}); ${MAP_RU}`,
  ),
  // The header row the user gave (--header-row N, the new-job sheet's header-row picker).
  HEADER_ROW_BEYOND_SHEET: msg<{ row: number; sheet: string; last: number }>(
    (p) =>
      `Row ${text(p.row)} cannot be the header row: the sheet ${dq(p.sheet)} ends at row ${text(p.last)}. Choose a row within the sheet (or 0 when the sheet has no header row).`,
    (p) =>
      `Строка ${text(p.row)} не может быть строкой заголовков: лист ${q(p.sheet)} заканчивается на строке ${text(p.last)}; выберите строку в пределах листа (или 0, если строки заголовков нет).`,
  ),
  HEADER_ROW_NO_COLUMNS: msg<{ row: number; sheet: string } & Headers>(
    (p) =>
      `Row ${text(p.row)} of the sheet ${dq(p.sheet)} has no Brand and Article header. Found: ${shownHeaders(p)}. Choose another header row, or ${MAP_EN.charAt(0).toLowerCase()}${MAP_EN.slice(1)}`,
    (p) =>
      `В строке ${text(p.row)} листа ${q(p.sheet)} нет заголовков Бренд и Артикул (${headersFoundRu(p)}); выберите другую строку заголовков или ${MAP_RU}`,
  ),
  NAMED_COLUMNS_NOT_IN_ROW: msg<Asked & { row: number; sheet: string } & Headers>(
    (p) =>
      `The columns you named (${asked(p, (f, v) => `${f} ${dq(v)}`)}) are not in the header row (row ${text(p.row)} of the sheet ${dq(p.sheet)}). Found: ${shownHeaders(p)}. Name them by header text or 1-based number, or choose another header row.`,
    (p) =>
      `Указанных столбцов (${asked(p, (f, v) => `${ASKED_RU[f]} ${q(v)}`)}) нет в строке заголовков (строка ${text(p.row)} листа ${q(p.sheet)}; ${headersFoundRu(p)}); укажите их текстом заголовка или номером с 1 либо выберите другую строку заголовков.`,
  ),
  NO_HEADER_ROW_NEEDS_INDEXES: msg(
    () =>
      'Without a header row, give the Brand and Article columns (and Quantity, if any) by number: for example --brand-col 1 --article-col 2, or pick them in the new-job sheet.',
    () =>
      'Без строки заголовков столбцы Бренд и Артикул (и Количество, если есть) указываются номером: например, --brand-col 1 --article-col 2, или выберите их в окне нового задания.',
  ),
  AMBIGUOUS_COLUMNS: msg<{ field: Field; columns: readonly string[] }>(
    (p) =>
      `Several columns could be the ${FIELD_EN[fieldOf(p.field)]}: ${items(p.columns).map(dq).join(' and ')}; choose one with --${fieldOf(p.field) === 'quantity' ? 'qty' : fieldOf(p.field)}-col (or map the columns in the app).`,
    (p) =>
      `На роль столбца ${FIELD_RU[fieldOf(p.field)]} подходят несколько столбцов: ${items(p.columns).map(q).join(' и ')}; выберите один, сопоставив столбцы в приложении (или флагом --${fieldOf(p.field) === 'quantity' ? 'qty' : fieldOf(p.field)}-col).`,
  ),
  SAME_COLUMN: msg(
    () => 'The Brand and Article columns must be different columns.',
    () => 'Бренд и Артикул должны быть разными столбцами.',
  ),
  NO_DATA_ROWS: msg(
    () => 'The file has a header row but no data rows below it; add lines to price and retry.',
    () =>
      'В файле есть строка заголовков, но под ней нет данных; добавьте строки для подбора цен и повторите.',
  ),
  NO_PRICE_COLUMN: msg<{ headers: readonly string[] }>(
    (p) =>
      `The price list has no Price column (found: ${items(p.headers).join(', ')}); add a "Price" or "Цена" header.`,
    (p) =>
      `В прайс-листе нет столбца Цена (найдены: ${items(p.headers).join(', ') || 'ничего'}); добавьте заголовок «Price» или «Цена».`,
  ),
  NO_PRICE_LINES: msg(
    () => 'The price list has no usable lines (each needs a brand, an article and a price).',
    () => 'В прайс-листе нет пригодных строк (в каждой нужны бренд, артикул и цена).',
  ),

  // ── the file: where it is ──────────────────────────────────────────────────────────────────────
  FILE_DOES_NOT_EXIST: msg<{ path: string }>(
    (p) => `The file ${text(p.path)} does not exist; check the path.`,
    (p) => `Файла ${text(p.path)} не существует; проверьте путь.`,
  ),
  FOLDER_NOT_SPREADSHEET: msg<{ path: string }>(
    (p) => `${text(p.path)} is a folder, not a spreadsheet; choose a .xlsx or .csv file.`,
    (p) => `${text(p.path)} — это папка, а не таблица; выберите файл .xlsx или .csv.`,
  ),
  IS_DIRECTORY: msg<{ name: string }>(
    (p) => `${text(p.name)} is a folder, not a file; choose an .xlsx or .csv file.`,
    (p) => `${text(p.name)} — это папка, а не файл; выберите файл .xlsx или .csv.`,
  ),
  NOT_FILE: msg<{ name: string }>(
    (p) => `${text(p.name)} is not a regular file; choose an .xlsx or .csv file.`,
    (p) => `${text(p.name)} — не обычный файл; выберите файл .xlsx или .csv.`,
  ),
  FILE_NOT_FOUND: msg<{ name: string }>(
    (p) => `${text(p.name)} was not found; check that the file exists and retry.`,
    (p) => `Файл ${text(p.name)} не найден; проверьте, что он существует, и повторите.`,
  ),
  FILE_NO_ACCESS: msg<{ name: string }>(
    (p) => `${text(p.name)} cannot be read (permission denied); check the file's permissions and retry.`,
    (p) => `Файл ${text(p.name)} нельзя прочитать (нет доступа); проверьте права на файл и повторите.`,
  ),
  FILE_BUSY: msg<{ name: string }>(
    (p) => `${text(p.name)} is locked by another program; close it there and retry.`,
    (p) => `Файл ${text(p.name)} занят другой программой; закройте его там и повторите.`,
  ),
  INPUT_GONE: msg(
    () => 'The copy of the input file is gone from the data folder; submit the file again.',
    () => 'Копия входного файла пропала из папки данных; отправьте файл заново.',
  ),

  // ── the file: what it holds ────────────────────────────────────────────────────────────────────
  EMPTY_FILE: msg(
    () => 'The file is empty.',
    () => 'Файл пустой.',
  ),
  NO_ROWS: msg(
    () => 'The file is empty: it has no rows; check that you chose the right file.',
    () => 'Файл пустой, в нём нет ни одной строки; проверьте, тот ли файл выбран.',
  ),
  EMPTY_SHEET: msg<{ sheet: string }>(
    (p) => `The sheet ${dq(p.sheet)} is empty; choose another sheet.`,
    (p) => `Лист ${q(p.sheet)} пустой; выберите другой лист.`,
  ),
  NO_SHEET: msg<{ sheet: string; sheets: readonly string[] }>(
    (p) => `The workbook has no sheet ${dq(p.sheet)}; its sheets are ${items(p.sheets).map(dq).join(', ')}.`,
    (p) => `В книге нет листа ${q(p.sheet)}; её листы: ${items(p.sheets).map(q).join(', ')}.`,
  ),
  NO_SHEETS: msg<{ name: string }>(
    (p) =>
      `${text(p.name)} contains no worksheets, only charts or macros; put the data on a worksheet in Excel and retry.`,
    (p) =>
      `В файле ${text(p.name)} нет листов с данными, только диаграммы или макросы; перенесите данные на лист в Excel и повторите.`,
  ),

  // ── the file: what it is ───────────────────────────────────────────────────────────────────────
  XLS: msg(
    () => 'Old Excel .xls files are not supported; open it in Excel and save it as .xlsx, then retry.',
    () =>
      'Старые файлы Excel .xls не поддерживаются; откройте файл в Excel, сохраните его как .xlsx и повторите.',
  ),
  PASSWORD_PROTECTED: msg(
    () =>
      'The workbook is password-protected; remove the password in Excel (File › Info › Protect Workbook) and retry.',
    () => 'Книга защищена паролем; снимите пароль в Excel (Файл › Сведения › Защитить книгу) и повторите.',
  ),
  MARKUP: msg<{ name: string }>(
    (p) =>
      `${text(p.name)} is a web page or XML file, not a real workbook; open it in Excel and save it as .xlsx, then retry.`,
    (p) =>
      `${text(p.name)} — это веб-страница или XML-файл, а не настоящая книга Excel; откройте его в Excel, сохраните как .xlsx и повторите.`,
  ),
  NOT_SPREADSHEET: msg<{ name: string }>(
    (p) => `${text(p.name)} is not a spreadsheet (.xlsx or .csv).`,
    (p) => `${text(p.name)} — не таблица (.xlsx или .csv).`,
  ),
  XLSB: msg<{ name: string }>(
    (p) =>
      `${text(p.name)} is an Excel binary workbook (.xlsb), which is not supported; open it in Excel and save it as .xlsx, then retry.`,
    (p) =>
      `${text(p.name)} — двоичная книга Excel (.xlsb), такие не поддерживаются; откройте её в Excel, сохраните как .xlsx и повторите.`,
  ),
  ODS: msg<{ name: string }>(
    (p) => `${text(p.name)} is an OpenDocument spreadsheet (.ods); open it and save it as .xlsx, then retry.`,
    (p) => `${text(p.name)} — таблица OpenDocument (.ods); откройте её, сохраните как .xlsx и повторите.`,
  ),
  NOT_XLSX: msg<{ name: string }>(
    (p) =>
      `${text(p.name)} is a zip file but not an Excel workbook (.xlsx); open it in Excel and save it as .xlsx, then retry.`,
    (p) =>
      `${text(p.name)} — zip-архив, но не книга Excel (.xlsx); откройте его в Excel, сохраните как .xlsx и повторите.`,
  ),

  // ── the file: damaged or refused for safety ────────────────────────────────────────────────────
  DAMAGED_FILE: msg(
    () => 'The file is damaged or incomplete (not a readable .xlsx). Save it again from Excel and retry.',
    () => 'Файл повреждён или неполон (это не читаемый .xlsx); сохраните его заново из Excel и повторите.',
  ),
  ZIP_BOMB: msg(
    () =>
      'The file expands to far more data than any real workbook (a "zip bomb"), so it was refused for safety; if it is a genuine workbook, save it again from Excel and retry.',
    () =>
      'Файл распаковывается в гораздо больший объём, чем у любой настоящей книги («zip-бомба»), поэтому он отклонён ради безопасности; если это настоящая книга, сохраните её заново из Excel и повторите.',
  ),
  PART_TOO_LARGE: msg<{ part: string; bytes: number }>(
    (p) =>
      `The workbook part ${text(p.part)} is unreasonably large (${text(p.bytes)} bytes), so the file was refused for safety; save it again from Excel and retry.`,
    (p) =>
      `Часть книги ${text(p.part)} слишком велика (${text(p.bytes)} ${plural(num(p.bytes), 'байт', 'байта', 'байт')}), поэтому файл отклонён ради безопасности; сохраните его заново из Excel и повторите.`,
  ),
  ENCRYPTED: msg(
    () => 'The file is an encrypted zip archive; save it again from Excel without a password and retry.',
    () => 'Файл — зашифрованный zip-архив; сохраните его заново из Excel без пароля и повторите.',
  ),
  UNSUPPORTED_ZIP: msg<{ method: number }>(
    (p) =>
      `The file uses a compression method (${text(p.method)}) that Excel does not write; save it again from Excel and retry.`,
    (p) =>
      `Файл сжат методом (${text(p.method)}), которым Excel не пользуется; сохраните его заново из Excel и повторите.`,
  ),
  XML_DOCTYPE: msg(
    () =>
      'The workbook contains a DOCTYPE declaration, which spreadsheets never need; it was refused for safety.',
    () =>
      'В книге есть объявление DOCTYPE, которое таблицам никогда не нужно; файл отклонён ради безопасности.',
  ),
  TOO_MUCH_TEXT: msg(
    () => 'The workbook holds more text than can be read safely; split it into smaller files and retry.',
    () => 'В книге больше текста, чем можно безопасно прочитать; разделите её на файлы поменьше и повторите.',
  ),
  CSV_FIELD_TOO_LONG: msg<{ row: number }>(
    (p) =>
      `Row ${text(p.row)} of the CSV file has a value longer than 32 MB, most likely a quote that never closes; fix the quotes and retry.`,
    (p) =>
      `В строке ${text(p.row)} CSV-файла значение длиннее 32 МБ — скорее всего, незакрытая кавычка; исправьте кавычки и повторите.`,
  ),
};
