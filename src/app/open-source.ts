import { closeSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { CsvSource } from '../sources/csv/csv-source.js';
import type { Source } from '../sources/source.js';
import { SQLITE_MAGIC, SqliteSource } from '../sources/sqlite/sqlite-source.js';

export interface SourceOptions {
  readonly readonly: boolean;
  readonly delimiter?: string;
  readonly encoding?: string;
  readonly lockTimeoutMs?: number;
  readonly batchBy?: 'pages' | 'key';
  readonly partitions?: 'rows' | 'drop';
}

/** A PostgreSQL URL, a SQLite file (by extension or header), a CSV file, or a directory of CSV files. */
export async function openSource(path: string, options: SourceOptions): Promise<Source> {
  if (/^postgres(ql)?:\/\//i.test(path)) {
    // Loaded only when used: the driver is not needed for files.
    const { PostgresSource } = await import('../sources/postgres/pg-source.js');
    return PostgresSource.open(path, { lockTimeoutMs: options.lockTimeoutMs, batchBy: options.batchBy, partitions: options.partitions });
  }
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    throw new UserError(`source ${path} does not exist`);
  }
  const csv = { delimiter: options.delimiter ?? ',', encoding: options.encoding, lockTimeoutMs: options.lockTimeoutMs };
  if (st.isDirectory()) return new CsvSource(path, csv);
  // Opening a pipe would wait for a writer; a device is no data set either.
  if (!st.isFile()) throw new UserError(`source ${path} is not a regular file or a directory`);
  if (/\.(db|sqlite3?)$/i.test(path) || hasSqliteHeader(path)) return new SqliteSource(path, options);
  if (/\.csv$/i.test(path)) return new CsvSource(path, csv);
  throw new UserError(
    `cannot tell what ${path} is: give a SQLite database (.db, .sqlite, .sqlite3), a .csv file or a directory of .csv files`,
  );
}

function hasSqliteHeader(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(SQLITE_MAGIC.length);
      return readSync(fd, b, 0, b.length, 0) === b.length && b.equals(SQLITE_MAGIC);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}
