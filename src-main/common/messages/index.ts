// The message catalog: every error, log line and shell word (menus, notifications) a user can see, by stable code, in English and
// Russian. One file per area; codes are unique across all of them (checked below by the compiler and
// in tests/engine-messages.test.ts). Render with renderMessage (../errors.ts), never by hand.
import { CATALOG } from './catalog.ts';
import { CLI } from './cli.ts';
import { DIAGNOSTICS } from './diagnostics.ts';
import { ENGINE } from './engine.ts';
import { HOT_FOLDERS } from './hot-folders.ts';
import { INPUT } from './input.ts';
import { SCHEDULE } from './schedule.ts';
import { SHELL } from './shell.ts';
import { SOURCE } from './source.ts';
import { SPEC } from './spec.ts';
import { TASK } from './task.ts';
import { TEAM } from './team.ts';

export type { MessageDef, Nested, RenderInner } from './format.ts';
export { nest, unnest } from './format.ts';

/** The catalog by area (for tests and for whoever lists what an area says). */
export const AREAS = {
  spec: SPEC,
  input: INPUT,
  catalog: CATALOG,
  source: SOURCE,
  task: TASK,
  engine: ENGINE,
  schedule: SCHEDULE,
  hotFolders: HOT_FOLDERS,
  team: TEAM,
  cli: CLI,
  shell: SHELL,
  diagnostics: DIAGNOSTICS,
} as const;

export const MESSAGES = {
  ...SPEC,
  ...INPUT,
  ...CATALOG,
  ...SOURCE,
  ...TASK,
  ...ENGINE,
  ...SCHEDULE,
  ...HOT_FOLDERS,
  ...TEAM,
  ...CLI,
  ...SHELL,
  ...DIAGNOSTICS,
};

// A code defined in two areas fails to compile here, naming the code.
type Codes<T extends readonly object[]> = { [I in keyof T]: keyof T[I] };
type Duplicates<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? (H & R[number]) | Duplicates<R>
  : never;
type AreaCodes = Codes<
  [
    typeof SPEC,
    typeof INPUT,
    typeof CATALOG,
    typeof SOURCE,
    typeof TASK,
    typeof ENGINE,
    typeof SCHEDULE,
    typeof HOT_FOLDERS,
    typeof TEAM,
    typeof CLI,
    typeof SHELL,
    typeof DIAGNOSTICS,
  ]
>;
const noDuplicateCodes: [Duplicates<AreaCodes>] extends [never] ? true : Duplicates<AreaCodes> = true;
void noDuplicateCodes;
