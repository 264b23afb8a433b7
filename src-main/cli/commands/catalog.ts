import type { Command } from 'commander';
import { runSubmitted, withEngine, type EngineFlags } from '../engine-session.ts';
import {
  columnsFromFlags,
  dataDirOption,
  withColumnOptions,
  type ColumnFlags,
  type OutputFlags,
} from '../flags.ts';

interface ImportFlags extends EngineFlags, ColumnFlags, OutputFlags {
  supplier: string;
  list?: string;
}

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('The embedded demo catalog.');
  const importCmd = catalog
    .command('import')
    .argument('<price-list>', 'a supplier price list (.xlsx or .csv) with brand, article and price columns')
    .requiredOption(
      '--supplier <name>',
      'the supplier the price list belongs to (its previous offers are replaced)',
    )
    .option('--list <name>', 'also add the supplier to this supplier list');
  withColumnOptions(importCmd, ['brand', 'article'])
    .addOption(dataDirOption())
    .option('--json', 'print one JSON object for the finished job')
    .action(importPriceList);
  catalog
    .command('import-crosses')
    .description(
      'Add crosses (analogs) to the demo catalog from a file with Brand, Article, Cross brand and Cross article columns (Бренд, Артикул, Бренд аналога, Артикул аналога).',
    )
    .argument('<file>', 'a spreadsheet (.xlsx or .csv) of crosses')
    .addOption(dataDirOption())
    .option('--json', 'print one JSON object for the finished job')
    .action((file: string, o: EngineFlags & OutputFlags) => importTable('crosses', file, o));
  catalog
    .command('import-aliases')
    .description(
      'Add brand aliases to the demo catalog from a file with Alias and Brand columns (Синоним, Бренд).',
    )
    .argument('<file>', 'a spreadsheet (.xlsx or .csv) of brand aliases')
    .addOption(dataDirOption())
    .option('--json', 'print one JSON object for the finished job')
    .action((file: string, o: EngineFlags & OutputFlags) => importTable('aliases', file, o));
  catalog
    .command('lists')
    .description('Show the supplier lists of the demo catalog.')
    .addOption(dataDirOption())
    .action((o: EngineFlags) =>
      withEngine(o, { run: 'none' }, async (engine) => {
        for (const l of await engine.supplierLists('demo')) process.stdout.write(`${l}\n`);
      }),
    );
}

function importPriceList(file: string, o: ImportFlags): Promise<void> {
  return withEngine(o, { run: { only: [] } }, async (engine) => {
    const { job } = await engine.submit({
      kind: 'catalog-import',
      input: file,
      supplier: o.supplier,
      ...(o.list ? { list: o.list } : {}),
      columns: columnsFromFlags(o),
    });
    process.exitCode = await runSubmitted(engine, [job.id], o);
  });
}

function importTable(
  table: 'crosses' | 'aliases',
  file: string,
  o: EngineFlags & OutputFlags,
): Promise<void> {
  return withEngine(o, { run: { only: [] } }, async (engine) => {
    const { job } = await engine.submit({ kind: 'catalog-import', table, input: file });
    process.exitCode = await runSubmitted(engine, [job.id], o);
  });
}
