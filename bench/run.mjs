// `npm run bench`: end-to-end crossdock runs through the real CLI, timed from outside, each case N
// times (median), with the CPU time and peak RSS of the whole process tree (worker threads live in the
// CLI process; any child processes count too), each figure beside its target (issue 14). --compare
// runs a case under two configurations (options, or another commit's build) alternately, A B A B…,
// so that the ratio B/A is measured on the same machine state. `--help` lists cases and options.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  fmt,
  grouped,
  mb,
  median,
  parseArgs,
  reapedChildrenCpu,
  schemaOf,
  splitOptions,
  textTable,
  treeCpu,
  treePeak,
} from './lib.mjs';
import { buildRef } from './ref-build.mjs';

const root = resolve(import.meta.dirname, '..');
const benchDir = join(root, '.bench');
const dataDir = join(benchDir, 'data');
// Per bench process: two engineers benching at once must not delete each other's results.
const outDir = join(benchDir, `out-${process.pid}`);
const currentBin = join(root, 'bin', 'crossdock.mjs');

// ClickHouse cases sample parts from the whole 3M-offer catalog (~600k parts), not just the demo's 60k.
const CH_PARTS = 600_000;
// Issue 14's targets (wall: median seconds; rss: median peak RSS of the process tree, MB). The analogs
// cases have their plain case's targets ("the same speed with analogs"), and issue 11's ratio below.
const T100K = { wall: 1.0 };
const T1M = { wall: 6, rss: 300 };
const TCH100K = { wall: 1.2 };
const TCH1M = { wall: 10, rss: 300 };
/** Issue 11: analogs (--analogs missing) cost at most 30 % more than off. */
const ANALOGS_RATIO = 1.3;
const ANALOGS = ['--analogs', 'missing'];
const CASES = [
  { name: '100k-xlsx', rows: 100_000, file: 'request-100k.xlsx', targets: T100K },
  {
    name: '100k-xlsx-analogs',
    rows: 100_000,
    file: 'request-100k.xlsx',
    extra: ANALOGS,
    analogsOf: '100k-xlsx',
    targets: T100K,
  },
  { name: '1m-xlsx', rows: 1_000_000, file: 'request-1m.xlsx', targets: T1M },
  {
    name: '1m-xlsx-analogs',
    rows: 1_000_000,
    file: 'request-1m.xlsx',
    extra: ANALOGS,
    analogsOf: '1m-xlsx',
    targets: T1M,
  },
  { name: '1m-csv', rows: 1_000_000, file: 'request-1m.csv', targets: T1M },
  {
    name: 'ch-100k-xlsx',
    rows: 100_000,
    file: 'request-ch-100k.xlsx',
    parts: CH_PARTS,
    source: 'clickhouse',
    targets: TCH100K,
  },
  {
    name: 'ch-100k-xlsx-analogs',
    rows: 100_000,
    file: 'request-ch-100k.xlsx',
    parts: CH_PARTS,
    source: 'clickhouse',
    extra: ANALOGS,
    analogsOf: 'ch-100k-xlsx',
    targets: TCH100K,
  },
  {
    name: 'ch-1m-xlsx',
    rows: 1_000_000,
    file: 'request-ch-1m.xlsx',
    parts: CH_PARTS,
    source: 'clickhouse',
    targets: TCH1M,
  },
  {
    name: 'ch-1m-xlsx-analogs',
    rows: 1_000_000,
    file: 'request-ch-1m.xlsx',
    parts: CH_PARTS,
    source: 'clickhouse',
    extra: ANALOGS,
    analogsOf: 'ch-1m-xlsx',
    targets: TCH1M,
  },
  { name: 'ch-export-1m-xlsx', rows: 1_000_000, export: 'xlsx', source: 'clickhouse' },
  { name: 'ch-export-1m-csv', rows: 1_000_000, export: 'csv', source: 'clickhouse' },
  // Team mode: tiny jobs through a private redis-server and two `crossdock worker --redis` processes.
  { name: 'team-tiny', team: true, jobs: 200 },
  // One big list across the team: 1M lines through two workers, unsplit vs split into parts (flows).
  { name: 'team-split', teamSplit: true, rows: 1_000_000, file: 'request-1m.csv', splitLines: 250_000 },
];

