import { Option, type Command } from 'commander';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderMessage } from '../../common/errors.ts';
import type { HotFolder } from '../../common/settings-schema.ts';
import { TERMINAL, type Job } from '../../common/types.ts';
import type { Engine } from '../../engine/engine.ts';
import { hotFolderOutDir, hotFolderTiming, type HotFolderNotice } from '../../engine/hot-folders.ts';
import { checkList, say, withEngine, type EngineFlags } from '../engine-session.ts';
import { dataDirOption, UsageError, type OutputFlags } from '../flags.ts';
import { formatJobLine, jobJson } from '../format.ts';

interface WatchFlags extends EngineFlags, OutputFlags {
  list: string;
  out?: string;
  analogs: HotFolder['analogs'];
  lang: HotFolder['lang'];
  settle: string;
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('Watch a folder: every spreadsheet saved into it becomes a crossdock, until Ctrl+C.')
    .argument('<dir>', 'the folder to watch (files saved into it; subfolders are left alone)')
    .requiredOption('--list <name>', 'supplier list, e.g. ОПТ-1')
    .option('--out <dir>', 'folder for the result files (default: the watched folder’s "results" subfolder)')
    .addOption(
      new Option(
        '--analogs <mode>',
        'analog offers: off, missing (when the part has no full offer) or always',
      )
        .choices(['off', 'missing', 'always'])
        .default('off'),
    )
    .addOption(
      new Option('--lang <lang>', 'the result workbook’s language').choices(['en', 'ru']).default('en'),
    )
    .option('--settle <seconds>', 'a file is taken once its size and time stayed the same this long', '3')
    .addOption(dataDirOption())
    .option('--json', 'print one JSON object per finished job')
    .option('--verbose', 'print stack traces')
    .action(watchFolder);
}

async function watchFolder(dirArg: string, o: WatchFlags): Promise<void> {
  const dir = resolve(dirArg);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new UsageError('CLI_WATCH_NOT_FOLDER', { dir });
  const settle = Number(o.settle);
  if (!Number.isFinite(settle) || settle < 0.05 || settle > 3600)
    throw new UsageError('CLI_WATCH_SETTLE', {});
  const folder: HotFolder = {
    dir,
    list: o.list,
    analogs: o.analogs,
    outDir: o.out ? resolve(o.out) : null,
    lang: o.lang,
    enabled: true,
  };
  const out = hotFolderOutDir(folder);
  if (out === dir) throw new UsageError('HOT_FOLDER_OUT_IS_WATCHED', { dir });
  const session = {
    run: { only: [] as string[] },
    hotFolders: { hotFolders: [folder], hotFolderTiming: hotFolderTiming(settle * 1000) },
  };
  await withEngine(o, session, async (engine) => {
    const source = engine.settings.source;
    await checkList(engine, source, o.list);
    process.exitCode = await watchUntilStopped(engine, folder, out, o);
  });
}

/** Runs the folder's jobs as files arrive, printing one line per job; resolves with 130 (143) when stopped. */
function watchUntilStopped(engine: Engine, folder: HotFolder, out: string, o: OutputFlags): Promise<number> {
  const mine = new Set<string>();
  const take = (ids: string[]) => {
    const fresh = ids.filter((id) => !mine.has(id));
    for (const id of fresh) mine.add(id);
    if (fresh.length) engine.allowRun(fresh);
  };
  const onNotice = (n: HotFolderNotice) => {
    process.stderr.write(`${renderMessage('en', n)}\n`);
    if (n.code === 'HOT_FOLDER_SUBMITTED' && n.jobId) {
      take([n.jobId]);
      const job = engine.get(n.jobId);
      if (job && TERMINAL.includes(job.status)) finished(job);
    }
  };
  const finished = (job: Job) => {
    if (!mine.delete(job.id)) return;
    if (o.json) process.stdout.write(`${JSON.stringify(jobJson(job))}\n`);
    else process.stdout.write(`${formatJobLine(job)}\n`);
    if (job.status !== 'succeeded')
      say('CLI_JOB_FAILED', { name: job.name, status: job.status, error: job.error ?? '' });
  };
  const onJob = (job: Job) => {
    if (mine.has(job.id) && TERMINAL.includes(job.status)) finished(job);
  };
  return new Promise((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(signal === 'SIGTERM' ? 143 : 130);
      stopping = true;
      engine.off('hot-folder', onNotice);
      engine.off('job', onJob);
      const left = [...mine].filter((id) => {
        const job = engine.get(id);
        return job !== null && !TERMINAL.includes(job.status);
      }).length;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // Running jobs go back to the queue as the engine closes; `jobs resume` or the next watch finishes them.
      void engine.close().then(() => {
        say('HOT_FOLDER_STOPPED', { left });
        resolveExit(signal === 'SIGTERM' ? 143 : 130);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    engine.on('hot-folder', onNotice);
    engine.on('job', onJob);
    engine.start();
    // Jobs an earlier watch of this folder queued and did not finish (stopped, or killed) run here too.
    const unfinished = engine.store
      .hotFiles()
      .list(folder.dir)
      .map((r) => r.jobId)
      .filter((id) => {
        const job = engine.get(id);
        return job !== null && !TERMINAL.includes(job.status);
      });
    take(unfinished);
    say('HOT_FOLDER_WATCHING', { dir: folder.dir, list: folder.list, out });
  });
}
