// `npm run bench`: end-to-end crossdock runs through the real CLI, timed from outside, with the peak
// RSS of the whole process tree (worker threads live in the CLI process; any child processes count too).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const benchDir = join(root, '.bench');
const dataDir = join(benchDir, 'data');
const outDir = join(benchDir, 'out');
mkdirSync(benchDir, { recursive: true });

const only = process.argv.slice(2);
// ClickHouse cases sample parts from the whole 3M-offer catalog (~600k parts), not just the demo's 60k.
const CH_PARTS = 600_000;
const cases = [
  { name: '100k-xlsx', rows: 100_000, file: 'request-100k.xlsx' },
  // The same file with analogs when the part has no full offer (issue 11: at most 30 % more than off).
  { name: '100k-xlsx-analogs', rows: 100_000, file: 'request-100k.xlsx', extra: ['--analogs', 'missing'] },
  { name: '1m-xlsx', rows: 1_000_000, file: 'request-1m.xlsx' },
  { name: '1m-csv', rows: 1_000_000, file: 'request-1m.csv' },
  {
    name: 'ch-100k-xlsx',
    rows: 100_000,
    file: 'request-ch-100k.xlsx',
    parts: CH_PARTS,
    source: 'clickhouse',
  },
  {
    name: 'ch-100k-xlsx-analogs',
    rows: 100_000,
    file: 'request-ch-100k.xlsx',
    parts: CH_PARTS,
    source: 'clickhouse',
    extra: ['--analogs', 'missing'],
  },
  { name: 'ch-1m-xlsx', rows: 1_000_000, file: 'request-ch-1m.xlsx', parts: CH_PARTS, source: 'clickhouse' },
  { name: 'ch-export-1m-xlsx', rows: 1_000_000, export: 'xlsx', source: 'clickhouse' },
  { name: 'ch-export-1m-csv', rows: 1_000_000, export: 'csv', source: 'clickhouse' },
  // Team mode: tiny jobs through a private redis-server and two `crossdock worker --redis` processes.
  { name: 'team-tiny', team: true, jobs: 200 },
  // One big list across the team: 1M lines through two workers, unsplit vs split into parts (flows).
  { name: 'team-split', teamSplit: true, rows: 1_000_000, file: 'request-1m.csv', splitLines: 250_000 },
].filter((c) => only.length === 0 || only.includes(c.name));

function ensureInput(c) {
  const path = join(benchDir, c.file);
  if (existsSync(path)) return path;
  process.stderr.write(`generating ${c.file} (${c.rows} lines, once; cached in .bench/)…\n`);
  const args = [c.file.endsWith('.csv') ? 'bench-csv' : 'bench-input', String(c.rows), path];
  if (c.parts) args.push(String(c.parts));
  execFileSync(process.execPath, [join(root, 'dist', 'tools.mjs'), ...args], { stdio: 'inherit' });
  return path;
}

/** A private clickhouse-server with 3M demo offers, for the ClickHouse cases. */
async function startClickHouse() {
  process.stderr.write('starting clickhouse-server and loading 3,000,000 demo offers…\n');
  const child = spawn(process.execPath, [join(root, 'dist', 'tools.mjs'), 'clickhouse-server', '3000000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise((resolveInfo, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolveInfo(JSON.parse(out.split('\n')[0]));
    });
    child.on('exit', (code) => reject(new Error(`clickhouse-server helper exited with ${code}`)));
  });
  process.stderr.write(`loaded ${info.offers} offers in ${info.loadSeconds.toFixed(1)} s\n`);
  // A bench that dies must not leave the server behind.
  process.on('exit', () => child.kill('SIGTERM'));
  return { ...info, stop: () => child.kill('SIGTERM') };
}

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Peak resident set (VmHWM) of a process and its descendants, in bytes. */
function treePeak(pid, peaks) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, Number(m[1]) * 1024));
  } catch {
    // exited
  }
  for (const c of children(pid)) treePeak(c, peaks);
}

function run(args) {
  return new Promise((resolveRun) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'bin', 'crossdock.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const peaks = new Map();
    const timer = setInterval(() => treePeak(child.pid, peaks), 10);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const peak = [...peaks.values()].reduce((a, b) => a + b, 0);
      resolveRun({ code, seconds, peak, stdout });
    });
  });
}

