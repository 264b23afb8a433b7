// Bundles every runtime with esbuild:
// - dist/cli.cjs, dist/worker.mjs, dist/tools.mjs: the plain-Node parts (CLI, engine, worker);
// - dist/electron/main.mjs (the shell) and dist/electron/preload.cjs (sandboxed preloads must be CommonJS);
// - dist/renderer/: the React UI (index.html, main.js, main.css).
// Dependencies stay external for Node and Electron: native modules (better-sqlite3) and piscina's own
// worker file must be loaded from node_modules, and electron-builder packs them from there.
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';

const quiet = process.argv.includes('--quiet');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const started = Date.now();
const logLevel = quiet ? 'warning' : 'info';

/** An ES module bundle for Node or Electron's main process (target node20 for the CLI, node22 for Electron). */
const esm = (entryPoints, outdir, options = {}) =>
  build({
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel,
    ...options,
  });

// Pure-JS packages are bundled into the CLI and worker files: Node resolves and loads an ES module
// package file by file, which cost ~0.2 s of every run's start (zod alone ~0.1 s). Kept out: the
// native module, piscina (it starts its own worker file by path), and what loads only on demand.
const NODE_EXTERNAL = ['better-sqlite3', 'piscina', 'bullmq', 'ioredis', 'electron', 'esbuild'];
const REQUIRE_BANNER =
  "import { createRequire as __cdRequire } from 'node:module'; const require = __cdRequire(import.meta.url);";
// The CLI is one CommonJS file that bin/crossdock.mjs compiles with V8's code cache (Node 20 has no
// module compile cache; compiling the bundle was ~30 ms of every command's start). Its first line
// names the build, so a cache made for another build is never used (V8 itself checks only the
// length of the source).
const cli = () => {
  rmSync('dist/cli.mjs', { force: true });
  rmSync('dist/cli.mjs.map', { force: true });
  return esm({ cli: 'src-main/cli/main.ts' }, 'dist', {
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    packages: undefined,
    external: NODE_EXTERNAL,
    define: { 'import.meta.url': '__cdImportMetaUrl' },
    banner: {
      js: `/* crossdock build ${randomBytes(8).toString('hex')} */\nconst __cdImportMetaUrl = require('node:url').pathToFileURL(__filename).href;`,
    },
  });
};
const node = () =>
  Promise.all([
    cli(),
    esm(
      {
        worker: 'src-worker/worker.ts',
        'demo-lookup': 'src-worker/demo-lookup.ts',
        warm: 'src-main/cli/warm.ts',
      },
      'dist',
      { packages: undefined, external: NODE_EXTERNAL, banner: { js: REQUIRE_BANNER } },
    ),
    esm({ tools: 'scripts/tools.ts', 'ui-bridge': 'scripts/ui-bridge.ts' }, 'dist'),
  ]);

const shell = () =>
  Promise.all([
    esm({ main: 'src-main/electron/main.ts' }, 'dist/electron', { target: 'node22' }),
    // The packaged app's worker: piscina loads it by path, so it is unpacked from the asar, and an
    // unpacked file cannot import packages inside the asar; so everything but the native module is in it.
    esm({ worker: 'src-worker/worker.ts', 'demo-lookup': 'src-worker/demo-lookup.ts' }, 'dist/electron', {
      target: 'node22',
      packages: undefined,
      external: ['better-sqlite3'],
      sourcemap: false,
      banner: {
        js: "import { createRequire as __cdRequire } from 'node:module'; const require = __cdRequire(import.meta.url);",
      },
    }),
    // A sandboxed preload must be one CommonJS file that requires nothing but electron.
    esm({ preload: 'src-main/electron/preload.ts' }, 'dist/electron', {
      target: 'node22',
      format: 'cjs',
      outExtension: { '.js': '.cjs' },
      packages: undefined,
      external: ['electron'],
      sourcemap: false,
    }),
  ]);

const renderer = async () => {
  await build({
    entryPoints: { main: 'src-renderer/main.tsx' },
    outdir: 'dist/renderer',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    jsx: 'automatic',
    loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff2': 'file' },
    minify: !process.argv.includes('--dev'),
    sourcemap: true,
    define: {
      'process.env.NODE_ENV': JSON.stringify(process.argv.includes('--dev') ? 'development' : 'production'),
    },
    logLevel,
  });
  mkdirSync('dist/renderer', { recursive: true });
  copyFileSync('src-renderer/index.html', 'dist/renderer/index.html');
};

// The browser test bridge's window.crossdock (see scripts/ui-bridge.ts).
const bridge = () =>
  build({
    entryPoints: { shim: 'scripts/ui-bridge-shim.ts' },
    outdir: 'dist/ui-bridge',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    logLevel,
  });

const parts = { node, shell, renderer, bridge };
await Promise.all(
  Object.entries(parts)
    .filter(([name]) => !only || only.split(',').includes(name))
    .map(([, fn]) => fn()),
);
if (!quiet) console.log(`built dist/ in ${Date.now() - started} ms`);
