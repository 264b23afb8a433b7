// Errors are codes with parameters (src-main/common/errors.ts); their English and Russian sentences
// come from the message catalog (src-main/common/messages). These tests make the engine fail for real
// (worker functions on bad files, engine calls on bad input, the ClickHouse and Redis classifiers) and
// check, for each situation: the English rendering of its code is the sentence the engine says today,
// and the Russian one is one Russian sentence keeping every name, path and number it quotes. Where a
// call site has no code yet (parts of team mode and the sources are still being converted), the test
// names the code that sentence will have, so both stay in step; once the call site throws a
// CodedError, its own code and params are checked instead.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../src-main/team/blobs.ts';
import { checkCaFile, checkRedisUrl, describeRedisError } from '../src-main/team/config.ts';
import { ARG_SCHEMAS, argError } from '../src-main/common/contract.ts';
import {
  CodedError,
  MESSAGES,
  errorInfo,
  isErrorCode,
  nest,
  renderMessage,
  type ErrorCode,
  type ParamsOf,
} from '../src-main/common/errors.ts';
import { AREAS } from '../src-main/common/messages/index.ts';
import type { Engine } from '../src-main/engine/engine.ts';
import { detectColumns, noHeaderError } from '../src-worker/crossdock/columns.ts';
import { toTaskError } from '../src-worker/errors.ts';
import { openSpreadsheet } from '../src-worker/io/open-spreadsheet.ts';
import { ZipReader } from '../src-worker/io/zip-reader.ts';
import {
  ClickHouseConnection,
  ClickHouseSource,
  REQUIRED_COLUMNS,
} from '../src-worker/sources/clickhouse.ts';
import { checkReadOnlyQuery } from '../src-worker/sources/export-query.ts';
import { runInspect } from '../src-worker/tasks/inspect.ts';
import { sheetIndexes } from '../src-worker/tasks/locate-header.ts';
import { buildZip, cfb, plainSheet, xlsxEntries, zeroBomb } from './fixtures/archives.ts';
import { freshDataDir, openEngine, ROOT, SAMPLE, tempDir, writeCsv, writeXlsx } from './helpers.ts';

/** Every folder this file makes (a data folder holds a 40 MB catalog): removed at the end. */
const made: string[] = [];
const temp = (prefix: string): string => {
  const d = tempDir(prefix);
  made.push(d);
  return d;
};
const dataDir = (): string => {
  const d = freshDataDir();
  made.push(d);
  return d;
};

const CYRILLIC = /[а-яё]/i;

/** What an engine call fails with (the error itself: a CodedError, or an Error with a sentence). */
async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

/** The error a synchronous call throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

/** The code a sentence has (or will have, once its call site passes it) and its parameters. */
function as<C extends ErrorCode>(code: C, params: ParamsOf<C>): { code: C; params: ParamsOf<C> } {
  return { code, params };
}

/**
 * Checks one real failure: a CodedError (or `{code, params, message}`) with its own code, or an English
 * sentence whose code `expected` names. The English rendering must be the sentence the engine says; the
 * Russian one is Cyrillic, one line, one sentence ending with a full stop, with no English sentence
 * parts left, keeping every name, path and number in `keep`. Returns the Russian.
 */
function expectRussian(
  got: unknown,
  expected?: { code: ErrorCode; params: ParamsOf<ErrorCode> },
  keep: string[] = [],
): string {
  const e = got as { code?: unknown; params?: unknown; message?: unknown };
  const english = typeof got === 'string' ? got : String(e?.message);
  // Its own code: a catalog code (a call site not converted yet may carry a category of its own).
  const own = isErrorCode(e?.code);
  const info = own
    ? { code: String(e.code), params: (e.params ?? {}) as ParamsOf<ErrorCode>, message: english }
    : { ...expected!, message: english };
  expect(own || expected, `no code for: ${english}`).toBeTruthy();
  if (own && expected) expect(info.code).toBe(expected.code);
  expect(renderMessage('en', info), `the English of ${info.code}`).toBe(english);
  const ru = renderMessage('ru', info);
  expect(ru, `no Russian for: ${english}`).not.toBe(english);
  expect(ru).toMatch(CYRILLIC);
  expect(ru.trim()).toMatch(/\.$/);
  expect(ru).not.toMatch(/\n/);
  // no English sentence parts left over (names, paths and flags aside)
  expect(ru).not.toMatch(/\b(?:the|and|is|not|retry|choose|check)\b/);
  for (const k of keep) expect(ru, `"${k}" lost in: ${ru}`).toContain(k);
  return ru;
}

