#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('Crossdock is not built yet: run "npm run build" in its folder first.\n');
  process.exit(2);
}
// A job's worker thread starts booting now, while the CLI bundle below is compiled (src-main/cli/warm.ts).
const warm = new URL('../dist/warm.mjs', import.meta.url);
if (existsSync(fileURLToPath(warm))) await import(warm.href);
await import(cli.href);
