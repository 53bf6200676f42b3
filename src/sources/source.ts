import type { Change } from '../engine/decision.js';
import type { Forecast } from '../engine/forecast.js';
import type { NextDue } from '../engine/next-due.js';
import type { DatasetPlan } from '../engine/plan.js';
import type { DatasetSummary } from '../engine/tally.js';
import type { Log } from '../util/log.js';

/** Which source a run read or changed: what plans are bound to and outputs name. */
export interface SourceIdentity {
  /** The engine, as plans and run lines name it (sqlite, csv, postgres). */
  readonly kind: string;
  /** Where it is: the resolved real path of a file or directory, or a server and database. */
  readonly path: string;
}

/** What the source knows of one dataset before reading it. */
export interface DatasetInfo {
  readonly name: string;
  readonly columns: readonly string[];
  /** Where it is, for messages: a table of a database, or a CSV file. */
  readonly location: string;
  /** What a row's reference is called, where it stands for a key (`rowid`, `line number`). */
  readonly refName: string;
  /**
   * Datasets whose due records a purge must delete before this one's: their rows refer to
   * records of this one (and hold them while they stay).
   */
  readonly after: readonly string[];
  /** Records of this dataset can be kept because other rows refer to them: reports count `referenced`. */
  readonly mayBeReferenced: boolean;
  /** The rows that can refer to its records, for messages (e.g. `orders(customer_id)`). */
  readonly referencedBy?: string;
  /** Why the columns are likely not the ones meant (a CSV header of one column another delimiter splits): said instead of each missing one. */
  readonly columnsHint?: string;
}

/**
 * One row as a source reads it. The object and its values are reused from row to row: copy
 * what you keep.
 */
export interface Row {
  /**
   * The values of the plan's columns, in that order (a source may pass more after them). Integers
   * beyond 2^53 come as their digits.
   */
  values: unknown[];
  /** The row's reference in the source: a SQLite rowid (a BigInt beyond 2^53), a CSV line number, a PostgreSQL ctid. */
  ref: number | bigint | string;
  /** Rows elsewhere still refer to it, so the source cannot delete it. */
  referenced: boolean;
  /** Why the source cannot rewrite (redact) it exactly, if it cannot. */
  unwritable?: string;
}

/**
 * A record deleted or redacted, or to be: the one thing that record listings, receipts and plan
 * files are made from. Valid only during the call it is passed to; its parts are computed when
 * asked, since most consumers need few of them.
 */
export interface Acted {
  readonly dataset: string;
  readonly decision: Change;
  /** The row's reference (rowid, line number), as text for values beyond 2^53. */
  readonly ref: number | string;
  /** The key column's value as text, else the reference. */
  key(): string;
  /** What finds the record again in a later run: its key, a reference that stays with it, or its content. */
  match(): string;
  /** SHA-256 of the values the decision read. */
  valuesHash(): string;
  /** The governing rule's due instant. */
  due(): string | undefined;
}

/** Where a source sends what it decides, besides the counts it returns. */
export interface Sink {
  /** A record decided for deletion or redaction (when writing: before its batch commits). */
  act(a: Acted): void;
  /** A record kept because a value could not be read. */
  doubt?(key: string, problem: string): void;
  /** The changes sent since the last commit or rollback are committed (their receipts are due). */
  commit?(batch?: Batch): void;
  /** The changes sent since the last commit or rollback were rolled back: they did not happen. */
  rollback?(): void;
}

/** A committed batch: how long its transaction held its locks (the wait it caused others at most). */
export interface Batch {
  readonly ms: number;
}

/** A planned record, as a saved plan holds it. */
export interface PlannedRecord {
  readonly action: 'delete' | 'redact';
  readonly policy: string;
  readonly rule: string;
  readonly columns?: readonly string[];
  readonly values: string;
}

/** The records of a saved plan for one dataset, found by what identifies them. */
export interface PlannedSet {
  /** The unused planned record with this identity (one with the same values first), and takes it. */
  take(match: string, values: string): PlannedRecord | undefined;
}

/** How to evaluate a dataset's plan. */
export interface Request {
  /** read: decide and count, change nothing; write: carry the changes out. */
  readonly mode: 'read' | 'write';
  /** The plans of the run's other datasets: a source whose datasets refer to each other decides their rows too. */
  readonly others: ReadonlyMap<string, DatasetPlan>;
  /** Apply a saved plan: act only on its records, unchanged and decided the same way. */
  readonly planned?: PlannedSet;
  /** Collects each rule's next due date (reports). */
  readonly next?: NextDue;
  /** Hears every record kept at asOf, neither held nor invalid (report --horizon, --due-within). */
  readonly forecast?: Forecast;
  /**
   * The sink wants each record acted on (a records listing, a plan file, receipts). Without it
   * a source that counts in the database sends nothing, and pulls no rows it can decide itself.
   */
  readonly wants?: boolean;
  /**
   * What is wanted of each record is its key alone (receipts, without a records listing or a plan
   * file): a source may send the other values as null.
   */
  readonly keysOnly?: boolean;
  /** Aborted by a signal: stop after the batch in progress, or before changing anything. */
  readonly signal?: AbortSignal;
  /** For debug and trace lines: what the source chose to do (its SQL, its scan). */
  readonly log?: Log;
}

/** Progress of a scan: rows of a total (SQLite) or bytes of the file size (CSV). */
export type ProgressHook = (dataset: string, done: number, total: number, unit: 'rows' | 'bytes') => void;

/**
 * The one small interface every source implements, each in its own way: row by row (CSV, and
 * SQLite through a function SQLite calls), or by compiling the plan to SQL. What only one engine
 * knows (SQLite triggers and foreign keys, CSV hard links) stays inside it and reaches the app
 * as values: refusals, row facts, notes.
 */
export interface Source {
  readonly identity: SourceIdentity;
  /**
   * A dataset can turn out unreadable halfway (a malformed CSV record): a purge of several
   * datasets reads them all before its first change. One dataset's changes land at once (a CSV
   * file is renamed into place when whole), so a purge of one reads it once.
   */
  readonly readsBeforeChanging: boolean;
  /** Called now and then during long reads, when set. */
  onProgress?: ProgressHook;
  /** The datasets in the source, by name. */
  datasets(): ReadonlyMap<string, DatasetInfo>;
  /** Why a purge by this plan could not be carried out as it must (and so is refused before anything is read). */
  refusals(plan: DatasetPlan): string[];
  /** What the source looks like now, for a plan's header (files and their sizes and times, or a server's state). */
  fingerprint(): Record<string, unknown>;
  /** Takes the source's run lock: one purge at a time. Returns what it cleaned up that killed runs left, to be said. */
  lock(): Promise<string[]>;
  /** Reads the rows of a dataset with the plan's columns and the source's facts; with `key`, only the rows with that key. */
  rows(plan: DatasetPlan, request: Request, visit: (row: Row) => void, key?: string): Promise<void>;
  /**
   * Decides every record of the plan's dataset, in source order, and counts them; the records
   * to delete or redact go to the sink. Writing, it carries them out: in batches, each committed
   * whole (the sink hears of each commit), or by replacing a file.
   */
  evaluate(plan: DatasetPlan, request: Request, sink: Sink): Promise<DatasetSummary>;
  /**
   * After a purge that changed something: makes what it deleted and redacted unreadable in the
   * source's files where that takes more than the changes themselves (SQLite: WAL checkpoint,
   * VACUUM when asked), and says why bytes of it may still be readable, if they may.
   */
  finish?(options: { vacuum: boolean | 'full' }): Promise<string | undefined>;
  close(): void | Promise<void>;
}
