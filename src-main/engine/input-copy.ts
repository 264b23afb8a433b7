import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Copies a submitted file into the data dir under its content hash, so retries and restarts work
 * after the original moves, and the same content is stored once.
 */
export async function copyInput(
  source: string,
  inputsDir: string,
): Promise<{ path: string; sha256: string; size: number }> {
  mkdirSync(inputsDir, { recursive: true });
  const hash = createHash('sha256');
  const tmp = join(
    inputsDir,
    `.incoming-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  try {
    await pipeline(
      createReadStream(source),
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      }),
      createWriteStream(tmp),
    );
    const sha256 = hash.digest('hex');
    const ext = extname(source)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, '')
      .slice(0, 8);
    const dest = join(inputsDir, `${sha256}${ext}`);
    if (existsSync(dest)) rmSync(tmp, { force: true });
    else renameSync(tmp, dest);
    return { path: dest, sha256, size: statSync(dest).size };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
