// Latency of one tiny job, submit → result file in place, in a running engine (the app's view):
// local mode against team mode (a team of headless workers already running). Bundled and run by
// bench/run.mjs; prints one JSON line.
import { Engine } from '../src-main/engine/engine.ts';

const [url, team, localDir, teamDir, outDir, workerFile, ...files] = process.argv.slice(2);

async function measure(engine: Engine): Promise<number[]> {
  const times: number[] = [];
  for (const input of files) {
    const started = performance.now();
    const { job } = await engine.submit({ kind: 'crossdock', input, list: 'ОПТ-1', outDir });
    const [done] = await engine.waitFor([job.id]);
    if (done.status !== 'succeeded') throw new Error(`a ${done.origin} job ${done.status}: ${done.error}`);
    times.push(performance.now() - started);
  }
  return times.slice(3).sort((a, b) => a - b); // the first ones warm the worker threads up
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];

const local = new Engine({ dataDir: localDir, run: 'all', pollMs: 50, workerFile });
local.start();
const localTimes = await measure(local);
await local.close();

const teamEngine = new Engine({
  dataDir: teamDir,
  run: 'none',
  workerFile,
  team: { url, name: team, runJobs: false },
});
teamEngine.start();
while (teamEngine.teamStatus().state !== 'online') await new Promise((r) => setTimeout(r, 20));
const teamTimes = await measure(teamEngine);
await teamEngine.close();

process.stdout.write(
  `${JSON.stringify({ jobs: localTimes.length, localMs: median(localTimes), teamMs: median(teamTimes), teamP90Ms: teamTimes[Math.floor(teamTimes.length * 0.9)] })}\n`,
);
