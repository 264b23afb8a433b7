// Where a job's offers come from, as this process sees it: the demo catalog in the data folder, or
// a ClickHouse server (this process's flags or environment, else the settings, with the password
// from the secret store). A job records the server it reads, never the password.
import type { SourceConfig } from '../../src-worker/protocol.ts';
import {
  ClickHouseSource,
  DemoCatalog,
  ensureDemoCatalog,
  type ClickHouseConfig,
} from '../../src-worker/api.ts';
import type { ClickHouseTestResult } from '../common/contract.ts';
import { errorInfo } from '../common/errors.ts';
import type { Settings } from '../common/settings-schema.ts';
import type { SecretStore } from './secrets.ts';
import { SubmitError } from './submit-error.ts';

export type RecordedClickHouse = { url: string; database: string; user?: string };

export class Sources {
  constructor(
    private readonly dataDir: string,
    private readonly settings: () => Settings,
    private readonly secrets: SecretStore,
    /** This process's connection (CLI flags or environment), over the stored settings. */
    private readonly own: ClickHouseConfig | undefined,
  ) {}

  /** The demo catalog's file, created on first use. */
  catalogFile(): string {
    return ensureDemoCatalog(this.dataDir);
  }

  /** The server a new job records: this process's, else the settings' (never the password). */
  recordable(): RecordedClickHouse | null {
    const where = this.own ?? this.settings().clickhouse;
    if (!where) return null;
    return { url: where.url, database: where.database, ...(where.user ? { user: where.user } : {}) };
  }

  /** The ClickHouse connection: this engine's, else the one a job recorded plus the environment's credentials. */
  clickhouse(recorded: RecordedClickHouse | null): ClickHouseConfig | null {
    if (this.own) return this.own;
    const mine = this.settings().clickhouse;
    const password = this.secrets.get('clickhouse-password') ?? undefined;
    if (mine && (!recorded || (recorded.url === mine.url && recorded.database === mine.database))) {
      return { url: mine.url, database: mine.database, user: mine.user || undefined, password };
    }
    if (!recorded) return null;
    return {
      ...recorded,
      user: recorded.user ?? process.env.CROSSDOCK_CLICKHOUSE_USER,
      password: this.secrets.storage === 'environment' ? password : process.env.CROSSDOCK_CLICKHOUSE_PASSWORD,
    };
  }

  /** What a task reads offers from, for a job's spec. */
  forSpec(spec: { source: 'demo' | 'clickhouse'; clickhouse?: RecordedClickHouse }): SourceConfig {
    if (spec.source === 'clickhouse') {
      const ch = this.clickhouse(spec.clickhouse ?? null);
      if (!ch) throw new SubmitError('CLICKHOUSE_NOT_CONFIGURED', {});
      return { kind: 'clickhouse', ...ch };
    }
    return { kind: 'demo', catalogFile: this.catalogFile() };
  }

  /** Supplier list names of a source, for pickers and validation. */
  async supplierLists(source: 'demo' | 'clickhouse'): Promise<string[]> {
    const config = source === 'clickhouse' ? this.clickhouse(null) : null;
    if (source === 'clickhouse' && !config) throw new SubmitError('CLICKHOUSE_NOT_CONFIGURED', {});
    const catalog = config ? await ClickHouseSource.open({ ...config }) : new DemoCatalog(this.catalogFile());
    try {
      return await catalog.supplierLists();
    } finally {
      await catalog.close();
    }
  }

  /**
   * Connects to a ClickHouse server as the settings screen's Test button asks: the server's version
   * and its supplier lists, or the reason it failed in one sentence. A missing password means the
   * stored one.
   */
  async test(config: {
    url: string;
    database: string;
    user: string;
    password?: string;
  }): Promise<ClickHouseTestResult> {
    const password = config.password ?? this.secrets.get('clickhouse-password') ?? undefined;
    let source: ClickHouseSource | null = null;
    try {
      source = await ClickHouseSource.open({
        url: config.url,
        database: config.database,
        user: config.user || undefined,
        password,
      });
      const [version, lists] = await Promise.all([source.serverVersion(), source.supplierLists()]);
      return { ok: true, version, lists };
    } catch (err) {
      const info = errorInfo(err);
      return { ok: false, error: info.message, errorCode: info.code, errorParams: info.params };
    } finally {
      await source?.close().catch(() => undefined);
    }
  }
}
