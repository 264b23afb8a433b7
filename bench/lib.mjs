// Helpers of `npm run bench` (bench/run.mjs): arguments, statistics, the text tables, and what /proc
// tells about a process tree (peak RSS, CPU time) and about a data folder's schema.
import { existsSync, readdirSync, readFileSync, openSync, readSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Splits one option string the way a shell would for simple cases: spaces, '…' and "…" quotes. */
export function splitOptions(text) {
  const out = [];
  let cur = '';
  let quote = null;
  let any = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (quote) throw new Error(`unclosed ${quote} in "${text}"`);
  if (cur || any) out.push(cur);
  return out;
}

/**
 * The bench's command line: case names, then options anywhere.
 * --runs N, --compare "<A options>" "<B options>", --compare-ref <git ref>, --json[=file],
 * --timeout S, --help.
 */
export function parseArgs(argv) {
  const o = { names: [], runs: 3, compare: null, compareRef: null, json: null, timeout: 900, help: false };
  const value = (i, what) => {
    if (i >= argv.length) throw new Error(`${what} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, null];
    if (flag === '--help' || flag === '-h') o.help = true;
    else if (flag === '--runs') {
      o.runs = Number(inline ?? value(++i, '--runs'));
      if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs needs a whole number ≥ 1');
    } else if (flag === '--timeout') {
      o.timeout = Number(inline ?? value(++i, '--timeout'));
      if (!(o.timeout > 0)) throw new Error('--timeout needs a number of seconds > 0');
    } else if (flag === '--compare') {
      if (inline !== null)
        throw new Error('--compare takes two arguments: --compare "<A options>" "<B options>"');
      o.compare = [value(++i, '--compare'), value(++i, '--compare (B)')];
    } else if (flag === '--compare-ref') o.compareRef = inline ?? value(++i, '--compare-ref');
    else if (flag === '--json') o.json = inline ?? '-';
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (see --help)`);
    else o.names.push(a);
  }
  return o;
}

export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Left-aligned or right-aligned columns (`align`: one 'l' or 'r' per column). A row shorter than
 * the headers ends in free text (a failed case's reason), which does not widen the columns.
 */
export function textTable(headers, rows, align) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const sized = (r, i) => (i < r.length - (r.length < headers.length ? 1 : 0) ? [...r[i]].length : 0);
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => sized(r, i))));
  const pad = (s, i) => {
    const fill = ' '.repeat(Math.max(0, widths[i] - [...s].length));
    return align[i] === 'r' ? fill + s : s + fill;
  };
  const line = (r) =>
    r
      .map((c, i) => (r.length < headers.length && i === r.length - 1 ? c : pad(c, i)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

function childPids(pid) {
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

/** Records the peak resident set (VmHWM) of a process and its descendants, in bytes, into `peaks`. */
export function treePeak(pid, peaks) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, Number(m[1]) * 1024));
  } catch {
    // exited
  }
  for (const c of childPids(pid)) treePeak(c, peaks);
}

const TICK = 100; // USER_HZ: /proc times are in 1/100 s on Linux

/** utime, stime, cutime, cstime of a process (seconds), from /proc/<pid>/stat; null when it is gone. */
function procTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is field 3, so utime (14) is index 11.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].map((i) => Number(f[i]) / TICK);
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) of the children this process has waited for: the difference across
 * one run is the CPU time of that run's whole process tree (its threads, and the children it reaped).
 */
export function reapedChildrenCpu() {
  const t = procTimes('self');
  return t ? t[2] + t[3] : 0;
}

/** CPU seconds used so far by a running process tree (each process's own and its reaped children's). */
export function treeCpu(pid) {
  const t = procTimes(pid);
  if (!t) return 0;
  return t[0] + t[1] + t[2] + t[3] + childPids(pid).reduce((sum, c) => sum + treeCpu(c), 0);
}

/** The user_version of each SQLite file in a data folder: what decides whether two builds can share it. */
export function schemaOf(dir, root) {
  const versions = {};
  if (!existsSync(dir)) return versions;
  let Database = null;
  try {
    Database = createRequire(join(root, 'package.json'))('better-sqlite3');
  } catch {
    // read the header below
  }
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.sqlite'))
    .sort()) {
    const file = join(dir, f);
    try {
      if (!Database) throw new Error('no better-sqlite3');
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        versions[f] = db.pragma('user_version', { simple: true });
      } finally {
        db.close();
      }
    } catch {
      // The header's user_version (offset 60, big-endian): right once the WAL is checkpointed.
      const fd = openSync(file, 'r');
      try {
        const b = Buffer.alloc(4);
        readSync(fd, b, 0, 4, 60);
        versions[f] = b.readUInt32BE(0);
      } finally {
        closeSync(fd);
      }
    }
  }
  return versions;
}

export const mb = (bytes) => bytes / 1048576;
export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
export const grouped = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
