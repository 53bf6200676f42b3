import type pg from 'pg';
import { exactCut } from '../../engine/exact-cut.js';
import type { DatasetPlan } from '../../engine/plan.js';
import type { FixedPeriod } from '../../policy/period.js';
import type { PgTable } from './catalog.js';
import { ident } from './columns.js';

/** A partition of a table partitioned by range of one timestamp column, with its upper bound. */
export interface PgPartition {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** The bound no row of the partition reaches (epoch ms), read in the rule's zone where the column has none. */
  readonly upper: number;
}

/**
 * The partitions whose whole range lies before a delete rule's cut: every row they can hold is
 * due by that rule, unless something else keeps it (a hold, a keep_for, a where, a reference),
 * which the rows' own decisions show. Only for RANGE partitioning on one timestamptz, timestamp
 * or date column that a where-less delete rule with a fixed period starts from; a default
 * partition, one bounded by MAXVALUE, and sub-partitioned ones never qualify.
 */
export async function wholeDuePartitions(client: pg.Client, t: PgTable, plan: DatasetPlan): Promise<PgPartition[]> {
  if (!t.partitioned) return [];
  const key = await client.query<{ column: string; strat: string; n: number }>(
    `SELECT a.attname AS column, p.partstrat AS strat, p.partnatts::int AS n FROM pg_partitioned_table p
       JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] WHERE p.partrelid = $1`,
    [t.oid],
  );
  const k = key.rows[0];
  if (k?.strat !== 'r' || k.n !== 1) return [];
  const kind = t.columns.get(k.column)?.kind;
  if (kind !== 'timestamptz' && kind !== 'timestamp' && kind !== 'date') return [];
  const cuts = plan.groups
    .filter((g) => g.where.length === 0)
    .flatMap((g) => g.terms)
    .filter((x) => x.kind === 'delete' && x.fixed && x.rule.from.length === 1 && x.rule.from[0] === k.column);
  if (cuts.length === 0) return [];
  const parts = await client.query<{ oid: number; schema: string; name: string; kind: string; bound: string }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE i.inhparent = $1 ORDER BY c.oid`,
    [t.oid],
  );
  const out: PgPartition[] = [];
  for (const p of parts.rows) {
    const literal = p.kind === 'r' ? upperLiteral(p.bound) : undefined;
    if (literal === undefined) continue;
    for (const term of cuts) {
      // The bound as the engine reads the column: an instant, or a wall clock in the rule's zone.
      const instant =
        kind === 'timestamptz'
          ? '$1::timestamptz'
          : kind === 'timestamp'
            ? '$1::timestamp AT TIME ZONE $2'
            : '$1::date::timestamp AT TIME ZONE $2';
      const ms = await client.query<{ ms: string }>(`SELECT floor(extract(epoch from ${instant}) * 1000)::bigint::text AS ms`, [
        literal,
        ...(kind === 'timestamptz' ? [] : [term.rule.timezone]),
      ]);
      const upper = Number(ms.rows[0].ms);
      const cut = exactCut((term.period as FixedPeriod).duration, term.rule.align, plan.asOf.setZone(term.rule.timezone));
      // Every start below `upper` is due: below the cut, and below any start the exact computation must decide.
      const sure = cut.unsure ? Math.min(cut.cut, cut.unsure.lo) : cut.cut;
      if (upper <= sure) {
        out.push({ oid: p.oid, schema: p.schema, name: p.name, upper });
        break;
      }
    }
  }
  return out;
}

/** The upper bound of `FOR VALUES FROM (...) TO ('...')` as its literal text; none for MAXVALUE, DEFAULT, or lists. */
export function upperLiteral(bound: string): string | undefined {
  const m = /^FOR VALUES FROM \((?:'(?:[^']|'')*'|MINVALUE)\) TO \('((?:[^']|'')*)'\)$/.exec(bound);
  return m ? m[1].replace(/''/g, "'") : undefined;
}

export const partitionSql = (p: PgPartition) => `${ident(p.schema)}.${ident(p.name)}`;
