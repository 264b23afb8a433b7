import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvWriter } from '../src-worker/io/csv-writer.ts';
import type { CellValue } from '../src-worker/io/types.ts';
import {
  cleanSheetName,
  columnName,
  XlsxWriter,
  type RowOptions,
  type WorkbookState,
  type XlsxSheet,
} from '../src-worker/io/xlsx-writer.ts';
import { putNumber, putXmlText } from '../src-worker/io/write-xml.ts';
import { crc32, tableCrc32, ZipWriter } from '../src-worker/io/zip-writer.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crossdock-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface ZipContents {
  files: Map<string, Buffer>;
  /** Zip64 end-of-central-directory record present. */
  zip64End: boolean;
  /** Entries whose central header carries a Zip64 extra field. */
  zip64Entries: string[];
  order: string[];
}

/** An independent, strict reader: checks signatures, sizes and CRCs of every entry. */
async function readZip(path: string): Promise<ZipContents> {
  const buf = await readFile(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBe(buf.length - 22);
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  let zip64End = false;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    expect(buf.readUInt32LE(locator)).toBe(0x07064b50);
    const record = Number(buf.readBigUInt64LE(locator + 8));
    expect(buf.readUInt32LE(record)).toBe(0x06064b50);
    count = Number(buf.readBigUInt64LE(record + 32));
    cdSize = Number(buf.readBigUInt64LE(record + 40));
    cdOffset = Number(buf.readBigUInt64LE(record + 48));
    expect(record).toBe(cdOffset + cdSize);
    zip64End = true;
  } else {
    expect(eocd).toBe(cdOffset + cdSize);
  }
  const files = new Map<string, Buffer>();
  const zip64Entries: string[] = [];
  const order: string[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const crc = buf.readUInt32LE(p + 16);
    let csize = buf.readUInt32LE(p + 20);
    let usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let offset = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const extra = buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    if (extra.length > 0) {
      expect(extra.readUInt16LE(0)).toBe(1);
      zip64Entries.push(name);
      let q = 4;
      const next = (): number => Number(extra.readBigUInt64LE((q += 8) - 8));
      if (usize === 0xffffffff) usize = next();
      if (csize === 0xffffffff) csize = next();
      if (offset === 0xffffffff) offset = next();
      expect(q).toBe(extra.length);
    }
    p += 46 + nameLen + extraLen + commentLen;

    expect(buf.readUInt32LE(offset)).toBe(0x04034b50);
    expect(buf.readUInt32LE(offset + 14)).toBe(crc);
    const localNameLen = buf.readUInt16LE(offset + 26);
    const localExtraLen = buf.readUInt16LE(offset + 28);
    expect(buf.subarray(offset + 30, offset + 30 + localNameLen).toString('utf8')).toBe(name);
    const start = offset + 30 + localNameLen + localExtraLen;
    const data = inflateRawSync(buf.subarray(start, start + csize));
    expect(data.length).toBe(usize);
    expect(crc32(data)).toBe(crc);
    files.set(name, data);
    order.push(name);
  }
  expect(p).toBe(cdOffset + cdSize);
  return { files, zip64End, zip64Entries, order };
}

async function readXml(path: string): Promise<Map<string, string>> {
  const { files } = await readZip(path);
  return new Map([...files].map(([name, data]) => [name, data.toString('utf8')]));
}

async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

/** Plain values of a row, 0-based, with trailing/absent cells as null. */
function rowValues(ws: ExcelJS.Worksheet, r: number, width: number): unknown[] {
  const row = ws.getRow(r);
  return Array.from({ length: width }, (_, i) => row.getCell(i + 1).value ?? null);
}

async function writeAll(sheet: XlsxSheet, rows: CellValue[][]): Promise<void> {
  for (const row of rows) await sheet.writeRow(row);
}

