/**
 * Byte-level helpers for the xlsx writer's hot path: rows are rendered straight into a chunk of UTF-8
 * bytes (no per-row strings to build, flatten, encode and collect). Each function writes at `p` and
 * returns the position after what it wrote; the caller makes sure the chunk has room.
 */

/** ASCII bytes of a string known to be ASCII. */
export function ascii(s: string): Uint8Array {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** Copies a short fragment (a plain loop beats `set` for a few bytes). */
export function putBytes(buf: Uint8Array, p: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) buf[p++] = bytes[i];
  return p;
}

/** A string known to be ASCII, e.g. a number's `String()`. */
export function putAscii(buf: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}

/** A non-negative integer below 2^53, in decimal. */
export function putUint(buf: Uint8Array, p: number, n: number): number {
  let len = 1;
  for (let t = 10; n >= t && len < 16; t *= 10) len++;
  let q = p + len;
  if (n < 0x80000000) {
    do {
      const d = (n / 10) | 0;
      buf[--q] = 48 + n - d * 10;
      n = d;
    } while (n > 0);
  } else {
    do {
      const d = Math.floor(n / 10);
      buf[--q] = 48 + n - d * 10;
      n = d;
    } while (n > 0);
  }
  return p + len;
}

/** Money-sized values with up to two decimals take the fast path; anything else goes through String(). */
const FAST_LIMIT = 1e13;

/**
 * A finite number exactly as `String(v)` spells it. Integers and values with at most two decimals
 * (prices, totals) are spelt without String(): for |v| < 1e13 a double that equals c / 100 has that
 * decimal as its shortest round-trip form, the one String() picks.
 */
export function putNumber(buf: Uint8Array, p: number, v: number): number {
  let a = v < 0 ? -v : v;
  if (a < FAST_LIMIT) {
    if (Number.isInteger(a)) {
      if (v < 0) buf[p++] = 45;
      return putUint(buf, p, a);
    }
    const c = Math.round(a * 100);
    if (c / 100 === a) {
      if (v < 0) buf[p++] = 45;
      const whole = Math.floor(c / 100);
      p = putUint(buf, p, whole);
      a = c - whole * 100;
      buf[p++] = 46;
      const tens = (a / 10) | 0;
      buf[p++] = 48 + tens;
      if (a !== tens * 10) buf[p++] = 48 + a - tens * 10;
      return p;
    }
  }
  return putAscii(buf, p, String(v));
}

/**
 * What an ASCII character becomes in XML text: 0 copied as it is, 1 escaped (see ESCAPES), 2 maybe
 * escaped ("_" starting "_xHHHH_", which Excel would decode as a character), 3 not allowed in XML.
 */
const ASCII_CLASS = (() => {
  const cls = new Uint8Array(128);
  for (let c = 0; c < 32; c++) cls[c] = 3;
  cls[9] = cls[10] = 0;
  for (const c of '&<>\r') cls[c.charCodeAt(0)] = 1;
  cls[95] = 2;
  return cls;
})();
const ESCAPES: (Uint8Array | undefined)[] = [];
ESCAPES[38] = ascii('&amp;');
ESCAPES[60] = ascii('&lt;');
ESCAPES[62] = ascii('&gt;');
// A literal CR would be read back as LF (XML end-of-line normalisation).
ESCAPES[13] = ascii('&#13;');
// Escaping the underscore of "_xHHHH_" keeps such text literal.
const ESCAPED_UNDERSCORE = ascii('_x005F_');

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/**
 * Text as XML character data in UTF-8 (&, <, >, CR and the "_" of "_xHHHH_" escaped), or -1 when it
 * holds a character XML does not allow (a control character, a lone surrogate, U+FFFE, U+FFFF): the
 * caller removes those and writes again. Writes at most 7 bytes per UTF-16 unit.
 */
export function putXmlText(buf: Uint8Array, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      const cls = ASCII_CLASS[c];
      if (cls === 0) buf[p++] = c;
      else if (cls === 1) p = putBytes(buf, p, ESCAPES[c]!);
      else if (cls === 2) {
        if (
          i + 6 < n &&
          s.charCodeAt(i + 1) === 120 &&
          isHex(s.charCodeAt(i + 2)) &&
          isHex(s.charCodeAt(i + 3)) &&
          isHex(s.charCodeAt(i + 4)) &&
          isHex(s.charCodeAt(i + 5)) &&
          s.charCodeAt(i + 6) === 95
        )
          p = putBytes(buf, p, ESCAPED_UNDERSCORE);
        else buf[p++] = c;
      } else return -1;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return -1;
      const u = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      buf[p++] = 0xf0 | (u >> 18);
      buf[p++] = 0x80 | ((u >> 12) & 0x3f);
      buf[p++] = 0x80 | ((u >> 6) & 0x3f);
      buf[p++] = 0x80 | (u & 0x3f);
      i++;
    } else if (c >= 0xfffe) {
      return -1;
    } else {
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/**
 * A CSV field's text as UTF-8 (lone surrogates as U+FFFD, as Buffer#write does), or -1 when it must be
 * quoted: it holds `"`, CR, LF or the delimiter (`delim`, one UTF-16 unit). Writes at most 3 bytes per unit.
 */
export function putCsvText(buf: Uint8Array, p: number, s: string, delim: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 34 || c === 10 || c === 13 || c === delim) return -1;
      buf[p++] = c;
    } else {
      if (c === delim) return -1;
      p = putUtf8Char(buf, p, s, i, c);
      if (c >= 0xd800 && c <= 0xdbff && p < 0) {
        p = -p;
        i++;
      }
    }
  }
  return p;
}

/** A quoted CSV field: `"`, then `prefix` (0 for none), the text with `"` doubled, `"`. At most 3 bytes per unit + 3. */
export function putCsvQuoted(buf: Uint8Array, p: number, s: string, prefix: number): number {
  buf[p++] = 34;
  if (prefix) buf[p++] = prefix;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 34) buf[p++] = 34;
      buf[p++] = c;
    } else {
      p = putUtf8Char(buf, p, s, i, c);
      if (c >= 0xd800 && c <= 0xdbff && p < 0) {
        p = -p;
        i++;
      }
    }
  }
  buf[p++] = 34;
  return p;
}

/**
 * One non-ASCII UTF-16 unit `c` (at `i` of `s`) as UTF-8; a high surrogate with its low one as one
 * 4-byte character, then the position comes back negated (the caller skips the low surrogate).
 */
function putUtf8Char(buf: Uint8Array, p: number, s: string, i: number, c: number): number {
  if (c < 0x800) {
    buf[p++] = 0xc0 | (c >> 6);
    buf[p++] = 0x80 | (c & 0x3f);
    return p;
  }
  if (c >= 0xd800 && c <= 0xdfff) {
    const d = c <= 0xdbff && i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    if (d >= 0xdc00 && d <= 0xdfff) {
      const u = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      buf[p++] = 0xf0 | (u >> 18);
      buf[p++] = 0x80 | ((u >> 12) & 0x3f);
      buf[p++] = 0x80 | ((u >> 6) & 0x3f);
      buf[p++] = 0x80 | (u & 0x3f);
      return -p;
    }
    c = 0xfffd;
  }
  buf[p++] = 0xe0 | (c >> 12);
  buf[p++] = 0x80 | ((c >> 6) & 0x3f);
  buf[p++] = 0x80 | (c & 0x3f);
  return p;
}
