// The worksheet scanner: reads sheetData's rows and cells straight from the inflated bytes, knowing
// only the handful of elements a value needs (row, c, v, is, t). Only values are decoded to strings;
// markup is matched byte by byte, with fast paths for the shapes Excel, LibreOffice, exceljs and our
// own writer produce (<c ...><v>..</v></c> and <c ...><is><t>..</t></is></c>).
import {
  ByteCarry,
  type ByteScanner,
  endTagLocal,
  indexOfByte,
  isLocal,
  localStart,
  nameEnd,
  nextTag,
  type Range,
  readRichText,
  readTextChild,
  skipElement,
  skipSpecial,
  tagEnd,
  TextCache,
  type TextOut,
} from './read-xml-bytes.ts';
import { decodeText, excelSerialToDate, isoToDate } from './read-xml-text.ts';
import { RowParser } from './row-batches.ts';
import type { CellValue } from './types.ts';
import { damaged } from './zip-reader.ts';

// One element still open at a chunk boundary is carried over; a real cell is at most ~32k characters
// (the limit is 32M characters of Cyrillic, 2 bytes each as UTF-8).
const MAX_PENDING_BYTES = 64 * 1024 ** 2;
// Excel's last column is XFD; anything beyond is corrupt or hostile (rows are padded up to it).
const MAX_COLUMNS = 16384;

const T_NUMBER = 0;
const T_SHARED = 1;
const T_STR = 2;
const T_INLINE = 3;
const T_BOOL = 4;
const T_ERROR = 5;
const T_DATE = 6;

// markup(): sheetData ended, the rest of the part is not read.
const SHEET_DATA_END = -2;

const LT = 60;
const GT = 62;
const SLASH = 47;

// 10^0 .. 10^22 are exact doubles, so digits / 10^k is the correctly rounded value, as Number() gives.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Incremental scanner for one worksheet's XML: push() each inflated chunk, take() the non-empty rows
 * completed so far.
 */
export class SheetScanner extends RowParser<Buffer> implements ByteScanner {
  private readonly carry = new ByteCarry(this, MAX_PENDING_BYTES);
  private inSheetData = false;
  /** Inside a row element: its cells so far are cells[0, filled) (nulls where a cell had no value). */
  private inRow = false;
  private readonly cells: CellValue[] = [];
  private filled = 0;
  private rowNum = 0;
  private col = -1;
  private readonly text: TextOut = { text: '', start: -1, end: -1 };
  private readonly range: Range = { start: -1, end: -1 };
  private readonly texts = new TextCache();

  // Attributes of the last start tag read by attrs().
  private aCol = -1;
  private aRow = -1;
  private aType = T_NUMBER;
  private aStyle = 0;

  constructor(
    private readonly shared: readonly string[],
    private readonly dateStyles: Uint8Array,
    private readonly date1904: boolean,
  ) {
    super();
  }

  /** Scans the next inflated chunk of the part. */
  push(chunk: Buffer): void {
    if (!this.done) this.carry.push(chunk);
  }

  /** The input ended: a row left open by a truncated part is still delivered. */
  end(): void {
    if (!this.done) this.carry.finish();
    this.finish();
  }

  private finish(): void {
    if (this.inRow) this.finishRow();
    this.done = true;
  }

  scan(buf: Buffer, from: number, stopAt: number): number {
    const len = buf.length;
    let p = from;
    for (;;) {
      if (p >= stopAt) return p;
      let lt = p;
      while (lt < len && buf[lt] !== LT) lt++;
      if (lt >= len) return len;
      if (lt + 1 >= len) return lt;
      // Cells are most of the sheet; everything else (rows included) goes through markup().
      const e =
        buf[lt + 1] === 99 /* c */ && lt + 2 < len && buf[lt + 2] === 32 && this.inSheetData
          ? this.cell(buf, lt + 2)
          : this.markup(buf, lt);
      if (e < 0) return e === SHEET_DATA_END ? len : lt;
      p = e;
    }
  }

