import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './eslint/layers.js';

// ── The layer graph ──────────────────────────────────────────────────────────────────────────────
// An allowlist: each folder (or file; the longest entry that contains a file is its layer) may import
// only the project paths it lists, whatever the kind of import (eslint/layers.js: static, type-only,
// export-from, import(), require(), createRequire). `types`: type-only imports only. `electron`: may
// import the electron package. `node: false`: no Node builtins and no Node globals (no Node runtime).
// tests/, scripts/, bench/ and config files are in no layer: unrestricted. docs/architecture.md, "Layers".
const WORKER_SURFACE = ['src-worker/api.ts', 'src-worker/protocol.ts'];
export const LAYERS = {
  // Types, zod schemas, the contract, settings schema, normalization: runs everywhere, owns no runtime.
  'src-main/common': { imports: ['src-main/common'], node: false },
  // React with browser APIs only; it sees the main process only through window.crossdock's types.
  'src-renderer': {
    imports: ['src-renderer', 'src-main/common'],
    types: ['src-main/common/contract.ts'],
    node: false,
  },
  // The sandboxed preload: electron, and the contract's types.
  'src-main/electron/preload.ts': { imports: [], types: ['src-main/common'], electron: true, node: false },
  // The shell: the only code that may import electron.
  'src-main/electron': {
    imports: ['src-main/electron', 'src-main/engine', 'src-main/common'],
    electron: true,
  },
  // Plain Node: the engine runs team mode and reaches the worker only through its public surface.
  'src-main/engine': { imports: ['src-main/engine', 'src-main/common', 'src-main/team', ...WORKER_SURFACE] },
  // Team mode: the engine depends on team, not the reverse, so only the engine's types.
  'src-main/team': {
    imports: ['src-main/team', 'src-main/common', ...WORKER_SURFACE],
    types: ['src-main/engine'],
  },
  'src-main/cli': {
    imports: ['src-main/cli', 'src-main/engine', 'src-main/team', 'src-main/common', ...WORKER_SURFACE],
  },
  'src-worker': { imports: ['src-worker', 'src-main/common'] },
  // Any other file under src-main (a new folder) may import no project file until it is given a layer.
  'src-main': { imports: [] },
};

const NODE_GLOBALS = [
  'process',
  'Buffer',
  '__dirname',
  '__filename',
  'require',
  'module',
  'exports',
  'global',
  'setImmediate',
  'clearImmediate',
];
// src-main/common runs in the renderer and in Node: neither side's globals (tsconfig.common.json has
// neither's types either).
const DOM_GLOBALS = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'self'];

/** no-restricted-globals + no-restricted-properties (globalThis.process…) for a layer without Node. */
function noGlobals(files, names, why) {
  return {
    files,
    rules: {
      'no-restricted-globals': ['error', ...names.map((name) => ({ name, message: `Layers: ${why}` }))],
      'no-restricted-properties': [
        'error',
        ...names.flatMap((property) =>
          ['globalThis', 'window', 'self'].map((object) => ({ object, property, message: `Layers: ${why}` })),
        ),
      ],
    },
  };
}

const filesOf = (entry) => (entry.endsWith('.ts') ? [entry] : [`${entry}/**`]);

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'release/',
      '.bench/',
      '.playwright-results/',
      '.electron-native/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: Object.keys(LAYERS).flatMap(filesOf),
    plugins: { layers },
    rules: { 'layers/imports': ['error', { root: import.meta.dirname, layers: LAYERS }] },
  },
  noGlobals(
    filesOf('src-main/common'),
    [...NODE_GLOBALS, ...DOM_GLOBALS],
    'src-main/common runs in the renderer and in Node: no Node or DOM globals.',
  ),
  noGlobals(
    filesOf('src-renderer'),
    NODE_GLOBALS,
    'the renderer has no Node runtime: browser APIs only, no Node globals.',
  ),
  noGlobals(
    filesOf('src-main/electron/preload.ts'),
    NODE_GLOBALS,
    "the preload runs sandboxed (electron and the contract's types only): no Node globals.",
  ),
  {
    // JobStore owns every statement on its tables: nothing else in the app reaches for its database.
    files: ['src-main/**', 'src-worker/**'],
    ignores: ['src-main/engine/store.ts', 'src-main/engine/team-rows.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='db'][object.name=/^(store|this\\.store)$/]",
          message: 'Ask JobStore (src-main/engine/store.ts) instead of running SQL on its database.',
        },
        {
          selector: "MemberExpression[property.name='db'][object.property.name='store']",
          message: 'Ask JobStore (src-main/engine/store.ts) instead of running SQL on its database.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
);
