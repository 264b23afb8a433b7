import { Command, CommanderError } from 'commander';
import { SubmitError } from '../engine/engine.ts';
import { UsageError } from './flags.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerDemoData } from './commands/demo-data.ts';
import { registerExport } from './commands/export.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerRun } from './commands/run.ts';
import { registerSchedule } from './commands/schedule.ts';
import { registerWorker } from './commands/worker.ts';

export function buildProgram(): Command {
  const program = new Command('crossdock')
    .description('Price request lists against supplier offers, from the command line.')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // The order here is the order of "crossdock --help".
  for (const register of [
    registerRun,
    registerJobs,
    registerCatalog,
    registerExport,
    registerSchedule,
    registerWorker,
    registerDemoData,
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

const code = await main(process.argv.slice(2));
process.exitCode = code;
