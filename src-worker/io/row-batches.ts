// What the CSV parser and the worksheet scanner share: the rows they have completed and not yet
// handed over, and the loop that feeds them a stream and yields those rows as they complete.
import type { Row, RowBatch } from './types.ts';

/** A parser fed its input a chunk at a time (`C`: a decoded string or inflated bytes). */
export abstract class RowParser<C> {
  /** Set once the rows are over: the rest of the input is not read (end() is not needed either). */
  done = false;
  /** Completed rows not yet taken, each with its 1-based sheet row number at the same index. */
  protected rows: Row[] = [];
  protected rowNumbers: number[] = [];

  /** Parses the next chunk of the input. */
  abstract push(chunk: C): void;

  /** The input ended: completes what is still open. */
  abstract end(): void;

  /** Rows completed so far (null when none), handing them over to the caller. */
  take(): RowBatch | null {
    if (this.rows.length === 0) return null;
    const batch = { rows: this.rows, rowNumbers: this.rowNumbers };
    this.rows = [];
    this.rowNumbers = [];
    return batch;
  }
}

/** Feeds `chunks` to `parser`, yielding the rows completed after each chunk and at the end. */
export async function* parseRows<C>(
  chunks: AsyncIterable<C>,
  parser: RowParser<C>,
): AsyncGenerator<RowBatch, void, undefined> {
  for await (const chunk of chunks) {
    parser.push(chunk);
    const batch = parser.take();
    if (batch) yield batch;
    if (parser.done) return;
  }
  parser.end();
  const batch = parser.take();
  if (batch) yield batch;
}
