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

/** One RowBinary String value. */
export function rowBinaryString(s: string): Buffer {
  const len = Buffer.byteLength(s, 'utf8');
  const buf = Buffer.allocUnsafe(varintSize(len) + len);
  buf.write(s, writeVarint(buf, 0, len), 'utf8');
  return buf;
}
