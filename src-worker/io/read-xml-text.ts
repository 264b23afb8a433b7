// What a worksheet cell's text and serial numbers mean: XML entities, OOXML's _xHHHH_ escapes and
// Excel's date serials. Shared by the sheet scanner, the shared-string table and the workbook parts.
import { InputError } from './types.ts';

export function doctypeError(): InputError {
  return new InputError('XML_DOCTYPE', {});
}

const X_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Cell text: XML entities, then OOXML's `_xHHHH_` escapes (how Excel stores characters XML cannot
 * carry, and `_x005F_` for a literal underscore before such a sequence).
 */
export function decodeText(s: string): string {
  const text = decodeEntities(s);
  if (!text.includes('_x')) return text;
  return text.replace(X_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Expands the five predefined XML entities and numeric references; anything else is left as is. */
export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    out += s.slice(from, amp);
    // Only a short run may be a reference; searching further would make "&&&&..." quadratic.
    const near = s.slice(amp + 1, amp + 12).indexOf(';');
    const semi = near < 0 ? -1 : amp + 1 + near;
    let rep: string | null = null;
    if (semi > amp + 1) {
      const name = s.slice(amp + 1, semi);
      switch (name) {
        case 'amp':
          rep = '&';
          break;
        case 'lt':
          rep = '<';
          break;
        case 'gt':
          rep = '>';
          break;
        case 'quot':
          rep = '"';
          break;
        case 'apos':
          rep = "'";
          break;
        default:
          if (name.charCodeAt(0) === 35 /* # */) {
            const hex = name.charCodeAt(1) === 120 || name.charCodeAt(1) === 88;
            const digits = hex ? name.slice(2) : name.slice(1);
            const ok = hex ? /^[0-9a-fA-F]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
            const cp = ok ? parseInt(digits, hex ? 16 : 10) : -1;
            if (cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) rep = String.fromCodePoint(cp);
          }
      }
    }
    if (rep === null) {
      out += '&';
      from = amp + 1;
    } else {
      out += rep;
      from = semi + 1;
    }
    amp = s.indexOf('&', from);
  }
  return out + s.slice(from);
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** Excel serial day number to a UTC Date; out-of-range serials stay numbers. */
export function excelSerialToDate(serial: number, date1904: boolean): Date | number {
  if (!(serial > -700_000 && serial < 2_958_466)) return serial;
  let epoch = date1904 ? EPOCH_1904 : EPOCH_1900;
  // Excel counts the non-existent 1900-02-29 (serial 60), so serials before it are one day early.
  if (!date1904 && serial >= 1 && serial < 60) epoch += DAY_MS;
  return new Date(epoch + Math.round(serial * DAY_MS));
}

/** A t="d" cell's ISO 8601 text as a Date; text that is no date stays text. */
export function isoToDate(s: string): Date | string {
  // Without a zone JS would read date-times as local time; cell dates are zone-less wall clock.
  const iso = /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s) ? s + 'Z' : s;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? s : d;
}
