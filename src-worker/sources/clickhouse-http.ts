import type { ClickHouseClient, ClickHouseClientConfigOptions, ClickHouseSettings } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../io/types.ts';
import { abortReason } from './abort-signals.ts';
import { ClickHouseUnavailableError } from './clickhouse-errors.ts';
import { quoteString } from './clickhouse-quote.ts';

// A lookup batch answers in well under a second; a server that says nothing for this long is stuck.
const REQUEST_TIMEOUT_MS = 120_000;
// How long an abort waits for KILL QUERY before giving up on it (the abort must finish within 1 s).
const KILL_TIMEOUT_MS = 700;
/** A read-only statement whose connection broke off is sent up to this many times in all. */
const READ_ATTEMPTS = 3;

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * Request body sent after the query, which then travels in the URL (an INSERT's data, or external
   * tables). A Buffer can be sent again, a stream only once.
   */
  values?: Readable | Buffer;
  /**
   * The statement only reads, so it may be sent again when the connection breaks before an answer
   * came: a keep-alive socket the server closed while the client still thought it idle fails the
   * next request with ECONNRESET, and a busy machine makes that more likely.
   */
  readOnly?: boolean;
  settings?: ClickHouseSettings;
  headers?: Record<string, string>;
}

/** Where runInto puts an answer: its chunks in order; reset() when the statement is sent again. */
export interface AnswerSink {
  write(chunk: Buffer): void;
  reset(): void;
}

/**
 * One HTTP connection pool to one server: statements sent and cancelled (the server query killed
 * too), reads sent again when their connection broke. What a failure means to the user is the
 * subclass's classify(): ClickHouseConnection (clickhouse.ts), where every sentence about a failed
 * request is written.
 */
export abstract class ClickHouseHttp {
  /** The URL as shown in messages: no credentials. */
  readonly displayUrl: string;
  readonly user: string;
  readonly database: string | undefined;
  /** The client's options; the client itself is made with the first statement (clientNow). */
  private readonly options: ClickHouseClientConfigOptions;
  private client: Promise<ClickHouseClient> | null = null;
  private readonly settings: ClickHouseSettings = {};
  private closed = false;

