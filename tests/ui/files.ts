import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoPart, DEMO_PARTS } from '../../src-worker/sources/demo-data.ts';
import { tempDir } from './bridge.ts';

/** A request list as CSV: demo-catalog parts (most have offers), every fourth line an unknown part. */
export function requestCsv(name: string, rows: number, header = ['Brand', 'Article', 'Qty']): string {
  const parts = Array.from({ length: 2000 }, (_, i) => demoPart((i * 29) % DEMO_PARTS));
  const lines = [header.join(',')];
  for (let i = 0; i < rows; i++) {
    const part = parts[i % parts.length];
    const article = part.display.replace(/,/g, ' ');
    lines.push(`${part.brand},${i % 4 === 3 ? `NO-SUCH-${i}` : article},${(i % 5) + 1}`);
  }
  const path = join(tempDir('cd-ui-in-'), name);
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return path;
}
