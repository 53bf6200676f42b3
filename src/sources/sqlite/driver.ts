import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

// The native driver, loaded when a SQLite file or a saved plan is first opened: a PostgreSQL or
// CSV run never needs it, and loading it costs ~4 ms of every start.
let loaded: typeof Database | undefined;

/** better-sqlite3's Database class. */
export function sqliteDriver(): typeof Database {
  loaded ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return loaded;
}
