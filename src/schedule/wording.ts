import type { Period, Rule, WhereClause } from '../policy/model.js';
import type { FixedPeriod } from '../policy/period.js';

// A rule's terms in the words of a schedule a privacy officer reads: "6 months after
// started_at", "7 years after the end of the year of invoice_date", "the period in column
// retention_days (days), per record, after recorded_at".

const UNITS = ['years', 'months', 'weeks', 'days', 'hours'] as const;

/** "7 years and 6 months", "1 day", "0 days": ISO periods (P3M) read as words too. */
export function periodWords(p: FixedPeriod): string {
  const parts = UNITS.flatMap((u) => {
    const n = p.duration[u];
    return n ? [`${n} ${n === 1 ? u.slice(0, -1) : u}`] : [];
  });
  return parts.length === 0 ? '0 days' : list(parts, 'and');
}

export function isZero(p: Period): boolean {
  return p.kind === 'fixed' && UNITS.every((u) => !p.duration[u]);
}

/** The event a rule's periods start at: its column, the later of several, at the end of a calendar unit. */
export function eventWords(rule: Pick<Rule, 'from' | 'align'>): string {
  const cols = rule.from;
  const event = cols.length === 1 ? cols[0] : `the ${cols.length === 2 ? 'later' : 'latest'} of ${list(cols, 'and')}`;
  return rule.align ? `the end of the ${rule.align} of ${event}` : event;
}

/** The period alone: fixed, or the number in a column of the record. */
export function periodText(p: Period): string {
  if (p.kind === 'fixed') return periodWords(p);
  const fallback = p.default ? `; ${periodWords(p.default)} where it is empty` : '';
  return `the period in column ${p.column} (${p.unit}), per record${fallback}`;
}

/** How long from which event: "6 months after started_at", "until service_ended_at". */
export function termWords(p: Period, rule: Pick<Rule, 'from' | 'align'>): string {
  const event = eventWords(rule);
  if (isZero(p)) return `until ${event}`;
  if (p.kind === 'fixed') return `${periodWords(p)} after ${event}`;
  const fallback = p.default ? ` (${periodWords(p.default)} where it is empty)` : '';
  return `the period in column ${p.column} (${p.unit}), per record, after ${event}${fallback}`;
}

/** "all records", "service is voip", "contact_type is customer or visitor and region is eu". */
export function whereWords(where: readonly WhereClause[]): string {
  if (where.length === 0) return 'all records';
  return where.map((w) => `${w.column} is ${list(w.values.map(value), 'or')}`).join(' and ');
}

/**
 * The records that match none of the given where conditions, in words. Conditions on one column
 * each, all the same column, read as "contact_type is neither customer nor visitor".
 */
export function noneOfWords(conditions: readonly (readonly WhereClause[])[]): string {
  const single = conditions.every((c) => c.length === 1 && c[0].column === conditions[0][0].column);
  if (single) {
    const values = [...new Set(conditions.flatMap((c) => c[0].values))].map(value);
    const column = conditions[0][0].column;
    if (values.length === 1) return `${column} is not ${values[0]}`;
    if (values.length === 2) return `${column} is neither ${values[0]} nor ${values[1]}`;
    return `${column} is none of ${list(values, 'or')}`;
  }
  return `matching none of: ${conditions.map((c) => `(${whereWords(c)})`).join(', ')}`;
}

/** "a", "a and b", "a, b and c". */
export function list(items: readonly string[], word: 'and' | 'or'): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}

/** A where value as written; an empty one or one with spaces is quoted, so it shows. */
function value(v: string): string {
  return v === '' || /\s|^"|,/.test(v) ? JSON.stringify(v) : v;
}
