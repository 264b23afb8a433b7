// bullmq and ioredis load on first use, not at start: most runs never join a team, and loading
// them took ~80 ms of every CLI command's and the app's start (of ~210 ms for the whole CLI).
// Everything in team mode takes them from here, so one copy of each is in use.
import { createRequire } from 'node:module';
import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';

const load = createRequire(import.meta.url);
let bull: typeof BullMQ | undefined;
let redis: typeof IORedis | undefined;

export function bullmq(): typeof BullMQ {
  return (bull ??= load('bullmq') as typeof BullMQ);
}

export function ioredis(): typeof IORedis {
  return (redis ??= load('ioredis') as typeof IORedis);
}
