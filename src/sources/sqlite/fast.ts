import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { Change } from '../../engine/decision.js';
import { exactCut } from '../../engine/exact-cut.js';
import type { DatasetPlan, PlanRule, PlanTerm, PlanWhere } from '../../engine/plan.js';
import { dueOrder } from '../../engine/rule-order.js';
import type { Request } from '../source.js';
import { quote } from './references.js';

/**
 * The SQLite source's fast path: a dataset whose rules each have one fixed delete period from the
 * same ISO columns (the latest of them; a hold, or none; a `where`, or none), in an order in which
 * the first due governs (rule-order.ts), is decided in SQL by the functions of
 * native/retention-sqlite.c, which read a start exactly as the engine's fast reader where it names
 * its instant (`T`, and `Z` or an offset) and compare it with each rule's exact cut (exact-cut.ts:
 * Luxon's answer). A start of another shape, one within a cut's unsure window and a hold other
 * than NULL, 0 or 1 are doubt: those rows go to the engine through the row path's callback, so
 * every count is the engine's. What the engine's per-row callback costs (1M rows: 0.125 s for the
 * call alone) the native function does in 0.02 s.
 */
export interface FastPlan {
  /** The rules, in the order of the functions' arguments: the first due governs. */
  readonly rules: readonly FastRule[];
  /** The native functions' arguments: hold, the number of rules, five a rule (where, cut, before, lo, hi), the `where` columns (a count, then each), the from columns. */
  readonly args: string;
  /** The from columns, for retention_ms (the latest of them). */
  readonly starts: string;
}

export interface FastRule {
  readonly term: PlanTerm;
  readonly deletion: Change;
}

/** Off: every row goes through the engine's callback (the differential tests compare both). */
export const sqliteFastSwitch = { enabled: process.env.RETENTION_SQLITE_FAST !== 'off' };

/** retention_class's classes. */
export const CLASS = { pending: 0, due: 1, held: 2, doubt: 3, empty: 4, unmanaged: 5 } as const;

const LIBRARY = `retention-sqlite.${process.platform === 'darwin' ? 'dylib' : 'so'}`;