describe('the message catalog', () => {
  it('has an English and a Russian sentence for every code, codes unique across the areas', () => {
    const codes = Object.values(AREAS).flatMap((area) => Object.keys(area));
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.sort()).toEqual(Object.keys(MESSAGES).sort());
    for (const [code, def] of Object.entries(MESSAGES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
      expect(typeof def.en, code).toBe('function');
      expect(typeof def.ru, code).toBe('function');
      // Missing parameters (an old row, a newer version's) render with what is there, never throw.
      const en = renderMessage('en', { code, params: {} });
      const ru = renderMessage('ru', { code, params: {} });
      expect(en, code).not.toBe('');
      expect(ru, code).not.toBe('');
      if (code !== 'UNEXPECTED' && code !== 'CRON_INVALID') expect(ru, code).toMatch(CYRILLIC);
      expect(ru, code).not.toMatch(/undefined/);
      expect(en, code).not.toMatch(/undefined/);
    }
    expect(codes.length).toBeGreaterThan(150);
  });

  it('falls back to the English message for an unknown code, then to the code; never throws', () => {
    const old = {
      code: 'GONE_IN_A_LATER_VERSION',
      params: { x: 1 },
      message: 'Something the catalog never knew.',
    };
    expect(renderMessage('ru', old)).toBe(old.message);
    expect(renderMessage('en', old)).toBe(old.message);
    expect(renderMessage('ru', { code: 'GONE_IN_A_LATER_VERSION' })).toBe('GONE_IN_A_LATER_VERSION');
    expect(renderMessage('ru', { code: null, message: 'An old row.' })).toBe('An old row.');
    expect(renderMessage('ru', { code: null, params: null, message: null })).toBe('');
    // a prototype key is no code
    expect(renderMessage('ru', { code: 'toString', message: 'x' })).toBe('x');
    // wrong types in the params: rendered with what is there
    const odd = { code: 'NO_SUCH_LIST', params: { list: 5, known: 'ОПТ-1' } as never, message: 'x' };
    expect(renderMessage('ru', odd)).toBe('Списка поставщиков «5» нет; есть списки: ОПТ-1.');
  });

  it("a CodedError's message is its English sentence; errorInfo takes anything thrown", () => {
    const e = new CodedError('NO_SUCH_LIST', { list: 'НЕТ', known: ['ОПТ-1', 'ОПТ-2'] });
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('There is no supplier list "НЕТ"; known lists: ОПТ-1, ОПТ-2.');
    expect(renderMessage('en', e)).toBe(e.message);
    expect(renderMessage('ru', e)).toBe('Списка поставщиков «НЕТ» нет; есть списки: ОПТ-1, ОПТ-2.');
    expect(errorInfo(e)).toEqual({ code: 'NO_SUCH_LIST', params: e.params, message: e.message });
    expect(errorInfo(new Error('disk on fire'))).toEqual({
      code: 'UNEXPECTED',
      params: { message: 'disk on fire' },
      message: 'disk on fire',
    });
    expect(errorInfo('plain')).toMatchObject({ code: 'UNEXPECTED', message: 'plain' });
    expect(
      new CodedError('CLICKHOUSE_TIMEOUT', { url: 'http://h:8123' }, { transient: true }).transient,
    ).toBe(true);
  });

  it('a wrapped reason is rendered in the same language, by its own code', () => {
    const refused = new CodedError('CLICKHOUSE_CONNECTION_REFUSED', { url: 'http://127.0.0.1:9' });
    const wrapped = new CodedError('TEMPORARY_ERROR', nest(refused.info()));
    expect(wrapped.message).toBe(
      'A temporary error stopped the job: Nothing answers at http://127.0.0.1:9 (connection refused); is the ClickHouse server running?',
    );
    expect(renderMessage('ru', wrapped)).toBe(
      'Задание остановила временная ошибка: По адресу http://127.0.0.1:9 никто не отвечает (соединение отклонено); проверьте, что сервер ClickHouse запущен.',
    );
    // the worker wraps what it has no sentence for: the reason keeps its code
    const task = toTaskError(Object.assign(refused, { transient: true }));
    expect(task).toMatchObject({ code: 'TEMPORARY_ERROR', transient: true, message: wrapped.message });
    expect(renderMessage('ru', { ...task, params: task.params! })).toBe(renderMessage('ru', wrapped));
    // a reason without a code stays as the system wrote it, ended like a sentence
    const other = toTaskError(new Error('socket closed by peer'));
    expect(other).toMatchObject({ code: 'FAILED_UNEXPECTEDLY', transient: false });
    expect(other.message).toBe('The job failed unexpectedly: socket closed by peer');
    expect(renderMessage('ru', { ...other, params: other.params! })).toBe(
      'Задание неожиданно завершилось ошибкой: socket closed by peer.',
    );
    const full = toTaskError(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    expect(full).toMatchObject({
      code: 'DISK_FULL',
      message: 'The disk is full; free some space and retry the job.',
    });
    expectRussian(full);
    const denied = toTaskError(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
    expect(expectRussian(denied, undefined, ['EACCES: permission denied'])).toMatch(/^Crossdock не может/);
  });

  it('no translation by pattern is left', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir)).flatMap((name) => {
        const rel = join(dir, name);
        return statSync(join(ROOT, rel)).isDirectory() ? files(rel) : [rel];
      });
    const sources = ['src-main', 'src-worker', 'src-renderer', 'scripts'].flatMap(files);
    expect(sources.some((f) => f.endsWith('engine-messages.ts'))).toBe(false);
    for (const f of sources.filter((f) => /\.(ts|tsx|mjs)$/.test(f)))
      expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/translateEngineMessage|ENGINE_MESSAGES/);
  });
});

