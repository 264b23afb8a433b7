// `npm start`: builds, makes sure Electron's binary and an Electron build of better-sqlite3 exist
// (fetching them where the network allows), then launches the app. Where they cannot be had, it says
// so in one sentence and points at the CLI, which needs neither.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const electronDir = join(root, 'node_modules', 'electron');
const CLI_HINT =
  'meanwhile the command line works without it: npx crossdock run assets/samples/request-list-ru.xlsx --list ОПТ-1';

function fail(sentence) {
  console.error(sentence);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, {
    cwd: root,
    stdio: opts.quiet ? 'pipe' : 'inherit',
    env: { ...process.env, ...opts.env },
  });
}

if (run(process.execPath, ['scripts/build.mjs', '--quiet']).status !== 0)
  fail('The build failed; see the errors above.');

// 1. Electron's binary (its install script is denied by allowScripts, so npm ci works offline).
function electronPath() {
  try {
    return existsSync(join(electronDir, 'path.txt')) ? require('electron') : null;
  } catch {
    return null;
  }
}
let electron = electronPath();
if (!electron || !existsSync(electron)) {
  console.error('Fetching the Electron binary…');
  const r = run(process.execPath, [join(electronDir, 'install.js')], { quiet: true });
  electron = electronPath();
  if (r.status !== 0 || !electron || !existsSync(electron))
    fail(
      `Electron's binary is not installed and could not be downloaded from github.com (no network access here?); run "node node_modules/electron/install.js" where the network allows, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron — ${CLI_HINT}.`,
    );
}

// 2. better-sqlite3 for Electron's ABI, kept apart from node_modules' build (which the tests and CLI load).
const version = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
const nativeDir = join(root, '.electron-native', `${version}-${process.platform}-${process.arch}`);
const binding = join(nativeDir, 'better_sqlite3.node');
if (!existsSync(binding)) {
  console.error(`Building better-sqlite3 for Electron ${version}…`);
  const work = join(nativeDir, 'src');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(nativeDir, { recursive: true });
  cpSync(join(root, 'node_modules', 'better-sqlite3'), work, {
    recursive: true,
    filter: (p) => !p.includes(`${join('better-sqlite3', 'build')}`),
  });
  const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const r = spawnSync(
    process.execPath,
    [
      gyp,
      'rebuild',
      '--release',
      `--target=${version}`,
      `--arch=${process.arch}`,
      '--dist-url=https://electronjs.org/headers',
    ],
    { cwd: work, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: '' } },
  );
  const built = join(work, 'build', 'Release', 'better_sqlite3.node');
  if (r.status !== 0 || !existsSync(built))
    fail(
      `better-sqlite3 could not be built for Electron ${version} (Electron's headers come from electronjs.org; no network access here?); run "npm start" where the network allows — ${CLI_HINT}.`,
    );
  cpSync(built, binding);
  rmSync(work, { recursive: true, force: true });
}

// 3. Launch; the app reads the binding's path from the environment (workers inherit it).
const child = spawn(electron, [root, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CROSSDOCK_SQLITE_BINDING: binding, CROSSDOCK_DEV: '1' },
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
