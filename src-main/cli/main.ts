import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { Engine, SubmitError } from '../engine/engine.ts';
import { defaultDataDir } from '../engine/paths.ts';
import type { Job, JobProgress } from '../common/types.ts';
import type { Schedule } from '../engine/schedules.ts';
import type { ClickHouseConfig } from '../../src-worker/sources/clickhouse.ts';
import { createDemoData } from '../../src-worker/sources/clickhouse-demo.ts';
import { checkCaFile, checkRedisUrl, redactUrl, TEAM_NAME, type TeamConfig } from '../team/config.ts';
import { testTeamConnection } from '../team/service.ts';
import { ProgressDisplay } from './progress.ts';
import { formatJobLine, formatJobDetail, jobJson } from './format.ts';

/** A usage error: exit code 2. */
class UsageError extends Error {}

interface Common {
  dataDir?: string;
  json?: boolean;
  verbose?: boolean;
}

interface ClickHouseFlags {
  clickhouseUrl?: string;
  clickhouseDb?: string;
}

/** The ClickHouse connection from flags, then CROSSDOCK_CLICKHOUSE_* (PRODUCT.md). */
export function clickhouseFromFlags(o: ClickHouseFlags, env = process.env): ClickHouseConfig | undefined {
  const url = o.clickhouseUrl ?? env.CROSSDOCK_CLICKHOUSE_URL;
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a ClickHouse URL; use e.g. http://localhost:8123.`);
  }
  return {
    url,
    database: o.clickhouseDb ?? env.CROSSDOCK_CLICKHOUSE_DB ?? 'default',
    user:
      env.CROSSDOCK_CLICKHOUSE_USER ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined),
    password:
      env.CROSSDOCK_CLICKHOUSE_PASSWORD ??
      (parsed.password ? decodeURIComponent(parsed.password) : undefined),
  };
}

/** What a job records of the connection: never credentials. */
function recordable(c: ClickHouseConfig): { url: string; database: string; user?: string } {
  const u = new URL(c.url);
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), database: c.database, ...(c.user ? { user: c.user } : {}) };
}

interface TeamFlags {
  redis?: string;
  redisCa?: string;
  team?: string;
}

/**
 * The team queue from --redis/--team/--redis-ca, then CROSSDOCK_REDIS_URL, CROSSDOCK_TEAM,
 * CROSSDOCK_REDIS_CA, CROSSDOCK_REDIS_USER and CROSSDOCK_REDIS_PASSWORD (or the URL's user and
 * password). Undefined: no team mode.
 */
export function teamFromFlags(o: TeamFlags, runJobs: boolean, env = process.env): TeamConfig | undefined {
  const url = o.redis ?? env.CROSSDOCK_REDIS_URL;
  if (!url) {
    if (o.redisCa)
      throw new UsageError('--redis-ca is for the team queue: add --redis <url> (or CROSSDOCK_REDIS_URL).');
    return undefined;
  }
  const bad = checkRedisUrl(url);
  if (bad) throw new UsageError(bad);
  const name = o.team ?? env.CROSSDOCK_TEAM ?? 'default';
  if (!TEAM_NAME.test(name)) throw new UsageError('--team takes 1 to 64 letters, digits, - or _.');
  const ca = o.redisCa ?? env.CROSSDOCK_REDIS_CA;
  const caFile = ca ? resolve(ca) : undefined;
  const badCa = checkCaFile(caFile);
  if (badCa) throw new UsageError(badCa);
  const lockMs = Number(env.CROSSDOCK_TEAM_LOCK_MS) || undefined;
  return {
    url,
    name,
    runJobs,
    ...(caFile ? { caFile } : {}),
    ...(env.CROSSDOCK_REDIS_USER ? { user: env.CROSSDOCK_REDIS_USER } : {}),
    ...(env.CROSSDOCK_REDIS_PASSWORD ? { password: env.CROSSDOCK_REDIS_PASSWORD } : {}),
    ...(lockMs ? { lockMs } : {}),
  };
}

