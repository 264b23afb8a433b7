// A submitted file is copied into the data dir under its content hash (src-main/engine/input-copy.ts):
// small files read whole, big ones streamed; either way the copy is the file, and the same content
// is stored once.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyInput } from '../src-main/engine/input-copy.ts';
import { tempDir } from './helpers.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('copyInput', () => {
  it('stores a file under its hash once, small or big, and leaves no temporary file', async () => {
    const dir = tempDir('input-copy-');
    const inputs = join(dir, 'inputs');
    const small = Buffer.from('Brand;Article\nBOSCH;0 986 452 041\n');
    // Past the whole-read limit (16 MiB): streamed in chunks.
    const big = Buffer.alloc(17 * 1024 * 1024 + 123, 7);
    big.write('not all the same', 5_000_000);
    for (const [name, data] of [
      ['a.CSV', small],
      ['b.xlsx', big],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, data);
      const first = await copyInput(file, inputs);
      expect(first.sha256).toBe(sha(data));
      expect(first.size).toBe(data.length);
      expect(first.path).toBe(join(inputs, `${sha(data)}${name.slice(1).toLowerCase()}`));
      expect(readFileSync(first.path).equals(data)).toBe(true);
      // The same content again: the same copy.
      const again = join(dir, `again-${name}`);
      writeFileSync(again, data);
      expect(await copyInput(again, inputs)).toEqual(first);
    }
    expect(readdirSync(inputs).sort()).toEqual([`${sha(small)}.csv`, `${sha(big)}.xlsx`].sort());
  });

  it('fails on a file that is not there, and leaves nothing behind', async () => {
    const dir = tempDir('input-copy-');
    await expect(copyInput(join(dir, 'missing.xlsx'), join(dir, 'inputs'))).rejects.toThrow(/ENOENT/);
    expect(readdirSync(join(dir, 'inputs'))).toEqual([]);
  });
});
