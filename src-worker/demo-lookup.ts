// The entry of a demo catalog lookup thread (see sources/demo-lookup-thread.ts): a bundle of its own,
// next to the worker bundle, so the thread loads only what it needs (~11 MB less than the worker's).
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { runAsLookupThread } from './sources/demo-lookup-thread.ts';

// The thread looks the next batches up ahead of the job's thread, which reads, matches and writes:
// when both want the CPU (2 cores, deflate and V8's compiler beside them), the job's thread should
// get it. Linux keeps a nice value per thread (elsewhere it would lower the whole process).
// Measured on 100k lines: 0.98-0.99× with analogs off and on, 10-12 interleaved pairs each.
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {
    // not allowed here: the thread runs at the job's priority
  }
}

if (!runAsLookupThread(workerData))
  throw new Error('demo-lookup.mjs runs only as a Crossdock lookup thread.');
