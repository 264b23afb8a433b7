// Opens a user-supplied file by what it is, not what its name says: users rename .xls to .xlsx,
// save web pages as .xls, and pick PDFs by mistake. Every refusal is one sentence saying what to do.
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { openCsv } from './csv-reader.ts';
import { InputError, type WorkbookReader } from './types.ts';
import { openXlsxZip } from './xlsx-reader.ts';
import { ZipReader } from './zip-reader.ts';

const HEAD_BYTES = 4096;
const TEXT_EXTENSIONS = new Set(['.csv', '.txt', '.tsv']);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

// Formats people pick by mistake; their first bytes can pass for text (PDF) or are just unmistakable.
const BINARY_MAGICS: readonly Buffer[] = [
  Buffer.from('%PDF-'),
  Buffer.from([0x89, 0x50, 0x4e, 0x47]), // PNG
  Buffer.from([0xff, 0xd8, 0xff]), // JPEG
  Buffer.from('GIF8'),
  Buffer.from('Rar!'),
  Buffer.from([0x37, 0x7a, 0xbc, 0xaf]), // 7z
  Buffer.from([0x1f, 0x8b]), // gzip
  Buffer.from([0x7f, 0x45, 0x4c, 0x46]), // ELF
];

export async function openSpreadsheet(path: string): Promise<WorkbookReader> {
  const name = basename(path);
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw fileError(name, err);
  });
  if (st.isDirectory()) {
    throw new InputError('IS_DIRECTORY', { name });
  }
  if (!st.isFile()) throw new InputError('NOT_FILE', { name });
  if (st.size === 0) throw new InputError('EMPTY_FILE', {});

  const head = await readHead(path, name);
  const ext = extname(name).toLowerCase();

  // PK\3\4 starts a zip with entries, PK\5\6 an empty one (which then is "not a workbook").
  const pk = head[0] === 0x50 && head[1] === 0x4b;
  if (pk && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) {
    return openZip(path, name);
  }
  if (head.subarray(0, 8).equals(OLE_MAGIC)) {
    const names = await cfbEntryNames(path);
    // A directory we could not walk still gets the (cheap, usually right) raw name search.
    const encrypted =
      names.length > 0
        ? names.some((n) => n === 'EncryptionInfo' || n === 'EncryptedPackage')
        : (await readHead(path, name, 64 * 1024)).includes(Buffer.from('EncryptionInfo', 'utf16le'));
    if (encrypted) {
      throw new InputError('PASSWORD_PROTECTED', {});
    }
    throw new InputError('XLS', {});
  }
  if (BINARY_MAGICS.some((m) => head.subarray(0, m.length).equals(m))) throw notSpreadsheet(name);

  const text = looksLikeText(head);
  if (text && !TEXT_EXTENSIONS.has(ext) && looksLikeMarkup(head)) {
    throw new InputError('MARKUP', { name });
  }
  if (text || TEXT_EXTENSIONS.has(ext)) return openCsv(path);
  throw notSpreadsheet(name);
}

function notSpreadsheet(name: string): InputError {
  return new InputError('NOT_SPREADSHEET', { name });
}

function fileError(name: string, err: NodeJS.ErrnoException): Error {
  switch (err.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new InputError('FILE_NOT_FOUND', { name });
    case 'EACCES':
    case 'EPERM':
      return new InputError('FILE_NO_ACCESS', { name });
    case 'EBUSY':
      return new InputError('FILE_BUSY', { name });
    default:
      return err;
  }
}

async function readHead(path: string, name: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw fileError(name, err);
  });
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function openZip(path: string, name: string): Promise<WorkbookReader> {
  const zip = await ZipReader.open(path);
  const refuse = async (code: 'XLSB' | 'ODS'): Promise<never> => {
    await zip.close();
    throw new InputError(code, { name });
  };
  if (zip.has('xl/workbook.bin')) {
    return refuse('XLSB');
  }
  const mimetype = zip.find('mimetype');
  if (mimetype || zip.has('content.xml')) {
    const type = mimetype ? await zip.readText(mimetype, 4096).catch(() => '') : '';
    if (type.includes('opendocument.spreadsheet') || (!mimetype && zip.has('content.xml'))) {
      return refuse('ODS');
    }
  }
  // openXlsxZip reports a zip without a workbook as "a zip file but not an Excel workbook".
  return openXlsxZip(zip, name);
}

/** Text if there are no NUL bytes and almost no other control characters (a UTF-16 BOM is text too). */
function looksLikeText(head: Buffer): boolean {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return true;
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12) control++;
  }
  return control <= head.length / 100;
}

function looksLikeMarkup(head: Buffer): boolean {
  const start = head
    .toString('latin1', 0, 512)
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  return /^<(\?xml|!doctype\s+html|html|table)\b/i.test(start);
}

/**
 * Names in an OLE compound file's directory (UTF-16LE), following the directory's sector chain
 * through the FAT. Encrypted .xlsx files are such containers with EncryptionInfo/EncryptedPackage.
 */
export async function cfbEntryNames(path: string): Promise<string[]> {
  const fh = await open(path, 'r');
  try {
    const header = Buffer.alloc(512);
    const { bytesRead } = await fh.read(header, 0, 512, 0);
    if (bytesRead < 512) return [];
    const shift = header.readUInt16LE(0x1e);
    if (shift !== 9 && shift !== 12) return [];
    const sectorSize = 1 << shift;
    const perFatSector = sectorSize / 4;
    const fatSectors: number[] = [];
    const fatCount = Math.min(header.readUInt32LE(0x2c), 109);
    for (let i = 0; i < fatCount; i++) fatSectors.push(header.readUInt32LE(0x4c + i * 4));

    const readSector = async (n: number): Promise<Buffer | null> => {
      const buf = Buffer.alloc(sectorSize);
      const r = await fh.read(buf, 0, sectorSize, (n + 1) * sectorSize);
      return r.bytesRead === sectorSize ? buf : null;
    };
    const fatCache = new Map<number, Buffer | null>();
    const nextSector = async (n: number): Promise<number> => {
      const fatIndex = Math.floor(n / perFatSector);
      if (fatIndex >= fatSectors.length) return 0xfffffffe;
      if (!fatCache.has(fatIndex)) fatCache.set(fatIndex, await readSector(fatSectors[fatIndex]));
      const fat = fatCache.get(fatIndex);
      return fat ? fat.readUInt32LE((n % perFatSector) * 4) : 0xfffffffe;
    };

    const names: string[] = [];
    const seen = new Set<number>();
    // Sector numbers from 0xFFFFFFFA up are markers (end of chain, free, FAT sector).
    for (let s = header.readUInt32LE(0x30); s < 0xfffffffa && !seen.has(s) && seen.size < 1024;) {
      seen.add(s);
      const sector = await readSector(s);
      if (!sector) break;
      for (let off = 0; off + 128 <= sectorSize; off += 128) {
        const nameBytes = sector.readUInt16LE(off + 0x40);
        if (nameBytes < 2 || nameBytes > 64) continue;
        names.push(sector.toString('utf16le', off, off + nameBytes - 2));
      }
      s = await nextSector(s);
    }
    return names;
  } finally {
    await fh.close();
  }
}
