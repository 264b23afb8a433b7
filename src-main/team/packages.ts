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

type StandaloneConnectorClass = new (options: unknown) => {
  connect(emitter: unknown): Promise<NodeJS.EventEmitter>;
  disconnect(): void;
};
let tlsConnector: IORedis.RedisOptions['Connector'] | undefined;

/**
 * ioredis's own connector for TLS connections, whose socket keeps an error listener for its whole
 * life. ioredis listens for one error per socket only, and a TLS socket can report two (a failed
 * handshake, then an alert); the second one would be an uncaught 'error' that ends the process
 * (ioredis PRs 961/962, never merged). The first error still reaches ioredis as before.
 */
export function tlsSafeConnector(): NonNullable<IORedis.RedisOptions['Connector']> {
  if (!tlsConnector) {
    ioredis();
    const { default: Standalone } = load('ioredis/built/connectors/StandaloneConnector') as {
      default: StandaloneConnectorClass;
    };
    tlsConnector = class extends Standalone {
      override async connect(emitter: unknown): Promise<NodeJS.EventEmitter> {
        const stream = await super.connect(emitter);
        stream.on('error', () => undefined);
        return stream;
      }
    } as unknown as IORedis.RedisOptions['Connector'];
  }
  return tlsConnector!;
}
