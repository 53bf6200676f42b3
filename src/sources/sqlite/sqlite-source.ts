import Database from 'better-sqlite3';
import { UserError } from '../../errors.js';
import { takeLock } from '../lock.js';
import type { Applied, DatasetInfo, ProgressHook, Row, RowAct, Source } from '../source.js';

/** Rows per write transaction: the write lock is held for one batch at a time. */
export const BATCH_ROWS = 50_000;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A SQLite database. Rows are read and decided inside SQLite through a registered function, so
 * a purge is one pass: `DELETE ... WHERE rowid in batch AND retention_act(...) = 1`, with the
 * redactions of that batch applied in the same transaction.
 */
export class SqliteSource implements Source {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly tables = new Map<string, DatasetInfo & { withoutRowid: boolean }>();
  private release?: () => void;
  onProgress?: ProgressHook;

  constructor(readonly path: string, readonly options: { readonly: boolean; lockTimeoutMs?: number }) {
    try {
      this.db = new Database(path, { readonly: options.readonly, fileMustExist: true });
      this.db.pragma('busy_timeout = 10000');
      const rows = this.db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string; sql: string }[];
      // With foreign keys enforced (better-sqlite3's default), ON DELETE CASCADE / SET NULL /
      // SET DEFAULT would change rows of other tables that no policy decided on.
      const cascades = new Map<string, string[]>();
      const fkOn = this.db.pragma('foreign_keys', { simple: true }) === 1;
      for (const { name } of rows) {
        for (const fk of this.db.prepare(`PRAGMA foreign_key_list(${quote(name)})`).all() as { table: string; on_delete: string }[]) {
          if (fkOn && /^(CASCADE|SET NULL|SET DEFAULT)$/i.test(fk.on_delete)) {
            cascades.set(fk.table, [...(cascades.get(fk.table) ?? []), `${name} (ON DELETE ${fk.on_delete})`]);
          }
        }
      }
      for (const { name, sql } of rows) {
        const cols = this.db.prepare(`PRAGMA table_info(${quote(name)})`).all() as { name: string; notnull: number; pk: number }[];
        this.tables.set(name, {
          name, location: `table ${name} in ${path}`, columns: cols.map((c) => c.name),
          notNull: new Set(cols.filter((c) => c.notnull || c.pk).map((c) => c.name)),
          cascades: cascades.get(name) ?? [],
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

  files(): string[] {
    return [this.path];
  }

  lock(): void {
    this.release ??= takeLock(`${this.path}.retention-lock`, `database ${this.path}`, this.options.lockTimeoutMs);
  }

  private table(dataset: string) {
    const t = this.tables.get(dataset);
    if (!t) throw new UserError(`no table ${dataset} in ${this.path}`);
    if (t.withoutRowid) throw new UserError(`table ${dataset} in ${this.path} is a WITHOUT ROWID table, which retention does not support yet`);
    return t;
  }

  async scan(dataset: string, columns: readonly string[], visit: (row: Row) => void): Promise<void> {
    this.table(dataset);
    const args = [...columns.map(quote), 'rowid'].join(', ');
    let failure: unknown;
    const tick = this.ticker(dataset);
    this.db.function('retention_visit', { varargs: true, deterministic: false }, (...row: unknown[]) => {
      try { visit(row); } catch (e) { failure ??= e; }
      tick();
      return 0;
    });
    // count(*) with the function in WHERE: SQLite walks the table and calls back per row,
    // far cheaper than returning every row to JavaScript through iterate().
    this.db.prepare(`SELECT count(*) FROM ${quote(dataset)} WHERE retention_visit(${args})`).get();
    if (failure) throw failure;
  }

  async apply(dataset: string, columns: readonly string[], act: (row: Row) => RowAct): Promise<Applied> {
    this.table(dataset);
    const t = quote(dataset);
    const args = [...columns.map(quote), 'rowid'].join(', ');
    const redactions: { rowid: number; cols: readonly number[] }[] = [];
    let failure: unknown;
    let decidedDeletes = 0, seen = 0;
    const tick = this.ticker(dataset);
    this.db.function('retention_act', { varargs: true, deterministic: false }, (...row: unknown[]) => {
      tick();
      seen++;
      let a: RowAct;
      try { a = act(row); } catch (e) { failure ??= e; return 0; }
      if (a === 'delete') { decidedDeletes++; return 1; }
      if (a !== 'keep') redactions.push({ rowid: row[columns.length] as number, cols: a });
      return 0;
    });
    const bounds = this.db.prepare(`SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${t}`).get() as { lo: number | null; hi: number | null };
    if (bounds.lo === null || bounds.hi === null) return { deleted: 0, redacted: 0, batches: 0 };
    // Where rowids are dense, a batch is simply the next BATCH_ROWS rowids. Where they are sparse
    // the batch ends at the BATCH_ROWS-th next row, found by walking rowids (a second read of
    // the table's pages, so only when the last batch held under a quarter of its range).
    const nextHi = this.db.prepare(`SELECT rowid FROM ${t} WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ${BATCH_ROWS - 1}`).pluck();
    const del = this.db.prepare(`DELETE FROM ${t} WHERE rowid > ? AND rowid <= ? AND retention_act(${args}) = 1`);
    const updates = new Map<string, Database.Statement>();
    const update = (cols: readonly number[]) => {
      const k = cols.join(',');
      let s = updates.get(k);
      if (!s) {
        s = this.db.prepare(`UPDATE ${t} SET ${cols.map((i) => `${quote(columns[i])} = NULL`).join(', ')} WHERE rowid = ?`);
        updates.set(k, s);
      }
      return s;
    };
    let deleted = 0, redacted = 0, batches = 0;
    const batch = this.db.transaction((lo: number, hi: number) => {
      decidedDeletes = 0;
      seen = 0;
      redactions.length = 0;
      const changes = del.run(lo, hi).changes;
      if (failure) throw failure;
      if (changes !== decidedDeletes) throw new Error(`internal: ${decidedDeletes} rows decided for deletion but ${changes} deleted; batch rolled back`);
      for (const r of redactions) redacted += update(r.cols).run(r.rowid).changes;
      deleted += changes;
      batches++;
    });
    let lo = bounds.lo - 1, dense = true;
    while (lo < bounds.hi) {
      const hi: number = dense ? Math.min(lo + BATCH_ROWS, bounds.hi) : (nextHi.get(lo) as number | undefined) ?? bounds.hi;
      batch(lo, hi);
      dense = seen * 4 >= hi - lo;
      lo = hi;
    }
    return { deleted, redacted, batches };
  }

  /** Counts rows and reports every 64k of them, when someone listens. */
  private ticker(dataset: string): () => void {
    const hook = this.onProgress;
    if (!hook) return () => {};
    const total = (this.db.prepare(`SELECT count(*) AS n FROM ${quote(dataset)}`).get() as { n: number }).n;
    let n = 0;
    return () => { if ((++n & 0xffff) === 0) hook(dataset, n, total, 'rows'); };
  }

  close(): void {
    this.release?.();
    if (this.db.open) this.db.close();
  }
}

/** True when the file starts with the SQLite header. */
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\0');