// Warm-up: creates the demo catalog so that its one-time creation is not timed.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
execFileSync(
  process.execPath,
  [join(root, 'bin', 'crossdock.mjs'), 'catalog', 'lists', '--data-dir', dataDir],
  { stdio: 'ignore' },
);

const results = [];
const clickhouse = cases.some((c) => c.source === 'clickhouse') ? await startClickHouse() : null;
for (const c of cases) {
  if (c.team) {
    await teamCase(c);
    continue;
  }
  if (c.teamSplit) {
    await teamSplitCase(c);
    continue;
  }
  const input = c.export ? null : ensureInput(c);
  const source =
    c.source === 'clickhouse'
      ? ['--source', 'clickhouse', '--clickhouse-url', clickhouse.url, '--clickhouse-db', clickhouse.database]
      : [];
  const what = c.export
    ? ['export', '--query', `SELECT * FROM offers LIMIT ${c.rows}`, '--format', c.export]
    : ['run', input, '--list', 'ОПТ-1', ...(c.extra ?? [])];
  const r = await run([...what, '--out', outDir, '--data-dir', dataDir, '--json', ...source]);
  const job = r.stdout.trim() ? JSON.parse(r.stdout.trim().split('\n').pop()) : null;
  if (r.code !== 0 || !job || job.rows !== c.rows) {
    console.error(`${c.name}: failed (exit ${r.code}) ${r.stdout}`);
    process.exitCode = 1;
    continue;
  }
  const outSize = statSync(job.outputs[0]).size;
  results.push({
    case: c.name,
    rows: c.rows,
    'wall s': r.seconds.toFixed(2),
    'rows/s': Math.round(c.rows / r.seconds).toLocaleString('en-US'),
    'peak RSS MB': (r.peak / 1048576).toFixed(0),
    'input MB': input ? (statSync(input).size / 1048576).toFixed(1) : '—',
    'result MB': (outSize / 1048576).toFixed(1),
    found: c.export ? '—' : job.found,
  });
  for (const f of readdirSync(outDir)) rmSync(join(outDir, f), { force: true });
}
clickhouse?.stop();
if (results.length) console.table(results);

/**
 * N tiny request lists (3 lines each): jobs/s run locally (one `crossdock run` with N files) and
 * through the team queue (the same with --redis, two worker processes), and the latency team mode
 * adds to one tiny job in a running engine (bench/team-latency.ts).
 */
