import type { Command } from 'commander';
import { resolve } from 'node:path';
import { CodedError, errorInfo } from '../../common/errors.ts';
import { writeDiagnostics } from '../../engine/diagnostics.ts';
import { say, withEngine, type EngineFlags } from '../engine-session.ts';
import { dataDirOption } from '../flags.ts';

interface DiagnosticsFlags extends EngineFlags {
  out: string;
}

export function registerDiagnostics(program: Command): void {
  program
    .command('diagnostics')
    .description(
      'Save a diagnostics bundle (.zip) to send to whoever helps you: versions, settings without passwords, the job table with its logs, the app’s log. No input or result files.',
    )
    .requiredOption('--out <file.zip>', 'where to write the bundle')
    .addOption(dataDirOption())
    // The version the program was given (main.ts reads package.json).
    .action((o: DiagnosticsFlags, cmd: Command) => diagnostics(o, cmd.parent?.version() ?? 'unknown'));
}

async function diagnostics(o: DiagnosticsFlags, version: string): Promise<void> {
  const out = resolve(o.out);
  await withEngine(o, { run: 'none' }, async (engine) => {
    try {
      await writeDiagnostics(out, {
        dataDir: engine.dataDir,
        store: engine.store,
        settings: engine.settings,
        secrets: engine.secrets,
        app: { version, shell: 'cli' },
      });
    } catch (err) {
      throw new CodedError('DIAG_SAVE_FAILED', { path: out, reason: errorInfo(err).message });
    }
  });
  say('DIAG_SAVED', { path: out });
}
