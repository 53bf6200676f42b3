import type pg from 'pg';
import { kindOf, type PgColumn } from './columns.js';

/** A foreign key of another table (`table`, its `columns`) that refers to `parentColumns` of this one. */
export interface PgReference {
  readonly table: PgTable;
  readonly columns: readonly string[];
  readonly parentColumns: readonly string[];
  /** a: no action, r: restrict (a delete of a referred row fails); c, n, d: cascade, set null, set default. */
  readonly onDelete: string;
}

/** What the catalog says of one table. */
export interface PgTable {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** The dataset name: the table's name in `public`, else `schema.table`. */
  readonly dataset: string;
  readonly partitioned: boolean;
  /** A Citus distributed table: its rows live in shards on other servers, so no ctid names one. */
  readonly distributed: boolean;
  readonly columns: ReadonlyMap<string, PgColumn>;
  /** The primary key, else a unique key of NOT NULL columns; empty when neither exists. */
  readonly key: readonly string[];
  /** Foreign keys of other tables that refer to this one. */
  readonly referencedBy: PgReference[];
  /** Names of user triggers that a DELETE, or an UPDATE, fires. */
  readonly triggers: { readonly delete: readonly string[]; readonly update: readonly string[] };
  readonly privileges: { readonly select: boolean; readonly delete: boolean; readonly update: boolean };
  /** Row-level security applies to this user: what it reads and what it may change are policies' to say. */
  readonly rowSecurity: boolean;
  /** The same of a partition, read on its own (as a partition dropped whole is): through the parent its policies do not apply. */
  readonly partitionRowSecurity: boolean;
  /** Rewrite rules (CREATE RULE) on DELETE, and on UPDATE: the statement run is not the one written. */
  readonly rules: { readonly delete: boolean; readonly update: boolean };
}

// The user tables of the database: ordinary and partitioned, not partitions themselves.
const USER_TABLES = `c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;
const USER_OIDS = `(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_TABLES})`;

interface TableRow {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  sel: boolean;
  del: boolean;
  upd: boolean;
  rls: boolean;
  partrls: boolean;
  delrule: boolean;
  updrule: boolean;
}

/**
 * The user tables of the database (ordinary and partitioned; not partitions themselves), by
 * dataset name, and the server's encoding. One round trip for all of it (its statements run in
 * one implicit transaction, so they see the same catalog): seven, one after the other, took ~5 ms
 * of a run's start.
 */
export async function readCatalog(client: pg.Client): Promise<{ tables: Map<string, PgTable>; encoding: string }> {
  const results = (await client.query(
    // Row-level security binds neither superusers nor BYPASSRLS roles, nor the owner unless forced.
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
            has_table_privilege(c.oid, 'SELECT') AS sel, has_table_privilege(c.oid, 'DELETE') AS del, has_table_privilege(c.oid, 'UPDATE') AS upd,
            c.relrowsecurity AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE')) AND NOT b.bypass AS rls,
            EXISTS (SELECT 1 FROM pg_partition_tree(c.oid) t JOIN pg_class x ON x.oid = t.relid
                     WHERE t.relid <> c.oid AND x.relrowsecurity AND (x.relforcerowsecurity OR NOT pg_has_role(x.relowner, 'USAGE'))) AND NOT b.bypass AS partrls,
            EXISTS (SELECT 1 FROM pg_rewrite w WHERE w.ev_class = c.oid AND w.ev_type = '4' AND w.ev_enabled <> 'D') AS delrule,
            EXISTS (SELECT 1 FROM pg_rewrite w WHERE w.ev_class = c.oid AND w.ev_type = '2' AND w.ev_enabled <> 'D') AS updrule
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN (SELECT coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user), false) AS bypass) b
      WHERE ${USER_TABLES};
     SELECT a.attrelid::int AS oid, a.attname AS name, t.typname, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory AS category, a.attnotnull AS notnull
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid IN ${USER_OIDS}
      ORDER BY a.attrelid, a.attnum;
     SELECT i.indrelid::int AS oid, i.indisprimary AS primary,
            array_agg(a.attname::text ORDER BY k.n) AS cols
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND i.indrelid IN ${USER_OIDS}
      GROUP BY i.indexrelid, i.indrelid, i.indisprimary
     HAVING bool_and(a.attnotnull);
     SELECT c.conrelid::int AS child, c.confrelid::int AS parent, c.confdeltype AS deltype,
            (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols,
            (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS pcols
       FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid IN ${USER_OIDS};
     SELECT tgrelid::int AS oid, tgname AS name, tgtype::int AS type FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN ${USER_OIDS};
     SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL AS present, current_setting('server_encoding') AS encoding`,
  )) as unknown as pg.QueryResult[];
  const [tables, columns, keys, fks, triggers, misc] = results as [
    pg.QueryResult<TableRow>,
    pg.QueryResult<{ oid: number; name: string; typname: string; type: string; category: string; notnull: boolean }>,
    pg.QueryResult<{ oid: number; primary: boolean; cols: string[] }>,
    pg.QueryResult<{ child: number; parent: number; deltype: string; cols: string[]; pcols: string[] }>,
    // tgtype bits: 1 row, 4 insert, 8 delete, 16 update (pg_trigger.h).
    pg.QueryResult<{ oid: number; name: string; type: number }>,
    pg.QueryResult<{ present: boolean; encoding: string }>,
  ];
  // Citus keeps its distributed tables in pg_dist_partition; without Citus there is no such table.
  const distributed = new Set(
    misc.rows[0]?.present
      ? (await client.query<{ oid: number }>('SELECT logicalrelid::oid::int AS oid FROM pg_catalog.pg_dist_partition')).rows.map(
          (r) => r.oid,
        )
      : [],
  );
  const byOid = new Map<number, PgTable>();
  for (const t of tables.rows) {
    const cols = new Map(
      columns.rows
        .filter((c) => c.oid === t.oid)
        .map((c) => [c.name, { name: c.name, kind: kindOf(c.typname, c.category), type: c.type, notNull: c.notnull }] as const),
    );
    const own = keys.rows
      .filter((k) => k.oid === t.oid)
      .sort((a, b) => Number(b.primary) - Number(a.primary) || a.cols.length - b.cols.length);
    const tr = triggers.rows.filter((x) => x.oid === t.oid);
    byOid.set(t.oid, {
      oid: t.oid,
      schema: t.schema,
      name: t.name,
      dataset: t.schema === 'public' ? t.name : `${t.schema}.${t.name}`,
      partitioned: t.kind === 'p',
      distributed: distributed.has(t.oid),
      columns: cols,
      key: own[0]?.cols ?? [],
      referencedBy: [],
      triggers: { delete: tr.filter((x) => x.type & 8).map((x) => x.name), update: tr.filter((x) => x.type & 16).map((x) => x.name) },
      privileges: { select: t.sel, delete: t.del, update: t.upd },
      rowSecurity: t.rls,
      partitionRowSecurity: t.partrls,
      rules: { delete: t.delrule, update: t.updrule },
    });
  }
  for (const f of fks.rows) {
    const parent = byOid.get(f.parent);
    const child = byOid.get(f.child);
    if (parent && child) parent.referencedBy.push({ table: child, columns: f.cols, parentColumns: f.pcols, onDelete: f.deltype });
  }
  const out = new Map<string, PgTable>();
  for (const t of byOid.values()) {
    out.set(t.dataset, t);
    if (t.schema === 'public') out.set(`public.${t.name}`, t);
  }
  return { tables: out, encoding: misc.rows[0]?.encoding ?? '' };
}
