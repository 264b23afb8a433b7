import { Option, type Command } from 'commander';
import { checkList, runSubmitted, withEngine, type EngineFlags } from '../engine-session.ts';
import {
  baseCurrencyFromFlags,
  columnsFromFlags,
  dataDirOption,
  maxRowsFromFlags,
  priorityOption,
  sourceFromFlags,
  teamFromFlags,
  wholeNumber,
  withColumnOptions,
  withSourceOptions,
  withSplitOption,
  withTeamOptions,
  type ColumnFlags,
  type OutputFlags,
  type Priority,
  type SourceFlags,
  type TeamFlags,
} from '../flags.ts';

interface RunFlags extends EngineFlags, SourceFlags, TeamFlags, ColumnFlags, OutputFlags {
  list: string;
  out: string;
  alternatives: string;
  sheet?: string;
  analogs: 'off' | 'missing' | 'always';
  lang: 'en' | 'ru';
  baseCurrency?: string;
  priority: Priority;
  maxRowsPerSheet?: string;
}

export function registerRun(program: Command): void {
  const cmd = withSourceOptions(program.command('run'))
    .description('Crossdock one or more request lists and wait for the results.')
    .argument('<file...>', 'request lists (.xlsx or .csv)')
    .requiredOption('--list <name>', 'supplier list, e.g. ОПТ-1')
    .option('--out <dir>', 'folder for the result files', '.')
    .option('--alternatives <n>', 'also list up to N next-best offers per line', '0')
    .addOption(
      new Option(
        '--analogs <mode>',
        'analog offers: off, missing (when the part has no full offer) or always',
      )
        .choices(['off', 'missing', 'always'])
        .default('off'),
    )
    .addOption(
      new Option(
        '--lang <lang>',
        'the result workbook’s language (appended columns, statuses, notes, Summary)',
      )
        .choices(['en', 'ru'])
        .default('en'),
    )
    .option(
      '--base-currency <code>',
      'compare prices in this currency through the rates table (default: RUB)',
    );
  withColumnOptions(cmd, ['brand', 'article', 'quantity'])
    .option('--sheet <name>', 'the worksheet to read (default: the first with a Brand and Article header)')
    .addOption(priorityOption());
  withSplitOption(withTeamOptions(cmd, 'submit to the team queue on this Redis'))
    .option('--max-rows-per-sheet <n>', 'split result sheets after N rows (default: Excel’s limit)')
    .addOption(dataDirOption())
    .option('--json', 'print one JSON object per finished job')
    .option('--verbose', 'print stack traces')
    .action(run);
}

async function run(files: string[], o: RunFlags): Promise<void> {
  const team = teamFromFlags(o, false);
  const where = sourceFromFlags(o);
  const alternatives = wholeNumber('--alternatives', o.alternatives, 0, 20);
  await withEngine(o, { run: { only: [] }, team }, async (engine) => {
    // A team job reads the offers of whichever worker runs it: its lists are checked there.
    if (team) engine.start();
    else await checkList(engine, where.source, o.list);
    const ids: string[] = [];
    for (const file of files) {
      // The columns are the flags' or detected, never a mapping the app remembered for the header
      // row (column-memory.ts): a script gets the same columns whatever was clicked in the app.
      const { job, duplicate } = await engine.submit({
        kind: 'crossdock',
        input: file,
        list: o.list,
        outDir: o.out,
        ...where,
        alternatives,
        analogs: o.analogs,
        lang: o.lang,
        ...baseCurrencyFromFlags(o),
        columns: columnsFromFlags(o),
        ...(o.sheet ? { sheet: o.sheet } : {}),
        priority: o.priority,
        ...maxRowsFromFlags(o),
      });
      if (duplicate)
        process.stderr.write(
          `${file} is already ${job.status} as job ${job.id} with the same options; waiting for it.\n`,
        );
      ids.push(job.id);
    }
    process.exitCode = await runSubmitted(engine, ids, o);
  });
}
