import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvParser, detectDelimiter, detectEncoding, openCsv } from '../src-worker/io/csv-reader.ts';
import { openSpreadsheet } from '../src-worker/io/open-spreadsheet.ts';
import { InputError, type Row, type WorkbookReader } from '../src-worker/io/types.ts';
import {
  decodeEntities,
  excelSerialToDate,
  isDateFormatCode,
  openXlsx,
  SheetScanner,
} from '../src-worker/io/xlsx-reader.ts';
import { ByteCarry, type ByteScanner, TextCache } from '../src-worker/io/read-xml-bytes.ts';
import { DAMAGED_MESSAGE, ZipReader } from '../src-worker/io/zip-reader.ts';
import {
  buildZip,
  cfb,
  NS,
  plainSheet,
  REL,
  RNS,
  xlsxEntries,
  zeroBomb,
  type XlsxParts,
} from './fixtures/archives.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crossdock-io-reader-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const utc = (y: number, m: number, d: number, h = 0, min = 0, s = 0): Date =>
  new Date(Date.UTC(y, m - 1, d, h, min, s));

async function readAll(
  wb: WorkbookReader,
  index = 0,
): Promise<{ rows: Row[]; rowNumbers: number[]; batches: number }> {
  const rows: Row[] = [];
  const rowNumbers: number[] = [];
  let batches = 0;
  for await (const b of wb.sheet(index).batches()) {
    batches++;
    expect(b.rows.length).toBe(b.rowNumbers.length);
    rows.push(...b.rows);
    rowNumbers.push(...b.rowNumbers);
  }
  return { rows, rowNumbers, batches };
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

async function drain(wb: WorkbookReader, index = 0): Promise<void> {
  for await (const _ of wb.sheet(index).batches()) {
    // reading is the point
  }
}

async function writeXlsx(name: string, parts: XlsxParts, opts: { zip64?: boolean } = {}): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, buildZip(xlsxEntries(parts), opts));
  return path;
}

// ---------------------------------------------------------------------------------------------
// xlsx written by exceljs

