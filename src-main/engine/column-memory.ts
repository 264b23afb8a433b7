/**
 * Column mappings a user set by hand in the new-job sheet, remembered per header row: the next file
 * with the same header row opens with them applied. A header row is known by a hash of its cells'
 * normalized texts; the most recently used MAX_MAPPINGS are kept. Only the app's new-job sheet records
 * and applies them (engine.inspect carries them, engine.submit with `rememberColumns` records them):
 * the CLI and schedules never do, their columns are exactly what their flags and specs say.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { headerKey } from '../common/normalize.ts';
import type { InspectResult, RememberedColumns } from '../common/types.ts';

export const MAX_MAPPINGS = 200;
/** Files inspected lately whose detected columns a submit compares with (the sheet inspects first). */
const RECENT_FILES = 32;

type Detected = Pick<InspectResult, 'headers' | 'columns'> & Partial<Pick<InspectResult, 'headerRow'>>;

/**
 * The header row's identity: its cells trimmed, inner whitespace collapsed, lower-cased, trailing
 * empty cells dropped, hashed. Null for a row with no text (nothing to recognise it by).
 */
export function headerSignature(headers: readonly string[]): string | null {
  const cells = headers.map((h) => h.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase());
  while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
  if (cells.length === 0) return null;
  return createHash('sha256').update(JSON.stringify(cells)).digest('hex');
}

/**
 * The 0-based column a job's `columns` entry picks, resolved as the worker resolves it (a 1-based
 * index, or a header text compared case-, space- and punctuation-insensitively); undefined when the
 * header row has no such column.
 */
export function columnIndex(headers: readonly string[], wanted: string): number | undefined {
  if (/^\d+$/.test(wanted.trim())) {
    const i = Number(wanted) - 1;
    return i >= 0 && i < headers.length ? i : undefined;
  }
  const key = headerKey(wanted);
  const i = headers.findIndex((h) => key !== '' && headerKey(h) === key);
  return i >= 0 ? i : undefined;
}

/** The key of one file as inspected: a changed file (size, time) or another sheet is another key. */
export function inspectedFileKey(
  path: string,
  sheet: string | undefined,
  size: number,
  mtimeMs: number,
): string {
  return JSON.stringify([path, sheet ?? null, size, mtimeMs]);
}

export class ColumnMemory {
  private readonly recent = new Map<string, Detected>();

  constructor(private readonly db: Database.Database) {}

  /** The remembered columns of this header row, or null. */
  get(signature: string): RememberedColumns | null {
    const row = this.db
      .prepare('SELECT brand, article, quantity FROM column_mappings WHERE signature = ?')
      .get(signature) as RememberedColumns | undefined;
    return row ?? null;
  }

  /**
   * What the sheet will show for an inspected file: its remembered columns, if any, and only where
   * they still point into the header row. Keeps the detected columns for a submit to compare with.
   */
  recall(fileKey: string, inspect: InspectResult): RememberedColumns | null {
    this.recent.delete(fileKey);
    // The row `headers` came from: the detected header row, or (none found) the first row shown as one.
    this.recent.set(fileKey, {
      headers: inspect.headers,
      columns: inspect.columns,
      headerRow: inspect.headerRow ?? inspect.topRows?.[0]?.row ?? null,
    });
    while (this.recent.size > RECENT_FILES) this.recent.delete(this.recent.keys().next().value!);
    const signature = headerSignature(inspect.headers);
    const remembered = signature ? this.get(signature) : null;
    if (!remembered) return null;
    const fits = (i: number | null) => i === null || (i >= 0 && i < inspect.headers.length);
    return fits(remembered.brand) && fits(remembered.article) && fits(remembered.quantity)
      ? remembered
      : null;
  }

  /** The header row and detected columns recall saw for this file, if it saw it lately. */
  inspected(fileKey: string): Detected | undefined {
    return this.recent.get(fileKey);
  }

  /**
   * A job from the sheet starts with these columns: remembered for this header row when they differ
   * from the detected ones; forgotten when the user set them back to the detected ones (so an old
   * correction stops coming back). Columns that do not resolve in the header row change nothing, nor
   * do columns read from another header row than the detected one (the memory is of header rows).
   */
  note(
    file: Detected,
    columns: { brand?: string; article?: string; quantity?: string; headerRow?: number },
    now: number,
  ): 'remembered' | 'forgotten' | null {
    const signature = headerSignature(file.headers);
    if (!signature || !columns.brand || !columns.article) return null;
    if (columns.headerRow !== undefined && columns.headerRow !== file.headerRow) return null;
    const brand = columnIndex(file.headers, columns.brand);
    const article = columnIndex(file.headers, columns.article);
    // No quantity, or "0": none (every line counts 1).
    const quantity =
      columns.quantity && !/^\s*0+\s*$/.test(columns.quantity)
        ? columnIndex(file.headers, columns.quantity)
        : null;
    if (brand === undefined || article === undefined || quantity === undefined) return null;
    const d = file.columns;
    if (brand === d.brand && article === d.article && quantity === d.quantity) {
      this.db.prepare('DELETE FROM column_mappings WHERE signature = ?').run(signature);
      return 'forgotten';
    }
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO column_mappings (signature, brand, article, quantity, headers, used_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (signature) DO UPDATE SET brand = excluded.brand, article = excluded.article,
               quantity = excluded.quantity, headers = excluded.headers, used_at = excluded.used_at`,
          )
          .run(signature, brand, article, quantity, JSON.stringify(file.headers), now);
        this.db
          .prepare(
            `DELETE FROM column_mappings WHERE signature NOT IN
               (SELECT signature FROM column_mappings ORDER BY used_at DESC, rowid DESC LIMIT ?)`,
          )
          .run(MAX_MAPPINGS);
      })
      .immediate();
    return 'remembered';
  }

  /** How many header rows are remembered. */
  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM column_mappings').pluck().get() as number;
  }
}
