import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Worker threads and CLI runs load the bundled dist/, so make sure it matches the sources.
// Every test's temporary folder goes under one root (tests/helpers.ts tempDir) removed at the end:
// a run makes gigabytes of data folders, outputs and request lists, and CI runs on the same machine.
export default function setup(): () => void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet', '--only=node,shell'], { stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'crossdock-tests-'));
  process.env.CROSSDOCK_TEST_TMP = root;
  return () => rmSync(root, { recursive: true, force: true });
}