async function teamCase(c) {
  const { writeFileSync } = await import('node:fs');
  const { url, team, stop } = await startTeam(2);
  const tinyDir = join(benchDir, 'tiny');
  mkdirSync(tinyDir, { recursive: true });
  const files = [];
  for (let i = 0; i < c.jobs; i++) {
    const f = join(tinyDir, `tiny-${i}.csv`);
    writeFileSync(
      f,
      `Brand,Article,Qty\r\nBOSCH,0986452041,${1 + (i % 5)}\r\nMANN-FILTER,W 712/75,2\r\nNGK,BKR6E-${i},1\r\n`,
    );
    files.push(f);
  }
  const batch = async (extra) => {
    const r = await run([
      'run',
      ...files,
      '--list',
      'ОПТ-1',
      '--out',
      outDir,
      '--data-dir',
      dataDir,
      '--json',
      ...extra,
    ]);
    const done = r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    if (r.code !== 0 || done.length !== c.jobs || done.some((j) => j.status !== 'succeeded'))
      throw new Error(`team-tiny: a batch failed (exit ${r.code})`);
    for (const f of readdirSync(outDir)) rmSync(join(outDir, f), { force: true });
    return r.seconds;
  };

  const localBatch = await batch([]);
  const teamBatch = await batch(team);
  // One job at a time in a running engine (the app's view), through esbuild from the sources.
  const { build } = await import('esbuild');
  const script = join(benchDir, 'team-latency.mjs');
  await build({
    entryPoints: [join(root, 'bench', 'team-latency.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  for (const d of ['lat-local', 'lat-team']) rmSync(join(benchDir, d), { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(root, 'bin', 'crossdock.mjs'), 'catalog', 'lists', '--data-dir', join(benchDir, 'lat-local')],
    {
      stdio: 'ignore',
    },
  );
  const latency = JSON.parse(
    execFileSync(
      process.execPath,
      [
        script,
        url,
        'bench',
        join(benchDir, 'lat-local'),
        join(benchDir, 'lat-team'),
        outDir,
        join(root, 'dist', 'worker.mjs'),
        ...files.slice(0, 33),
      ],
      { cwd: root, encoding: 'utf8' },
    ),
  );
  for (const f of readdirSync(outDir)) rmSync(join(outDir, f), { force: true });
  stop();
  console.table([
    {
      case: `${c.name}: ${c.jobs} jobs in one run, local`,
      'wall s': localBatch.toFixed(2),
      'jobs/s': (c.jobs / localBatch).toFixed(1),
    },
    {
      case: `${c.name}: ${c.jobs} jobs in one run --redis, 2 workers`,
      'wall s': teamBatch.toFixed(2),
      'jobs/s': (c.jobs / teamBatch).toFixed(1),
    },
  ]);
  console.log(
    `one tiny job in a running engine, submit to result file (median of ${latency.jobs}): local ${latency.localMs.toFixed(0)} ms, team ${latency.teamMs.toFixed(0)} ms (p90 ${latency.teamP90Ms.toFixed(0)} ms): team mode adds ${(latency.teamMs - latency.localMs).toFixed(0)} ms per job.`,
  );
}

/** A private redis-server and `crossdock worker --redis` processes (concurrency 1 each) for a team case. */
async function startTeam(count) {
  const { createServer } = await import('node:net');
  const port = await new Promise((r) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => r(p));
    });
  });
  const redisDir = join(benchDir, 'redis');
  rmSync(redisDir, { recursive: true, force: true });
  mkdirSync(redisDir, { recursive: true });
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'yes'],
    {
      stdio: 'ignore',
    },
  );
  process.on('exit', () => server.kill('SIGKILL'));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
      break;
    } catch {
      // not up yet
    }
  }
  const team = ['--redis', url, '--team', 'bench'];
  const workers = Array.from({ length: count }, (_, n) => {
    const dir = join(benchDir, `worker-${n + 1}`);
    execFileSync(
      process.execPath,
      [join(root, 'bin', 'crossdock.mjs'), 'catalog', 'lists', '--data-dir', dir],
      { stdio: 'ignore' },
    );
    return spawn(
      process.execPath,
      [join(root, 'bin', 'crossdock.mjs'), 'worker', ...team, '--concurrency', '1', '--data-dir', dir],
      {
        stdio: 'ignore',
      },
    );
  });
  process.on('exit', () => workers.forEach((w) => w.kill('SIGKILL')));
  await new Promise((r) => setTimeout(r, 1500));
  return {
    url,
    team,
    stop: () => {
      workers.forEach((w) => w.kill('SIGTERM'));
      server.kill('SIGTERM');
    },
  };
}

/**
 * One big request list through the team queue and two workers: unsplit (one worker runs it all)
 * and split into parts of `splitLines` (BullMQ flow: the workers run parts at once, one merges),
 * beside the same list run locally. On one 2-core machine the workers share the CPU; on a team
 * they are other computers.
 */
async function teamSplitCase(c) {
  const input = ensureInput(c);
  const { team, stop } = await startTeam(2);
  const rows = [];
  const once = async (label, extra) => {
    const r = await run([
      'run',
      input,
      '--list',
      'ОПТ-1',
      '--out',
      outDir,
      '--data-dir',
      dataDir,
      '--json',
      ...extra,
    ]);
    const job = r.stdout.trim() ? JSON.parse(r.stdout.trim().split('\n').pop()) : null;
    if (r.code !== 0 || !job || job.rows !== c.rows)
      throw new Error(`${c.name}: ${label} failed (exit ${r.code})`);
    for (const f of readdirSync(outDir)) rmSync(join(outDir, f), { force: true });
    rows.push({
      case: `${c.name}: ${label}`,
      rows: c.rows,
      'wall s': r.seconds.toFixed(2),
      'rows/s': Math.round(c.rows / r.seconds).toLocaleString('en-US'),
    });
  };
  try {
    await once('local', []);
    await once('team, unsplit', [...team, '--split-lines', '100000000']);
    await once(`team, split by ${c.splitLines.toLocaleString('en-US')}`, [
      ...team,
      '--split-lines',
      String(c.splitLines),
    ]);
  } finally {
    stop();
  }
  console.table(rows);
}
