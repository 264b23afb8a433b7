// The job pool's options, and a pool started before the rest of the CLI loads: for `crossdock run`,
// bin/crossdock.mjs loads dist/warm.mjs (src-main/cli/warm.ts) before the CLI bundle, so the worker
// thread boots (loads dist/worker.mjs) on the other core while the main thread compiles and
// evaluates the CLI, instead of after it. Only plain Node
// modules here, so nothing else has to load first.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

type PiscinaOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;

/** The options of every job pool (TaskRunner), besides its worker file. */
export const POOL_OPTIONS = {
  minThreads: 0,
  maxThreads: 64,
  idleTimeout: 30_000,
  concurrentTasksPerWorker: 1,
  // A hostile file must not take the whole app down: a worker that runs out of heap fails its job only.
  // A young generation of 24 MB (default 48): measured 15-20 MB less peak memory on 100k and 1M
  // lines at the same speed.
  resourceLimits: { maxOldGenerationSizeMb: 1536, maxYoungGenerationSizeMb: 24 },
} satisfies Omit<PiscinaOptions, 'filename'>;

// Kept on globalThis: bin/crossdock.mjs starts it from its own small bundle (dist/warm.mjs) before
// it imports the CLI's, and the CLI's copy of this module takes it from there.
const WARM = Symbol.for('crossdock.warmPool');
type Warm = { pool: Piscina; file: string } | null;
const holder = globalThis as { [WARM]?: Warm };

/**
 * Starts a pool with one thread for `file` now (the bundle's sibling worker.mjs when not given).
 * Does nothing when that file is not there: the runner then makes its pool (and its error) as usual.
 */
export function warmPool(file?: string): void {
  if (holder[WARM]) return;
  const f = file ?? join(dirname(fileURLToPath(import.meta.url)), 'worker.mjs');
  if (!existsSync(f)) return;
  holder[WARM] = { pool: new Piscina({ ...POOL_OPTIONS, minThreads: 1, filename: f }), file: f };
}

/** The warm pool, once, when it runs this worker file. */
export function takeWarmPool(file: string): Piscina | null {
  const warm = holder[WARM];
  if (!warm || warm.file !== file) return null;
  holder[WARM] = null;
  return warm.pool;
}

/** Whether this command line runs jobs in this process (then a warm pool pays). */
export function runsJobsHere(argv: readonly string[]): boolean {
  const command = argv[2];
  if (command !== 'run') return false;
  return !argv.some((a) => a === '--redis' || a.startsWith('--redis=') || a === '--help' || a === '-h');
}
