/** What the source knows of one dataset before reading it. */
export interface DatasetInfo {
  readonly name: string;
  readonly columns: readonly string[];
  /** Where it is, for messages: a table of a database, or a CSV file. */
  readonly location: string;
  /** Whether a row's reference stays with it (SQLite rowid) or moves when other rows go (CSV line number). */
  readonly stableRef: boolean;
  /** Columns that cannot be emptied (SQLite NOT NULL), so redacting them would fail midway. */
  readonly notNull: ReadonlySet<string>;
  /** Other tables whose rows a delete here would delete or change (SQLite ON DELETE actions). */
  readonly cascades: readonly string[];
  /**
   * Foreign keys of other tables that make a delete here fail while a row still refers to the
   * record (SQLite ON DELETE RESTRICT / NO ACTION, enforced).
   */
  readonly referencedBy: readonly Reference[];
  /** Why a purge could not change this dataset as it must (e.g. a CSV file with other hard links). */
  readonly unwritable?: string;
  /** Columns that other tables' foreign keys refer to: redacting them would change or break those rows. */
  readonly keyColumns?: readonly string[];
  /** SQLite triggers a delete or an update (redaction) would fire: they change data no policy decided on. */
  readonly triggers?: { readonly delete: readonly string[]; readonly update: readonly string[] };
}

/** A foreign key of `table` (its `columns`) that refers to `parentColumns` of a dataset. */
export interface Reference {
  readonly table: string;
  readonly columns: readonly string[];
  readonly parentColumns: readonly string[];
}

/**
 * How to read: `candidate` names the rows (those about to be deleted) whose references are
 * checked where the dataset has `referencedBy`; the answer, 1 or 0, is at row[columns.length + 1].
 * Without it every row is checked.
 */
export interface ReadOptions {
  readonly candidate?: (row: Row) => boolean;
  /**
   * Columns whose values must reach the app exactly as text identifies them (keys, where
   * columns): a SQLite integer beyond 2^53 comes as its digits. Default: every column that
   * may hold one. Elsewhere (timestamps, holds, periods) such a value is invalid either way.
   */
  readonly exactColumns?: readonly string[];
  /**
   * The datasets this run deletes from before this one, with how to tell a row that goes: rows
   * of theirs that refer to a record but go do not keep it (SQLite). For a report or a dry run,
   * which cannot see those deletions; a purge has made them by then.
   */
  readonly going?: ReadonlyMap<string, { readonly columns: readonly string[]; goes(row: Row): boolean }>;
  /** apply: after each committed batch (its receipts are due), outside the transaction. */
  readonly afterCommit?: () => void;
  /** apply: after a batch was rolled back (the changes noted for it did not happen). */
  readonly afterRollback?: () => void;
  /** Aborted by a signal: stop after the batch in progress (InterruptedError), or before changing anything. */
  readonly signal?: AbortSignal;
}

/** What to do with one row: keep it, delete it, or empty these columns (indices into the row). */
export type RowAct = 'keep' | 'delete' | readonly number[];

/**
 * A row as read: the values of the requested columns, in that order, then the row's own
 * reference (SQLite rowid, CSV line number) at index `columns.length`. The array is reused
 * between rows: copy what you keep. SQLite integers beyond 2^53 come as their digits (text) in
 * columns that may hold them, and as a BigInt for the rowid: never rounded.
 */
export type Row = readonly unknown[];

/** What apply changed; `batches`: the write transactions it took (SQLite). */
export interface Applied {
  deleted: number;
  redacted: number;
  batches?: number;
}

/** Progress of a scan: rows of a total (SQLite) or bytes of the file size (CSV). */
export type ProgressHook = (dataset: string, done: number, total: number, unit: 'rows' | 'bytes') => void;

/** The one small interface both SQLite and CSV sources implement. */
export interface Source {
  readonly kind: 'sqlite' | 'csv';
  readonly path: string;
  /** Called now and then during scan and apply, when set. */
  onProgress?: ProgressHook;
  /** The datasets in the source, by name. */
  datasets(): ReadonlyMap<string, DatasetInfo>;
  /** Reads every row of a dataset in order; changes nothing. */
  scan(dataset: string, columns: readonly string[], visit: (row: Row) => void, options?: ReadOptions): Promise<void>;
  /**
   * Acts on every row of a dataset as `act` says: SQLite in batched transactions, CSV by
   * writing a new file and renaming it over the old one. Returns rows deleted and redacted.
   */
  apply(dataset: string, columns: readonly string[], act: (row: Row) => RowAct, options?: ReadOptions): Promise<Applied>;
  /** The files that hold the data (for a plan's fingerprint). */
  files(): string[];
  /**
   * Whether the row being visited can be rewritten (redacted) without changing the bytes of its
   * other fields; asked only of rows to redact. Absent: always.
   */
  rewritable?(): boolean;
  /**
   * After a purge that changed something: makes what it deleted and redacted unreadable in the
   * source's files where that takes more than the changes themselves (SQLite: WAL checkpoint,
   * VACUUM when asked), and says why bytes of it may still be readable, if they may.
   */
  finish?(options: { vacuum: boolean }): Promise<string | undefined>;
  /** Takes the source's run lock: one purge at a time. Returns what it cleaned up that earlier runs left, to be said. */
  lock(): string[];
  close(): void;
}
