import { basename } from 'node:path';
import type {
  InspectResult,
  InspectValidation,
  PreviewCell,
  PreviewIssue,
  SheetRow,
} from '../../src-main/common/types.ts';
import {
  cellText,
  LINE_PROBLEMS,
  lineProblem,
  normalizeArticle,
  normalizeBrand,
  parseQuantity,
  type LineProblem,
} from '../../src-main/common/normalize.ts';
import {
  columnHeaderName,
  HEADER_SEARCH_ROWS,
  MAPPING_PROBLEMS,
  type ColumnMapping,
} from '../crossdock/columns.ts';
import { openSpreadsheet } from '../io/open-spreadsheet.ts';
import { InputError, type CellValue, type Row, type WorkbookReader } from '../io/types.ts';
import type { ColumnChoice, SourceConfig } from '../protocol.ts';
import { openSource } from '../sources/open-source.ts';
import { lookupKey, type LookupKey, type OfferSource } from '../sources/types.ts';
import { locateHeader, sheetIndexes } from './locate-header.ts';

const PREVIEW_ROWS = 10;
/**
 * The rows offered to pick the header row from: the sheet's rows 1–30 (detection looks at rows 1–20;
 * a header just below them is the user's to pick).
 */
const TOP_ROWS = HEADER_SEARCH_ROWS + 10;

const plain = (v: CellValue | undefined): PreviewCell =>
  v === undefined || v === null ? null : v instanceof Date ? v.toISOString() : v;
const plainRow = (r: Row): PreviewCell[] => r.map(plain);

/** Every invalid cell of one line (brand, article, quantity), where the line's count takes the first. */
function cellIssues(row: Row, m: ColumnMapping, at: number, out: PreviewIssue[]): void {
  if (normalizeBrand(row[m.brand] ?? null) === '') out.push({ row: at, column: m.brand, problem: 'brand' });
  if (normalizeArticle(row[m.article] ?? null) === '')
    out.push({ row: at, column: m.article, problem: 'article' });
  if (m.quantity !== null) {
    const q = parseQuantity(row[m.quantity] ?? null);
    if (typeof q !== 'number') out.push({ row: at, column: m.quantity, problem: q });
  }
}

/**
 * A look at a file before it is submitted: its sheets, the header and columns a job would use (or
 * those the user chose: `choice`, as a job's `columns`), the sheet's first rows with their row
 * numbers, and how many lines a job would mark invalid and why. The whole sheet is streamed for
 * that count, never held: one batch of rows at a time. `count` false: only the first rows are read
 * (a quick first look; `validation` is null unless the sheet ended within them). Runs in a worker:
 * a large workbook's shared strings must not block the app's main process.
 */
export async function runInspect(
  path: string,
  displayName = basename(path),
  sheetName?: string,
  choice: ColumnChoice = {},
  count = true,
  crossesFrom?: SourceConfig,
): Promise<InspectResult> {
  const wb = await openSpreadsheet(path);
  try {
    const base = { name: displayName, format: wb.format, sheetNames: wb.sheetNames };
    try {
      const located = await locateHeader(wb, choice, undefined, sheetName);
      const m = located.mapping;
      const top: SheetRow[] = [];
      const takeTop = (rows: Row[], numbers: number[]) => {
        for (let i = 0; i < rows.length && numbers[i] <= TOP_ROWS; i++)
          top.push({ row: numbers[i], cells: plainRow(rows[i]) });
      };
      takeTop(located.above.rows, located.above.rowNumbers);
      const preview: PreviewCell[][] = [];
      const previewRows: number[] = [];
      const previewIssues: PreviewIssue[] = [];
      const byProblem = Object.fromEntries(LINE_PROBLEMS.map((p) => [p, 0])) as Record<LineProblem, number>;
      let lines = 0;
      let invalid = 0;
      let stopped = false;
      const { brand, article, quantity } = m;
      const crosses = count && crossesFrom ? await CrossesCounter.open(crossesFrom) : null;
      for await (const b of located.batches) {
        const { rows, rowNumbers } = b;
        if (rowNumbers[0] <= TOP_ROWS) takeTop(rows, rowNumbers);
        const keys: LookupKey[] = [];
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i];
          const lineBrand = normalizeBrand(row[brand] ?? null);
          const lineArticle = normalizeArticle(row[article] ?? null);
          const problem = lineProblem(
            lineBrand,
            lineArticle,
            quantity === null ? null : (row[quantity] ?? null),
          );
          if (problem !== null) {
            invalid++;
            byProblem[problem]++;
          } else if (crosses) keys.push({ brand: lineBrand, article: lineArticle });
          if (preview.length < PREVIEW_ROWS) {
            if (problem !== null) cellIssues(row, m, preview.length, previewIssues);
            preview.push(plainRow(row));
            previewRows.push(rowNumbers[i]);
          }
        }
        lines += rows.length;
        if (crosses && keys.length > 0) await crosses.add(keys);
        if (!count && preview.length >= PREVIEW_ROWS && rowNumbers[rowNumbers.length - 1] > TOP_ROWS) {
          stopped = true;
          break;
        }
      }
      const withCrosses = crosses ? await crosses.finish() : undefined;
      const validation: InspectValidation | null = stopped
        ? null
        : { lines, invalid, byProblem, ...(withCrosses !== undefined ? { withCrosses } : {}) };
      const estimated = located.sheet.estimatedRows;
      return {
        ...base,
        sheet: located.sheet.name,
        headerRow: located.headerRowNumber,
        headers: located.header.map((h) => cellText(h ?? null)),
        columns: { brand: m.brand, article: m.article, quantity: m.quantity },
        preview,
        previewRows,
        previewIssues,
        topRows: top,
        validation,
        estimatedRows: !stopped
          ? lines
          : estimated === null
            ? null
            : Math.max(0, estimated - located.headerRowNumber),
        problem: null,
        problemCode: null,
        problemParams: null,
      };
    } catch (err) {
      if (!(err instanceof InputError) || !MAPPING_PROBLEMS.has(err.code)) throw err;
      return {
        ...base,
        ...(await toMap(wb, sheetName, choice)),
        problem: err.message,
        problemCode: err.code,
        problemParams: err.params,
      };
    }
  } finally {
    await wb.close();
  }
}

