import { execFileSync } from 'node:child_process';

// Worker threads and CLI runs load the bundled dist/, so make sure it matches the sources.
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet', '--only=node,shell'], { stdio: 'inherit' });
}
