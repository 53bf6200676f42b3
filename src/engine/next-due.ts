import { DateTime, type DurationLikeObject } from 'luxon';
import type { Rule } from '../policy/model.js';
import { termTrace } from './decide.js';
import type { Trace } from './decision.js';
import { alignedStart } from './due.js';
import { exactCut } from './exact-cut.js';
import { type DatasetPlan, dueByDay, type PlanTerm } from './plan.js';
import { onWallClock, type Threshold, timeMs } from './threshold.js';

/**
 * Per rule of a dataset, the earliest due among the records for which it is not yet due: what a
 * report shows as "next due". An accumulator a run passes to `decide`; the exact due (Luxon) is
 * computed only for a record whose due could beat the best so far.
 *
 * Dues are not monotone in the start: adding months clamps days 29-31 to the month's end and
 * keeps the time of day (Jan 30 13:00 + 1 month is due before Jan 29 20:00 + 1 month), and DST
 * gaps and folds reorder them by their size. So a record is passed over only if it is not due at
 * the best due itself, by the exact cut SQL sources decide deletions with.
 */
export class NextDue {
  private readonly best = new Map<PlanTerm, { due: DateTime; ms: number; from?: number }>();
  /** Per fixed term, the last start given its due by Luxon: records often share a start. */
  private readonly last = new Map<PlanTerm, number>();
  /** The earliest pending starts an SQL source found, per term and amount of a per-record period. */
  private readonly first = new Map<string, { term: PlanTerm; amount: number | null; start: number }>();

  /**
   * A term not yet due for a record, with its start (fast reading, within `slack`), the threshold
   * it was read against and the amount of a per-record period (-1: its default).
   */
  notDue(
    plan: DatasetPlan,
    t: PlanTerm,
    values: readonly unknown[],
    start: number,
    slack: number,
    th: Threshold | undefined,
    amount?: number,
  ): void {
    if (this.surelyLater(t, start, slack, th)) return;
    // A fixed period's due depends on the start alone: the same start, the same due, already offered.
    const same = t.fixed !== undefined && slack === 0 && Number.isFinite(start);
    if (same && this.last.get(t) === start) return;
    // Read exactly, the due from the start's day; a DateTime only for a due that beats the best.
    const byDay = th && slack === 0 && Number.isFinite(start) ? dueByDay(plan, t, amount, start, th) : undefined;
    if (byDay !== undefined) {
      const b = this.best.get(t);
      if (!b || byDay < b.ms) this.offer(t, DateTime.fromMillis(byDay, { zone: t.rule.timezone }));
      return;
    }
    const due = termTrace(plan, t, values).due;
    if (due) this.offer(t, due);
    if (same) this.last.set(t, start);
  }

  /** Whether a record of this start is due after the best due so far, so that it cannot change it. */
  surelyLater(t: PlanTerm, start: number, slack: number, th: Threshold | undefined): boolean {
    const b = this.best.get(t);
    if (!b || !th) return false;
    // Per-record periods: how far any due can be from start + shift.
    if (!t.fixed) return start + th.shift - th.spread - slack > b.ms;
    // Starts from here on are not due at the best due: one exact cut per best (Luxon's bisection;
    // a threshold's margin would trace every record within hours of the best).
    if (b.from === undefined) {
      const at = exactCut(durationOf(t, null), t.rule.align, b.due.setZone(t.rule.timezone));
      b.from = at.before ? at.cut : Math.max(at.cut, at.unsure?.hi ?? at.cut) + 1;
    }
    return start - slack >= b.from;
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

  /**
   * The earliest pending start of a term that an SQL source found (per amount of a per-record
   * period): its due is offered, and the start kept, for the source to look after it for later
   * starts that are due earlier (`laterDueBefore`).
   */
  offerFirst(t: PlanTerm, start: number, amount: number | null): void {
    this.offer(t, dueOfStart(t, start, amount));
    const key = `${t.ruleIndex}/${t.kind}/${amount}`;
    const f = this.first.get(key);
    if (!f || start < f.start) this.first.set(key, { term: t, amount, start });
  }

  /** The starts `offerFirst` kept. */
  firsts(): { term: PlanTerm; amount: number | null; start: number }[] {
    return [...this.first.values()];
  }

  /** A due instant of a term for some record not yet due. */
  offer(t: PlanTerm, due: DateTime): void {
    const b = this.best.get(t);
    if (!b || due.toMillis() < b.ms) this.best.set(t, { due, ms: due.toMillis() });
  }
}

/** The due of a term for a start (epoch ms), with the amount of a per-record period (null: its default). */
export function dueOfStart(t: PlanTerm, start: number, amount: number | null): DateTime {
  return alignedStart(DateTime.fromMillis(start, { zone: t.rule.timezone }), t.rule.align).plus(durationOf(t, amount));
}

/** The period of a term, with the amount of a per-record period (null: its default). */
export function durationOf(t: PlanTerm, amount: number | null): DurationLikeObject {
  if (t.period.kind === 'fixed') return t.period.duration;
  return amount === null && t.period.default ? t.period.default.duration : { [t.period.unit]: amount ?? 0 };
}

/**
 * For the earliest pending start of a term (an SQL source's min()), where later starts may still
 * be due before it: the end of the starts (start, end) that can be, or undefined where none can.
 * Later local dates are due on later dates unless months clamp them to the same month's end, and
 * within one date dues follow the wall clock unless a DST change falls on its date or its due's.
 */
export function laterDueBefore(t: PlanTerm, start: number, amount: number | null): number | undefined {
  const d = durationOf(t, amount);
  // Aligned dues are those of their unit, in order; periods of hours or less are start + period.
  if (t.rule.align || !onWallClock(d)) return undefined;
  const day = DateTime.fromMillis(start, { zone: t.rule.timezone }).startOf('day');
  const target = (x: DateTime) => x.plus(d).toISODate();
  let end = day.plus({ days: 1 });
  while (target(end) === target(day)) end = end.plus({ days: 1 });
  const shifts = (a: DateTime, b: DateTime) => a.minus({ days: 1 }).offset !== b.plus({ days: 1 }).offset;
  const clamped = end.toMillis() > day.plus({ days: 1 }).toMillis();
  // Where the wall clock of the dues lands: before the time units, which Luxon adds as elapsed time.
  const wall = (x: DateTime) => x.plus(d).minus({ milliseconds: timeMs(d) });
  return clamped || shifts(day, end) || shifts(wall(day), wall(end)) ? end.toMillis() : undefined;
}
