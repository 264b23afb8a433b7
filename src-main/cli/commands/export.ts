import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { checkList, runSubmitted, withEngine, type EngineFlags } from '../engine-session.ts';
import {
  maxRowsFromFlags,
  priorityOption,
  sourceFromFlags,
  UsageError,
  withSourceOptions,
  type OutputFlags,
  type Priority,
  type SourceFlags,
} from '../flags.ts';

export interface ExportFlags extends EngineFlags, SourceFlags, OutputFlags {
  list?: string;
  brand?: string;
  query?: string;
  format: string;
  out: string;
  priority: Priority;
  maxRowsPerSheet?: string;
}

/** What an export is made of, shared by export and schedule add. */
export function withExportOptions(cmd: Command): Command {
  return withSourceOptions(cmd)
    .option('--list <name>', 'export the offers of this supplier list')
    .option('--brand <b>', 'only this brand (with --list)')
    .option('--query <sql>', 'export the result of a read-only SELECT instead')
    .addOption(new Option('--format <format>', 'file format').choices(['xlsx', 'csv']).default('xlsx'))
    .option('--out <dir>', 'folder for the files', '.')
    .addOption(priorityOption())
    .option('--max-rows-per-sheet <n>', 'split sheets (xlsx) or files (csv) after N rows')
    .addOption(new Option('--data-dir <dir>', 'Crossdock data folder'));
}

export function exportSpec(o: ExportFlags) {
  if (!o.list === !o.query) throw new UsageError('CLI_LIST_OR_QUERY', {});
  if (o.brand && !o.list) throw new UsageError('CLI_BRAND_NEEDS_LIST', {});
  return {
    kind: 'export' as const,
    ...sourceFromFlags(o),
    ...(o.list ? { list: o.list } : {}),
    ...(o.brand ? { brand: o.brand } : {}),
    ...(o.query ? { query: o.query } : {}),
    format: o.format === 'csv' ? ('csv' as const) : ('xlsx' as const),
    outDir: resolve(o.out),
    priority: o.priority,
    ...maxRowsFromFlags(o),
  };
}

export function registerExport(program: Command): void {
  const exportCmd = program
    .command('export')
    .description(
      'Export the offers of a supplier list (or a read-only query) to .xlsx or .csv, and wait for it.',
    );
  withExportOptions(exportCmd)
    .option('--json', 'print one JSON object for the finished job')
    .option('--verbose', 'print stack traces')
    .action((o: ExportFlags) =>
      withEngine(o, { run: { only: [] } }, async (engine) => {
        const spec = exportSpec(o);
        if (spec.list) await checkList(engine, spec.source, spec.list);
        const { job, duplicate } = await engine.submit(spec);
        if (duplicate)
          process.stderr.write(
            `The same export is already ${job.status} as job ${job.id}; waiting for it.\n`,
          );
        process.exitCode = await runSubmitted(engine, [job.id], o);
      }),
    );
}
