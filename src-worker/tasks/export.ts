import { join, parse } from 'node:path';
import { OFFER_STYLES } from '../crossdock/best-offer.ts';
import { CsvWriter } from '../io/csv-writer.ts';
import type { CellValue } from '../io/types.ts';
import { EXCEL_MAX_ROWS, XlsxWriter, type ColumnStyle, type XlsxSheet } from '../io/xlsx-writer.ts';
import type { ExportInput, ExportWhat, TaskStats } from '../protocol.ts';
import { listBrand, type ExportColumn } from '../sources/export-columns.ts';
import { exportRows } from '../sources/export-rows.ts';
import type { TaskContext } from '../task-context.ts';

/** Number formats of the supplier-list columns: Brand, Article (text), then the offer's own. */
const LIST_STYLES: (ColumnStyle | undefined)[] = [undefined, 'text', ...OFFER_STYLES];

type OutputFile = { tmp: string; final: string };

/** Where the rows go: one workbook (split into sheets), or CSV files (split into parts). */
interface Output {
  /** Usually nothing; a Promise when the caller must wait before writing more. */
  write(row: CellValue[]): void | Promise<void>;
  finish(): Promise<OutputFile[]>;
  /** Removes every file written, finished parts included. */
  abort(): Promise<void>;
  /** "2 sheets", "1 file", for the log. */
  describe(): string;
}

/**
 * export: a supplier list's offers (optionally one brand) or a read-only query → .xlsx or .csv,
 * streamed, split past `maxRowsPerSheet` rows (Excel's limit by default). Writes only the tmp paths;
 * the engine renames them. On any failure (the signal included) no file is left behind.
 */
export async function runExport(
  input: ExportInput,
  ctx: TaskContext,
  signal?: AbortSignal,
): Promise<{ stats: TaskStats; files: OutputFile[] }> {
  signal?.throwIfAborted();
  const maxRows = Math.min(input.maxRowsPerSheet ?? EXCEL_MAX_ROWS, EXCEL_MAX_ROWS);
  if (!Number.isInteger(maxRows) || maxRows < 2) throw new RangeError(`bad maxRowsPerSheet ${maxRows}`);
  const stats: TaskStats = { rows: 0, found: 0, partial: 0, notFound: 0, invalid: 0 };
  let out: Output | null = null;
  let total: number | null = null;
  ctx.progress(0, null, 'exporting', true);
  try {
    for await (const chunk of exportRows(input.source, input.what, signal)) {
      if ('columns' in chunk) {
        total = chunk.total ?? null;
        out =
          input.format === 'xlsx'
            ? await XlsxOutput.open(input, chunk.columns, maxRows)
            : await CsvOutput.open(input, chunk.columns, maxRows);
        ctx.progress(0, total, 'exporting', true);
        continue;
      }
      if (!out) throw new Error('export rows came before their columns');
      ctx.checkpoint();
      signal?.throwIfAborted();
      for (const row of chunk.rows) {
        const wait = out.write(row);
        if (wait) await wait;
      }
      stats.rows += chunk.rows.length;
      ctx.progress(stats.rows, total, 'exporting');
    }
    if (!out) throw new Error('the export source named no columns');
    signal?.throwIfAborted();
    const files = await out.finish();
    ctx.progress(stats.rows, stats.rows, 'exporting', true);
    ctx.log(
      'info',
      `Exported ${stats.rows} row${stats.rows === 1 ? '' : 's'} of ${exported(input.what)} to ${out.describe()}.`,
    );
    return { stats, files };
  } catch (err) {
    await out?.abort();
    throw err;
  }
}

/** What the log says was exported. */
function exported(what: ExportWhat): string {
  if (what.kind !== 'list') return 'the query';
  const brand = listBrand(what);
  return `the offers of supplier list "${what.list}"${brand ? ` for brand ${brand}` : ''}`;
}

function headerOf(columns: ExportColumn[]): string[] {
  return columns.map((c) => c.name);
}

class XlsxOutput implements Output {
  private constructor(
    private readonly writer: XlsxWriter,
    private readonly sheet: XlsxSheet,
    private readonly file: OutputFile,
  ) {}

  static async open(input: ExportInput, columns: ExportColumn[], maxRows: number): Promise<XlsxOutput> {
    const tmp = `${input.tmpPrefix}.1.tmp`;
    const writer = await XlsxWriter.create(tmp, { identifier: input.jobId });
    try {
      const sheet = writer.addSheet(input.what.kind === 'list' ? input.what.list : 'Query', {
        header: headerOf(columns),
        columnStyles:
          input.what.kind === 'list'
            ? LIST_STYLES
            : columns.map((c) => (c.type === 'date' ? ('date' as const) : undefined)),
        freezeHeader: true,
        autoFilter: true,
        splitRows: true,
        maxRowsPerSheet: maxRows,
      });
      return new XlsxOutput(writer, sheet, { tmp, final: input.finalPath });
    } catch (err) {
      await writer.abort();
      throw err;
    }
  }

  write(row: CellValue[]): void | Promise<void> {
    return this.sheet.writeRow(row);
  }

  async finish(): Promise<OutputFile[]> {
    await this.writer.finish();
    return [this.file];
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }

  describe(): string {
    const n = this.sheet.names.length;
    return `an .xlsx file with ${n} sheet${n === 1 ? '' : 's'}`;
  }
}

/** CSV parts: the final path, then "<stem> (part 2).csv", …; each holds at most maxRows lines, header included. */
class CsvOutput implements Output {
  private readonly parts: { file: OutputFile; writer: CsvWriter }[] = [];
  private lines = 0;

  private constructor(
    private readonly input: ExportInput,
    private readonly header: string[],
    private readonly maxRows: number,
  ) {}

  static async open(input: ExportInput, columns: ExportColumn[], maxRows: number): Promise<CsvOutput> {
    const out = new CsvOutput(input, headerOf(columns), maxRows);
    await out.nextPart();
    return out;
  }

  write(row: CellValue[]): void | Promise<void> {
    if (this.lines >= this.maxRows) return this.rotate(row);
    this.lines++;
    return this.parts[this.parts.length - 1].writer.writeRow(row);
  }

  async finish(): Promise<OutputFile[]> {
    await this.parts[this.parts.length - 1].writer.finish();
    return this.parts.map((p) => p.file);
  }

  async abort(): Promise<void> {
    for (const p of this.parts) await p.writer.abort();
  }

  describe(): string {
    const n = this.parts.length;
    return `${n} .csv file${n === 1 ? '' : 's'}`;
  }

  private async rotate(row: CellValue[]): Promise<void> {
    await this.parts[this.parts.length - 1].writer.finish();
    await this.nextPart();
    const wait = this.write(row);
    if (wait) await wait;
  }

  private async nextPart(): Promise<void> {
    const n = this.parts.length + 1;
    const tmp = `${this.input.tmpPrefix}.${n}.tmp`;
    let final = this.input.finalPath;
    if (n > 1) {
      const p = parse(final);
      final = join(p.dir, `${p.name} (part ${n})${p.ext}`);
    }
    const writer = await CsvWriter.create(tmp, { header: this.header });
    this.parts.push({ file: { tmp, final }, writer });
    this.lines = 1;
  }
}
