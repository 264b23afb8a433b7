// The settings' shape alone (zod only), so the renderer can share it without Node modules.
import { z } from 'zod';

const limits = z.object({ softSeconds: z.number().positive(), hardSeconds: z.number().positive() });

/** Where the app's ClickHouse source is; the password is a secret (see secrets.ts), never here. */
export const ClickHouseSettings = z
  .object({
    url: z
      .string()
      .trim()
      .max(2000)
      .regex(/^https?:\/\/[^\s]+$/i, 'the ClickHouse URL must start with http:// or https://'),
    database: z.string().trim().min(1, 'give a database name').max(200),
    user: z.string().trim().max(200),
  })
  .strict();
export type ClickHouseSettings = z.infer<typeof ClickHouseSettings>;

/** Team mode (a shared Redis queue); the password is a secret, never here. */
export const TeamSettings = z
  .object({
    enabled: z.boolean(),
    url: z
      .string()
      .trim()
      .max(2000)
      .regex(/^rediss?:\/\/[^\s]+$/i, 'the Redis URL must start with redis:// or rediss://'),
    user: z.string().trim().max(200),
    /** A PEM file with the CA of a rediss:// server with a private CA (besides the default CAs); empty: none. */
    caFile: z.string().trim().max(4096).optional(),
    /** The queue prefix shared by everyone in the team. */
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a team name is 1 to 64 letters, digits, - or _'),
    /** This computer takes team jobs too. */
    runJobs: z.boolean(),
    /** A crossdock with more lines than this is split into parts run by several workers (PRODUCT.md, Team mode). */
    splitLines: z.number().int().min(1000).max(100_000_000).optional(),
  })
  .strict();
export type TeamSettings = z.infer<typeof TeamSettings>;

/** The default number of lines past which a team crossdock is split into parts. */
export const DEFAULT_SPLIT_LINES = 200_000;

/** A watched folder: every spreadsheet saved into it becomes a crossdock with these options (PRODUCT.md, Hot folders). */
export const HotFolder = z
  .object({
    dir: z.string().trim().min(1, 'choose a folder to watch').max(4096),
    list: z.string().trim().min(1, 'choose a supplier list').max(200),
    analogs: z.enum(['off', 'missing', 'always']),
    /** Where results go; null: the watched folder's own "results" subfolder. */
    outDir: z.string().trim().max(4096).nullable(),
    lang: z.enum(['en', 'ru']),
    enabled: z.boolean(),
  })
  .strict();
export type HotFolder = z.infer<typeof HotFolder>;

export const Settings = z.object({
  concurrency: z.number().int().min(1).max(64),
  retentionDays: z.number().int().min(1).max(3650),
  maxAttempts: z.number().int().min(1).max(20),
  /** First retry delay; each next one doubles, with jitter. */
  backoffSeconds: z.number().min(0).max(3600),
  backoffMaxSeconds: z.number().min(0).max(86_400),
  timeLimits: z.object({ crossdock: limits, 'catalog-import': limits, export: limits }),
  defaultOutDir: z.string().max(4096).nullable(),
  /** How often a long crossdock saves a checkpoint to resume from after a crash. */
  checkpointSeconds: z.number().min(0.1).max(3600),
  /** The offers source new jobs use: the embedded demo catalog or the ClickHouse server below. */
  source: z.enum(['demo', 'clickhouse']),
  clickhouse: ClickHouseSettings.nullable(),
  team: TeamSettings.nullable(),
  /** Native notification when a job ends. */
  notifications: z.boolean(),
  /** UI language; null follows the system. */
  language: z.enum(['en', 'ru']).nullable(),
  /** Closing the window while jobs run: keep running in the tray, or ask. */
  closeWhileRunning: z.enum(['tray', 'ask']),
  /** Prices are compared and totals given in this currency (through the rates table). */
  baseCurrency: z
    .string()
    .trim()
    .transform((v) => v.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{3}$/, 'a currency is three letters, such as RUB, EUR or USD')),
  /** The name comments are signed with; null: the operating system's user name. */
  userName: z.string().trim().min(1).max(200).nullable(),
  /** Watched folders (Hot folders). */
  hotFolders: z.array(HotFolder).max(50),
  /** Look for app updates at start (when the build has an update URL). */
  checkUpdates: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;

/** The secrets the app keeps (encrypted with the OS keychain through Electron's safeStorage). */
export const SECRET_NAMES = ['clickhouse-password', 'redis-password'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/**
 * How the app's secrets are kept at rest:
 * - `encrypted`: by the OS keychain (Electron safeStorage: Keychain, DPAPI, libsecret/kwallet);
 * - `plain-text`: safeStorage fell back to its "basic_text" backend on Linux (no keyring): the
 *   settings screen warns;
 * - `environment`: not stored at all, read from CROSSDOCK_*_PASSWORD (the CLI);
 * - `unavailable`: no way to keep them; setting one fails with a sentence.
 */
export type SecretStorage = 'encrypted' | 'plain-text' | 'environment' | 'unavailable';

/** Exponential backoff with jitter: attempt 1 waits ~base, then doubling, capped. */
export function backoffMs(s: Settings, attempt: number, random = Math.random): number {
  const exp = Math.min(s.backoffMaxSeconds, s.backoffSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * 1000 * (0.5 + random() * 0.5));
}
