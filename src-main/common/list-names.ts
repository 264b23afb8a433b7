// Supplier list names as people type them: "OPT-1" on a Latin keyboard for the Cyrillic "ОПТ-1",
// "opt 1", "РОЗН" typed as the look-alike "PO3H". A list that matches after this normalization is
// suggested in the "no such list" sentence (never used silently: the job still fails).

// Cyrillic → Latin as a Russian speaker transliterates (ОПТ → OPT).
const TRANSLIT: Record<string, string> = {
  А: 'A',
  Б: 'B',
  В: 'V',
  Г: 'G',
  Д: 'D',
  Е: 'E',
  Ё: 'E',
  Ж: 'ZH',
  З: 'Z',
  И: 'I',
  Й: 'Y',
  К: 'K',
  Л: 'L',
  М: 'M',
  Н: 'N',
  О: 'O',
  П: 'P',
  Р: 'R',
  С: 'S',
  Т: 'T',
  У: 'U',
  Ф: 'F',
  Х: 'H',
  Ц: 'TS',
  Ч: 'CH',
  Ш: 'SH',
  Щ: 'SCH',
  Ъ: '',
  Ы: 'Y',
  Ь: '',
  Э: 'E',
  Ю: 'YU',
  Я: 'YA',
};
// Cyrillic letters (and digits) that look like Latin ones: what a name looks like, whatever the keyboard.
const LOOKS: Record<string, string> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  Ё: 'E',
  З: '3',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
};
const SEPARATORS = /[\s\-_.·–—/\\]+/g;

function mapped(name: string, table: Record<string, string>): string {
  return [...name.normalize('NFKC').toUpperCase().replace(SEPARATORS, '')]
    .map((ch) => table[ch] ?? ch)
    .join('');
}

/** The forms a list name is compared in: as typed (case and separators aside), transliterated, as it looks. */
export function listKeys(name: string): Set<string> {
  const plain = name.normalize('NFKC').toUpperCase().replace(SEPARATORS, '');
  const looks = mapped(name, LOOKS);
  // A Latin name is compared with digits for the letters they look like too (PO3H ~ РОЗН).
  return new Set([plain, mapped(name, TRANSLIT), looks, looks.replace(/3/g, 'Z')]);
}

/**
 * The known list `list` was most likely meant to be: one that matches after case, separators,
 * transliteration or look-alike letters; null when none does (or `list` itself is known).
 */
export function suggestList(list: string, known: readonly string[]): string | null {
  if (known.includes(list)) return null;
  const wanted = listKeys(list);
  const matches = known.filter((k) => [...listKeys(k)].some((key) => key !== '' && wanted.has(key)));
  return matches.length === 1 ? matches[0]! : null;
}