const HOSTILE: [input: string, expected: string | null][] = [
  ["=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"],
  ['=1+1', '=1+1'],
  ['+1', '+1'],
  ['-1', '-1'],
  ['@SUM(A1:A2)', '@SUM(A1:A2)'],
  ['a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\u007F', 'abcdefg\u007F'],
  ['<b attr="x">&amp; \'q\'</b>', '<b attr="x">&amp; \'q\'</b>'],
  ['  padded  ', '  padded  '],
  ['\ttab first', '\ttab first'],
  ['line1\nline2\r\nline3', 'line1\nline2\r\nline3'],
  ['emoji 😀 ok', 'emoji 😀 ok'],
  ['lone \uD800 high, lone \uDC00 low', 'lone  high, lone  low'],
  ['\uFFFEx\uFFFF', 'x'],
  ['\u0001\u0002', null],
  ['', null],
  ['Масляный фильтр «Ёлка»', 'Масляный фильтр «Ёлка»'],
];

describe('XlsxWriter', () => {
  it('round-trips values through exceljs', async () => {
    const path = join(dir, 'out.xlsx');
    const wb = await XlsxWriter.create(path, { creator: 'Crossdock', identifier: 'job-42' });
    const sheet = wb.addSheet('Результат', {
      header: ['Brand', 'Article', 'Price', 'Qty', 'Date', 'Any'],
      columnStyles: [undefined, 'text', 'money', 'integer', 'date'],
    });
    const day = new Date(Date.UTC(2024, 1, 29));
    const moment = new Date(Date.UTC(2024, 1, 29, 13, 45, 30));
    const rows: CellValue[][] = [
      ['BOSCH', '00123', 1234.5, 7, day, 'Фильтр масляный'],
      ['MANN', 123, -0.25, 0, moment, true],
      [null, '0', 0.1 + 0.2, 1e21, null, false],
      ['x', null, NaN, Infinity, new Date(NaN), -Infinity],
      ['y', 'z', 123456789012, -3, day, moment],
      ['old', null, null, null, null, new Date(Date.UTC(1899, 0, 1))],
    ];
    await writeAll(sheet, rows);
    for (const [input] of HOSTILE) await sheet.writeRow(['hostile', input, null, null, null, input]);
    await sheet.writeRow(['long', 'x'.repeat(40_000), null, null, null, 'é'.repeat(32_766) + '😀']);
    await wb.finish();

    const book = await readWorkbook(path);
    expect(book.worksheets.map((w) => w.name)).toEqual(['Результат']);
    expect(book.creator).toBe('Crossdock');
    const ws = book.worksheets[0];
    expect(rowValues(ws, 1, 6)).toEqual(['Brand', 'Article', 'Price', 'Qty', 'Date', 'Any']);
    expect(rowValues(ws, 2, 6)).toEqual(['BOSCH', '00123', 1234.5, 7, day, 'Фильтр масляный']);
    expect(rowValues(ws, 3, 6)).toEqual(['MANN', '123', -0.25, 0, moment, true]);
    expect(rowValues(ws, 4, 6)).toEqual([null, '0', 0.1 + 0.2, 1e21, null, false]);
    expect(rowValues(ws, 5, 6)).toEqual(['x', null, null, null, null, null]);
    expect(rowValues(ws, 6, 6)).toEqual(['y', 'z', 123456789012, -3, day, moment]);
    // Before 1900-03-01 Excel's calendar is off by a day: such dates go out as text.
    expect(rowValues(ws, 7, 6)).toEqual(['old', null, null, null, null, '1899-01-01T00:00:00.000Z']);
    HOSTILE.forEach(([input, expected], i) => {
      expect(rowValues(ws, 8 + i, 6), JSON.stringify(input)).toEqual([
        'hostile',
        expected,
        null,
        null,
        null,
        expected,
      ]);
    });
    const long = rowValues(ws, 8 + HOSTILE.length, 6);
    expect(long[1]).toBe('x'.repeat(32_767));
    // The cut never splits a surrogate pair.
    expect(long[5]).toBe('é'.repeat(32_766));

    expect(ws.getCell('B2').numFmt).toBe('@');
    expect(ws.getCell('B3').type).toBe(ExcelJS.ValueType.String);
    expect(ws.getCell('C2').numFmt).toBe('#,##0.00');
    expect(ws.getCell('D2').numFmt).toBe('0');
    expect(ws.getCell('E2').numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('E3').numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('F6').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(ws.getCell('A1').font?.bold).toBe(true);
    expect(ws.getCell('F1').font?.bold).toBe(true);
    expect(ws.getCell('A2').font?.bold).toBeFalsy();
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, topLeftCell: 'A2' });
  });

  it('writes header styling, filter, defined name and docProps into the XML, and never a formula', async () => {
    const path = join(dir, 'out.xlsx');
    const wb = await XlsxWriter.create(path, { creator: 'A & B', identifier: 'job <7>' });
    const sheet = wb.addSheet('Result', { header: ['A', 'B', 'C'] });
    for (let i = 0; i < 250; i++) await sheet.writeRow(['=SUM(A1:A9)', i, `+${i}`]);
    const plain = wb.addSheet('Plain');
    await plain.writeRow(['no header']);
    await wb.finish();

    const xml = await readXml(path);
    for (const [name, text] of xml) expect(text, name).not.toMatch(/<f[\s>/]/);
    const sheet1 = xml.get('xl/worksheets/sheet1.xml')!;
    expect(sheet1).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
    expect(sheet1).toContain('<autoFilter ref="A1:C251"/>');
    expect(sheet1.indexOf('<cols>')).toBeLessThan(sheet1.indexOf('<sheetData>'));
    expect(sheet1.indexOf('</sheetData>')).toBeLessThan(sheet1.indexOf('<autoFilter'));
    expect(sheet1).toMatch(/<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>A<\/t><\/is><\/c>/);
    expect(sheet1).toContain('<c r="A2" t="inlineStr"><is><t>=SUM(A1:A9)</t></is></c>');
    const sheet2 = xml.get('xl/worksheets/sheet2.xml')!;
    expect(sheet2).not.toContain('<pane');
    expect(sheet2).not.toContain('<autoFilter');
    const workbook = xml.get('xl/workbook.xml')!;
    expect(workbook).toContain(
      `<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'Result'!$A$1:$C$251</definedName>`,
    );
    expect(workbook.match(/<definedName /g)).toHaveLength(1);
    expect(workbook).toMatch(/<sheet name="Result" sheetId="1" r:id="rId1"\/><sheet name="Plain"/);
    const core = xml.get('docProps/core.xml')!;
    expect(core).toContain('<dc:identifier>job &lt;7&gt;</dc:identifier>');
    expect(core).toContain('<dc:creator>A &amp; B</dc:creator>');
    const styles = xml.get('xl/styles.xml')!;
    expect(styles).toContain('<font><b/>');
    // Metadata first, so that streaming readers see it before the sheets.
    const { order } = await readZip(path);
    expect(order[0]).toBe('[Content_Types].xml');
    expect(order.slice(-2)).toEqual(['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml']);
  });

  it('escapes XML specials, keeps spaces and defuses "_xHHHH_" in the raw XML', async () => {
    const path = join(dir, 'out.xlsx');
    const wb = await XlsxWriter.create(path);
    const sheet = wb.addSheet('S');
    await sheet.writeRow(['a<b>&c', ' lead', 'trail ', '_x0041_ and _x00e9_ and _x12_', 'cr\r']);
    await wb.finish();
    const xml = (await readXml(path)).get('xl/worksheets/sheet1.xml')!;
    expect(xml).toContain('<t>a&lt;b&gt;&amp;c</t>');
    expect(xml).toContain('<t xml:space="preserve"> lead</t>');
    expect(xml).toContain('<t xml:space="preserve">trail </t>');
    expect(xml).toContain('<t>_x005F_x0041_ and _x005F_x00e9_ and _x12_</t>');
    expect(xml).toContain('<t xml:space="preserve">cr&#13;</t>');
  });

  it('sizes columns from the header and the first rows, within 6..60', async () => {
    const path = join(dir, 'out.xlsx');
    const wb = await XlsxWriter.create(path);
    const sheet = wb.addSheet('S', {
      header: ['Id', 'A rather long column title', 'Text'],
      autoFilter: false,
    });
    await sheet.writeRow([1, 'x', 'y'.repeat(500)]);
    await sheet.writeRow([2, null, null, 'fourth']);
    await wb.finish();
    const ws = (await readWorkbook(path)).worksheets[0];
    expect(ws.getColumn(1).width).toBe(6);
    expect(ws.getColumn(2).width).toBe('A rather long column title'.length + 2);
    expect(ws.getColumn(3).width).toBe(60);
    expect(ws.getColumn(4).width).toBe(8);
  });

  it('splits a full sheet into "Name (2)", … with the header repeated, in order', async () => {
    const path = join(dir, 'out.xlsx');
    const wb = await XlsxWriter.create(path);
    const result = wb.addSheet('Result', { header: ['N', 'Name'], splitRows: true, maxRowsPerSheet: 5 });
    // Added before Result overflows: Result's later parts must still come right after Result.
    const long = wb.addSheet('L'.repeat(40), { header: ['N'], splitRows: true, maxRowsPerSheet: 3 });
    for (let i = 1; i <= 10; i++) await result.writeRow([i, `row ${i}`]);
    for (let i = 1; i <= 3; i++) await long.writeRow([i]);
    await result.end();
    expect(() => result.writeRow([11, 'late'])).toThrow(/ended/);
    // Added once Result is complete, e.g. a summary of it.
    const summary = wb.addSheet('Summary');
    await summary.writeRow(['Totals'], { bold: true });
    await summary.writeRow(['Rows', 10]);
    await wb.finish();

    expect(result.names).toEqual(['Result', 'Result (2)', 'Result (3)']);
    expect(result.rowCount).toBe(10);
    const book = await readWorkbook(path);
    const names = book.worksheets.map((w) => w.name);
    expect(names).toEqual([
      'Result',
      'Result (2)',
      'Result (3)',
      'L'.repeat(31),
      'L'.repeat(27) + ' (2)',
      'Summary',
    ]);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(31);
    const parts = [1, 2, 3].map((k) => book.worksheets[k - 1]);
    expect(parts.map((ws) => ws.rowCount)).toEqual([5, 5, 3]);
    for (const ws of parts) {
      expect(rowValues(ws, 1, 2)).toEqual(['N', 'Name']);
      expect(ws.getCell('A1').font?.bold).toBe(true);
    }
    expect(rowValues(parts[1], 2, 2)).toEqual([5, 'row 5']);
    expect(rowValues(parts[2], 3, 2)).toEqual([10, 'row 10']);
    const summaryWs = book.getWorksheet('Summary')!;
    expect(summaryWs.getCell('A1').font?.bold).toBe(true);
    expect(summaryWs.getCell('A2').font?.bold).toBeFalsy();
    expect(rowValues(summaryWs, 2, 2)).toEqual(['Rows', 10]);

    const xml = await readXml(path);
    const workbook = xml.get('xl/workbook.xml')!;
    expect(workbook).toContain(`localSheetId="1" hidden="1">'Result (2)'!$A$1:$B$5<`);
    expect(workbook).toContain(`localSheetId="2" hidden="1">'Result (3)'!$A$1:$B$3<`);
    expect(workbook).toContain(`localSheetId="4" hidden="1">'${'L'.repeat(27)} (2)'!$A$1:$A$2<`);
    expect(workbook).not.toContain('localSheetId="5"');
    const tabs = [...xml].filter(([n, t]) => n.startsWith('xl/worksheets/') && t.includes('tabSelected="1"'));
    expect(tabs.map(([n]) => n)).toEqual(['xl/worksheets/sheet1.xml']);
  });

  it('refuses to overflow a sheet unless asked to split', async () => {
    const wb = await XlsxWriter.create(join(dir, 'out.xlsx'));
    const sheet = wb.addSheet('S', { header: ['A'], maxRowsPerSheet: 3 });
    sheet.writeRow([1]);
    sheet.writeRow([2]);
    expect(() => sheet.writeRow([3])).toThrow(RangeError);
    await wb.abort();
  });

  it('cleans and de-duplicates sheet names', async () => {
    expect(cleanSheetName('a/b:c*d?e[f]g\\h')).toBe('a_b_c_d_e_f_g_h');
    expect(cleanSheetName("'quoted'")).toBe('quoted');
    expect(cleanSheetName('  ')).toBe('Sheet');
    expect(cleanSheetName('x\u0001y')).toBe('xy');
    expect(cleanSheetName('history')).toBe('History_');
    expect(cleanSheetName('Я'.repeat(40))).toBe('Я'.repeat(31));
    const path = join(dir, 'out.xlsx');
    const wb = await XlsxWriter.create(path);
    const names = ['Data', 'data', 'Data (2)', "It's"].map((n) => wb.addSheet(n).name);
    expect(names).toEqual(['Data', 'data (2)', 'Data (2) (2)', "It's"]);
    await wb.finish();
    expect((await readWorkbook(path)).worksheets.map((w) => w.name)).toEqual(names);
  });

  it('writes two sheets at the same time', async () => {
    const path = join(dir, 'out.xlsx');
    const wb = await XlsxWriter.create(path);
    const a = wb.addSheet('A', { header: ['Tag', 'N', 'Text'] });
    const b = wb.addSheet('B', { header: ['Tag', 'N', 'Text'] });
    const n = 30_000;
    const fill = async (sheet: XlsxSheet, tag: string): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const wait = sheet.writeRow([tag, i, `Строка ${i} ${'x'.repeat(i % 50)}`]);
        if (wait) await wait;
      }
    };
    await Promise.all([fill(a, 'A'), fill(b, 'B')]);
    await wb.finish();
    const book = await readWorkbook(path);
    for (const tag of ['A', 'B']) {
      const ws = book.getWorksheet(tag)!;
      expect(ws.rowCount).toBe(n + 1);
      for (const i of [0, 1, 777, n - 1]) {
        expect(rowValues(ws, i + 2, 3)).toEqual([tag, i, `Строка ${i} ${'x'.repeat(i % 50)}`]);
      }
    }
  });

  it('checkpoints and resumes: rows before and after, split parts, a sheet still empty, fills and widths', async () => {
    const header = ['Tag', 'N', 'Text', 'Status'];
    const row = (i: number): CellValue[] => [
      i % 3 ? 'a' : 'Б',
      i * 1.25,
      i % 7 ? `Строка & <${i}>` : '  _x0041_ ',
      i % 2 ? 'found' : 'not found',
    ];
    const fill = (i: number): RowOptions => ({ fill: { column: 3, color: i % 2 ? 'green' : 'red' } });
    const summaryRows = (n: number): CellValue[][] => Array.from({ length: n }, (_, i) => [`S${i}`, i]);
    const total = 2_501;
    const sheets = (wb: XlsxWriter): XlsxSheet[] => [
      wb.addSheet('Result', {
        header,
        splitRows: true,
        maxRowsPerSheet: 1_000,
        columnStyles: [null, 'money'],
      }),
      // No header and nothing written before the checkpoints: it keeps sampling across them.
      wb.addSheet('Summary'),
    ];
    const write = async (sheet: XlsxSheet, from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        const wait = sheet.writeRow(row(i), fill(i));
        if (wait) await wait;
      }
    };

    // Uninterrupted, with checkpoints taken along the way.
    const straight = join(dir, 'straight.xlsx');
    const wa = await XlsxWriter.create(straight, { created: new Date(0) });
    const [ra, sa] = sheets(wa);
    await wa.checkpoint();
    await write(ra, 0, 1_400);
    await wa.checkpoint();
    await write(ra, 1_400, total);
    await writeAll(sa, summaryRows(5));
    await wa.finish();

    // Killed after a checkpoint (the rows after it are lost), then resumed from it.
    const resumed = join(dir, 'resumed.xlsx');
    const wb1 = await XlsxWriter.create(resumed, { created: new Date(0) });
    const [rb1] = sheets(wb1);
    await wb1.checkpoint();
    await write(rb1, 0, 1_400);
    const state = JSON.parse(JSON.stringify(await wb1.checkpoint())) as WorkbookState;
    const wb2 = await XlsxWriter.create(resumed, { created: new Date(0), resume: state });
    const [rb2, sb2] = sheets(wb2);
    expect(rb2.rowCount).toBe(1_400);
    await write(rb2, 1_400, total);
    await writeAll(sb2, summaryRows(5));
    await wb2.finish();

    const a = await readXml(straight);
    const b = await readXml(resumed);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, xml] of a) expect(b.get(name), name).toBe(xml);
    const book = await readWorkbook(resumed);
    expect(book.worksheets.map((w) => w.name)).toEqual(['Result', 'Result (2)', 'Result (3)', 'Summary']);
    // (row 0's "_x0041_" is escaped for Excel, which exceljs does not decode.)
    expect(rowValues(book.worksheets[0], 3, 4)).toEqual(row(1));
    expect(rowValues(book.worksheets[2], 504, 4)).toEqual(row(total - 1));
    expect(rowValues(book.worksheets[3], 1, 2)).toEqual(['S0', 0]);
    expect(book.worksheets[3].rowCount).toBe(5);
    expect(book.worksheets[0].getCell('D2').fill).toMatchObject({ fgColor: { argb: 'FFFFC7CE' } });
  });

  it('writes Zip64 records when forced, and exceljs still reads the file', async () => {
    const path = join(dir, 'out.xlsx');
    const wb = await XlsxWriter.create(path, { zip64Threshold: 0 });
    const sheet = wb.addSheet('S', { header: ['A'] });
    await sheet.writeRow(['zip64']);
    await wb.finish();
    const zip = await readZip(path);
    expect(zip.zip64End).toBe(true);
    expect(zip.zip64Entries).toEqual(zip.order);
    const ws = (await readWorkbook(path)).worksheets[0];
    expect(ws.getCell('A2').value).toBe('zip64');
  });

  it('abort removes every file, whether writing or finished', async () => {
    const wb = await XlsxWriter.create(join(dir, 'out.xlsx'));
    const a = wb.addSheet('A');
    const b = wb.addSheet('B');
    for (let i = 0; i < 5000; i++) {
      await a.writeRow(['a', i]);
      await b.writeRow(['b', i]);
    }
    expect((await readdir(dir)).length).toBeGreaterThan(1);
    await wb.abort();
    await wb.abort();
    expect(await readdir(dir)).toEqual([]);
    expect(() => a.writeRow(['late'])).toThrow();

    const done = await XlsxWriter.create(join(dir, 'done.xlsx'));
    done.addSheet('S').writeRow(['x']);
    await done.finish();
    expect(await readdir(dir)).toEqual(['done.xlsx']);
    await done.abort();
    expect(await readdir(dir)).toEqual([]);

    const empty = await XlsxWriter.create(join(dir, 'empty.xlsx'));
    await expect(empty.finish()).rejects.toThrow(/at least one sheet/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('names columns like Excel', () => {
    expect([0, 25, 26, 51, 52, 701, 702, 16_383].map(columnName)).toEqual([
      'A',
      'Z',
      'AA',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
      'XFD',
    ]);
  });
});

describe('write-xml', () => {
  it('spells numbers exactly as String() does', () => {
    const buf = Buffer.alloc(64);
    const spell = (v: number): string => buf.toString('latin1', 0, putNumber(buf, 0, v));
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32;
    const special = [0, -0, 1e21, 1e-7, 5e-324, 2 ** 53, -(2 ** 31), 2 ** 31, 0.1 + 0.2, 0.05, 1.005];
    for (const v of [...special, 1e13 - 0.01, 1e13, 9_999_999_999_999.99, 123.45])
      expect(spell(v)).toBe(String(v));
    for (let i = 0; i < 200_000; i++) {
      const scale = 10 ** Math.floor(random() * 16);
      const sign = i % 2 ? -1 : 1;
      const v =
        i % 4 === 0
          ? (sign * Math.round(random() * scale)) / 100
          : i % 4 === 1
            ? sign * Math.round(random() * scale)
            : i % 4 === 2
              ? sign * random() * scale
              : (random() - 0.5) * 10 ** (Math.floor(random() * 40) - 20);
      if (spell(v) !== String(v)) expect(spell(v)).toBe(String(v));
    }
  });

  it('escapes text as the regular expressions did, or refuses it when XML cannot hold it', () => {
    const ILLEGAL =
      // eslint-disable-next-line no-control-regex -- control characters are what this finds
      /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
    const ESCAPED = /[&<>\r]|_(?=x[0-9A-Fa-f]{4}_)/g;
    const escapes: Record<string, string> = {
      '&': '&amp;',
      '<': '&lt;',
      '>': '&gt;',
      '\r': '&#13;',
      _: '_x005F_',
    };
    const alphabet = [
      ...'aZ \t\n\r&<>"\'_x0Ffg5Ж€',
      '😀',
      '\uD800',
      '\uDC00',
      '\uFFFE',
      '\uFFFF',
      '\u0001',
      '\u001F',
      '\u007F',
      '\u0080',
      '\u07FF',
      '\u0800',
    ];
    const buf = Buffer.alloc(256);
    let seed = 11;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 100_000; i++) {
      let s = '';
      for (let k = Math.floor(random() * 12); k > 0; k--)
        s += alphabet[Math.floor(random() * alphabet.length)];
      const end = putXmlText(buf, 0, s);
      const legal = s.replace(ILLEGAL, '') === s;
      expect(end >= 0, JSON.stringify(s)).toBe(legal);
      if (!legal) continue;
      expect(end).toBeLessThanOrEqual(7 * s.length);
      const xml = buf.toString('utf8', 0, end);
      if (xml !== s.replace(ESCAPED, (c) => escapes[c]))
        expect(xml).toBe(s.replace(ESCAPED, (c) => escapes[c]));
    }
  });
});