  /**
   * Reads the tag (or comment, CDATA, processing instruction) at `lt` other than an unprefixed cell;
   * returns the index after it, -1 when it is cut off, or SHEET_DATA_END once sheetData is over.
   */
  private markup(buf: Buffer, lt: number): number {
    const c = buf[lt + 1];
    if (c === SLASH) {
      const gt = indexOfByte(buf, GT, lt + 2);
      if (gt < 0) return -1;
      const name = this.range;
      endTagLocal(buf, lt, gt, name);
      if (isLocal(buf, name.start, name.end, 'row')) {
        if (this.inRow) this.finishRow();
      } else if (isLocal(buf, name.start, name.end, 'sheetData')) {
        this.finish();
        return SHEET_DATA_END;
      }
      return gt + 1;
    }
    if (c === 33 || c === 63) return skipSpecial(buf, lt);
    const ne = nameEnd(buf, lt + 1);
    if (ne < 0) return -1;
    const ls = localStart(buf, lt + 1, ne);
    if (this.inSheetData) {
      if (ne - ls === 1 && buf[ls] === 99 /* c */) return this.cell(buf, ne);
      if (isLocal(buf, ls, ne, 'row')) {
        const gt = this.attrs(buf, ne);
        if (gt < 0) return -1;
        if (this.inRow) this.finishRow();
        this.rowNum = this.aRow >= 0 ? this.aRow : this.rowNum + 1;
        this.col = -1;
        if (buf[gt - 1] !== SLASH) {
          this.inRow = true;
          this.filled = 0;
        }
        return gt + 1;
      }
    } else if (isLocal(buf, ls, ne, 'sheetData')) {
      const gt = tagEnd(buf, ne);
      if (gt < 0) return -1;
      if (buf[gt - 1] === SLASH) {
        this.finish();
        return SHEET_DATA_END;
      }
      this.inSheetData = true;
      return gt + 1;
    }
    const gt = tagEnd(buf, ne);
    return gt < 0 ? -1 : gt + 1;
  }

