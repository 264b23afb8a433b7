import './warm.ts';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { SubmitError } from '../engine/engine.ts';
import { UsageError } from './flags.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerDemoData } from './commands/demo-data.ts';
import { registerDiagnostics } from './commands/diagnostics.ts';
import { registerExport } from './commands/export.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerRun } from './commands/run.ts';
import { registerSchedule } from './commands/schedule.ts';
import { registerWatch } from './commands/watch.ts';
import { registerWorker } from './commands/worker.ts';

/**
 * The version of package.json: the bundle (dist/cli.cjs) finds it one folder up, the sources
 * (src-main/cli/main.ts) two.
 */
export function cliVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'crossdock' && pkg.version) return pkg.version;
    } catch {
      // not this folder
    }
  }
  return 'unknown';
}

/**
 * A reader that stops early (`crossdock jobs list --json | head -3`) closes the pipe: what is left
 * to write goes nowhere, quietly, and the command ends with the exit code it would have had.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}

export function buildProgram(): Command {
  const program = new Command('crossdock')
    .description('Price request lists against supplier offers, from the command line.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // The order here is the order of "crossdock --help".
  for (const register of [
    registerRun,
    registerWatch,
    registerJobs,
    registerCatalog,
    registerExport,
    registerSchedule,
    registerWorker,
    registerDemoData,
    registerDiagnostics,
  ])
    register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return 2; // commander already printed the one-line reason
    }
    if (err instanceof UsageError || err instanceof SubmitError) {
      process.stderr.write(`${err.message}\n`);
      if (verbose) process.stderr.write(`${err.stack}\n`);
      return 2;
    }
    const e = err as Error;
    process.stderr.write(`${e?.message ?? String(err)}\n`);
    if (verbose) process.stderr.write(`${e?.stack}\n`);
    return 1;
  }
}

quietOnClosedPipe(process.stdout);
quietOnClosedPipe(process.stderr);
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
