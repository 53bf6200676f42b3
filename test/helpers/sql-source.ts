import { realpathSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { DatasetPlan } from '../../src/engine/plan.js';
import { Tally } from '../../src/engine/tally.js';
import { valuesHash } from '../../src/engine/value.js';
import { InterruptedError } from '../../src/errors.js';
import type { Acted, DatasetInfo, Request, Row, Sink, Source, SourceIdentity } from '../../src/sources/source.js';

/**
 * A source that decides in SQL, for the tests: it shows that the plan/source seam takes an
 * engine with nothing to call back per row. SQLite again, but each record is decided by one
 * compiled predicate, for the simplest rule shape only: one delete rule, a fixed period of days
 * or hours, `unix` timestamps, timezone UTC, no hold, no where (anything else it refuses). In
 * UTC, `start + n days <= asOf` is `start <= asOf - n days` exactly, so the cut is computed once
 * in TypeScript and bound as a parameter; a value that is not an integer is invalid.
 */
export class SqlTestSource implements Source {
  readonly identity: SourceIdentity;
  readonly readsBeforeChanging = false;
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    this.identity = { kind: 'sql-test', path: realpathSync(path) };
    this.db = new Database(path, { fileMustExist: true });
  }

  datasets(): ReadonlyMap<string, DatasetInfo> {
    const out = new Map<string, DatasetInfo>();
    for (const { name } of this.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]) {
      const columns = (this.db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]).map((c) => c.name);
      out.set(name, { name, columns, location: `table ${name} (SQL)`, refName: 'rowid', after: [], mayBeReferenced: false });
    }
    return out;
  }

  refusals(plan: DatasetPlan): string[] {
    return this.shape(plan)
      ? []
      : [`the SQL test source takes one delete rule of days or hours on unix timestamps in UTC, no hold, no where`];
  }

  fingerprint(): Record<string, unknown> {
    const st = statSync(this.path);
    return { [this.identity.path]: { size: st.size, mtimeMs: st.mtimeMs } };
  }

  async lock(): Promise<string[]> {
    return [];
  }

  async rows(plan: DatasetPlan, _request: Request, visit: (row: Row) => void, key?: string): Promise<void> {
    const cols = plan.columns.map((c) => `"${c}"`).join(', ');
    const where = key === undefined ? '' : ` WHERE CAST(${plan.keyIndex >= 0 ? `"${plan.columns[plan.keyIndex]}"` : 'rowid'} AS TEXT) = ?`;
    const row: Row = { values: [], ref: 0, referenced: false };
    for (const r of this.db
      .prepare(`SELECT ${cols}, rowid AS ref FROM "${plan.dataset.name}"${where} ORDER BY rowid`)
      .raw()
      .iterate(...(key === undefined ? [] : [key])) as Iterable<unknown[]>) {
      row.values = r;
      row.ref = r[plan.columns.length] as number;
      visit(row);
    }
  }

  async evaluate(plan: DatasetPlan, request: Request, sink: Sink): Promise<import('../../src/engine/tally.js').DatasetSummary> {
    const s = this.shape(plan);
    if (!s) throw new Error('refused plan');
    const t = `"${plan.dataset.name}"`;
    const at = `"${s.column}"`;
    const invalid = `(${at} IS NOT NULL AND typeof(${at}) <> 'integer')`;
    const due = `(typeof(${at}) = 'integer' AND ${at} <= ?)`;
    const counts = this.db
      .prepare(`SELECT count(*) AS scanned, count(*) FILTER (WHERE ${due}) AS del, count(*) FILTER (WHERE ${invalid}) AS invalid FROM ${t}`)
      .get(s.cut) as {
      scanned: number;
      del: number;
      invalid: number;
    };
    const tally = new Tally(plan.dataset.name, plan.rules);
    Object.assign(tally.summary, {
      scanned: counts.scanned,
      delete: counts.del,
      keep: counts.scanned - counts.del,
      invalid: counts.invalid,
    });
    tally.summary.rules[0].delete = counts.del;
    const decision = { action: 'delete' as const, reason: 'shortest-deletion' as const, rule: s.rule };
    const cols = plan.columns.map((c) => `"${c}"`).join(', ');
    const acted = (r: unknown[]): Acted => ({
      dataset: plan.dataset.name,
      decision,
      ref: r[plan.columns.length] as number,
      key: () => String(plan.keyIndex >= 0 ? r[plan.keyIndex] : r[plan.columns.length]),
      match: () => (plan.keyIndex >= 0 ? `key:${String(r[plan.keyIndex])}` : `ref:${String(r[plan.columns.length])}`),
      valuesHash: () => valuesHash(r, plan.decisionColumns),
      due: () => undefined,
    });
    if (request.mode === 'write' && request.signal?.aborted)
      throw new InterruptedError(`stopped by ${request.signal.reason}`, String(request.signal.reason));
    const select = this.db.prepare(`SELECT ${cols}, rowid FROM ${t} WHERE ${due} ORDER BY rowid`).raw();
    if (request.mode === 'read') {
      for (const r of select.iterate(s.cut) as Iterable<unknown[]>) sink.act(acted(r));
      return tally.summary;
    }
    const tx = this.db.transaction(() => {
      for (const r of select.all(s.cut) as unknown[][]) sink.act(acted(r));
      this.db.prepare(`DELETE FROM ${t} WHERE ${due}`).run(s.cut);
    });
    try {
      tx();
    } catch (e) {
      sink.rollback?.();
      throw e;
    }
    sink.commit?.();
    return tally.summary;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The one rule shape it can decide in SQL, with its cut in unix seconds. */
  private shape(plan: DatasetPlan) {
    const [rule] = plan.rules;
    const p = rule?.deleteAfter;
    const fixed = p?.kind === 'fixed' ? p.duration : undefined;
    const units = fixed ? Object.keys(fixed) : [];
    if (
      plan.rules.length !== 1 ||
      !rule ||
      !fixed ||
      rule.keepFor ||
      rule.redactAfter ||
      rule.where.length ||
      rule.from.length !== 1 ||
      rule.align
    )
      return undefined;
    if (
      plan.dataset.hold !== undefined ||
      plan.dataset.timestamps.kind !== 'unix' ||
      rule.timezone !== 'UTC' ||
      units.some((u) => u !== 'days' && u !== 'hours')
    )
      return undefined;
    const cut = Math.floor(plan.asOf.toUTC().minus(fixed).toMillis() / 1000);
    return { rule, column: rule.from[0], cut };
  }
}
