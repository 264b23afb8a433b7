// The team's Redis as one process holds it: its own connections and BullMQ's, the queue, the blob
// store, and the one sentence the team panel shows about the link. Kept apart from what travels over
// it so that every part of team mode reports a failure the same way (noteError) and sees the same
// online/offline state.
import type { ConnectionOptions, FlowProducer, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { CodedError, type ErrorInfo } from '../common/errors.ts';
import type { TeamStatus } from '../common/team-types.ts';
import { BlobStore } from './blobs.ts';
import {
  askThePort,
  checkCaFile,
  createRedis,
  describeRedisError,
  isTlsUrl,
  QUEUE_NAME,
  redisOptions,
  redactUrl,
  teamPrefix,
  worthAskingThePort,
  type TeamConfig,
} from './config.ts';
import type { TeamMessage } from './job-data.ts';
import { bullmq } from './packages.ts';

export class TeamConnection {
  readonly prefix: string;
  readonly client: Redis;
  readonly sub: Redis;
  readonly queue: Queue;
  readonly events: QueueEvents;
  /** Adds a split crossdock as one flow: the job the parent, its parts the children (same queue). */
  readonly flows: FlowProducer;
  readonly blobs: BlobStore;
  private linkState: TeamStatus['state'] = 'connecting';
  private problem: ErrorInfo | null;
  private shut = false;
  /** The CA file cannot be used: said instead of any connection error until it is online. */
  private readonly caError: ErrorInfo | null;
  private everOnline = false;
  /** Before the first connection: the port was asked once why it fails (askThePort); its sentence. */
  private portAsked = false;
  private portAnswer: ErrorInfo | null = null;
  private readonly usable: TeamConfig;
  private readonly retryStrategy = (times: number) => (this.shut ? null : Math.min(200 * times, 2000));

  constructor(
    readonly config: TeamConfig,
    /** The state or the error changed: the team panel is sent again. */
    private readonly changed: () => void,
  ) {
    this.prefix = teamPrefix(config.name);
    // A CA file that cannot be used does not stop the app: the connections trust the default CAs only
    // (never less safe), and the team status says what is wrong with the file.
    this.caError = isTlsUrl(config.url) ? (checkCaFile(config.caFile)?.info() ?? null) : null;
    this.usable = this.caError ? { ...config, caFile: undefined } : config;
    this.problem = this.caError;
    // Commands fail at once while Redis is away (enableOfflineQueue: false): submissions then wait locally.
    // Every connection of this service, BullMQ's included (and their duplicates), stops reconnecting
    // once the service is closed, even one that never got in (a wrong password): retryStrategy.
    this.client = createRedis(this.usable, {
      enableOfflineQueue: false,
      connectionName: 'crossdock',
      retryStrategy: this.retryStrategy,
    });
    this.sub = createRedis(this.usable, {
      connectionName: 'crossdock-sub',
      retryStrategy: this.retryStrategy,
    });
    const { Queue, QueueEvents, FlowProducer } = bullmq();
    this.queue = new Queue(QUEUE_NAME, { connection: this.bullConnection(), prefix: this.prefix });
    this.flows = new FlowProducer({ connection: this.bullConnection(), prefix: this.prefix });
    this.flows.on('error', () => undefined);
    this.events = new QueueEvents(QUEUE_NAME, {
      connection: this.bullConnection(),
      prefix: this.prefix,
      autorun: true,
    });
    this.blobs = new BlobStore(this.client, this.prefix, config.maxBlobBytes);
  }

  /** Options BullMQ makes (and closes) its own connections from; it reports their errors itself. */
  bullConnection(): ConnectionOptions {
    return redisOptions(this.usable, {
      connectionName: 'crossdock-bullmq',
      retryStrategy: this.retryStrategy,
    }) as ConnectionOptions;
  }

  get channel(): string {
    return `${this.prefix}:events`;
  }

  get state(): TeamStatus['state'] {
    return this.linkState;
  }

  /** Why the link is down (or what is wrong with it), coded; null when there is nothing to say. */
  get error(): ErrorInfo | null {
    return this.problem;
  }

  get closed(): boolean {
    return this.shut;
  }

  get online(): boolean {
    return this.linkState === 'online' && this.client.status === 'ready';
  }

  publish(m: TeamMessage): void {
    if (this.client.status !== 'ready') return;
    void this.client.publish(this.channel, JSON.stringify(m)).catch(() => undefined);
  }

  noteError(err: unknown): void {
    if (this.shut) return;
    const ready = this.client.status === 'ready';
    // Not connected: what the setting lacks says more than the connection error it causes.
    this.problem =
      (!ready && (this.caError ?? this.portAnswer)) ||
      describeRedisError(err, this.config.url, this.config.caFile).info();
    if (!ready) this.setState('offline');
    else this.changed();
    if (!this.everOnline && !this.portAsked && worthAskingThePort(this.config.url, err)) {
      this.portAsked = true;
      void askThePort(this.config.url, err).then((sentence) => {
        if (!sentence || this.shut || this.everOnline) return;
        this.portAnswer = sentence.info();
        this.problem = this.caError ?? this.portAnswer;
        this.changed();
      });
    }
  }

  setState(state: TeamStatus['state']): void {
    if (this.shut || this.linkState === state) return;
    this.linkState = state;
    if (state === 'offline' && !this.problem)
      this.problem = new CodedError('TEAM_UNREACHABLE', { url: redactUrl(this.config.url) }).info();
    if (state === 'online') this.problem = null;
    this.changed();
  }

  /** Connected (again): the port's answer to an earlier failure no longer applies. */
  markOnline(): void {
    this.everOnline = true;
    this.portAnswer = null;
    this.setState('online');
  }

  /** From now on nothing reconnects and no state change is reported. */
  markClosed(): void {
    this.shut = true;
  }

  async disconnect(): Promise<void> {
    // BullMQ's close waits for its connections; one that never got in (a wrong password) is cut.
    for (const q of [this.events, this.queue, this.flows])
      if (!(await settlesWithin(q.close(), 2000))) await settlesWithin(q.disconnect(), 1000);
    for (const c of [this.client, this.sub]) c.disconnect();
  }
}

/** Whether a promise settles within ms (it is left running otherwise). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = p.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
