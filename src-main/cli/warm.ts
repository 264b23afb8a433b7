// dist/warm.mjs, which bin/crossdock.mjs loads before the CLI bundle (and main.ts imports first, for
// the sources): a command that runs jobs here starts its worker thread now (engine/pool-warm.ts).
import { runsJobsHere, warmPool } from '../engine/pool-warm.ts';

if (runsJobsHere(process.argv)) warmPool();
