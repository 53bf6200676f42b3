import type { Rule } from '../policy/model.js';
import { type Decision, KEPT, type TermTrace, type Trace } from './decision.js';
import { periodAmount, traceTerm } from './due.js';
import { evaluate } from './evaluate.js';
import type { NextDue } from './next-due.js';
import { type DatasetPlan, dueByDay, type PlanTerm, periodThreshold } from './plan.js';
import type { Threshold } from './threshold.js';
import { fastEpochOf, fastSlackOf } from './timestamp.js';
import { asText, holdState, isEmpty } from './value.js';

export interface DecideOptions {
  /** False when the source cannot delete the record (rows elsewhere still refer to it). */
  readonly deletable?: boolean;
  /** Collects each rule's next due date (reports). */
  readonly next?: NextDue;
}

const DUE = 0;
const NOT_DUE = 1;
const NOT_STARTED = 2;
const UNSURE = 3;

/**
 * SPEC §2 for one row of the plan's dataset: the same decisions as `evaluate`, but reading
 * values by position and comparing epochs with the plan's thresholds, so that Luxon runs only for
 * records near a threshold, with unusual values, or where two delete rules must be told apart.
 * `values` holds `plan.columns`. A pure function: it keeps nothing between rows.
 */
export function decide(plan: DatasetPlan, values: readonly unknown[], options: DecideOptions = {}): Decision {
  if (plan.holdIndex >= 0) {
    const h = holdState(values[plan.holdIndex]);
    if (h === 'held') return HELD;
    if (h === 'unclear') return exact(plan, values, options);
  }
  const fmt = plan.dataset.timestamps;
  let deletes = 0;
  let keepBlocked = false;
  let anyDue = false;
  // The due delete term with the earliest approximate due, and the lowest bound of the others:
  // if that could reach the best one's, which rule governs is left to the exact computation.
  let best: PlanTerm | undefined;
  let bestDue = 0;
  let bestErr = 0;
  let othersLow = Number.POSITIVE_INFINITY;
  let redacts: PlanTerm[] | undefined;
  let pending: { t: PlanTerm; start: number; slack: number; th: Threshold | undefined; amount: number | undefined }[] | undefined;
  for (const g of plan.groups) {
    let match = true;
    for (const w of g.where) {
      const v = values[w.index];
      if (v === null || v === undefined) {
        match = false;
        break;
      }
      if (typeof v === 'object') return exact(plan, values, options); // binary data: the reference implementation says doubt
      if (!w.values.has(asText(v))) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    for (const t of g.terms) {
      // The term's start: the latest of its from columns, read fast, with the slack of that reading.
      let start = Number.NEGATIVE_INFINITY;
      let slack = 0;
      let empty = false;
      let partial = false;
      let s = -1;
      for (const i of t.from) {
        const v = values[i];
        if (isEmpty(v)) {
          empty = true;
          continue;
        }
        const e = fastEpochOf(v, fmt);
        if (Number.isNaN(e)) {
          s = UNSURE; // NaN: not a shape the fast reader knows
          partial = true;
          break;
        }
        if (e > start) start = e;
        const sl = fastSlackOf(v, fmt);
        if (sl > slack) slack = sl;
      }
      let th = t.fixed;
      let amount: number | undefined;
      if (s < 0 && !th) {
        const v = values[t.column as number];
        if (isEmpty(v)) {
          if (t.period.kind === 'column' && t.period.default) {
            amount = -1;
            th = periodThreshold(plan, t, amount);
          } else s = NOT_STARTED;
        } else {
          amount = periodAmount(v);
          if (amount === undefined) return exact(plan, values, options);
          th = periodThreshold(plan, t, amount);
        }
      }
      if (s < 0 && empty) s = NOT_STARTED;
      let due = 0;
      let spread = 0;
      if (s < 0 && th) {
        due = start + th.shift;
        spread = th.spread + slack;
        if (th.exact) s = Math.abs(start - th.cut) <= slack ? UNSURE : start < th.cut ? DUE : NOT_DUE;
        else {
          const m = th.margin + slack;
          s = start < th.cut - m ? DUE : start > th.cut + m ? NOT_DUE : UNSURE;
        }
      }
      if (s === UNSURE && !partial && slack === 0 && th) {
        // A start near the cut (a month-end clamp, a DST change), read exactly: due from its day.
        const d = dueByDay(plan, t, amount, start, th);
        if (d !== undefined) {
          s = d <= plan.asOf.toMillis() ? DUE : NOT_DUE;
          due = d;
          spread = 0;
        }
      }
      if (s === UNSURE) {
        // Luxon for this term: a value the fast path cannot read, a local time near the cut, or a
        // start on a day with an offset change.
        const x = termTrace(plan, t, values);
        if (x.status === 'invalid') return exact(plan, values, options);
        s = x.status === 'not-started' ? NOT_STARTED : x.status === 'due' ? DUE : NOT_DUE;
        if (x.due) {
          due = x.due.toMillis();
          spread = 0;
        }
        // The fast reading stopped at a column it does not know: the start is Luxon's (aligned, the
        // unit's next boundary, which is not the start a next due is pruned by: none then).
        if (partial) {
          start = x.start && !t.rule.align ? x.start.toMillis() : Number.NEGATIVE_INFINITY;
          slack = 0;
        }
      }
      if (t.kind === 'keep') {
        if (s !== DUE) keepBlocked = true;
        continue;
      }
      // Offered once the record is known to be readable: an unreadable one has no next due.
      if (s === NOT_DUE && options.next) {
        pending ??= [];
        pending.push({ t, start, slack, th, amount });
      }
      if (t.kind === 'delete') {
        deletes++;
        if (s !== DUE) continue;
        anyDue = true;
        if (!best || due < bestDue) {
          if (best) othersLow = Math.min(othersLow, bestDue - bestErr);
          best = t;
          bestDue = due;
          bestErr = spread;
        } else othersLow = Math.min(othersLow, due - spread);
      } else if (s === DUE) {
        redacts ??= [];
        redacts.push(t);
        anyDue = true;
      }
    }
  }
  if (pending) for (const p of pending) options.next?.notDue(plan, p.t, values, p.start, p.slack, p.th, p.amount);
  if (best && !keepBlocked) {
    // Rare: the reference implementation says what else applies, or which rule governs.
    if (options.deletable === false || othersLow <= bestDue + bestErr) return exact(plan, values, options);
    return plan.deletions.get(best.rule) as Decision;
  }
  if (redacts && !keepBlocked) {
    const cols = new Set<string>();
    const rules: Rule[] = [];
    for (const t of redacts) {
      let contributes = false;
      for (const i of t.redact)
        if (!isEmpty(values[i])) {
          cols.add(plan.columns[i]);
          contributes = true;
        }
      if (contributes) rules.push(t.rule);
    }
    if (rules.length > 0) return { action: 'redact', reason: 'redaction', rule: rules[0], columns: [...cols], rules };
  }
  return deletes === 0 ? UNMANAGED : keepBlocked && anyDue ? LEGAL_MINIMUM : NOT_DUE_YET;
}

/** One term of one row, with Luxon: its status and due. */
export function termTrace(plan: DatasetPlan, t: PlanTerm, values: readonly unknown[]): TermTrace {
  return traceTerm(t.rule, t.kind, t.period, plan.dataset, getter(plan, values), plan.asOf);
}

/** The full reasoning for one row, with Luxon: what explain prints, and records' due dates. */
export function trace(plan: DatasetPlan, values: readonly unknown[], deletable = true): Trace {
  return evaluate({ dataset: plan.dataset, rules: plan.rules }, getter(plan, values), plan.asOf, { deletable });
}

function exact(plan: DatasetPlan, values: readonly unknown[], options: DecideOptions): Decision {
  const tr = trace(plan, values, options.deletable !== false);
  if (options.next && tr.decision.reason !== 'invalid') options.next.fromTrace(plan, tr);
  return tr.decision;
}

function getter(plan: DatasetPlan, values: readonly unknown[]): (column: string) => unknown {
  return (c) => {
    const i = plan.columns.indexOf(c);
    return i < 0 ? undefined : values[i];
  };
}

// Shared decisions: most records end in one of these, and allocating none keeps GC quiet.
const HELD = KEPT.held;
const UNMANAGED = KEPT.unmanaged;
const LEGAL_MINIMUM = KEPT['legal-minimum'];
const NOT_DUE_YET = KEPT['not-due'];
