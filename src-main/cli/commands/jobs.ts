import { Option, type Command } from 'commander';
import type { Job } from '../../common/types.ts';
import { runToEnd, say, withEngine, type EngineFlags } from '../engine-session.ts';
import {
  dataDirOption,
  teamFromFlags,
  UsageError,
  withJobClickHouseOptions,
  withTeamOptions,
  type OutputFlags,
  type TeamFlags,
} from '../flags.ts';
import { formatJobDetail, formatJobLine, jobJson } from '../format.ts';

type Flags = EngineFlags & OutputFlags;

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('List, inspect, cancel, retry, resume or clear jobs.');
  jobs
    .command('list', { isDefault: true })
    .description('List jobs, newest first.')
    .addOption(
      new Option('--status <status>', 'only jobs in this status').choices([
        'queued',
        'running',
        'succeeded',
        'failed',
        'cancelled',
      ]),
    )
    .option('--limit <n>', 'at most N jobs', '50')
    .addOption(dataDirOption())
    .option('--json', 'JSON output')
    .action(list);
  jobs
    .command('show')
    .argument('<id>')
    .description('Show one job with its log and comments.')
    .addOption(dataDirOption())
    .option('--json', 'JSON output')
    .action(show);
  withTeamOptions(
    jobs
      .command('cancel')
      .argument('<id>')
      .description(
        'Cancel a queued or running job (wherever it runs on this computer; with --redis, a team job wherever it runs).',
      ),
    'the team queue, for team jobs',
  )
    .addOption(dataDirOption())
    .option('--json', 'JSON output')
    .action(cancel);
  withJobClickHouseOptions(
    jobs
      .command('retry')
      .argument('<id>')
      .description('Run a failed or cancelled job again and wait for it.'),
  )
    .addOption(dataDirOption())
    .option('--json', 'JSON output')
    .action(retry);
  jobs
    .command('clear')
    .description(
      'Delete finished jobs (done, failed, cancelled) with their logs and comments; result files stay on disk.',
    )
    .option('--older-than <days>', 'only jobs that finished more than this many days ago')
    .addOption(dataDirOption())
    .option('--json', 'JSON output')
    .action(clear);
  withTeamOptions(
    withJobClickHouseOptions(
      jobs
        .command('resume')
        .description(
          'Run every queued or interrupted job to the end, then exit; with --redis, also wait for this folder’s team jobs wherever they run and bring their results home.',
        ),
    ),
    'the team queue this folder’s team jobs went to',
  )
    .addOption(dataDirOption())
    .option('--json', 'JSON output')
    .action(resume);
}

function list(o: Flags & { status?: Job['status']; limit: string }): Promise<void> {
  return withEngine(o, { run: 'none' }, (engine) => {
    const all = engine.list({ status: o.status ? [o.status] : undefined, limit: Number(o.limit) || 50 });
    if (o.json) {
      for (const j of all)
        process.stdout.write(
          `${JSON.stringify({ ...jobJson(j), queuePosition: engine.queuePosition(j.id) })}\n`,
        );
    } else if (all.length === 0) process.stdout.write('No jobs yet.\n');
    else for (const j of all) process.stdout.write(`${formatJobLine(j, engine.queuePosition(j.id))}\n`);
  });
}

function show(id: string, o: Flags): Promise<void> {
  return withEngine(o, { run: 'none' }, (engine) => {
    const job = engine.get(id);
    if (!job) throw new UsageError('CLI_NO_SUCH_JOB', { id });
    const queuePosition = engine.queuePosition(id);
    const logs = engine.logs(id);
    const comments = engine.comments(id);
    if (o.json)
      process.stdout.write(`${JSON.stringify({ ...jobJson(job), job, queuePosition, logs, comments })}\n`);
    else process.stdout.write(formatJobDetail(job, queuePosition, logs, comments));
  });
}

async function cancel(id: string, o: Flags & TeamFlags): Promise<void> {
  const team = teamFromFlags(o, false);
  await withEngine(o, { run: 'none', team }, async (engine) => {
    if (team) {
      // A team job is cancelled through the queue: give the connection up to 10 s to come up.
      engine.start();
      const deadline = Date.now() + 10_000;
      while (engine.teamStatus().state !== 'online' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    }
    const job = await engine.cancel(id);
    if (o.json) process.stdout.write(`${JSON.stringify(jobJson(job))}\n`);
    else process.stdout.write(`${formatJobLine(job)}\n`);
    process.exitCode = job.status === 'cancelled' ? 0 : 1;
  });
}

function retry(id: string, o: Flags): Promise<void> {
  return withEngine(o, { run: { only: [id] } }, async (engine) => {
    engine.retry(id);
    process.exitCode = await runToEnd(engine, [id], o);
  });
}

function clear(o: Flags & { olderThan?: string }): Promise<void> {
  let finishedBefore: number | undefined;
  if (o.olderThan !== undefined) {
    const days = Number(o.olderThan);
    if (o.olderThan.trim() === '' || !Number.isFinite(days) || days < 0 || days > 36_500)
      throw new UsageError('CLI_OLDER_THAN', {});
    finishedBefore = Date.now() - days * 86_400_000;
  }
  return withEngine(o, { run: 'none' }, (engine) => {
    const removed = engine.clearFinished(finishedBefore === undefined ? {} : { finishedBefore });
    if (o.json) process.stdout.write(`${JSON.stringify({ removed: removed.length })}\n`);
    else
      process.stdout.write(
        removed.length === 0
          ? 'No finished jobs to remove.\n'
          : `Removed ${removed.length} finished ${removed.length === 1 ? 'job' : 'jobs'}; result files stay on disk.\n`,
      );
  });
}

function resume(o: Flags & TeamFlags): Promise<void> {
  const team = teamFromFlags(o, false);
  return withEngine(o, { run: 'all', team }, async (engine) => {
    engine.start();
    // Scheduled exports that fell due while nothing ran are made up now (once each).
    await engine.schedules.tick();
    // Interrupted jobs were requeued by start(); take everything that is queued now. Team jobs
    // another member submitted are only shown here: theirs to wait for, not this folder's.
    const open = engine
      .list({ status: ['queued', 'running'] })
      .filter((j) => j.origin !== 'team' || engine.store.team.teamState(j.id) !== 'mirror');
    const teamJobs = open.filter((j) => j.origin === 'team');
    if (teamJobs.length > 0 && engine.teamStatus().state === 'off') {
      // Nothing here can finish them: say so at once instead of waiting for ever.
      say('TEAM_RESUME_NEEDS_TEAM_QUEUE', { count: teamJobs.length });
      const local = open.filter((j) => j.origin !== 'team').map((j) => j.id);
      process.exitCode = local.length > 0 ? Math.max(await runToEnd(engine, local, o), 1) : 1;
      return;
    }
    const ids = open.map((j) => j.id);
    if (ids.length === 0) {
      if (!o.json) process.stderr.write('Nothing to resume: no queued or interrupted jobs.\n');
      return;
    }
    process.exitCode = await runToEnd(engine, ids, o);
  });
}
