// Bundles the plain-Node parts (CLI, engine, worker) into dist/ with esbuild.
// Dependencies stay external: native modules (better-sqlite3) and piscina's own worker file
// must be loaded from node_modules, and electron-builder packs them from there.
import { build } from 'esbuild';

const quiet = process.argv.includes('--quiet');
const started = Date.now();
await build({
  entryPoints: {
    cli: 'src-main/cli/main.ts',
    worker: 'src-worker/worker.ts',
    tools: 'scripts/tools.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: quiet ? 'warning' : 'info',
});
if (!quiet) console.log(`built dist/ in ${Date.now() - started} ms`);
