// The entry of a demo catalog lookup thread (see sources/demo-lookup-thread.ts): a bundle of its own,
// next to the worker bundle, so the thread loads only what it needs (~11 MB less than the worker's).
import { workerData } from 'node:worker_threads';
import { runAsLookupThread } from './sources/demo-lookup-thread.ts';

if (!runAsLookupThread(workerData))
  throw new Error('demo-lookup.mjs runs only as a Crossdock lookup thread.');
