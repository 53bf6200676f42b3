import Database from 'better-sqlite3';
import { InterruptedError, PartialChangeError, UserError } from '../../errors.js';
import { realpathSync } from 'node:fs';
import { takeLock } from '../lock.js';
import { writeProblem } from '../write-access.js';
import type { Applied, DatasetInfo, ProgressHook, ReadOptions, Row, RowAct, Source } from '../source.js';
import { pagesWithResidue } from './free-space.js';
import { foreignKeys, quote, referencesSql, triggersOf } from './references.js';

/** How long the closing WAL checkpoint waits for readers of older snapshots. */
const CHECKPOINT_WAIT_MS = 2000;

/** Rows per write transaction: the write lock is held for one batch at a time. */
export const BATCH_ROWS = 50_000;

/**
 * A SQLite database. Rows are read and decided inside SQLite through a registered function, so
 * a purge is one pass: `DELETE ... WHERE rowid in batch AND retention_act(...) = 1`, with the
 * redactions of that batch applied in the same transaction.
 */
export class SqliteSource implements Source {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly tables = new Map<string, Table>();
  private release?: () => void;
  onProgress?: ProgressHook;

  constructor(
    readonly path: string,
    readonly options: { readonly: boolean; lockTimeoutMs?: number },
  ) {
    try {
      this.db = new Database(path, { readonly: options.readonly, fileMustExist: true });
      this.db.pragma('busy_timeout = 10000');
      if (!options.readonly) {
        // Deleted means gone (SPEC §3): SQLite otherwise leaves deleted cells in free space, free
        // pages and overflow pages. Both settings are this connection's own; the journal mode
        // stays as the owner set it. A journal left after a commit (PERSIST) is truncated to 0.
        this.db.pragma('secure_delete = ON');
        this.db.pragma('journal_size_limit = 0');
      }
      // SQLite's own tables are sqlite_*; `_` is a LIKE wildcard, hence the escape.
      const rows = this.db
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        .all() as { name: string; sql: string }[];
      const unwritable = writeProblem(realpathSync(path), { inPlace: true, replaced: false });
      const { cascades, references, keyColumns } = foreignKeys(
        this.db,
        rows.map((r) => r.name),
      );
      for (const { name, sql } of rows) {
        const cols = this.db.prepare(`PRAGMA table_info(${quote(name)})`).all() as {
          name: string;
          type: string;
          notnull: number;
          pk: number;
        }[];
        const pk = cols.filter((c) => c.pk > 0);
        // INTEGER PRIMARY KEY (not DESC) is the rowid itself.
        const rowidAlias =
          pk.length === 1 && pk[0].type.toUpperCase() === 'INTEGER' && !/primary\s+key\s+desc/i.test(sql ?? '') ? pk[0].name : undefined;
        // A column may be named rowid: the row's own id is then reached by another of its names.
        const taken = new Set(cols.map((c) => c.name.toLowerCase()));
        const rowid = ['rowid', '_rowid_', 'oid'].find((r) => !taken.has(r));
        this.tables.set(name, {
          rowid,
          mayHoldBigIntegers: new Set(cols.filter((c) => mayHoldIntegers(c.type) && c.name !== rowidAlias).map((c) => c.name)),
          rowidAlias,
          name,
          location: `table ${name} in ${path}`,
          stableRef: true,
          columns: cols.map((c) => c.name),
          notNull: new Set(cols.filter((c) => c.notnull || c.pk).map((c) => c.name)),
          cascades: cascades.get(name) ?? [],
          referencedBy: references.get(name) ?? [],
          keyColumns: [...(keyColumns.get(name) ?? [])],
          triggers: triggersOf(this.db, name),
          withoutRowid: /without\s+rowid/i.test(sql ?? ''),
          unwritable,
        });
      }
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot open SQLite database ${path}: ${(e as Error).message}`);
    }
  }

  datasets(): ReadonlyMap<string, DatasetInfo> {
    return this.tables;
  }

  files(): string[] {
    return [this.path];
  }

  lock(): string[] {
    this.release ??= takeLock(`${this.path}.retention-lock`, `database ${this.path}`, this.options.lockTimeoutMs);
    return [];
  }

  private table(dataset: string) {
    const t = this.tables.get(dataset);
    if (!t) throw new UserError(`no table ${dataset} in ${this.path}`);
    if (t.withoutRowid)
      throw new UserError(`table ${dataset} in ${this.path} is a WITHOUT ROWID table, which retention does not support yet`);
    if (!t.rowid)
      throw new UserError(
        `table ${dataset} in ${this.path} has columns named rowid, _rowid_ and oid, which hide the id of its rows; retention cannot address them`,
      );
    return t;
  }

  async scan(dataset: string, columns: readonly string[], visit: (row: Row) => void, options: ReadOptions = {}): Promise<void> {
    const { args, exactRef } = this.arguments(this.table(dataset), columns, options);
    let failure: unknown;
    const tick = this.ticker(dataset);
    const n = columns.length;
    this.db.function('retention_visit', { varargs: true, deterministic: false }, (...row: unknown[]) => {
      exactRef(row);
      try {
        visit(row);
      } catch (e) {
        failure ??= e;
      }
      tick();
      return 0;
    });
    // count(*) with the function in WHERE: SQLite walks the table and calls back per row,
    // far cheaper than returning every row to JavaScript through iterate().
    try {
      this.db.prepare(`SELECT count(*) FROM ${quote(dataset)} WHERE retention_visit(${args})`).get();
    } catch (e) {
      if (!isSqliteError(e)) throw e;
      throw new UserError(`cannot read table ${dataset} in ${this.path}: ${sqliteProblem(e)}`);
    }
    if (failure) throw failure;
  }

  async apply(dataset: string, columns: readonly string[], act: (row: Row) => RowAct, options: ReadOptions = {}): Promise<Applied> {
    const info = this.table(dataset);
    const { args, exactRef, bounds } = this.arguments(info, columns, options);
    const t = quote(dataset);
    const n = columns.length;
    const redactions: { rowid: number | bigint; cols: readonly number[] }[] = [];
    const rowid = info.rowid!;
    let failure: unknown;
    let decidedDeletes = 0,
      seen = 0;
    const tick = this.ticker(dataset);
    this.db.function('retention_act', { varargs: true, deterministic: false }, (...row: unknown[]) => {
      tick();
      seen++;
      exactRef(row);
      let a: RowAct;
      try {
        a = act(row);
      } catch (e) {
        failure ??= e;
        return 0;
      }
      if (a === 'delete') {
        decidedDeletes++;
        return 1;
      }
      if (a !== 'keep') redactions.push({ rowid: row[n] as number | bigint, cols: a });
      return 0;
    });
    if (bounds.lo === null || bounds.hi === null) return { deleted: 0, redacted: 0, batches: 0 };
    const last = bounds.hi;
    // Where rowids are dense, a batch is simply the next BATCH_ROWS rowids. Where they are sparse
    // the batch ends at the BATCH_ROWS-th next row, found by walking rowids (a second read of
    // the table's pages, so only when the last batch held under a quarter of its range).
    const nextHi = this.db
      .prepare(`SELECT ${rowid} FROM ${t} WHERE ${rowid} >= ? ORDER BY ${rowid} LIMIT 1 OFFSET ${BATCH_ROWS - 1}`)
      .pluck()
      .safeIntegers(true);
    const del = this.db.prepare(`DELETE FROM ${t} WHERE ${rowid} >= ? AND ${rowid} <= ? AND retention_act(${args}) = 1`);
    const updates = new Map<string, Database.Statement>();
    const update = (cols: readonly number[]) => {
      const k = cols.join(',');
      let s = updates.get(k);
      if (!s) {
        s = this.db.prepare(`UPDATE ${t} SET ${cols.map((i) => `${quote(columns[i])} = NULL`).join(', ')} WHERE ${rowid} = ?`);
        updates.set(k, s);
      }
      return s;
    };
    let deleted = 0,
      redacted = 0,
      batches = 0;
    // Counted per batch and added once it commits: a rolled-back batch changed nothing.
    let batchRedacted = 0,
      batchDeleted = 0;
    const batch = this.db.transaction((lo: bigint, hi: bigint) => {
      decidedDeletes = 0;
      seen = 0;
      redactions.length = 0;
      batchRedacted = 0;
      const changes = del.run(lo, hi).changes;
      if (failure) throw failure;
      if (changes !== decidedDeletes)
        throw new Error(`internal: ${decidedDeletes} rows decided for deletion but ${changes} deleted; batch rolled back`);
      for (const r of redactions) batchRedacted += update(r.cols).run(r.rowid).changes;
      batchDeleted = changes;
    });
    const span = BigInt(BATCH_ROWS);
    // A table whose rows refer to each other is changed in one transaction: a batch must not
    // free rows that the references checked in a later batch (and in the dry run) still held.
    const whole = info.referencedBy.some((r) => r.table === info.name);
    const stopped = () => {
      const reason = options.signal?.reason;
      return new InterruptedError(
        `stopped by ${reason} after a committed batch: ${deleted} rows of ${info.location} deleted and ${redacted} redacted`,
        String(reason),
        { deleted, redacted },
      );
    };
    let from = bounds.lo,
      dense = true;
    for (;;) {
      if (options.signal?.aborted) throw stopped();
      const to: bigint = whole
        ? last
        : dense
          ? last - from < span
            ? last
            : from + span - 1n
          : ((nextHi.get(from) as bigint | undefined) ?? last);
      try {
        batch(from, to);
      } catch (e) {
        options.afterRollback?.();
        if (!isSqliteError(e)) throw e;
        throw new PartialChangeError(
          `cannot change ${info.location}: ${sqliteProblem(e)}; the batch of rowids ${from} to ${to} was rolled back, ${deleted} rows deleted and ${redacted} redacted before it stay so`,
          { deleted, redacted },
        );
      }
      deleted += batchDeleted;
      redacted += batchRedacted;
      batches++;
      options.afterCommit?.();
      if (to >= last) break;
      dense = BigInt(seen) * 4n >= to - from + 1n;
      from = to + 1n;
      // Between batches the event loop runs, so that a signal can ask the purge to stop here.
      await new Promise((r) => setImmediate(r));
    }
    return { deleted, redacted, batches };
  }

  /**
   * After a purge that changed something: the bytes of what it deleted and redacted must be gone
   * from the files. In WAL mode the old pages stay in the database file until a checkpoint copies
   * the new ones over them, so the WAL is checkpointed and truncated (readers of an older
   * snapshot can keep that from completing). `secure_delete` zeroes what the purge frees, but
   * copies SQLite made earlier when it moved rows between pages (always without secure_delete,
   * and in page rebalancing even with it) stay in free space until VACUUM rebuilds the file.
   * Returns why bytes may remain, if they may.
   */
  async finish(options: { vacuum: boolean }): Promise<string | undefined> {
    if (options.vacuum) {
      try {
        this.db.exec('VACUUM');
      } catch (e) {
        if (!isSqliteError(e)) throw e;
        return `VACUUM of ${this.path} failed (${sqliteProblem(e)}); the purge itself is done, but bytes of deleted values may remain in free space until it succeeds`;
      }
    }
    if (!this.checkpoint()) {
      return `other connections to ${this.path} kept its WAL checkpoint from completing, so the bytes of deleted and redacted values stay in the database file until SQLite's next checkpoint; run again when they are done`;
    }
    const { pages } = pagesWithResidue(this.path);
    if (pages === 0) return undefined;
    return `${pages} pages of ${this.path} hold bytes in their free space: copies SQLite left when it moved rows between pages, where values deleted or redacted now may still be read; run with --vacuum to rebuild the file (or sqlite3 ${this.path} VACUUM)`;
  }

