#!/usr/bin/env node
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const cli = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('Crossdock is not built yet: run "npm run build" in its folder first.\n');
  process.exit(2);
}
// A job's worker thread starts booting now, while the CLI bundle below is compiled (src-main/cli/warm.ts).
const warm = new URL('../dist/warm.mjs', import.meta.url);
if (existsSync(fileURLToPath(warm))) await import(warm.href);

// The CLI bundle is compiled with V8's code cache, kept beside it (Node 20 has no module compile
// cache, and compiling the bundle cost ~30 ms of every command). The cache names the build it was
// made from (the bundle's first line): one made from another build is never handed to V8, which
// itself checks only the source's length. No cache, or one V8 refuses: compiled as usual, and a new
// cache is written when the process ends (with the functions this run compiled); a folder that
// cannot be written is no error.
const source = readFileSync(cli, 'utf8');
const build = /^\/\* crossdock build ([0-9a-f]+) \*\//.exec(source)?.[1] ?? null;
const cacheFile = `${cli}.cache`;
const stamp = build === null ? null : Buffer.from(`crossdock-cache ${build}\n`, 'latin1');
let cachedData;
if (stamp !== null) {
  try {
    const cache = readFileSync(cacheFile);
    if (cache.subarray(0, stamp.length).equals(stamp)) cachedData = cache.subarray(stamp.length);
  } catch {
    // no cache yet
  }
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: cli,
  cachedData,
  importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (stamp !== null && (cachedData === undefined || script.cachedDataRejected)) {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]));
      renameSync(tmp, cacheFile);
    } catch {
      // a read-only install: every run compiles
    }
  });
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(cli), module, cli, dirname(cli));
