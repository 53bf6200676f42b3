/** How a PostgreSQL column's values are read: the decision depends on the column's type. */
export type PgKind = 'timestamptz' | 'timestamp' | 'date' | 'text' | 'int' | 'numeric' | 'float' | 'bool' | 'bytea' | 'other';

export interface PgColumn {
  readonly name: string;
  readonly kind: PgKind;
  /** The type as SQL spells it (format_type), for casts. */
  readonly type: string;
  readonly notNull: boolean;
}

/** The kind of a column from its type (pg_type.typname) and category (typcategory). */
export function kindOf(typname: string, category: string): PgKind {
  if (typname === 'timestamptz') return 'timestamptz';
  if (typname === 'timestamp') return 'timestamp';
  if (typname === 'date') return 'date';
  if (typname === 'bool') return 'bool';
  if (typname === 'bytea') return 'bytea';
  if (typname === 'int2' || typname === 'int4' || typname === 'int8') return 'int';
  if (typname === 'numeric') return 'numeric';
  if (typname === 'float4' || typname === 'float8') return 'float';
  if (category === 'S') return 'text';
  return 'other';
}

/** A name as PostgreSQL reads it, quoted. */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The whitespace JavaScript's trim() removes, as an SQL string: empty means the same on both sides. */
export const WHITESPACE = `E'${[
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
]
  .map((c) => `\\u${c.toString(16).padStart(4, '0')}`)
  .join('')}'`;

/**
 * The value of a column as the engine reads it from this source (the row path, explain, the
 * tests' oracle): timestamps as ISO text with milliseconds (UTC `Z` for timestamptz, wall clock
 * for timestamp, a date for date), infinite ones, those before the year 1 and dates after 9999 as
 * PostgreSQL writes them (unreadable, as in SQL); types the driver would turn into objects, and character types, as
 * their text cast.
 */
export function valueSql(c: PgColumn, ref: string): string {
  const x = `${ref}.${ident(c.name)}`;
  switch (c.kind) {
    case 'timestamptz':
      return `CASE WHEN isfinite(${x}) AND ${x} >= '0001-01-01 00:00:00+00'::timestamptz THEN to_char(${x} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ELSE ${x}::text END`;
    case 'timestamp':
      return `CASE WHEN isfinite(${x}) AND ${x} >= '0001-01-01 00:00:00'::timestamp THEN to_char(${x}, 'YYYY-MM-DD"T"HH24:MI:SS.MS') ELSE ${x}::text END`;
    // to_char reads a date as a timestamp, which has no day after 294276 AD.
    case 'date':
      return `CASE WHEN isfinite(${x}) AND ${x} >= '0001-01-01'::date AND ${x} < '10000-01-01'::date THEN to_char(${x}, 'YYYY-MM-DD') ELSE ${x}::text END`;
    // char(n)'s text drops its padding, as SQL compares it: 'ab' and 'ab   ' are one value.
    case 'text':
    case 'other':
      return `${x}::text`;
    default:
      return x;
  }
}