  /** In WAL mode, checkpoints and truncates the WAL; false when other connections kept it from completing. */
  private checkpoint(): boolean {
    if (String(this.db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return true;
    this.db.pragma(`busy_timeout = ${CHECKPOINT_WAIT_MS}`);
    try {
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      return !r.busy && r.log === r.checkpointed;
    } finally {
      this.db.pragma('busy_timeout = 10000');
    }
  }

  /**
   * The function's arguments: the columns, then the rowid. A JS number rounds integers beyond
   * 2^53, so where a column may hold one (and for rowids, when the table has one), SQLite hands
   * it over as its digits: keys, hashes and redactions stay exact. Elsewhere the plain value
   * costs nothing extra.
   */
  private arguments(t: Table, columns: readonly string[], options: ReadOptions) {
    const rowid = t.rowid!;
    // Rowids are 64-bit: the bounds are BigInt so that no batch range is rounded. One min() or
    // max() per SELECT is a b-tree seek; both in one SELECT would read the whole table.
    const bounds = this.db
      .prepare(`SELECT (SELECT min(${rowid}) FROM ${quote(t.name)}) AS lo, (SELECT max(${rowid}) FROM ${quote(t.name)}) AS hi`)
      .safeIntegers(true)
      .get() as { lo: bigint | null; hi: bigint | null };
    const bigRowids = bounds.lo !== null && bounds.hi !== null && (bounds.lo < -MAX_EXACT || bounds.hi > MAX_EXACT);
    // A rowid beyond 2^53 arrives as its digits: the row reference becomes a BigInt again.
    const n = columns.length;
    const exactRef = (row: unknown[]) => {
      if (bigRowids && typeof row[n] === 'string') row[n] = BigInt(row[n] as string);
    };
    const exact = exactSql;
    const wanted = options.exactColumns ? new Set(options.exactColumns) : undefined;
    const arg = (c: string) =>
      (t.mayHoldBigIntegers.has(c) && (!wanted || wanted.has(c))) || (bigRowids && c === t.rowidAlias) ? exact(quote(c)) : quote(c);
    const values = [...columns.map(arg), bigRowids ? exact(rowid) : rowid].join(', ');
    if (t.referencedBy.length === 0) return { args: values, exactRef, bounds };
    // Whether another table still refers to the row, looked up only for the candidates (the
    // rows about to be deleted): without an index on the referring columns each lookup reads
    // that table, as SQLite's own check on delete would.
    const candidate = options.candidate;
    this.db.function('retention_candidate', { varargs: true, deterministic: false }, (...row: unknown[]) => {
      exactRef(row);
      return candidate!(row) ? 1 : 0;
    });
    const refers = this.refersSql(t, quote(t.name), options.going, 'retention_ref', [t.name]);
    return {
      args: `${values}, ${candidate ? `CASE WHEN retention_candidate(${values}) THEN ${refers} ELSE 0 END` : `(${refers})`}`,
      exactRef,
      bounds,
    };
  }

  /**
   * SQL: rows of other tables still refer to the row of `t` reached as `ref` (its name or an
   * alias). Rows of a dataset in `going` count only if they stay; whether they stay may depend
   * on their own referring rows, hence the recursion (tables that refer to each other are
   * refused before, a table that refers to itself counts all its rows).
   */
  private refersSql(t: Table, ref: string, going: ReadOptions['going'], prefix: string, path: readonly string[]): string {
    return t.referencedBy
      .map((r, i) => {
        const name = `${prefix}${i}`;
        const child = this.tables.get(r.table);
        const g = r.table !== t.name && !path.includes(r.table) ? going?.get(r.table) : undefined;
        if (!g || !child?.rowid) return referencesSql(this.db, ref, r, name, child?.rowidAlias);
        const alias = quote(name);
        const args = [
          ...g.columns.map((c) => (child.mayHoldBigIntegers.has(c) ? exactSql(`${alias}.${quote(c)}`) : `${alias}.${quote(c)}`)),
          `${alias}.${child.rowid}`,
        ];
        if (child.referencedBy.length) args.push(`(${this.refersSql(child, alias, going, `${name}_`, [...path, r.table])})`);
        const fn = `retention_goes_${name}`;
        this.db.function(fn, { varargs: true, deterministic: false }, (...row: unknown[]) => (g.goes(row) ? 1 : 0));
        return referencesSql(this.db, ref, r, name, child.rowidAlias, `NOT ${fn}(${args.join(', ')})`);
      })
      .join(' OR ');
  }

  /** Counts rows and reports every 64k of them, when someone listens. */
  private ticker(dataset: string): () => void {
    const hook = this.onProgress;
    if (!hook) return () => {};
    const total = (this.db.prepare(`SELECT count(*) AS n FROM ${quote(dataset)}`).get() as { n: number }).n;
    let n = 0;
    return () => {
      if ((++n & 0xffff) === 0) hook(dataset, n, total, 'rows');
    };
  }

  close(): void {
    this.release?.();
    if (this.db.open) this.db.close();
  }
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** An integer beyond 2^53 as its digits; typeof first, as every text and blob compares greater than any number. */
const exactSql = (c: string) =>
  `CASE WHEN typeof(${c}) = 'integer' AND (${c} > ${MAX_EXACT} OR ${c} < -${MAX_EXACT}) THEN CAST(${c} AS TEXT) ELSE ${c} END`;

const isSqliteError = (e: unknown): e is Error & { code: string } =>
  typeof (e as { code?: unknown })?.code === 'string' && (e as { code: string }).code.startsWith('SQLITE_');

/** SQLite's message, with what to do about the common ones. */
function sqliteProblem(e: Error & { code: string }): string {
  if (e.code.startsWith('SQLITE_BUSY')) return `${e.message} (another program holds the write lock; run again when it is done)`;
  if (e.code.startsWith('SQLITE_READONLY')) return `${e.message} (the file or its directory cannot be written by this user)`;
  if (e.code.startsWith('SQLITE_CORRUPT') || e.code.startsWith('SQLITE_NOTADB'))
    return `${e.message} (the database file is damaged; restore it or run sqlite3's .recover)`;
  if (e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return `${e.message} (a row still referred to by another table)`;
  return e.message;
}

interface Table extends DatasetInfo {
  readonly withoutRowid: boolean;
  /** The name that reaches the row's id (rowid, unless a column has that name); none: unaddressable. */
  readonly rowid?: string;
  readonly mayHoldBigIntegers: ReadonlySet<string>;
  readonly rowidAlias?: string;
}

/** Whether a column of this declared type can hold an integer as an integer (not TEXT or REAL affinity, SQLite §3.1). */
function mayHoldIntegers(type: string): boolean {
  const t = type.toUpperCase();
  if (t.includes('INT')) return true;
  return !/CHAR|CLOB|TEXT|REAL|FLOA|DOUB/.test(t);
}

/** True when the file starts with the SQLite header. */
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\0');
