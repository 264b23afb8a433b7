// The worker side's public surface for the main process: what the engine and the CLI call in their
// own thread (the catalog file, supplier lists, a connection test, demo data) besides running tasks in
// the pool through protocol.ts. The main process imports src-worker only through this file and
// protocol.ts (the layer rules in eslint.config.js say so), so the worker's internals can move freely.
export { CATALOG_FILE, catalogBuildPid, DemoCatalog, ensureDemoCatalog } from './sources/demo-catalog.ts';
export { ClickHouseSource, type ClickHouseConfig } from './sources/clickhouse.ts';
export { createDemoData, type DemoDataOptions } from './sources/clickhouse-demo.ts';
export { openSqlite } from './sources/sqlite.ts';
