import type { DateTime } from 'luxon';
import type { Period, Rule } from '../policy/model.js';
import { periodAmount, traceTerm } from './due.js';
import { type DatasetPlan, dueByDay, type PlanTerm, termDuration } from './plan.js';
import { type Threshold, threshold } from './threshold.js';
import { fastEpochOf, fastSlackOf } from './timestamp.js';
import { asText, isEmpty } from './value.js';

/** A record's next change, as an interval of the cuts: [cuts[i], cuts[i + 1]) (i = cuts.length - 1: at or after the last). */
export type FastNext = { readonly interval: number; readonly action: 'delete' | 'redact'; readonly rule: Rule } | 'not-started' | 'never';

const NOW = -1;

/** A term's thresholds at each cut, and the amount of its period (-1: fixed, or a per-record period's default). */
interface Term {
  readonly ths: readonly Threshold[];
  readonly amount: number;
}

/**
 * The forecast's fast path, as `decide` is SPEC §2's: instead of computing each record's next
 * due with Luxon, each term's due is placed among the forecast's cuts (asOf, the bucket starts,
 * the horizon's end, a --due-within end) by comparing its start with one threshold per term and
 * cut (`threshold` at the cut: due before it iff the start is before the threshold's cut). Placing
 * is monotone, so the max (keep_for) and min (shortest deletion, first redaction) of SPEC §2
 * carry over to the intervals. A start too near a threshold to tell (a month-end clamp, a DST
 * change) is given its exact due from its day (DayShifts) or by Luxon; where two candidates fall
 * in one interval and their order matters, it returns undefined and the caller uses Luxon.
 */
export class ForecastCuts {
  /** Per term (and per amount of a per-record period): the threshold of each cut. */
  private readonly memo = new Map<string, Term>();
  private readonly cutMs: number[];

  constructor(
    private readonly plan: DatasetPlan,
    /** Ascending; cuts[0] is asOf. */
    private readonly cuts: readonly DateTime[],
  ) {
    this.cutMs = cuts.map((c) => c.toMillis());
  }

  next(values: readonly unknown[], deletable: boolean): FastNext | undefined {
    const plan = this.plan;
    const fmt = plan.dataset.timestamps;
    let keep = NOW;
    let notStarted = false;
    let del = Number.POSITIVE_INFINITY;
    let delRule: Rule | undefined;
    let delTies = 0;
    const redacts: { at: number; action: 'delete' | 'redact'; rule: Rule }[] = [];
    for (const g of plan.groups) {
      let match = true;
      for (const w of g.where) {
        const v = values[w.index];
        if (typeof v === 'object' && v !== null) return undefined; // binary: doubt, for the exact computation
        if (v === null || v === undefined || !w.values.has(asText(v))) {
          match = false;
          break;
        }
      }
      if (!match) continue;
      for (const t of g.terms) {
        let start = Number.NEGATIVE_INFINITY;
        let slack = 0;
        let empty = false;
        for (const i of t.from) {
          const v = values[i];
          if (isEmpty(v)) {
            empty = true;
            continue;
          }
          const e = fastEpochOf(v, fmt);
          if (Number.isNaN(e)) return undefined;
          if (e > start) start = e;
          const sl = fastSlackOf(v, fmt);
          if (sl > slack) slack = sl;
        }
        const term = empty ? undefined : this.thresholds(t, values);
        if (term === undefined) return undefined;
        if (term === null || empty) {
          if (t.kind === 'keep') return 'not-started';
          notStarted = true;
          continue;
        }
        let at = place(term.ths, start, slack);
        if (at === undefined) {
          // Too near a threshold (a month-end clamp, a DST change): the due from the start's day;
          // a local time, an aligned period, or a day with an offset change: with Luxon.
          const due = slack === 0 ? dueByDay(plan, t, term.amount, start, term.ths[0] as Threshold) : undefined;
          if (due !== undefined) at = this.placeExactly(due);
          else {
            const x = traceTerm(t.rule, t.kind, t.period, plan.dataset, (c) => values[plan.columns.indexOf(c)], plan.asOf);
            if (!x.due) return undefined;
            at = this.placeExactly(x.due.toMillis());
          }
        }
        if (t.kind === 'keep') keep = Math.max(keep, at);
        else if (t.kind === 'delete') {
          if (!deletable) continue;
          if (at < del) {
            del = at;
            delRule = t.rule;
            delTies = 0;
          } else if (at === del) delTies++;
        } else if (t.redact.some((i) => !isEmpty(values[i]))) redacts.push({ at, action: 'redact', rule: t.rule });
      }
    }
    // Two delete rules due in one interval: which governs is the exact computation's.
    if (delTies > 0) return undefined;
    // The candidates in SPEC §2's order (the deletion, then the redact rules), each at max(its due, keepUntil).
    const candidates = delRule ? [{ at: del, action: 'delete' as const, rule: delRule }, ...redacts] : redacts;
    if (candidates.length === 0) return notStarted ? 'not-started' : 'never';
    let first = Number.POSITIVE_INFINITY;
    for (const c of candidates) first = Math.min(first, Math.max(c.at, keep));
    if (first === NOW) return undefined;
    const tied = candidates.filter((c) => Math.max(c.at, keep) === first);
    // One candidate in the earliest interval; or several all held back to keepUntil's instant, where
    // the deletion comes first (step 6), else the first redact rule. Otherwise the order is inside the interval.
    if (tied.length > 1 && !tied.every((c) => c.at < keep)) return undefined;
    return { interval: first, action: tied[0].action, rule: tied[0].rule };
  }

  /** The interval of an exact due: -1 at or before asOf, else the last cut at or before it. */
  private placeExactly(ms: number): number {
    const c = this.cutMs;
    if (ms <= c[0]) return NOW;
    let i = c.length - 1;
    while (c[i] > ms) i--;
    return i;
  }

  /** The thresholds of a term's period for this record (null: the period is empty, without default; undefined: unreadable). */
  private thresholds(t: PlanTerm, values: readonly unknown[]): Term | null | undefined {
    const p: Period = t.period;
    let n = -1;
    if (p.kind === 'column') {
      const v = values[t.column as number];
      if (isEmpty(v)) {
        if (!p.default) return null;
      } else {
        const a = periodAmount(v);
        if (a === undefined) return undefined;
        n = a;
      }
    }
    const id = `${t.ruleIndex}/${t.kind}/${n}`;
    let term = this.memo.get(id);
    if (!term) {
      const duration = termDuration(t, n);
      // Cut 0 asks "due at asOf" (due <= asOf); the others "due before the cut" (due <= cut - 1 ms).
      const ths = this.cuts.map((c, i) => threshold(duration, t.rule.align, (i === 0 ? c : c.minus(1)).setZone(t.rule.timezone)));
      term = { ths, amount: n };
      this.memo.set(id, term);
    }
    return term;
  }
}

/** The interval of a due among the cuts, from its start: -1 due at asOf, i in [cuts[i], cuts[i + 1]); undefined: too near a cut to tell. */
function place(ths: readonly Threshold[], start: number, slack: number): number | undefined {
  // The first cut the term is due at; due at one cut, it is due at every later one.
  let lo = 0;
  let hi = ths.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const d = dueAt(ths[mid], start, slack);
    if (d === undefined) return undefined;
    if (d) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function dueAt(th: Threshold, start: number, slack: number): boolean | undefined {
  if (th.exact) return Math.abs(start - th.cut) <= slack ? undefined : start < th.cut;
  const m = th.margin + slack;
  return start < th.cut - m ? true : start > th.cut + m ? false : undefined;
}