const HELP = `npm run bench -- [case…] [options]

Runs whole jobs through the real CLI (bin/crossdock.mjs) and prints, per case, the median wall time,
lines/s, CPU time (user+sys of the process tree) and peak RSS (VmHWM of the process tree) beside
issue 14's targets, marked met or MISSED; the last line says whether all targets were met. A missed
target is a measurement (exit 0); a failed run is not (exit 1), and the other cases still run.
Request lists are generated once into .bench/; the ClickHouse cases start a private clickhouse-server
with 3,000,000 demo offers, the team cases a private redis-server and two workers.

Cases (no names: all of them):
${CASES.map((c) => `  ${c.name.padEnd(22)}${caseTitle(c)}${targetText(c.targets)}`).join('\n')}

Options:
  --runs N                 runs per case (default 3); the figures are medians
  --compare "<A>" "<B>"    run each case named with CLI options A and with B, alternately
                           (A B A B…), and print both medians and the ratio B/A
                           e.g. 100k-xlsx --compare "--analogs off" "--analogs missing"
  --compare-ref <ref>      A: the commit <ref> built in a temporary git worktree under .bench/
                           (removed afterwards); B: the current tree. With --compare, A and B
                           also get the options given there
  --json[=file]            the results as JSON: on stdout (the tables go to stderr), or into file
  --timeout S              a run that takes longer fails (default 900 s)
  --help                   this text

A case and its -analogs case run together are interleaved too, and the ratio analogs/off is checked
against issue 11's limit (≤ ${limitText(ANALOGS_RATIO, '×')}). team-tiny runs once whatever --runs says;
team cases are not run with --compare or --compare-ref. On a machine others use, wall times
stretch with the load (printed per case); CPU s much less.`;

function caseTitle(c) {
  if (c.team) return `${c.jobs} tiny jobs locally vs through the team queue; team latency`;
  if (c.teamSplit)
    return `${grouped(c.rows)} lines: local, team unsplit, team split by ${grouped(c.splitLines)}`;
  const where = c.source === 'clickhouse' ? 'ClickHouse, 3M offers' : 'demo catalog';
  if (c.export) return `export ${grouped(c.rows)} offers → .${c.export} (${where})`;
  const ext = c.file.split('.').pop();
  return `${grouped(c.rows)} lines .${ext}, ${where}${c.extra ? `, ${c.extra.join(' ')}` : ''}`;
}

/** A limit as the tables print it: ≤ 1.0 s, ≤ 300 MB, ≤ 1.30×. */
function limitText(n, unit) {
  if (unit === 's') return `${n.toFixed(1)} s`;
  if (unit === '×') return `${n.toFixed(2)}×`;
  return `${n} ${unit}`;
}

function targetText(t) {
  if (!t) return '';
  const parts = [`≤ ${limitText(t.wall, 's')}`];
  if (t.rss) parts.push(`≤ ${limitText(t.rss, 'MB')}`);
  return ` (target ${parts.join(', ')})`;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const unknown = opts.names.filter((n) => !CASES.some((c) => c.name === n));
if (unknown.length) {
  process.stderr.write(
    `bench: no case ${unknown.join(', ')}; the cases: ${CASES.map((c) => c.name).join(', ')}\n`,
  );
  process.exit(2);
}
const selected = CASES.filter((c) => opts.names.length === 0 || opts.names.includes(c.name));
const comparing = Boolean(opts.compare || opts.compareRef);

// Human output: stdout, or stderr when the JSON goes to stdout. Progress lines: stderr.
const human = opts.json === '-' ? process.stderr : process.stdout;
const say = (s = '') => human.write(`${s}\n`);
const note = (s) => process.stderr.write(`${s}\n`);

// A bench stopped with Ctrl+C or killed still stops its servers and removes its worktree ('exit').
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));

