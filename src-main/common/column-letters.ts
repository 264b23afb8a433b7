// Spreadsheet column letters, as the new-job sheet shows columns and the worker names a header-less
// sheet's columns ("Column B").

/** A 0-based column's letters as a spreadsheet names it: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The 0-based index of column letters ("B" → 1, "aa" → 26), or null for anything else. */
export function columnIndexOfLetter(letters: string): number | null {
  const s = letters.trim().toUpperCase();
  if (!/^[A-Z]{1,3}$/.test(s)) return null;
  let n = 0;
  for (const ch of s) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}
