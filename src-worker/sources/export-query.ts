// The user's own query in an export job: what Crossdock accepts (one read-only SELECT), and a
// database's complaint about it told as the end of one sentence. Both sources use it.
import { InputError } from '../io/types.ts';

/**
 * Checks that `sql` is one SELECT (or WITH … SELECT) statement and returns it with its comments
 * blanked out (spaces of the same length, so that the server's "position 40" still points at the
 * user's text) and without a trailing semicolon. Refuses, with one sentence, anything else: other
 * statements, a second statement after a `;`, and words that write (INSERT, ALTER, DROP, …)
 * anywhere outside string literals and quoted names, e.g. hidden after a WITH. Deliberately
 * stricter than needed: a column called "set" has to be quoted. The servers enforce read-only
 * access too (export-sqlite.ts, export-clickhouse.ts).
 */
export function checkReadOnlyQuery(sql: string, dialect: 'sqlite' | 'clickhouse'): string {
  const tokens = tokenize(sql, dialect);
  const code = tokens.filter((t) => t.kind !== 'space');
  // A trailing semicolon (with only whitespace or comments after it) is harmless.
  while (code.length && code[code.length - 1].text === ';') code.pop();
  if (code.length === 0) throw new InputError('EMPTY_QUERY', {});
  const first = code[0];
  const firstWord = first.kind === 'word' ? first.text.toUpperCase() : first.text;
  if (firstWord !== 'SELECT' && firstWord !== 'WITH') {
    throw new InputError('QUERY_NOT_SELECT', { start: firstWord.slice(0, 40) });
  }
  for (let i = 0; i < code.length; i++) {
    const t = code[i];
    if (t.text === ';') {
      throw new InputError('QUERY_SEVERAL_STATEMENTS', {});
    }
    if (t.kind !== 'word') continue;
    // `system.numbers`, `t.set`, `replace(…)`: names and function calls, not statements.
    if (code[i - 1]?.text === '.' || code[i + 1]?.text === '.' || code[i + 1]?.text === '(') continue;
    const word = t.text.toUpperCase();
    if (WRITE_WORDS.has(word)) {
      throw new InputError('QUERY_WRITES', { word });
    }
    if (word === 'FORMAT' && dialect === 'clickhouse') {
      throw new InputError('QUERY_FORMAT_CLAUSE', {});
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
          throw new InputError('QUERY_UNCLOSED', { what: c === "'" ? 'string' : 'name', quote: c });
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

/** Longest server message kept in an error sentence. */
const MAX_MESSAGE = 300;

/** A server message as (the end of) one sentence: first line, no code names or option lists. */
export function condense(message: string): string {
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