mkdirSync(benchDir, { recursive: true });
mkdirSync(outDir, { recursive: true });
const clearOut = () => {
  for (const f of readdirSync(outDir)) rmSync(join(outDir, f), { recursive: true, force: true });
};

/**
 * How fast this machine is right now: a fixed loop of integer steps in a fresh Node, median of 3
 * (lower is faster). The same machine has run 2.3× slower on some days; a wall time beside a target
 * means little without it.
 */
function calibrate() {
  const loop =
    'let x=0;const t=process.hrtime.bigint();for(let i=0;i<1e8;i++)x=(x*31+i)|0;' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e9+(x&0)))';
  const times = [0, 1, 2].map(() =>
    Number(execFileSync(process.execPath, ['-e', loop], { encoding: 'utf8' })),
  );
  return times.sort((a, b) => a - b)[1];
}
const speed = calibrate();
note(
  `machine speed: a fixed loop of 10⁸ integer steps took ${speed.toFixed(2)} s (median of 3; lower is faster)`,
);

const report = {
  when: new Date().toISOString(),
  calibrationSeconds: speed,
  commit: gitOr('rev-parse', 'HEAD'),
  dirtyFiles: gitOr('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length,
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg(),
  runs: opts.runs,
  compare: opts.compare,
  compareRef: null,
  groups: [],
  team: [],
  checks: [],
  failures: [],
  skipped: [],
  allTargetsMet: null,
};

function gitOr(...args) {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function fail(label, why) {
  report.failures.push({ case: label, error: why });
  process.exitCode = 1;
  note(`${label}: FAILED: ${why}`);
}

function ensureInput(c) {
  const path = join(benchDir, c.file);
  if (existsSync(path)) return path;
  note(`generating ${c.file} (${grouped(c.rows)} lines, once; cached in .bench/)…`);
  // Under a temporary name, so that a bench stopped halfway leaves no half file for the next one.
  const tmp = join(benchDir, `${process.pid}.tmp.${c.file}`);
  const args = [c.file.endsWith('.csv') ? 'bench-csv' : 'bench-input', String(c.rows), tmp];
  if (c.parts) args.push(String(c.parts));
  try {
    execFileSync(process.execPath, [join(root, 'dist', 'tools.mjs'), ...args], { stdio: 'inherit' });
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return path;
}

/** A private clickhouse-server with 3M demo offers, for the ClickHouse cases (started once, on first use). */
let clickhouse = null;
function startClickHouse() {
  clickhouse ??= new Promise((resolveInfo, reject) => {
    note('starting clickhouse-server and loading 3,000,000 demo offers…');
    const child = spawn(process.execPath, [join(root, 'dist', 'tools.mjs'), 'clickhouse-server', '3000000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // A bench that dies must not leave the server behind.
    process.on('exit', () => child.kill('SIGTERM'));
    let out = '';
    let up = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!up && out.includes('\n')) {
        up = true;
        let info;
        try {
          info = JSON.parse(out.split('\n')[0]);
        } catch {
          child.kill('SIGTERM');
          reject(new Error(`the clickhouse-server helper said ${out.split('\n')[0].slice(0, 200)}`));
          return;
        }
        note(`loaded ${grouped(info.offers)} offers in ${info.loadSeconds.toFixed(1)} s`);
        resolveInfo({ ...info, pid: child.pid, stop: () => child.kill('SIGTERM') });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!up) reject(new Error(`the clickhouse-server helper exited with ${code} before it was up`));
    });
  });
  return clickhouse;
}

/** One CLI run, timed; the peak RSS of its tree sampled every 10 ms; its CPU from /proc/self/stat. */
function spawnRun(bin, args) {
  return new Promise((resolveRun) => {
    const cpuBefore = reapedChildrenCpu();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const peaks = new Map();
    const timer = setInterval(() => treePeak(child.pid, peaks), 10);
    let timedOut = false;
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, opts.timeout * 1000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Only the end is kept: it says why a run failed.
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', (err) => (stderr += `\n${err.message}`));
    child.on('close', (code, signal) => {
      clearInterval(timer);
      clearTimeout(killer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const peak = [...peaks.values()].reduce((a, b) => a + b, 0);
      resolveRun({
        code,
        signal,
        timedOut,
        seconds,
        cpu: reapedChildrenCpu() - cpuBefore,
        peak,
        stdout,
        stderr,
      });
    });
  });
}

/** Why a finished run does not count, or null; `job` is its last --json line. */
function runProblem(r, job, rows) {
  const tail = r.stderr.trim().split('\n').slice(-6).join('\n    ');
  if (r.timedOut) return `timed out after ${opts.timeout} s`;
  if (r.code !== 0) return `exit ${r.code ?? r.signal}${tail ? `:\n    ${tail}` : ''}`;
  if (!job) return `no JSON result on stdout${tail ? `:\n    ${tail}` : ''}`;
  if (job.status !== 'succeeded') return `job ${job.status}: ${job.error ?? ''}`;
  if (rows !== undefined && job.rows !== rows) return `${job.rows} rows in the result, not ${rows}`;
  return null;
}

const lastJson = (stdout) => {
  const line = stdout.trim().split('\n').pop();
  try {
    return line ? JSON.parse(line) : null;
  } catch {
    return null;
  }
};

/**
 * A group of configurations run round robin, `runs` times each (A B A B…), so that they see the
 * same machine state; a configuration whose run fails is dropped from the rest of the group.
 */
async function runGroup(group) {
  note(`\n${group.title}`);
  group.load = [loadavg()[0]];
  for (let i = 0; i < opts.runs; i++) {
    for (const v of group.variants) {
      if (v.failed) continue;
      const serverBefore = v.server ? treeCpu(v.server.pid) : 0;
      const r = await spawnRun(v.bin, v.args);
      const serverCpu = v.server ? treeCpu(v.server.pid) - serverBefore : null;
      const job = lastJson(r.stdout);
      const problem = runProblem(r, job, v.rows);
      clearOut();
      if (problem) {
        v.failed = problem;
        fail(v.label, `run ${i + 1}: ${problem}`);
        continue;
      }
      v.results.push({
        wall: round(r.seconds, 3),
        cpu: round(r.cpu, 2),
        peak: round(mb(r.peak), 1),
        serverCpu: serverCpu === null ? null : round(serverCpu, 2),
        found: job.found,
      });
      note(
        `  ${v.label}  run ${i + 1}/${opts.runs}: ${fmt(r.seconds)} s, CPU ${fmt(r.cpu)} s` +
          `${serverCpu !== null ? ` (+ server ${fmt(serverCpu)} s)` : ''}, ${fmt(mb(r.peak), 0)} MB`,
      );
    }
  }
  printGroup(group);
}

const round = (n, digits) => Math.round(n * 10 ** digits) / 10 ** digits;

function summary(v) {
  const col = (k) => v.results.map((r) => r[k]);
  return {
    wall: median(col('wall')),
    wallMin: Math.min(...col('wall')),
    wallMax: Math.max(...col('wall')),
    cpu: median(col('cpu')),
    peak: median(col('peak')),
    serverCpu: v.server ? median(col('serverCpu')) : null,
    found: v.results.at(-1)?.found ?? null,
  };
}

function check(label, what, value, limit, unit) {
  const met = value <= limit;
  report.checks.push({ case: label, what, value: round(value, 3), limit, unit, met });
  return `≤ ${limitText(limit, unit)} ${met ? 'met' : 'MISSED'}`;
}

function printGroup(group) {
  const rows = [];
  group.load.push(loadavg()[0]);
  const json = { title: group.title, loadavg: group.load, variants: [], ratios: [] };
  const withServer = group.variants.some((v) => v.server);
  for (const v of group.variants) {
    const s = v.results.length ? summary(v) : null;
    v.summary = s;
    json.variants.push({
      label: v.label,
      case: v.case,
      config: v.config ?? null,
      command: [relative(root, v.bin), ...v.args.map((a) => (a.startsWith(root) ? relative(root, a) : a))],
      runs: v.results,
      median: s,
      failed: v.failed ?? null,
    });
    if (!s) {
      const why = (v.failed ?? 'not run').split('\n').pop().trim();
      rows.push([v.label, '0', 'FAILED', '', why.length > 60 ? `${why.slice(0, 59)}…` : why]);
      continue;
    }
    const t = v.targets;
    rows.push([
      v.label,
      String(v.results.length),
      fmt(s.wall),
      v.results.length > 1 ? `${fmt(s.wallMin)}–${fmt(s.wallMax)}` : '',
      t?.wall !== undefined ? check(v.label, 'wall', s.wall, t.wall, 's') : '',
      v.rows ? grouped(v.rows / s.wall) : '',
      fmt(s.cpu),
      ...(withServer ? [fmt(s.serverCpu)] : []),
      fmt(s.peak, 0),
      t?.rss !== undefined ? check(v.label, 'peak RSS', s.peak, t.rss, 'MB') : '',
      s.found === null ? '' : grouped(s.found),
    ]);
  }
  const headers = [
    'case',
    'runs',
    'wall s',
    'min–max',
    'target',
    'lines/s',
    'CPU s',
    ...(withServer ? ['server CPU s'] : []),
    'peak RSS MB',
    'target',
    'found',
  ];
  const align = ['l', 'r', 'r', 'r', 'l', 'r', 'r', ...(withServer ? ['r'] : []), 'r', 'l', 'r'];
  // Other work on the machine stretches wall times, not CPU times: the load says how much there was.
  const load = `load average ${group.load.map((l) => l.toFixed(1)).join(' → ')} on ${cpus().length} cores`;
  say(
    `\n${group.title} — median of ${opts.runs}${group.variants.length > 1 ? ', runs interleaved' : ''}; ${load}`,
  );
  say(textTable(headers, rows, align));
  for (const ratio of group.ratios ?? []) {
    const [a, b] = [group.variants[ratio.of], group.variants[ratio.to]];
    if (!a.summary || !b.summary) continue;
    const r = {
      name: ratio.name,
      wall: b.summary.wall / a.summary.wall,
      cpu: b.summary.cpu / a.summary.cpu,
      peak: b.summary.peak / a.summary.peak,
    };
    // Per pair of runs next to each other (A_i, B_i): what a drifting machine changes least.
    const pairs = b.results.slice(0, a.results.length).map((rb, i) => rb.wall / a.results[i].wall);
    r.pairs = pairs;
    let line = `${ratio.name}: wall ${fmt(r.wall)}×`;
    if (ratio.limit)
      line += ` (${ratio.limitName}: ${check(ratio.name, 'wall ratio', r.wall, ratio.limit, '×')})`;
    if (pairs.length > 1)
      line += `, per pair of runs ${fmt(median(pairs))}× (${fmt(Math.min(...pairs))}–${fmt(Math.max(...pairs))})`;
    line += `, CPU ${fmt(r.cpu)}×, peak RSS ${fmt(r.peak)}×`;
    say(line);
    json.ratios.push({
      name: r.name,
      wall: round(r.wall, 3),
      cpu: round(r.cpu, 3),
      peak: round(r.peak, 3),
      pairs: pairs.map((p) => round(p, 3)),
    });
  }
  report.groups.push(json);
}

/** The CLI arguments of a job case (run or export) with `extra` options and this data folder. */
function jobArgs(c, extra, dir, ch) {
  const source = ch
    ? ['--source', 'clickhouse', '--clickhouse-url', ch.url, '--clickhouse-db', ch.database]
    : [];
  const what = c.export
    ? ['export', '--query', `SELECT * FROM offers LIMIT ${c.rows}`, '--format', c.export]
    : ['run', ensureInput(c), '--list', 'ОПТ-1', ...(c.extra ?? [])];
  return [...what, ...extra, '--out', outDir, '--data-dir', dir, '--json', ...source];
}

const warm = (bin, dir) =>
  execFileSync(process.execPath, [bin, 'catalog', 'lists', '--data-dir', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });

// Warm-up: creates (or brings up to date) the demo catalog so that its one-time creation is not timed.
try {
  warm(currentBin, dataDir);
} catch (err) {
  process.stderr.write(`bench: the warm-up (crossdock catalog lists) failed: ${err.stderr || err.message}\n`);
  process.exit(1);
}

// --compare-ref: the other build, and the data folder it can use (the same one when its schema matches).
let ref = null;
if (opts.compareRef) {
  try {
    ref = buildRef(root, benchDir, opts.compareRef, note);
    const probe = join(benchDir, `data-ref-${process.pid}`);
    rmSync(probe, { recursive: true, force: true });
    warm(ref.bin, probe);
    const mine = schemaOf(dataDir, root);
    const theirs = schemaOf(probe, root);
    const same = JSON.stringify(mine) === JSON.stringify(theirs);
    if (same) rmSync(probe, { recursive: true, force: true });
    else process.on('exit', () => rmSync(probe, { recursive: true, force: true }));
    ref.dataDir = same ? dataDir : probe;
    ref.sharedData = same;
    note(
      same
        ? `both builds use ${dataDir} (same schema: ${JSON.stringify(mine)})`
        : `the data schema differs (${ref.title}: ${JSON.stringify(theirs)}; current: ${JSON.stringify(mine)}): each build has its own data folder, warmed up`,
    );
    report.compareRef = { ref: opts.compareRef, sha: ref.sha, title: ref.title, sharedDataDir: same };
  } catch (err) {
    fail(`--compare-ref ${opts.compareRef}`, err.message);
    ref?.remove();
    ref = null;
  }
}

const optionLabel = (text) => (text.trim() ? text.trim() : 'default options');

/** The groups to run: one per case, a case with its -analogs case, or A/B under --compare. */
function plan() {
  const groups = [];
  const byName = new Map();
  for (const c of selected) {
    if (c.team || c.teamSplit) {
      if (comparing) note(`${c.name}: team cases are not run with --compare or --compare-ref`);
      else groups.push({ team: c });
      continue;
    }
    if (comparing) {
      if (opts.compareRef && !ref) continue; // reported already
      const [a, b] = opts.compare ?? ['', ''];
      const aLabel = [ref ? `ref ${ref.title.split(' ')[0]}` : null, opts.compare ? optionLabel(a) : null]
        .filter(Boolean)
        .join(', ');
      const bLabel = [ref ? 'current tree' : null, opts.compare ? optionLabel(b) : null]
        .filter(Boolean)
        .join(', ');
      groups.push({
        title: `${c.name}: ${caseTitle(c)}; A: ${aLabel}; B: ${bLabel}`,
        cases: [c],
        variants: [
          {
            case: c,
            config: 'A',
            label: `${c.name} A`,
            bin: ref?.bin ?? currentBin,
            extra: splitOptions(a),
            dir: ref?.dataDir ?? dataDir,
          },
          {
            case: c,
            config: 'B',
            label: `${c.name} B`,
            bin: currentBin,
            extra: splitOptions(b),
            dir: dataDir,
          },
        ],
        ratios: [{ name: `${c.name} B/A`, of: 0, to: 1 }],
      });
      continue;
    }
    const plain = c.analogsOf ? byName.get(c.analogsOf) : null;
    const variant = { case: c, label: c.name, bin: currentBin, extra: [], dir: dataDir };
    if (plain) {
      plain.variants.push(variant);
      plain.title += `; ${c.name}: with ${c.extra.join(' ')}`;
      plain.ratios.push({
        name: `${c.name} / ${plain.cases[0].name}`,
        of: 0,
        to: plain.variants.length - 1,
        limit: ANALOGS_RATIO,
        limitName: 'issue 11',
      });
      plain.cases.push(c);
      continue;
    }
    const g = { title: `${c.name}: ${caseTitle(c)}`, cases: [c], variants: [variant], ratios: [] };
    byName.set(c.name, g);
    groups.push(g);
  }
  return groups;
}

for (const g of plan()) {
  if (g.team) {
    try {
      await (g.team.team ? teamCase(g.team) : teamSplitCase(g.team));
    } catch (err) {
      // All cases asked for (no names) on a machine without Redis: the team cases (no targets) are
      // skipped, not failed; named, they fail.
      if (err.noRedis && opts.names.length === 0) {
        note(`${g.team.name}: skipped: ${err.message}`);
        report.skipped.push({ case: g.team.name, why: err.message });
      } else fail(g.team.name, err.message);
    }
    clearOut();
    continue;
  }
  let ch = null;
  try {
    if (g.cases.some((c) => c.source === 'clickhouse')) ch = await startClickHouse();
    for (const v of g.variants) {
      v.args = jobArgs(v.case, v.extra, v.dir, v.case.source === 'clickhouse' ? ch : null);
      Object.assign(v, { rows: v.case.rows, targets: v.case.targets, server: ch, results: [] });
    }
  } catch (err) {
    for (const v of g.variants) fail(v.label, err.message);
    continue;
  }
  await runGroup(g);
}
if (clickhouse) (await clickhouse.catch(() => null))?.stop();
ref?.remove();

// The last lines: every target of the cases run, met or not, and the failed runs.
say();
const missed = report.checks.filter((c) => !c.met);
report.allTargetsMet = report.checks.length > 0 && missed.length === 0 && report.failures.length === 0;
if (report.checks.length === 0)
  say(report.failures.length ? 'no target measured: the runs failed' : 'no targets in the cases run');
else if (missed.length === 0)
  say(
    `all ${report.checks.length} targets met${report.failures.length ? ' of the runs that finished' : ''} (median of ${opts.runs}, ${cpus().length} cores)`,
  );
else
  say(
    `targets MISSED (${missed.length} of ${report.checks.length}): ${missed
      .map(
        (c) =>
          `${c.case} ${c.what} ${fmt(c.value, c.unit === 'MB' ? 0 : 2)}${c.unit === '×' ? '×' : ` ${c.unit}`} > ${limitText(c.limit, c.unit)}`,
      )
      .join('; ')}`,
  );
if (report.skipped.length) say(`skipped: ${report.skipped.map((k) => `${k.case} (${k.why})`).join(', ')}`);
if (report.failures.length) say(`FAILED runs: ${report.failures.map((f) => f.case).join(', ')} (why: above)`);
if (opts.json === '-') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else if (opts.json) writeFileSync(resolve(opts.json), `${JSON.stringify(report, null, 2)}\n`);

/**
 * N tiny request lists (3 lines each): jobs/s run locally (one `crossdock run` with N files) and
 * through the team queue (the same with --redis, two worker processes), and the latency team mode
 * adds to one tiny job in a running engine (bench/team-latency.ts). Runs once.
 */
async function teamCase(c) {
  note(`\n${c.name}: ${caseTitle(c)}`);
  const { url, team, stop } = await startTeam(2);
  try {
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
      const r = await spawnRun(currentBin, [
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
        throw new Error(
          `a batch failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`,
        );
      clearOut();
      return r;
    };

    const localBatch = await batch([]);
    const teamBatch = await batch(team);
    // One job at a time in a running engine (the app's view), through esbuild from the sources.
    const { build } = await import('esbuild');
    const script = join(benchDir, `team-latency-${process.pid}.mjs`);
    process.on('exit', () => rmSync(script, { force: true }));
    await build({
      entryPoints: [join(root, 'bench', 'team-latency.ts')],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
    const [latLocal, latTeam] = ['lat-local', 'lat-team'].map((d) => join(benchDir, `${d}-${process.pid}`));
    process.on('exit', () => [latLocal, latTeam].forEach((d) => rmSync(d, { recursive: true, force: true })));
    warm(currentBin, latLocal);
    const latency = JSON.parse(
      execFileSync(
        process.execPath,
        [
          script,
          url,
          'bench',
          latLocal,
          latTeam,
          outDir,
          join(root, 'dist', 'worker.mjs'),
          ...files.slice(0, 33),
        ],
        { cwd: root, encoding: 'utf8' },
      ),
    );
    clearOut();
    const rows = [
      [`${c.jobs} jobs in one run, local`, localBatch],
      [`${c.jobs} jobs in one run --redis, 2 workers`, teamBatch],
    ].map(([what, r]) => [what, fmt(r.seconds), fmt(r.cpu), fmt(c.jobs / r.seconds, 1)]);
    say(`\n${c.name} — one run each; no target`);
    say(textTable(['case', 'wall s', 'CPU s (CLI)', 'jobs/s'], rows, ['l', 'r', 'r', 'r']));
    say(
      `one tiny job in a running engine, submit to result file (median of ${latency.jobs}): local ${latency.localMs.toFixed(0)} ms, team ${latency.teamMs.toFixed(0)} ms (p90 ${latency.teamP90Ms.toFixed(0)} ms): team mode adds ${(latency.teamMs - latency.localMs).toFixed(0)} ms per job.`,
    );
    report.team.push({
      case: c.name,
      localBatch: { wall: localBatch.seconds, cpu: localBatch.cpu },
      teamBatch: { wall: teamBatch.seconds, cpu: teamBatch.cpu },
      latency,
    });
  } finally {
    stop();
  }
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
  const redisDir = join(benchDir, `redis-${process.pid}`);
  rmSync(redisDir, { recursive: true, force: true });
  mkdirSync(redisDir, { recursive: true });
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'yes'],
    { stdio: 'ignore' },
  );
  let missing = null;
  server.on('error', (err) => (missing = err));
  process.on('exit', () => server.kill('SIGKILL'));
  process.on('exit', () => rmSync(redisDir, { recursive: true, force: true }));
  const url = `redis://127.0.0.1:${port}`;
  let up = false;
  for (let i = 0; i < 100 && !up && !missing; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
      up = true;
    } catch {
      // not up yet
    }
  }
  if (!up) {
    server.kill('SIGKILL');
    throw Object.assign(
      new Error(
        missing
          ? `redis-server cannot be started: ${missing.message}`
          : 'redis-server did not answer within 5 s',
      ),
      { noRedis: missing?.code === 'ENOENT' },
    );
  }
  const team = ['--redis', url, '--team', 'bench'];
  const workers = Array.from({ length: count }, (_, n) => {
    const dir = join(benchDir, `worker-${n + 1}`);
    warm(currentBin, dir);
    return spawn(process.execPath, [currentBin, 'worker', ...team, '--concurrency', '1', '--data-dir', dir], {
      stdio: 'ignore',
    });
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
 * beside the same list run locally, interleaved `runs` times. On one 2-core machine the workers
 * share the CPU; on a team they are other computers. CPU and peak RSS: the submitting CLI only.
 */
async function teamSplitCase(c) {
  const input = ensureInput(c);
  const { team, stop } = await startTeam(2);
  const args = (extra) => [
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
  ];
  const variant = (label, extra) => ({
    case: c,
    label: `${c.name}: ${label}`,
    bin: currentBin,
    args: args(extra),
    rows: c.rows,
    results: [],
  });
  try {
    await runGroup({
      title: `${c.name}: ${caseTitle(c)} (CPU and peak RSS: the submitting CLI; no target)`,
      variants: [
        variant('local', []),
        variant('team, unsplit', [...team, '--split-lines', '100000000']),
        variant(`team, split by ${grouped(c.splitLines)}`, [...team, '--split-lines', String(c.splitLines)]),
      ],
      ratios: [
        { name: `${c.name}: team split / unsplit`, of: 1, to: 2 },
        { name: `${c.name}: team split / local`, of: 0, to: 2 },
      ],
    });
  } finally {
    stop();
  }
}
