// Imported first by main.ts, so it runs before the rest of the CLI bundle is evaluated: a command
// that runs jobs here starts its worker thread now (see engine/pool-warm.ts).
import { runsJobsHere, warmPool } from '../engine/pool-warm.ts';

if (runsJobsHere(process.argv)) warmPool();
