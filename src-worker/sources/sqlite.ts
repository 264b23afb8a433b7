import Database from 'better-sqlite3';

/**
 * Opens a SQLite database with the better-sqlite3 build this runtime needs. Node (tests, CLI) loads
 * node_modules' own build; the Electron app sets CROSSDOCK_SQLITE_BINDING to the build made for
 * Electron's ABI, and worker threads inherit it with the environment.
 */
export function openSqlite(file: string, options: Database.Options = {}): Database.Database {
  const nativeBinding = options.nativeBinding ?? process.env.CROSSDOCK_SQLITE_BINDING;
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}
