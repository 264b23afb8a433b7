// The rows of an export job (PRODUCT.md "Job kinds" → export), read from either source as a stream:
// first the columns, then batches of typed cells. Nothing here holds more than one batch.
import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.ts';
import { normalizeBrand } from '../../src-main/common/normalize.ts';
import { InputError, type CellValue } from '../io/types.ts';
import type { ExportWhat, SourceConfig } from '../protocol.ts';
import { ClickHouseConnection, ClickHouseSource } from './clickhouse.ts';
import { ClickHouseQueryError, ClickHouseUnavailableError } from './clickhouse-errors.ts';
import { quoteString } from './clickhouse-quote.ts';

export type ExportColumnType = 'string' | 'number' | 'date' | 'datetime' | 'boolean';

export interface ExportColumn {
  name: string;
  type: ExportColumnType;
}

/**
 * What exportRows yields: once the columns (with the row count when it is known up front: list
 * exports count first), then batches of rows, each row one cell per column.
 */
export type ExportChunk = { columns: ExportColumn[]; total?: number | null } | { rows: CellValue[][] };

/** The columns of a supplier-list export, in order. */
export const LIST_COLUMNS: readonly ExportColumn[] = [
  { name: 'Brand', type: 'string' },
  { name: 'Article', type: 'string' },
  { name: 'Supplier', type: 'string' },
  { name: 'Offer name', type: 'string' },
  { name: 'Price', type: 'number' },
  { name: 'Currency', type: 'string' },
  { name: 'Quantity', type: 'number' },
  { name: 'Delivery days', type: 'number' },
];

// The offer columns in LIST_COLUMNS order, and a total order on them: brand, article, price as
// PRODUCT.md asks, then the rest so that two runs over the same data give the same file.
const OFFER_FIELDS = 'brand, article, supplier, name, price, currency, quantity, delivery_days';
const OFFER_ORDER = 'brand, article, price, supplier, delivery_days, quantity, name, currency';

/** Rows per batch read from SQLite: a few ms of work, so an abort is seen quickly. */
const SQLITE_BATCH = 2_000;
/** Longest server message kept in an error sentence. */
const MAX_MESSAGE = 300;

/**
 * Streams the rows of an export: a supplier list's offers (ordered by brand, article, price) or a
 * read-only query. Yields `{ columns }` first, then `{ rows }` batches. The signal stops the read
 * (and the server query) within a second and rejects with its reason; leaving the loop early
 * releases everything too.
 */
export async function* exportRows(
  source: SourceConfig,
  what: ExportWhat,
  signal?: AbortSignal,
): AsyncGenerator<ExportChunk, void, undefined> {
  signal?.throwIfAborted();
  if (source.kind === 'demo') yield* sqliteRows(source.catalogFile, what, signal);
  else yield* clickHouseRows(source, what, signal);
}

// ---------------------------------------------------------------------------------------------
// The read-only guard

/**
 * Checks that `sql` is one SELECT (or WITH … SELECT) statement and returns it with its comments
 * blanked out (spaces of the same length, so that the server's "position 40" still points at the
 * user's text) and without a trailing semicolon. Refuses, with one sentence, anything else: other
 * statements, a second statement after a `;`, and words that write (INSERT, ALTER, DROP, …)
 * anywhere outside string literals and quoted names, e.g. hidden after a WITH. Deliberately
 * stricter than needed: a column called "set" has to be quoted. The servers enforce read-only
 * access too (see below).
 */
