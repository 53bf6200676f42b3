import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { Change } from '../../engine/decision.js';
import { exactCut } from '../../engine/exact-cut.js';
import type { DatasetPlan, PlanTerm, PlanWhere } from '../../engine/plan.js';
import type { Rule } from '../../policy/model.js';
import type { Request } from '../source.js';
import { quote } from './references.js';

/**
 * The SQLite source's fast path: a dataset whose plan is one fixed delete period from ISO
 * columns (the latest of them; a hold, or none; a `where`, or none) is decided in SQL by the functions of native/retention-sqlite.c,
 * which read a start exactly as the engine's fast reader where it names its instant (`T`, and
 * `Z` or an offset) and compare it with the exact cut (exact-cut.ts: Luxon's answer). A start
 * of another shape, one within the cut's unsure window and a hold other than NULL, 0 or 1 are
 * doubt: those rows go to the engine through the row path's callback, so every count is the
 * engine's. What the engine's per-row callback costs (1M rows: 0.125 s for the call alone)
 * the native function does in 0.02 s.
 */
export interface FastPlan {
  readonly term: PlanTerm;
  readonly rule: Rule;
  readonly deletion: Change;
  /** The arguments of retention_class and retention_tally: start, hold, cut, before, lo, hi, applies, more starts. */
  readonly args: string;
  /** The from columns, for retention_ms (the latest of them). */
  readonly starts: string;
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
  if (plan.dataset.timestamps.kind !== 'iso' || plan.groups.length !== 1) return undefined;
  const group = plan.groups[0];
  if (group?.terms.length !== 1) return undefined;
  const term = group.terms[0] as PlanTerm;
  const rule = term.rule;
  if (term.kind !== 'delete' || !term.fixed || term.period.kind !== 'fixed') return undefined;
  const deletion = plan.deletions.get(rule);
  if (!deletion) return undefined;
  const cut = exactCut(term.period.duration, rule.align, plan.asOf.setZone(rule.timezone));
  const [lo, hi] = cut.unsure ? [cut.unsure.lo, cut.unsure.hi] : [cut.cut, cut.cut];
  const hold = plan.dataset.hold === undefined ? 'NULL' : quote(plan.dataset.hold);
  const where = applies(group.where);
  if (where === undefined) return undefined;
  // The first from column, then the others after the rest (native/retention-sqlite.c).
  const starts = rule.from.map(quote);
  const [first, ...more] = starts;
  const args = [first, hold, cut.cut, cut.before ? 1 : 0, lo, hi, where, ...more].join(', ');
  return { term, rule, deletion, args, starts: starts.join(', ') };
}

/**
 * Whether a record is one the rule's `where` names, as decide tells it: 1 or 0, else 2 (the engine
 * decides). Conditions in order, the first that fails deciding: NULL fails; text is compared byte
 * for byte (COLLATE BINARY: a NOCASE or RTRIM column must not match what the engine does not); an
 * INTEGER by its digits, as the engine reads it (the text of an affinity comparison would match
 * '01' to 1); a REAL (2.0 reads as '2' in JavaScript, '2.0' in SQL) and a blob are the engine's.
 */
function applies(where: readonly PlanWhere[]): string | undefined {
  if (where.length === 0) return '1';
  if (where.some((w) => [...w.values].some((v) => !exactText(v)))) return undefined;
  const state = (w: PlanWhere) => {
    const c = quote(w.column);
    const list = [...w.values].map(literal).join(', ');
    // CAST: the list is compared as the text given, whatever the column's affinity.
    const text = `(CAST(${c} AS TEXT) COLLATE BINARY IN (${list}))`;
    return `CASE typeof(${c}) WHEN 'null' THEN 0 WHEN 'text' THEN ${text} WHEN 'integer' THEN ${text} ELSE 2 END`;
  };
  // CASE s WHEN 1 THEN <the rest> ELSE s END, from the last condition outwards.
  return where.reduceRight((rest, w) => `(CASE ${state(w)} WHEN 1 THEN ${rest} ELSE ${state(w)} END)`, '1');
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

/** retention_tally's result (and retention_counts'): rows, held, doubt, due, unmanaged, and the least pending start (ms) if any. */
export function parseTally(s: string): { rows: number; held: number; doubt: number; due: number; unmanaged: number; least?: number } {
  const [rows, held, doubt, due, unmanaged, least] = s.split(' ').map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number | undefined,
  ];
  return { rows, held, doubt, due, unmanaged, least };
}
