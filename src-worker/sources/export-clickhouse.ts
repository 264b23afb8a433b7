// The rows of an export read from ClickHouse.
import { CodedError } from '../../src-main/common/errors.ts';
import { InputError, type CellValue } from '../io/types.ts';
import type { ExportWhat, SourceConfig } from '../protocol.ts';
import { ClickHouseConnection, ClickHouseSource } from './clickhouse.ts';
import { ClickHouseQueryError, truncatedAnswerError } from './clickhouse-errors.ts';
import { quoteString } from './clickhouse-quote.ts';
import {
  convertRows,
  LIST_COLUMNS,
  listBrand,
  OFFER_ORDER,
  parseDateTime,
  type ExportChunk,
  type ExportColumn,
  type ExportColumnType,
} from './export-columns.ts';
import { checkReadOnlyQuery, condense } from './export-query.ts';
import { JsonCompactParser } from './json-compact.ts';
import { unknownListError } from './types.ts';

/**
 * Read-only on the server too: every export query carries the setting readonly=1 (an HTTP
 * parameter; 18.16 and current releases then refuse writes, DDL, SET and SETTINGS clauses, and
 * table functions). A user whose profile is already read-only may not send it, and needs not.
 * The answer is JSONCompact, streamed and parsed line by line: its header names the columns and
 * their types (no second query), 64-bit integers arrive quoted (no lost digits), and its trailer
 * ("rows": n) proves that the answer is complete. An error the server meets mid-stream is
 * appended to the text, where the parser finds it.
 */
export async function* clickHouseRows(
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
      // supplierLists() is sorted already.
      if (!lists.includes(what.list)) throw unknownListError(what.list, lists);
      const brand = listBrand(what);
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
    if (error) {
      const sorted = conn.classify(new Error(error.text));
      // Neither a server error nor a network failure in it (classify passes it on): an unreadable answer.
      throw clickHouseQueryError(
        error.unreadable && !(sorted instanceof CodedError) ? error.unreadable : sorted,
        conn,
      );
    }
    if (!parser.complete) throw truncatedAnswerError(conn.displayUrl);
  } finally {
    await conn?.close();
  }
}

/** Server errors about the query become the user's to fix; readonly refusals say why. */
function clickHouseQueryError(err: unknown, conn: ClickHouseConnection): unknown {
  if (err instanceof InputError && err.code === 'CLICKHOUSE_NO_PERMISSION') {
    const refusal = /\(([^()]*readonly mode[^()]*)\)/i.exec(err.message);
    if (refusal) return new InputError('QUERY_READ_ONLY_REFUSED', { reason: refusal[1].replace(/\.$/, '') });
  }
  if (err instanceof ClickHouseQueryError) {
    return new InputError('QUERY_FAILED_ON', { url: conn.displayUrl, reason: condense(err.params.reason) });
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
  date: clickHouseDate,
  datetime: clickHouseDate,
  boolean: (v) => (typeof v === 'boolean' || v === null ? v : typeof v === 'number' ? v !== 0 : jsonText(v)),
  string: (v) => (typeof v === 'string' || v === null ? v : jsonText(v)),
};

/** A Date or DateTime: the zero date (0000-00-00…) becomes an empty cell, one that does not parse stays text. */
function clickHouseDate(v: unknown): CellValue {
  return typeof v === 'string' ? (v.startsWith('0000-00-00') ? null : (parseDateTime(v) ?? v)) : jsonText(v);
}

function jsonText(v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}