  /**
   * Reads the attributes of a start tag from `from` (just after its name), keeping r (as column and
   * row number), t and s. Returns the index of its '>' or -1 when the tag is cut off. One pass over
   * the tag, every read checked against the end of the bytes.
   */
  private attrs(buf: Buffer, from: number): number {
    this.aCol = -1;
    this.aRow = -1;
    this.aType = T_NUMBER;
    this.aStyle = 0;
    const len = buf.length;
    let p = from;
    for (;;) {
      let ch = 0;
      while (p < len && ((ch = buf[p]) === 32 || ch === 9 || ch === 10 || ch === 13)) p++;
      if (p >= len) return -1;
      if (ch === GT) return p;
      if (ch === SLASH) {
        if (p + 1 >= len) return -1;
        if (buf[p + 1] === GT) return p + 1;
        throw damaged();
      }
      let name = -1;
      let v: number;
      if (p + 1 < len && buf[p + 1] === 61 /* = */) {
        name = ch;
        v = p + 2;
      } else {
        let eq = p;
        let c = 0;
        while (eq < len && (c = buf[eq]) !== 61 && c !== GT) eq++;
        if (eq >= len) return -1;
        // A name without a value: the tag ends before the next '=' (wherever that is).
        if (c === GT) {
          if (indexOfByte(buf, 61, eq) < 0) return -1;
          throw damaged();
        }
        let ne = eq;
        while (ne > p && buf[ne - 1] <= 32) ne--;
        if (ne - p === 1) name = ch;
        v = eq + 1;
      }
      let quote = 0;
      while (v < len && ((quote = buf[v]) === 32 || quote === 9 || quote === 10 || quote === 13)) v++;
      if (v >= len) return -1;
      if (quote !== 34 && quote !== 39) throw damaged();
      v++;
      let c = v < len ? buf[v] : -1;
      if (name === 114 /* r */) {
        // "B12": letters give the column, digits the row; read in one pass up to the quote.
        let col = 0;
        while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
          col = col * 26 + (c & 31);
          c = ++v < len ? buf[v] : -1;
        }
        let row = 0;
        const digitsFrom = v;
        while (c >= 48 && c <= 57) {
          row = row * 10 + c - 48;
          c = ++v < len ? buf[v] : -1;
        }
        this.aCol = col - 1;
        this.aRow = v > digitsFrom ? row : -1;
      } else if (name === 115 /* s */) {
        let style = 0;
        while (c >= 48 && c <= 57) {
          style = style * 10 + c - 48;
          c = ++v < len ? buf[v] : -1;
        }
        this.aStyle = style;
      } else if (name === 116 /* t */ && v + 1 < len && buf[v + 1] === quote) {
        this.aType = typeCode(buf, v, v + 1);
        v++;
        c = quote;
      }
      if (c !== quote) {
        const e = indexOfByte(buf, quote, v);
        if (e < 0) return -1;
        if (name === 116) this.aType = typeCode(buf, v, e);
        v = e;
      }
      p = v + 1;
    }
  }

  /**
   * attrs() for a cell, with a fast path for the usual ` r="B12">` and ` r="B12" t="s">`: anything
   * else (other attributes, spacing, quotes, a cut tag) is read again by attrs() from the start.
   */
  private cellAttrs(buf: Buffer, from: number): number {
    const len = buf.length;
    let p = from + 4;
    if (
      p + 8 < len &&
      buf[from] === 32 &&
      buf[from + 1] === 114 /* r */ &&
      buf[from + 2] === 61 /* = */ &&
      buf[from + 3] === 34 /* " */
    ) {
      let c = 0;
      let col = 0;
      while (p < len && (c = buf[p]) >= 65 && c <= 90) {
        col = col * 26 + c - 64;
        p++;
      }
      const digitsFrom = p;
      while (p < len && (c = buf[p]) >= 48 && c <= 57) p++;
      if (c === 34 && col > 0 && p > digitsFrom && p + 8 < len) {
        const next = buf[p + 1];
        if (next === GT) {
          this.aCol = col - 1;
          this.aType = T_NUMBER;
          this.aStyle = 0;
          return p + 1;
        }
        if (
          next === 32 &&
          buf[p + 2] === 116 /* t */ &&
          buf[p + 3] === 61 /* = */ &&
          buf[p + 4] === 34 /* " */ &&
          buf[p + 5] === 115 /* s */ &&
          buf[p + 6] === 34 /* " */ &&
          buf[p + 7] === GT
        ) {
          this.aCol = col - 1;
          this.aType = T_SHARED;
          this.aStyle = 0;
          return p + 7;
        }
      }
    }
    return this.attrs(buf, from);
  }

  /** Reads one c element whose name ends at `ne`; returns the index after it or -1. */
  private cell(buf: Buffer, ne: number): number {
    const gt = this.cellAttrs(buf, ne);
    if (gt < 0) return -1;
    const type = this.aType;
    const style = this.aStyle;
    const col = this.aCol >= 0 ? this.aCol : this.col + 1;
    if (buf[gt - 1] === SLASH) {
      this.col = col;
      return gt + 1;
    }

    const p = gt + 1;
    // Fast paths for the common unprefixed <v>...</v></c> and <is><t>...</t></is></c>.
    const len = buf.length;
    if (p + 2 < len && buf[p] === LT && buf[p + 1] === 118 /* v */ && buf[p + 2] === GT) {
      const vEnd = indexOfByte(buf, LT, p + 3);
      if (vEnd > 0 && isValueCellEnd(buf, vEnd)) {
        this.col = col;
        this.store(col, type, style, buf, p + 3, vEnd, null);
        return vEnd + 8;
      }
    } else if (isInlineCellStart(buf, p)) {
      const tgt = buf[p + 6] === GT ? p + 6 : tagEnd(buf, p + 7);
      const tEnd = tgt < 0 || buf[tgt - 1] === SLASH ? -1 : indexOfByte(buf, LT, tgt + 1);
      if (tEnd > 0 && isInlineCellEnd(buf, tEnd)) {
        this.col = col;
        const text = this.texts.text(buf, tgt + 1, tEnd);
        if (text !== '') this.setCell(col, text);
        return tEnd + 13;
      }
    }

    return this.cellChildren(buf, p, col, type, style);
  }

  /** The rest of a cell whose children do not fit a fast path: v, is (rich text), f and others. */
  private cellChildren(buf: Buffer, from: number, col: number, type: number, style: number): number {
    let p = from;
    let vStart = -1;
    let vEnd = -1;
    let inline: string | null = null;
    const range = this.range;
    for (;;) {
      const lt = nextTag(buf, p);
      if (lt < 0) return -1;
      if (buf[lt + 1] === SLASH) {
        // Children are consumed whole, so the first end tag here closes the cell.
        const e = indexOfByte(buf, GT, lt + 2);
        if (e < 0) return -1;
        p = e + 1;
        break;
      }
      const n = nameEnd(buf, lt + 1);
      if (n < 0) return -1;
      const ls = localStart(buf, lt + 1, n);
      if (n - ls === 1 && buf[ls] === 118 /* v */) {
        p = readTextChild(buf, n, range);
        if (p < 0) return -1;
        if (range.start >= 0) {
          vStart = range.start;
          vEnd = range.end;
        }
      } else if (isLocal(buf, ls, n, 'is')) {
        const igt = tagEnd(buf, n);
        if (igt < 0) return -1;
        if (buf[igt - 1] === SLASH) {
          p = igt + 1;
          inline = '';
          continue;
        }
        p = readRichText(buf, igt + 1, this.text);
        if (p < 0) return -1;
        inline = this.text.text;
      } else {
        p = skipElement(buf, lt);
        if (p < 0) return -1;
      }
    }
    this.col = col;
    this.store(col, type, style, buf, vStart, vEnd, inline);
    return p;
  }

  /** Converts the cell's v bytes (buf[vStart, vEnd)) or inline string and stores it in the row. */
  private store(
    col: number,
    type: number,
    style: number,
    buf: Buffer,
    vStart: number,
    vEnd: number,
    inline: string | null,
  ): void {
    if (inline === null && vEnd > vStart && vStart >= 0) {
      // The common cells (shared strings and plain numbers) here; the rest in storeOther().
      if (type === T_SHARED) {
        const s = this.shared[parseNumber(buf, vStart, vEnd)];
        if (s !== undefined && s !== '') this.setCell(col, s);
        return;
      }
      if (type === T_NUMBER && !(style < this.dateStyles.length && this.dateStyles[style] === 1)) {
        const num = parseNumber(buf, vStart, vEnd);
        if (num === num) {
          this.setCell(col, num);
          return;
        }
      }
    }
    this.storeOther(col, type, style, buf, vStart, vEnd, inline);
  }

  private storeOther(
    col: number,
    type: number,
    style: number,
    buf: Buffer,
    vStart: number,
    vEnd: number,
    inline: string | null,
  ): void {
    let value: CellValue = null;
    if (inline !== null && (type === T_INLINE || vStart < 0)) {
      value = inline === '' ? null : decodeText(inline);
    } else if (vStart >= 0 && vEnd > vStart) {
      switch (type) {
        case T_SHARED: {
          const s = this.shared[parseNumber(buf, vStart, vEnd)];
          value = s === undefined || s === '' ? null : s;
          break;
        }
        case T_NUMBER: {
          const num = parseNumber(buf, vStart, vEnd);
          if (num !== num) {
            const raw = buf.toString('utf8', vStart, vEnd).trim();
            value = raw === '' ? null : raw;
          } else if (style < this.dateStyles.length && this.dateStyles[style] === 1) {
            value = excelSerialToDate(num, this.date1904);
          } else {
            value = num;
          }
          break;
        }
        case T_STR:
        case T_INLINE: // some writers put an inline string's text in v
          value = this.texts.text(buf, vStart, vEnd);
          break;
        case T_BOOL: {
          const ch = buf[vStart];
          value = ch === 49 /* 1 */ || ch === 116; /* t */
          break;
        }
        case T_DATE:
          value = isoToDate(buf.toString('utf8', vStart, vEnd).trim());
          break;
        default:
          value = null; // T_ERROR: #N/A, #REF! etc. carry no data
      }
    }
    if (value !== null) this.setCell(col, value);
  }

  private setCell(col: number, value: CellValue): void {
    if (!this.inRow) return;
    if (col >= MAX_COLUMNS) throw damaged();
    const cells = this.cells;
    if (col >= this.filled) {
      for (let c = this.filled; c < col; c++) cells[c] = null;
      this.filled = col + 1;
    }
    cells[col] = value;
  }

  private finishRow(): void {
    // The row is copied out of the scratch array at its exact length: one allocation per row.
    if (this.inRow && this.filled > 0) {
      this.rows.push(this.cells.slice(0, this.filled));
      this.rowNumbers.push(this.rowNum);
    }
    this.inRow = false;
    this.filled = 0;
  }
}

