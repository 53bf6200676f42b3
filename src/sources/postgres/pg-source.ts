import pg from 'pg';
import Cursor from 'pg-cursor';
import { type Change, KEPT } from '../../engine/decision.js';
import { type ExactCut, exactCut } from '../../engine/exact-cut.js';
import { dueOfStart, laterDueBefore, type NextDue } from '../../engine/next-due.js';
import type { DatasetPlan, PlanTerm } from '../../engine/plan.js';
import type { DatasetSummary } from '../../engine/tally.js';
import { InterruptedError, PartialChangeError, UserError } from '../../errors.js';
import type { Rule } from '../../policy/model.js';
import { matchBy, RowDecisions } from '../row-decision.js';
import type { DatasetInfo, Request, Row, Sink, Source, SourceIdentity } from '../source.js';
import { type PgTable, readCatalog } from './catalog.js';
import { ident, type PgColumn, valueSql } from './columns.js';
import { type CompiledPlan, compilePlan, Params } from './compile.js';
import type { FastPlan } from './fast.js';
import { type PgPartition, partitionSql, wholeDuePartitions } from './partitions.js';
import { zoneDifference } from './zone-check.js';

/** Rows per batch, as for SQLite: each batch is its own transaction. */
const BATCH_ROWS = 50_000;
/** What one statement of a batch may wait for a lock, and take in all. */
const LOCK_TIMEOUT = '5s';
const STATEMENT_TIMEOUT = '10min';
/** The advisory lock space of retention's run locks: pg_try_advisory_lock(key1, key2), key1. */
const LOCK_SPACE = 0x72657400;

export interface PgOptions {
  readonly lockTimeoutMs?: number;
  /** How a purge batches: by page ranges (the default; the fastest measured) or by primary key ranges (always on Citus). */
  readonly batchBy?: 'pages' | 'key';
  /** drop: a partition all of whose rows are due for deletion is dropped whole instead of deleting its rows. */
  readonly partitions?: 'rows' | 'drop';
}

interface PgDataset extends DatasetInfo {
  readonly table: PgTable;
}

/** A row as this source hands it on: its ctid and the text of its primary key, for finding it again. */
interface PgRow extends Row {
  ref: string;
  readonly pk: string;
}

/** The rows of one batch of a purge, and its bounds as parameters (numbered after `at` others). */
interface BatchRange {
  readonly name: string;
  readonly values: readonly unknown[];
  where(alias: string, at: number): string;
}

/** How a batch names its rows between statements: by ctid (one server), or by primary key (Citus too). */
interface Identity {
  /** The identity's columns, selected as "_id0"... */
  select(alias: string): string;
  /** The rows of `alias` that `q`'s identity columns name. */
  join(alias: string, q: string): string;
  /** The rows of `alias` named by these selected rows: a condition and its parameters. */
  among(rows: readonly Record<string, unknown>[], alias: string): [string, unknown[]];
}

// A ctid names a row within one table: in a partitioned table, the same ctid is a row of each partition.
const PAGE_IDENTITY: Identity = {
  select: (a) => `${a}.tableoid::int AS "_tab", ${a}.ctid AS "_id0"`,
  join: (a, q) => `${a}.tableoid = ${q}."_tab"::oid AND ${a}.ctid = ${q}."_id0"`,
  among: (rows, a) => [
    `(${a}.tableoid, ${a}.ctid) IN (SELECT * FROM unnest($1::oid[], $2::tid[]))`,
    [rows.map((r) => Number(r._tab)), rows.map((r) => String(r._id0))],
  ],
};

function keyIdentity(t: PgTable): Identity {
  const key = t.key.map((k) => t.columns.get(k) as PgColumn);
  return {
    // As text, which reads back exactly as the value (whatever the key's type, the driver keeps text as it is).
    select: (a) => key.map((k, i) => `${a}.${ident(k.name)}::text AS "_id${i}"`).join(', '),
    join: (a, q) => key.map((k, i) => `${a}.${ident(k.name)} = ${q}."_id${i}"::${k.type}`).join(' AND '),
    among: (rows, a) => [
      `(${key.map((k) => `${a}.${ident(k.name)}`).join(', ')}) IN (SELECT ${key.map((k, i) => `u.k${i}::${k.type}`).join(', ')} FROM unnest(${key.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${key.map((_, i) => `k${i}`).join(', ')}))`,
      key.map((_, i) => rows.map((r) => r[`_id${i}`])),
    ],
  };
}

interface Compiled {
  readonly compiled: CompiledPlan;
  readonly params: Params;
}

/**
 * A PostgreSQL database. Each dataset's plan is compiled to SQL (compile.ts) and decided inside
 * the database; only the rows SQL cannot vouch for come to the engine. Report and dry run read in
 * one READ ONLY snapshot; a purge changes the table a range of pages at a time, each batch its
 * own transaction with a lock and a statement timeout.
 */
export class PostgresSource implements Source {
  readonly readsBeforeChanging = false;
  private readonly byName = new Map<string, PgDataset>();
  private readonly changed = new Set<PgTable>();
  /** Rows decided in SQL (of them, by the fast predicates) and by the engine because SQL could not vouch for them: for logs and tests. */
  readonly stats = { rows: 0, engine: 0, fast: 0 };

  /**
   * A purge's second session, which counts each batch in the batch's own snapshot while the first
   * deletes (null: it could not connect, and the count follows the delete in one session).
   */
  private counter?: pg.Client | null;

  private constructor(
    private readonly client: pg.Client,
    private readonly url: string,
    readonly identity: SourceIdentity,
    catalog: Map<string, PgTable>,
    private readonly options: PgOptions,
    /** The server stores text as UTF-8: text compares in SQL as the engine compares strings. */
    private readonly utf8: boolean,
  ) {
    for (const [name, table] of catalog) {
      const refs = table.referencedBy.filter((r) => r.onDelete === 'a' || r.onDelete === 'r');
      this.byName.set(name, {
        name,
        table,
        columns: [...table.columns.keys()],
        location: `table ${table.schema}.${table.name} in ${identity.path}`,
        refName: 'ctid',
        after: [...new Set(refs.map((r) => r.table.dataset).filter((d) => d !== table.dataset))],
        mayBeReferenced: refs.length > 0,
        referencedBy: refs.length ? refs.map((r) => `${r.table.dataset}(${r.columns.join(', ')})`).join(', ') : undefined,
      });
    }
  }

  /** Connects (libpq's URL forms and PG* environment; a password from the URL, PGPASSWORD or ~/.pgpass) and reads the catalog. */
  static async open(url: string, options: PgOptions = {}): Promise<PostgresSource> {
    const client = new pg.Client({ connectionString: url, application_name: 'retention' });
    // A lost connection fails the query in flight with the server's message; unheard, it would end the process.
    client.on('error', () => {});
    const where = describe(client);
    try {
      await client.connect();
    } catch (e) {
      throw new UserError(`cannot connect to PostgreSQL ${where}: ${(e as Error).message}`);
    }
    try {
      const { tables, encoding } = await readCatalog(client);
      return new PostgresSource(client, url, { kind: 'postgres', path: where }, tables, options, encoding === 'UTF8');
    } catch (e) {
      await client.end().catch(() => {});
      throw new UserError(`cannot read the catalog of PostgreSQL ${where}: ${(e as Error).message}`);
    }
  }

  datasets(): ReadonlyMap<string, DatasetInfo> {
    return this.byName;
  }