describe('xlsx written by exceljs', () => {
  let normalPath: string;

  beforeAll(async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Товары');
    ws.addRow(['Артикул', 'Наименование', 'Кол-во', 'Цена', 'Дата', 'Есть', 'Сумма', 'Заметка']);
    ws.addRow([
      '00123',
      'Гайка М8 «DIN 934»',
      5,
      12.5,
      utc(2024, 1, 15),
      true,
      { formula: 'C2*D2', result: 62.5 },
      { richText: [{ text: 'Bold ' }, { text: 'part', font: { bold: true } }] },
    ]);
    ws.addRow([]); // row 3 stays empty and must be skipped
    ws.addRow(['A&B <tag> "q"', '  padded  ', -0.001, 1e21, utc(2024, 2, 29, 13, 45, 30), false, null, 'x']);
    ws.getCell('J6').value = 'far right';
    ws.getCell('B7').value = 'Ёлка';
    ws.getCell('A8').numFmt = '0.00';
    ws.getCell('A8').value = 7; // numeric format that is not a date
    ws.getCell('A9').numFmt = 'dd.mm.yyyy hh:mm';
    ws.getCell('A9').value = utc(1999, 12, 31, 23, 59, 0);
    const second = wb.addWorksheet('Second');
    second.addRow(['only']);
    normalPath = join(dir, 'exceljs-normal.xlsx');
    await wb.xlsx.writeFile(normalPath);
  });

  it('reads values cell by cell with types preserved', async () => {
    const wb = await openXlsx(normalPath);
    expect(wb.format).toBe('xlsx');
    expect(wb.sheetNames).toEqual(['Товары', 'Second']);
    const { rows, rowNumbers } = await readAll(wb);
    expect(rowNumbers).toEqual([1, 2, 4, 6, 7, 8, 9]);
    expect(rows[0]).toEqual([
      'Артикул',
      'Наименование',
      'Кол-во',
      'Цена',
      'Дата',
      'Есть',
      'Сумма',
      'Заметка',
    ]);
    expect(rows[1]).toEqual([
      '00123',
      'Гайка М8 «DIN 934»',
      5,
      12.5,
      utc(2024, 1, 15),
      true,
      62.5,
      'Bold part',
    ]);
    expect(typeof rows[1][0]).toBe('string');
    expect(rows[2]).toEqual([
      'A&B <tag> "q"',
      '  padded  ',
      -0.001,
      1e21,
      utc(2024, 2, 29, 13, 45, 30),
      false,
      null,
      'x',
    ]);
    expect(rows[3]).toEqual([null, null, null, null, null, null, null, null, null, 'far right']);
    expect(rows[4]).toEqual([null, 'Ёлка']);
    expect(rows[5]).toEqual([7]);
    expect(rows[6]).toEqual([utc(1999, 12, 31, 23, 59, 0)]);
    const second = await readAll(wb, 1);
    expect(second.rows).toEqual([['only']]);
    expect(wb.sheet(0).progress().done).toBe(wb.sheet(0).progress().total);
    await wb.close();
  });

  it('estimates rows from the dimension element', async () => {
    const wb = await openXlsx(normalPath);
    expect(wb.sheet(0).estimatedRows).toBe(9);
    expect(wb.sheet(1).estimatedRows).toBe(1);
    expect(() => wb.sheet(2)).toThrow(RangeError);
    await wb.close();
  });

  it('stops reading when the loop is left early', async () => {
    const wb = await openXlsx(normalPath);
    for await (const b of wb.sheet(0).batches()) {
      expect(b.rows.length).toBeGreaterThan(0);
      break;
    }
    // The same reader can start over.
    expect((await readAll(wb)).rows).toHaveLength(7);
    await wb.close();
  });

  it('reads date1904 workbooks', async () => {
    const wb = new ExcelJS.Workbook();
    wb.properties.date1904 = true;
    wb.addWorksheet('D').addRow([utc(2024, 1, 15), utc(1904, 1, 2, 6, 0, 0), 'x']);
    const path = join(dir, 'exceljs-1904.xlsx');
    await wb.xlsx.writeFile(path);
    const r = await openXlsx(path);
    expect((await readAll(r)).rows).toEqual([[utc(2024, 1, 15), utc(1904, 1, 2, 6, 0, 0), 'x']]);
    await r.close();
  });

  for (const useSharedStrings of [true, false]) {
    it(`reads the streaming WorkbookWriter output (useSharedStrings: ${useSharedStrings})`, async () => {
      const path = join(dir, `exceljs-stream-${useSharedStrings}.xlsx`);
      const writer = new ExcelJS.stream.xlsx.WorkbookWriter({
        filename: path,
        useSharedStrings,
        useStyles: true,
      });
      const ws = writer.addWorksheet('Stream');
      for (let i = 0; i < 3000; i++) {
        ws.addRow([
          `00${i}`,
          `Болт ${i} & гайка`,
          i,
          i + 0.25,
          utc(2020, 1, 1 + (i % 28)),
          i % 2 === 0,
        ]).commit();
      }
      ws.commit();
      await writer.commit();
      const wb = await openXlsx(path);
      const { rows, rowNumbers } = await readAll(wb);
      expect(rows).toHaveLength(3000);
      expect(rowNumbers[2999]).toBe(3000);
      for (const i of [0, 1, 777, 2999]) {
        expect(rows[i]).toEqual([
          `00${i}`,
          `Болт ${i} & гайка`,
          i,
          i + 0.25,
          utc(2020, 1, 1 + (i % 28)),
          i % 2 === 0,
        ]);
      }
      await wb.close();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-built xlsx: what other writers (the .NET OpenXML SDK, old tools) put in files

const STYLES = `<?xml version="1.0"?><styleSheet xmlns="${NS}">
<numFmts count="4">
  <numFmt numFmtId="164" formatCode="dd.mm.yyyy"/>
  <numFmt numFmtId="165" formatCode="0.00&quot; м&quot;"/>
  <numFmt numFmtId="166" formatCode="[Red]#,##0;[Blue]-#,##0"/>
  <numFmt numFmtId="167" formatCode="[h]:mm"/>
</numFmts>
<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"><alignment/></xf><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/></cellXfs>
<dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="yyyy"/></dxf></dxfs>
</styleSheet>`;

const PREFIXED_SST = `<?xml version="1.0" encoding="utf-8"?>
<x:sst xmlns:x="${NS}" count="4" uniqueCount="4">
  <x:si><x:t>shared0</x:t></x:si>
  <x:si><x:r><x:rPr><x:b/><x:sz val="11"/></x:rPr><x:t>Rich </x:t></x:r><x:r><x:t xml:space="preserve">text </x:t></x:r><x:rPh sb="0" eb="1"><x:t>ルビ</x:t></x:rPh><x:phoneticPr fontId="1"/></x:si>
  <x:si><x:t/></x:si>
  <x:si><x:t>Tom &amp; &quot;Jerry&quot; &#169; &#x1F600; &unknown; _x000D_</x:t></x:si>
</x:sst>`;

const PREFIXED_SHEET = `<?xml version="1.0" encoding="utf-8"?>
<x:worksheet xmlns:x="${NS}" xmlns:r="${RNS}">
  <x:dimension ref="A1:E7"/>
  <x:sheetViews><x:sheetView workbookViewId="0"/></x:sheetViews>
  <x:sheetData>
    <x:row>
      <x:c
        t="s"><x:v>0</x:v></x:c>
      <x:c t='inlineStr'><x:is><x:t xml:space="preserve"> inline &amp; spaced </x:t></x:is></x:c>
      <x:c><x:v>42</x:v></x:c>
      <x:c t="s"><x:v>1</x:v></x:c>
    </x:row>
    <x:row>
      <x:c s="1" r="A2"><x:v>45306.5</x:v></x:c>
      <x:c r="C2" t="b"><x:v>0</x:v></x:c>
      <x:c r="D2" t="e"><x:v>#N/A</x:v></x:c>
      <x:c r="E2" t="str"><x:f>CONCAT("a","b")</x:f><x:v>a&lt;b&#x41;&#1071;</x:v></x:c>
    </x:row>
    <x:row r="4"><x:c r="B4"/><x:c r="C4" s="2"/><x:c r="D4" t="s"><x:v>2</x:v></x:c></x:row>
    <x:row r="5" spans="1:3"><x:c r="A5" t="d"><x:v>2024-03-01T10:20:30</x:v></x:c><x:c r='B5' t="n"><x:v>-1.5E3</x:v></x:c><x:c r="C5" t="s"><x:v>3</x:v></x:c></x:row>
    <x:row><x:c r="A6" s="2"><x:v>45306</x:v></x:c><x:c s="3"><x:v>12.5</x:v></x:c><x:c s="4"><x:v>1000</x:v></x:c><x:c s="5"><x:v>1.5</x:v></x:c></x:row>
    <!-- a comment between rows -->
    <x:row r="7"><x:c r="A7"><x:f t="shared" ref="A7:A8" si="0"/><x:v>3</x:v></x:c><x:c r="B7" t="inlineStr"><x:is><x:r><x:t>in</x:t></x:r><x:r><x:rPr><x:i/></x:rPr><x:t>line</x:t></x:r></x:is></x:c></x:row>
  </x:sheetData>
  <x:conditionalFormatting sqref="A1"><x:cfRule type="expression" priority="1"><x:formula>A1&gt;0</x:formula></x:cfRule></x:conditionalFormatting>
</x:worksheet>`;

const PREFIXED_EXPECTED: { rows: Row[]; rowNumbers: number[] } = {
  rows: [
    ['shared0', ' inline & spaced ', 42, 'Rich text '],
    [utc(2024, 1, 15, 12), null, false, null, 'a<bAЯ'],
    [utc(2024, 3, 1, 10, 20, 30), -1500, 'Tom & "Jerry" © 😀 &unknown; \r'],
    [utc(2024, 1, 15), 12.5, 1000, utc(1900, 1, 1, 12)],
    [3, 'inline'],
  ],
  rowNumbers: [1, 2, 5, 6, 7],
};

describe('hand-built xlsx', () => {
  it('handles namespace prefixes, missing r, inline strings, types, styles and entities', async () => {
    const path = join(dir, 'prefixed.xlsx');
    const entries = xlsxEntries({
      sheets: [{ name: 'Data &amp; more', xml: PREFIXED_SHEET }],
      sharedStrings: PREFIXED_SST,
      styles: STYLES,
      // Absolute target, and entry names in another case than the target.
      target: () => '/xl/worksheets/sheet1.xml',
      sheetEntry: () => 'XL/Worksheets/Sheet1.XML',
    }).map((e) =>
      e.name === 'xl/workbook.xml'
        ? {
            ...e,
            data: `<?xml version="1.0"?><x:workbook xmlns:x="${NS}" xmlns:r="${RNS}"><x:workbookPr date1904="false"/><x:sheets><x:sheet name="Data &amp; more" sheetId="1" r:id="rId10"/></x:sheets></x:workbook>`,
          }
        : e,
    );
    await writeFile(path, buildZip(entries));
    const wb = await openXlsx(path);
    expect(wb.sheetNames).toEqual(['Data & more']);
    expect(wb.sheet(0).estimatedRows).toBe(7);
    const { rows, rowNumbers } = await readAll(wb);
    expect(rows).toEqual(PREFIXED_EXPECTED.rows);
    expect(rowNumbers).toEqual(PREFIXED_EXPECTED.rowNumbers);
    await wb.close();
  });

  it('gives the same rows whatever the chunk boundaries (down to one byte)', async () => {
    const shared = ['shared0', 'Rich text ', '', 'Tom & "Jerry" © 😀 &unknown; \r'];
    const styles = new Uint8Array([0, 1, 1, 0, 0, 1]);
    const bytes = Buffer.from(PREFIXED_SHEET, 'utf8');
    for (const size of [1, 2, 3, 5, 7, 11, 64, 1000]) {
      const scanner = new SheetScanner(shared, styles, false);
      const rows: Row[] = [];
      const numbers: number[] = [];
      for (let i = 0; i < bytes.length; i += size) {
        scanner.push(bytes.subarray(i, i + size));
        const b = scanner.take();
        if (b) {
          rows.push(...b.rows);
          numbers.push(...b.rowNumbers);
        }
      }
      expect(scanner.done).toBe(true);
      expect({ size, rows, numbers }).toEqual({
        size,
        rows: PREFIXED_EXPECTED.rows,
        numbers: PREFIXED_EXPECTED.rowNumbers,
      });
    }
  });

  it('splits multi-byte characters across chunks correctly', () => {
    const xml = Buffer.from(
      plainSheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Привет, мир 😀 ё</t></is></c><c r="B1" t="str"><v>Ж</v></c></row>',
      ),
    );
    for (let cut = 1; cut < xml.length; cut += 1) {
      const scanner = new SheetScanner([], new Uint8Array(0), false);
      scanner.push(xml.subarray(0, cut));
      scanner.push(xml.subarray(cut));
      expect(scanner.take()?.rows).toEqual([['Привет, мир 😀 ё', 'Ж']]);
    }
  });

  it('tolerates loose writers: inline text in v, padded values, quotes and spaces around =', async () => {
    const xml = plainSheet(
      `<row r="2" ><c r = 'A2' t = "inlineStr"><v>in v</v></c><c r="B2"><v> 12 </v></c>` +
        `<c r="C2" t="s"><v>\n0\n</v></c><c r="D2" t="str"><v></v></c><c r="E2" t="b"><v>true</v></c>` +
        `<c r="F2"><v>1.25e-3</v></c><c r="G2"><v>NaNish</v></c></row>`,
    );
    const path = await writeXlsx('loose.xlsx', {
      sheets: [{ name: 'S', xml }],
      sharedStrings: `<sst xmlns="${NS}"><si><t>zero</t></si></sst>`,
    });
    const wb = await openXlsx(path);
    expect((await readAll(wb)).rows).toEqual([['in v', 12, 'zero', null, true, 0.00125, 'NaNish']]);
    await wb.close();
  });

  it('reads date1904 from a hand-built workbook', async () => {
    const path = await writeXlsx('date1904.xlsx', {
      workbookPr: '<workbookPr date1904="1"/>',
      styles: STYLES,
      sheets: [
        {
          name: 'S',
          xml: plainSheet(
            '<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="2"><v>43844</v></c><c r="C1"><v>43844</v></c></row>',
          ),
        },
      ],
    });
    const wb = await openXlsx(path);
    expect((await readAll(wb)).rows).toEqual([[utc(1904, 1, 1), utc(2024, 1, 15), 43844]]);
    expect(wb.sheet(0).estimatedRows).toBeNull();
    await wb.close();
  });

  it('reads a Zip64 archive and stored entries', async () => {
    const parts = xlsxEntries({
      sheets: [
        { name: 'Z', xml: plainSheet('<row r="3"><c r="B3" t="inlineStr"><is><t>zip64</t></is></c></row>') },
      ],
    });
    for (const [name, entries, zip64] of [
      ['zip64.xlsx', parts, true],
      ['stored.xlsx', parts.map((e) => ({ ...e, store: true })), false],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, buildZip([...entries], { zip64 }));
      const wb = await openXlsx(path);
      const { rows, rowNumbers } = await readAll(wb);
      expect(rows).toEqual([[null, 'zip64']]);
      expect(rowNumbers).toEqual([3]);
      await wb.close();
    }
  });

  it('skips chart sheets and keeps workbook order', async () => {
    const path = join(dir, 'chartsheet.xlsx');
    const entries = xlsxEntries({
      sheets: [
        { name: 'First', xml: plainSheet('<row><c t="inlineStr"><is><t>1</t></is></c></row>') },
        { name: 'Second', xml: plainSheet('<row><c t="inlineStr"><is><t>2</t></is></c></row>') },
      ],
    }).map((e) => {
      if (e.name === 'xl/workbook.xml') {
        return {
          ...e,
          data: `<workbook xmlns="${NS}" xmlns:r="${RNS}"><sheets><sheet name="Second" sheetId="2" r:id="rId11"/><sheet name="Chart" sheetId="3" r:id="rId99"/><sheet name="First" sheetId="1" r:id="rId10"/></sheets></workbook>`,
        };
      }
      if (e.name === 'xl/_rels/workbook.xml.rels') {
        return {
          ...e,
          data: String(e.data).replace(
            '</Relationships>',
            `<Relationship Id="rId99" Type="${REL}/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`,
          ),
        };
      }
      return e;
    });
    await writeFile(path, buildZip(entries));
    const wb = await openXlsx(path);
    expect(wb.sheetNames).toEqual(['Second', 'First']);
    expect((await readAll(wb, 0)).rows).toEqual([['2']]);
    expect((await readAll(wb, 1)).rows).toEqual([['1']]);
    await wb.close();
  });
});

describe('xlsx read as bytes', () => {
  it('reads huge cells and shared strings cut across many chunks', async () => {
    const big = 'Ж'.repeat(700_000) + ' & ' + 'x'.repeat(1_500_000); // 2.9 MB as UTF-8
    const xml = plainSheet(
      `<row r="1"><c r="A1" t="inlineStr"><is><t>${big.replace('&', '&amp;')}</t></is></c>` +
        `<c r="B1" t="s"><v>1</v></c><c r="C1"><v>7</v></c></row>` +
        `<row r="2"><c r="A2" t="str"><f>A1</f><v>${'é'.repeat(600_000)}</v></c></row>`,
    );
    const path = await writeXlsx('huge-cells.xlsx', {
      sheets: [{ name: 'S', xml }],
      sharedStrings: `<sst xmlns="${NS}"><si><t>small</t></si><si><r><t>${'Ё'.repeat(1_200_000)}</t></r><r><t>!</t></r></si></sst>`,
    });
    const wb = await openXlsx(path);
    const { rows, rowNumbers } = await readAll(wb);
    expect(rowNumbers).toEqual([1, 2]);
    expect(rows[0][0]).toBe(big);
    expect(rows[0][1]).toBe('Ё'.repeat(1_200_000) + '!');
    expect(rows[0][2]).toBe(7);
    expect(rows[1]).toEqual(['é'.repeat(600_000)]);
    await wb.close();
  });

  it('reads every cell shape of the common writers the same whatever the chunk boundaries', () => {
    // Excel / LibreOffice (shared strings, styles, spans), exceljs, our own writer (inline strings with
    // xml:space), formulas with cached values, and no r attributes, with CRLF between elements.
    const rows: string[] = [];
    const expected: Row[] = [];
    for (let i = 1; i <= 300; i++) {
      const text = [`NGK`, `RUB`, ` Зап & часть ${i % 7} `, `_x000D_${i % 3}`][i % 4];
      const decoded = text.replace('_x000D_', '\r');
      rows.push(
        `<row r="${i}" spans="1:6" x14ac:dyDescent="0.25">\r\n` +
          `<c r="A${i}" s="3" t="s"><v>${i % 2}</v></c>` +
          `<c r="B${i}" t="inlineStr"><is><t xml:space="preserve">${text.replace('&', '&amp;')}</t></is></c>` +
          (i % 5 === 0 ? '' : `<c r="C${i}"><v>${i}.25</v></c>`) +
          `<c t="str"><f>B${i}</f><v>${text.replace('&', '&amp;')}</v></c>` +
          `<c t="b"><v>${i % 2}</v></c><c r="F${i}" t="e"><v>#N/A</v></c></row>\r\n`,
      );
      // Without C (and without r on the next cells) the formula cell takes column C.
      const shared = ['zero', 'one'][i % 2];
      expected.push(
        i % 5 === 0
          ? [shared, decoded, decoded, i % 2 === 1]
          : [shared, decoded, i + 0.25, decoded, i % 2 === 1],
      );
    }
    const bytes = Buffer.from(plainSheet(rows.join('')));
    for (const size of [1, 7, 100, 4095, 4097, 65_536, bytes.length]) {
      const scanner = new SheetScanner(['zero', 'one'], new Uint8Array(8), false);
      const got: Row[] = [];
      for (let i = 0; i < bytes.length; i += size) {
        scanner.push(bytes.subarray(i, i + size));
        got.push(...(scanner.take()?.rows ?? []));
      }
      scanner.end();
      got.push(...(scanner.take()?.rows ?? []));
      expect({ size, got }).toEqual({ size, got: expected });
    }
  });

  it('tells apart short texts that share a cache slot', () => {
    // 20,000 distinct texts of 1-32 bytes through the 4,096-slot cache, twice.
    const texts = Array.from({ length: 20_000 }, (_, i) =>
      `${i % 10 === 0 ? 'ё' : ''}t${i}`.padEnd(1 + (i % 32), '-'),
    );
    const cache = new TextCache();
    for (let round = 0; round < 2; round++) {
      const got = texts.map((t) => {
        const b = Buffer.from(`<t>${t}</t>`);
        return cache.text(b, 3, b.length - 4);
      });
      expect(got).toEqual(texts);
    }
    const escaped = Buffer.from('a &amp; b_x000D_');
    expect(cache.text(escaped, 0, escaped.length)).toBe('a & b\r');
    expect(cache.text(escaped, 0, escaped.length)).toBe('a & b\r');
  });

  it('refuses a cell that never closes as damaged, with memory bounded', async () => {
    // 70 MB that compresses well, but not like a zip bomb: runs of x broken by other letters.
    let seed = 7;
    const parts: string[] = [];
    for (let n = 0; n < 70 * 1024 * 1024; n += 201) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      parts.push('x'.repeat(200), String.fromCharCode(97 + (seed % 26)));
    }
    const xml = plainSheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>${parts.join('')}`);
    const path = await writeXlsx('endless-cell.xlsx', { sheets: [{ name: 'S', xml }] });
    const rssBefore = process.memoryUsage().rss;
    const wb = await openXlsx(path);
    expect((await inputError(drain(wb))).message).toBe(DAMAGED_MESSAGE);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 1024 * 1024);
    await wb.close();
  });

  it('refuses an element that stays open past the carry limit', () => {
    const scanner: ByteScanner = {
      done: false,
      scan: (buf, from) => (from < buf.length ? from : buf.length),
    };
    const carry = new ByteCarry(scanner, 10_000);
    carry.push(Buffer.alloc(6_000, 0x61));
    expect(() => carry.push(Buffer.alloc(6_000, 0x61))).toThrow(DAMAGED_MESSAGE);
  });
});

describe('xlsx helpers', () => {
  it('converts Excel serials with the 1900 leap-year bug', () => {
    expect(excelSerialToDate(1, false)).toEqual(utc(1900, 1, 1));
    expect(excelSerialToDate(59, false)).toEqual(utc(1900, 2, 28));
    expect(excelSerialToDate(61, false)).toEqual(utc(1900, 3, 1));
    expect(excelSerialToDate(45306.75, false)).toEqual(utc(2024, 1, 15, 18));
    expect(excelSerialToDate(0, true)).toEqual(utc(1904, 1, 1));
    expect(excelSerialToDate(1e9, false)).toBe(1e9);
  });

  it('recognises date formats', () => {
    for (const code of [
      'dd.mm.yyyy',
      'yyyy-mm-dd hh:mm:ss',
      'h:mm AM/PM',
      '[h]:mm:ss',
      '[$-419]d mmmm yyyy',
      'mmm-yy',
    ]) {
      expect(isDateFormatCode(code), code).toBe(true);
    }
    for (const code of [
      '0.00',
      '#,##0 "руб."',
      '[Red]0.00',
      '0.00" м"',
      '_-* #,##0.00 ₽_-',
      '@',
      'General',
      '0%',
      '\\d0',
    ]) {
      expect(isDateFormatCode(code), code).toBe(false);
    }
  });

  it('expands only the predefined entities and character references', () => {
    expect(decodeEntities('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42;&#X43;')).toBe(
      `a & b <c> "d" 'e' ABC`,
    );
    expect(decodeEntities('&nbsp; &#0; &#xD800; & &&amp; &#xFFFFFFFF;')).toBe(
      '&nbsp; &#0; &#xD800; & && &#xFFFFFFFF;',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile and broken files

describe('refusing hostile or broken xlsx', () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>`;

  it('refuses a DOCTYPE in workbook.xml (billion laughs)', async () => {
    const path = join(dir, 'laughs-workbook.xlsx');
    const entries = xlsxEntries({ sheets: [{ name: 'S', xml: plainSheet('') }] }).map((e) =>
      e.name === 'xl/workbook.xml'
        ? { ...e, data: String(e.data).replace('<?xml version="1.0"?>', laughs) }
        : e,
    );
    await writeFile(path, buildZip(entries));
    const err = await inputError(openXlsx(path));
    expect(err.message).toBe(
      'The workbook contains a DOCTYPE declaration, which spreadsheets never need; it was refused for safety.',
    );
  });

  it('refuses a DOCTYPE in a sheet and in sharedStrings', async () => {
    const sheetPath = await writeXlsx('laughs-sheet.xlsx', {
      sheets: [
        {
          name: 'S',
          xml:
            laughs +
            `<worksheet xmlns="${NS}"><sheetData><row><c><v>&lol2;</v></c></row></sheetData></worksheet>`,
        },
      ],
    });
    expect((await inputError(openXlsx(sheetPath))).code).toBe('XML_DOCTYPE');

    const sstPath = await writeXlsx('laughs-sst.xlsx', {
      sheets: [{ name: 'S', xml: plainSheet('<row><c t="s"><v>0</v></c></row>') }],
      sharedStrings: laughs + `<sst xmlns="${NS}"><si><t>&lol2;</t></si></sst>`,
    });
    const wb = await openXlsx(sstPath);
    expect((await inputError(drain(wb))).code).toBe('XML_DOCTYPE');
    await wb.close();
  });

  /**
   * Deflated zeros without holding them: a full-flush deflate block is self-contained and
   * byte-aligned, so one compressed 8 MiB segment repeated N times, plus an empty final block, is
   * a valid stream of N * 8 MiB zeros.
   */
  it('refuses an honest zip bomb (2 GiB of zeros) quickly', async () => {
    const bomb = zeroBomb(256);
    expect(bomb.size / bomb.compressed.length).toBeGreaterThan(1000);
    const path = join(dir, 'bomb-honest.xlsx');
    const entries = xlsxEntries({ sheets: [{ name: 'S', xml: '' }] }).map((e) =>
      e.name === 'xl/worksheets/sheet1.xml' ? { name: e.name, raw: { ...bomb, crc: 0 } } : e,
    );
    await writeFile(path, buildZip(entries));
    const started = Date.now();
    const err = await inputError(openSpreadsheet(path));
    expect(err.code).toBe('ZIP_BOMB');
    expect(err.message).toMatch(/zip bomb/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an entry that inflates beyond its declared size quickly, with memory bounded', async () => {
    const bomb = zeroBomb(256);
    const path = join(dir, 'bomb-liar.xlsx');
    const entries = xlsxEntries({ sheets: [{ name: 'S', xml: '' }] }).map((e) =>
      e.name === 'xl/worksheets/sheet1.xml'
        ? { name: e.name, raw: { compressed: bomb.compressed, size: 20 * 1024 * 1024, crc: 0 } }
        : e,
    );
    await writeFile(path, buildZip(entries));
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const wb = await openXlsx(path);
    const err = await inputError(drain(wb));
    // Reported like any other corruption: the entry's data does not match its header.
    expect(err.message).toBe(DAMAGED_MESSAGE);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
    await wb.close();
  });

  it('refuses when the total inflated size exceeds the cap', async () => {
    const rows = Array.from(
      { length: 2000 },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`,
    ).join('');
    const path = await writeXlsx('cap.xlsx', { sheets: [{ name: 'S', xml: plainSheet(rows) }] });
    const zip = await ZipReader.open(path);
    const size = zip.find('xl/worksheets/sheet1.xml')!.uncompressedSize;
    await zip.close();
    expect((await inputError(openXlsx(path, { zipLimits: { maxTotalInflated: size / 2 } }))).code).toBe(
      'ZIP_BOMB',
    );
    // The cap counts everything inflated through one reader: one full read fits, a second does not.
    const wb = await openXlsx(path, { zipLimits: { maxTotalInflated: size * 1.9 } });
    await drain(wb);
    expect((await inputError(drain(wb))).code).toBe('ZIP_BOMB');
    await wb.close();
  });

  it('refuses a shared-string table beyond the memory budget', async () => {
    const sst = `<sst xmlns="${NS}">${Array.from({ length: 1000 }, (_, i) => `<si><t>string number ${i}</t></si>`).join('')}</sst>`;
    const path = await writeXlsx('sst-cap.xlsx', {
      sheets: [{ name: 'S', xml: plainSheet('<row><c t="s"><v>0</v></c></row>') }],
      sharedStrings: sst,
    });
    const wb = await openXlsx(path, { maxSharedStringBytes: 10_000 });
    expect((await inputError(drain(wb))).code).toBe('TOO_MUCH_TEXT');
    await wb.close();
  });

  it('reports truncated and corrupted files as damaged', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('S');
    for (let i = 0; i < 2000; i++) ws.addRow([`row ${i}`, i, Math.sqrt(i)]);
    const full = Buffer.from(await wb.xlsx.writeBuffer());

    const half = join(dir, 'half.xlsx');
    await writeFile(half, full.subarray(0, full.length >> 1));
    expect((await inputError(openSpreadsheet(half))).message).toBe(DAMAGED_MESSAGE);

    // Flip bytes inside the sheet's deflated data: inflate or the CRC check must notice.
    const fullPath = join(dir, 'full.xlsx');
    await writeFile(fullPath, full);
    const zip = await ZipReader.open(fullPath);
    const entry = zip.find('xl/worksheets/sheet1.xml')!;
    await zip.close();
    const corrupt = Buffer.from(full);
    const at = entry.localHeaderOffset;
    const dataStart = at + 30 + full.readUInt16LE(at + 26) + full.readUInt16LE(at + 28);
    const mid = dataStart + (entry.compressedSize >> 1);
    for (let i = 0; i < 64; i++) corrupt[mid + i] ^= 0x5a;
    const corruptPath = join(dir, 'corrupt.xlsx');
    await writeFile(corruptPath, corrupt);
    const r = await openXlsx(corruptPath);
    expect((await inputError(drain(r))).message).toBe(DAMAGED_MESSAGE);
    await r.close();
  });

  it('reads an entry whose data inflates whole but does not match its CRC as damaged, deflated or stored', async () => {
    const data = Buffer.from(plainSheet('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'));
    const right = crc32(data);
    for (const store of [false, true])
      for (const crc of [right, (right ^ 1) >>> 0]) {
        const entry = store
          ? { name: 'x.xml', data, store: true, crc }
          : { name: 'x.xml', raw: { compressed: deflateRawSync(data), size: data.length, crc } };
        const path = join(dir, `crc-${store}-${crc}.zip`);
        await writeFile(path, buildZip([entry]));
        const zip = await ZipReader.open(path);
        const read = zip.readEntry(zip.find('x.xml')!, 1 << 20);
        if (crc === right) expect(await read).toEqual(data);
        else expect((await inputError(read)).message).toBe(DAMAGED_MESSAGE);
        await zip.close();
      }
  });

  it('refuses encrypted zip entries', async () => {
    const entries = xlsxEntries({ sheets: [{ name: 'S', xml: plainSheet('') }] }).map((e) => ({
      ...e,
      flags: 1,
    }));
    const path = join(dir, 'zipcrypto.xlsx');
    await writeFile(path, buildZip(entries));
    expect((await inputError(openXlsx(path))).code).toBe('ENCRYPTED');
  });
});

// ---------------------------------------------------------------------------------------------
// openSpreadsheet: sniffing

describe('openSpreadsheet', () => {
  it('refuses missing files, folders and empty files with one sentence', async () => {
    expect((await inputError(openSpreadsheet(join(dir, 'nope.xlsx')))).message).toBe(
      'nope.xlsx was not found; check that the file exists and retry.',
    );
    const folder = join(dir, 'folder.xlsx');
    await mkdir(folder);
    expect((await inputError(openSpreadsheet(folder))).code).toBe('IS_DIRECTORY');
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    expect((await inputError(openSpreadsheet(empty))).message).toBe('The file is empty.');
  });

  it('refuses binary files that are not spreadsheets, whatever their extension', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      Buffer.from('IHDR'),
      Buffer.alloc(100, 7),
    ]);
    for (const name of ['picture.png', 'renamed.xlsx', 'renamed.csv']) {
      await writeFile(join(dir, name), png);
      expect((await inputError(openSpreadsheet(join(dir, name)))).message).toBe(
        `${name} is not a spreadsheet (.xlsx or .csv).`,
      );
    }
    await writeFile(join(dir, 'doc.pdf'), '%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
    expect((await inputError(openSpreadsheet(join(dir, 'doc.pdf')))).code).toBe('NOT_SPREADSHEET');
    await writeFile(join(dir, 'random.bin'), Buffer.from([1, 2, 3, 0, 0, 0, 200, 201]));
    expect((await inputError(openSpreadsheet(join(dir, 'random.bin')))).code).toBe('NOT_SPREADSHEET');
  });

  it('tells password-protected workbooks from old .xls files', async () => {
    // Five entries, so EncryptedPackage lands in the second directory sector (FAT chain followed).
    const encrypted = cfb(['Root Entry', '\u0006DataSpaces', 'Version', 'Primary', 'EncryptedPackage']);
    await writeFile(join(dir, 'locked.xlsx'), encrypted);
    expect((await inputError(openSpreadsheet(join(dir, 'locked.xlsx')))).message).toBe(
      'The workbook is password-protected; remove the password in Excel (File › Info › Protect Workbook) and retry.',
    );
    await writeFile(join(dir, 'old.xls'), cfb(['Root Entry', 'Workbook', '\u0005SummaryInformation']));
    expect((await inputError(openSpreadsheet(join(dir, 'old.xls')))).message).toBe(
      'Old Excel .xls files are not supported; open it in Excel and save it as .xlsx, then retry.',
    );
  });

  it('explains zips that are not .xlsx workbooks', async () => {
    await writeFile(join(dir, 'notes.zip'), buildZip([{ name: 'readme.txt', data: 'hello' }]));
    expect((await inputError(openSpreadsheet(join(dir, 'notes.zip')))).message).toBe(
      'notes.zip is a zip file but not an Excel workbook (.xlsx); open it in Excel and save it as .xlsx, then retry.',
    );
    await writeFile(
      join(dir, 'binary.xlsb'),
      buildZip([
        { name: '[Content_Types].xml', data: '<Types/>' },
        { name: 'xl/workbook.bin', data: 'x' },
      ]),
    );
    expect((await inputError(openSpreadsheet(join(dir, 'binary.xlsb')))).code).toBe('XLSB');
    await writeFile(
      join(dir, 'calc.ods'),
      buildZip([
        { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', store: true },
        { name: 'content.xml', data: '<office:document-content/>' },
      ]),
    );
    const ods = await inputError(openSpreadsheet(join(dir, 'calc.ods')));
    expect(ods.code).toBe('ODS');
    expect(ods.message).toMatch(/save it as \.xlsx/);
    await writeFile(
      join(dir, 'letter.docx'),
      buildZip([
        {
          name: '_rels/.rels',
          data: `<Relationships><Relationship Id="r1" Type="${REL}/officeDocument" Target="word/document.xml"/></Relationships>`,
        },
        { name: 'word/document.xml', data: '<w:document/>' },
      ]),
    );
    expect((await inputError(openSpreadsheet(join(dir, 'letter.docx')))).code).toBe('NOT_XLSX');
  });

  it('refuses web pages saved as .xls', async () => {
    await writeFile(join(dir, 'export.xls'), '<html><body><table><tr><td>1</td></tr></table></body></html>');
    expect((await inputError(openSpreadsheet(join(dir, 'export.xls')))).code).toBe('MARKUP');
  });

  it('routes by content: xlsx with a .csv name, CSV with any name', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('S').addRow(['a', 1]);
    const misnamed = join(dir, 'actually-xlsx.csv');
    await wb.xlsx.writeFile(misnamed);
    const x = await openSpreadsheet(misnamed);
    expect(x.format).toBe('xlsx');
    expect((await readAll(x)).rows).toEqual([['a', 1]]);
    await x.close();

    const data = join(dir, 'prices.dat');
    await writeFile(data, 'a;b\n1;2\n');
    const c = await openSpreadsheet(data);
    expect(c.format).toBe('csv');
    expect(c.sheetNames).toEqual(['prices']);
    expect((await readAll(c)).rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    await c.close();
  });
});

// ---------------------------------------------------------------------------------------------
// CSV

const CP1251_UPPER = 'АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ';

function encode1251(s: string): Buffer {
  const out: number[] = [];
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else if (ch === 'Ё') out.push(0xa8);
    else if (ch === 'ё') out.push(0xb8);
    else if (code >= 0x410 && code <= 0x44f) out.push(0xc0 + code - 0x410);
    else throw new Error(`no cp1251 code for ${ch}`);
  }
  return Buffer.from(out);
}

async function csvRows(name: string, content: Buffer | string, chunkSize?: number): Promise<Row[]> {
  const path = join(dir, name);
  await writeFile(path, content);
  const wb = await openCsv(path, { chunkSize });
  const { rows } = await readAll(wb);
  await wb.close();
  return rows;
}

describe('csv', () => {
  it('reads UTF-8 with commas, quotes, doubled quotes and quoted newlines', async () => {
    const text =
      'article,name,price\n00123,"Гайка ""М8"", оцинк.",12.50\r\n"multi\nline","a\r\nb",\n,,\n\nlast,"",x';
    const path = join(dir, 'basic.csv');
    await writeFile(path, text);
    const wb = await openCsv(path);
    expect(wb.format).toBe('csv');
    expect(wb.sheetNames).toEqual(['basic']);
    const { rows, rowNumbers } = await readAll(wb);
    expect(rows).toEqual([
      ['article', 'name', 'price'],
      ['00123', 'Гайка "М8", оцинк.', '12.50'],
      ['multi\nline', 'a\r\nb', null],
      ['last', null, 'x'],
    ]);
    expect(rowNumbers).toEqual([1, 2, 3, 6]);
    expect(wb.sheet(0).progress()).toEqual({ done: Buffer.byteLength(text), total: Buffer.byteLength(text) });
    // Counted from the sample: every line with content, including the one of empty fields.
    expect(wb.sheet(0).estimatedRows).toBe(5);
  });

  it('counts the rows of a small file exactly, also past the 200 lines the delimiter sample looks at', async () => {
    for (const n of [150, 350, 1200]) {
      const lines = ['Brand,Article,Qty'];
      for (let i = 0; i < n; i++) lines.push(i % 50 === 0 ? `BOSCH,"A\n${i}",1` : `BOSCH,A-${i},1`);
      const path = join(dir, `count-${n}.csv`);
      await writeFile(path, `${lines.join('\r\n')}\r\n\r\n`);
      const wb = await openCsv(path);
      expect(wb.sheet(0).estimatedRows).toBe(n + 1);
      await wb.close();
    }
  });

  it('reads UTF-8 with BOM and semicolons (decimal commas do not fool it)', async () => {
    const body = 'Артикул;Наименование;Цена\n00123;Шайба 8,4;1,25\n00124;Болт М8х40;12,50\n';
    const rows = await csvRows(
      'bom.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]),
    );
    expect(rows).toEqual([
      ['Артикул', 'Наименование', 'Цена'],
      ['00123', 'Шайба 8,4', '1,25'],
      ['00124', 'Болт М8х40', '12,50'],
    ]);
  });

  it('reads Windows-1251', async () => {
    const body = `Артикул;Наименование;Цена\r\n00123;Гайка М8 ёЁ;12,50\r\n7;${CP1251_UPPER}${CP1251_UPPER.toLowerCase()};1\r\n`;
    const bytes = encode1251(body);
    expect(detectEncoding(bytes, true).encoding).toBe('windows-1251');
    expect(await csvRows('cp1251.csv', bytes)).toEqual([
      ['Артикул', 'Наименование', 'Цена'],
      ['00123', 'Гайка М8 ёЁ', '12,50'],
      ['7', CP1251_UPPER + CP1251_UPPER.toLowerCase(), '1'],
    ]);
  });

  it('reads UTF-16 with BOM and tab delimiters', async () => {
    const body = 'a\tb\tc\n1\tд,е;ж\t3\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    const expected = [
      ['a', 'b', 'c'],
      ['1', 'д,е;ж', '3'],
    ];
    expect(await csvRows('utf16le.tsv', le)).toEqual(expected);
    expect(await csvRows('utf16be.tsv', be)).toEqual(expected);
  });

  it('keeps UTF-8 when a multi-byte character straddles the 64 KiB sample', async () => {
    let head = '';
    while (head.length < 65_000) head += 'x;y\n';
    head += 'p'.repeat(65_535 - head.length - 2) + ';\n';
    const bytes = Buffer.from(head + 'Ж;ё\n');
    expect(bytes[65_535]).toBe(0xd0); // 'Ж' = D0 96 starts at the last sampled byte
    expect(detectEncoding(bytes.subarray(0, 65_536), false).encoding).toBe('utf-8');
    const rows = await csvRows('straddle.csv', bytes);
    expect(rows[rows.length - 1]).toEqual(['Ж', 'ё']);
  });

  it('detects the delimiter from the most consistent candidate', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n4,5,6\n', true).delimiter).toBe(',');
    expect(detectDelimiter('a;b;c\n1,5;2,5;3\n', true).delimiter).toBe(';');
    expect(detectDelimiter('a\tb\n"x;y;z"\t2\n', true).delimiter).toBe('\t');
    expect(detectDelimiter('"a,b";c\n"d,e";f\n', true).delimiter).toBe(';');
    expect(detectDelimiter('one column\nonly\n', true).delimiter).toBe(',');
    expect(detectDelimiter('name,comment\nx,"a;b"\ny,c;d\nz,e\n', true).delimiter).toBe(',');
  });

  it('parses the same at every split point (quotes, CR/LF, escapes across chunks)', () => {
    const text = 'a,"b""c",d\r\n"x\r\ny",,"z"\r"q""",w\n"",e,"f\n"';
    const whole = new CsvParser(',');
    whole.push(text);
    whole.end();
    const expected = whole.take();
    expect(expected?.rows).toEqual([
      ['a', 'b"c', 'd'],
      ['x\r\ny', null, 'z'],
      ['q"', 'w'],
      [null, 'e', 'f\n'],
    ]);
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 3) {
        const p = new CsvParser(',');
        p.push(text.slice(0, i));
        p.push(text.slice(i, j));
        p.push(text.slice(j));
        p.end();
        expect(p.take()).toEqual(expected);
      }
    }
  });

  it('reads a large file identically with tiny and normal chunks, and estimates its rows', async () => {
    const expected: Row[] = [];
    let text = 'id;name;note;price\r\n';
    expected.push(['id', 'name', 'note', 'price']);
    for (let i = 0; i < 20_000; i++) {
      const note = i % 3 === 0 ? `скажи ""привет""\r\nстрока ${i}` : i % 3 === 1 ? `a;b;${i}` : '';
      text += `${String(i).padStart(6, '0')};Товар №${i};"${note}";${i},5\r\n`;
      expected.push([String(i).padStart(6, '0'), `Товар №${i}`, note.replace(/""/g, '"') || null, `${i},5`]);
    }
    const path = join(dir, 'big.csv');
    await writeFile(path, text);
    for (const chunkSize of [4093, 64 * 1024, undefined]) {
      const wb = await openCsv(path, { chunkSize });
      const { rows, batches } = await readAll(wb);
      expect(rows.length).toBe(expected.length);
      expect(rows).toEqual(expected);
      if (chunkSize === 4093) expect(batches).toBeGreaterThan(100);
      const estimate = wb.sheet(0).estimatedRows!;
      expect(estimate).toBeGreaterThan(expected.length * 0.8);
      expect(estimate).toBeLessThan(expected.length * 1.2);
      await wb.close();
    }
    const small = text.slice(0, 3000);
    const smallPath = join(dir, 'small.csv');
    await writeFile(smallPath, small);
    const whole = await readAll(await openCsv(smallPath));
    const bytewise = await readAll(await openCsv(smallPath, { chunkSize: 1 }));
    expect(bytewise.rows).toEqual(whole.rows);
    expect(await readFile(smallPath, 'utf8')).toBe(small);
  });

  it('refuses a quote that never closes in a huge file', async () => {
    const path = join(dir, 'unclosed.csv');
    await writeFile(path, 'a,b\n1,"never closed ' + 'x'.repeat(33 * 1024 * 1024));
    const wb = await openCsv(path);
    expect((await inputError(drain(wb))).code).toBe('CSV_FIELD_TOO_LONG');
  });
});

describe('round trip through the project writer', () => {
  it('decodes _xHHHH_ escapes the way Excel does, keeping literal ones literal', async () => {
    const { XlsxWriter } = await import('../src-worker/io/xlsx-writer.ts');
    const path = join(dir, 'roundtrip.xlsx');
    const wb = await XlsxWriter.create(path);
    const sheet = wb.addSheet('S', { header: ['a', 'b'] });
    await sheet.writeRow(['_x0041_ stays', 'x_x000D_y']);
    await wb.finish();
    const rows = await readAll(await openSpreadsheet(path));
    expect(rows.rows[1]).toEqual(['_x0041_ stays', 'x_x000D_y']);
    const excelStyle = await writeXlsx('excel-escapes.xlsx', {
      sheets: [
        {
          name: 'S',
          xml: plainSheet(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>line_x000D_break _x005F_x0041_</t></is></c></row>',
          ),
        },
      ],
    });
    expect((await readAll(await openSpreadsheet(excelStyle))).rows[0]).toEqual(['line\rbreak _x0041_']);
  });
});
