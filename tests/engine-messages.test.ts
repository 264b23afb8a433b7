// The renderer translates the engine's English sentences by pattern (src-renderer/i18n/engine-messages.ts).
// These tests make the engine say them for real (worker functions on bad files, engine calls on bad
// input, the ClickHouse error classifier), so a reworded engine sentence that the table no longer
// matches fails here instead of quietly showing English to a Russian user. The few sentences that
// are costly to provoke are taken from the engine's source text itself, for the same reason.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedisUrl, describeRedisError } from '../src-main/team/config.ts';
import { ARG_SCHEMAS, describeArgError } from '../src-main/common/contract.ts';
import type { Engine } from '../src-main/engine/engine.ts';
import { ENGINE_MESSAGES, translateEngineMessage } from '../src-renderer/i18n/engine-messages.ts';
import { detectColumns, noHeaderError } from '../src-worker/crossdock/columns.ts';
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

/** The message an engine call fails with. */
async function failure(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the call to fail');
}

/**
 * Checks one real engine sentence: a rule knows it, the Russian is Cyrillic, one sentence ending with
 * a full stop, and it keeps every name, path and number the English quotes (`keep`).
 */
function expectRussian(english: string, keep: string[] = []): string {
  const ru = translateEngineMessage('ru', english);
  expect(ru, `no Russian for: ${english}`).not.toBe(english);
  expect(ru).toMatch(CYRILLIC);
  expect(ru.trim()).toMatch(/\.$/);
  expect(ru).not.toMatch(/\n/);
  // no English sentence parts left over (names, paths and flags aside)
  expect(ru).not.toMatch(/\b(?:the|and|is|not|retry|choose|check)\b/);
  for (const k of keep) expect(ru, `"${k}" lost in: ${ru}`).toContain(k);
  expect(translateEngineMessage('en', english)).toBe(english);
  return ru;
}

/** A string literal of `file` that starts with `start`, its `${…}` parts filled with `values` in order. */
function fromSource(file: string, start: string, values: string[]): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const i = ["'", '"', '`']
    .map((quote) => text.indexOf(quote + start))
    .filter((at) => at >= 0)
    .sort((a, b) => a - b)[0];
  expect(i, `"${start}" is no longer in ${file}`).toBeDefined();
  const quote = text[i];
  const end = text.indexOf(quote, i + 1);
  let n = 0;
  return text.slice(i + 1, end).replace(/\$\{[^}]*\}/g, () => values[n++] ?? '');
}