/**
 * The number in buf[from, to): plain integers and decimals of up to 15 digits without a string (most
 * cells), anything else through Number() as before.
 */
function parseNumber(buf: Buffer, from: number, to: number): number {
  let i = from;
  const neg = buf[i] === 45; /* - */
  if (neg) i++;
  const digitsFrom = i;
  let n = 0;
  for (; i < to; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  const intDigits = i - digitsFrom;
  if (i === to) {
    if (intDigits > 0 && intDigits <= 15) return neg ? -n : n;
  } else if (buf[i] === 46 /* . */ && intDigits > 0) {
    const fracFrom = ++i;
    for (; i < to; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    const fracDigits = i - fracFrom;
    if (i === to && fracDigits > 0 && intDigits + fracDigits <= 15) {
      const x = n / POW10[fracDigits];
      return neg ? -x : x;
    }
  }
  return Number(buf.toString('utf8', from, to));
}

/** Whether `</v></c>` is at `at`. */
function isValueCellEnd(buf: Buffer, at: number): boolean {
  return (
    at + 7 < buf.length &&
    buf[at + 1] === SLASH &&
    buf[at + 2] === 118 /* v */ &&
    buf[at + 3] === GT &&
    buf[at + 4] === LT &&
    buf[at + 5] === SLASH &&
    buf[at + 6] === 99 /* c */ &&
    buf[at + 7] === GT
  );
}

/** Whether `<is><t>` or `<is><t ` is at `at`. */
function isInlineCellStart(buf: Buffer, at: number): boolean {
  if (at + 6 >= buf.length) return false;
  const c = buf[at + 6];
  return (
    buf[at] === LT &&
    buf[at + 1] === 105 /* i */ &&
    buf[at + 2] === 115 /* s */ &&
    buf[at + 3] === GT &&
    buf[at + 4] === LT &&
    buf[at + 5] === 116 /* t */ &&
    (c === GT || c === 32)
  );
}

/** Whether `</t></is></c>` is at `at`. */
function isInlineCellEnd(buf: Buffer, at: number): boolean {
  return (
    at + 12 < buf.length &&
    buf[at + 1] === SLASH &&
    buf[at + 2] === 116 /* t */ &&
    buf[at + 3] === GT &&
    buf[at + 4] === LT &&
    buf[at + 5] === SLASH &&
    buf[at + 6] === 105 /* i */ &&
    buf[at + 7] === 115 /* s */ &&
    buf[at + 8] === GT &&
    buf[at + 9] === LT &&
    buf[at + 10] === SLASH &&
    buf[at + 11] === 99 /* c */ &&
    buf[at + 12] === GT
  );
}

function typeCode(buf: Buffer, from: number, to: number): number {
  const len = to - from;
  const c = buf[from];
  if (len === 1) {
    if (c === 115) return T_SHARED;
    if (c === 110) return T_NUMBER;
    if (c === 98) return T_BOOL;
    if (c === 101) return T_ERROR;
    if (c === 100) return T_DATE;
  } else if (len === 3 && c === 115) return T_STR;
  else if (len === 9 && c === 105) return T_INLINE;
  return T_NUMBER;
}
