import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeBrand } from '../src-main/common/normalize.ts';
import { openSpreadsheet } from '../src-worker/io/open-spreadsheet.ts';
import { InputError, type CellValue } from '../src-worker/io/types.ts';
import type { ExportInput, ExportWhat, SourceConfig } from '../src-worker/protocol.ts';
import { quoteString } from '../src-worker/sources/clickhouse-quote.ts';
import { createDemoData } from '../src-worker/sources/clickhouse-demo.ts';
import { ensureDemoCatalog } from '../src-worker/sources/demo-catalog.ts';
import { clickHouseType } from '../src-worker/sources/export-clickhouse.ts';
import { checkReadOnlyQuery } from '../src-worker/sources/export-query.ts';
import { exportRows } from '../src-worker/sources/export-rows.ts';
import { TaskContext } from '../src-worker/task-context.ts';
import { runExport } from '../src-worker/tasks/export.ts';
import { tempDir } from './helpers.ts';
import { startClickHouse, type ClickHouseServer } from './support/clickhouse-server.ts';

const CH_OFFERS = 20_000;
/** A supplier list name that would break SQL if it were pasted into it. */
const HOSTILE_LIST = `O'Brien \\ "x" --; DROP TABLE offers; '`;
const HOSTILE_SUPPLIER = 'Берг';

let ch: ClickHouseServer;
let catalog: string;
let typesFile: string;

const SOURCES: [string, () => SourceConfig][] = [
  ['SQLite demo catalog', () => ({ kind: 'demo', catalogFile: catalog })],
  ['ClickHouse', () => ({ kind: 'clickhouse', url: ch.url, database: 'demo' })],
];

interface OfferRow {
  brand: string;
  article: string;
  supplier: string;
  name: string;
  price: number;
  currency: string;
  quantity: number;
  delivery_days: number;
}

beforeAll(async () => {
  const dir = tempDir('cd-export-data-');
  catalog = ensureDemoCatalog(dir);
  const db = new Database(catalog);
  db.prepare('INSERT INTO supplier_lists VALUES (?, ?)').run(HOSTILE_LIST, HOSTILE_SUPPLIER);
  db.close();

  typesFile = join(dir, 'types.sqlite');
  const t = new Database(typesFile);
  t.exec(`CREATE TABLE t (id INTEGER, big INTEGER, price REAL, day DATE, ts DATETIME, note TEXT, flag BOOLEAN);
    INSERT INTO t VALUES (1, 9007199254740993, 1.5, '2024-02-29', '2024-02-29 13:45:10', NULL, 1);
    INSERT INTO t VALUES (2, -7, NULL, 'not a date', NULL, '=HYPERLINK("x")', 0);`);
  t.close();

  ch = await startClickHouse();
  await createDemoData({ url: ch.url, database: 'demo' }, { offers: CH_OFFERS });
  await ch.query(
    `INSERT INTO demo.supplier_lists VALUES (${quoteString(HOSTILE_LIST)}, ${quoteString(HOSTILE_SUPPLIER)})`,
  );
}, 120_000);

