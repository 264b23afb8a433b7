import { InputError } from '../io/types.ts';
import type { SourceConfig } from '../protocol.ts';
import { DemoCatalog } from './demo-catalog.ts';
import type { OfferSource } from './types.ts';

export async function openSource(config: SourceConfig): Promise<OfferSource> {
  if (config.kind === 'demo') return new DemoCatalog(config.catalogFile);
  throw new InputError(
    'The ClickHouse source is not available in this version; use the demo catalog.',
    'NO_SOURCE',
  );
}
