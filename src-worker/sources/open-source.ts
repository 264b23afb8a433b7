import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceConfig } from '../protocol.ts';
import { ClickHouseSource } from './clickhouse.ts';
import { DemoCatalog } from './demo-catalog.ts';
import type { OfferSource } from './types.ts';

/**
 * The entry of demo lookup threads, built next to the worker bundle this code runs from
 * (dist/demo-lookup.mjs, or the packaged app's). Run from TypeScript sources there is none, and
 * every lookup runs in the calling thread.
 */
const lookupThreadFile = (() => {
  if (!import.meta.url.endsWith('.mjs')) return undefined;
  const file = join(dirname(fileURLToPath(import.meta.url)), 'demo-lookup.mjs');
  return existsSync(file) ? file : undefined;
})();

export async function openSource(config: SourceConfig, signal?: AbortSignal): Promise<OfferSource> {
  if (config.kind === 'demo') return new DemoCatalog(config.catalogFile, { lookupThreadFile });
  return ClickHouseSource.open(config, signal);
}
