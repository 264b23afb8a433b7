// RowBinary, the binary format Crossdock sends to ClickHouse (demo data, lookup keys) and reads
// lookup answers in: values back to back, a String as its UTF-8 length (unsigned LEB128) then its bytes.
// Nothing in it is escaped, so nothing in it can be escaped wrongly.

/** How many bytes writeVarint takes for n. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Unsigned LEB128, the length prefix of a RowBinary string. */
export function writeVarint(buf: Buffer, off: number, n: number): number {
  while (n >= 0x80) {
    buf[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[off++] = n;
  return off;
}

/**
 * The UTF-8 byte length of `s`, counted in JS for an ASCII text (the usual brand and article): it
 * equals s.length exactly when every character is ASCII (any other takes more bytes than units).
 */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** Writes `s` (`bytes` long in UTF-8, see utf8Length) at `off`: byte by byte when ASCII. */
export function writeUtf8(buf: Buffer, off: number, s: string, bytes: number): number {
  if (bytes !== s.length) return off + buf.write(s, off, 'utf8');
  for (let i = 0; i < bytes; i++) buf[off + i] = s.charCodeAt(i);
  return off + bytes;
}

/** One RowBinary String value. */
export function rowBinaryString(s: string): Buffer {
  const len = Buffer.byteLength(s, 'utf8');
  const buf = Buffer.allocUnsafe(varintSize(len) + len);
  buf.write(s, writeVarint(buf, 0, len), 'utf8');
  return buf;
}
