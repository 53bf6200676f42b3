import type Database from 'better-sqlite3';

/** A foreign key of `table` (its `columns`) that refers to `parentColumns` of a dataset. */
export interface Reference {
  readonly table: string;
  readonly columns: readonly string[];
  readonly parentColumns: readonly string[];
}

export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The foreign keys that matter to a purge, by the table they refer to. With keys enforced
 * (better-sqlite3's default), ON DELETE CASCADE / SET NULL / SET DEFAULT would change rows of
 * other tables that no policy decided on (`cascades`); RESTRICT and NO ACTION make the delete
 * of a row still referred to fail (`references`).
 */
export function foreignKeys(
  db: Database.Database,
  tables: readonly string[],
): { cascades: Map<string, string[]>; references: Map<string, Reference[]>; keyColumns: Map<string, Set<string>> } {
  const cascades = new Map<string, string[]>();
  const references = new Map<string, Reference[]>();
  const keyColumns = new Map<string, Set<string>>(); // columns other tables refer to, whatever the action
  if (db.pragma('foreign_keys', { simple: true }) !== 1) return { cascades, references, keyColumns };
  const byLowerName = new Map(tables.map((t) => [t.toLowerCase(), t]));
  for (const name of tables) {
    const keys = new Map<number, { table: string; onDelete: string; from: string[]; to: (string | null)[] }>();
    for (const fk of db.prepare(`PRAGMA foreign_key_list(${quote(name)})`).all() as {
      id: number;
      table: string;
      from: string;
      to: string | null;
      on_delete: string;
    }[]) {
      const k = keys.get(fk.id) ?? { table: fk.table, onDelete: fk.on_delete, from: [], to: [] };
      k.from.push(fk.from);
      k.to.push(fk.to);
      keys.set(fk.id, k);
    }
    for (const fk of keys.values()) {
      const parent = byLowerName.get(fk.table.toLowerCase());
      if (!parent) continue;
      // A key naming no parent columns refers to the parent's primary key.
      const parentColumns = fk.to.some((c) => c === null) ? primaryKey(db, parent) : (fk.to as string[]);
      keyColumns.set(parent, new Set([...(keyColumns.get(parent) ?? []), ...parentColumns]));
      if (/^(CASCADE|SET NULL|SET DEFAULT)$/i.test(fk.onDelete)) {
        cascades.set(parent, [...(cascades.get(parent) ?? []), `${name} (ON DELETE ${fk.onDelete})`]);
      } else {
        references.set(parent, [...(references.get(parent) ?? []), { table: name, columns: fk.from, parentColumns }]);
      }
    }
  }
  return { cascades, references, keyColumns };
}

function primaryKey(db: Database.Database, table: string): string[] {
  const cols = db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string; pk: number }[];
  const pk = cols
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  return pk.length ? pk : ['rowid'];
}

/**
 * SQL that is true when some row of `r.table` refers to the current row of `parent`. Where an
 * index leads with the referring columns, each lookup is a search; otherwise the distinct
 * references are first copied once into an indexed TEMP table (`name`), so a report of a
 * million rows does not read the referring table a million times. `parent` is the SQL name of
 * the parent row's table (or alias); `stays`, a condition on the referring row (as `name`): only
 * rows that stay count (a dry run does not see the deletions its purge makes first).
 */
export function referencesSql(
  db: Database.Database,
  parent: string,
  r: Reference,
  name: string,
  rowidAlias: string | undefined,
  stays?: string,
): string {
  let from = quote(r.table),
    cols = r.columns.map(quote),
    keep = stays ? ` AND ${stays}` : '';
  if (!indexed(db, r, rowidAlias)) {
    const c = r.columns.map((_, j) => `c${j}`);
    db.exec(`DROP TABLE IF EXISTS temp.${quote(name)};
      CREATE TEMP TABLE ${quote(name)} AS SELECT DISTINCT ${r.columns.map((x, j) => `${quote(name)}.${quote(x)} AS ${c[j]}`).join(', ')}
        FROM main.${quote(r.table)} AS ${quote(name)} WHERE ${r.columns.map((x) => `${quote(name)}.${quote(x)} IS NOT NULL`).join(' AND ')}${keep};
      CREATE INDEX temp.${quote(`${name}_index`)} ON ${quote(name)} (${c.join(', ')});`);
    from = `temp.${quote(name)}`;
    cols = c;
    keep = '';
  }
  // The parent's column on the left: SQLite compares with the left operand's collation, and
  // its own foreign key check uses the parent's.
  const on = cols.map((c, i) => `${parent}.${quote(r.parentColumns[i])} = ${quote(name)}.${c}`).join(' AND ');
  return `EXISTS (SELECT 1 FROM ${from} AS ${quote(name)} WHERE ${on}${keep})`;
}

/** Whether an index of the referring table (or its rowid, `rowidAlias`) leads with the referring columns. */
function indexed(db: Database.Database, r: Reference, rowidAlias: string | undefined): boolean {
  const want = new Set(r.columns);
  if (want.size === 1 && rowidAlias !== undefined && want.has(rowidAlias)) return true;
  for (const ix of db.prepare(`PRAGMA index_list(${quote(r.table)})`).all() as { name: string; partial: number }[]) {
    if (ix.partial) continue;
    const lead = (db.prepare(`PRAGMA index_info(${quote(ix.name)})`).all() as { seqno: number; name: string | null }[])
      .sort((a, b) => a.seqno - b.seqno)
      .slice(0, want.size)
      .map((c) => c.name);
    if (lead.length === want.size && lead.every((c) => c !== null && want.has(c))) return true;
  }
  return false;
}

/** Triggers that a DELETE or an UPDATE of the table would fire, by name. */
export function triggersOf(db: Database.Database, table: string): { delete: string[]; update: string[] } {
  const out = { delete: [] as string[], update: [] as string[] };
  for (const t of db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE").all(table) as {
    name: string;
    sql: string | null;
  }[]) {
    const head = (t.sql ?? '').split(/\bBEGIN\b/i)[0];
    if (/\bDELETE\s+ON\b/i.test(head)) out.delete.push(t.name);
    if (/\bUPDATE\b/i.test(head)) out.update.push(t.name);
  }
  return out;
}
