import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './bridge.ts';

/** A request list as CSV; `rows` lines of real demo-catalog parts mixed with unknown ones. */
export function requestCsv(name: string, rows: number, header = ['Brand', 'Article', 'Qty']): string {
  const parts = [
    ['BOSCH', '0 986 452 041'],
    ['MANN-FILTER', 'W 712/75'],
    ['NGK', 'BKR6E'],
    ['ACME', 'NO-SUCH-PART'],
  ];
  const lines = [header.join(',')];
  for (let i = 0; i < rows; i++) {
    const [brand, article] = parts[i % parts.length];
    lines.push(`${brand},${i % 4 === 3 ? `${article}-${i}` : article},${(i % 5) + 1}`);
  }
  const path = join(tempDir('cd-ui-in-'), name);
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return path;
}
