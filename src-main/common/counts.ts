// What "found" means, in one place: a crossdock's lines are found, partial, not found or invalid
// (PRODUCT.md, Result workbook), and every place that reports a job (the jobs list, the detail, the
// notification, the CLI, --json) gives all four counts, the same way.
import { countsSentence, type CountParams } from './messages/task.ts';
import type { Lang } from './errors.ts';
import type { JobResultStats } from './types.ts';

export type { CountParams };

/** The four counts of a job's result (zeros for a job without one). */
export function countParams(r: JobResultStats | null | undefined): CountParams {
  return {
    rows: r?.rows ?? 0,
    found: r?.found ?? 0,
    partial: r?.partial ?? 0,
    notFound: r?.notFound ?? 0,
    invalid: r?.invalid ?? 0,
  };
}

/** "1,500 lines: 1,111 found, 90 partial, 250 not found, 49 invalid" in `lang`. */
export function countsLine(lang: Lang, r: Parameters<typeof countParams>[0]): string {
  return countsSentence(lang, countParams(r));
}