/** The compiled functions (scripts/build-native.mjs), beside the bundle; undefined where none was built. */
function library(): string | undefined {
  // From the bundle (bundle/main.cjs), or from dist/ and src/ (tests).
  for (const rel of [`./${LIBRARY}`, `../../../bundle/${LIBRARY}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Loads the functions into the connection; false where they were not built or do not load. */
export function loadFastFunctions(db: Database.Database): boolean {
  const lib = library();
  if (!lib) return false;
  try {
    db.loadExtension(lib);
    return true;
  } catch {
    return false;
  }
}

/** The fast plan of a dataset, or undefined where its plan, its table or the request is not of that shape. */
export function fastPlan(plan: DatasetPlan, request: Request, referenced: boolean): FastPlan | undefined {
  // Each record listed, a saved plan followed, the forecast's look ahead: those need every row.
  // A purge's receipts need the keys of the rows deleted only: SQL selects those (apply).
  const receipts = request.mode === 'write' && request.keysOnly === true;
  if (!sqliteFastSwitch.enabled || (request.wants && !receipts) || request.planned || request.forecast || referenced) return undefined;
  if (plan.dataset.timestamps.kind !== 'iso' || plan.groups.length === 0 || plan.groups.length > MAX_RULES) return undefined;
  const fixed = plan.groups.every((g) => {
    const t = g.terms[0];
    return g.terms.length === 1 && t?.kind === 'delete' && t.fixed && t.period.kind === 'fixed' && plan.deletions.has(g.rule);
  });
  // One start for every rule: the functions read it once.
  const from = new Set(plan.groups[0]?.rule.from);
  const oneStart = plan.groups.every((g) => g.rule.from.length === from.size && g.rule.from.every((c) => from.has(c)));
  const order = fixed && oneStart ? dueOrder(plan.groups) : undefined;
  if (!order) return undefined;
  const rules: FastRule[] = [];
  const each: string[] = [];
  const columns: string[] = [];
  for (const g of order) {
    const term = g.terms[0] as PlanTerm;
    const rule = term.rule;
    if (term.period.kind !== 'fixed') return undefined;
    const cut = exactCut(term.period.duration, rule.align, plan.asOf.setZone(rule.timezone));
    const [lo, hi] = cut.unsure ? [cut.unsure.lo, cut.unsure.hi] : [cut.cut, cut.cut];
    const where = whereSpec(g.where, columns);
    if (where === undefined) return undefined;
    rules.push({ term, deletion: plan.deletions.get(rule) as Change });
    each.push(where, String(cut.cut), cut.before ? '1' : '0', String(lo), String(hi));
  }
  const hold = plan.dataset.hold === undefined ? 'NULL' : quote(plan.dataset.hold);
  const starts = (order[0] as PlanRule).rule.from.map(quote).join(', ');
  const args = [hold, rules.length, ...each, columns.length, ...columns.map(quote), starts].join(', ');
  return { rules, args, starts };
}

/** The native functions' limit (RULES in native/retention-sqlite.c): a bit each in a mask. */
const MAX_RULES = 62;

/**
 * A rule's `where` as native/retention-sqlite.c reads it (where_applies): 1 for none, else a text
 * of its conditions in order, each `column,count:` (the column's place in `columns`, added where
 * new) then `length:bytes` a value, lengths in UTF-8 bytes. SQL compares text byte for byte (a
 * NOCASE or RTRIM column must not match what the engine does not) and an INTEGER by its digits,
 * as the engine reads it (an affinity comparison would match '01' to 1); a REAL (2.0 reads as '2'
 * in JavaScript, '2.0' in SQL) and a blob are the engine's.
 */
function whereSpec(where: readonly PlanWhere[], columns: string[]): string | undefined {
  if (where.length === 0) return '1';
  if (where.some((w) => [...w.values].some((v) => !exactText(v)))) return undefined;
  const spec = where.map((w) => {
    if (!columns.includes(w.column)) columns.push(w.column);
    const values = [...w.values].map((v) => `${Buffer.byteLength(v, 'utf8')}:${v}`).join('');
    return `${columns.indexOf(w.column)},${w.values.size}:${values}`;
  });
  return literal(spec.join(''));
}

/**
 * Whether SQL compares this value with a text as the engine does. The engine compares decoded
 * strings, SQL the bytes: a lone surrogate is written as bytes the engine reads back as U+FFFD, and
 * invalid bytes read as U+FFFD, so neither may be in the value; a NUL ends SQLite's literal.
 */
const exactText = (v: string) =>
  !v.includes('\0') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/.test(v);

/** An SQL string literal. */
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** What retention_counts counted: rows by class, and by rule the rows due and the least pending start. */
export interface FastTally {
  rows: number;
  held: number;
  doubt: number;
  unmanaged: number;
  /** Due rows, of every rule. */
  due: number;
  /** By rule, in the fast plan's order (none where no row was classed). */
  rules: { due: number; least?: number }[];
}

/** retention_counts' result: 'rows held doubt unmanaged', then 'due least' by rule (least '-': none). */
export function parseTally(s: string): FastTally {
  const [rows, held, doubt, unmanaged, ...rest] = s.split(' ');
  const rules: FastTally['rules'] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const least = rest[i + 1];
    rules.push(least === '-' ? { due: Number(rest[i]) } : { due: Number(rest[i]), least: Number(least) });
  }
  const due = rules.reduce((a, r) => a + r.due, 0);
  return { rows: Number(rows), held: Number(held), doubt: Number(doubt), unmanaged: Number(unmanaged), due, rules };
}

/** Two tallies as one (of ranges of one table). */
export function addTally(a: FastTally, b: FastTally): FastTally {
  const rules = (a.rules.length >= b.rules.length ? a : b).rules.map((_, i) => {
    const [x, y] = [a.rules[i], b.rules[i]];
    const least = [x?.least, y?.least].filter((v) => v !== undefined).reduce((p, q) => Math.min(p, q), Number.POSITIVE_INFINITY);
    const due = (x?.due ?? 0) + (y?.due ?? 0);
    return Number.isFinite(least) ? { due, least } : { due };
  });
  return {
    rows: a.rows + b.rows,
    held: a.held + b.held,
    doubt: a.doubt + b.doubt,
    unmanaged: a.unmanaged + b.unmanaged,
    due: a.due + b.due,
    rules,
  };
}