afterAll(async () => {
  await ch?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

interface Run {
  files: { tmp: string; final: string }[];
  rows: number;
  dir: string;
  logs: string[];
  totals: (number | null)[];
}

/** Runs an export into a fresh folder and renames its files as the engine would. */
async function exportTo(
  source: SourceConfig,
  what: ExportWhat,
  format: 'xlsx' | 'csv',
  opts: {
    maxRowsPerSheet?: number;
    signal?: AbortSignal;
    onProgress?: (done: number) => void;
    dir?: string;
  } = {},
): Promise<Run> {
  const dir = opts.dir ?? tempDir('cd-export-out-');
  const input: ExportInput = {
    jobId: 'job-1',
    source,
    what,
    format,
    finalPath: join(dir, `export.${format}`),
    tmpPrefix: join(dir, '.crossdock-job-1'),
    maxRowsPerSheet: opts.maxRowsPerSheet,
  };
  const logs: string[] = [];
  const totals: (number | null)[] = [];
  const ctx = new TaskContext(null);
  ctx.log = (_level, message) => logs.push(message);
  ctx.progress = (done, total) => {
    totals.push(total);
    opts.onProgress?.(done);
  };
  const { stats, files } = await runExport(input, ctx, opts.signal);
  expect(stats).toMatchObject({ found: 0, partial: 0, notFound: 0, invalid: 0 });
  for (const f of files) renameSync(f.tmp, f.final);
  expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.final.slice(dir.length + 1)).sort());
  return { files, rows: stats.rows, dir, logs, totals };
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

function expectOneSentence(message: string): void {
  expect(message).not.toMatch(/\n/);
  expect(message).toMatch(/[.…]$/);
  // No second sentence: a full stop followed by a capital letter.
  expect(message.slice(0, -1)).not.toMatch(/[.!?] \p{Lu}/u);
}

/** All offers of a list (optionally one brand), fetched plainly and sorted here: the expected export. */
async function byHand(source: SourceConfig, list: string, brand?: string): Promise<CellValue[][]> {
  let offers: OfferRow[];
  let members: string[];
  if (source.kind === 'demo') {
    const db = new Database(catalog, { readonly: true });
    offers = db.prepare('SELECT * FROM offers').all() as OfferRow[];
    members = db.prepare('SELECT supplier FROM supplier_lists WHERE list = ?').pluck().all(list) as string[];
    db.close();
  } else {
    offers = (await jsonRows<OfferRow>('SELECT * FROM demo.offers')).map((o) => ({
      ...o,
      quantity: Number(o.quantity),
      delivery_days: Number(o.delivery_days),
    }));
    members = (
      await jsonRows<{ supplier: string }>(
        `SELECT supplier FROM demo.supplier_lists WHERE list = ${quoteString(list)}`,
      )
    ).map((r) => r.supplier);
  }
  const want = new Set(members);
  const b = brand === undefined ? undefined : normalizeBrand(brand);
  const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
  const cmp = (x: string, y: string): number => Buffer.compare(bytes(x), bytes(y));
  return offers
    .filter((o) => want.has(o.supplier) && (b === undefined || o.brand === b))
    .sort(
      (x, y) =>
        cmp(x.brand, y.brand) ||
        cmp(x.article, y.article) ||
        x.price - y.price ||
        cmp(x.supplier, y.supplier) ||
        x.delivery_days - y.delivery_days ||
        x.quantity - y.quantity ||
        cmp(x.name, y.name) ||
        cmp(x.currency, y.currency),
    )
    .map((o) => [o.brand, o.article, o.supplier, o.name, o.price, o.currency, o.quantity, o.delivery_days]);
}

async function jsonRows<T>(sql: string): Promise<T[]> {
  const text = await ch.query(`${sql} FORMAT JSONEachRow`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

const LIST_HEADER = [
  'Brand',
  'Article',
  'Supplier',
  'Offer name',
  'Price',
  'Currency',
  'Quantity',
  'Delivery days',
];

/** Every sheet of a workbook as rows of values (exceljs), empty cells as null. */
async function excelSheets(
  path: string,
): Promise<{ name: string; ws: ExcelJS.Worksheet; rows: unknown[][] }[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb.worksheets.map((ws) => {
    const rows: unknown[][] = [];
    ws.eachRow({ includeEmpty: true }, (row) => {
      const width = ws.columnCount;
      const values = (row.values as unknown[]).slice(1);
      const out: unknown[] = [];
      for (let c = 0; c < width; c++) out.push(values[c] ?? null);
      rows.push(out);
    });
    return { name: ws.name, ws, rows };
  });
}

/** The project's reader: rows of every sheet (or of the CSV file), header included. */
async function projectRows(path: string): Promise<CellValue[][][]> {
  const wb = await openSpreadsheet(path);
  try {
    const sheets: CellValue[][][] = [];
    for (let s = 0; s < wb.sheetNames.length; s++) {
      const rows: CellValue[][] = [];
      for await (const batch of wb.sheet(s).batches()) rows.push(...batch.rows);
      sheets.push(rows);
    }
    return sheets;
  } finally {
    await wb.close();
  }
}

/** A cell as CSV shows it. */
const csvText = (v: CellValue): string => (v === null ? '' : String(v));

async function offerCount(source: SourceConfig): Promise<number> {
  if (source.kind === 'demo') {
    const db = new Database(catalog, { readonly: true });
    const n = db.prepare('SELECT count(*) FROM offers').pluck().get() as number;
    db.close();
    return n;
  }
  return Number((await ch.query('SELECT count() FROM demo.offers')).trim());
}

// ---------------------------------------------------------------------------------------------

describe.each(SOURCES)('export from the %s', (kind, sourceOf) => {
  it('exports a list for one brand to xlsx, cell by cell, with a bold frozen filtered header', async () => {
    const source = sourceOf();
    const expected = await byHand(source, 'ОПТ-1', ' bosch ');
    expect(expected.length).toBeGreaterThan(10);
    const run = await exportTo(source, { kind: 'list', list: 'ОПТ-1', brand: ' bosch ' }, 'xlsx');
    expect(run.rows).toBe(expected.length);
    expect(run.totals).toContain(expected.length);
    const [sheet, ...more] = await excelSheets(run.files[0].final);
    expect(more).toHaveLength(0);
    expect(sheet.name).toBe('ОПТ-1');
    expect(sheet.rows[0]).toEqual(LIST_HEADER);
    expect(sheet.rows.slice(1)).toEqual(expected);
    expect(sheet.ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.ws.autoFilter).toBeTruthy();
    expect(run.logs.join('\n')).toContain(`Exported ${expected.length} rows`);
  });

  it('exports a whole list to csv, cell by cell', async () => {
    const source = sourceOf();
    const expected = await byHand(source, 'ОПТ-2');
    const run = await exportTo(source, { kind: 'list', list: 'ОПТ-2' }, 'csv');
    expect(run.rows).toBe(expected.length);
    expect(run.files).toHaveLength(1);
    const [rows] = await projectRows(run.files[0].final);
    expect(rows[0]).toEqual(LIST_HEADER);
    expect(rows.length - 1).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i].map(csvText);
      if (rows[i + 1].join('\u0001') !== want.join('\u0001')) expect([i, rows[i + 1]]).toEqual([i, want]);
    }
  });

  it('refuses an unknown list, naming the known ones', async () => {
    const err = await rejection(exportTo(sourceOf(), { kind: 'list', list: 'НЕТ' }, 'xlsx'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('NO_SUCH_LIST');
    expect(err.message).toContain('ОПТ-1, ОПТ-2');
    expectOneSentence(err.message);
  });

  it('takes hostile list and brand names as plain values', async () => {
    const source = sourceOf();
    const expected = await byHand(source, HOSTILE_LIST);
    expect(expected.length).toBeGreaterThan(0);
    const run = await exportTo(source, { kind: 'list', list: HOSTILE_LIST }, 'csv');
    expect(run.rows).toBe(expected.length);
    const brand = `x' OR 1=1 OR '\\`;
    const none = await exportTo(source, { kind: 'list', list: HOSTILE_LIST, brand }, 'csv');
    expect(none.rows).toBe(0);
    const err = await rejection(exportTo(source, { kind: 'list', list: `${HOSTILE_LIST}\\` }, 'csv'));
    expect(err.code).toBe('NO_SUCH_LIST');
    expect(await offerCount(source)).toBeGreaterThan(0);
  });

  it('writes the header alone when nothing matches', async () => {
    for (const format of ['xlsx', 'csv'] as const) {
      const run = await exportTo(sourceOf(), { kind: 'list', list: 'ОПТ-1', brand: 'NO SUCH BRAND' }, format);
      expect(run.rows).toBe(0);
      expect(run.files).toHaveLength(1);
      expect(run.logs.join('\n')).toMatch(/Exported 0 rows/);
      const sheets = await projectRows(run.files[0].final);
      expect(sheets).toEqual([[LIST_HEADER]]);
    }
    const run = await exportTo(sourceOf(), { kind: 'query', sql: 'SELECT 1 AS a, 2 AS b LIMIT 0' }, 'csv');
    expect(readFileSync(run.files[0].final, 'utf8')).toBe('\uFEFFa,b\r\n');
  });

  it('splits into sheets and files past maxRowsPerSheet', async () => {
    const source = sourceOf();
    const expected = await byHand(source, 'ОПТ-1', 'BOSCH');
    const perPart = Math.ceil(expected.length / 3);
    const maxRowsPerSheet = perPart + 1; // the header counts
    const xlsx = await exportTo(source, { kind: 'list', list: 'ОПТ-1', brand: 'BOSCH' }, 'xlsx', {
      maxRowsPerSheet,
    });
    const sheets = await excelSheets(xlsx.files[0].final);
    expect(sheets.map((s) => s.name)).toEqual(['ОПТ-1', 'ОПТ-1 (2)', 'ОПТ-1 (3)']);
    for (const s of sheets) {
      expect(s.rows[0]).toEqual(LIST_HEADER);
      expect(s.rows.length).toBeLessThanOrEqual(maxRowsPerSheet);
    }
    expect(sheets.flatMap((s) => s.rows.slice(1))).toEqual(expected);

    const csv = await exportTo(source, { kind: 'list', list: 'ОПТ-1', brand: 'BOSCH' }, 'csv', {
      maxRowsPerSheet,
    });
    expect(csv.files.map((f) => f.final.slice(csv.dir.length + 1))).toEqual([
      'export.csv',
      'export (part 2).csv',
      'export (part 3).csv',
    ]);
    expect(csv.files.map((f) => f.tmp.slice(csv.dir.length + 1))).toEqual([
      '.crossdock-job-1.1.tmp',
      '.crossdock-job-1.2.tmp',
      '.crossdock-job-1.3.tmp',
    ]);
    const parts: CellValue[][] = [];
    for (const f of csv.files) {
      expect(readFileSync(f.final).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const [rows] = await projectRows(f.final);
      expect(rows[0]).toEqual(LIST_HEADER);
      expect(rows.length).toBeLessThanOrEqual(maxRowsPerSheet);
      parts.push(...rows.slice(1));
    }
    expect(parts).toEqual(expected.map((r) => r.map(csvText)));
  });

  it('writes csv as UTF-8 with a BOM and defuses formula-like text', async () => {
    const run = await exportTo(
      sourceOf(),
      {
        kind: 'query',
        sql: `SELECT '=1+1' AS x, '+1' AS p, '-1' AS m, '@SUM(A1)' AS a, 'ОПТ, "1"' AS t, -1 AS n`,
      },
      'csv',
    );
    const bytes = readFileSync(run.files[0].final);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.subarray(3).toString('utf8')).toBe(
      `x,p,m,a,t,n\r\n'=1+1,'+1,'-1,'@SUM(A1),"ОПТ, ""1""",-1\r\n`,
    );
    // In xlsx text is never a formula: it stays as it was.
    const xlsx = await exportTo(sourceOf(), { kind: 'query', sql: `SELECT '=1+1' AS x` }, 'xlsx');
    const [sheet] = await excelSheets(xlsx.files[0].final);
    expect(sheet.rows).toEqual([['x'], ['=1+1']]);
  });

  /** The guard's refusals (export-query.ts), and the databases' own read-only refusals. */
  const REFUSALS = [
    'EMPTY_QUERY',
    'QUERY_NOT_SELECT',
    'QUERY_SEVERAL_STATEMENTS',
    'QUERY_WRITES',
    'QUERY_RETURNS_NO_ROWS',
    'QUERY_WRITE_REFUSED',
    'QUERY_READ_ONLY_REFUSED',
  ];
  const REFUSED = [
    'INSERT INTO offers SELECT * FROM offers',
    'SELECT 1; DROP TABLE offers',
    'select 1 ;\n  drop table offers',
    'WITH x AS (SELECT 1) INSERT INTO offers SELECT * FROM offers',
    'WITH x AS (SELECT 1) DELETE FROM offers',
    'ALTER TABLE offers RENAME TO gone',
    'ALTER TABLE offers DELETE WHERE 1',
    'DROP TABLE offers',
    'TRUNCATE TABLE offers',
    'UPDATE offers SET price = 0',
    '/* SELECT */ DROP TABLE offers',
    'SELECT 1 -- harmless\n; DROP TABLE offers',
    'SELECT 1 /* ; */ ; DELETE FROM offers',
    '-- SELECT\nDELETE FROM offers',
    'SELECT * FROM offers; -- only a comment\nDROP TABLE offers',
    'SET readonly = 0',
    'PRAGMA writable_schema = 1',
    'EXPLAIN SELECT 1',
    '',
    '  -- nothing but a comment',
  ];

  it('refuses anything but one read-only SELECT, in one sentence, and changes nothing', async () => {
    const source = sourceOf();
    const before = await offerCount(source);
    for (const sql of REFUSED) {
      const err = await rejection(exportTo(source, { kind: 'query', sql }, 'csv'));
      expect(err, sql).toBeInstanceOf(InputError);
      expect(REFUSALS, sql).toContain(err.code);
      expectOneSentence(err.message);
    }
    expect(await offerCount(source)).toBe(before);
  });

  it('accepts harmless lookalikes: a trailing semicolon, comments, keywords in strings and names', async () => {
    const run = await exportTo(
      sourceOf(),
      {
        kind: 'query',
        sql: `-- a comment\nSELECT 'DROP TABLE offers; --' AS "delete", replace('a;b', ';', ' ') AS r /* ; */ ;  -- bye\n`,
      },
      'csv',
    );
    expect(readFileSync(run.files[0].final, 'utf8')).toBe('\uFEFFdelete,r\r\nDROP TABLE offers; --,a b\r\n');
  });

  it('reports a bad query as one sentence from the server', async () => {
    for (const sql of ['SELECT nosuch FROM offers', 'SELECT * FROM nosuch_table', 'SELECT (1']) {
      const err = await rejection(exportTo(sourceOf(), { kind: 'query', sql }, 'xlsx'));
      expect(err, sql).toBeInstanceOf(InputError);
      expect(err.code, sql).toBe(sourceOf().kind === 'demo' ? 'QUERY_FAILED' : 'QUERY_FAILED_ON');
      expect(err.message, sql).toMatch(/^The query failed/);
      expectOneSentence(err.message);
    }
  });

  it('stops within 1 s when cancelled mid-stream and leaves no file', async () => {
    const sql =
      kind === 'ClickHouse'
        ? 'SELECT number, toString(number) AS s FROM system.numbers'
        : 'SELECT a.article, b.article, a.price FROM offers a, offers b';
    for (const format of ['xlsx', 'csv'] as const) {
      const ac = new AbortController();
      let done = 0;
      const dir = tempDir('cd-export-out-');
      const pending = exportTo(sourceOf(), { kind: 'query', sql }, format, {
        dir,
        signal: ac.signal,
        onProgress: (n) => (done = n),
      });
      pending.catch(() => {});
      const deadline = Date.now() + 20_000;
      while (done < 50_000) {
        if (Date.now() > deadline) throw new Error('the export never got going');
        await new Promise((r) => setTimeout(r, 20));
      }
      const started = Date.now();
      ac.abort();
      const err = await rejection(pending);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(err.name).toBe('AbortError');
      expect(readdirSync(dir)).toEqual([]);
    }
    if (kind === 'ClickHouse') {
      const running = await ch.query(
        "SELECT count() FROM system.processes WHERE query LIKE '%system.numbers%' AND query NOT LIKE '%system.processes%'",
      );
      expect(running.trim()).toBe('0');
    }
  });
});

describe('typed columns', () => {
  const CH_TYPES = `SELECT number AS id,
    toUInt32(number * 10) AS u32,
    toFloat64(number) / 4 AS f,
    toDecimal64(12.34, 2) AS dec,
    toDate('2024-02-29') + number AS day,
    toDateTime('2024-02-29 13:45:10') + number * 3600 AS ts,
    if(number = 1, NULL, toInt32(number) - 5) AS maybe,
    toUInt64(18446744073709551615) AS big,
    toInt64(-9007199254740991) AS safe,
    toLowCardinality(concat('s', toString(number))) AS lc,
    [1, 2] AS arr
  FROM system.numbers LIMIT 3`;
  const day = (d: number): Date => new Date(Date.UTC(2024, 1, 29 + d));
  const at = (h: number): Date => new Date(Date.UTC(2024, 1, 29, h, 45, 10));
  const HEADER = ['id', 'u32', 'f', 'dec', 'day', 'ts', 'maybe', 'big', 'safe', 'lc', 'arr'];
  const EXPECTED: CellValue[][] = [
    [0, 0, 0, 12.34, day(0), at(13), -5, '18446744073709551615', -9007199254740991, 's0', '[1,2]'],
    [1, 10, 0.25, 12.34, day(1), at(14), null, '18446744073709551615', -9007199254740991, 's1', '[1,2]'],
    [2, 20, 0.5, 12.34, day(2), at(15), -3, '18446744073709551615', -9007199254740991, 's2', '[1,2]'],
  ];
  const source = (): SourceConfig => ({ kind: 'clickhouse', url: ch.url, database: 'demo' });

  it('maps ClickHouse types to cell types', () => {
    expect(clickHouseType('UInt64')).toBe('number');
    expect(clickHouseType('Nullable(Decimal(18, 2))')).toBe('number');
    expect(clickHouseType('LowCardinality(Nullable(String))')).toBe('string');
    expect(clickHouseType('Date')).toBe('date');
    expect(clickHouseType("DateTime('Europe/Moscow')")).toBe('datetime');
    expect(clickHouseType('DateTime64(3)')).toBe('datetime');
    expect(clickHouseType('Nullable(Bool)')).toBe('boolean');
    expect(clickHouseType('Array(UInt8)')).toBe('string');
    expect(clickHouseType('UUID')).toBe('string');
  });

  it('streams the columns with their types first', async () => {
    const chunks = [];
    for await (const c of exportRows(source(), { kind: 'query', sql: CH_TYPES })) chunks.push(c);
    expect(chunks[0]).toMatchObject({
      columns: [
        { name: 'id', type: 'number' },
        { name: 'u32', type: 'number' },
        { name: 'f', type: 'number' },
        { name: 'dec', type: 'number' },
        { name: 'day', type: 'date' },
        { name: 'ts', type: 'datetime' },
        { name: 'maybe', type: 'number' },
        { name: 'big', type: 'number' },
        { name: 'safe', type: 'number' },
        { name: 'lc', type: 'string' },
        { name: 'arr', type: 'string' },
      ],
    });
    expect(chunks.slice(1).flatMap((c) => ('rows' in c ? c.rows : []))).toEqual(EXPECTED);
  });

  it('keeps ClickHouse types in xlsx (exceljs and the project reader) and csv', async () => {
    const run = await exportTo(source(), { kind: 'query', sql: CH_TYPES }, 'xlsx');
    const [sheet] = await excelSheets(run.files[0].final);
    expect(sheet.name).toBe('Query');
    expect(sheet.rows[0]).toEqual(HEADER);
    expect(sheet.rows.slice(1)).toEqual(EXPECTED);
    expect(sheet.ws.getCell('E2').numFmt).toBe('yyyy-mm-dd');
    expect(sheet.ws.getCell('F2').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    const [own] = await projectRows(run.files[0].final);
    expect(own).toEqual([HEADER, ...EXPECTED]);

    const csv = await exportTo(source(), { kind: 'query', sql: CH_TYPES }, 'csv');
    expect(readFileSync(csv.files[0].final, 'utf8').split('\r\n').slice(1, 3)).toEqual([
      '0,0,0,12.34,2024-02-29,2024-02-29 13:45:10,-5,18446744073709551615,-9007199254740991,s0,"[1,2]"',
      '1,10,0.25,12.34,2024-03-01,2024-02-29 14:45:10,,18446744073709551615,-9007199254740991,s1,"[1,2]"',
    ]);
  });

  it('keeps SQLite types: big integers, dates, date-times, booleans, nulls', async () => {
    const src: SourceConfig = { kind: 'demo', catalogFile: typesFile };
    const run = await exportTo(src, { kind: 'query', sql: 'SELECT * FROM t ORDER BY id' }, 'xlsx');
    const expected = [
      ['id', 'big', 'price', 'day', 'ts', 'note', 'flag'],
      [1, '9007199254740993', 1.5, day(0), at(13), null, true],
      [2, -7, null, 'not a date', null, '=HYPERLINK("x")', false],
    ];
    const [sheet] = await excelSheets(run.files[0].final);
    expect(sheet.rows).toEqual(expected);
    const [own] = await projectRows(run.files[0].final);
    expect(own).toEqual(expected);
  });
});

describe('ClickHouse specifics', () => {
  const source = (): SourceConfig => ({ kind: 'clickhouse', url: ch.url, database: 'demo' });

  it('runs every export query with readonly=1: the server refuses what the guard lets through', async () => {
    for (const sql of ['SELECT * FROM numbers(3)', 'SELECT 1 SETTINGS readonly = 0']) {
      const err = await rejection(exportTo(source(), { kind: 'query', sql }, 'csv'));
      expect(err, sql).toBeInstanceOf(InputError);
      expect(err.code, sql).toBe('QUERY_READ_ONLY_REFUSED');
      expect(err.message).toMatch(/read-only mode \(.*readonly mode\)/);
      expectOneSentence(err.message);
    }
  });

  it('reports an error the server meets mid-stream, and leaves no file', async () => {
    const dir = tempDir('cd-export-out-');
    const err = await rejection(
      exportTo(
        source(),
        {
          kind: 'query',
          sql: 'SELECT number, throwIf(number = 300000) AS t FROM system.numbers LIMIT 400000',
        },
        'xlsx',
        { dir },
      ),
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('QUERY_FAILED_ON');
    expect(err.message).toMatch(/throwIf/);
    expectOneSentence(err.message);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('checkReadOnlyQuery', () => {
  it('returns the statement with comments blanked out and without trailing semicolons', () => {
    // Blanks of the comments' size: positions in server messages still point at the user's text.
    expect(checkReadOnlyQuery('  -- hi\nSELECT 1 /* x */ AS a ;  -- bye\n', 'sqlite')).toBe(
      '       \nSELECT 1         AS a',
    );
    expect(checkReadOnlyQuery('with x as (select 1) select * from x;', 'clickhouse')).toBe(
      'with x as (select 1) select * from x',
    );
    expect(checkReadOnlyQuery('SELECT * FROM system.numbers LIMIT 1', 'clickhouse')).toBe(
      'SELECT * FROM system.numbers LIMIT 1',
    );
  });

  it('reads backslashes in strings as each dialect does', () => {
    const sql = "SELECT 'a\\'; DROP TABLE offers; --'";
    // SQLite: the string ends at the second quote, so a DROP follows.
    expect(() => checkReadOnlyQuery(sql, 'sqlite')).toThrow(/more than one statement/);
    // ClickHouse: \' is an escaped quote, so all of it is one string.
    expect(checkReadOnlyQuery(sql, 'clickhouse')).toBe(sql);
  });

  it('refuses a FORMAT clause on ClickHouse and unclosed quotes everywhere', () => {
    expect(() => checkReadOnlyQuery('SELECT 1 FORMAT CSV', 'clickhouse')).toThrow(/FORMAT/);
    expect(checkReadOnlyQuery("SELECT format('{}', 'a')", 'clickhouse')).toBe("SELECT format('{}', 'a')");
    expect(() => checkReadOnlyQuery("SELECT 'a", 'sqlite')).toThrow(InputError);
    expect(() => checkReadOnlyQuery('SELECT "a', 'clickhouse')).toThrow(InputError);
  });
});