describe('ZipWriter', () => {
  it('computes CRC-32 natively and with the fallback table alike', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(tableCrc32(check)).toBe(0xcbf43926);
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 0xff));
    expect(tableCrc32(data.subarray(50_000), tableCrc32(data.subarray(0, 50_000)))).toBe(crc32(data));
  });

  it('writes Zip64 only for the entries and fields that need it', async () => {
    const path = join(dir, 'out.zip');
    const zip = await ZipWriter.create(path, { zip64Threshold: 1000 });
    zip.addFile('small.txt', 'hello');
    const big = zip.addEntry('big.txt');
    const text = Array.from({ length: 2000 }, (_, i) => `${i * 7919} `).join('');
    await big.write(text);
    await big.end();
    const after = zip.addEntry('after/ünïcode.txt');
    await after.write('tail');
    await zip.finish();
    const contents = await readZip(path);
    expect(contents.order).toEqual(['small.txt', 'big.txt', 'after/ünïcode.txt']);
    expect(contents.zip64Entries).toEqual(['big.txt', 'after/ünïcode.txt']);
    expect(contents.zip64End).toBe(true);
    expect(contents.files.get('big.txt')!.toString()).toBe(text);
    expect(contents.files.get('after/ünïcode.txt')!.toString()).toBe('tail');
    expect(contents.files.get('small.txt')!.toString()).toBe('hello');
  });

  it('asks the producer to wait when deflate falls behind, and stays bounded when it does', async () => {
    const zip = await ZipWriter.create(join(dir, 'out.zip'));
    const entry = zip.addEntry('noise.bin');
    // Peeks at the entry's private deflate stream: its backlog is what backpressure must bound.
    const deflate = (entry as unknown as { deflate: { writableLength: number; writableNeedDrain: boolean } })
      .deflate;
    // Incompressible text, so deflate has real work.
    let seed = 1;
    const noise = (): string => {
      let s = '';
      for (let i = 0; i < 4096; i++) {
        seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
        s += String.fromCharCode(33 + (seed % 90));
      }
      return s;
    };
    // A producer that never yields: the writer must signal backpressure, not absorb everything.
    let pending: void | Promise<void> = undefined;
    let written = 0;
    while (!deflate.writableNeedDrain && written < 16 * 1024 * 1024) {
      pending = entry.write(noise());
      written += 4096;
    }
    expect(deflate.writableNeedDrain).toBe(true);
    expect(written).toBeLessThan(4 * 1024 * 1024);
    await pending;
    // A producer that waits when told to: deflate's backlog stays near its high-water mark.
    let maxBacklog = 0;
    for (let i = 0; i < 4000; i++) {
      const wait = entry.write(noise());
      maxBacklog = Math.max(maxBacklog, deflate.writableLength);
      if (wait) await wait;
    }
    expect(maxBacklog).toBeLessThan(2 * 1024 * 1024);
    await zip.finish();
  });

  it('rejects duplicate names and use after finish', async () => {
    const zip = await ZipWriter.create(join(dir, 'out.zip'));
    zip.addFile('a', 'x');
    expect(() => zip.addEntry('a')).toThrow(/duplicate/);
    await zip.finish();
    expect(() => zip.addFile('b', 'y')).toThrow();
    await expect(zip.finish()).rejects.toThrow();
  });
});