const REDIS_CA_HELP =
  'CA certificate (PEM) of a rediss:// server with a private CA, trusted besides the default CAs (default: $CROSSDOCK_REDIS_CA)';

/** Connects once before any work: a wrong address or password is one sentence and exit 1. */
async function checkTeam(team: TeamConfig): Promise<void> {
  const test = await testTeamConnection(team);
  if (!test.ok) throw new Error(test.error);
}

function openEngine(
  opts: Common & ClickHouseFlags,
  run: 'all' | 'none' | { only: string[] },
  team?: TeamConfig,
): Engine {
  return new Engine({
    dataDir: opts.dataDir ? resolve(opts.dataDir) : defaultDataDir(),
    run,
    clickhouse: clickhouseFromFlags(opts),
    ...(team ? { team } : {}),
  });
}

/** Runs jobs this process may take to the end, printing progress and one result per job. */
async function runToEnd(engine: Engine, ids: string[], opts: Common): Promise<number> {
  const display = new ProgressDisplay(process.stderr, !opts.json && process.stderr.isTTY === true);
  // The event carries the live figures; the row in the store is refreshed only once a second.
  const onProgress = (id: string, progress: JobProgress) => {
    if (!ids.includes(id)) return;
    const job = engine.get(id);
    if (job) display.update({ ...job, progress });
  };
  const onJob = (job: Job) => {
    if (ids.includes(job.id)) display.update(job);
  };
  engine.on('progress', onProgress);
  engine.on('job', onJob);
  engine.on('changed', () => ids.forEach((id) => display.update(engine.get(id))));
  const stop = () => {
    display.clear();
    process.stderr.write(
      'Stopping: running jobs go back to the queue; run "crossdock jobs resume" to finish them.\n',
    );
    void engine.close().then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  engine.start();
  for (const id of ids) display.update(engine.get(id));
  const jobs = await engine.waitFor(ids);
  display.clear();
  let failed = 0;
  for (const job of jobs) {
    if (job.status !== 'succeeded') failed++;
    if (opts.json) process.stdout.write(`${JSON.stringify(jobJson(job))}\n`);
    else process.stderr.write(`${formatJobLine(job)}\n`);
  }
  return failed ? 1 : 0;
}

interface ExportFlags extends ClickHouseFlags, Common {
  list?: string;
  brand?: string;
  query?: string;
  format: string;
  out: string;
  source: string;
  priority: string;
  maxRowsPerSheet?: string;
}

/** --source and the ClickHouse connection, shared by run, export and schedule add. */
function withSourceOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--source <source>', 'where offers come from')
        .choices(['demo', 'clickhouse'])
        .default('demo'),
    )
    .option('--clickhouse-url <url>', 'ClickHouse URL (default: $CROSSDOCK_CLICKHOUSE_URL)')
    .option('--clickhouse-db <db>', 'ClickHouse database (default: $CROSSDOCK_CLICKHOUSE_DB)');
}

function withExportOptions(cmd: Command): Command {
  return withSourceOptions(cmd)
    .option('--list <name>', 'export the offers of this supplier list')
    .option('--brand <b>', 'only this brand (with --list)')
    .option('--query <sql>', 'export the result of a read-only SELECT instead')
    .addOption(new Option('--format <format>', 'file format').choices(['xlsx', 'csv']).default('xlsx'))
    .option('--out <dir>', 'folder for the files', '.')
    .addOption(
      new Option('--priority <p>', 'queue priority').choices(['high', 'normal', 'low']).default('normal'),
    )
    .option('--max-rows-per-sheet <n>', 'split sheets (xlsx) or files (csv) after N rows')
    .addOption(new Option('--data-dir <dir>', 'Crossdock data folder'));
}

