import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src-main/engine/engine.ts';
import { demoPart } from '../src-worker/sources/demo-data.ts';
import { buildZip, cfb, plainSheet, xlsxEntries, zeroBomb } from './fixtures/archives.ts';
import { freshDataDir, openEngine, SAMPLE, tempDir, writeCsv, writeXlsx } from './helpers.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** Each bad file ends in a failed job with one clear sentence, while a good job next to it succeeds. */
describe('bad input', () => {
  let engine: Engine;
  let dir: string;
  let out: string;

  beforeAll(() => {
    engine = openEngine(freshDataDir());
    engine.start();
    dir = tempDir('cd-bad-');
    out = tempDir('cd-out-');
  });
  afterAll(async () => {
    await engine.close();
  });

  async function expectFailure(file: string, message: RegExp): Promise<void> {
    const good = writeCsv(join(tempDir(), `good-${Math.random().toString(36).slice(2)}.csv`), [
      ['Brand', 'Article'],
      [demoPart(5).brand, demoPart(5).display],
    ]);
    const before = readdirSync(out).length;
    const [bad, ok] = await Promise.all([
      engine.submit({ kind: 'crossdock', input: file, list: 'ОПТ-1', outDir: out }),
      engine.submit({ kind: 'crossdock', input: good, list: 'ОПТ-1', outDir: out }),
    ]);
    const [badJob, okJob] = await engine.waitFor([bad.job.id, ok.job.id]);
    expect(badJob.status).toBe('failed');
    expect(badJob.error).toMatch(message);
    // one sentence: no line breaks, no stack, ends with a full stop
    expect(badJob.error).not.toMatch(/\n|\bat .*:\d+:\d+/);
    expect(badJob.error!.trim()).toMatch(/[.!]$/);
    expect(badJob.attempts).toBe(1); // a user error is not retried
    expect(okJob.status).toBe('succeeded');
    expect(readdirSync(out).length).toBe(before + 1); // only the good result, no partial file
  }

  it('not a spreadsheet', async () => {
    const f = join(dir, 'photo.xlsx');
    writeFileSync(f, PNG);
    await expectFailure(f, /^photo\.xlsx is not a spreadsheet \(\.xlsx or \.csv\)/);
  });

  it('a truncated or corrupt zip', async () => {
    const whole = readFileSync(SAMPLE);
    const f = join(dir, 'cut.xlsx');
    writeFileSync(f, whole.subarray(0, Math.floor(whole.length / 2)));
    await expectFailure(f, /damaged or incomplete/);
    const flipped = Buffer.from(whole);
    for (let i = 2000; i < 2400; i++) flipped[i] ^= 0x5a;
    const g = join(dir, 'flipped.xlsx');
    writeFileSync(g, flipped);
    await expectFailure(g, /damaged|not a readable/);
  });

  it('an empty file', async () => {
    const f = join(dir, 'empty.xlsx');
    writeFileSync(f, '');
    await expectFailure(f, /empty/);
    const g = join(dir, 'empty.csv');
    writeFileSync(g, '');
    await expectFailure(g, /empty/);
  });

  it('a header and no data', async () => {
    await expectFailure(
      await writeXlsx(join(dir, 'header.xlsx'), [['Brand', 'Article', 'Qty']]),
      /header row but no data rows/,
    );
    await expectFailure(
      writeCsv(join(dir, 'header.csv'), [['Бренд', 'Артикул']]),
      /header row but no data rows/,
    );
  });

  it('no brand or article header: the message lists the headers found', async () => {
    const f = await writeXlsx(join(dir, 'noheader.xlsx'), [
      ['Марка?', 'Код', 'Цена'],
      ['BOSCH', '123', 10],
    ]);
    await expectFailure(
      f,
      /no Brand and Article header in its first 20 rows\. Found: Марка\?, Код, Цена\. Map the columns/,
    );
  });

  it('ambiguous headers ask for a mapping', async () => {
    const f = writeCsv(join(dir, 'two-brands.csv'), [
      ['Brand', 'Make', 'Article'],
      ['A', 'B', 'C'],
    ]);
    await expectFailure(f, /Several columns could be the Brand: "Brand" and "Make"/);
  });

  it('a password-protected workbook', async () => {
    const f = join(dir, 'locked.xlsx');
    writeFileSync(f, cfb(['Root Entry', '\u0006DataSpaces', 'EncryptionInfo', 'EncryptedPackage']));
    await expectFailure(f, /password-protected; remove the password/);
  });

  it('an old .xls workbook', async () => {
    const f = join(dir, 'old.xls');
    writeFileSync(f, cfb(['Root Entry', 'Workbook', '\u0005SummaryInformation']));
    await expectFailure(f, /Old Excel \.xls files are not supported; .*save it as \.xlsx/);
  });

  it('a zip bomb, with memory staying bounded', async () => {
    const bomb = zeroBomb(256); // 2 GiB of zeros
    const entries = xlsxEntries({ sheets: [{ name: 'S', xml: '' }] }).map((e) =>
      e.name === 'xl/worksheets/sheet1.xml' ? { name: e.name, raw: { ...bomb, crc: 0 } } : e,
    );
    const f = join(dir, 'bomb.xlsx');
    writeFileSync(f, buildZip(entries));
    const liar = xlsxEntries({ sheets: [{ name: 'S', xml: '' }] }).map((e) =>
      e.name === 'xl/worksheets/sheet1.xml'
        ? { name: e.name, raw: { compressed: bomb.compressed, size: 1000, crc: 0 } }
        : e,
    );
    const g = join(dir, 'liar.xlsx');
    writeFileSync(g, buildZip(liar));
    const rssBefore = process.memoryUsage().rss;
    await expectFailure(f, /zip bomb/);
    await expectFailure(g, /damaged|zip bomb/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  });

  it('a DOCTYPE with entity expansion inside the workbook XML', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';
    const sheet = plainSheet(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>Brand</t></is></c><c r="B1" t="inlineStr"><is><t>Article</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>&lol3;</t></is></c></row>',
    ).replace('<?xml version="1.0" encoding="UTF-8"?>', laughs);
    const f = join(dir, 'laughs.xlsx');
    writeFileSync(f, buildZip(xlsxEntries({ sheets: [{ name: 'S', xml: sheet }] })));
    await expectFailure(f, /DOCTYPE/);
  });

  it('a spreadsheet renamed to .csv still works, a CSV renamed to .xlsx too', async () => {
    const asCsv = join(dir, 'really-xlsx.csv');
    copyFileSync(SAMPLE, asCsv);
    const job = await engine.submit({ kind: 'crossdock', input: asCsv, list: 'ОПТ-1', outDir: tempDir() });
    expect((await engine.waitFor([job.job.id]))[0].status).toBe('succeeded');
    const asXlsx = join(dir, 'really-csv.xlsx');
    writeFileSync(asXlsx, `Brand,Article\n${demoPart(1).brand},${demoPart(1).display}\n`);
    const job2 = await engine.submit({ kind: 'crossdock', input: asXlsx, list: 'ОПТ-1', outDir: tempDir() });
    const [done] = await engine.waitFor([job2.job.id]);
    expect(done.status === 'succeeded' || /not a spreadsheet/.test(done.error ?? '')).toBe(true);
  });
});
