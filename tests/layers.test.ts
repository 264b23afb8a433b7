// The layer graph (eslint.config.js, eslint/layers.js) both ways: forbidden imports of every kind,
// planted in every restricted folder, fail with the rule's message; allowed ones pass. Planted code
// goes through ESLint's lintText with a file path, so nothing is written into the tree.
import { ESLint, type Linter } from 'eslint';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const eslint = new ESLint({ cwd: root });
const LAYER_RULES = new Set(['layers/imports', 'no-restricted-globals', 'no-restricted-properties']);

// Substrings of the rule's messages (eslint/layers.js).
const NOT_LISTED = 'may not import src-'; // … "<layer> may not import <path>"
const TYPE_ONLY = 'may import only types from';
const ELECTRON = 'only src-main/electron (the shell) may import electron';
const BUILTIN = 'has no Node runtime; it may not import';
const COMPUTED = 'computed specifier cannot be checked';
const CREATE_REQUIRE = 'keep what createRequire makes in a const';
const NODE_GLOBAL = 'globals.'; // no-restricted-globals / -properties: "… Layers: … no Node globals."

async function layerErrors(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${file}` });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal, `${file}: ${code}`).toEqual([]);
  return result!.messages.filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId));
}

/** [folder file, code, the messages it must give: one substring per expected error]. */
type Case = [file: string, code: string, errors: string[]];

const createRequire =
  "import { createRequire } from 'node:module';\nconst load = createRequire(import.meta.url);\n";

const forbidden: Record<string, Case[]> = {
  'src-main/common': [
    ['src-main/common/x.ts', "import { Engine } from '../engine/engine.ts';", [NOT_LISTED]],
    ['src-main/common/x.ts', "import type { JobStore } from '../engine/store.ts';", [NOT_LISTED]],
    ['src-main/common/x.ts', "export { Engine } from '../engine/engine.ts';", [NOT_LISTED]],
    ['src-main/common/x.ts', "export type { Engine } from '../engine/engine.ts';", [NOT_LISTED]],
    ['src-main/common/x.ts', "export * from '../../src-worker/api.ts';", [NOT_LISTED]],
    ['src-main/common/x.ts', "await import('../../src-worker/api.ts');", [NOT_LISTED]],
    ['src-main/common/x.ts', "require('../team/config.ts');", [NOT_LISTED, NODE_GLOBAL]],
    ['src-main/common/x.ts', `${createRequire}load('../engine/store.ts');`, [BUILTIN, NOT_LISTED]],
    ['src-main/common/x.ts', "import { readFileSync } from 'node:fs';", [BUILTIN]],
    ['src-main/common/x.ts', "import path from 'path';", [BUILTIN]],
    ['src-main/common/x.ts', "import type { Stats } from 'fs';", [BUILTIN]],
    ['src-main/common/x.ts', "type P = import('node:worker_threads').MessagePort;", [BUILTIN]],
    ['src-main/common/x.ts', "import { app } from 'electron';", [ELECTRON]],
    ['src-main/common/x.ts', "await import('electron');", [ELECTRON]],
    ['src-main/common/x.ts', 'export const env = process.env.X;', [NODE_GLOBAL]],
    ['src-main/common/x.ts', "export const b = Buffer.from('');", [NODE_GLOBAL]],
    ['src-main/common/x.ts', 'export const p = globalThis.process;', [NODE_GLOBAL]],
    ['src-main/common/x.ts', 'export const w = window.location.href;', [NODE_GLOBAL, NODE_GLOBAL]],
    ['src-main/common/x.ts', 'export const t = document.title;', [NODE_GLOBAL]],
  ],
  'src-renderer': [
    ['src-renderer/x.tsx', "import { Engine } from '../src-main/engine/engine.ts';", [NOT_LISTED]],
    ['src-renderer/x.tsx', "import type { JobStore } from '../src-main/engine/store.ts';", [NOT_LISTED]],
    ['src-renderer/screens/x.tsx', "export * from '../../src-worker/protocol.ts';", [NOT_LISTED]],
    ['src-renderer/x.tsx', "await import('../src-main/team/service.ts');", [NOT_LISTED]],
    ['src-renderer/x.tsx', "import { channelOf } from '../src-main/common/contract.ts';", [TYPE_ONLY]],
    ['src-renderer/x.tsx', "import { type Job } from '../src-main/common/contract.ts';", [TYPE_ONLY]],
    ['src-renderer/x.tsx', "export { channelOf } from '../src-main/common/contract.ts';", [TYPE_ONLY]],
    ['src-renderer/x.tsx', "await import('../src-main/common/contract.ts');", [TYPE_ONLY]],
    ['src-renderer/x.tsx', "import { ipcRenderer } from 'electron';", [ELECTRON]],
    ['src-renderer/x.tsx', "import type { IpcRenderer } from 'electron';", [ELECTRON]],
    ['src-renderer/x.tsx', "require('electron');", [ELECTRON, NODE_GLOBAL]],
    ['src-renderer/x.tsx', "import { readFile } from 'node:fs/promises';", [BUILTIN]],
    ['src-renderer/x.tsx', "import os from 'os';", [BUILTIN]],
    ['src-renderer/x.tsx', 'export const A = () => <div>{process.env.NODE_ENV}</div>;', [NODE_GLOBAL]],
    ['src-renderer/x.tsx', 'export const dir = __dirname;', [NODE_GLOBAL]],
    ['src-renderer/x.tsx', 'setImmediate(() => {});', [NODE_GLOBAL]],
  ],
  'src-main/electron/preload.ts': [
    ['src-main/electron/preload.ts', "import { channelOf } from '../common/contract.ts';", [TYPE_ONLY]],
    [
      'src-main/electron/preload.ts',
      "import { SettingsValue } from '../common/settings-schema.ts';",
      [TYPE_ONLY],
    ],
    ['src-main/electron/preload.ts', "import { isSafeUrl } from './security.ts';", [NOT_LISTED]],
    ['src-main/electron/preload.ts', "import type { Engine } from '../engine/engine.ts';", [NOT_LISTED]],
    ['src-main/electron/preload.ts', "export * from '../common/types.ts';", [TYPE_ONLY]],
    ['src-main/electron/preload.ts', "import { join } from 'node:path';", [BUILTIN]],
    ['src-main/electron/preload.ts', 'export const env = process.env;', [NODE_GLOBAL]],
    ['src-main/electron/preload.ts', "const { ipcRenderer } = require('electron');", [NODE_GLOBAL]],
    ['src-main/electron/preload.ts', "export const b = Buffer.from('x');", [NODE_GLOBAL]],
  ],
  'src-main/electron': [
    ['src-main/electron/x.ts', "import { TeamService } from '../team/service.ts';", [NOT_LISTED]],
    ['src-main/electron/x.ts', "await import('../cli/main.ts');", [NOT_LISTED]],
    ['src-main/electron/x.ts', "require('../../src-worker/worker.ts');", [NOT_LISTED]],
    ['src-main/electron/x.ts', "export * from '../../src-renderer/store.ts';", [NOT_LISTED]],
    ['src-main/electron/x.ts', "import type { Job } from '../../src-renderer/store.ts';", [NOT_LISTED]],
  ],
  'src-main/engine': [
    ['src-main/engine/x.ts', "import { app } from 'electron';", [ELECTRON]],
    ['src-main/engine/x.ts', "import type { BrowserWindow } from 'electron';", [ELECTRON]],
    ['src-main/engine/x.ts', "export { app } from 'electron';", [ELECTRON]],
    ['src-main/engine/x.ts', "await import('electron');", [ELECTRON]],
    ['src-main/engine/x.ts', "require('electron');", [ELECTRON]],
    ['src-main/engine/x.ts', "type W = import('electron').BrowserWindow;", [ELECTRON]],
    ['src-main/engine/x.ts', `${createRequire}load('electron');`, [ELECTRON]],
    ['src-main/engine/x.ts', `${createRequire}load.resolve('electron');`, [ELECTRON]],
    [
      'src-main/engine/x.ts',
      "import { createRequire as cr } from 'module';\ncr(import.meta.url)('electron');",
      [ELECTRON],
    ],
    [
      'src-main/engine/x.ts',
      "import { openSqlite } from '../../src-worker/sources/sqlite.ts';",
      [NOT_LISTED],
    ],
    [
      'src-main/engine/x.ts',
      "import type { Offer } from '../../src-worker/crossdock/best-offer.ts';",
      [NOT_LISTED],
    ],
    ['src-main/engine/x.ts', "export * from '../../src-worker/sources/demo-catalog.ts';", [NOT_LISTED]],
    ['src-main/engine/x.ts', "await import('../../src-worker/worker.ts');", [NOT_LISTED]],
    ['src-main/engine/x.ts', "type T = import('../../src-worker/sources/types.ts').Source;", [NOT_LISTED]],
    ['src-main/engine/x.ts', "import '../electron/ipc.ts';", [NOT_LISTED]],
    ['src-main/engine/x.ts', "import type { X } from '../cli/format.ts';", [NOT_LISTED]],
    ['src-main/engine/x.ts', "import * as store from '../../src-renderer/store.ts';", [NOT_LISTED]],
    ['src-main/engine/x.ts', `${createRequire}load('../../src-worker/worker.ts');`, [NOT_LISTED]],
    ['src-main/engine/x.ts', "import store = require('../electron/ipc.ts');", [NOT_LISTED]],
    ['src-main/engine/x.ts', `${createRequire}run(load);`, [CREATE_REQUIRE]],
    [
      'src-main/engine/x.ts',
      "import { createRequire } from 'node:module';\nexport const r = createRequire(import.meta.url);",
      [CREATE_REQUIRE],
    ],
    [
      'src-main/engine/x.ts',
      "import { createRequire } from 'node:module';\nlet r = createRequire(import.meta.url);",
      [CREATE_REQUIRE],
    ],
    [
      'src-main/engine/x.ts',
      "import m from 'node:module';\nrun(m.createRequire(import.meta.url));",
      [CREATE_REQUIRE],
    ],
    ['src-main/engine/x.ts', 'await import(name);', [COMPUTED]],
    ['src-main/engine/x.ts', 'require(`../${name}.ts`);', [COMPUTED]],
    ['src-main/engine/x.ts', `${createRequire}load(name);`, [COMPUTED]],
  ],
  'src-main/team': [
    ['src-main/team/x.ts', "import { pidAlive } from '../engine/pid.ts';", [TYPE_ONLY]],
    ['src-main/team/x.ts', "import { type JobStore } from '../engine/store.ts';", [TYPE_ONLY]],
    ['src-main/team/x.ts', "export { Engine } from '../engine/engine.ts';", [TYPE_ONLY]],
    ['src-main/team/x.ts', "export * from '../engine/settings.ts';", [TYPE_ONLY]],
    ['src-main/team/x.ts', "await import('../engine/engine.ts');", [TYPE_ONLY]],
    ['src-main/team/x.ts', "require('../engine/store.ts');", [TYPE_ONLY]],
    ['src-main/team/x.ts', `${createRequire}load('../engine/store.ts');`, [TYPE_ONLY]],
    ['src-main/team/x.ts', "import store = require('../engine/store.ts');", [TYPE_ONLY]],
    ['src-main/team/x.ts', "import '../cli/main.ts';", [NOT_LISTED]],
    ['src-main/team/x.ts', "import type { X } from '../electron/ipc.ts';", [NOT_LISTED]],
    ['src-main/team/x.ts', "import { openSqlite } from '../../src-worker/sources/sqlite.ts';", [NOT_LISTED]],
    ['src-main/team/x.ts', "import { app } from 'electron';", [ELECTRON]],
  ],
  'src-main/cli': [
    [
      'src-main/cli/x.ts',
      "import { createDemoData } from '../../src-worker/sources/clickhouse-demo.ts';",
      [NOT_LISTED],
    ],
    [
      'src-main/cli/x.ts',
      "import type { ClickHouseConfig } from '../../src-worker/sources/clickhouse.ts';",
      [NOT_LISTED],
    ],
    ['src-main/cli/x.ts', "export * from '../../src-worker/io/types.ts';", [NOT_LISTED]],
    ['src-main/cli/x.ts', "import '../electron/main.ts';", [NOT_LISTED]],
    ['src-main/cli/x.ts', "await import('../electron/main.ts');", [NOT_LISTED]],
    ['src-main/cli/x.ts', "await import('electron');", [ELECTRON]],
  ],
  'src-worker': [
    ['src-worker/x.ts', "import { Engine } from '../src-main/engine/engine.ts';", [NOT_LISTED]],
    [
      'src-worker/tasks/x.ts',
      "import type { JobStore } from '../../src-main/engine/store.ts';",
      [NOT_LISTED],
    ],
    ['src-worker/x.ts', "import '../src-main/team/host.ts';", [NOT_LISTED]],
    ['src-worker/x.ts', "export * from '../src-main/cli/format.ts';", [NOT_LISTED]],
    ['src-worker/x.ts', "await import('../src-main/electron/ipc.ts');", [NOT_LISTED]],
    ['src-worker/x.ts', "require('../src-main/engine/store.ts');", [NOT_LISTED]],
    ['src-worker/io/x.ts', `${createRequire}load('../../src-main/team/config.ts');`, [NOT_LISTED]],
    ['src-worker/x.ts', "import '../tests/helpers.ts';", ['may not import tests/helpers.ts']],
    ['src-worker/x.ts', "import { app } from 'electron';", [ELECTRON]],
  ],
  // A folder under src-main that the graph does not list yet.
  'src-main': [
    [
      'src-main/newfolder/x.ts',
      "import type { Job } from '../common/types.ts';",
      ['src-main may not import'],
    ],
    ['src-main/x.ts', "import { app } from 'electron';", [ELECTRON]],
  ],
};

const allowed: Record<string, Case[]> = {
  'src-main/common': [
    [
      'src-main/common/x.ts',
      "import { z } from 'zod';\nimport type { Job } from './types.ts';\nexport * from './spec.ts';\nexport const n = await import('./normalize.ts');",
      [],
    ],
  ],
  'src-renderer': [
    [
      'src-renderer/screens/x.tsx',
      [
        "import type { Job } from '../../src-main/common/contract.ts';",
        "import { normalizeBrand } from '../../src-main/common/normalize.ts';",
        "import { useState } from 'react';",
        "import { useStore } from '../store.ts';",
        "export type { CrossdockApi } from '../../src-main/common/contract.ts';",
        "type J = import('../../src-main/common/contract.ts').Job;",
        'export const A = () => <div>{document.title + window.location.href}</div>;',
      ].join('\n'),
      [],
    ],
  ],
  'src-main/electron/preload.ts': [
    [
      'src-main/electron/preload.ts',
      "import { contextBridge, ipcRenderer } from 'electron';\nimport type { CrossdockApi } from '../common/contract.ts';\nexport type { Job } from '../common/types.ts';",
      [],
    ],
  ],
  'src-main/electron': [
    [
      'src-main/electron/x.ts',
      [
        "import { app } from 'electron';",
        "import { Engine } from '../engine/engine.ts';",
        "import './ipc.ts';",
        "import { readFileSync } from 'node:fs';",
        "import { channelOf } from '../common/contract.ts';",
        "const e = await import('electron');",
        "require('electron');",
        'export const env = process.env.X;',
      ].join('\n'),
      [],
    ],
  ],
  'src-main/engine': [
    [
      'src-main/engine/x.ts',
      [
        "import { Engine } from './engine.ts';",
        "import { TeamService } from '../team/service.ts';",
        "import { openSqlite } from '../../src-worker/api.ts';",
        "import type { WorkerMessage } from '../../src-worker/protocol.ts';",
        "export * from '../common/types.ts';",
        "await import('node:worker_threads');",
        "type P = import('node:worker_threads').MessagePort;",
        createRequire,
        "load('better-sqlite3');",
        "load.resolve('piscina');",
        "createRequire(import.meta.url)('./store.ts');",
        'export const env = process.env.X;',
      ].join('\n'),
      [],
    ],
  ],
  'src-main/team': [
    [
      'src-main/team/x.ts',
      [
        "import type { JobStore } from '../engine/store.ts';",
        "export type { Settings } from '../engine/settings.ts';",
        "type E = import('../engine/engine.ts').Engine;",
        "import type store = require('../engine/store.ts');",
        "import { TeamHost } from './host.ts';",
        "import type { WorkerMessage } from '../../src-worker/protocol.ts';",
        "import { createDemoData } from '../../src-worker/api.ts';",
        "import { normalizeBrand } from '../common/normalize.ts';",
        // team/packages.ts's lazy loading: createRequire's require, checked like require().
        createRequire,
        "export const bull = () => load('bullmq');",
        "export const redis = () => load('ioredis/built/connectors/StandaloneConnector');",
      ].join('\n'),
      [],
    ],
  ],
  'src-main/cli': [
    [
      'src-main/cli/x.ts',
      "import { Engine } from '../engine/engine.ts';\nimport '../team/service.ts';\nimport { createDemoData, type ClickHouseConfig } from '../../src-worker/api.ts';\nimport './format.ts';\nimport { Command } from 'commander';",
      [],
    ],
  ],
  'src-worker': [
    [
      'src-worker/x.ts',
      "import { normalizeBrand } from '../src-main/common/normalize.ts';\nimport './protocol.ts';\nawait import('./tasks/inspect.ts');\nimport { parentPort } from 'node:worker_threads';\nrequire('./errors.ts');",
      [],
    ],
    [
      'src-worker/tasks/x.ts',
      "import type { Job } from '../../src-main/common/types.ts';\nimport '../io/types.ts';",
      [],
    ],
  ],
  'src-main': [
    ['src-main/newfolder/x.ts', "import { z } from 'zod';\nimport { join } from 'node:path';", []],
  ],
  unrestricted: [
    [
      'tests/x.test.ts',
      "import { app } from 'electron';\nimport '../src-main/engine/engine.ts';\nprocess.env.X;",
      [],
    ],
    ['scripts/x.mjs', "require('electron');\nimport('../src-worker/worker.ts');", []],
    ['bench/x.mjs', "import '../src-main/team/service.ts';", []],
  ],
};

describe('layer graph (eslint.config.js, eslint/layers.js)', () => {
  it('covers every layer of the graph with forbidden and allowed cases', async () => {
    const config = (await eslint.calculateConfigForFile(`${root}/src-main/engine/x.ts`)) as {
      rules: Record<string, [unknown, { layers: Record<string, unknown> }]>;
    };
    const layers = Object.keys(config.rules['layers/imports']![1].layers);
    expect(layers.sort()).toEqual(Object.keys(forbidden).sort());
    expect(layers.sort()).toEqual(
      Object.keys(allowed)
        .filter((k) => k !== 'unrestricted')
        .sort(),
    );
  });

  for (const [layer, cases] of Object.entries(forbidden)) {
    it(`${layer}: forbidden imports fail`, async () => {
      for (const [file, code, errors] of cases) {
        const messages = (await layerErrors(file, code)).map((m) => m.message);
        expect(messages, `${file}: ${code}`).toHaveLength(errors.length);
        for (const want of errors) {
          expect(
            messages.some((m) => m.includes(want) && m.includes('Layers: ')),
            `${file}: ${code} → ${want}`,
          ).toBe(true);
        }
      }
    });
  }

  for (const [layer, cases] of Object.entries(allowed)) {
    it(`${layer}: allowed imports pass`, async () => {
      for (const [file, code] of cases) {
        expect(await layerErrors(file, code), `${file}: ${code}`).toEqual([]);
      }
    });
  }

  it('the real tree obeys the graph', { timeout: 240_000 }, async () => {
    const results = await eslint.lintFiles(['src-main', 'src-worker', 'src-renderer']);
    const found = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId))
        .map((m) => ({ file: relative(root, r.filePath), line: m.line, message: m.message })),
    );
    expect(found.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([]);
  });
});
