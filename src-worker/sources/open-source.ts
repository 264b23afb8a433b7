import type { SourceConfig } from '../protocol.ts';
import { ClickHouseSource } from './clickhouse.ts';
import { DemoCatalog } from './demo-catalog.ts';
import type { OfferSource } from './types.ts';

export async function openSource(config: SourceConfig, signal?: AbortSignal): Promise<OfferSource> {
  if (config.kind === 'demo') return new DemoCatalog(config.catalogFile);
  return ClickHouseSource.open(config, signal);
}
