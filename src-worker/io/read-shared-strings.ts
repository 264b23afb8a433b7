// The shared-string table (sharedStrings.xml), read from the inflated bytes like the sheet: each si's
// text is decoded on its own, so no string in the table keeps a decoded chunk of the part alive.
import {
  ByteCarry,
  type ByteScanner,
  bytesAt,
  indexOfByte,
  isLocal,
  localStart,
  nameEnd,
  readRichText,
  skipSpecial,
  tagEnd,
  type TextOut,
} from './read-xml-bytes.ts';
import { decodeText } from './read-xml-text.ts';
import { InputError } from './types.ts';
import type { ZipEntry, ZipReader } from './zip-reader.ts';

// One si still open at a chunk boundary is carried over; a real one is at most ~32k characters (the
// limit is 32M characters of Cyrillic, 2 bytes each as UTF-8).
const MAX_PENDING_BYTES = 64 * 1024 ** 2;

function tooMuchText(): InputError {
  return new InputError('TOO_MUCH_TEXT', {});
}

class SharedStringsScanner implements ByteScanner {
  readonly done = false;
  /** Estimated bytes of string memory held by the table. */
  private used = 0;
  private readonly rich: TextOut = { text: '', start: -1, end: -1 };

  constructor(
    readonly table: string[],
    private readonly maxBytes: number,
  ) {}

  scan(buf: Buffer, from: number, stopAt: number): number {
    const len = buf.length;
    let p = from;
    for (;;) {
      if (p >= stopAt) return p;
      const lt = indexOfByte(buf, 60, p);
      if (lt < 0) return len;
      if (lt + 1 >= len) return lt;
      const c = buf[lt + 1];
      if (c === 33 || c === 63) {
        // A DOCTYPE anywhere ends up in skipSpecial(), which refuses it.
        const e = skipSpecial(buf, lt);
        if (e < 0) return lt;
        p = e;
        continue;
      }
      const ne = c === 47 ? lt + 1 : nameEnd(buf, lt + 1);
      if (ne < 0) return lt;
      if (c !== 47 && isLocal(buf, localStart(buf, lt + 1, ne), ne, 'si')) {
        const gt = tagEnd(buf, ne);
        if (gt < 0) return lt;
        let e: number;
        const rich = this.rich;
        const plainEnd = bytesAt(buf, gt + 1, '<t>') ? indexOfByte(buf, 60, gt + 4) : -1;
        if (plainEnd > 0 && bytesAt(buf, plainEnd, '</t></si>')) {
          // The common <si><t>text</t></si>.
          rich.text = buf.toString('utf8', gt + 4, plainEnd);
          e = plainEnd + 9;
        } else if (buf[gt - 1] === 47) {
          rich.text = '';
          e = gt + 1;
        } else {
          e = readRichText(buf, gt + 1, rich);
          if (e < 0) return lt;
        }
        const s = decodeText(rich.text);
        this.used += s.length * 2 + 32;
        if (this.used > this.maxBytes) throw tooMuchText();
        this.table.push(s);
        p = e;
        continue;
      }
      const gt = c === 47 ? indexOfByte(buf, 62, lt) : tagEnd(buf, ne);
      if (gt < 0) return lt;
      p = gt + 1;
    }
  }
}

/** The workbook's shared strings in order; refuses a table whose strings would take over `maxBytes`. */
export async function loadSharedStrings(
  zip: ZipReader,
  entry: ZipEntry | undefined,
  maxBytes: number,
): Promise<string[]> {
  const table: string[] = [];
  if (!entry) return table;
  // Memory held by the table is bounded by the part's size; refuse early when that alone is too much.
  if (entry.uncompressedSize > maxBytes * 2) throw tooMuchText();
  const carry = new ByteCarry(new SharedStringsScanner(table, maxBytes), MAX_PENDING_BYTES);
  const stream = await zip.openEntry(entry);
  try {
    for await (const chunk of stream) carry.push(chunk as Buffer);
    carry.finish();
  } finally {
    stream.destroy();
  }
  return table;
}