export function checkReadOnlyQuery(sql: string, dialect: 'sqlite' | 'clickhouse'): string {
  const tokens = tokenize(sql, dialect);
  const code = tokens.filter((t) => t.kind !== 'space');
  // A trailing semicolon (with only whitespace or comments after it) is harmless.
  while (code.length && code[code.length - 1].text === ';') code.pop();
  if (code.length === 0)
    throw new InputError('The query is empty; write one SELECT statement.', 'EMPTY_QUERY');
  const first = code[0];
  const firstWord = first.kind === 'word' ? first.text.toUpperCase() : first.text;
  if (firstWord !== 'SELECT' && firstWord !== 'WITH') {
    throw new InputError(
      `Only a read-only SELECT (or WITH … SELECT) query can be exported, not one that starts with "${firstWord.slice(0, 40)}".`,
      'NOT_READ_ONLY',
    );
  }
  for (let i = 0; i < code.length; i++) {
    const t = code[i];
    if (t.text === ';') {
      throw new InputError(
        'The query holds more than one statement; export a single SELECT without a semicolon in the middle.',
        'NOT_READ_ONLY',
      );
    }
    if (t.kind !== 'word') continue;
    // `system.numbers`, `t.set`, `replace(…)`: names and function calls, not statements.
    if (code[i - 1]?.text === '.' || code[i + 1]?.text === '.' || code[i + 1]?.text === '(') continue;
    const word = t.text.toUpperCase();
    if (WRITE_WORDS.has(word)) {
      throw new InputError(
        `The query contains ${word}, which may change data; only read-only SELECT queries can be exported.`,
        'NOT_READ_ONLY',
      );
    }
    if (word === 'FORMAT' && dialect === 'clickhouse') {
      throw new InputError(
        'Leave the FORMAT clause out of the query; Crossdock chooses the format it reads.',
        'BAD_QUERY',
      );
    }
  }
  let end = tokens.length;
  while (end > 0 && (tokens[end - 1].kind === 'space' || tokens[end - 1].text === ';')) end--;
  return tokens
    .slice(0, end)
    .map((t) => t.text)
    .join('');
}

// Statement words that write, or change what later statements may do (both dialects).
const WRITE_WORDS = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'UPSERT',
  'MERGE',
  'REPLACE',
  'ALTER',
  'DROP',
  'CREATE',
  'TRUNCATE',
  'RENAME',
  'EXCHANGE',
  'ATTACH',
  'DETACH',
  'UNDROP',
  'OPTIMIZE',
  'GRANT',
  'REVOKE',
  'KILL',
  'SYSTEM',
  'SET',
  'USE',
  'INTO',
  'PRAGMA',
  'VACUUM',
  'REINDEX',
  'ANALYZE',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'BACKUP',
  'RESTORE',
  'WATCH',
  'MOVE',
]);

/** A comment as whitespace of the same length and lines, so that server messages point at the right place. */
function blank(comment: string): string {
  return comment.replace(/[^\n]/g, ' ');
}

interface Token {
  kind: 'space' | 'word' | 'quoted' | 'other';
  text: string;
}

/**
 * Splits SQL into words, literals/quoted names, whitespace (comments become whitespace) and other
 * characters. Where the dialects differ it errs towards reading more as code, never less: block
 * comments do not nest, `#` and `$$` are not comments or strings, and backslash escapes count only
 * in ClickHouse (in SQLite `'a\'` is a whole string).
 */