  /** database: the current database of every query; omitted = the server's default database. */
  constructor(config: { url: string; database?: string; user?: string; password?: string }) {
    let url: URL;
    try {
      url = new URL(config.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(url.protocol);
    } catch {
      throw new InputError('CLICKHOUSE_NOT_HTTP_URL', { url: config.url });
    }
    this.user = config.user || decodeURIComponent(url.username) || 'default';
    this.database = config.database;
    const password = config.password ?? decodeURIComponent(url.password);
    // The client reads a path in the URL as the database name; a path here means a proxy prefix.
    const pathname = url.pathname === '/' ? undefined : url.pathname;
    this.displayUrl = `${url.origin}${pathname ?? ''}`;
    this.options = {
      url: url.origin,
      pathname,
      username: this.user,
      password,
      database: config.database || undefined,
      application: 'crossdock',
      request_timeout: REQUEST_TIMEOUT_MS,
      // Servers close idle keep-alive sockets after keep_alive_timeout (3 s by default); a socket reused
      // right at that moment fails with ECONNRESET, so retire them sooner. On a busy CPU the idle
      // timers fire late, so each free socket's age is also checked before a request.
      keep_alive: { enabled: true, idle_socket_ttl: 1500, eagerly_destroy_stale_sockets: true },
    };
  }

  /**
   * The HTTP client, made once. Its package (and Node's http, https and tls behind it) is loaded
   * only then: a process that never talks to ClickHouse (a demo catalog run) does not pay ~10 ms of
   * its start for it.
   */
  private clientNow(): Promise<ClickHouseClient> {
    this.client ??= import('@clickhouse/client').then(({ createClient, ClickHouseLogLevel }) =>
      createClient({
        ...this.options,
        // Errors are sorted and reported by the caller; the client's own logging would only duplicate them.
        log: { level: ClickHouseLogLevel.OFF },
      }),
    );
    return this.client;
  }

  /** Sorts a client or server error by what the user can do about it. */
  abstract classify(err: unknown): Error;

  /**
   * Probes what the server supports. Current releases cancel a read-only query when its HTTP
   * connection closes if asked to (a process that dies mid-query never sends KILL QUERY); 18.16
   * does not know that setting and rejects any request that carries it, and a readonly=1 user may
   * not set settings at all.
   */
  async probe(signal?: AbortSignal): Promise<void> {
    const rows = await this.rows<{ name: string; value: string }>(
      `SELECT name, value FROM system.settings
       WHERE name IN ('readonly', 'cancel_http_readonly_queries_on_client_close')`,
      signal,
    );
    const has = new Map(rows.map((r) => [r.name, r.value]));
    if (has.has('cancel_http_readonly_queries_on_client_close') && has.get('readonly') !== '1') {
      this.settings.cancel_http_readonly_queries_on_client_close = 1;
    }
  }

  /**
   * Runs one statement and returns the whole response body. When the signal fires, the HTTP request
   * is dropped and the query killed on the server (18.16 would otherwise run it to the end), and
   * the call rejects with the signal's reason.
   */
  async run(sql: string, opts: RunOptions = {}): Promise<Buffer> {
    let chunks: Buffer[] = [];
    await this.runInto(sql, opts, {
      write: (chunk) => void chunks.push(chunk),
      reset: () => void (chunks = []),
    });
    return Buffer.concat(chunks);
  }

  /**
   * run() without holding the answer: each chunk goes to `sink` as it arrives (a big answer is
   * decoded while it is read). A read sent again after its connection broke calls `sink.reset()`
   * first, so the sink starts over.
   */
  async runInto(sql: string, opts: RunOptions, sink: AnswerSink): Promise<void> {
    // wait_end_of_query: the server buffers the answer, so an error that happens mid-query comes
    // back as an HTTP error instead of text appended to a 200 response. It is an HTTP parameter,
    // not a setting, so readonly=1 users may send it too.
    const buffered: RunOptions = { ...opts, settings: { wait_end_of_query: 1, ...opts.settings } };
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > 1) sink.reset();
        for await (const chunk of this.stream(sql, buffered)) sink.write(chunk);
        return;
      } catch (err) {
        const again =
          opts.readOnly &&
          attempt < READ_ATTEMPTS &&
          !(opts.values && !Buffer.isBuffer(opts.values)) &&
          !opts.signal?.aborted &&
          err instanceof ClickHouseUnavailableError &&
          // ECONNRESET, EPIPE or a socket hang-up (classify)
          err.code === 'CLICKHOUSE_CONNECTION_LOST';
        if (!again) throw err;
        await sleep(100 * attempt);
      }
    }
  }

  /**
   * Runs one statement and yields its answer chunk by chunk as it arrives, so a big answer never
   * sits in memory (a slow consumer holds back the socket). Unless the settings ask for
   * wait_end_of_query (run() does), the server does not wait for the end of the query: an error
   * met after the first bytes were sent arrives as text at the end of a 200 answer, so the caller's
   * format must reveal it (JSONCompact's trailer does). The signal, or the consumer leaving the
   * loop early, drops the request and kills the server query.
   */
  async *stream(sql: string, opts: RunOptions = {}): AsyncGenerator<Buffer, void, undefined> {
    const { signal } = opts;
    if (signal?.aborted) throw abortReason(signal);
    const queryId = randomUUID();
    const controller = new AbortController();
    let killed: Promise<void> | undefined;
    let finished = false;
    const stop = (): void => {
      killed ??= this.kill(queryId);
      controller.abort();
    };
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const client = await this.clientNow();
      const result = await client.exec({
        query: asSent(sql),
        query_id: queryId,
        abort_signal: controller.signal,
        clickhouse_settings: { ...this.settings, ...opts.settings },
        http_headers: { ...bodyLength(asSent(sql), opts.values), ...opts.headers },
        ...(opts.values
          ? { values: Buffer.isBuffer(opts.values) ? Readable.from([opts.values]) : opts.values }
          : {}),
      });
      for await (const chunk of result.stream as AsyncIterable<Buffer>) yield chunk;
      finished = true;
    } catch (err) {
      finished = true;
      if (signal?.aborted) {
        await killed;
        throw abortReason(signal);
      }
      throw this.classify(err);
    } finally {
      signal?.removeEventListener('abort', stop);
      // The consumer left the loop early (return() or its own error): the query must not run on.
      if (!finished) {
        stop();
        await killed;
      }
    }
  }

  /** Rows of a small metadata query, as objects (JSONEachRow: every string arrives escaped). */
  async rows<T>(sql: string, signal?: AbortSignal): Promise<T[]> {
    const text = (await this.run(`${sql}\nFORMAT JSONEachRow`, { signal, readOnly: true })).toString('utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T);
  }

  private async kill(queryId: string): Promise<void> {
    try {
      const query = `KILL QUERY WHERE query_id = ${quoteString(queryId)} SYNC`;
      const client = await this.clientNow();
      await client.command({
        query,
        http_headers: bodyLength(query, undefined),
        abort_signal: AbortSignal.timeout(KILL_TIMEOUT_MS),
      });
    } catch {
      // Best effort: the server may be the reason for the abort; current releases also cancel on
      // connection close (see probe), and 18.16 ends the query by itself.
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = await this.client?.catch(() => null);
    await client?.close();
  }
}

/**
 * The statement as the client sends it: it trims it and drops trailing semicolons, and the
 * Content-Length must count what is sent. Repeated until nothing changes, so the client's own pass
 * changes nothing more.
 */
function asSent(sql: string): string {
  let q = sql;
  for (;;) {
    const next = q.trim().replace(/;+$/, '');
    if (next === q) return q;
    q = next;
  }
}

/**
 * A Content-Length header for a body whose size is known (the statement itself, or a Buffer of
 * values), so it is not sent chunked. Servers before 25.6 (ClickHouse PR 81595) can leave the end
 * of a chunked body ("0\r\n\r\n") unread when it arrives in its own packet; the next request on
 * that keep-alive connection then gets an empty "400 Bad Request" or a reset. Seen with 18.16 on a
 * busy machine. Streamed values (inserts) stay chunked.
 */
function bodyLength(sql: string, values: RunOptions['values']): Record<string, string> {
  if (values === undefined) return { 'Content-Length': String(Buffer.byteLength(sql)) };
  return Buffer.isBuffer(values) ? { 'Content-Length': String(values.length) } : {};
}
