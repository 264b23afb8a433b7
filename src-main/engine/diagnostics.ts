// The diagnostics bundle: one zip a user can send to whoever helps them (Help → Save Diagnostics…,
// `crossdock diagnostics --out FILE.zip`). What is in it: the app's and the system's versions, the
// settings, the job table (specs, statuses, errors, progress, results) with its log lines, the app's
// own log (main.log) and a listing of the data folder (names and sizes). What is not: input files,
// result files, comments, and every secret (see redact.ts): the stored ClickHouse and Redis passwords,
// CROSSDOCK_*_PASSWORD, passwords inside URLs, values of anything named password/secret/token.
//
// Streamed: jobs and their log lines are read from the store a page at a time as the zip is written
// (yazl pulls each entry's stream in turn), log files line by line; nothing big is held in memory.
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { arch, cpus, freemem, platform, release, totalmem, version as osVersion } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SECRET_NAMES, type Settings } from '../common/settings-schema.ts';
import type { Job } from '../common/types.ts';
import { mainLogFiles } from './main-log.ts';
import { environmentSecrets, Redactor, urlPassword } from './redact.ts';
import type { SecretStore } from './secrets.ts';
import type { JobStore } from './store.ts';

/** Log lines read from the store at once. */
const LOG_PAGE = 1000;

export interface DiagnosticsSource {
  dataDir: string;
  store: Pick<JobStore, 'list' | 'logs'>;
  settings: Settings;
  secrets: SecretStore;
  /** The app's version and who builds the bundle. */
  app: { version: string; shell: 'electron' | 'cli' };
  /** Default: process.env (its CROSSDOCK_*_PASSWORD values are taken out too). */
  env?: NodeJS.ProcessEnv;
  /** Default: process.versions (node, and in the app electron, chrome, v8). */
  versions?: Readonly<Record<string, string | undefined>>;
  now?: Date;
}

export interface DiagnosticsResult {
  file: string;
  entries: string[];
}

/** Every secret value this process can know: the secret store's, the environment's, those inside the settings' URLs. */
export function knownSecrets(source: DiagnosticsSource): string[] {
  const env = source.env ?? process.env;
  const values = [
    ...SECRET_NAMES.map((name) => safeGet(source.secrets, name)),
    ...environmentSecrets(env),
    urlPassword(source.settings.clickhouse?.url),
    urlPassword(source.settings.team?.url),
  ];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

function safeGet(secrets: SecretStore, name: (typeof SECRET_NAMES)[number]): string | null {
  try {
    return secrets.get(name);
  } catch {
    return null;
  }
}

/**
 * Writes the bundle to `file` (under a temporary name beside it, renamed when complete, so a failed
 * or interrupted bundle leaves no half zip). Resolves with the entries written.
 */
export async function writeDiagnostics(file: string, source: DiagnosticsSource): Promise<DiagnosticsResult> {
  const redact = new Redactor(knownSecrets(source));
  const now = source.now ?? new Date();
  const jobs = source.store.list({ limit: 1_000_000 });
  // Loaded here, not with the module: evaluating yazl was ~10 ms of every CLI command's start.
  const { default: yazl } = await import('yazl');
  const zip = new yazl.ZipFile();
  const entries: string[] = [];
  const mtime = now;
  const json = (name: string, data: unknown) => {
    entries.push(name);
    const text = redact.values(JSON.stringify(redact.value(data), null, 2));
    zip.addBuffer(Buffer.from(`${text}\n`, 'utf8'), name, { mtime });
  };
  const stream = (name: string, chunks: AsyncIterable<string> | Iterable<string>) => {
    entries.push(name);
    const bytes = async function* () {
      for await (const chunk of chunks) yield Buffer.from(chunk, 'utf8');
    };
    zip.addReadStream(Readable.from(bytes()), name, { mtime });
  };

  json('about.json', about(source, now, jobs));
  json('settings.json', source.settings);
  stream('jobs.jsonl', jobLines(jobs, redact));
  stream('job-logs.jsonl', logLines(source.store, jobs, redact));
  const logs = mainLogFiles(source.dataDir);
  for (const f of logs) stream(`logs/${basename(f)}`, fileLines(f, redact));
  json('data-folder.json', dataFolder(source.dataDir));
  zip.end();

  const tmp = join(dirname(file), `.~crossdock-diagnostics-${process.pid}-${Date.now()}.zip.tmp`);
  try {
    await pipeline(zip.outputStream, createWriteStream(tmp));
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { file, entries };
}

function about(source: DiagnosticsSource, now: Date, jobs: Job[]) {
  const versions = source.versions ?? process.versions;
  const byStatus: Record<string, number> = {};
  for (const j of jobs) byStatus[j.status] = (byStatus[j.status] ?? 0) + 1;
  const cpu = cpus();
  return {
    app: 'Crossdock',
    version: source.app.version,
    madeBy: source.app.shell,
    createdAt: now.toISOString(),
    versions: {
      electron: versions.electron ?? null,
      chrome: versions.chrome ?? null,
      node: versions.node ?? null,
      v8: versions.v8 ?? null,
      sqlite: versions.sqlite ?? null,
    },
    os: {
      platform: platform(),
      release: release(),
      version: osVersion(),
      arch: arch(),
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? null,
      totalMemoryMB: Math.round(totalmem() / 2 ** 20),
      freeMemoryMB: Math.round(freemem() / 2 ** 20),
    },
    dataDir: source.dataDir,
    // Whether each password is set and how it is kept, never its value (under a name that is not a secret's).
    keychain: {
      storage: source.secrets.storage,
      set: Object.fromEntries(SECRET_NAMES.map((n) => [n, safeGet(source.secrets, n) !== null])),
    },
    jobs: { total: jobs.length, byStatus },
    mainLogFiles: mainLogFiles(source.dataDir).map((f) => basename(f)),
  };
}

function* jobLines(jobs: Job[], redact: Redactor): Generator<string> {
  for (const job of jobs) yield `${redact.values(JSON.stringify(redact.value(job)))}\n`;
}

/** Every job's log lines, oldest job first, a page at a time. */
function* logLines(store: DiagnosticsSource['store'], jobs: Job[], redact: Redactor): Generator<string> {
  for (const job of [...jobs].reverse()) {
    let after = 0;
    for (;;) {
      const page = store.logs(job.id, after, LOG_PAGE);
      for (const line of page) yield `${redact.values(JSON.stringify(redact.value(line)))}\n`;
      if (page.length < LOG_PAGE) break;
      after = page[page.length - 1].id;
    }
  }
}

/** A text file line by line, each without secrets (a file gone meanwhile: one line saying so). */
async function* fileLines(file: string, redact: Redactor): AsyncGenerator<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) yield `${redact.text(line)}\n`;
  } catch (err) {
    yield `(could not read ${basename(file)}: ${(err as NodeJS.ErrnoException).code ?? 'error'})\n`;
  } finally {
    input.destroy();
  }
}

/** The data folder's files and folders by name and size (what is there, not what is in them). */
function dataFolder(dir: string): { name: string; bytes: number | null; files?: number }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => {
      try {
        const st = statSync(join(dir, name));
        if (st.isDirectory())
          return { name: `${name}/`, bytes: null, files: readdirSync(join(dir, name)).length };
        return { name, bytes: st.size };
      } catch {
        return { name, bytes: null };
      }
    });
}