function tokenize(sql: string, dialect: 'sqlite' | 'clickhouse'): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      const start = i;
      i = nl < 0 ? n : nl + 1;
      tokens.push({ kind: 'space', text: blank(sql.slice(start, i)) });
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      const start = i;
      i = close < 0 ? n : close + 2;
      tokens.push({ kind: 'space', text: blank(sql.slice(start, i)) });
    } else if (/\s/.test(c)) {
      const start = i;
      while (i < n && /\s/.test(sql[i])) i++;
      tokens.push({ kind: 'space', text: sql.slice(start, i) });
    } else if (c === "'" || c === '"' || c === '`' || (c === '[' && dialect === 'sqlite')) {
      const close = c === '[' ? ']' : c;
      const start = i++;
      for (;;) {
        if (i >= n) {
          throw new InputError(
            `The query has an unclosed ${c === "'" ? 'string' : 'quoted name'} (${c}); close it and retry.`,
            'BAD_QUERY',
          );
        }
        const d = sql[i++];
        if (d === '\\' && dialect === 'clickhouse' && close !== ']') i++;
        else if (d === close) {
          if (close !== ']' && sql[i] === close) i++;
          else break;
        }
      }
      tokens.push({ kind: 'quoted', text: sql.slice(start, i) });
    } else if (/[\p{L}_]/u.test(c)) {
      const start = i;
      while (i < n && /[\p{L}\p{N}_$]/u.test(sql[i])) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i) });
    } else {
      tokens.push({ kind: 'other', text: c });
      i++;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// SQLite (the demo catalog)

/**
 * Read-only by construction: a connection of its own opened with `readonly: true` (SQLite refuses
 * every write on it) and `query_only`, a statement that better-sqlite3 reports as `readonly` and
 * as returning rows, and prepare() refusing a second statement. Rows come from iterate() in
 * batches: the result is never materialized.
 */
async function* sqliteRows(
  file: string,
  what: ExportWhat,
  signal: AbortSignal | undefined,
): AsyncGenerator<ExportChunk, void, undefined> {
  let db: Database.Database;
  try {
    db = openSqlite(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new InputError(
      `The demo catalog ${file} cannot be opened (${(err as Error).message}); restart Crossdock to recreate it.`,
      'NO_CATALOG',
    );
  }
  let iterator: IterableIterator<unknown[]> | null = null;
  try {
    db.pragma('query_only = ON');
    let stmt: Database.Statement<unknown[], unknown[]>;
    let params: unknown[] = [];
    let columns: ExportColumn[];
    let total: number | null = null;
    if (what.kind === 'list') {
      const lists = db.prepare('SELECT DISTINCT list FROM supplier_lists').pluck().all() as string[];
      if (!lists.includes(what.list)) throw unknownList(what.list, lists);
      const brand = what.brand === undefined ? '' : normalizeBrand(what.brand);
      const where = `supplier IN (SELECT supplier FROM supplier_lists WHERE list = ?)${brand ? ' AND brand = ?' : ''}`;
      params = brand ? [what.list, brand] : [what.list];
      total = db
        .prepare(`SELECT count(*) FROM offers WHERE ${where}`)
        .pluck()
        .get(...params) as number;
      // "+supplier" keeps the planner off the supplier index, so that it walks offers_key (brand,
      // article) in order and sorts only within each part: the first row comes at once instead of
      // after sorting the whole list, and the whole export is faster too (150k offers: 350 vs 410 ms).
      stmt = db.prepare(`SELECT ${OFFER_FIELDS} FROM offers WHERE +${where} ORDER BY ${OFFER_ORDER}`);
      columns = LIST_COLUMNS.map((c) => ({ ...c }));
    } else {
      const sql = checkReadOnlyQuery(what.sql, 'sqlite');
      try {
        stmt = db.prepare(sql);
      } catch (err) {
        throw sqliteQueryError(err);
      }
      if (!stmt.readonly || !stmt.reader) {
        throw new InputError(
          'Only a read-only SELECT query that returns rows can be exported.',
          'NOT_READ_ONLY',
        );
      }
      columns = stmt.columns().map((c) => ({ name: c.name, type: sqliteType(c.type) }));
    }
    stmt.raw(true).safeIntegers(true);
    try {
      iterator = stmt.iterate(...params) as IterableIterator<unknown[]>;
    } catch (err) {
      throw sqliteQueryError(err);
    }
    let first: unknown[][];
    try {
      first = take(iterator, SQLITE_BATCH);
    } catch (err) {
      throw sqliteQueryError(err);
    }
    // Expressions have no declared type: their first value decides (cells keep their own type anyway).
    const declared = what.kind === 'list' ? [] : stmt.columns();
    for (let c = 0; c < declared.length; c++) {
      if (declared[c].type !== null) continue;
      const v = first.find((r) => r[c] !== null)?.[c];
      columns[c].type = typeof v === 'number' || typeof v === 'bigint' ? 'number' : 'string';
    }
    yield { columns, total };
    const convert = columns.map((c) => SQLITE_CELL[c.type]);
    for (let batch = first; batch.length > 0;) {
      signal?.throwIfAborted();
      const rows: CellValue[][] = new Array(batch.length);
      for (let r = 0; r < batch.length; r++) {
        const raw = batch[r];
        const row: CellValue[] = new Array(raw.length);
        for (let c = 0; c < raw.length; c++) row[c] = convert[c](raw[c]);
        rows[r] = row;
      }
      yield { rows };
      if (batch.length < SQLITE_BATCH) break;
      // The read is synchronous: let timers and the abort signal's senders run between batches.
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      try {
        batch = take(iterator, SQLITE_BATCH);
      } catch (err) {
        throw sqliteQueryError(err);
      }
    }
  } finally {
    iterator?.return?.();
    db.close();
  }
}

function take(iterator: IterableIterator<unknown[]>, max: number): unknown[][] {
  const out: unknown[][] = [];
  while (out.length < max) {
    const next = iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

/** The column type SQLite's affinity rules give a declared type; null = an expression. */
function sqliteType(declared: string | null): ExportColumnType {
  if (declared === null) return 'string';
  const t = declared.toUpperCase();
  if (t.includes('BOOL')) return 'boolean';
  if (t.includes('DATETIME') || t.includes('TIMESTAMP')) return 'datetime';
  if (t.includes('DATE')) return 'date';
  if (t.includes('INT')) return 'number';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT') || t.includes('BLOB')) return 'string';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'number';
  return t === '' ? 'string' : 'number';
}

function sqliteValue(v: unknown): CellValue {
  switch (typeof v) {
    case 'bigint':
      return bigintCell(v);
    case 'number':
    case 'string':
      return v;
    default:
      if (v === null || v === undefined) return null;
      if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
      return String(v);
  }
}

function bigintCell(v: bigint): number | string {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Per column type: SQLite's stored value (dynamic typing: any column may hold anything) → a cell. */
const SQLITE_CELL: Record<ExportColumnType, (v: unknown) => CellValue> = {
  string: sqliteValue,
  number: sqliteValue,
  boolean: (v) => (typeof v === 'bigint' || typeof v === 'number' ? Number(v) !== 0 : sqliteValue(v)),
  date: (v) => (typeof v === 'string' ? (parseDateTime(v) ?? v) : sqliteValue(v)),
  datetime: (v) => (typeof v === 'string' ? (parseDateTime(v) ?? v) : sqliteValue(v)),
};

function sqliteQueryError(err: unknown): Error {
  if (err instanceof InputError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // SQLITE_ERROR: syntax, unknown table or column; RangeError/TypeError: better-sqlite3's own checks
  // (a second statement, missing parameters).
  if (e?.code === 'SQLITE_ERROR' || e?.name === 'RangeError' || e?.name === 'TypeError') {
    return new InputError(`The query failed: ${condense(message)}`, 'BAD_QUERY');
  }
  if (e?.code === 'SQLITE_READONLY' || e?.code === 'SQLITE_AUTH') {
    return new InputError(
      'The catalog refused the query as a write; only read-only SELECT queries can be exported.',
      'NOT_READ_ONLY',
    );
  }
  return err instanceof Error ? err : new Error(message);
}

// ---------------------------------------------------------------------------------------------
// ClickHouse

/**
 * Read-only on the server too: every export query carries the setting readonly=1 (an HTTP
 * parameter; 18.16 and current releases then refuse writes, DDL, SET and SETTINGS clauses, and
 * table functions). A user whose profile is already read-only may not send it, and needs not.
 * The answer is JSONCompact, streamed and parsed line by line: its header names the columns and
 * their types (no second query), 64-bit integers arrive quoted (no lost digits), and its trailer
 * ("rows": n) proves that the answer is complete. An error the server meets mid-stream is
 * appended to the text, where the parser finds it.
 */
async function* clickHouseRows(
  config: Extract<SourceConfig, { kind: 'clickhouse' }>,
  what: ExportWhat,
  signal: AbortSignal | undefined,
): AsyncGenerator<ExportChunk, void, undefined> {
  let sql: string;
  let total: number | null = null;
  let conn: ClickHouseConnection | null = null;
  try {
    if (what.kind === 'list') {
      // Opening the offer source checks the connection and the schema with its usual sentences.
      const offers = await ClickHouseSource.open(config, signal);
      let lists: string[];
      try {
        lists = await offers.supplierLists();
      } finally {
        await offers.close();
      }
      if (!lists.includes(what.list)) throw unknownList(what.list, lists);
      const brand = what.brand === undefined ? '' : normalizeBrand(what.brand);
      const where =
        `supplier IN (SELECT supplier FROM supplier_lists WHERE list = ${quoteString(what.list)})` +
        (brand ? ` AND brand = ${quoteString(brand)}` : '');
      conn = new ClickHouseConnection(config);
      const [count] = await conn.rows<{ n: string | number }>(
        `SELECT count() AS n FROM offers WHERE ${where}`,
        signal,
      );
      total = Number(count.n);
      sql = `SELECT toString(brand), toString(article), toString(supplier), toString(name),
  toFloat64(price), toString(currency), toUInt32(quantity), toUInt32(delivery_days)
FROM offers WHERE ${where}
ORDER BY ${OFFER_ORDER}`;
    } else {
      sql = checkReadOnlyQuery(what.sql, 'clickhouse');
      conn = new ClickHouseConnection(config);
    }
    const [ro] = await conn.rows<{ value: string }>(
      "SELECT value FROM system.settings WHERE name = 'readonly'",
      signal,
    );
    const settings = ro?.value === '0' ? { readonly: '1' as const } : {};
    const parser = new JsonCompactParser();
    let columns: ExportColumn[] | null = null;
    let convert: ((v: unknown) => CellValue)[] = [];
    const chunks = conn.stream(`${sql}\nFORMAT JSONCompact`, { signal, settings });
    try {
      for await (const chunk of chunks) {
        const raw = parser.push(chunk);
        if (!columns && parser.meta) {
          columns = parser.meta.map((m) => ({ name: m.name, type: clickHouseType(m.type) }));
          if (what.kind === 'list') columns = LIST_COLUMNS.map((c) => ({ ...c }));
          convert = columns.map((c) => CLICKHOUSE_CELL[c.type]);
          yield { columns, total };
        }
        if (raw.length) yield { rows: convertRows(raw, convert) };
      }
    } catch (err) {
      throw clickHouseQueryError(err, conn);
    }
    const error = parser.end();
    if (error) throw clickHouseQueryError(conn.classify(new Error(error)), conn);
    if (!parser.complete) {
      throw new ClickHouseUnavailableError(
        `The ClickHouse server at ${conn.displayUrl} sent a truncated answer.`,
        'CLICKHOUSE_TRUNCATED',
      );
    }
  } finally {
    await conn?.close();
  }
}

function convertRows(raw: unknown[][], convert: ((v: unknown) => CellValue)[]): CellValue[][] {
  const rows: CellValue[][] = new Array(raw.length);
  for (let r = 0; r < raw.length; r++) {
    const src = raw[r];
    const row: CellValue[] = new Array(convert.length);
    for (let c = 0; c < convert.length; c++) row[c] = convert[c](src[c]);
    rows[r] = row;
  }
  return rows;
}

/** Server errors about the query become the user's to fix; readonly refusals say why. */
function clickHouseQueryError(err: unknown, conn: ClickHouseConnection): unknown {
  if (err instanceof InputError && err.code === 'CLICKHOUSE_ACCESS') {
    const refusal = /\(([^()]*readonly mode[^()]*)\)/i.exec(err.message);
    if (refusal) {
      return new InputError(
        `The ClickHouse server refused the query in read-only mode (${refusal[1].replace(/\.$/, '')}); exports may only read, without SETTINGS or table functions.`,
        'NOT_READ_ONLY',
      );
    }
  }
  if (err instanceof ClickHouseQueryError) {
    const text = err.message.replace(/^The ClickHouse server at \S+ refused a query: /, '');
    return new InputError(`The query failed on ${conn.displayUrl}: ${condense(text)}`, 'BAD_QUERY');
  }
  return err;
}

/**
 * Type of a column from its ClickHouse type name: (U)Int*, Float*, Decimal → number; Date → date;
 * DateTime → datetime; Bool → boolean; Nullable(…) and LowCardinality(…) unwrapped; the rest text.
 */
export function clickHouseType(type: string): ExportColumnType {
  let t = type.trim();
  for (let m; (m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t));) t = m[1].trim();
  if (/^(?:U?Int(?:8|16|32|64|128|256)|Float(?:32|64)|Decimal(?:32|64|128|256)?(?:\(.*\))?)$/.test(t))
    return 'number';
  if (t === 'Date' || t === 'Date32') return 'date';
  if (/^DateTime(?:64)?(?:\(.*\))?$/.test(t)) return 'datetime';
  if (t === 'Bool' || t === 'Boolean') return 'boolean';
  return 'string';
}

/** Per column type: a JSONCompact value → a cell. */
const CLICKHOUSE_CELL: Record<ExportColumnType, (v: unknown) => CellValue> = {
  number: (v) => {
    if (typeof v === 'number' || v === null) return v;
    if (typeof v !== 'string') return jsonText(v);
    // 64-bit (and wider) integers arrive quoted; past 2^53 a double would change the digits.
    const n = Number(v);
    if (Number.isNaN(n)) return null;
    return Number.isInteger(n) && !Number.isSafeInteger(n) && /^-?\d+$/.test(v) ? v : n;
  },
  date: (v) =>
    typeof v === 'string' ? (v.startsWith('0000-00-00') ? null : (parseDateTime(v) ?? v)) : jsonText(v),
  datetime: (v) =>
    typeof v === 'string' ? (v.startsWith('0000-00-00') ? null : (parseDateTime(v) ?? v)) : jsonText(v),
  boolean: (v) => (typeof v === 'boolean' || v === null ? v : typeof v === 'number' ? v !== 0 : jsonText(v)),
  string: (v) => (typeof v === 'string' || v === null ? v : jsonText(v)),
};

function jsonText(v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/**
 * A JSONCompact answer as it arrives. ClickHouse writes it one row per line (strings escaped, so a
 * line never breaks inside a value), between the header (`"meta": [...]`, `"data":`, `[`) and the
 * trailer (`]`, `"rows": n`, statistics).
 */
export class JsonCompactParser {
  meta: { name: string; type: string }[] | null = null;
  /** The trailer's row count matched the rows seen. */
  complete = false;
  private state: 'head' | 'data' | 'tail' = 'head';
  private head = '';
  private carry: Buffer | null = null;
  private rows = 0;
  private error: string | null = null;
  private tail = '';

  /** Feeds a chunk of the answer; returns the rows completed by it. */
  push(chunk: Buffer): unknown[][] {
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const nl = buf.lastIndexOf(10);
    if (nl < 0) {
      this.carry = buf;
      return [];
    }
    this.carry = nl + 1 < buf.length ? buf.subarray(nl + 1) : null;
    buf = buf.subarray(0, nl);
    return this.lines(buf.toString('utf8').split('\n'));
  }

  /** At the end of the answer: the server's error text if there was one, else null. */
  end(): string | null {
    if (this.carry) {
      const last = this.carry.toString('utf8');
      this.carry = null;
      this.lines([last]);
    }
    if (this.error) return this.error;
    const rows = /"rows":\s*(\d+)/.exec(this.tail);
    this.complete = this.state === 'tail' && rows !== null && Number(rows[1]) === this.rows;
    return null;
  }

  private lines(lines: string[]): unknown[][] {
    const rowTexts: string[] = [];
    for (const line of lines) {
      if (this.error !== null) {
        this.error += `\n${line}`;
        continue;
      }
      if (this.state === 'data') {
        if (line.startsWith('\t\t[')) {
          const last = line.charCodeAt(line.length - 1);
          if (last === 93 /* ] */) rowTexts.push(line);
          else if (last === 44 /* , */ && line.charCodeAt(line.length - 2) === 93)
            rowTexts.push(line.slice(0, -1));
          else this.fail(line);
        } else if (line === '\t]' || line === '\t],') {
          this.state = 'tail';
        } else if (line.trim() !== '') {
          this.fail(line);
        }
      } else if (this.state === 'head') {
        if (line === '\t"data":') {
          const m = /"meta":\s*(\[[\s\S]*\])\s*,?\s*$/.exec(this.head);
          if (!m) {
            this.fail(this.head);
            continue;
          }
          this.meta = JSON.parse(m[1]) as { name: string; type: string }[];
        } else if (this.meta && line === '\t[') {
          this.state = 'data';
        } else if (/Code: \d+/.test(line) && !this.head.includes('"meta"')) {
          this.fail(line);
        } else {
          this.head += `${line}\n`;
        }
      } else {
        // Current releases write an error met after the data as `"exception": "…"`.
        const ex = /^\s*"exception":\s*("(?:[^"\\]|\\.)*")/.exec(line);
        if (ex) this.fail(JSON.parse(ex[1]) as string);
        else if (/^\s*"rows":/.test(line)) this.tail += line;
      }
    }
    if (rowTexts.length === 0) return [];
    let parsed: unknown[][];
    try {
      parsed = JSON.parse(`[${rowTexts.join(',')}]`) as unknown[][];
    } catch {
      // A row line with the error glued to its end still ends in "]" by chance: find the culprit.
      parsed = [];
      for (const text of rowTexts) {
        try {
          parsed.push(JSON.parse(text.trim()) as unknown[]);
        } catch {
          this.fail(text);
          break;
        }
      }
    }
    this.rows += parsed.length;
    return parsed;
  }

  private fail(text: string): void {
    const at = text.search(/Code: \d+/);
    this.error =
      at >= 0 ? text.slice(at) : `The server sent an answer Crossdock cannot read: ${text.slice(0, 200)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared

function unknownList(list: string, lists: string[]): InputError {
  return new InputError(
    `There is no supplier list "${list}"; known lists: ${[...lists].sort().join(', ') || 'none'}.`,
    'UNKNOWN_LIST',
  );
}

/**
 * A date `YYYY-MM-DD` or date-time `YYYY-MM-DD[ T]hh:mm[:ss[.fff]][Z]` as the Date that shows the
 * same wall-clock time in UTC (the writers show dates in UTC); null for anything else.
 */
export function parseDateTime(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z?)?$/.exec(s);
  if (!m) return null;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
  const d = new Date(t);
  // Reject 2024-02-31 and the like rather than roll over.
  return Number.isNaN(t) || d.getUTCDate() !== +m[3] || d.getUTCMonth() !== +m[2] - 1 ? null : d;
}

/** A server message as (the end of) one sentence: first line, no code names or option lists. */
function condense(message: string): string {
  let s = message
    .replace(/^[\s\S]*?DB::Exception: /, '')
    .replace(/, e\.what\(\) = DB::Exception[\s\S]*$/, '')
    .replace(/\s*\([A-Z_]+\)(?:\s*\(version [^)]*\))?\s*$/, '')
    .replace(/\. Expected one of:[\s\S]*$/, '')
    .replace(/\s*\bFORMAT JSONCompact\b/g, '')
    .replace(/\s*:\s*$/, '')
    // "failed at position 40 (line 1, col 40): <the rest of the query>": a short quote is enough.
    .replace(
      /^(Syntax error: failed at position \d+(?: \([^)]*\))*):\s+(\S[\s\S]*)$/,
      (_, at: string, near: string) =>
        `${at} near "${near.length > 40 ? `${near.slice(0, 39).trimEnd()}…` : near.trimEnd()}"`,
    )
    .replace(/\s+/g, ' ')
    .trim();
  if (s.length > MAX_MESSAGE) s = `${s.slice(0, MAX_MESSAGE - 1).trimEnd()}…`;
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}
