import type { DateTime } from 'luxon';
import type { Rule } from '../policy/model.js';
import { trace } from './decide.js';
import type { Trace } from './decision.js';
import type { DatasetPlan, PlanTerm } from './plan.js';

/**
 * Per rule of a dataset, the earliest due among the records for which it is not yet due: what a
 * report shows as "next due". An accumulator a run passes to `decide`; the exact due (Luxon) is
 * computed only for a record whose approximate due could beat the best so far.
 */
export class NextDue {
  private readonly best = new Map<PlanTerm, { due: DateTime; ms: number }>();

  /** A term not yet due for a record, with its approximate due and that approximation's error. */
  notDue(plan: DatasetPlan, t: PlanTerm, values: readonly unknown[], approx: number, error: number): void {
    const b = this.best.get(t);
    if (b && approx - error > b.ms) return;
    const due = trace(plan, values).terms.find((x) => x.rule === t.rule && x.kind === t.kind)?.due;
    if (due) this.offer(t, due);
  }

  /** The best due so far of a term, in ms: a record whose due is surely later cannot change it. */
  bestMs(t: PlanTerm): number | undefined {
    return this.best.get(t)?.ms;
  }

  /** A record the reference implementation decided: its terms that are not due yet. */
  fromTrace(plan: DatasetPlan, tr: Trace): void {
    for (const g of plan.groups)
      for (const t of g.terms) {
        if (t.kind === 'keep') continue;
        const x = tr.terms.find((y) => y.rule === t.rule && y.kind === t.kind);
        if (x?.status === 'not-due' && x.due) this.offer(t, x.due);
      }
  }

  /** The earliest not-yet-due date of each rule that has one. */
  byRule(): Map<Rule, DateTime> {
    const out = new Map<Rule, DateTime>();
    for (const [t, b] of this.best) {
      const cur = out.get(t.rule);
      if (!cur || b.due < cur) out.set(t.rule, b.due);
    }
    return out;
  }

  /** A due instant of a term for some record not yet due (an SQL source finds the earliest itself). */
  offer(t: PlanTerm, due: DateTime): void {
    const b = this.best.get(t);
    if (!b || due.toMillis() < b.ms) this.best.set(t, { due, ms: due.toMillis() });
  }
}
