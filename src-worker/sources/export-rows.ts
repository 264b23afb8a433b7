// The rows of an export job (PRODUCT.md "Job kinds" → export), read from either source as a stream:
// first the columns, then batches of typed cells. Nothing here holds more than one batch.
import type { ExportWhat, SourceConfig } from '../protocol.ts';
import type { ExportChunk } from './export-columns.ts';
import { clickHouseRows } from './export-clickhouse.ts';
import { sqliteRows } from './export-sqlite.ts';

/**
 * Streams the rows of an export: a supplier list's offers (ordered by brand, article, price) or a
 * read-only query. Yields `{ columns }` first, then `{ rows }` batches. The signal stops the read
 * (and the server query) within a second and rejects with its reason; leaving the loop early
 * releases everything too.
 */
export async function* exportRows(
  source: SourceConfig,
  what: ExportWhat,
  signal?: AbortSignal,
): AsyncGenerator<ExportChunk, void, undefined> {
  signal?.throwIfAborted();
  if (source.kind === 'demo') yield* sqliteRows(source.catalogFile, what, signal);
  else yield* clickHouseRows(source, what, signal);
}
