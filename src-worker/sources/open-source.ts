import { fileURLToPath } from 'node:url';
import type { SourceConfig } from '../protocol.ts';
import { ClickHouseSource } from './clickhouse.ts';
import { DemoCatalog } from './demo-catalog.ts';
import type { OfferSource } from './types.ts';

/**
 * The worker bundle this code runs from (dist/worker.mjs, or the packaged app's), which also starts
 * demo lookup threads (see worker.ts). Run from TypeScript sources there is no such file.
 */
const bundleFile = import.meta.url.endsWith('.mjs') ? fileURLToPath(import.meta.url) : undefined;

export async function openSource(config: SourceConfig, signal?: AbortSignal): Promise<OfferSource> {
  if (config.kind === 'demo') return new DemoCatalog(config.catalogFile, { lookupThreadFile: bundleFile });
  return ClickHouseSource.open(config, signal);
}