describe('engine messages in Russian', () => {
  let dir: string;

  beforeAll(() => {
    dir = temp('cd-msg-');
  });
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  it('leaves an unknown sentence, and English, unchanged', () => {
    const odd = 'Something the table has never heard of; do something else.';
    expect(translateEngineMessage('ru', odd)).toBe(odd);
    expect(translateEngineMessage('en', 'The file is empty.')).toBe('The file is empty.');
    expect(translateEngineMessage('ru', '')).toBe('');
    // a known sentence with extra words around it is a different sentence: not translated
    expect(translateEngineMessage('ru', 'Note: The file is empty. Really.')).toBe(
      'Note: The file is empty. Really.',
    );
  });

  it('every rule is anchored at both ends', () => {
    for (const r of ENGINE_MESSAGES) {
      expect(r.pattern.source.startsWith('^'), r.pattern.source).toBe(true);
      expect(r.pattern.source.endsWith('$'), r.pattern.source).toBe(true);
    }
  });

  it('header and column detection', () => {
    const none = noHeaderError([['Марка?', 'Код', 'Цена']], {}).message;
    expect(expectRussian(none, ['Марка?, Код, Цена', '20'])).toContain('Бренд и Артикул');
    expectRussian(noHeaderError([], {}).message, ['20']);
    const named = noHeaderError([['Марка', 'Код']], {
      brand: 'Производитель',
      article: 'Номер детали',
    }).message;
    expect(expectRussian(named, ['«Производитель»', '«Номер детали»', 'Марка, Код'])).toContain(
      'бренд «Производитель», артикул «Номер детали»',
    );
    const several = (() => {
      try {
        detectColumns([['Brand', 'Make', 'Article']]);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expectRussian(several, ['«Brand» и «Make»', 'Бренд', '--brand-col']);
    const same = (() => {
      try {
        detectColumns([['Brand', 'Article']], { brand: '1', article: '1' });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expectRussian(same);
    const wb = { sheetNames: ['Прайс', 'Итого'] } as unknown as Parameters<typeof sheetIndexes>[0];
    expectRussian(
      (() => {
        try {
          sheetIndexes(wb, 'Лист1');
        } catch (err) {
          return (err as Error).message;
        }
        return '';
      })(),
      ['«Лист1»', '«Прайс», «Итого»'],
    );
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

    const cases: [string, string[]][] = [
      [join(dir, 'missing.xlsx'), ['missing.xlsx']],
      [folder, ['folder.xlsx']],
      [empty, []],
      [locked, ['Excel']],
      [xls, ['.xls', '.xlsx']],
      [html, ['page.xls', '.xlsx']],
      [png, ['photo.xlsx', '(.xlsx или .csv)']],
      [xlsb, ['binary.xlsb', '.xlsb']],
      [ods, ['open.ods', '.ods']],
      [zip, ['photos.zip', '.xlsx']],
      [cut, ['.xlsx']],
    ];
    for (const [file, keep] of cases) {
      const message = await failure(async () => {
        const wb = await openSpreadsheet(file);
        await runInspect(file);
        await wb.close();
      });
      expectRussian(message, keep);
    }
  });

  it('files whose parts are refused', async () => {
    const inspect = async (name: string, content: Buffer): Promise<string> => {
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
      ['DOCTYPE'],
    );
    expectRussian(await inspect('charts.xlsx', buildZip(xlsxEntries({ sheets: [] }))), ['charts.xlsx']);
    const bomb = zeroBomb(8); // 64 MiB of zeros in a few kB
    const bombed = xlsxEntries({ sheets: [{ name: 'S', xml: '' }] }).map((e) =>
      e.name === 'xl/worksheets/sheet1.xml' ? { name: e.name, raw: { ...bomb, crc: 0 } } : e,
    );
    expectRussian(await inspect('bomb.xlsx', buildZip(bombed)), ['«zip-бомба»']);
    const encrypted = xlsxEntries({ sheets: [{ name: 'S', xml: plainSheet('') }] }).map((e) =>
      e.name === 'xl/worksheets/sheet1.xml' ? { ...e, flags: 1 } : e,
    );
    expectRussian(await inspect('encrypted.xlsx', buildZip(encrypted)), ['zip']);
    const twoSheets = xlsxEntries({
      sheets: [
        { name: 'Data', xml: plainSheet('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>') },
        { name: 'Пусто', xml: plainSheet('') },
      ],
    });
    const f = join(dir, 'two.xlsx');
    writeFileSync(f, buildZip(twoSheets));
    expectRussian(await failure(() => runInspect(f, 'two.xlsx', 'Пусто')), ['«Пусто»']);
    expectRussian(await failure(() => runInspect(f, 'two.xlsx', 'Нет такого')), [
      '«Нет такого»',
      '«Data», «Пусто»',
    ]);
    const blank = writeCsv(join(dir, 'blank.csv'), [[''], ['']]);
    expectRussian(await failure(() => runInspect(blank)));

    const big = join(dir, 'big.xlsx');
    writeFileSync(big, buildZip([{ name: 'xl/workbook.xml', data: 'x'.repeat(5000) }]));
    const reader = await ZipReader.open(big);
    try {
      const entry = reader.find('xl/workbook.xml')!;
      expectRussian(await failure(() => reader.readEntry(entry, 100)), ['xl/workbook.xml', '5000 байт']);
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
    expectRussian(r.problem!, ['Марка?, Код']);
  });

  it('ClickHouse connection errors', () => {
    const conn = new ClickHouseConnection({ url: 'http://ch.example:8123', user: 'reader' });
    const url = 'http://ch.example:8123';
    const said = (err: unknown): string => conn.classify(err).message;
    expectRussian(said({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }), [url]);
    expectRussian(said({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }), [url]);
    expectRussian(said({ code: 'ETIMEDOUT', message: 'timeout' }), [url]);
    expectRussian(said({ code: 'ECONNRESET', message: 'socket hang up' }), [url, 'ECONNRESET']);
    expectRussian(said({ code: 'EHOSTUNREACH', message: 'no route' }), [url, 'EHOSTUNREACH']);
    expectRussian(
      said({ message: 'Code: 516. DB::Exception: reader: Authentication failed. (AUTHENTICATION_FAILED)' }),
      [url, '«reader»', 'CROSSDOCK_CLICKHOUSE_PASSWORD'],
    );
    expectRussian(said({ message: 'Code: 195. DB::Exception: not allowed from this IP' }), [url, '«reader»']);
    expectRussian(
      said({ message: 'Code: 497. DB::Exception: reader: Not enough privileges. (ACCESS_DENIED)' }),
      [url, '«reader»'],
    );
    expectRussian(
      said({ message: "Code: 81. DB::Exception: Database `shop` doesn't exist. (UNKNOWN_DATABASE)" }),
      [url, '«shop»', '«crossdock demo-data»'],
    );
    expectRussian(said({ message: 'Code: 202. DB::Exception: Too many simultaneous queries.' }), [url]);
  });

  it('ClickHouse: a URL that is not one, and the schema checks', async () => {
    expectRussian(await failure(() => new ClickHouseConnection({ url: 'ftp://ch.example' })), [
      '«ftp://ch.example»',
    ]);
    // The schema check of a source, over a connection that answers its one metadata query.
    const Source = ClickHouseSource as unknown as new (
      conn: unknown,
      database: string,
      signal: undefined,
    ) => { checkSchema(): Promise<void> };
    const schema = (rows: { table: string; name: string }[]): Promise<string> =>
      failure(() => new Source({ rows: () => Promise.resolve(rows) }, 'shop', undefined).checkSchema());
    const offers = (drop: number) =>
      REQUIRED_COLUMNS.offers.slice(0, REQUIRED_COLUMNS.offers.length - drop).map((name) => ({
        table: 'offers',
        name,
      }));
    const last = REQUIRED_COLUMNS.offers.at(-1)!;
    const last2 = REQUIRED_COLUMNS.offers.at(-2)!;
    expectRussian(await schema([]), ['«shop»', '«offers»', '«crossdock demo-data»']);
    expect(expectRussian(await schema(offers(1)), ['«shop.offers»', `«${last}»`])).toContain('столбца');
    expect(expectRussian(await schema(offers(2)), ['«shop.offers»', `«${last2}», «${last}»`])).toContain(
      'столбцов',
    );
  });

  it('export queries', () => {
    const said = (sql: string): string => {
      try {
        checkReadOnlyQuery(sql, 'clickhouse');
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`accepted: ${sql}`);
    };
    expectRussian(said('  '));
    expectRussian(said('DROP TABLE offers'), ['«DROP»']);
    expectRussian(said('SELECT 1; SELECT 2'));
    expectRussian(said('SELECT * FROM offers FORMAT CSV'), ['FORMAT']);
    expectRussian(said("SELECT 'abc"), ["(')"]);
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
        [missing],
      );
      expectRussian(
        await failure(() => engine.submit({ kind: 'crossdock', input: dir, list: 'ОПТ-1', outDir: out })),
        [dir],
      );
      expectRussian(await failure(() => engine.inspect(dir)), [dir]);
      const good = writeCsv(join(dir, 'good.csv'), [
        ['Brand', 'Article'],
        ['BOSCH', '0 986 452 041'],
      ]);
      const asFile = join(dir, 'a-file');
      writeFileSync(asFile, 'x');
      expectRussian(
        await failure(() => engine.submit({ kind: 'crossdock', input: good, list: 'ОПТ-1', outDir: asFile })),
        [asFile],
      );
      const under = join(asFile, 'results');
      expectRussian(
        await failure(() => engine.submit({ kind: 'crossdock', input: good, list: 'ОПТ-1', outDir: under })),
        [under],
      );
      const settings = await failure(() => engine.submit({ kind: 'crossdock', input: good, outDir: out }));
      expectRussian(settings, ['list']);

      const { job } = await engine.submit({ kind: 'crossdock', input: good, list: 'ОПТ-1', outDir: out });
      expect(expectRussian(await failure(() => engine.retry(job.id)))).toContain('в очереди');
      expect(expectRussian(await failure(() => engine.remove(job.id)))).toContain('в очереди');
      expectRussian(await failure(() => engine.addComment(job.id, '   ')));
      expectRussian(await failure(() => engine.retry('01JZZZZZZZZZZZZZZZZZZZZZZZ')), [
        '01JZZZZZZZZZZZZZZZZZZZZZZZ',
      ]);
      const cancelled = await engine.cancel(job.id);
      expectRussian(cancelled.error!);

      expectRussian(await failure(() => engine.supplierLists('clickhouse')), ['CROSSDOCK_CLICKHOUSE_URL']);
      const team = await engine.testTeam({ url: 'redis://127.0.0.1:1', user: '', name: 'x' } as never);
      if (!team.ok) expectRussian(team.error);
    });

    it('schedules', async () => {
      const spec = { kind: 'export', list: 'ОПТ-1', outDir: out };
      expectRussian(await failure(() => engine.addSchedule('', spec)), ['«0 8 * * 1»']);
      expectRussian(await failure(() => engine.addSchedule('0 8 * * 1 *', spec)), [
        '«0 8 * * 1 *»',
        '6 полей',
      ]);
      expectRussian(await failure(() => engine.addSchedule('0 8 *', spec)), ['«0 8 *»', '3 поля']);
      expectRussian(await failure(() => engine.addSchedule('0 8 * * 1', spec, 'Mars/Olympus')), [
        '«Mars/Olympus»',
      ]);
      expectRussian(
        await failure(() =>
          engine.addSchedule('0 8 * * 1', { kind: 'crossdock', input: SAMPLE, list: 'ОПТ-1', outDir: out }),
        ),
      );
    });

    it('the arguments of a call', () => {
      const parsed = ARG_SCHEMAS.submit.safeParse([{ kind: 'nothing' }]);
      expect(parsed.success).toBe(false);
      if (!parsed.success) expectRussian(describeArgError('submit', parsed.error));
      const settings = ARG_SCHEMAS.updateSettings.safeParse([{ maxAttempts: -1 }]);
      expect(settings.success).toBe(false);
      if (!settings.success)
        expectRussian(describeArgError('updateSettings', settings.error), ['maxAttempts']);
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
      const [noData, noList, priceless, lineless, badQuery] = jobs;
      expectRussian(noData.error!);
      expectRussian(noList.error!, ['«Нет-такого»', 'ОПТ-1']);
      expectRussian(priceless.error!, ['Бренд, Артикул, Остаток', '«Цена»']);
      expectRussian(lineless.error!);
      expect(expectRussian(badQuery.error!, ['nope'])).toMatch(/^Запрос не выполнен: /);
    } finally {
      await engine.close();
    }
  });

  it('team mode: Redis connection errors and team files', () => {
    const url = 'redis://127.0.0.1:6390';
    expectRussian(checkRedisUrl('http://x')!, ['«http://x»']);
    expectRussian(checkRedisUrl('redis://')!);
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
      Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }),
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
      new Error('Connection is closed.'),
    ]) {
      const sentence = describeRedisError(err, url);
      expectRussian(
        sentence,
        [url.replace('redis://', '')].filter((w) => sentence.includes(w)),
      );
    }
    // The server's own words stay as Redis wrote them, inside the Russian sentence.
    const noperm = describeRedisError(
      new Error("NOPERM this user has no permissions to run the 'evalsha' command"),
      url,
    );
    expect(translateEngineMessage('ru', noperm)).toMatch(
      /^У пользователя Redis нет нужного Crossdock права \(NOPERM/,
    );
    const blobs = 'src-main/team/blobs.ts';
    expectRussian(fromSource(blobs, 'The team file is larger than the limit', []));
    expectRussian(fromSource(blobs, '${what} is ', ['The input', '300 MB', '200 MB']), ['300 МБ', '200 МБ']);
    expectRussian(fromSource('src-main/team/service.ts', 'The team queue is offline', []));
    expectRussian(fromSource('src-main/engine/engine.ts', 'This team job can be cancelled only', []));
  });

  it('messages that are costly to provoke, as the engine source writes them', () => {
    const engine = 'src-main/engine/engine.ts';
    expectRussian(fromSource(engine, 'The job ran past its time limit of ', ['900']), ['900 с']);
    expectRussian(fromSource(engine, 'The job was interrupted ', ['3']), ['3 раза']);
    expectRussian(fromSource(engine, 'The job ran out of memory', []));
    expectRussian(fromSource(engine, 'The worker running the job stopped unexpectedly', ['boom']), [
      '(boom)',
    ]);
    expectRussian(fromSource(engine, 'The copy of the input file is gone', []));
    expectRussian(fromSource(engine, 'The output folder ${outDir} is a file', ['/home/anna/Результаты']), [
      '/home/anna/Результаты',
    ]);
    expectRussian(fromSource(engine, 'Cancelled while running.', []));
    // a wrapped sentence: the engine's own inside is translated too, a system error is kept
    const saved = fromSource(engine, 'The result could not be saved: ', ['EACCES: permission denied']);
    expectRussian(saved, ['EACCES: permission denied']);
    expectRussian(fromSource(engine, 'Cancelled.', []));
    expect(expectRussian(fromSource(engine, 'A ${job.status} job cannot be deleted', ['running']))).toContain(
      'Выполняющееся',
    );
    const ipc = 'src-main/electron/ipc.ts';
    expectRussian(fromSource(ipc, 'The result could not be opened (', ['ENOENT']), ['(ENOENT)']);
    expectRussian(fromSource(ipc, 'Only the results of Crossdock jobs', []));
    const zip = 'src-worker/io/zip-reader.ts';
    expectRussian(fromSource(zip, 'The file uses a compression method (', ['14']), ['(14)']);
    const csv = 'src-worker/io/csv-reader.ts';
    expectRussian(fromSource(csv, 'Row ${this.record} of the CSV file', ['7']), ['строке 7']);
    const ch = 'src-worker/sources/clickhouse.ts';
    expectRussian(
      fromSource(ch, 'The ClickHouse server at ${url} does not accept', ['http://h:8123', 'bob']),
      ['«bob»'],
    );
  });
});
