/** A cell value as read from or written to a spreadsheet. */
import {
  CodedError,
  type CodedErrorOptions,
  type ErrorCode,
  type ParamsOf,
} from '../../src-main/common/errors.ts';
import type { CellValue } from '../../src-main/common/types.ts';

export type { CellValue };

/** One row: index = 0-based column. Missing cells are null (or the array is shorter). */
export type Row = CellValue[];

/**
 * An error the user caused and can fix: never retried, shown as its code's sentence
 * (src-main/common/messages) in the reader's language.
 */
export class InputError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  override name = 'InputError';
  constructor(code: C, params: ParamsOf<C>, options?: CodedErrorOptions) {
    super(code, params, options);
  }
}

/** One worksheet (or the whole CSV file) opened for streaming. */
export interface SheetReader {
  /** Worksheet name (for CSV: the file name without extension). */
  readonly name: string;
  /** Rows the sheet holds, from its dimension or estimated from the file size; null when unknown. */
  readonly estimatedRows: number | null;
  /**
   * Rows in order, in batches (a batch is whatever one decoded chunk held).
   * Rows that are entirely empty are skipped. Breaking out of the loop closes the file.
   * Each row carries its 1-based sheet row number in `rowNumbers` at the same index.
   */
  batches(): AsyncGenerator<RowBatch, void, undefined>;
  /** Bytes of the source consumed so far and in total (for progress of CSV and xlsx alike). */
  progress(): { done: number; total: number };
}

export interface RowBatch {
  rows: Row[];
  rowNumbers: number[];
}

/** A spreadsheet file opened for reading: its sheets in workbook order. */
export interface WorkbookReader {
  readonly format: 'xlsx' | 'csv';
  readonly sheetNames: string[];
  sheet(index: number): SheetReader;
  close(): Promise<void>;
}