/**
 * What the user maps the columns from when they cannot be found: the chosen (or first) sheet's first
 * rows, with the header the user chose (a row, or none), else its first row, as the header.
 */
async function toMap(
  wb: WorkbookReader,
  sheetName: string | undefined,
  choice: ColumnChoice,
): Promise<
  Pick<
    InspectResult,
    | 'sheet'
    | 'headerRow'
    | 'headers'
    | 'columns'
    | 'preview'
    | 'previewRows'
    | 'previewIssues'
    | 'topRows'
    | 'validation'
    | 'estimatedRows'
  >
> {
  const sheet = wb.sheet(sheetIndexes(wb, sheetName)[0] ?? 0);
  const wanted = choice.headerRow;
  const last = Math.max(TOP_ROWS, wanted ?? 0);
  const rows: Row[] = [];
  const numbers: number[] = [];
  // The rows up to the header asked for (or row 20), and the preview's rows below the header.
  const isData = (n: number, index: number) =>
    wanted === 0 ? true : wanted !== undefined ? n > wanted : index > 0;
  let dataRows = 0;
  read: for await (const b of sheet.batches()) {
    for (let i = 0; i < b.rows.length; i++) {
      const n = b.rowNumbers[i];
      if (n > last && dataRows >= PREVIEW_ROWS) break read;
      if (isData(n, rows.length)) dataRows++;
      rows.push(b.rows[i]);
      numbers.push(n);
    }
  }
  const topRows = rows.flatMap((r, i) =>
    numbers[i] <= TOP_ROWS ? [{ row: numbers[i], cells: plainRow(r) }] : [],
  );
  let headerRow: number | null = null;
  let header: string[];
  let data: number;
  if (wanted === 0) {
    const width = Math.max(0, ...rows.map((r) => r.length));
    header = Array.from({ length: width }, (_, c) => columnHeaderName(c));
    headerRow = 0;
    data = 0;
  } else if (wanted !== undefined) {
    const at = numbers.indexOf(wanted);
    header = (at >= 0 ? rows[at] : []).map((h) => cellText(h ?? null));
    headerRow = at >= 0 || numbers.some((n) => n > wanted) ? wanted : null;
    data = numbers.findIndex((n) => n > wanted);
    if (data < 0) data = rows.length;
  } else {
    header = (rows[0] ?? []).map((h) => cellText(h ?? null));
    data = 1;
  }
  const previewFrom = rows.slice(data, data + PREVIEW_ROWS);
  return {
    sheet: sheet.name,
    headerRow,
    headers: header,
    columns: { brand: null, article: null, quantity: null },
    preview: previewFrom.map(plainRow),
    previewRows: numbers.slice(data, data + PREVIEW_ROWS),
    previewIssues: [],
    topRows,
    validation: null,
    estimatedRows: sheet.estimatedRows,
  };
}

/**
 * How many lines have at least one cross, asked of the offers source in batches as a job does
 * (brands through the alias table first). A source that cannot be asked gives null, never an error:
 * the count is a hint beside the preview, not a reason to refuse the file.
 */
class CrossesCounter {
  private withCrosses = 0;
  private failed = false;

  private constructor(
    private readonly source: OfferSource | null,
    private readonly aliases: Map<string, string>,
  ) {}

  static async open(config: SourceConfig): Promise<CrossesCounter> {
    let source: OfferSource | null = null;
    try {
      source = await openSource(config);
      return new CrossesCounter(source, await source.brandAliases());
    } catch {
      await source?.close().catch(() => undefined);
      return new CrossesCounter(null, new Map());
    }
  }

  async add(keys: LookupKey[]): Promise<void> {
    if (!this.source || this.failed) return;
    const lines = keys.map((k) => lookupKey(this.aliases.get(k.brand) ?? k.brand, k.article));
    const unique = new Map<string, LookupKey>();
    lines.forEach((key, i) =>
      unique.set(key, { brand: this.aliases.get(keys[i].brand) ?? keys[i].brand, article: keys[i].article }),
    );
    try {
      const found = await this.source.crosses([...unique.values()]);
      for (const key of lines) if ((found.get(key)?.length ?? 0) > 0) this.withCrosses++;
    } catch {
      this.failed = true;
    }
  }

  async finish(): Promise<number | null> {
    await this.source?.close().catch(() => undefined);
    return this.source && !this.failed ? this.withCrosses : null;
  }
}
