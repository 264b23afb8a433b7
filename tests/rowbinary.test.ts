// RowBinary's text helpers (src-worker/sources/rowbinary.ts): the JS fast path for ASCII must write
// exactly the bytes Buffer writes, and anything else must go through Buffer.
import { describe, expect, it } from 'vitest';
import { rowBinaryString, utf8Length, writeUtf8, writeVarint } from '../src-worker/sources/rowbinary.ts';

const TEXTS = [
  '',
  'BOSCH',
  '0 986 452 041',
  'W712/75',
  'ЛЕМФЁРДЕР',
  'é',
  '🙂',
  'X\uD800',
  '\uDC00A',
  'a\0b',
  '\x7f',
  '\x80',
];

describe('RowBinary texts', () => {
  it('counts and writes UTF-8 as Buffer does, ASCII or not', () => {
    for (const s of TEXTS) {
      const n = utf8Length(s);
      expect(n, JSON.stringify(s)).toBe(Buffer.byteLength(s, 'utf8'));
      const buf = Buffer.alloc(n + 4, 0xee);
      expect(writeUtf8(buf, 2, s, n)).toBe(2 + n);
      expect(buf.subarray(2, 2 + n).equals(Buffer.from(s, 'utf8')), JSON.stringify(s)).toBe(true);
      expect([buf[0], buf[1], buf[n + 2], buf[n + 3]]).toEqual([0xee, 0xee, 0xee, 0xee]);
      // A length prefix and the text: one RowBinary String.
      const value = Buffer.alloc(n + 10);
      const end = writeUtf8(value, writeVarint(value, 0, n), s, n);
      expect(value.subarray(0, end).equals(rowBinaryString(s))).toBe(true);
    }
  });
});
