import type { Command } from 'commander';
import { checkList, withEngine, type EngineFlags } from '../engine-session.ts';
import { dataDirOption, UsageError, type OutputFlags } from '../flags.ts';
import { formatSchedule } from '../format.ts';
import { exportSpec, withExportOptions, type ExportFlags } from './export.ts';

type Flags = EngineFlags & OutputFlags;

export function registerSchedule(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('Scheduled exports (cron), run while the app or a worker runs.');
  withExportOptions(
    schedule
      .command('add')
      .argument('<cron>', 'when, as a 5-field cron expression, e.g. "0 8 * * 1" (every Monday at 08:00)')
      .argument('<what>', 'what to run: export')
      .option('--timezone <tz>', 'IANA time zone of the cron expression (default: this computer’s)'),
  )
    .option('--json', 'JSON output')
    .description(
      'Add a scheduled export: crossdock schedule add "<cron>" export --list <name> --format xlsx …',
    )
    .action(add);
  schedule
    .command('list', { isDefault: true })
    .description('List scheduled exports.')
    .addOption(dataDirOption())
    .option('--json', 'JSON output')
    .action((o: Flags) =>
      withEngine(o, { run: 'none' }, (engine) => {
        const all = engine.scheduleAction((s) => s.list());
        if (o.json) for (const s of all) process.stdout.write(`${JSON.stringify(s)}\n`);
        else if (all.length === 0) process.stdout.write('No scheduled exports.\n');
        else for (const s of all) process.stdout.write(`${formatSchedule(s)}\n`);
      }),
    );
  for (const [name, description] of [
    ['remove', 'Delete a scheduled export.'],
    ['pause', 'Pause a scheduled export.'],
    ['resume', 'Resume a paused scheduled export (from the next occurrence on).'],
  ] as const) {
    schedule
      .command(name)
      .argument('<id>')
      .description(description)
      .addOption(dataDirOption())
      .option('--json', 'JSON output')
      .action((id: string, o: Flags) =>
        withEngine(o, { run: 'none' }, (engine) => {
          if (name === 'remove') {
            engine.scheduleAction((s) => s.remove(id));
            if (!o.json) process.stdout.write(`Removed schedule ${id}.\n`);
          } else {
            const s = engine.scheduleAction((svc) => (name === 'pause' ? svc.pause(id) : svc.resume(id)));
            if (o.json) process.stdout.write(`${JSON.stringify(s)}\n`);
            else process.stdout.write(`${formatSchedule(s)}\n`);
          }
        }),
      );
  }
}

async function add(cron: string, what: string, o: ExportFlags & { timezone?: string }): Promise<void> {
  if (what !== 'export') throw new UsageError('CLI_ONLY_EXPORTS', { cron });
  await withEngine(o, { run: 'none' }, async (engine) => {
    const spec = exportSpec(o);
    if (spec.list) await checkList(engine, spec.source, spec.list);
    const s = engine.addSchedule(cron, spec, o.timezone ?? null);
    if (o.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else process.stdout.write(`${formatSchedule(s)}\n`);
  });
}
