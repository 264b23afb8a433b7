// `npm run bench -- --compare-ref <ref>`: another commit built in a temporary git worktree under
// .bench/ (node_modules linked from this checkout), so its CLI can be timed beside the current tree's.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const git = (root, ...args) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * Checks out `ref` (detached) in .bench/ref-<sha>-<pid>, links node_modules and builds it.
 * Returns its CLI and remove(), which takes the worktree away again (also called on exit).
 */
export function buildRef(root, benchDir, ref, log) {
  let sha;
  try {
    sha = git(root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    throw new Error(`--compare-ref: "${ref}" is not a commit here`);
  }
  const subject = git(root, 'log', '-1', '--format=%h %s', sha);
  const title = subject.length > 72 ? `${subject.slice(0, 71)}…` : subject;
  const dir = join(benchDir, `ref-${sha.slice(0, 10)}-${process.pid}`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      git(root, 'worktree', 'remove', '--force', dir);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      try {
        git(root, 'worktree', 'prune');
      } catch {
        // nothing more to do
      }
    }
  };
  log(`building ${title} in ${dir} (git worktree, removed afterwards)…`);
  git(root, 'worktree', 'add', '--detach', '--quiet', dir, sha);
  process.on('exit', remove);
  try {
    if (!existsSync(join(dir, 'node_modules')))
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const started = Date.now();
    execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    remove();
    throw new Error(`--compare-ref: building ${title} failed: ${err.message}`);
  }
  return { sha, title, dir, bin: join(dir, 'bin', 'crossdock.mjs'), remove };
}
