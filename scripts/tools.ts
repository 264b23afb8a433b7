// Developer tools: the committed samples and the benchmark inputs. Run through `npm run tools -- <cmd>`.
import ExcelJS from 'exceljs';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEMO_PARTS, demoPart, prng } from '../src-worker/sources/demo-data.ts';

const LOOKALIKE_BACK: Record<string, string> = {
  A: 'А',
  B: 'В',
  E: 'Е',
  K: 'К',
  M: 'М',
  H: 'Н',
  O: 'О',
  P: 'Р',
  C: 'С',
  T: 'Т',
  X: 'Х',
};

/** An article as a buyer might type it: other case, spaces, dashes, Cyrillic look-alikes. */
function messy(display: string, r: () => number): string | number {
  const v = r();
  if (v < 0.15) return display.toLowerCase();
  if (v < 0.3) return display.replace(/[\s./-]/g, '');
  if (v < 0.4) return display.replace(/[ABEKMHOPCTX]/g, (c) => LOOKALIKE_BACK[c] ?? c);
  if (v < 0.5) return ` ${display.replace(/ /g, '-')} `;
  const digits = display.replace(/\D/g, '');
  if (v < 0.55 && /^[1-9]\d{0,14}$/.test(digits) && digits === display.replace(/[\s.]/g, ''))
    return Number(digits);
  return display;
}

/**
 * The sample's last lines: the demo catalog's showcase (PRODUCT.md "Offers, order quantity and the
 * best offer", "Analogs"), written as a buyer might. With --list ОПТ-1: an analog when analogs are on
 * (only the analog has stock), brands found through the alias table, orders rounded up to a pack
 * and to a minimum, and EUR and USD offers winning through the rates table.
 */
export const SHOWCASE_LINES: [brand: string, article: string, qty: number, name: string][] = [
  ['MANN-FILTER', 'W 712/95', 4, 'Фильтр масляный (есть только аналоги)'],
  ['Mercedes', 'A0001802609', 1, 'Фильтр масляный (бренд-синоним)'],
  ['Lemforder', '30 140 01', 2, 'Рычаг подвески (бренд-синоним)'],
  ['NGK', 'BKR6E11', 6, 'Свеча зажигания (кратность 4)'],
  ['FILTRON', 'OP 526', 8, 'Фильтр масляный (мин. заказ 10)'],
  ['BREMBO', '09.A820.11', 2, 'Диск тормозной (лучшее предложение в EUR)'],
  ['DENSO', 'K20TT', 10, 'Свеча зажигания (лучшее предложение в USD)'],
  ['BOSCH', '0 986 494 294', 4, 'Колодки тормозные (аналог дешевле)'],
];

export async function makeSample(path: string, lines: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const r = prng(2024);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Crossdock sample';
  const ws = wb.addWorksheet('Заявка');
  ws.addRow(['Заявка клиента ООО «Ромашка» на запчасти']);
  ws.addRow(['Дата', new Date(Date.UTC(2026, 10, 2))]);
  ws.addRow([]);
  ws.addRow(['№', 'Производитель', 'Каталожный номер', 'Наименование', 'Кол-во', 'Комментарий']);
  ws.getRow(4).font = { bold: true };
  const generated = lines - SHOWCASE_LINES.length;
  for (let i = 0; i < generated; i++) {
    const kind = r();
    let brand: string | null;
    let article: string | number | null;
    let name = '';
    if (kind < 0.04) {
      brand = null; // invalid: no brand
      article = `X-${i}`;
    } else if (kind < 0.06) {
      brand = 'BOSCH';
      article = '--'; // invalid: no letters or digits
    } else if (kind < 0.14) {
      brand = ['NONAME', 'BOSCH', 'ACME'][i % 3];
      article = `NF-${100000 + i}`; // not in the catalog
    } else {
      const part = demoPart(Math.floor(r() * DEMO_PARTS));
      brand = r() < 0.2 ? ` ${part.brand.toLowerCase()} ` : part.brand;
      article = messy(part.display, r);
      name = part.name;
    }
    const qty = r() < 0.1 ? null : r() < 0.7 ? 1 + Math.floor(r() * 4) : 5 + Math.floor(r() * 60);
    ws.addRow([i + 1, brand, article, name, qty, i % 17 === 0 ? '=СРОЧНО' : null]);
  }
  SHOWCASE_LINES.forEach(([brand, article, qty, name], n) =>
    ws.addRow([generated + n + 1, brand, article, name, qty, null]),
  );
  ws.getColumn(3).numFmt = '@';
  await wb.xlsx.writeFile(path);
}

/** A large request list written the way Excel writes (shared strings), streamed. */
export async function makeBenchInput(path: string, lines: number, parts = DEMO_PARTS): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const r = prng(lines);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: false,
  });
  const ws = wb.addWorksheet('Request');
  ws.addRow(['Line', 'Brand', 'Article', 'Description', 'Qty', 'Customer', 'Note', 'Ref']).commit();
  for (let i = 0; i < lines; i++) {
    const part = demoPart(Math.floor(r() * parts * 1.1));
    ws.addRow([
      i + 1,
      part.brand,
      part.display,
      part.name,
      1 + Math.floor(r() * 20),
      `C-${i % 500}`,
      i % 9 === 0 ? 'urgent' : '',
      100000 + i,
    ]).commit();
  }
  ws.commit();
  await wb.commit();
}

/** A large CSV request list (UTF-8 with BOM, semicolons, as Excel exports in Russian locales). */
export function makeBenchCsv(path: string, lines: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const r = prng(lines + 1);
  const fd = openSync(path, 'w');
  let buf = '\ufeffLine;Brand;Article;Description;Qty;Customer\r\n';
  for (let i = 0; i < lines; i++) {
    const part = demoPart(Math.floor(r() * DEMO_PARTS * 1.1) % (DEMO_PARTS + 5000));
    buf += `${i + 1};${part.brand};${part.display};"${part.name}";${1 + Math.floor(r() * 20)};C-${i % 500}\r\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'samples') {
  await makeSample('assets/samples/request-list-ru.xlsx', 1500);
  console.log('wrote assets/samples/request-list-ru.xlsx');
} else if (cmd === 'bench-input') {
  await makeBenchInput(args[1], Number(args[0]), args[2] ? Number(args[2]) : undefined);
} else if (cmd === 'clickhouse-server') {
  // For the bench: a private server on free ports with N demo offers; prints its URL, stops on SIGTERM.
  const { startClickHouse } = await import('../tests/support/clickhouse-server.ts');
  const { createDemoData } = await import('../src-worker/sources/clickhouse-demo.ts');
  const server = await startClickHouse();
  const started = Date.now();
  const loaded = await createDemoData(
    { url: server.url, database: 'bench' },
    { offers: Number(args[0] ?? 3_000_000) },
  );
  process.stdout.write(
    `${JSON.stringify({ url: server.url, database: 'bench', offers: loaded.offers, loadSeconds: (Date.now() - started) / 1000 })}\n`,
  );
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  setInterval(() => undefined, 1 << 30);
} else if (cmd === 'bench-csv') {
  makeBenchCsv(args[1], Number(args[0]));
} else if (cmd) {
  console.error(`unknown command ${cmd}`);
  process.exit(2);
}
