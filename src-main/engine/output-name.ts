import { basename, extname } from 'node:path';

const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** A file name part that is valid on Windows, macOS and Linux file systems. */
export function safeNamePart(s: string, maxBytes = 120): string {
  let out = s
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what file systems refuse
    .replace(/[<>:"/\\|?*\u0000-\u001f\u007f]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[. ]+$/, '');
  if (out === '' || /^\.+$/.test(out)) out = '_';
  if (RESERVED.test(out)) out = `_${out}`;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}

export function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** `<input name>_<supplier list>_<YYYYMMDD-HHmmss>` without extension. */
export function resultBaseName(inputName: string, list: string, at: Date): string {
  const stem = basename(inputName, extname(inputName));
  return `${safeNamePart(stem)}_${safeNamePart(list, 60)}_${timestamp(at)}`;
}
