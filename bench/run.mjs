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
  { name: '1m-xlsx', rows: 1_000_000, file: 'request-1m.xlsx' },
  { name: '1m-csv', rows: 1_000_000, file: 'request-1m.csv' },
  {
    name: 'ch-100k-xlsx',
    rows: 100_000,
    file: 'request-ch-100k.xlsx',
    parts: CH_PARTS,
    source: 'clickhouse',
  },
  { name: 'ch-1m-xlsx', rows: 1_000_000, file: 'request-ch-1m.xlsx', parts: CH_PARTS, source: 'clickhouse' },
  { name: 'ch-export-1m-xlsx', rows: 1_000_000, export: 'xlsx', source: 'clickhouse' },
  { name: 'ch-export-1m-csv', rows: 1_000_000, export: 'csv', source: 'clickhouse' },
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
  const input = c.export ? null : ensureInput(c);
  const source =
    c.source === 'clickhouse'
      ? ['--source', 'clickhouse', '--clickhouse-url', clickhouse.url, '--clickhouse-db', clickhouse.database]
      : [];
  const what = c.export
    ? ['export', '--query', `SELECT * FROM offers LIMIT ${c.rows}`, '--format', c.export]
    : ['run', input, '--list', 'ОПТ-1'];
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
console.table(results);