function exportSpec(o: ExportFlags) {
  if (!o.list === !o.query) throw new UsageError('Give either --list <name> or --query <sql>.');
  if (o.brand && !o.list) throw new UsageError('--brand filters a supplier list: add --list <name>.');
  const source = o.source === 'clickhouse' ? ('clickhouse' as const) : ('demo' as const);
  const ch = clickhouseFromFlags(o);
  if (source === 'clickhouse' && !ch) {
    throw new UsageError('--source clickhouse needs --clickhouse-url (or CROSSDOCK_CLICKHOUSE_URL).');
  }
  const maxRows = o.maxRowsPerSheet === undefined ? undefined : Number(o.maxRowsPerSheet);
  return {
    kind: 'export' as const,
    source,
    ...(source === 'clickhouse' && ch ? { clickhouse: recordable(ch) } : {}),
    ...(o.list ? { list: o.list } : {}),
    ...(o.brand ? { brand: o.brand } : {}),
    ...(o.query ? { query: o.query } : {}),
    format: o.format === 'csv' ? ('csv' as const) : ('xlsx' as const),
    outDir: resolve(o.out),
    priority: o.priority as 'high' | 'normal' | 'low',
    ...(maxRows !== undefined ? { maxRowsPerSheet: maxRows } : {}),
  };
}

async function checkList(engine: Engine, source: 'demo' | 'clickhouse', list: string): Promise<void> {
  const known = await engine.supplierLists(source);
  if (!known.includes(list))
    throw new UsageError(`There is no supplier list "${list}"; known lists: ${known.join(', ')}.`);
}

function formatSchedule(s: Schedule): string {
  const what = s.spec.query
    ? `query → ${String(s.spec.format)}`
    : `offers of ${String(s.spec.list)}${s.spec.brand ? ` (${String(s.spec.brand)})` : ''} → ${String(s.spec.format)}`;
  const next = s.paused ? 'paused' : `next ${new Date(s.nextRunAt).toLocaleString('sv-SE').slice(0, 16)}`;
  return `${s.id}  "${s.cron}"  ${s.description}  ${what}  ${next}${s.lastJobId ? `  last job ${s.lastJobId}` : ''}`;
}

