import { describe, expect, it } from 'vitest';
import { renderMessage } from '../src-main/common/errors.ts';
import { suggestList } from '../src-main/common/list-names.ts';
import { unknownListError } from '../src-worker/sources/types.ts';

const KNOWN = ['ОПТ-1', 'ОПТ-2', 'РОЗН', 'Export EU'];

describe('a list name typed on the other keyboard, in another case or with other separators', () => {
  it('suggests the known list it stands for', () => {
    expect(suggestList('OPT-1', KNOWN)).toBe('ОПТ-1'); // transliterated
    expect(suggestList('опт-2', KNOWN)).toBe('ОПТ-2'); // case
    expect(suggestList('ОПТ 1', KNOWN)).toBe('ОПТ-1'); // separators
    expect(suggestList('opt_2', KNOWN)).toBe('ОПТ-2');
    expect(suggestList('PO3H', KNOWN)).toBe('РОЗН'); // looks like it, Latin letters and a digit
    expect(suggestList('rozn', KNOWN)).toBe('РОЗН');
    expect(suggestList('export-eu', KNOWN)).toBe('Export EU');
  });

  it('suggests nothing for a name like none, an exact one, or one like several', () => {
    expect(suggestList('НЕТ', KNOWN)).toBeNull();
    expect(suggestList('ОПТ-9', KNOWN)).toBeNull();
    expect(suggestList('ОПТ-1', KNOWN)).toBeNull();
    expect(suggestList('opt1', ['OPT-1', 'ОПТ-1'])).toBeNull(); // two would do: no guess
    expect(suggestList('', KNOWN)).toBeNull();
  });

  it('the sentence carries the suggestion in English and Russian', () => {
    const e = unknownListError('OPT-1', KNOWN);
    expect(e.message).toBe(
      'There is no supplier list "OPT-1"; did you mean "ОПТ-1"? Known lists: ОПТ-1, ОПТ-2, РОЗН, Export EU.',
    );
    expect(renderMessage('ru', { code: e.code, params: e.params, message: e.message })).toBe(
      'Списка поставщиков «OPT-1» нет; может быть, «ОПТ-1»? Сейчас есть списки: ОПТ-1, ОПТ-2, РОЗН, Export EU.',
    );
  });
});