describe('engine messages in Russian', () => {
  let dir: string;

  beforeAll(() => {
    dir = temp('cd-msg-');
  });
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  it('header and column detection', () => {
    const none = noHeaderError([['Марка?', 'Код', 'Цена']], {});
    expect(none.code).toBe('NO_HEADER');
    expect(expectRussian(none, undefined, ['Марка?, Код, Цена', '20'])).toContain('Бренд и Артикул');
    expect(expectRussian(noHeaderError([], {}), undefined, ['20'])).toContain('заголовков в них нет');
    const named = noHeaderError([['Марка', 'Код']], {
      brand: 'Производитель',
      article: 'Номер детали',
    });
    expect(named.message).toBe(
      'The columns you named (brand "Производитель", article "Номер детали") were not found in the first 20 rows. Found: Марка, Код. Map the columns (in the new-job sheet, or with --brand-col and --article-col) or rename the headers.',
    );
    expect(expectRussian(named, undefined, ['«Производитель»', '«Номер детали»', 'Марка, Код'])).toContain(
      'бренд «Производитель», артикул «Номер детали»',
    );
    const several = thrown(() => detectColumns([['Brand', 'Make', 'Article']]));
    expect(several).toMatchObject({
      code: 'AMBIGUOUS_COLUMNS',
      params: { field: 'brand', columns: ['Brand', 'Make'] },
    });
    expect((several as Error).message).toBe(
      'Several columns could be the Brand: "Brand" and "Make"; choose one with --brand-col (or map the columns in the app).',
    );
    expectRussian(several, undefined, ['«Brand» и «Make»', 'Бренд', '--brand-col']);
    const same = thrown(() => detectColumns([['Brand', 'Article']], { brand: '1', article: '1' }));
    expect((same as Error).message).toBe('The Brand and Article columns must be different columns.');
    expectRussian(same);
    const wb = { sheetNames: ['Прайс', 'Итого'] } as unknown as Parameters<typeof sheetIndexes>[0];
    const sheet = thrown(() => sheetIndexes(wb, 'Лист1'));
    expect((sheet as Error).message).toBe(
      'The workbook has no sheet "Лист1"; its sheets are "Прайс", "Итого".',
    );
    expectRussian(sheet, undefined, ['«Лист1»', '«Прайс», «Итого»']);
  });

  it('bad files', async () => {
    const png = join(dir, 'photo.xlsx');
    writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const empty = join(dir, 'empty.xlsx');
    writeFileSync(empty, '');
    const locked = join(dir, 'locked.xlsx');
    writeFileSync(locked, cfb(['Root Entry', '\u0006DataSpaces', 'EncryptionInfo', 'EncryptedPackage']));
    const xls = join(dir, 'old.xls');
    writeFileSync(xls, cfb(['Root Entry', 'Workbook', '\u0005SummaryInformation']));
    const html = join(dir, 'page.xls');
    writeFileSync(html, '<html><body><table><tr><td>Brand</td></tr></table></body></html>');
    const xlsb = join(dir, 'binary.xlsb');
    writeFileSync(xlsb, buildZip([{ name: 'xl/workbook.bin', data: 'x' }]));
    const ods = join(dir, 'open.ods');
    writeFileSync(
      ods,
      buildZip([
        { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', store: true },
        { name: 'content.xml', data: '<x/>' },
      ]),
    );
    const zip = join(dir, 'photos.zip');
    writeFileSync(zip, buildZip([{ name: 'a.txt', data: 'hello' }]));
    const cut = join(dir, 'cut.xlsx');
    const whole = readFileSync(SAMPLE);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const folder = join(dir, 'folder.xlsx');
    mkdirSync(folder);

    const cases: [string, ErrorCode, string[]][] = [
      [join(dir, 'missing.xlsx'), 'FILE_NOT_FOUND', ['missing.xlsx']],
      [folder, 'IS_DIRECTORY', ['folder.xlsx']],
      [empty, 'EMPTY_FILE', []],
      [locked, 'PASSWORD_PROTECTED', ['Excel']],
      [xls, 'XLS', ['.xls', '.xlsx']],
      [html, 'MARKUP', ['page.xls', '.xlsx']],
      [png, 'NOT_SPREADSHEET', ['photo.xlsx', '(.xlsx или .csv)']],
      [xlsb, 'XLSB', ['binary.xlsb', '.xlsb']],
      [ods, 'ODS', ['open.ods', '.ods']],
      [zip, 'NOT_XLSX', ['photos.zip', '.xlsx']],
      [cut, 'DAMAGED_FILE', ['.xlsx']],
    ];
    for (const [file, code, keep] of cases) {
      const err = await failure(async () => {
        const wb = await openSpreadsheet(file);
        await runInspect(file);
        await wb.close();
      });
      expect(err, file).toBeInstanceOf(CodedError);
      expect((err as CodedError).code, file).toBe(code);
      expectRussian(err, undefined, keep);
    }
  });

  it('files whose parts are refused', async () => {
    const inspect = async (name: string, content: Buffer): Promise<unknown> => {
      const f = join(dir, name);
      writeFileSync(f, content);
      return failure(() => runInspect(f));
    };
    const laughs = plainSheet(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>Brand</t></is></c><c r="B1" t="inlineStr"><is><t>&lol;</t></is></c></row>',
    ).replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>',
    );
    expectRussian(
      await inspect('laughs.xlsx', buildZip(xlsxEntries({ sheets: [{ name: 'S', xml: laughs }] }))),
      as('XML_DOCTYPE', {}),
      ['DOCTYPE'],
    );
    expectRussian(
      await inspect('charts.xlsx', buildZip(xlsxEntries({ sheets: [] }))),
      as('NO_SHEETS', { name: 'charts.xlsx' }),
      ['charts.xlsx'],
    );
    const bomb = zeroBomb(8); // 64 MiB of zeros in a few kB
    const bombed = xlsxEntries({ sheets: [{ name: 'S', xml: '' }] }).map((e) =>
      e.name === 'xl/worksheets/sheet1.xml' ? { name: e.name, raw: { ...bomb, crc: 0 } } : e,
    );
    expectRussian(await inspect('bomb.xlsx', buildZip(bombed)), as('ZIP_BOMB', {}), ['«zip-бомба»']);
    const encrypted = xlsxEntries({ sheets: [{ name: 'S', xml: plainSheet('') }] }).map((e) =>
      e.name === 'xl/worksheets/sheet1.xml' ? { ...e, flags: 1 } : e,
    );
    expectRussian(await inspect('encrypted.xlsx', buildZip(encrypted)), as('ENCRYPTED', {}), ['zip']);
    const twoSheets = xlsxEntries({
      sheets: [
        { name: 'Data', xml: plainSheet('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>') },
        { name: 'Пусто', xml: plainSheet('') },
      ],
    });
    const f = join(dir, 'two.xlsx');
    writeFileSync(f, buildZip(twoSheets));
    expectRussian(
      await failure(() => runInspect(f, 'two.xlsx', 'Пусто')),
      as('EMPTY_SHEET', { sheet: 'Пусто' }),
      ['«Пусто»'],
    );
    expectRussian(
      await failure(() => runInspect(f, 'two.xlsx', 'Нет такого')),
      as('NO_SHEET', { sheet: 'Нет такого', sheets: ['Data', 'Пусто'] }),
      ['«Нет такого»', '«Data», «Пусто»'],
    );
    const blank = writeCsv(join(dir, 'blank.csv'), [[''], ['']]);
    expectRussian(await failure(() => runInspect(blank)), as('NO_ROWS', {}));

    const big = join(dir, 'big.xlsx');
    writeFileSync(big, buildZip([{ name: 'xl/workbook.xml', data: 'x'.repeat(5000) }]));
    const reader = await ZipReader.open(big);
    try {
      const entry = reader.find('xl/workbook.xml')!;
      expectRussian(
        await failure(() => reader.readEntry(entry, 100)),
        as('PART_TOO_LARGE', { part: 'xl/workbook.xml', bytes: 5000 }),
        ['xl/workbook.xml', '5000 байт'],
      );
    } finally {
      await reader.close();
    }
  });

  it('what inspect reports as the problem of a file to map by hand', async () => {
    const f = await writeXlsx(join(dir, 'noheader.xlsx'), [
      ['Марка?', 'Код'],
      ['BOSCH', '123'],
    ]);
    const r = await runInspect(f);
    expect(r.problem).toBeTruthy();
    expect(r.problemCode).toBe('NO_HEADER');
    expect(r.problemParams).toMatchObject({ rows: 20, headers: ['Марка?', 'Код'], more: false });
    expectRussian({ code: r.problemCode, params: r.problemParams, message: r.problem }, undefined, [
      'Марка?, Код',
    ]);
    const fine = await runInspect(SAMPLE);
    expect(fine).toMatchObject({ problem: null, problemCode: null, problemParams: null });
  });

  it('ClickHouse connection errors', () => {
    const conn = new ClickHouseConnection({ url: 'http://ch.example:8123', user: 'reader' });
    const url = 'http://ch.example:8123';
    const said = (err: unknown): Error => conn.classify(err);
    expectRussian(
      said({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
      as('CLICKHOUSE_CONNECTION_REFUSED', { url }),
      [url],
    );
    expectRussian(
      said({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }),
      as('CLICKHOUSE_UNKNOWN_HOST', { url }),
      [url],
    );
    expectRussian(said({ code: 'ETIMEDOUT', message: 'timeout' }), as('CLICKHOUSE_TIMEOUT', { url }), [url]);
    expectRussian(
      said({ code: 'ECONNRESET', message: 'socket hang up' }),
      as('CLICKHOUSE_CONNECTION_LOST', { url, reason: 'ECONNRESET' }),
      [url, 'ECONNRESET'],
    );
    expectRussian(
      said({ code: 'EHOSTUNREACH', message: 'no route' }),
      as('CLICKHOUSE_UNREACHABLE', { url, reason: 'EHOSTUNREACH' }),
      [url, 'EHOSTUNREACH'],
    );
    expectRussian(
      said({ message: 'Code: 516. DB::Exception: reader: Authentication failed. (AUTHENTICATION_FAILED)' }),
      as('CLICKHOUSE_AUTH_FAILED', { url, user: 'reader' }),
      [url, '«reader»', 'CROSSDOCK_CLICKHOUSE_PASSWORD'],
    );
    expectRussian(
      said({ message: 'Code: 195. DB::Exception: not allowed from this IP' }),
      as('CLICKHOUSE_HOST_NOT_ALLOWED', { url, user: 'reader' }),
      [url, '«reader»'],
    );
    const denied = said({
      message: 'Code: 497. DB::Exception: reader: Not enough privileges. (ACCESS_DENIED)',
    });
    const reason = /\((.*)\); ask/.exec(denied.message)![1];
    expectRussian(denied, as('CLICKHOUSE_NO_PERMISSION', { user: 'reader', url, reason }), [url, '«reader»']);
    expectRussian(
      said({ message: "Code: 81. DB::Exception: Database `shop` doesn't exist. (UNKNOWN_DATABASE)" }),
      as('CLICKHOUSE_NO_SUCH_DATABASE', { url, database: 'shop' }),
      [url, '«shop»', '«crossdock demo-data»'],
    );
    const busy = said({ message: 'Code: 202. DB::Exception: Too many simultaneous queries.' });
    const why = /could not answer now \((.*)\)\.$/.exec(busy.message)![1];
    expectRussian(busy, as('CLICKHOUSE_BUSY', { url, reason: why }), [url]);
  });

  it('ClickHouse: a URL that is not one, and the schema checks', async () => {
    expectRussian(
      await failure(() => new ClickHouseConnection({ url: 'ftp://ch.example' })),
      as('CLICKHOUSE_NOT_HTTP_URL', { url: 'ftp://ch.example' }),
      ['«ftp://ch.example»'],
    );
    // The schema check of a source, over a connection that answers its one metadata query.
    const Source = ClickHouseSource as unknown as new (
      conn: unknown,
      database: string,
      signal: undefined,
    ) => { checkSchema(): Promise<void> };
    const schema = (rows: { table: string; name: string }[]): Promise<unknown> =>
      failure(() => new Source({ rows: () => Promise.resolve(rows) }, 'shop', undefined).checkSchema());
    const offers = (drop: number) =>
      REQUIRED_COLUMNS.offers.slice(0, REQUIRED_COLUMNS.offers.length - drop).map((name) => ({
        table: 'offers',
        name,
      }));
    const last = REQUIRED_COLUMNS.offers.at(-1)!;
    const last2 = REQUIRED_COLUMNS.offers.at(-2)!;
    expectRussian(await schema([]), as('CLICKHOUSE_NO_SUCH_TABLE', { database: 'shop', table: 'offers' }), [
      '«shop»',
      '«offers»',
      '«crossdock demo-data»',
    ]);
    expect(
      expectRussian(
        await schema(offers(1)),
        as('CLICKHOUSE_MISSING_COLUMNS', { table: 'shop.offers', columns: [last] }),
        ['«shop.offers»', `«${last}»`],
      ),
    ).toContain('столбца');
    expect(
      expectRussian(
        await schema(offers(2)),
        as('CLICKHOUSE_MISSING_COLUMNS', { table: 'shop.offers', columns: [last2, last] }),
        ['«shop.offers»', `«${last2}», «${last}»`],
      ),
    ).toContain('столбцов');
  });

  it('export queries', () => {
    const said = (sql: string): unknown => thrown(() => checkReadOnlyQuery(sql, 'clickhouse'));
    expectRussian(said('  '), as('EMPTY_QUERY', {}));
    expectRussian(said('DROP TABLE offers'), as('QUERY_NOT_SELECT', { start: 'DROP' }), ['«DROP»']);
    expectRussian(said('SELECT 1; SELECT 2'), as('QUERY_SEVERAL_STATEMENTS', {}));
    expectRussian(said('SELECT * FROM offers FORMAT CSV'), as('QUERY_FORMAT_CLAUSE', {}), ['FORMAT']);
    expectRussian(said("SELECT 'abc"), as('QUERY_UNCLOSED', { what: 'string', quote: "'" }), ["(')"]);
    expectRussian(said('SELECT "abc'), as('QUERY_UNCLOSED', { what: 'name', quote: '"' }), ['("']);
    expectRussian(
      said('SELECT 1 FROM t WHERE 1 IN (INSERT INTO x VALUES (1))'),
      as('QUERY_WRITES', { word: 'INSERT' }),
      ['INSERT'],
    );
  });

  describe('engine calls', () => {
    let engine: Engine;
    let out: string;

    beforeAll(() => {
      engine = openEngine(dataDir(), { run: 'none' });
      out = temp('cd-msg-out-');
    });
    afterAll(async () => {
      await engine.close();
    });

    it('submit, retry, delete, comments', async () => {
      const missing = join(dir, 'nowhere', 'list.xlsx');
      expectRussian(
        await failure(() => engine.submit({ kind: 'crossdock', input: missing, list: 'ОПТ-1', outDir: out })),
        as('FILE_DOES_NOT_EXIST', { path: missing }),
        [missing],
      );
      expectRussian(
        await failure(() => engine.submit({ kind: 'crossdock', input: dir, list: 'ОПТ-1', outDir: out })),
        as('FOLDER_NOT_SPREADSHEET', { path: dir }),
        [dir],
      );
      expectRussian(await failure(() => engine.inspect(dir)), as('FOLDER_NOT_SPREADSHEET', { path: dir }), [
        dir,
      ]);
      const good = writeCsv(join(dir, 'good.csv'), [
        ['Brand', 'Article'],
        ['BOSCH', '0 986 452 041'],
      ]);
      const asFile = join(dir, 'a-file');
      writeFileSync(asFile, 'x');
      expectRussian(
        await failure(() => engine.submit({ kind: 'crossdock', input: good, list: 'ОПТ-1', outDir: asFile })),
        as('OUTPUT_FOLDER_UNCREATABLE', { path: asFile }),
        [asFile],
      );
      const under = join(asFile, 'results');
      expectRussian(
        await failure(() => engine.submit({ kind: 'crossdock', input: good, list: 'ОПТ-1', outDir: under })),
        as('OUTPUT_FOLDER_UNCREATABLE', { path: under }),
        [under],
      );
      const settings = await failure(() => engine.submit({ kind: 'crossdock', input: good, outDir: out }));
      const problem = /^The job settings are not valid \((.*?): (.*)\)\.$/.exec((settings as Error).message)!;
      expectRussian(settings, as('JOB_SETTINGS_INVALID', { field: problem[1], reason: problem[2] }), [
        'list',
      ]);

      const { job } = await engine.submit({ kind: 'crossdock', input: good, list: 'ОПТ-1', outDir: out });
      expect(
        expectRussian(await failure(() => engine.retry(job.id)), as('CANNOT_RETRY', { status: 'queued' })),
      ).toContain('в очереди');
      expect(
        expectRussian(await failure(() => engine.remove(job.id)), as('CANNOT_DELETE', { status: 'queued' })),
      ).toContain('в очереди');
      expectRussian(await failure(() => engine.addComment(job.id, '   ')), as('EMPTY_COMMENT', {}));
      expectRussian(
        await failure(() => engine.retry('01JZZZZZZZZZZZZZZZZZZZZZZZ')),
        as('NO_SUCH_JOB', { id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' }),
        ['01JZZZZZZZZZZZZZZZZZZZZZZZ'],
      );
      const cancelled = await engine.cancel(job.id);
      expectRussian(
        cancelled.errorCode
          ? { code: cancelled.errorCode, params: cancelled.errorParams, message: cancelled.error }
          : cancelled.error,
        as('CANCELLED_BEFORE_START', {}),
      );

      expectRussian(
        await failure(() => engine.supplierLists('clickhouse')),
        as('CLICKHOUSE_NOT_CONFIGURED', {}),
        ['CROSSDOCK_CLICKHOUSE_URL'],
      );
      const team = await engine.testTeam({ url: 'redis://127.0.0.1:1', user: '', name: 'x' } as never);
      expect(team.ok).toBe(false);
      if (!team.ok)
        expectRussian(
          { code: team.errorCode, params: team.errorParams, message: team.error },
          as('REDIS_CONNECTION_REFUSED', { url: 'redis://127.0.0.1:1' }),
        );
      expect(team).toMatchObject({ errorParams: { url: 'redis://127.0.0.1:1' } });
    });

    it('schedules', async () => {
      const spec = { kind: 'export', list: 'ОПТ-1', outDir: out };
      expectRussian(await failure(() => engine.addSchedule('', spec)), as('SCHEDULE_EMPTY', {}), [
        '«0 8 * * 1»',
      ]);
      expectRussian(
        await failure(() => engine.addSchedule('0 8 * * 1 *', spec)),
        as('CRON_SECONDS_FIELD', { cron: '0 8 * * 1 *' }),
        ['«0 8 * * 1 *»', '6 полей'],
      );
      expectRussian(
        await failure(() => engine.addSchedule('0 8 *', spec)),
        as('CRON_FIELD_COUNT', { cron: '0 8 *', count: 3 }),
        ['«0 8 *»', '3 поля'],
      );
      expectRussian(
        await failure(() => engine.addSchedule('@daily', spec)),
        as('CRON_SHORTCUT', { cron: '@daily', shortcut: '@daily' }),
        ['«@daily»', '@daily'],
      );
      expectRussian(
        await failure(() => engine.addSchedule('H 8 * * 1', spec)),
        as('CRON_RANDOM_H', { cron: 'H 8 * * 1', field: 'minute', value: 'H' }),
        ['поле минут «H»'],
      );
      expectRussian(
        await failure(() => engine.addSchedule('0 8 * * 1', spec, 'Mars/Olympus')),
        as('TIMEZONE_UNKNOWN', { timezone: 'Mars/Olympus' }),
        ['«Mars/Olympus»'],
      );
      expectRussian(
        await failure(() =>
          engine.addSchedule('0 8 * * 1', { kind: 'crossdock', input: SAMPLE, list: 'ОПТ-1', outDir: out }),
        ),
        as('ONLY_EXPORTS_SCHEDULED', {}),
      );
      expectRussian(
        await failure(() => engine.schedules.remove('01JZZZZZZZZZZZZZZZZZZZZZZZ')),
        as('NO_SUCH_SCHEDULE', { id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' }),
        ['01JZZZZZZZZZZZZZZZZZZZZZZZ'],
      );
    });

    it('the arguments of a call', () => {
      const parsed = ARG_SCHEMAS.submit.safeParse([{ kind: 'nothing' }]);
      expect(parsed.success).toBe(false);
      if (!parsed.success) {
        const err = argError('submit', parsed.error);
        expect(err.code).toBe('JOB_SETTINGS_INVALID');
        expectRussian(err);
      }
      const settings = ARG_SCHEMAS.updateSettings.safeParse([{ maxAttempts: -1 }]);
      expect(settings.success).toBe(false);
      if (!settings.success) {
        const err = argError('updateSettings', settings.error);
        expect(err).toMatchObject({ code: 'SETTINGS_INVALID', params: { field: 'maxAttempts' } });
        expectRussian(err, undefined, ['maxAttempts']);
      }
      const id = ARG_SCHEMAS.getJob.safeParse([42]);
      expect(id.success).toBe(false);
      if (!id.success) {
        const err = argError('getJob', id.error);
        expect(err).toMatchObject({ code: 'CALL_ARGS_INVALID', params: { method: 'getJob', argument: 1 } });
        expectRussian(err, undefined, ['crossdock.getJob', 'аргументом 1']);
      }
    });
  });

  it('jobs that fail while running', async () => {
    const engine = openEngine(dataDir());
    engine.start();
    try {
      const out = temp('cd-msg-run-');
      const header = writeCsv(join(dir, 'header.csv'), [['Бренд', 'Артикул']]);
      const good = writeCsv(join(dir, 'one.csv'), [
        ['Brand', 'Article'],
        ['BOSCH', '1'],
      ]);
      const noPrice = writeCsv(join(dir, 'no-price.csv'), [
        ['Бренд', 'Артикул', 'Остаток'],
        ['BOSCH', '1', 5],
      ]);
      const noLines = writeCsv(join(dir, 'no-lines.csv'), [
        ['Brand', 'Article', 'Price'],
        ['BOSCH', '1', ''],
      ]);
      const submitted = await Promise.all([
        engine.submit({ kind: 'crossdock', input: header, list: 'ОПТ-1', outDir: out }),
        engine.submit({ kind: 'crossdock', input: good, list: 'Нет-такого', outDir: out }),
        engine.submit({ kind: 'catalog-import', input: noPrice, supplier: 'Склад' }),
        engine.submit({ kind: 'catalog-import', input: noLines, supplier: 'Склад' }),
        engine.submit({ kind: 'export', query: 'SELECT nope FROM offers', outDir: out }),
      ]);
      const jobs = await engine.waitFor(submitted.map((r) => r.job.id));
      for (const j of jobs) expect(j.status, j.error ?? '').toBe('failed');
      // The job row: its code and params once the engine keeps them, else the worker's sentence.
      const row = (j: (typeof jobs)[number]) =>
        j.errorCode ? { code: j.errorCode, params: j.errorParams, message: j.error } : j.error;
      const [noData, noList, priceless, lineless, badQuery] = jobs;
      expectRussian(row(noData), as('NO_DATA_ROWS', {}));
      const lists = /known lists: (.*)\.$/.exec(noList.error!)![1].split(', ');
      expectRussian(row(noList), as('NO_SUCH_LIST', { list: 'Нет-такого', known: lists }), [
        '«Нет-такого»',
        'ОПТ-1',
      ]);
      expectRussian(row(priceless), as('NO_PRICE_COLUMN', { headers: ['Бренд', 'Артикул', 'Остаток'] }), [
        'Бренд, Артикул, Остаток',
        '«Цена»',
      ]);
      expectRussian(row(lineless), as('NO_PRICE_LINES', {}));
      const query = /^The query failed: (.*)$/.exec(badQuery.error!)![1];
      expect(expectRussian(row(badQuery), as('QUERY_FAILED', { reason: query }), ['nope'])).toMatch(
        /^Запрос не выполнен: /,
      );
    } finally {
      await engine.close();
    }
  });

  it('team mode: Redis connection errors, team files and team jobs', async () => {
    /** A team call site's own error: its code and params as expected, its English and Russian checked. */
    const own = <C extends ErrorCode>(
      got: unknown,
      expected: { code: C; params: ParamsOf<C> },
      keep: string[] = [],
    ) => {
      expect(got).toMatchObject({ code: expected.code, params: expected.params });
      return expectRussian(got, expected, keep);
    };
    const url = 'redis://127.0.0.1:6390';
    const where = '127.0.0.1:6390';
    own(checkRedisUrl('http://x'), as('REDIS_WRONG_SCHEME', { url: 'http://x' }), ['«http://x»']);
    // the URL as redactUrl shows it
    own(checkRedisUrl('redis://'), as('REDIS_NO_HOST', { url: 'redis:/' }));
    own(checkRedisUrl('::6379'), as('REDIS_BAD_URL', { url: '::6379' }), ['«::6379»']);
    const cases: [Error, ErrorCode][] = [
      [
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        'REDIS_CONNECTION_REFUSED',
      ],
      [Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), 'REDIS_UNKNOWN_HOST'],
      [Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }), 'REDIS_TIMEOUT'],
      [new Error('WRONGPASS invalid username-password pair or user is disabled.'), 'REDIS_AUTH_FAILED'],
      [new Error('Connection is closed.'), 'REDIS_CONNECTION_LOST'],
      [
        Object.assign(new Error('self-signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
        'REDIS_CERT_UNTRUSTED',
      ],
      [Object.assign(new Error('expired'), { code: 'CERT_HAS_EXPIRED' }), 'REDIS_CERT_EXPIRED'],
      [Object.assign(new Error('not yet'), { code: 'CERT_NOT_YET_VALID' }), 'REDIS_CERT_NOT_YET_VALID'],
      [new Error('Protocol error, got "H" as reply type byte'), 'REDIS_NOT_REDIS'],
    ];
    for (const [err, code] of cases) {
      const said = describeRedisError(err, url);
      own(
        said,
        as(code, { url } as ParamsOf<ErrorCode>),
        [where].filter((w) => said.message.includes(w)),
      );
    }
    // The server's own words stay as Redis wrote them, inside the Russian sentence.
    // (The check for English words left over does not apply: these are the server's.)
    const reason = "NOPERM this user has no permissions to run the 'evalsha' command";
    const denied = describeRedisError(new Error(reason), url);
    expect(denied).toMatchObject({ code: 'REDIS_NO_PERMISSION', params: { reason } });
    expect(renderMessage('en', denied)).toBe(denied.message);
    expect(renderMessage('ru', denied)).toMatch(/^У пользователя Redis нет нужного Crossdock права \(NOPERM/);
    expect(renderMessage('ru', denied)).toContain(reason);
    own(
      describeRedisError(new Error('ERR something odd'), url),
      as('REDIS_FAILED', { url, reason: 'ERR something odd' }),
      ['ERR something odd'],
    );
    own(
      describeRedisError(new Error('ERR something odd'), 'rediss://127.0.0.1:6390', '/etc/ca.pem'),
      as('REDIS_FAILED', { url: 'rediss://127.0.0.1:6390', reason: 'ERR something odd' }),
    );
    own(
      describeRedisError(
        Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
        url,
        '/etc/ca.pem',
      ),
      as('REDIS_CERT_UNTRUSTED_CA', { url, ca: '/etc/ca.pem' }),
      ['/etc/ca.pem'],
    );
    // The CA certificate file (src-main/team/config.ts)
    const certs = temp('cd-msg-ca-');
    own(checkCaFile(certs), as('CA_IS_FOLDER', { file: certs }), [certs]);
    const missing = join(certs, 'missing.pem');
    own(checkCaFile(missing), as('CA_NOT_FOUND', { file: missing }), [missing]);
    const notPem = join(certs, 'ca.der');
    writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a]));
    own(checkCaFile(notPem), as('CA_NOT_PEM', { file: notPem }), [notPem, '-----BEGIN CERTIFICATE-----']);
    const damaged = join(certs, 'damaged.pem');
    writeFileSync(damaged, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    own(checkCaFile(damaged), as('CA_DAMAGED', { file: damaged }), [damaged]);

    // Team files (src-main/team/blobs.ts), against a stand-in for Redis.
    const limit = new BlobStore(null as never, 'crossdock:t', 200 * 1048576);
    own(
      limit.tooBig(300 * 1048576, 'input'),
      as('TEAM_FILE_OVER_LIMIT', { what: 'input', mb: 300, limitMb: 200 }),
      ['300 МБ', '200 МБ'],
    );
    const file = join(certs, 'list.csv');
    writeFileSync(file, 'Brand,Article\nBOSCH,1\n');
    const empty = { exists: async () => 0, set: async () => 'OK' } as never;
    own(
      await failure(() =>
        new BlobStore(empty, 'crossdock:t').put(file, { sha256: 'f'.repeat(64), size: 22 }),
      ),
      as('TEAM_FILE_CHANGED', { what: 'file' }),
    );
    const store = (meta: string | null, chunk: Buffer | null) =>
      new BlobStore({ get: async () => meta, getBuffer: async () => chunk } as never, 'crossdock:t', 1048576);
    const sha = 'a'.repeat(64);
    const dest = join(certs, 'copy.bin');
    const got = (meta: string | null, chunk: Buffer | null = null, hash = sha) =>
      failure(() => store(meta, chunk).get(hash, dest));
    own(await got(null, null, '../../etc/passwd'), as('TEAM_FILE_BAD_HASH', {}));
    own(await got(null), as('TEAM_FILE_EXPIRED', {}));
    own(await got('{'), as('TEAM_FILE_RECORD_DAMAGED', {}));
    own(await got(JSON.stringify({ size: 1, chunks: 1 })), as('TEAM_FILE_PART_MISSING', {}));
    own(
      await got(JSON.stringify({ size: 1, chunks: 1 }), Buffer.alloc(1048577)),
      as('TEAM_FILE_TOO_LARGE', {}),
    );
    own(
      await got(JSON.stringify({ size: 1, chunks: 1 }), Buffer.from('x')),
      as('TEAM_FILE_HASH_MISMATCH', {}),
    );

    // Team jobs through the engine: team mode on, its Redis away (submissions wait here), then off.
    const data = dataDir();
    const input = writeCsv(join(certs, 'request.csv'), [
      ['Brand', 'Article'],
      ['BOSCH', '0 986 452 041'],
    ]);
    const team = { url: 'redis://127.0.0.1:1', name: 'msgs', runJobs: false };
    const small = openEngine(data, { run: 'none', team: { ...team, maxBlobBytes: 1 } });
    small.on('error', () => undefined);
    small.start();
    try {
      own(
        await failure(() => small.submit({ kind: 'crossdock', input, list: 'ОПТ-1', outDir: certs })),
        as('TEAM_FILE_OVER_LIMIT', { what: 'file', mb: 1, limitMb: 1 }),
        ['1 МБ'],
      );
    } finally {
      await small.close();
    }
    const teamed = openEngine(data, { run: 'none', team });
    teamed.on('error', () => undefined);
    teamed.start();
    let waiting = '';
    let cancelled = '';
    try {
      const probe = await teamed.testTeam({ url: 'redis://127.0.0.1:1', user: '', name: 'x' });
      expect(probe.ok).toBe(false);
      if (!probe.ok)
        own(
          { code: probe.errorCode, params: probe.errorParams, message: probe.error },
          as('REDIS_CONNECTION_REFUSED', { url: 'redis://127.0.0.1:1' }),
        );
      const name = await teamed.testTeam({ url: 'redis://127.0.0.1:1', user: '', name: 'a b' });
      if (!name.ok)
        own(
          { code: name.errorCode, params: name.errorParams, message: name.error },
          as('TEAM_NAME_INVALID', {}),
        );
      // The team panel's reason: coded too.
      for (let i = 0; i < 200 && !teamed.teamStatus().errorCode; i++)
        await new Promise((r) => setTimeout(r, 25));
      const status = teamed.teamStatus();
      expect(status.errorCode).toMatch(/^(REDIS_CONNECTION_REFUSED|TEAM_UNREACHABLE)$/);
      expectRussian(
        { code: status.errorCode, params: status.errorParams, message: status.error },
        undefined,
        ['127.0.0.1:1'],
      );
      const spec = { kind: 'crossdock', input, list: 'ОПТ-1', outDir: certs };
      waiting = (await teamed.submit(spec)).job.id;
      const other = writeCsv(join(certs, 'other.csv'), [
        ['Brand', 'Article'],
        ['BOSCH', '0 986 452 042'],
      ]);
      cancelled = (await teamed.submit({ ...spec, input: other })).job.id;
      const ended = await teamed.cancel(cancelled);
      own(
        { code: ended.errorCode, params: ended.errorParams, message: ended.error },
        as('TEAM_CANCELLED_BEFORE_SENT', {}),
      );
    } finally {
      await teamed.close();
    }
    const alone = openEngine(data, { run: 'none' });
    try {
      own(await failure(() => alone.cancel(waiting)), as('TEAM_CANCEL_NEEDS_TEAM_MODE', {}));
      own(await failure(() => alone.retry(cancelled)), as('TEAM_RETRY_NEEDS_TEAM_MODE', {}));
    } finally {
      await alone.close();
    }
    // Costly to provoke (a job sent, then Redis gone; a Redis older than 5): as the call sites write them.
    expectRussian(
      'The team queue is offline, so the job cannot be cancelled now; try again when it is back.',
      as('TEAM_OFFLINE_CANCEL', {}),
    );
    expectRussian(
      'Redis 4.0.9 is too old for the team queue; it needs Redis 5 or newer (6.2+ recommended).',
      as('REDIS_TOO_OLD', { version: '4.0.9' }),
      ['4.0.9'],
    );
  });

  it('messages that are costly to provoke, as the engine writes them today', () => {
    expectRussian(
      'The job ran past its time limit of 900 s and was stopped; split the file or raise the limit in Settings.',
      as('TIME_LIMIT', { seconds: 900 }),
      ['900 с'],
    );
    expectRussian(
      'The job was interrupted 3 times (the program running it stopped); retry it when the machine is stable.',
      as('INTERRUPTED_TOO_OFTEN', { times: 3 }),
      ['3 раза'],
    );
    expectRussian(
      'The job ran out of memory and was stopped; the file may be malformed or too large to process.',
      as('OUT_OF_MEMORY', {}),
    );
    expectRussian(
      'The worker running the job stopped unexpectedly (boom).',
      as('WORKER_CRASHED', { reason: 'boom' }),
      ['(boom)'],
    );
    expectRussian(
      'The copy of the input file is gone from the data folder; submit the file again.',
      as('INPUT_GONE', {}),
    );
    expectRussian(
      'The output folder /home/anna/Результаты is a file; choose a folder.',
      as('OUTPUT_FOLDER_IS_FILE', { path: '/home/anna/Результаты' }),
      ['/home/anna/Результаты'],
    );
    expectRussian('Cancelled while running.', as('CANCELLED_WHILE_RUNNING', {}));
    expectRussian('Cancelled.', as('CANCELLED', {}));
    // a wrapped sentence: the engine's own inside is translated too, a system error is kept
    const inner = { code: null, params: {}, message: 'EACCES: permission denied' };
    expectRussian(
      'The result could not be saved: EACCES: permission denied',
      as('RESULT_NOT_SAVED', nest(inner)),
      ['EACCES: permission denied'],
    );
    const gone = new CodedError('FINISHED_FILE_MISSING', { path: '/out/.~crossdock-1.xlsx.tmp' });
    expect(
      expectRussian(
        'The result could not be saved: the finished file /out/.~crossdock-1.xlsx.tmp is missing',
        as('RESULT_NOT_SAVED', nest(gone.info())),
      ),
    ).toBe('Не удалось сохранить результат: готовый файл /out/.~crossdock-1.xlsx.tmp пропал.');
    expect(
      expectRussian(
        'A running job cannot be deleted; cancel it first.',
        as('CANNOT_DELETE', { status: 'running' }),
      ),
    ).toContain('Выполняющееся');
    expectRussian(
      'The result could not be opened (ENOENT).',
      as('RESULT_OPEN_FAILED', { reason: 'ENOENT' }),
      ['(ENOENT)'],
    );
    expectRussian(
      'Only the results of Crossdock jobs can be opened from the app.',
      as('ONLY_JOB_RESULTS', {}),
    );
    expectRussian(new CodedError('UNSUPPORTED_ZIP', { method: 14 }), undefined, ['(14)']);
    expectRussian(new CodedError('CSV_FIELD_TOO_LONG', { row: 7 }), undefined, ['строке 7']);
    expectRussian(
      'The ClickHouse server at http://h:8123 does not accept user "bob" from this computer; ask its administrator to allow it.',
      as('CLICKHOUSE_HOST_NOT_ALLOWED', { url: 'http://h:8123', user: 'bob' }),
      ['«bob»'],
    );
    const retrying = new CodedError('RETRYING', {
      ...nest(new CodedError('CLICKHOUSE_TIMEOUT', { url: 'http://h:8123' }).info()),
      seconds: 2.5,
      attempt: 2,
      max: 3,
    });
    expect(retrying.message).toBe(
      'The ClickHouse server at http://h:8123 did not answer in time. Retrying in 2.5 s (attempt 2 of 3).',
    );
    expect(expectRussian(retrying)).toBe(
      'Сервер ClickHouse http://h:8123 не ответил вовремя; попробуйте позже. Повтор через 2.5 с (попытка 2 из 3).',
    );
  });
});
