import type { Command } from 'commander';
import type { Engine } from '../../engine/engine.ts';
import type { Job } from '../../common/types.ts';
import type { Schedule } from '../../engine/schedules.ts';
import { redactUrl } from '../../team/config.ts';
import { withEngine, type EngineFlags } from '../engine-session.ts';
import {
  dataDirOption,
  teamFromFlags,
  wholeNumber,
  withJobClickHouseOptions,
  withSplitOption,
  withTeamOptions,
  type TeamFlags,
} from '../flags.ts';
import { formatJobLine } from '../format.ts';

interface WorkerFlags extends EngineFlags, TeamFlags {
  concurrency?: string;
}

export function registerWorker(program: Command): void {
  const cmd = withTeamOptions(
    program
      .command('worker')
      .description(
        'Run jobs and scheduled exports from the queue until stopped (Ctrl+C); with --redis, from the team queue.',
      ),
    'take jobs from the team queue on this Redis',
  ).option('--concurrency <n>', 'jobs at once (default: the setting, cores − 1)');
  withSplitOption(withJobClickHouseOptions(cmd))
    .addOption(dataDirOption())
    .option('--verbose', 'print stack traces')
    .action(work);
}

async function work(o: WorkerFlags): Promise<void> {
  const concurrency =
    o.concurrency === undefined ? undefined : wholeNumber('--concurrency', o.concurrency, 1, 64);
  const team = teamFromFlags(o, true);
  if (team) team.concurrency = concurrency;
  await withEngine(o, { run: 'all', team, concurrency }, async (engine) => {
    engine.on('job', (job: Job) => {
      if (job.status !== 'queued') process.stderr.write(`${formatJobLine(job)}\n`);
    });
    engine.on('schedule-error', (schedule: Schedule, error: Error) => {
      process.stderr.write(`Schedule ${schedule.id} could not start its export: ${error.message}\n`);
    });
    let teamState = 'connecting';
    engine.on('team', (s: ReturnType<Engine['teamStatus']>) => {
      if (s.state === teamState) return;
      // The first connection was checked before the engine opened; later changes are news.
      if (s.state === 'offline') process.stderr.write(`Team queue offline: ${s.error}\n`);
      else if (s.state === 'online' && teamState === 'offline')
        process.stderr.write(`Team queue "${s.team}" is back online.\n`);
      teamState = s.state;
    });
    engine.start();
    process.stderr.write(
      team
        ? `Crossdock worker for team "${team.name}" at ${redactUrl(team.url)}: ${engine.concurrency} team job(s) at once; Ctrl+C stops (its running jobs go to another worker).\n`
        : `Crossdock worker on ${engine.dataDir}: ${engine.concurrency} job(s) at once; Ctrl+C stops (running jobs resume at the next start).\n`,
    );
    await new Promise<void>((resolveStop) => {
      process.once('SIGINT', () => resolveStop());
      process.once('SIGTERM', () => resolveStop());
    });
    process.stderr.write('Stopping…\n');
  });
}