  refusals(plan: DatasetPlan): string[] {
    const d = this.dataset(plan.dataset.name);
    const t = d.table;
    const name = `${ident(t.schema)}.${ident(t.name)}`;
    const out: string[] = [];
    const deletes = plan.rules.some((r) => r.deleteAfter);
    const redacts = new Set(plan.rules.flatMap((r) => r.redact));
    if (deletes && !t.privileges.delete)
      out.push(`${d.location}: this user may not DELETE from it (GRANT DELETE ON ${name} TO ...), which the purge needs`);
    if (redacts.size && !t.privileges.update)
      out.push(`${d.location}: this user may not UPDATE it (GRANT UPDATE ON ${name} TO ...), which the redactions need`);
    if (t.key.length === 0)
      out.push(
        `${d.location} has no primary key and no unique key of NOT NULL columns: a purge names each record it deletes in its receipts by one; add a primary key`,
      );
    for (const c of redacts) if (t.columns.get(c)?.notNull) out.push(`${d.location}: column "${c}" is NOT NULL, so it cannot be redacted`);
    // What a batch counts must be what its statements change: neither may be narrowed or rewritten.
    if (t.rowSecurity)
      out.push(
        `${d.location} has row-level security that applies to this user, so a purge cannot vouch that the rows it reads are the rows it may change; run it as the table's owner or a role with BYPASSRLS`,
      );
    const rewritten = [...(deletes && t.rules.delete ? ['DELETE'] : []), ...(redacts.size && t.rules.update ? ['UPDATE'] : [])];
    if (rewritten.length)
      out.push(
        `${d.location} has rules (CREATE RULE) on ${rewritten.join(' and ')} that would run other statements in place of the purge's; drop them for the purge`,
      );
    const fired = [...(deletes ? t.triggers.delete : []), ...(redacts.size ? t.triggers.update : [])];
    if (fired.length) {
      out.push(
        `${d.location}: its triggers ${[...new Set(fired)].join(', ')} would run on the purge's deletes or updates and change data no policy decided on; drop or disable them for the purge`,
      );
    }
    const cascades = t.referencedBy.filter((r) => r.onDelete === 'c' || r.onDelete === 'n' || r.onDelete === 'd');
    if (deletes && cascades.length) {
      const actions: Record<string, string> = { c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
      const what = cascades.map((r) => `${r.table.dataset} (ON DELETE ${actions[r.onDelete]})`).join(', ');
      out.push(
        `${d.location}: deleting its rows would also change rows of ${what} through foreign keys, which no policy decided on; give those tables their own rules and drop the ON DELETE action`,
      );
    }
    const keyed = t.referencedBy.flatMap((r) => r.parentColumns).filter((c) => redacts.has(c));
    if (keyed.length)
      out.push(
        `${d.location}: column ${[...new Set(keyed)].join(', ')} is referred to by other tables' foreign keys, so redacting it would change or break their rows`,
      );
    return out;
  }

  fingerprint(): Record<string, unknown> {
    return { [this.identity.path]: { tables: [...new Set([...this.byName.values()].map((d) => d.table.oid))].length } };
  }

  /**
   * One purge per table at a time: a session advisory lock on each table (retention's lock space,
   * the table's oid). A second run waits up to the lock timeout, then names the holder's process.
   */
  async lock(): Promise<string[]> {
    const deadline = Date.now() + (this.options.lockTimeoutMs ?? 0);
    for (const t of new Set([...this.byName.values()].map((d) => d.table))) {
      for (;;) {
        const r = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_SPACE, t.oid]);
        if (r.rows[0].ok) break;
        if (Date.now() >= deadline) {
          const holder = await this.client.query<{ pid: number; started: string | null; app: string | null }>(
            `SELECT l.pid, a.backend_start::text AS started, a.application_name AS app FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.granted LIMIT 1`,
            [LOCK_SPACE, t.oid],
          );
          const h = holder.rows[0];
          const who = h ? `server process ${h.pid}${h.app ? ` (${h.app})` : ''}, connected ${h.started}` : 'another session';
          throw new UserError(
            `table ${t.schema}.${t.name} in ${this.identity.path} is locked by another retention run (${who}); wait for it to finish, or end that session`,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return [];
  }

  async rows(plan: DatasetPlan, request: Request, visit: (row: Row) => void, key?: string): Promise<void> {
    const d = this.dataset(plan.dataset.name);
    const params = new Params();
    const referenced = this.referencedSql(d.table, 'r', request, params) ?? 'false';
    const keyCol = plan.dataset.key ?? (d.table.key.length === 1 ? d.table.key[0] : undefined);
    const where = key === undefined ? '' : ` WHERE ${keyCol ? `r.${ident(keyCol)}::text` : 'r.ctid::text'} = ${params.add(key)}`;
    const sql = `SELECT ${this.rowList(d, plan, referenced)} FROM ${tableSql(d.table)} AS r${where} ORDER BY r.ctid, r.tableoid`;
    await this.read(async () => {
      for await (const r of this.cursor(sql, params.values)) visit(toRow(r, plan));
    });
  }

  async evaluate(plan: DatasetPlan, request: Request, sink: Sink): Promise<DatasetSummary> {
    const d = this.dataset(plan.dataset.name);
    const rows = new RowDecisions(
      plan,
      request,
      sink,
      matchBy(plan, (row) => `key:${(row as PgRow).pk}`),
      d.mayBeReferenced,
    );
    if (request.mode === 'read') {
      if (d.table.rowSecurity)
        request.log?.warn(
          { dataset: plan.dataset.name },
          `${d.location} has row-level security that applies to this user: the counts are of the rows its policies let this user see`,
        );
      await this.read(async () => {
        const c = await this.compiled(d, plan, request, true);
        const fast = c.compiled.fast;
        // Counted in the database; only the rows the engine must decide (and, when the sink
        // wants them, those acted on) come out, in table order. With the fast predicates, the
        // general classification counts only the rest.
        let doubts = 0;
        let only = '';
        if (fast) {
          const { general } = await this.fastCount(plan, fast, rows, '', request, [], tableSql(d.table), 'tally');
          if (general) doubts = await this.count(d, plan, c, rows, fast.rest, request);
          only = `(${request.wants ? `${fast.rest} OR ${anyDelete(fast)}` : fast.rest}) AND `;
        } else doubts = await this.count(d, plan, c, rows, '', request);
        const which = request.wants ? `('delete', 'redact', 'doubt')` : `('doubt')`;
        // The count said how many rows the engine must decide: none, and nothing is wanted, no second scan.
        if (request.wants || doubts > 0) {
          const sql = `SELECT ${this.actedList(d, plan, c)} FROM ${tableSql(d.table)} AS r${c.compiled.from} WHERE ${only}${c.compiled.cls} IN ${which} ORDER BY r.ctid, r.tableoid`;
          for await (const r of this.cursor(sql, c.params.values)) {
            const row = toRow(r, plan);
            if (r._cls === 'doubt') {
              rows.decide(row);
              this.stats.engine++;
            } else rows.send(row, decisionOf(r, plan));
          }
        }
        if (request.next) {
          await this.nextDueByAmount(d, c, request);
          await this.laterDues(d, c, request.next);
        }
        if (request.forecast) {
          // SQL counts the kept rows; their next dues are the engine's (Luxon), row by row.
          const kept = `SELECT ${this.actedList(d, plan, c)} FROM ${tableSql(d.table)} AS r${c.compiled.from} WHERE ${c.compiled.cls} IN ('not-due', 'legal-minimum', 'unmanaged', 'referenced')`;
          for await (const r of this.cursor(kept, c.params.values)) rows.kept(toRow(r, plan));
        }
        const whole = await this.wholeDue(d, plan, c);
        if (whole.length) rows.tally.summary.partitions = whole.map((w) => ({ ...w, dropped: this.drops(request) }));
      });
    } else {
      if (this.drops(request)) await this.dropWholeDue(d, plan, request, sink, rows);
      await this.write(d, plan, request, sink, rows);
    }
    return rows.tally.summary;
  }

  /** Partitions are dropped whole when asked, except applying a saved plan: there each record is checked against it. */
  private drops(request: Request): boolean {
    return this.options.partitions === 'drop' && !request.planned;
  }

  /**
   * The partitions that may be dropped whole: none where a partition's own row-level security
   * binds this user (read on its own, it would hide rows that DROP TABLE takes with it; through
   * the parent, as the row batches read, its policies do not apply).
   */
  private async droppable(d: PgDataset, plan: DatasetPlan): Promise<PgPartition[]> {
    return d.table.partitionRowSecurity ? [] : await wholeDuePartitions(this.client, d.table, plan);
  }

  /** The partitions whose range lies wholly before a delete rule's cut and all of whose rows SQL decides to delete. */
  private async wholeDue(d: PgDataset, plan: DatasetPlan, c: Compiled): Promise<{ name: string; rows: number }[]> {
    const out: { name: string; rows: number }[] = [];
    for (const p of await this.droppable(d, plan)) {
      const n = await this.allDeleted(p, c);
      if (n) out.push({ name: `${p.schema}.${p.name}`, rows: n });
    }
    return out;
  }

  /** The rows of the partition, if it has some and every one is decided for deletion in SQL; else 0. */
  private async allDeleted(p: PgPartition, c: Compiled): Promise<number> {
    const r = await this.client.query<{ n: string; due: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE ${c.compiled.cls} = 'delete') AS due FROM ${partitionSql(p)} AS r${c.compiled.from}`,
      c.params.values,
    );
    const n = Number(r.rows[0].n);
    return n > 0 && n === Number(r.rows[0].due) ? n : 0;
  }

  /**
   * Drops each wholly due partition in a transaction of its own: the partition locked, its rows
   * checked all due again and sent (receipts) and counted, then the partition dropped. One whose
   * rows are not all due by then, or that cannot be dropped, is left to the row batches.
   */
  private async dropWholeDue(d: PgDataset, plan: DatasetPlan, request: Request, sink: Sink, rows: RowDecisions): Promise<void> {
    const c = await this.compiled(d, plan, request);
    const dropped: { name: string; rows: number; dropped: boolean }[] = [];
    for (const p of await this.droppable(d, plan)) {
      if (request.signal?.aborted) break;
      const now0 = rows.tally.summary;
      const before = { ...now0, rules: now0.rules.map((r) => ({ ...r })), skipped: now0.skipped ? { ...now0.skipped } : undefined };
      const began = performance.now();
      try {
        await this.client.query(`BEGIN; SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'; SET LOCAL statement_timeout = '${STATEMENT_TIMEOUT}'`);
        await this.client.query(`LOCK TABLE ${partitionSql(p)} IN ACCESS EXCLUSIVE MODE`);
        const n = await this.allDeleted(p, c);
        if (!n) {
          await this.client.query('ROLLBACK');
          continue;
        }
        await this.count(d, plan, c, rows, '', request, c.params.values, partitionSql(p));
        if (request.wants) {
          const sql = `SELECT ${this.actedList(d, plan, c)} FROM ${partitionSql(p)} AS r${c.compiled.from} ORDER BY r.ctid`;
          for await (const r of this.cursor(sql, c.params.values)) rows.send(toRow(r, plan), decisionOf(r, plan));
        }
        await this.client.query(`DROP TABLE ${partitionSql(p)}`);
        await this.client.query('COMMIT');
        dropped.push({ name: `${p.schema}.${p.name}`, rows: n, dropped: true });
        sink.commit?.({ ms: performance.now() - began });
      } catch (e) {
        await this.client.query('ROLLBACK').catch(() => {});
        sink.rollback?.();
        rows.tally.reset(before);
        // A lock not granted in time, a dependent object: the rows go the usual way.
        if (!(e as { code?: string }).code) throw e;
      }
    }
    if (dropped.length) rows.tally.summary.partitions = dropped;
  }

  /**
   * Deleted rows stay in the table's files as dead tuples, readable until VACUUM. VACUUM makes
   * them unreachable, but leaves their bytes in the pages' free space (measured: 3,500 of 10,000
   * deleted rows still in the file) until new rows overwrite them; VACUUM FULL writes the table
   * and its indexes anew and removes the old files. Each is said for what it leaves.
   */
  async finish(options: { vacuum: boolean | 'full' }): Promise<string | undefined> {
    const tables = [...this.changed].map((t) => `${t.schema}.${t.name}`);
    if (tables.length === 0) return undefined;
    const full = options.vacuum === 'full';
    if (options.vacuum) {
      // VACUUM by anyone but the owner skips the table with a mere warning.
      const r = await this.client.query<{ name: string }>(
        `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.oid = ANY($1::oid[]) AND NOT pg_has_role(c.relowner, 'USAGE')`,
        [[...this.changed].map((t) => t.oid)],
      );
      if (r.rows.length)
        return `cannot VACUUM ${r.rows.map((x) => x.name).join(', ')}: only the table's owner (or a superuser) may; the purge itself is done, but the deleted rows and redacted values in ${tables.join(', ')} stay readable as dead tuples until the owner or autovacuum runs VACUUM${full ? ' FULL' : ''}`;
      try {
        for (const t of this.changed) await this.client.query(`VACUUM ${full ? '(FULL) ' : ''}${tableSql(t)}`);
      } catch (e) {
        return `VACUUM${full ? ' FULL' : ''} failed (${(e as Error).message}); the purge itself is done, but the deleted rows and redacted values in ${tables.join(', ')} stay readable in the table's files`;
      }
    }
    if (full) return undefined;
    if (options.vacuum)
      return `VACUUM made the deleted rows and redacted values of ${tables.join(', ')} unreachable, but their bytes stay in the free space of the table's (and its indexes') pages until new rows overwrite them; run with --vacuum full to rewrite the tables (VACUUM FULL: it locks each table while it runs and needs room for a copy)`;
    return `the deleted rows and the values redacted in ${tables.join(', ')} stay readable as dead tuples in the table's files until VACUUM reclaims them (autovacuum does, in time), and their bytes after it until overwritten; run with --vacuum (or --vacuum full, which rewrites the tables) to do it now`;
  }

  async close(): Promise<void> {
    await this.counter?.end().catch(() => {});
    await this.client.end().catch(() => {});
  }

  /**
   * The second session, connected on first use. Counting a batch after its DELETE reads its pages
   * again (measured at 10M rows: +0.6 s on 1.8 s of batched DELETEs); counted beside it, in the
   * snapshot the DELETE decides in, the counts are the same and the time is hidden (1.7 s).
   */
  private async countingSession(log: Request['log']): Promise<pg.Client | null> {
    if (this.counter !== undefined) return this.counter;
    const c = new pg.Client({ connectionString: this.url, application_name: 'retention (count)' });
    c.on('error', () => this.dropCounter(c, log, 'its connection was lost'));
    try {
      await c.connect();
      this.counter = c;
      log?.debug("a second session counts each batch beside its DELETE, in the batch's snapshot");
    } catch (e) {
      await c.end().catch(() => {});
      log?.info(
        { error: (e as Error).message },
        'a second session to count each batch beside its DELETE could not connect; counting after it instead',
      );
      this.counter = null;
    }
    return this.counter;
  }

  /** The rest of the run counts after each DELETE, in one session. */
  private dropCounter(c: pg.Client, log: Request['log'], why: string): void {
    if (this.counter !== c) return;
    this.counter = null;
    log?.info({ reason: why }, 'the second session stopped counting batches; counting after each DELETE instead');
    c.end().catch(() => {});
  }

  private dataset(name: string): PgDataset {
    const d = this.byName.get(name);
    if (!d) throw new UserError(`no table ${name} in ${this.identity.path}`);
    if (!d.table.privileges.select)
      throw new UserError(`${d.location}: this user may not SELECT from it (GRANT SELECT ON ... TO ...), which every run needs`);
    return d;
  }

  /**
   * In one snapshot that changes nothing: report and dry run need only SELECT. Where the server
   * compiles a scan's expressions (JIT), it also optimizes them: an aggregate of many FILTERs over
   * 10M rows took 0.88 s instead of 0.97 s (at 4M rows the same either way).
   */
  private async read(body: () => Promise<void>): Promise<void> {
    try {
      await this.client.query(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT set_config('jit_optimize_above_cost', least(current_setting('jit_optimize_above_cost')::float8, current_setting('jit_above_cost')::float8)::text, true)",
      );
      await body();
      await this.client.query('COMMIT');
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw pgProblem(e, this.identity.path);
    }
  }

  /** The plan compiled for this table, with the cuts of the amounts its per-record periods hold. */
  private async compiled(d: PgDataset, plan: DatasetPlan, request: Request, inTransaction = false): Promise<Compiled> {
    const amounts = new Map<PlanTerm, Map<number, ExactCut>>();
    for (const g of plan.groups)
      for (const t of g.terms) {
        if (t.period.kind !== 'column') continue;
        const p = t.period;
        const v = ident(p.column);
        const sql =
          d.table.columns.get(p.column)?.kind === 'int'
            ? `SELECT DISTINCT ${v}::bigint AS n FROM ${tableSql(d.table)} WHERE ${v} >= 0 AND ${v} <= 100000`
            : `SELECT DISTINCT ${v}::text::bigint AS n FROM ${tableSql(d.table)} WHERE ${v}::text ~ '^[0-9]{1,6}$'`;
        const found = await this.client.query<{ n: string }>(sql);
        const zoned = plan.asOf.setZone(t.rule.timezone);
        amounts.set(t, new Map(found.rows.map((r) => [Number(r.n), exactCut({ [p.unit]: Number(r.n) }, t.rule.align, zoned)])));
      }
    const differs = await zoneDifference(this.client, plan, d.table.columns, amounts, inTransaction);
    if (differs)
      request.log?.warn(
        { dataset: plan.dataset.name, ...differs },
        `${
          differs.unknown
            ? `PostgreSQL does not know the time zone ${differs.zone} (its time zone data is older than retention's)`
            : `PostgreSQL's time zone data for ${differs.zone} differs from retention's: ${differs.at} is ${differs.postgres} there and ${differs.retention} here`
        }; the records of ${d.location} are decided by retention, row by row (slower), not in SQL`,
      );
    const params = new Params();
    const referenced = this.referencedSql(d.table, 'r', request, params);
    const compiled = compilePlan({ plan, columns: d.table.columns, referenced, amounts, utf8: this.utf8, engine: !!differs }, 'r', params);
    request.log?.debug(
      { dataset: plan.dataset.name, from: compiled.from, classify: compiled.cls, fast: compiled.fast },
      'compiled the plan to SQL',
    );
    return { compiled, params };
  }

  /**
   * The rows the fast predicates decide (in `range`), counted in one aggregate: held, unmanaged,
   * each rule's deletions and the rest not yet due. `deletions`: tallied here (a report), deleted
   * and tallied (a purge batch: already, or by `deleting`, counted in the same snapshot beside
   * it), or left to the engine with the rest (a saved plan applied); `queried` runs once the
   * aggregate is read. Returns the rows left to the general classification.
   */
  private async fastCount(
    plan: DatasetPlan,
    fast: FastPlan,
    rows: RowDecisions,
    range: string,
    request: Request,
    values: readonly unknown[],
    table: string,
    deletions: 'tally' | 'gone' | 'engine',
    client: pg.Client = this.client,
    deleting?: Promise<number>,
    queried?: () => Promise<void>,
  ): Promise<{ general: number }> {
    const next = request.next ? fast.pending : [];
    const tallyDeletes = deletions === 'tally';
    const dels = deletions === 'gone' ? [] : [...fast.deletes];
    // A test that is false for every row is not counted: its aggregate would cost all the same.
    const counted = (name: string, sql: string) => (sql === 'false' ? [] : [`count(*) FILTER (WHERE ${sql}) AS ${name}`]);
    const cols = [
      'count(*) AS n',
      ...counted('held', fast.held),
      ...counted('rest', fast.rest),
      ...counted('unmanaged', fast.unmanaged),
      ...dels.map(([i, sql]) => `count(*) FILTER (WHERE ${sql}) AS d${i}`),
      // The least start of the pending, in whole ms as the general count gives it.
      ...next.map((p, k) => `floor(extract(epoch FROM ${p.least}) * 1000)::bigint AS m${k}`),
    ];
    const r = await client.query(`SELECT ${cols.join(', ')} FROM ${table} AS r${range ? ` WHERE ${range}` : ''}`, [...values]);
    await queried?.();
    const g = r.rows[0] as Record<string, string | null>;
    const num = (k: string) => Number(g[k] ?? 0);
    // Counted beside the DELETE, the batch's rows include those it deletes.
    let deleted = 0;
    for (const [i] of dels) {
      const k = num(`d${i}`);
      deleted += k;
      if (tallyDeletes && k) rows.tally.addMany(plan.deletions.get(plan.rules[i] as Rule) as Change, k);
    }
    // What the DELETE beside deleted: tallied above by rule (then it must be what was counted), or by itself.
    let gone = deleting ? await deleting : 0;
    if (deleting && tallyDeletes) {
      if (gone !== deleted)
        throw new CountMismatch(`internal: ${deleted} rows counted for deletion but ${gone} deleted; batch rolled back`);
      gone = 0;
    }
    const rest = num('rest');
    const kept = {
      held: num('held'),
      unmanaged: num('unmanaged'),
      'not-due': num('n') - num('held') - rest - num('unmanaged') - deleted - gone,
    };
    for (const [reason, k] of Object.entries(kept)) if (k) rows.tally.addMany(KEPT[reason as keyof typeof KEPT], k);
    const decided = num('n') - rest - (tallyDeletes ? 0 : deleted) - gone;
    this.stats.rows += decided;
    this.stats.fast += decided;
    next.forEach((p, k) => {
      const m = g[`m${k}`];
      if (m !== null && m !== undefined && Number(m) < p.before) request.next?.offerFirst(p.term, Number(m), null);
    });
    return { general: rest + (tallyDeletes ? 0 : deleted) };
  }

  /**
   * Every row SQL decides (in `range`, for a batch), counted by class, governing rule and
   * redacting rules; and for reports, each rule's earliest pending start (the next due date).
   */
  private async count(
    d: PgDataset,
    plan: DatasetPlan,
    c: Compiled,
    rows: RowDecisions,
    range: string,
    request: Request,
    values: readonly unknown[] = c.params.values,
    table = tableSql(d.table),
  ): Promise<number> {
    const flags = [...c.compiled.redacts].map(([i, sql]) => `(${sql}) AS "_red${i}"`);
    const fixed = request.next ? c.compiled.pending.filter((p) => !p.amount) : [];
    // The inner select gives each row its pending start per term; the groups keep the least.
    const r = await this.client.query(
      `SELECT "_cls", "_rule", ${[...c.compiled.redacts.keys()].map((i) => `"_red${i}", `).join('')}count(*) AS "_n"${fixed.map((_, i) => `, min("m${i}") AS "m${i}"`).join('')}
         FROM (SELECT ${c.compiled.cls} AS "_cls", ${c.compiled.deleteRule} AS "_rule"${flags.map((f) => `, ${f}`).join('')}${fixed.map((p, i) => `, CASE WHEN ${p.notDue} THEN ${p.start} END AS "m${i}"`).join('')}
                 FROM ${table} AS r${c.compiled.from}${range ? ` WHERE ${range}` : ''}) q
        GROUP BY 1, 2${[...c.compiled.redacts.keys()].map((_, k) => `, ${k + 3}`).join('')}`,
      [...values],
    );
    let doubts = 0;
    for (const g of r.rows) {
      const n = Number(g._n);
      // The engine decides these, row by row, and counts them then.
      if (g._cls === 'doubt') {
        doubts += n;
        continue;
      }
      this.stats.rows += n;
      if (g._cls === 'delete' || g._cls === 'redact') rows.tally.addMany(decisionOf(g, plan), n);
      else rows.tally.addMany(KEPT[g._cls as keyof typeof KEPT] ?? KEPT['not-due'], n);
      // Held and unreadable records have no next due; the rest do, whatever else they are.
      if (g._cls === 'held' || g._cls === 'invalid') continue;
      fixed.forEach((p, i) => {
        if (g[`m${i}`] !== null && g[`m${i}`] !== undefined) request.next?.offerFirst(p.term, Number(g[`m${i}`]), null);
      });
    }
    return doubts;
  }

  /**
   * A purge, a batch at a time, each batch its own REPEATABLE READ transaction, so that what is
   * counted is what is changed (a concurrent change of the same rows makes the batch retry). A
   * batch is a range of pages (ctid ranges read like a sequential scan), or of primary key values
   * (through the key's index; the only way on a Citus distributed table, whose shards have no
   * common ctid). The rows the engine decides come first (locked, then changed by identity), then
   * the deletes and redactions SQL decides. Applying a saved plan, every row to act on goes
   * through the engine, which checks it against the plan.
   */
  private async write(d: PgDataset, plan: DatasetPlan, request: Request, sink: Sink, rows: RowDecisions): Promise<void> {
    const byKey = this.options.batchBy === 'key' || d.table.distributed;
    const batches = byKey ? this.keyRanges(d.table) : this.pageRanges(d.table);
    // Compiled once: an amount of a per-record period written after this is the engine's to decide.
    const c = await this.compiled(d, plan, request);
    const ids = byKey ? keyIdentity(d.table) : PAGE_IDENTITY;
    let deleted = 0;
    let redacted = 0;
    for await (const range of batches) {
      if (request.signal?.aborted) {
        throw new InterruptedError(
          `stopped by ${request.signal.reason} after a committed batch: ${deleted} rows of ${d.location} deleted and ${redacted} redacted`,
          String(request.signal.reason),
          { deleted, redacted },
        );
      }
      const now0 = rows.tally.summary;
      const before = { ...now0, rules: now0.rules.map((r) => ({ ...r })), skipped: now0.skipped ? { ...now0.skipped } : undefined };
      let ms = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          ms = await this.batch(d, plan, c, request, rows, range, ids);
          break;
        } catch (e) {
          await this.client.query('ROLLBACK').catch(() => {});
          sink.rollback?.();
          rows.tally.reset(before);
          // The second session failed (its connection, a lock it waited for): the batch again, counted after its DELETE.
          // Once a run at most (the session is not used again), and not one of the serialization retries.
          if (e instanceof CountingSessionFailed) {
            if (this.counter) this.dropCounter(this.counter, request.log, (e.cause as Error)?.message ?? String(e.cause));
            attempt--;
            continue;
          }
          if ((e as { code?: string }).code === '40001' && attempt < 3) continue;
          const p = pgProblem(e, this.identity.path);
          if (!(p instanceof UserError)) throw p;
          throw new PartialChangeError(
            `cannot change ${d.location}: ${p.message}; the batch of ${range.name} was rolled back, ${deleted} rows deleted and ${redacted} redacted before it stay so`,
            { deleted, redacted },
          );
        }
      }
      const now = rows.tally.summary;
      if (now.delete + now.redact > before.delete + before.redact) this.changed.add(d.table);
      deleted = now.delete;
      redacted = now.redact;
      sink.commit?.({ ms });
    }
  }

  /** One batch of a purge, committed; returns how long its transaction took (and held its row locks). */
  private async batch(
    d: PgDataset,
    plan: DatasetPlan,
    c: Compiled,
    request: Request,
    rows: RowDecisions,
    range: BatchRange,
    ids: Identity,
  ): Promise<number> {
    const began = performance.now();
    const t = tableSql(d.table);
    const planned = Boolean(request.planned);
    // The range's bounds are bound after the plan's parameters.
    const values = [...c.params.values, ...range.values];
    const within = (alias: string) => range.where(alias, c.params.values.length);
    const fast = c.compiled.fast;
    // Not on Citus: an exported snapshot is the coordinator's alone.
    const counter = fast && !planned && !d.table.distributed ? await this.countingSession(request.log) : null;
    const begun = await this.client.query(
      `BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'; SET LOCAL statement_timeout = '${STATEMENT_TIMEOUT}'${counter ? '; SELECT pg_export_snapshot() AS s' : ''}`,
    );
    // The fast predicates delete the rows they vouch for, reading the batch's pages as a plain
    // DELETE does, and count the batch's rows by class: in the second session, in the same
    // snapshot, at the same time (else after the DELETE, reading the pages again). The general
    // classification runs only where rows are left to it, and only on those. Applying a saved
    // plan, they only count: the engine checks each row to act on against the plan.
    let general = true;
    let only = '';
    if (fast) {
      // Without the general statements' parameters: only the range's.
      const count = (mode: 'tally' | 'gone' | 'engine', client = this.client, deleting?: Promise<number>, counted?: () => Promise<void>) =>
        this.fastCount(plan, fast, rows, range.where('r', 0), request, range.values, t, mode, client, deleting, counted);
      let f: { general: number };
      if (counter) {
        const snapshot = (begun as unknown as pg.QueryResult[]).at(-1)?.rows[0]?.s as string;
        // With the rows wanted, the DELETE returns each with its rule and tallies them; else the count does.
        const deleting = this.fastDelete(d, plan, fast, rows, request, range, true);
        f = await this.beside(
          counter,
          snapshot,
          (del, counted) => count(request.wants ? 'gone' : 'tally', counter, del, counted),
          deleting,
        );
      } else {
        if (!planned) await this.fastDelete(d, plan, fast, rows, request, range);
        f = await count(planned ? 'engine' : 'gone');
      }
      general = f.general > 0;
      only = ` AND (${planned ? `${fast.rest} OR ${anyDelete(fast)}` : fast.rest})`;
    }
    const deletes: Record<string, unknown>[] = [];
    const redacts = new Map<string, Record<string, unknown>[]>();
    if (general) await this.general(d, plan, c, request, rows, within, only, values, ids, deletes, redacts);
    // The engine's rows, locked above, found again by their identity.
    if (deletes.length) {
      const [where, params] = ids.among(deletes, 'x');
      await this.client.query(`DELETE FROM ${t} AS x WHERE ${where}`, params);
    }
    for (const [cols, group] of redacts) {
      const [where, params] = ids.among(group, 'x');
      await this.client.query(
        `UPDATE ${t} AS x SET ${cols
          .split('\u0000')
          .map((col) => `${ident(col)} = NULL`)
          .join(', ')} WHERE ${where}`,
        params,
      );
    }
    await this.client.query('COMMIT');
    return performance.now() - began;
  }

  /**
   * Runs `read` in the counting session, in the first session's snapshot, while `deleting` runs in
   * the first; the read ends when both have (a failure of either is thrown, both settled).
   */
  private async beside<T>(
    counter: pg.Client,
    snapshot: string,
    read: (deleting: Promise<number>, counted: () => Promise<void>) => Promise<T>,
    deleting: Promise<number>,
  ): Promise<T> {
    // Settled here too, so that a failed DELETE is not an unhandled rejection while the read waits.
    deleting.catch(() => {});
    let reading: Promise<T> | undefined;
    try {
      // Its own timeouts: a count waiting behind another session's lock request, while the
      // DELETE's session waits for the count, is a deadlock PostgreSQL cannot see.
      await counter.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshot}'; SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'; SET LOCAL statement_timeout = '${STATEMENT_TIMEOUT}'; SET LOCAL idle_in_transaction_session_timeout = 0`,
      );
      // Ended as soon as its count is read: no lock held while the DELETE goes on.
      reading = read(deleting, async () => {
        await counter.query('COMMIT');
      });
      const [r] = await Promise.all([reading, deleting]);
      return r;
    } catch (e) {
      const [, del] = await Promise.allSettled([reading, deleting]);
      await counter.query('ROLLBACK').catch(() => {});
      if (del.status === 'rejected') throw del.reason;
      if (e instanceof CountMismatch) throw e;
      throw new CountingSessionFailed(e);
    }
  }

  /** The rows of the batch the fast predicates delete, deleted and tallied by rule (and sent, when wanted); returns how many. */
  private async fastDelete(
    d: PgDataset,
    plan: DatasetPlan,
    fast: FastPlan,
    rows: RowDecisions,
    request: Request,
    range: BatchRange,
    countedBeside = false,
  ): Promise<number> {
    const dels = [...fast.deletes];
    const rule = dels.length === 1 ? `${dels[0]?.[0]}` : `CASE ${dels.map(([i, sql]) => `WHEN ${sql} THEN ${i}`).join(' ')} END`;
    const del = (predicate: string) => `DELETE FROM ${tableSql(d.table)} AS r WHERE ${range.where('r', 0)} AND ${predicate}`;
    const byRule = new Map<number, number>();
    // Counted by rule in the same snapshot beside it: one DELETE, as the hand-written one.
    if (countedBeside && !request.wants) return (await this.client.query(del(anyDelete(fast)), [...range.values])).rowCount ?? 0;
    const key = plan.keyIndex >= 0 ? d.table.columns.get(plan.columns[plan.keyIndex] as string) : undefined;
    if (request.keysOnly && (key?.kind === 'text' || key?.kind === 'int')) {
      // Receipts alone: each rule's keys as one JSON array, as text (the digits of a bigint
      // exact, as the driver gives them), instead of a row each: ~1 us a key less to read.
      const gone = await this.client.query<{ u: number; keys: string }>(
        // In the order the DELETE returns them, each rule's group where its first key is, as the rows would come.
        `WITH g AS (${del(anyDelete(fast))} RETURNING (${valueSql(key, 'r')})::text AS k, ${rule} AS u), o AS (SELECT k, u, row_number() OVER () AS i FROM g)
         SELECT u, json_agg(k ORDER BY i)::text AS keys FROM o GROUP BY u ORDER BY min(i)`,
        [...range.values],
      );
      for (const g of gone.rows) {
        const keys = JSON.parse(g.keys) as (string | null)[];
        const change = plan.deletions.get(plan.rules[Number(g.u)] as Rule) as Change;
        byRule.set(Number(g.u), keys.length);
        for (const k of keys) {
          const values = new Array(plan.columns.length).fill(null);
          values[plan.keyIndex] = k;
          rows.send({ values, ref: '', pk: k ?? '', referenced: false } as PgRow, change);
        }
      }
    } else if (request.wants) {
      const gone = await this.client.query(
        `${del(anyDelete(fast))} RETURNING ${this.rowList(d, plan, 'false', request.keysOnly)}, 'delete' AS "_cls", ${rule} AS "_rule"`,
        [...range.values],
      );
      for (const r of gone.rows) {
        byRule.set(Number(r._rule), (byRule.get(Number(r._rule)) ?? 0) + 1);
        rows.send(toRow(r, plan), decisionOf(r, plan));
      }
    } else if (dels.length <= 3) {
      // A DELETE per rule, counted by its row count: RETURNING a rule per row costs more than
      // reading the batch's pages again (measured: +40% against +8% a rule, 1M rows).
      for (const [i, sql] of dels) {
        const r = await this.client.query(del(sql), [...range.values]);
        byRule.set(i, r.rowCount ?? 0);
      }
    } else {
      const r = await this.client.query<{ k: number; n: string }>(
        `WITH d AS (${del(anyDelete(fast))} RETURNING ${rule} AS k) SELECT k, count(*) AS n FROM d GROUP BY k`,
        [...range.values],
      );
      for (const g of r.rows) byRule.set(Number(g.k), Number(g.n));
    }
    let deleted = 0;
    for (const [i, n] of byRule) {
      rows.tally.addMany(plan.deletions.get(plan.rules[i] as Rule) as Change, n);
      this.stats.rows += n;
      this.stats.fast += n;
      deleted += n;
    }
    return deleted;
  }

  /**
   * The general classification of a batch's rows (`only`: the range, and with fast predicates the
   * rows left to it): counted, the engine's rows locked and decided into `deletes` and
   * `redacts`, and (unless a saved plan is applied) SQL's deletes and redactions made.
   */
  private async general(
    d: PgDataset,
    plan: DatasetPlan,
    c: Compiled,
    request: Request,
    rows: RowDecisions,
    within: (alias: string) => string,
    only: string,
    values: readonly unknown[],
    ids: Identity,
    deletes: Record<string, unknown>[],
    redacts: Map<string, Record<string, unknown>[]>,
  ): Promise<void> {
    const t = tableSql(d.table);
    const planned = Boolean(request.planned);
    const byEngine = planned ? `('delete', 'redact', 'doubt')` : `('doubt')`;
    const from = `${t} AS r${c.compiled.from}`;
    await this.count(d, plan, c, rows, `${within('r')}${only} AND ${c.compiled.cls} NOT IN ${byEngine}`, request, values);
    // Locked against a concurrent change while the engine decides, where this user may: FOR
    // UPDATE needs the UPDATE privilege, which a purge that only deletes does not. Unlocked, the
    // batch's snapshot still holds: changing a row changed since it fails the batch, which retries.
    const lock = d.table.privileges.update ? ' FOR UPDATE OF r' : '';
    const engine = await this.client.query(
      `SELECT ${this.actedList(d, plan, c)}, ${ids.select('r')} FROM ${from} WHERE ${within('r')}${only} AND ${c.compiled.cls} IN ${byEngine}${lock}`,
      [...values],
    );
    for (const r of engine.rows) {
      this.stats.engine++;
      const x = rows.decide(toRow(r, plan));
      if (x.action === 'delete') deletes.push(r);
      else if (x.action === 'redact') redacts.set(x.columns.join('\u0000'), [...(redacts.get(x.columns.join('\u0000')) ?? []), r]);
    }
    if (!planned) {
      // What the receipts and listings name comes back from the statements themselves (a
      // DELETE returns the row as it was), only when they are wanted. The decision is a join
      // with the rows decided; the range on both sides keeps it to the batch.
      const gone = await this.client.query(
        `DELETE FROM ${t} AS g USING (SELECT ${ids.select('r')}${request.wants ? `, ${this.actedList(d, plan, c)}` : ''} FROM ${from} WHERE ${within('r')}${only} AND ${c.compiled.cls} = 'delete') AS q
          WHERE ${ids.join('g', 'q')} AND ${within('g')}${request.wants ? ' RETURNING q.*' : ''}`,
        [...values],
      );
      for (const r of gone.rows) rows.send(toRow(r, plan), decisionOf(r, plan));
      if (c.compiled.setRedacted.length) {
        const news = c.compiled.setRedacted.map((s, i) => `${s.expr} AS "_new${i}"`).join(', ');
        const sets = c.compiled.setRedacted.map((s, i) => `${ident(s.column)} = q."_new${i}"`).join(', ');
        const done = await this.client.query(
          `WITH q AS (SELECT ${ids.select('r')}, ${request.wants ? `${this.actedList(d, plan, c)}, ` : ''}${news} FROM ${from} WHERE ${within('r')}${only} AND ${c.compiled.cls} = 'redact')
           UPDATE ${t} AS u SET ${sets} FROM q WHERE ${ids.join('u', 'q')} AND ${within('u')}${request.wants ? ' RETURNING q.*' : ''}`,
          [...values],
        );
        for (const r of done.rows) rows.send(toRow(r, plan), decisionOf(r, plan));
      }
    }
  }

  /** Ranges of about BATCH_ROWS rows' pages, up to the table's last page (of its largest partition: the ranges apply to each). */
  private async *pageRanges(t: PgTable): AsyncGenerator<BatchRange> {
    const last = await this.lastPage(t);
    const step = await this.pagesPerBatch(t);
    for (let from = 0; from <= last; from += step) {
      const open = from + step > last;
      yield {
        name: `pages ${from} to ${open ? 'the end' : from + step - 1}`,
        values: [],
        where: (a) =>
          open ? `${a}.ctid >= '(${from},0)'::tid` : `${a}.ctid >= '(${from},0)'::tid AND ${a}.ctid < '(${from + step},0)'::tid`,
      };
    }
  }

  /** Ranges of BATCH_ROWS primary key values, each bound found through the key's index just before its batch. */
  private async *keyRanges(t: PgTable): AsyncGenerator<BatchRange> {
    const key = t.key.map((k) => t.columns.get(k) as PgColumn);
    const tuple = (a: string) => `(${key.map((k) => `${a}.${ident(k.name)}`).join(', ')})`;
    const bound = (at: number) => `(${key.map((k, i) => `$${at + i + 1}::${k.type}`).join(', ')})`;
    let lo: string[] | undefined;
    for (;;) {
      const r = await this.client.query<Record<string, string>>(
        `SELECT ${key.map((k, i) => `r.${ident(k.name)}::text AS "b${i}"`).join(', ')} FROM ${tableSql(t)} AS r
          ${lo ? `WHERE ${tuple('r')} > ${bound(0)}` : ''} ORDER BY ${key.map((k) => `r.${ident(k.name)}`).join(', ')} OFFSET ${BATCH_ROWS - 1} LIMIT 1`,
        lo ?? [],
      );
      const hi = r.rows[0] ? key.map((_, i) => r.rows[0][`b${i}`]) : undefined;
      const from = lo;
      yield {
        name: `keys ${from ? `after (${from.join(', ')})` : 'from the first'} to ${hi ? `(${hi.join(', ')})` : 'the last'}`,
        values: [...(from ?? []), ...(hi ?? [])],
        where: (a, at) =>
          [from ? `${tuple(a)} > ${bound(at)}` : 'true', hi ? `${tuple(a)} <= ${bound(at + (from ? key.length : 0))}` : 'true'].join(
            ' AND ',
          ),
      };
      if (!hi) return;
      lo = hi;
    }
  }

  /** The last page of the table (of its largest partition, for a partitioned table: the ranges apply to each). */
  private async lastPage(t: PgTable): Promise<number> {
    const rel = t.partitioned ? `(SELECT inhrelid FROM pg_inherits WHERE inhparent = ${t.oid})` : `(VALUES (${t.oid}::oid))`;
    const r = await this.client.query<{ pages: string }>(
      `SELECT coalesce(max(pg_relation_size(x.oid) / current_setting('block_size')::int), 0)::bigint AS pages FROM ${rel} AS x(oid)`,
    );
    return Number(r.rows[0]?.pages ?? 0);
  }

  /** Pages per batch for about BATCH_ROWS rows, from the table's statistics. */
  private async pagesPerBatch(t: PgTable): Promise<number> {
    const r = await this.client.query<{ pages: string; tuples: string }>(
      `SELECT greatest(relpages, 1)::bigint AS pages, greatest(reltuples, 0)::bigint AS tuples FROM pg_class WHERE oid = ${t.oid}`,
    );
    const perPage = Number(r.rows[0]?.tuples ?? 0) / Number(r.rows[0]?.pages ?? 1);
    return Math.max(1, Math.floor(BATCH_ROWS / (perPage > 0 ? perPage : 100)));
  }

  /** Next due dates of per-record periods: the earliest pending start of each amount, plus that amount. */
  private async nextDueByAmount(d: PgDataset, c: Compiled, request: Request): Promise<void> {
    for (const p of c.compiled.pending) {
      if (!p.amount) continue;
      const r = await this.client.query<{ a: string | null; s: string }>(
        `SELECT a, min(s) AS s FROM (SELECT ${c.compiled.cls} AS cls, ${p.amount} AS a, ${p.start} AS s, ${p.notDue} AS pending FROM ${tableSql(d.table)} AS r${c.compiled.from}) q
          WHERE pending AND cls NOT IN ('held', 'invalid', 'doubt') GROUP BY a`,
        c.params.values,
      );
      for (const x of r.rows) request.next?.offerFirst(p.term, Number(x.s), x.a === null ? null : Number(x.a));
    }
  }

  /**
   * SQL's least pending start has the least due only where dues rise with the start: where months
   * clamp or DST changes near it, the starts after it that may be due earlier are read too, the
   * least of each UTC minute (within which dues rise in every zone of whole-minute offsets), and
   * their dues computed by Luxon. A second scan, on the few days a year that need it.
   */
  private async laterDues(d: PgDataset, c: Compiled, next: NextDue): Promise<void> {
    for (const f of next.firsts()) {
      const end = laterDueBefore(f.term, f.start, f.amount);
      const p = c.compiled.pending.find((x) => x.term === f.term);
      if (end === undefined || !p) continue;
      const values = [...c.params.values, f.start, end, ...(p.amount ? [f.amount] : [])];
      const n = c.params.values.length;
      const amount = p.amount ? ` AND a IS NOT DISTINCT FROM $${n + 3}::bigint` : '';
      const r = await this.client.query<{ s: string }>(
        `SELECT min(s) AS s FROM (SELECT ${c.compiled.cls} AS cls, ${p.amount ?? 'NULL'} AS a, ${p.start} AS s, ${p.notDue} AS pending FROM ${tableSql(d.table)} AS r${c.compiled.from}) q
          WHERE pending AND cls NOT IN ('held', 'invalid', 'doubt') AND s > $${n + 1}::bigint AND s < $${n + 2}::bigint${amount}
          GROUP BY floor(s / 60000)`,
        values,
      );
      for (const x of r.rows) next.offer(f.term, dueOfStart(f.term, Number(x.s), f.amount));
    }
  }

  /**
   * SQL true where rows of other tables still refer to the row: foreign keys that block its delete.
   * Rows of a dataset this run purges first do not hold a record if they go by their own plan
   * (a report or dry run cannot see those deletes; a purge has made them by then).
   */
  private referencedSql(t: PgTable, ref: string, request: Request, params: Params, depth = 0): string | undefined {
    const refs = t.referencedBy.filter((r) => r.onDelete === 'a' || r.onDelete === 'r');
    if (!refs.length) return undefined;
    return `(${refs
      .map((r, i) => {
        const alias = `c${depth}_${i}`;
        const on = r.columns.map((col, k) => `${alias}.${ident(col)} = ${ref}.${ident(r.parentColumns[k])}`).join(' AND ');
        const plan = r.table.oid !== t.oid && depth < 4 ? request.others.get(r.table.dataset) : undefined;
        let stays = '';
        let laterals = '';
        if (plan) {
          const inner = compilePlan(
            {
              plan,
              columns: r.table.columns,
              referenced: this.referencedSql(r.table, alias, request, params, depth + 1),
              amounts: new Map(),
              utf8: this.utf8,
            },
            alias,
            params,
          );
          stays = ` AND ${inner.cls} <> 'delete'`;
          laterals = inner.from;
        }
        return `EXISTS (SELECT 1 FROM ${tableSql(r.table)} AS ${alias}${laterals} WHERE ${on}${stays})`;
      })
      .join(' OR ')})`;
  }

  /** What a row carries: the plan's columns as the engine reads them, its ctid, its key text, whether others refer to it. */
  private rowList(d: PgDataset, plan: DatasetPlan, referenced: string, keysOnly = false): string {
    const values = plan.columns.map((name, i) => {
      const c = d.table.columns.get(name);
      if (!c) throw new UserError(`${d.location} has no column "${name}"`);
      // Receipts alone read the key: the other values stay in the database.
      return keysOnly && i !== plan.keyIndex ? `NULL AS "v${i}"` : `${valueSql(c, 'r')} AS "v${i}"`;
    });
    // In a partitioned table a ctid names a row of each partition: the partition's name goes with it.
    const ref = d.table.partitioned ? `r.tableoid::regclass::text || ' ' || r.ctid::text` : 'r.ctid::text';
    const key = d.table.key.length ? d.table.key.map((k) => `r.${ident(k)}::text`).join(` || ',' || `) : ref;
    return [...values, `${ref} AS "_ref"`, `${key} AS "_pk"`, `${referenced} AS "_referenced"`].join(', ');
  }

  /** A row with SQL's decision of it: its class, the governing delete rule, each rule's redaction and the columns it empties. */
  private actedList(d: PgDataset, plan: DatasetPlan, c: Compiled): string {
    const flags = [...c.compiled.redacts].map(([i, sql]) => `(${sql}) AS "_red${i}"`);
    const cols = c.compiled.setRedacted.map((s, i) => `(${s.emptied}) AS "_col${i}"`);
    return [
      this.rowList(d, plan, c.compiled.referenced),
      `${c.compiled.cls} AS "_cls"`,
      `${c.compiled.deleteRule} AS "_rule"`,
      ...flags,
      ...cols,
    ].join(', ');
  }

  private async *cursor(sql: string, values: unknown[]): AsyncGenerator<Record<string, unknown>> {
    const cur = this.client.query(new Cursor(sql, values));
    try {
      for (;;) {
        const batch = (await cur.read(5000)) as Record<string, unknown>[];
        if (batch.length === 0) return;
        yield* batch;
      }
    } finally {
      await cur.close();
    }
  }
}

/** SQL's decision for a row it acts on, as the engine writes it. */
function decisionOf(r: Record<string, unknown>, plan: DatasetPlan): Change {
  if (r._cls === 'delete') return plan.deletions.get(plan.rules[Number(r._rule)]) as Change;
  const rules = plan.rules.filter((_, i) => r[`_red${i}`] === true);
  const all = [...new Set(plan.rules.flatMap((x) => x.redact))];
  return { action: 'redact', reason: 'redaction', rule: rules[0], columns: all.filter((_, i) => r[`_col${i}`] === true), rules };
}

function toRow(r: Record<string, unknown>, plan: DatasetPlan): PgRow {
  return { values: plan.columns.map((_, i) => r[`v${i}`]), ref: String(r._ref), pk: String(r._pk), referenced: r._referenced === true };
}

/** Where the database is, for messages, plans and run lines: never the password. */
function describe(c: pg.Client): string {
  const host = c.host?.startsWith('/') ? encodeURIComponent(c.host) : c.host;
  return `postgresql://${c.user ? `${encodeURIComponent(c.user)}@` : ''}${host}:${c.port}/${c.database}`;
}

/** A row that some rule's fast predicate deletes. */
const anyDelete = (f: FastPlan) => `(${[...f.deletes.values()].map((x) => `(${x})`).join(' OR ')})`;

const tableSql = (t: PgTable) => `${ident(t.schema)}.${ident(t.name)}`;

/** A PostgreSQL error as one line a user can act on. */
function pgProblem(e: unknown, where: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || e instanceof UserError) return e;
  const msg = (e as Error).message;
  if (code === '42501') return new UserError(`${where}: ${msg} (this user lacks a privilege; GRANT it, or run as another user)`);
  if (code === '55P03') return new UserError(`${where}: ${msg} (another session holds a lock on the rows; run again when it is done)`);
  if (code === '57014') return new UserError(`${where}: ${msg} (a statement took longer than the statement timeout)`);
  return new UserError(`${where}: ${msg} (PostgreSQL error ${code})`);
}

/** What a batch's count beside its DELETE said it would delete is not what it deleted. */
class CountMismatch extends Error {}

/** The counting session failed, not the batch's own statements: the batch can be done again without it. */
class CountingSessionFailed extends Error {
  constructor(readonly cause: unknown) {
    super(`the counting session failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}
