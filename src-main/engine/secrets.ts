import { CodedError } from '../common/errors.ts';
import type { SecretName, SecretStorage } from '../common/settings-schema.ts';
import type { JobStore } from './store.ts';

export type { SecretName, SecretStorage };

export interface SecretStore {
  readonly storage: SecretStorage;
  get(name: SecretName): string | null;
  /** Stores a secret; null forgets it. */
  set(name: SecretName, value: string | null): void;
  has(name: SecretName): boolean;
}

/** What encrypts: Electron's safeStorage in the app, a stand-in in tests and the browser bridge. */
export interface Cipher {
  readonly storage: Exclude<SecretStorage, 'environment'>;
  encrypt(text: string): Buffer;
  decrypt(data: Buffer): string;
}

/** Secrets encrypted by a cipher and kept in the settings table as base64 (`secret:<name>`). */
export class StoredSecrets implements SecretStore {
  constructor(
    private readonly store: JobStore,
    private readonly cipher: Cipher,
  ) {}

  get storage(): SecretStorage {
    return this.cipher.storage;
  }

  get(name: SecretName): string | null {
    const stored = this.store.getSetting<string>(`secret:${name}`);
    if (typeof stored !== 'string' || !stored) return null;
    try {
      return this.cipher.decrypt(Buffer.from(stored, 'base64'));
    } catch {
      // Encrypted by another user or machine's keychain: as good as unset.
      return null;
    }
  }

  has(name: SecretName): boolean {
    return this.get(name) !== null;
  }

  set(name: SecretName, value: string | null): void {
    if (value === null || value === '') {
      this.store.setSetting(`secret:${name}`, null);
      return;
    }
    if (this.cipher.storage === 'unavailable') throw new CodedError('NO_SAFE_STORAGE', {});
    this.store.setSetting(`secret:${name}`, this.cipher.encrypt(value).toString('base64'));
  }
}

const ENV: Record<SecretName, string> = {
  'clickhouse-password': 'CROSSDOCK_CLICKHOUSE_PASSWORD',
  'redis-password': 'CROSSDOCK_REDIS_PASSWORD',
};

/** The CLI's secrets: the environment, read-only. */
export class EnvironmentSecrets implements SecretStore {
  readonly storage = 'environment' as const;
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  get(name: SecretName): string | null {
    return this.env[ENV[name]] || null;
  }
  has(name: SecretName): boolean {
    return this.get(name) !== null;
  }
  set(): void {
    throw new CodedError('PASSWORDS_FROM_ENVIRONMENT', {});
  }
}
