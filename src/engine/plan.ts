import type { DateTime, DurationLikeObject } from 'luxon';
import type { Dataset, Period, Rule } from '../policy/model.js';
import { DayShifts } from './day-shift.js';
import type { Deletion, TermKind } from './decision.js';
import { type DatasetRules, termsOf } from './evaluate.js';
import { decisionThreshold } from './exact-cut.js';
import { type Threshold, threshold } from './threshold.js';

/** One period of one rule, compiled: where its values are in a row and where it is due. */
export interface PlanTerm {
  readonly rule: Rule;
  /** The rule's place among the dataset's rules (for SQL: which rule governs). */
  readonly ruleIndex: number;
  readonly kind: TermKind;
  readonly period: Period;
  /** Indices of the `from` columns in a row. */
  readonly from: readonly number[];
  /** For a fixed period: the one threshold of this run. */
  readonly fixed?: Threshold;
  /** For a per-record period: the index of its column. */
  readonly column?: number;
  /** For a redaction: indices of its columns. */
  readonly redact: readonly number[];
}

/** A rule's `where`, compiled: the row index and the values it must have (as text). */
export interface PlanWhere {
  readonly column: string;
  readonly index: number;
  readonly values: ReadonlySet<string>;
}

export interface PlanRule {
  readonly rule: Rule;
  readonly where: readonly PlanWhere[];
  readonly terms: readonly PlanTerm[];
}

/**
 * What a run decides for one dataset, compiled once against asOf: the value that report, dry
 * run, purge, plan files and cap checks all take. A row source decides each row with it
 * (`decide`); an SQL source turns it into SQL. It holds no I/O and no clock.
 */
export interface DatasetPlan {
  readonly dataset: Dataset;
  readonly rules: readonly Rule[];
  readonly asOf: DateTime;
  /** The values a row carries, in this order: the columns the decision reads, then the key. */
  readonly columns: readonly string[];
  /** The number of leading columns the decision reads (the values a plan file hashes). */
  readonly decisionColumns: number;
  /** Where the key is in a row, or -1 without a key column. */
  readonly keyIndex: number;
  /** Where the hold column is in a row, or -1 without one. */
  readonly holdIndex: number;
  readonly groups: readonly PlanRule[];
  /** Thresholds of per-record periods, by amount: a memo filled as amounts are met (the same for the same asOf). */
  readonly periodThresholds: Map<string, Threshold>;
  /** Dues by the start's day, per term and amount: a memo filled as starts near a threshold are met. */
  readonly dayShifts: Map<string, DayShifts>;
  /** The deletion by each delete rule, shared by every record it decides. */
  readonly deletions: ReadonlyMap<Rule, Deletion>;
}

export function compilePlan(ds: DatasetRules, asOf: DateTime): DatasetPlan {
  const columns: string[] = [];
  const col = (c: string) => {
    let i = columns.indexOf(c);
    if (i < 0) {
      i = columns.length;
      columns.push(c);
    }
    return i;
  };
  const holdIndex = ds.dataset.hold !== undefined ? col(ds.dataset.hold) : -1;
  const groups: PlanRule[] = ds.rules.map((rule, ruleIndex) => ({
    rule,
    where: rule.where.map((w) => ({ column: w.column, index: col(w.column), values: new Set(w.values) })),
    terms: termsOf(rule).map(({ kind, period }) => ({
      rule,
      ruleIndex,
      kind,
      period,
      from: rule.from.map(col),
      fixed: period.kind === 'fixed' ? decisionThreshold(period.duration, rule.align, asOf.setZone(rule.timezone)) : undefined,
      column: period.kind === 'column' ? col(period.column) : undefined,
      redact: kind === 'redact' ? rule.redact.map(col) : [],
    })),
  }));
  const decisionColumns = columns.length;
  const key = ds.dataset.key;
  const keyIndex = key === undefined ? -1 : col(key);
  const deletions = new Map<Rule, Deletion>();
  for (const r of ds.rules) if (r.deleteAfter) deletions.set(r, Object.freeze({ action: 'delete', reason: 'shortest-deletion', rule: r }));
  return {
    dataset: ds.dataset,
    rules: ds.rules,
    asOf,
    columns,
    decisionColumns,
    keyIndex,
    holdIndex,
    groups,
    periodThresholds: new Map(),
    dayShifts: new Map(),
    deletions,
  };
}

/** The threshold of a per-record period of `n` units (n < 0: its default), computed once per run. */
export function periodThreshold(plan: DatasetPlan, t: PlanTerm, n: number): Threshold {
  const id = `${t.ruleIndex}/${t.kind}/${n}`;
  let th = plan.periodThresholds.get(id);
  if (!th) {
    th = threshold(termDuration(t, n), t.rule.align, plan.asOf.setZone(t.rule.timezone));
    plan.periodThresholds.set(id, th);
  }
  return th;
}

/** A term's period: a fixed one, or a per-record one of `amount` units (amount < 0: its default). */
export function termDuration(t: PlanTerm, amount: number): DurationLikeObject {
  const p = t.period;
  if (p.kind === 'fixed') return p.duration;
  return amount < 0 && p.default ? p.default.duration : { [p.unit]: amount };
}

/**
 * The due of a start (whole ms, read exactly) of a term whose threshold could not tell, from the
 * start's day (DayShifts); undefined where Luxon must say (an aligned period, a day with an offset
 * change). `amount`: a per-record period's (-1: its default), ignored for a fixed one. Shared by
 * decide, the next due and the forecast of one run: one memo per term and amount.
 */
export function dueByDay(plan: DatasetPlan, t: PlanTerm, amount: number | undefined, start: number, th: Threshold): number | undefined {
  if (t.rule.align) return undefined;
  const id = `${t.ruleIndex}/${t.kind}/${amount ?? -1}`;
  let shifts = plan.dayShifts.get(id);
  if (!shifts) {
    shifts = new DayShifts(termDuration(t, amount ?? -1), plan.asOf.setZone(t.rule.timezone).zone, th.cut);
    plan.dayShifts.set(id, shifts);
  }
  return shifts.due(start);
}