export function buildProgram(): Command {
  const program = new Command('crossdock')
    .description('Price request lists against supplier offers, from the command line.')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const dataDir = () =>
    new Option('--data-dir <dir>', 'Crossdock data folder (default: the app’s, or $CROSSDOCK_DATA_DIR)');

  withSourceOptions(program.command('run'))
    .description('Crossdock one or more request lists and wait for the results.')
    .argument('<file...>', 'request lists (.xlsx or .csv)')
    .requiredOption('--list <name>', 'supplier list, e.g. ОПТ-1')
    .option('--out <dir>', 'folder for the result files', '.')
    .option('--alternatives <n>', 'also list up to N next-best offers per line', '0')
    .option('--brand-col <h>', 'brand column: header text or 1-based index')
    .option('--article-col <h>', 'article column: header text or 1-based index')
    .option('--qty-col <h>', 'quantity column: header text or 1-based index')
    .option('--sheet <name>', 'the worksheet to read (default: the first with a Brand and Article header)')
    .addOption(
      new Option('--priority <p>', 'queue priority').choices(['high', 'normal', 'low']).default('normal'),
    )
    .option('--redis <url>', 'submit to the team queue on this Redis (default: $CROSSDOCK_REDIS_URL)')
    .option('--redis-ca <file>', REDIS_CA_HELP)
    .option('--team <name>', 'the team queue’s name (default: $CROSSDOCK_TEAM or "default")')
    .option('--max-rows-per-sheet <n>', 'split result sheets after N rows (default: Excel’s limit)')
    .addOption(dataDir())
    .option('--json', 'print one JSON object per finished job')
    .option('--verbose', 'print stack traces')
    .action(async (files: string[], o: Record<string, string | boolean | undefined> & Common) => {
      const team = teamFromFlags(o as TeamFlags, false);
      const source = o.source === 'clickhouse' ? 'clickhouse' : 'demo';
      const ch = clickhouseFromFlags(o as ClickHouseFlags);
      if (source === 'clickhouse' && !ch) {
        throw new UsageError('--source clickhouse needs --clickhouse-url (or CROSSDOCK_CLICKHOUSE_URL).');
      }
      const alternatives = Number(o.alternatives);
      if (!Number.isInteger(alternatives) || alternatives < 0 || alternatives > 20) {
        throw new UsageError('--alternatives takes a whole number from 0 to 20.');
      }
      const maxRows = o.maxRowsPerSheet === undefined ? undefined : Number(o.maxRowsPerSheet);
      if (team) await checkTeam(team);
      const engine = openEngine(o, { only: [] }, team);
      try {
        // A team job reads the offers of whichever worker runs it: its lists are checked there.
        if (team) engine.start();
        else await checkList(engine, source, String(o.list));
        const ids: string[] = [];
        for (const file of files) {
          // The columns are the flags' or detected, never a mapping the app remembered for the header
          // row (column-memory.ts): a script gets the same columns whatever was clicked in the app.
          const { job, duplicate } = await engine.submit({
            kind: 'crossdock',
            input: file,
            list: o.list,
            outDir: o.out,
            source,
            ...(source === 'clickhouse' && ch ? { clickhouse: recordable(ch) } : {}),
            alternatives,
            columns: {
              ...(o.brandCol ? { brand: String(o.brandCol) } : {}),
              ...(o.articleCol ? { article: String(o.articleCol) } : {}),
              ...(o.qtyCol ? { quantity: String(o.qtyCol) } : {}),
            },
            ...(o.sheet ? { sheet: String(o.sheet) } : {}),
            priority: o.priority,
            ...(maxRows !== undefined ? { maxRowsPerSheet: maxRows } : {}),
          });
          if (duplicate)
            process.stderr.write(
              `${file} is already ${job.status} as job ${job.id} with the same options; waiting for it.\n`,
            );
          ids.push(job.id);
        }
        engine.allowRun(ids);
        process.exitCode = await runToEnd(engine, ids, o);
      } finally {
        await engine.close();
      }
    });

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
    .addOption(dataDir())
    .option('--json', 'JSON output')
    .action((o: Common & { status?: Job['status']; limit: string }) => {
      const engine = openEngine(o, 'none');
      try {
        const list = engine.list({ status: o.status ? [o.status] : undefined, limit: Number(o.limit) || 50 });
        if (o.json) {
          for (const j of list)
            process.stdout.write(
              `${JSON.stringify({ ...jobJson(j), queuePosition: engine.queuePosition(j.id) })}\n`,
            );
        } else if (list.length === 0) process.stdout.write('No jobs yet.\n');
        else for (const j of list) process.stdout.write(`${formatJobLine(j, engine.queuePosition(j.id))}\n`);
      } finally {
        void engine.close();
      }
    });
  jobs
    .command('show')
    .argument('<id>')
    .description('Show one job with its log and comments.')
    .addOption(dataDir())
    .option('--json', 'JSON output')
    .action((id: string, o: Common) => {
      const engine = openEngine(o, 'none');
      try {
        const job = engine.get(id);
        if (!job) throw new UsageError(`There is no job ${id}; "crossdock jobs list" shows them.`);
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify({ ...jobJson(job), job, queuePosition: engine.queuePosition(id), logs: engine.logs(id), comments: engine.comments(id) })}\n`,
          );
        } else
          process.stdout.write(
            formatJobDetail(job, engine.queuePosition(id), engine.logs(id), engine.comments(id)),
          );
      } finally {
        void engine.close();
      }
    });
  jobs
    .command('cancel')
    .argument('<id>')
    .description(
      'Cancel a queued or running job (wherever it runs on this computer; with --redis, a team job wherever it runs).',
    )
    .option('--redis <url>', 'the team queue, for team jobs (default: $CROSSDOCK_REDIS_URL)')
    .option('--redis-ca <file>', REDIS_CA_HELP)
    .option('--team <name>', 'the team queue’s name (default: $CROSSDOCK_TEAM or "default")')
    .addOption(dataDir())
    .option('--json', 'JSON output')
    .action(async (id: string, o: Common & TeamFlags) => {
      const team = teamFromFlags(o, false);
      if (team) await checkTeam(team);
      const engine = openEngine(o, 'none', team);
      try {
        if (team) {
          engine.start();
          const deadline = Date.now() + 10_000;
          while (engine.teamStatus().state !== 'online' && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 20));
        }
        const job = await engine.cancel(id);
        if (o.json) process.stdout.write(`${JSON.stringify(jobJson(job))}\n`);
        else process.stderr.write(`${formatJobLine(job)}\n`);
        process.exitCode = job.status === 'cancelled' ? 0 : 1;
      } finally {
        await engine.close();
      }
    });
  jobs
    .command('retry')
    .argument('<id>')
    .description('Run a failed or cancelled job again and wait for it.')
    .option('--clickhouse-url <url>', 'ClickHouse URL for jobs that use it')
    .option('--clickhouse-db <db>', 'ClickHouse database')
    .addOption(dataDir())
    .option('--json', 'JSON output')
    .action(async (id: string, o: Common) => {
      const engine = openEngine(o, { only: [id] });
      try {
        engine.retry(id);
        process.exitCode = await runToEnd(engine, [id], o);
      } finally {
        await engine.close();
      }
    });
  jobs
    .command('clear')
    .description(
      'Delete finished jobs (done, failed, cancelled) with their logs and comments; result files stay on disk.',
    )
    .option('--older-than <days>', 'only jobs that finished more than this many days ago')
    .addOption(dataDir())
    .option('--json', 'JSON output')
    .action((o: Common & { olderThan?: string }) => {
      let finishedBefore: number | undefined;
      if (o.olderThan !== undefined) {
        const days = Number(o.olderThan);
        if (o.olderThan.trim() === '' || !Number.isFinite(days) || days < 0 || days > 36_500)
          throw new UsageError('--older-than takes a number of days, e.g. --older-than 30.');
        finishedBefore = Date.now() - days * 86_400_000;
      }
      const engine = openEngine(o, 'none');
      try {
        const removed = engine.clearFinished(finishedBefore === undefined ? {} : { finishedBefore });
        if (o.json) process.stdout.write(`${JSON.stringify({ removed: removed.length })}\n`);
        else
          process.stdout.write(
            removed.length === 0
              ? 'No finished jobs to remove.\n'
              : `Removed ${removed.length} finished ${removed.length === 1 ? 'job' : 'jobs'}; result files stay on disk.\n`,
          );
      } finally {
        void engine.close();
      }
    });
  jobs
    .command('resume')
    .description('Run every queued or interrupted job to the end, then exit.')
    .option('--clickhouse-url <url>', 'ClickHouse URL for jobs that use it')
    .option('--clickhouse-db <db>', 'ClickHouse database')
    .addOption(dataDir())
    .option('--json', 'JSON output')
    .action(async (o: Common) => {
      const engine = openEngine(o, 'all');
      try {
        engine.start();
        // Scheduled exports that fell due while nothing ran are made up now (once each).
        await engine.schedules.tick();
        // Interrupted jobs were requeued by start(); take everything that is queued now.
        const ids = engine.list({ status: ['queued', 'running'] }).map((j) => j.id);
        if (ids.length === 0) {
          if (!o.json) process.stderr.write('Nothing to resume: no queued or interrupted jobs.\n');
          return;
        }
        process.exitCode = await runToEnd(engine, ids, o);
      } finally {
        await engine.close();
      }
    });

  const catalog = program.command('catalog').description('The embedded demo catalog.');
  catalog
    .command('import')
    .argument('<price-list>', 'a supplier price list (.xlsx or .csv) with brand, article and price columns')
    .requiredOption(
      '--supplier <name>',
      'the supplier the price list belongs to (its previous offers are replaced)',
    )
    .option('--list <name>', 'also add the supplier to this supplier list')
    .option('--brand-col <h>', 'brand column: header text or 1-based index')
    .option('--article-col <h>', 'article column: header text or 1-based index')
    .addOption(dataDir())
    .option('--json', 'print one JSON object for the finished job')
    .action(
      async (
        file: string,
        o: Common & { supplier: string; list?: string; brandCol?: string; articleCol?: string },
      ) => {
        const engine = openEngine(o, { only: [] });
        try {
          const { job } = await engine.submit({
            kind: 'catalog-import',
            input: file,
            supplier: o.supplier,
            ...(o.list ? { list: o.list } : {}),
            columns: {
              ...(o.brandCol ? { brand: o.brandCol } : {}),
              ...(o.articleCol ? { article: o.articleCol } : {}),
            },
          });
          engine.allowRun([job.id]);
          process.exitCode = await runToEnd(engine, [job.id], o);
        } finally {
          await engine.close();
        }
      },
    );
  catalog
    .command('lists')
    .description('Show the supplier lists of the demo catalog.')
    .addOption(dataDir())
    .action(async (o: Common) => {
      const engine = openEngine(o, 'none');
      try {
        for (const l of await engine.supplierLists('demo')) process.stdout.write(`${l}\n`);
      } finally {
        await engine.close();
      }
    });

  const exportCmd = program
    .command('export')
    .description(
      'Export the offers of a supplier list (or a read-only query) to .xlsx or .csv, and wait for it.',
    );
  withExportOptions(exportCmd)
    .option('--json', 'print one JSON object for the finished job')
    .option('--verbose', 'print stack traces')
    .action(async (o: ExportFlags & Common) => {
      const engine = openEngine(o, { only: [] });
      try {
        const spec = exportSpec(o);
        if (spec.list) await checkList(engine, spec.source, spec.list);
        const { job, duplicate } = await engine.submit(spec);
        if (duplicate)
          process.stderr.write(
            `The same export is already ${job.status} as job ${job.id}; waiting for it.\n`,
          );
        engine.allowRun([job.id]);
        process.exitCode = await runToEnd(engine, [job.id], o);
      } finally {
        await engine.close();
      }
    });

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
    .action(async (cron: string, what: string, o: ExportFlags & Common & { timezone?: string }) => {
      if (what !== 'export')
        throw new UsageError(
          `Only exports can be scheduled; write: crossdock schedule add "${cron}" export --list <name> …`,
        );
      const engine = openEngine(o, 'none');
      try {
        const spec = exportSpec(o);
        if (spec.list) await checkList(engine, spec.source, spec.list);
        const s = engine.addSchedule(cron, spec, o.timezone ?? null);
        if (o.json) process.stdout.write(`${JSON.stringify(s)}\n`);
        else process.stdout.write(`${formatSchedule(s)}\n`);
      } finally {
        await engine.close();
      }
    });
  schedule
    .command('list', { isDefault: true })
    .description('List scheduled exports.')
    .addOption(dataDir())
    .option('--json', 'JSON output')
    .action(async (o: Common) => {
      const engine = openEngine(o, 'none');
      try {
        const all = engine.scheduleAction((s) => s.list());
        if (o.json) for (const s of all) process.stdout.write(`${JSON.stringify(s)}\n`);
        else if (all.length === 0) process.stdout.write('No scheduled exports.\n');
        else for (const s of all) process.stdout.write(`${formatSchedule(s)}\n`);
      } finally {
        await engine.close();
      }
    });
  for (const [name, description] of [
    ['remove', 'Delete a scheduled export.'],
    ['pause', 'Pause a scheduled export.'],
    ['resume', 'Resume a paused scheduled export (from the next occurrence on).'],
  ] as const) {
    schedule
      .command(name)
      .argument('<id>')
      .description(description)
      .addOption(dataDir())
      .option('--json', 'JSON output')
      .action(async (id: string, o: Common) => {
        const engine = openEngine(o, 'none');
        try {
          if (name === 'remove') {
            engine.scheduleAction((s) => s.remove(id));
            if (!o.json) process.stdout.write(`Removed schedule ${id}.\n`);
          } else {
            const s = engine.scheduleAction((svc) => (name === 'pause' ? svc.pause(id) : svc.resume(id)));
            if (o.json) process.stdout.write(`${JSON.stringify(s)}\n`);
            else process.stdout.write(`${formatSchedule(s)}\n`);
          }
        } finally {
          await engine.close();
        }
      });
  }

  program
    .command('worker')
    .description(
      'Run jobs and scheduled exports from the queue until stopped (Ctrl+C); with --redis, from the team queue.',
    )
    .option('--redis <url>', 'take jobs from the team queue on this Redis (default: $CROSSDOCK_REDIS_URL)')
    .option('--redis-ca <file>', REDIS_CA_HELP)
    .option('--team <name>', 'the team queue’s name (default: $CROSSDOCK_TEAM or "default")')
    .option('--concurrency <n>', 'jobs at once (default: the setting, cores − 1)')
    .option('--clickhouse-url <url>', 'ClickHouse URL for jobs that use it')
    .option('--clickhouse-db <db>', 'ClickHouse database')
    .addOption(dataDir())
    .option('--verbose', 'print stack traces')
    .action(async (o: Common & ClickHouseFlags & TeamFlags & { concurrency?: string }) => {
      let concurrency: number | undefined;
      if (o.concurrency !== undefined) {
        concurrency = Number(o.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
          throw new UsageError('--concurrency takes a whole number from 1 to 64.');
        }
      }
      const team = teamFromFlags(o, true);
      if (team) {
        team.concurrency = concurrency;
        await checkTeam(team);
      }
      const engine = new Engine({
        dataDir: o.dataDir ? resolve(o.dataDir) : defaultDataDir(),
        run: 'all',
        clickhouse: clickhouseFromFlags(o),
        concurrency,
        ...(team ? { team } : {}),
      });
      engine.on('job', (job: Job) => {
        if (job.status !== 'queued') process.stderr.write(`${formatJobLine(job)}\n`);
      });
      engine.on('schedule-error', (schedule: Schedule, error: Error) => {
        process.stderr.write(`Schedule ${schedule.id} could not start its export: ${error.message}\n`);
      });
      let teamState = 'connecting';
      engine.on('team', (s: ReturnType<Engine['teamStatus']>) => {
        if (s.state === teamState) return;
        // The first connection was checked above; later changes are news.
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
      await engine.close();
    });

  program
    .command('demo-data')
    .description(
      'Create the canonical tables in a ClickHouse database and fill them with deterministic demo offers.',
    )
    .option('--clickhouse-url <url>', 'ClickHouse URL (default: $CROSSDOCK_CLICKHOUSE_URL)')
    .option('--clickhouse-db <db>', 'database to create or refill', 'crossdock')
    .option('--offers <n>', 'how many offers', '3000000')
    .option('--verbose', 'print stack traces')
    .action(async (o: ClickHouseFlags & { offers: string }) => {
      const ch = clickhouseFromFlags(o);
      if (!ch) throw new UsageError('demo-data needs --clickhouse-url (or CROSSDOCK_CLICKHOUSE_URL).');
      const offers = Number(o.offers);
      if (!Number.isInteger(offers) || offers < 1 || offers > 1_000_000_000) {
        throw new UsageError('--offers takes a whole number from 1 to 1,000,000,000.');
      }
      const started = Date.now();
      const tty = process.stderr.isTTY === true;
      const result = await createDemoData(ch, {
        offers,
        onProgress: (done, total) => {
          if (tty)
            process.stderr.write(
              `\r\x1b[2Kloading demo offers: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`,
            );
        },
      });
      if (tty) process.stderr.write('\r\x1b[2K');
      process.stderr.write(
        `Loaded ${result.offers.toLocaleString('en-US')} offers and ${result.lists} supplier lists into ${ch.database} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
      );
    });

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
