import { describe, expect, it } from 'vitest';
import { countsLine } from '../src-main/common/counts.ts';
import { renderMessage } from '../src-main/common/errors.ts';
import { formatJobLine } from '../src-main/cli/format.ts';
import { shellText } from '../src-main/electron/shell-text.ts';
import type { Job } from '../src-main/common/types.ts';

const result = { rows: 1500, found: 1111, partial: 90, notFound: 250, invalid: 49 };

describe('one meaning of "found"', () => {
  it('gives all four counts, grouped, in English and Russian', () => {
    expect(countsLine('en', result)).toBe('1,500 lines: 1,111 found, 90 partial, 250 not found, 49 invalid');
    expect(countsLine('ru', result)).toBe(
      '1\u00a0500 строк: найдено 1\u00a0111, частично 90, не найдено 250, некорректных 49',
    );
    expect(countsLine('en', { ...result, rows: 1 })).toMatch(/^1 line:/);
    expect(countsLine('ru', { ...result, rows: 2 })).toMatch(/^2 строки:/);
    expect(countsLine('en', null)).toBe('0 lines: 0 found, 0 partial, 0 not found, 0 invalid');
  });

  it('the CLI line, the notification and the coded message say the same', () => {
    const job = {
      id: '01J',
      kind: 'crossdock',
      status: 'succeeded',
      createdAt: 0,
      name: 'list.xlsx',
      outputs: ['/out/list (crossdock).xlsx'],
      result,
    } as unknown as Job;
    const en = countsLine('en', result);
    expect(formatJobLine(job)).toContain(`${en} → /out/list (crossdock).xlsx`);
    expect(shellText('en').doneBody(job)).toBe(`${en}. Click to open the job.`);
    expect(shellText('ru').doneBody(job)).toBe(
      `${countsLine('ru', result)}. Нажмите, чтобы открыть задание.`,
    );
    expect(renderMessage('ru', { code: 'RESULT_COUNTS', params: { ...result } })).toBe(
      countsLine('ru', result),
    );
    const exp = { ...job, kind: 'export', result: { ...result, rows: 3702 } } as unknown as Job;
    expect(shellText('en').doneBody(exp)).toBe('3,702 rows. Click to open the job.');
  });
});
