import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One root for the run's temporary folders (data dirs, request lists, outputs), removed at the end. */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-ui-'));
  process.env.CROSSDOCK_TEST_TMP = root;
  return () => rmSync(root, { recursive: true, force: true });
}
