import { realpathSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { decide } from '../../engine/decide.js';
import { KEPT } from '../../engine/decision.js';
import { dueOfStart, laterDueBefore } from '../../engine/next-due.js';
import type { DatasetPlan } from '../../engine/plan.js';
import type { DatasetSummary } from '../../engine/tally.js';
import { asText } from '../../engine/value.js';
import { InterruptedError, PartialChangeError, UserError } from '../../errors.js';
import { takeLock } from '../lock.js';
import { matchBy, RowDecisions } from '../row-decision.js';
import type { DatasetInfo, ProgressHook, Request, Row, Sink, Source, SourceIdentity } from '../source.js';
import { writeProblem } from '../write-access.js';
import { sqliteDriver } from './driver.js';
import { addTally, CLASS, type FastPlan, type FastRule, type FastTally, fastPlan, loadFastFunctions, parseTally } from './fast.js';
import { nativeResidue, pagesWithResidue } from './free-space.js';
import { foreignKeys, quote, type Reference, referencesSql, triggersOf } from './references.js';

/** How long the closing WAL checkpoint waits for readers of older snapshots. */
const CHECKPOINT_WAIT_MS = 2000;

/** Rows per write transaction: the write lock is held for one batch at a time. */
export const BATCH_ROWS = 50_000;
/** Rowids per range of the fast report's aggregate on a terminal: ~0.1 s each. */
const TALLY_SPAN = 1_000_000n;

interface Table extends DatasetInfo {
  readonly withoutRowid: boolean;
  /** The name that reaches the row's id (rowid, unless a column has that name); none: unaddressable. */
  readonly rowid?: string;
  readonly mayHoldBigIntegers: ReadonlySet<string>;
  readonly rowidAlias?: string;
  /** Columns that cannot be emptied (NOT NULL, primary key). */
  readonly notNull: ReadonlySet<string>;
  /** Other tables whose rows a delete here would delete or change (ON DELETE actions). */
  readonly cascades: readonly string[];
  /** Foreign keys of other tables that make a delete here fail while a row still refers to the record. */
  readonly references: readonly Reference[];
  /** Columns that other tables' foreign keys refer to. */
  readonly keyColumns: readonly string[];
  readonly triggers: { readonly delete: readonly string[]; readonly update: readonly string[] };
}

/**
 * A SQLite database. Rows are read and decided inside SQLite through a registered function, so
 * a purge is one pass: `DELETE ... WHERE rowid in batch AND retention_act(...) = 1`, with the
 * redactions of that batch applied in the same transaction.
 */
export class SqliteSource implements Source {
  readonly identity: SourceIdentity;
  readonly readsBeforeChanging = false;
  private readonly db: Database.Database;
  private readonly tables = new Map<string, Table>();
  private readonly unwritable?: string;
  private release?: () => void;
  /** The native functions of the fast path are loaded (fast.ts). */
  private readonly fast: boolean;
  /** Rows decided in SQL by the fast path, and by the engine: for logs and tests. */
  readonly stats = { fast: 0, engine: 0 };
  onProgress?: ProgressHook;

  constructor(
    readonly path: string,
    readonly options: { readonly: boolean; lockTimeoutMs?: number },
  ) {
    this.identity = { kind: 'sqlite', path: realpathSync(path) };
    try {
      this.db = new (sqliteDriver())(path, { readonly: options.readonly, fileMustExist: true });
      this.db.pragma('busy_timeout = 10000');
      this.fast = loadFastFunctions(this.db);
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
      this.unwritable = writeProblem(this.identity.path, { inPlace: true, replaced: false });
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
        const referencedBy = references.get(name) ?? [];
        this.tables.set(name, {
          name,
          location: `table ${name} in ${path}`,
          refName: 'rowid',
          columns: cols.map((c) => c.name),
          after: [...new Set(referencedBy.map((r) => r.table).filter((t) => t !== name))],
          mayBeReferenced: referencedBy.length > 0,
          referencedBy: referencedBy.length ? referencedBy.map((r) => `${r.table}(${r.columns.join(', ')})`).join(', ') : undefined,
          rowid: ['rowid', '_rowid_', 'oid'].find((r) => !taken.has(r)),
          mayHoldBigIntegers: new Set(cols.filter((c) => mayHoldIntegers(c.type) && c.name !== rowidAlias).map((c) => c.name)),
          rowidAlias,
          notNull: new Set(cols.filter((c) => c.notnull || c.pk).map((c) => c.name)),
          cascades: cascades.get(name) ?? [],
          references: referencedBy,
          keyColumns: [...(keyColumns.get(name) ?? [])],
          triggers: triggersOf(this.db, name),
          withoutRowid: /without\s+rowid/i.test(sql ?? ''),
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

  refusals(plan: DatasetPlan): string[] {
    const t = this.table(plan.dataset.name);
    const out: string[] = [];
    const redacts = new Set(plan.rules.flatMap((r) => r.redact));
    for (const c of redacts) if (t.notNull.has(c)) out.push(`${t.location}: column "${c}" is NOT NULL, so it cannot be redacted`);
    if (this.unwritable) out.push(this.unwritable);
    const deletes = plan.rules.some((r) => r.deleteAfter);
    const fired = [...(deletes ? t.triggers.delete : []), ...(redacts.size ? t.triggers.update : [])];
    if (fired.length) {
      out.push(
        `${t.location}: its triggers ${[...new Set(fired)].join(', ')} would run on the purge's deletes or updates and change data no policy decided on; purge a copy without them, or drop them for the purge`,
      );
    }
    const keys = t.keyColumns.filter((c) => redacts.has(c));
    if (keys.length) {
      out.push(
        `${t.location}: column ${keys.join(', ')} is referred to by other tables' foreign keys, so redacting it would change or break their rows; do not redact key columns`,
      );
    }
    if (t.cascades.length > 0) {
      out.push(
        `${t.location}: deleting its rows would also change rows of ${t.cascades.join(', ')} through foreign keys, which no policy decided on; give those tables their own rules and drop the ON DELETE action, or purge them first`,
      );
    }
    return out;
  }

  fingerprint(): Record<string, unknown> {
    const st = statSync(this.identity.path);
    return { [this.identity.path]: { size: st.size, mtimeMs: st.mtimeMs } };
  }

  async lock(): Promise<string[]> {
    this.release ??= takeLock(`${this.path}.retention-lock`, `database ${this.path}`, this.options.lockTimeoutMs);
    return [];
  }

  private table(dataset: string): Table {
    const t = this.tables.get(dataset);
    if (!t) throw new UserError(`no table ${dataset} in ${this.path}`);
    if (t.withoutRowid)
      throw new UserError(`table ${dataset} in ${this.path} is a WITHOUT ROWID table, which retention does not support yet`);
    if (!t.rowid) {
      throw new UserError(
        `table ${dataset} in ${this.path} has columns named rowid, _rowid_ and oid, which hide the id of its rows; retention cannot address them`,
      );
    }
    return t;
  }

  async rows(plan: DatasetPlan, request: Request, visit: (row: Row) => void, key?: string): Promise<void> {
    const isIt = key === undefined ? undefined : (row: Row) => keyText(plan, row) === key;
    await this.scan(
      plan,
      request,
      (row) => {
        if (!isIt || isIt(row)) visit(row);
      },
      isIt ?? (() => true),
    );
  }

  async evaluate(plan: DatasetPlan, request: Request, sink: Sink): Promise<DatasetSummary> {
    const t = this.table(plan.dataset.name);
    const rows = new RowDecisions(
      plan,
      request,
      sink,
      matchBy(plan, (row) => `ref:${String(row.ref)}`),
      t.mayBeReferenced,
    );
    // Only rows about to be deleted need their references looked up.
    const candidate = (row: Row) => decide(plan, row.values).action === 'delete';
    const fast = this.fast ? fastPlan(plan, request, t.references.length > 0) : undefined;
    if (request.mode === 'read') {
      if (fast) await this.fastScan(t, plan, request, rows, fast);
      else await this.scan(plan, request, (row) => rows.decide(row), candidate);
    } else await this.apply(t, plan, request, sink, rows, candidate, fast);
    return rows.tally.summary;
  }

  /**
   * The fast path's report: one aggregate of the native functions counts the rows SQL decides,
   * the engine decides the doubt through the callback, and the least pending start gives the next
   * due (with the later starts due earlier where months clamp or DST changes, as for PostgreSQL).
   */
  private async fastScan(t: Table, plan: DatasetPlan, request: Request, rows: RowDecisions, fast: FastPlan): Promise<void> {
    const name = quote(t.name);
    const tick = this.ticker(t.name);
    // One pass: SQL classes and counts every row (retention_counts), the engine decides the doubt.
    const v = this.visitor(
      t,
      plan,
      request,
      (row) => rows.decide(row),
      () => true,
      tick,
    );
    const where = `CASE retention_class_counted(${fast.args}) WHEN ${CLASS.doubt} THEN ${v.call} ELSE 0 END`;
    const c = this.read(() => this.fastPass(t, where, tick), t);
    v.done();
    this.tallyFast(rows, fast, c);
    const next = request.next;
    if (!next) return;
    for (const [i, { term }] of fast.rules.entries()) {
      const least = c.rules[i]?.least;
      if (least === undefined) continue;
      next.offerFirst(term, least, null);
      const end = laterDueBefore(term, least, null);
      if (end === undefined) continue;
      const later = this.read(
        () =>
          this.db
            .prepare(
              // CASE: the cheap window first (WHERE may evaluate its terms in any order).
              `SELECT min(m) FROM (SELECT retention_ms(${fast.starts}) AS m FROM ${name} WHERE CASE WHEN retention_ms(${fast.starts}) BETWEEN ? AND ? THEN retention_pending(${fast.args}) & ${1n << BigInt(i)} != 0 ELSE 0 END) GROUP BY m / 60000`,
            )
            .pluck()
            .all(least + 1, end - 1) as number[],
        t,
      );
      for (const s of later) next.offer(term, dueOfStart(term, s, null));
    }
  }

  /**
   * The fast path's pass over the table, `where` counting in retention_counts; on a terminal (a
   * progress hook) over ranges of rowids in one read transaction, so that the bar moves and the
   * counts are of one snapshot.
   */
  private fastPass(t: Table, where: string, tick: (k: number) => void): FastTally {
    const name = quote(t.name);
    const counts = this.db.prepare('SELECT retention_counts()').pluck();
    const counted = () => parseTally(counts.get() as string);
    counted(); // from zero, whatever a statement cut short left
    if (!this.onProgress) {
      this.db.prepare(`SELECT count(*) FROM ${name} WHERE ${where}`).get();
      return counted();
    }
    const r = t.rowid as string;
    const part = this.db.prepare(`SELECT count(*) FROM ${name} WHERE ${r} >= ? AND ${r} <= ? AND ${where}`);
    return this.db.transaction(() => {
      let sum = parseTally('0 0 0 0');
      const { lo, hi } = this.rowidBounds(t);
      if (lo === null || hi === null) return sum;
      // At most a thousand ranges, however sparse the rowids.
      const span = [TALLY_SPAN, (hi - lo) / 1000n + 1n].reduce((a, b) => (a > b ? a : b));
      for (let from = lo; from <= hi; from += span) {
        part.get(from, from + span - 1n < hi ? from + span - 1n : hi);
        const c = counted();
        sum = addTally(sum, c);
        tick(c.rows - c.doubt); // the doubt ticks as the engine decides it
      }
      return sum;
    })();
  }

  /** Counts what the fast path decided in SQL (rows less the doubt, which the engine counts). */
  private tallyFast(rows: RowDecisions, fast: FastPlan, c: FastTally): void {
    rows.tally.addMany(KEPT.held, c.held);
    for (const [i, r] of fast.rules.entries()) rows.tally.addMany(r.deletion, c.rules[i]?.due ?? 0);
    rows.tally.addMany(KEPT.unmanaged, c.unmanaged);
    rows.tally.addMany(KEPT['not-due'], c.rows - c.held - c.doubt - c.due - c.unmanaged);
    this.stats.fast += c.rows - c.doubt;
  }

  /** A statement on the table, its SQLite error as the user's. */
  private read<T>(run: () => T, t: Table): T {
    try {
      return run();
    } catch (e) {
      if (!isSqliteError(e)) throw e;
      throw new UserError(`cannot read table ${t.name} in ${this.path}: ${sqliteProblem(e)}`);
    }
  }

  /** Reads every row in rowid order; `candidate` names the rows whose references are looked up. */
  private async scan(plan: DatasetPlan, request: Request, visit: (row: Row) => void, candidate: (row: Row) => boolean): Promise<void> {
    const t = this.table(plan.dataset.name);
    const v = this.visitor(t, plan, request, visit, candidate, this.ticker(plan.dataset.name));
    // count(*) with the function in WHERE: SQLite walks the table and calls back per row,
    // far cheaper than returning every row to JavaScript through iterate().
    this.read(() => this.db.prepare(`SELECT count(*) FROM ${quote(t.name)} WHERE ${v.call}`).get(), t);
    v.done();
  }

  /**
   * The SQL call (retention_visit) that hands a row to `visit` and ticks, returning 0; `done`
   * throws what a visit threw (SQLite would have wrapped it).
   */
  private visitor(
    t: Table,
    plan: DatasetPlan,
    request: Request,
    visit: (row: Row) => void,
    candidate: (row: Row) => boolean,
    tick: (k?: number) => void,
  ): { call: string; done: () => void } {
    const { args, toRow } = this.arguments(t, plan, request, candidate);
    let failure: unknown;
    this.db.function('retention_visit', { varargs: true, deterministic: false }, (...values: unknown[]) => {
      this.stats.engine++;
      try {
        visit(toRow(values));
      } catch (e) {
        failure ??= e;
      }
      tick();
      return 0;
    });
    return {
      call: `retention_visit(${args})`,
      done: () => {
        if (failure) throw failure;
      },
    };
  }

  /**
   * Decides and changes every row, a batch of rowids per transaction: the batch's deletes in one
   * statement (the function returns 1 for rows to delete), then its redactions. The sink hears of
   * each commit and rollback; a signal stops the purge between batches.
   */
  private async apply(
    t: Table,
    plan: DatasetPlan,
    request: Request,
    sink: Sink,
    rows: RowDecisions,
    candidate: (row: Row) => boolean,
    fast?: FastPlan,
  ): Promise<void> {
    const { args, parts, toRow, bounds } = this.arguments(t, plan, request, candidate);
    const name = quote(t.name);
    const rowid = t.rowid as string;
    const redactions: { rowid: number | bigint | string; cols: readonly string[] }[] = [];
    let failure: unknown;
    let decidedDeletes = 0;
    let seen = 0;
    const tick = this.ticker(t.name);
    this.db.function('retention_act', { varargs: true, deterministic: false }, (...values: unknown[]) => {
      tick();
      seen++;
      this.stats.engine++;
      try {
        const row = toRow(values);
        const d = rows.decide(row);
        if (d.action === 'delete') {
          decidedDeletes++;
          return 1;
        }
        if (d.action === 'redact') redactions.push({ rowid: row.ref, cols: d.columns });
      } catch (e) {
        failure ??= e;
      }
      return 0;
    });
    if (bounds.lo === null || bounds.hi === null) return;
    const last = bounds.hi;
    // Where rowids are dense, a batch is simply the next BATCH_ROWS rowids. Where they are sparse
    // the batch ends at the BATCH_ROWS-th next row, found by walking rowids (a second read of
    // the table's pages, so only when the last batch held under a quarter of its range).
    const nextHi = this.db
      .prepare(`SELECT ${rowid} FROM ${name} WHERE ${rowid} >= ? ORDER BY ${rowid} LIMIT 1 OFFSET ${BATCH_ROWS - 1}`)
      .pluck()
      .safeIntegers(true);
    // The fast path deletes what SQL decides and asks the engine about the doubt only (CASE: in
    // that order), counting the rows of each class as it goes (retention_counts); the batch's rows
    // are counted first, to vouch that each was classed once (1M rows: 40 ms, where classing them
    // in a SELECT of their own took 77).
    const del = this.db.prepare(
      fast
        ? `DELETE FROM ${name} WHERE ${rowid} >= ? AND ${rowid} <= ? AND CASE retention_class_counted(${fast.args}) WHEN ${CLASS.due} THEN 1 WHEN ${CLASS.doubt} THEN retention_act(${args}) = 1 ELSE 0 END`
        : `DELETE FROM ${name} WHERE ${rowid} >= ? AND ${rowid} <= ? AND retention_act(${args}) = 1`,
    );
    const inBatch = fast && this.db.prepare(`SELECT count(*) FROM ${name} WHERE ${rowid} >= ? AND ${rowid} <= ?`).pluck();
    const counts = fast && this.db.prepare('SELECT retention_counts()').pluck();
    // Receipts: the key, rowid and governing rule of each row SQL deletes, as the callback would have had them
    // (the other values null: keysOnly), selected in the batch's transaction before its DELETE,
    // which must then delete as many as due. all(), not iterate(): 1.5 us a row against 0.3.
    const n = plan.columns.length;
    const k = plan.keyIndex;
    const due =
      fast && request.wants
        ? this.db
            .prepare(
              `SELECT ${k >= 0 ? parts[k] : 'NULL'}, ${parts[n]}, retention_rule(${fast.args}) FROM ${name} WHERE ${rowid} >= ? AND ${rowid} <= ? AND retention_class(${fast.args}) = ${CLASS.due}`,
            )
            .raw()
        : undefined;
    const asRow = (kr: unknown[]) => {
      const values: unknown[] = new Array(n + 1).fill(null);
      if (k >= 0) values[k] = kr[0];
      values[n] = kr[1];
      return toRow(values);
    };
    const updates = new Map<string, Database.Statement>();
    const update = (cols: readonly string[]) => {
      const k = cols.join('\u0000');
      let s = updates.get(k);
      if (!s) {
        s = this.db.prepare(`UPDATE ${name} SET ${cols.map((c) => `${quote(c)} = NULL`).join(', ')} WHERE ${rowid} = ?`);
        updates.set(k, s);
      }
      return s;
    };
    let deleted = 0;
    let redacted = 0;
    // Counted per batch and added once it commits: a rolled-back batch changed nothing.
    let batchDeleted = 0;
    let batchRedacted = 0;
    const batch = this.db.transaction((lo: bigint, hi: bigint) => {
      decidedDeletes = 0;
      seen = 0;
      redactions.length = 0;
      batchRedacted = 0;
      const inRange = inBatch ? (inBatch.get(lo, hi) as number) : 0;
      let sent = 0;
      if (due && fast)
        for (const kr of due.all(lo, hi) as unknown[][]) {
          rows.send(asRow(kr), (fast.rules[kr[2] as number] as FastRule).deletion);
          sent++;
        }
      if (counts) counts.get();
      const changes = del.run(lo, hi).changes;
      if (failure) throw failure;
      if (counts && fast) {
        const c = parseTally(counts.get() as string);
        if (c.rows !== inRange || seen !== c.doubt || (due && sent !== c.due))
          throw new Error(
            `internal: ${inRange} rows in the batch, ${c.rows} classed, ${c.doubt} doubt and ${seen} decided by the engine, ${c.due} due and ${due ? sent : '-'} sent; batch rolled back`,
          );
        decidedDeletes += c.due;
        this.tallyFast(rows, fast, c);
        tick(c.rows - c.doubt); // the doubt ticked in retention_act
        seen = inRange;
      }
      if (changes !== decidedDeletes)
        throw new Error(`internal: ${decidedDeletes} rows decided for deletion but ${changes} deleted; batch rolled back`);
      for (const r of redactions) batchRedacted += update(r.cols).run(r.rowid).changes;
      batchDeleted = changes;
    });
    const span = BigInt(BATCH_ROWS);
    // A table whose rows refer to each other is changed in one transaction: a batch must not
    // free rows that the references checked in a later batch (and in the dry run) still held.
    const whole = t.references.some((r) => r.table === t.name);
    const stopped = () =>
      new InterruptedError(
        `stopped by ${request.signal?.reason} after a committed batch: ${deleted} rows of ${t.location} deleted and ${redacted} redacted`,
        String(request.signal?.reason),
        {
          deleted,
          redacted,
        },
      );
    let from = bounds.lo;
    let dense = true;
    for (;;) {
      if (request.signal?.aborted) throw stopped();
      const to: bigint = whole
        ? last
        : dense
          ? last - from < span
            ? last
            : from + span - 1n
          : ((nextHi.get(from) as bigint | undefined) ?? last);
      const began = performance.now();
      try {
        // IMMEDIATE: the write lock first (waiting as busy_timeout says). The fast path reads the
        // batch before its DELETE; in WAL mode a write by another program in between would fail
        // the DELETE (a snapshot that cannot be upgraded), which busy_timeout does not retry.
        batch.immediate(from, to);
      } catch (e) {
        sink.rollback?.();
        if (!isSqliteError(e)) throw e;
        throw new PartialChangeError(
          `cannot change ${t.location}: ${sqliteProblem(e)}; the batch of rowids ${from} to ${to} was rolled back, ${deleted} rows deleted and ${redacted} redacted before it stay so`,
          { deleted, redacted },
        );
      }
      deleted += batchDeleted;
      redacted += batchRedacted;
      sink.commit?.({ ms: performance.now() - began });
      if (to >= last) break;
      dense = BigInt(seen) * 4n >= to - from + 1n;
      from = to + 1n;
      // Between batches the event loop runs, so that a signal can ask the purge to stop here.
      await new Promise((r) => setImmediate(r));
    }
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
  async finish(options: { vacuum: boolean | 'full' }): Promise<string | undefined> {
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
    // VACUUM wrote every page anew from the rows that remain: bytes in its free space (balancing
    // copies of the rebuild itself) can only be of those rows, never of what the purge removed.
    if (options.vacuum) return undefined;
    const { pages } = (this.fast && nativeResidue(this.db)) || pagesWithResidue(this.path);
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
   * The function's arguments: the plan's columns, the rowid, and (where other tables refer to
   * the dataset) whether a row of theirs still refers to this one. A JS number rounds integers
   * beyond 2^53, so where such a value identifies something (the key, where columns) and the
   * column may hold one, SQLite hands it over as its digits; for rowids too, when the table has
   * such. Elsewhere (timestamps, holds, periods) such a value is invalid either way.
   */
  private arguments(t: Table, plan: DatasetPlan, request: Request, candidate: (row: Row) => boolean) {
    const rowid = t.rowid as string;
    const bounds = this.rowidBounds(t);
    const bigRowids = bounds.lo !== null && bounds.hi !== null && (bounds.lo < -MAX_EXACT || bounds.hi > MAX_EXACT);
    const n = plan.columns.length;
    const exact = new Set([
      ...(plan.dataset.key !== undefined ? [plan.dataset.key] : []),
      ...plan.rules.flatMap((r) => r.where.map((w) => w.column)),
    ]);
    const arg = (c: string) =>
      (t.mayHoldBigIntegers.has(c) && exact.has(c)) || (bigRowids && c === t.rowidAlias) ? exactSql(quote(c)) : quote(c);
    const parts = [...plan.columns.map(arg), bigRowids ? exactSql(rowid) : rowid];
    const values = parts.join(', ');
    const row: Row = { values: [], ref: 0, referenced: false };
    // A rowid beyond 2^53 arrives as its digits: the row reference becomes a BigInt again.
    const toRow = (a: unknown[]): Row => {
      const ref = a[n];
      row.values = a;
      row.ref = bigRowids && typeof ref === 'string' ? BigInt(ref) : (ref as number | bigint);
      row.referenced = a[n + 1] === 1;
      return row;
    };
    if (t.references.length === 0) return { args: values, parts, toRow, bounds };
    // Whether another table still refers to the row, looked up only for the candidates (the
    // rows about to be deleted): without an index on the referring columns each lookup reads
    // that table, as SQLite's own check on delete would.
    const probe: Row = { values: [], ref: 0, referenced: false };
    this.db.function('retention_candidate', { varargs: true, deterministic: false }, (...a: unknown[]) => {
      probe.values = a;
      probe.ref = bigRowids && typeof a[n] === 'string' ? BigInt(a[n] as string) : (a[n] as number | bigint);
      return candidate(probe) ? 1 : 0;
    });
    const refers = this.refersSql(t, quote(t.name), request, 'retention_ref', [t.name]);
    return { args: `${values}, CASE WHEN retention_candidate(${values}) THEN ${refers} ELSE 0 END`, parts, toRow, bounds };
  }

  /**
   * SQL: rows of other tables still refer to the row of `t` reached as `ref` (its name or an
   * alias). Rows of a dataset this run purges too count only if they stay (decided by its plan):
   * a report or a dry run cannot see the deletions the purge makes first, and a purge has made
   * them by then. Whether they stay may depend on their own referring rows, hence the recursion
   * (tables that refer to each other are refused before, a table that refers to itself counts
   * all its rows).
   */
  private refersSql(t: Table, ref: string, request: Request, prefix: string, path: readonly string[]): string {
    return t.references
      .map((r, i) => {
        const name = `${prefix}${i}`;
        const child = this.tables.get(r.table);
        const plan = r.table !== t.name && !path.includes(r.table) ? request.others.get(r.table) : undefined;
        if (!plan || !child?.rowid) return referencesSql(this.db, ref, r, name, child?.rowidAlias);
        const alias = quote(name);
        const args = plan.columns.map((c) => (child.mayHoldBigIntegers.has(c) ? exactSql(`${alias}.${quote(c)}`) : `${alias}.${quote(c)}`));
        if (child.references.length) args.push(`(${this.refersSql(child, alias, request, `${name}_`, [...path, r.table])})`);
        const fn = `retention_goes_${name}`;
        const k = plan.columns.length;
        this.db.function(fn, { varargs: true, deterministic: false }, (...a: unknown[]) =>
          decide(plan, a, { deletable: a[k] !== 1 }).action === 'delete' ? 1 : 0,
        );
        return referencesSql(this.db, ref, r, name, child.rowidAlias, `NOT ${fn}(${args.join(', ')})`);
      })
      .join(' OR ');
  }

  /**
   * The table's least and greatest rowid (null when empty). Rowids are 64-bit: BigInt, so that no
   * range is rounded. One min() or max() per SELECT is a b-tree seek; both in one SELECT would read
   * the whole table.
   */
  private rowidBounds(t: Table): { lo: bigint | null; hi: bigint | null } {
    const r = t.rowid as string;
    const name = quote(t.name);
    return this.db
      .prepare(`SELECT (SELECT min(${r}) FROM ${name}) AS lo, (SELECT max(${r}) FROM ${name}) AS hi`)
      .safeIntegers(true)
      .get() as { lo: bigint | null; hi: bigint | null };
  }

  /** Counts rows done (one, or `k` at once) and tells the progress hook every 65,536. */
  private ticker(dataset: string): (k?: number) => void {
    const hook = this.onProgress;
    if (!hook) return () => {};
    const total = (this.db.prepare(`SELECT count(*) AS n FROM ${quote(dataset)}`).get() as { n: number }).n;
    let n = 0;
    return (k = 1) => {
      const before = n;
      n += k;
      if (Math.floor(n / 65536) !== Math.floor(before / 65536)) hook(dataset, n, total, 'rows');
    };
  }

  close(): void {
    this.release?.();
    if (this.db.open) this.db.close();
  }
}

const keyText = (plan: DatasetPlan, row: Row) => (plan.keyIndex >= 0 ? asText(row.values[plan.keyIndex]) : String(row.ref));

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

/** Whether a column of this declared type can hold an integer as an integer (not TEXT or REAL affinity, SQLite §3.1). */
function mayHoldIntegers(type: string): boolean {
  const t = type.toUpperCase();
  if (t.includes('INT')) return true;
  return !/CHAR|CLOB|TEXT|REAL|FLOA|DOUB/.test(t);
}

/** True when the file starts with the SQLite header. */
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\0');
