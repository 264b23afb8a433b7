// Values that must stand in ClickHouse SQL text (a supplier list name, a brand, a database name) go
// through these two functions. Lookup keys never do: they travel as external data
// (clickhouse-lookup.ts).

/**
 * A ClickHouse string literal: backslash, quote and control characters escaped, everything else
 * (Cyrillic, emoji) left as UTF-8. The result is safe anywhere a literal may stand, on 18.16 and
 * on current releases. (Lone UTF-16 surrogates become U+FFFD on the way out, as in any UTF-8 text.)
 */
export function quoteString(s: string): string {
  return `'${escapeChars(s, "'")}'`;
}

/** A ClickHouse identifier (database or table name) in backquotes, escaped like quoteString. */
export function quoteIdentifier(s: string): string {
  return `\`${escapeChars(s, '`')}\``;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\'`\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\\'`\u0000-\u001f\u007f]/g;
const NAMED_ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\\': '\\\\',
};

function escapeChars(s: string, quote: "'" | '`'): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(ESCAPED, (ch) => {
    if (ch === "'" || ch === '`') return ch === quote ? `\\${ch}` : ch;
    return NAMED_ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