describe('CsvWriter', () => {
  it('writes BOM, CRLF, quoting, formula defusing, dates and booleans', async () => {
    const path = join(dir, 'out.csv');
    const csv = await CsvWriter.create(path, { header: ['Brand', 'Value', 'Note'] });
    await csv.writeRow(['BOSCH', 12.5, 'plain']);
    await csv.writeRow(['a,b', -3, 'say "hi"']);
    await csv.writeRow(['multi\nline', null, NaN]);
    await csv.writeRow(["=cmd|' /C calc'!A0", '+1', '-1']);
    await csv.writeRow(['@SUM(A1)', '\tx', '\rx']);
    await csv.writeRow(['=a,b', 'safe=1', ' -1']);
    await csv.writeRow([true, false, Infinity]);
    await csv.writeRow([
      new Date(Date.UTC(2024, 1, 29)),
      new Date(Date.UTC(2024, 1, 29, 7, 5, 9)),
      new Date(NaN),
    ]);
    await csv.writeRow(['Фильтр', '00123', '']);
    await csv.writeRow([]);
    expect(csv.rowCount).toBe(11);
    await csv.finish();

    const bytes = await readFile(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(
      [
        'Brand,Value,Note',
        'BOSCH,12.5,plain',
        '"a,b",-3,"say ""hi"""',
        '"multi\nline",,',
        `'=cmd|' /C calc'!A0,'+1,'-1`,
        `'@SUM(A1),'\tx,"'\rx"`,
        `"'=a,b",safe=1, -1`,
        'TRUE,FALSE,',
        '2024-02-29,2024-02-29 07:05:09,',
        'Фильтр,00123,',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('uses another delimiter when asked', async () => {
    const path = join(dir, 'out.csv');
    const csv = await CsvWriter.create(path, { delimiter: ';' });
    await csv.writeRow(['a;b', 'c,d', 1.5]);
    await csv.finish();
    expect((await readFile(path, 'utf8')).slice(1)).toBe('"a;b";c,d;1.5\r\n');
    await expect(CsvWriter.create(join(dir, 'x.csv'), { delimiter: '"' })).rejects.toThrow(RangeError);
  });

  it('quotes for any delimiter, a non-ASCII or astral one too, and writes lone surrogates as U+FFFD', async () => {
    const cases: [string, CellValue[], string][] = [
      ["'", ['=1', "it's", 'x'], `"'=1"'"it's"'x`],
      ['§', ['a§b', 'c', -2], '"a§b"§c§-2'],
      ['😀', ['a😀b', '😀', 'ok'], '"a😀b"😀"😀"😀ok'],
      ['\t', ['\tx', 'y'], '"\'\tx"\ty'],
      [',', ['lone \uD800 and \uDC00', 'pair 😀'], 'lone \uFFFD and \uFFFD,pair 😀'],
    ];
    for (const [delimiter, row, line] of cases) {
      const path = join(dir, 'd.csv');
      const csv = await CsvWriter.create(path, { delimiter });
      await csv.writeRow(row);
      await csv.finish();
      expect((await readFile(path, 'utf8')).slice(1), JSON.stringify(delimiter)).toBe(`${line}\r\n`);
    }
  });

  it('streams many rows with backpressure', async () => {
    const path = join(dir, 'out.csv');
    const csv = await CsvWriter.create(path);
    const n = 100_000;
    let waits = 0;
    for (let i = 0; i < n; i++) {
      const wait = csv.writeRow([i, `Строка ${i}`, i * 0.5]);
      if (wait) {
        waits++;
        await wait;
      }
    }
    await csv.finish();
    expect(waits).toBeGreaterThan(0);
    const lines = (await readFile(path, 'utf8')).slice(1).split('\r\n');
    expect(lines).toHaveLength(n + 1);
    expect(lines[n - 1]).toBe(`${n - 1},Строка ${n - 1},${(n - 1) * 0.5}`);
  });

  it('abort removes the file', async () => {
    const csv = await CsvWriter.create(join(dir, 'out.csv'));
    await csv.writeRow(['x']);
    await csv.abort();
    await csv.abort();
    expect(await readdir(dir)).toEqual([]);
    expect(() => csv.writeRow(['y'])).toThrow();
  });
});
