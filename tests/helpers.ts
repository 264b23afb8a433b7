import ExcelJS from 'exceljs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine, type EngineOptions } from '../src-main/engine/engine.ts';
import type { Job } from '../src-main/common/types.ts';
import { CATALOG_FILE, ensureDemoCatalog } from '../src-worker/sources/demo-catalog.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'bin', 'crossdock.mjs');
export const SAMPLE = join(ROOT, 'assets', 'samples', 'request-list-ru.xlsx');

/** A new temporary folder under the run's root (tests/global-setup.ts removes it at the end). */
export function tempDir(prefix = 'cd-'): string {
  return mkdtempSync(join(process.env.CROSSDOCK_TEST_TMP ?? tmpdir(), prefix));
}

/** A spawned process's output and how it ended. */
export function collect(p: ChildProcess): Promise<CliResult> {
  return new Promise((resolveRun) => {
    let stdout = '';
    let stderr = '';
    p.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}

/** A data dir with the demo catalog already in it: creating one takes ~0.7 s, copying it is instant. */
export function freshDataDir(): string {
  // What makes the catalog: its data, its schema and its packs.
  const hash = createHash('sha1');
  for (const f of ['demo-data.ts', 'demo-catalog.ts', 'demo-packs.ts'])
    hash.update(readFileSync(join(ROOT, 'src-worker/sources', f)));
  const version = hash.digest('hex').slice(0, 10);
  const cacheDir = join(tmpdir(), `crossdock-test-catalog-${version}`);
  mkdirSync(cacheDir, { recursive: true });
  const catalog = ensureDemoCatalog(cacheDir);
  const dir = tempDir('cd-data-');
  copyFileSync(catalog, join(dir, CATALOG_FILE));
  return dir;
}

export async function writeXlsx(path: string, rows: unknown[][], sheetName = 'Sheet1'): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  for (const r of rows) ws.addRow(r);
  await wb.xlsx.writeFile(path);
  return path;
}

export function writeCsv(path: string, rows: unknown[][], sep = ','): string {
  const text = rows
    .map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))).join(sep))
    .join('\r\n');
  writeFileSync(path, `${text}\r\n`);
  return path;
}

export async function readXlsx(path: string): Promise<Map<string, unknown[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const out = new Map<string, unknown[][]>();
  for (const ws of wb.worksheets) {
    const rows: unknown[][] = [];
    ws.eachRow({ includeEmpty: true }, (row) => {
      const values = (row.values as unknown[]).slice(1);
      rows.push(values.map((v) => (v === undefined ? null : v)));
    });
    out.set(ws.name, rows);
  }
  return out;
}

export function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

export function openEngine(dataDir: string, extra: Partial<EngineOptions> = {}): Engine {
  return new Engine({ dataDir, pollMs: 50, ...extra });
}

export async function runJob(engine: Engine, spec: Record<string, unknown>): Promise<Job> {
  const { job } = await engine.submit(spec);
  const [done] = await engine.waitFor([job.id]);
  return done;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cli(
  args: string[],
  env: Record<string, string> = {},
  onSpawn?: (p: ChildProcess) => void,
): Promise<CliResult> {
  const p = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = collect(p);
  onSpawn?.(p);
  return done;
}
