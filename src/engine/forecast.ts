import type { DateTime, DurationLikeObject } from 'luxon';
import type { Rule } from '../policy/model.js';
import { trace } from './decide.js';
import { ForecastCuts } from './forecast-cuts.js';
import type { DatasetPlan } from './plan.js';
import { isEmpty } from './value.js';

/**
 * The time ahead a forecast covers, cut into buckets: days for a horizon of at most 31 days,
 * else weeks (the last one ends at the horizon, so it may be shorter). Bucket i is
 * [starts[i], starts[i + 1]), the last one ending at `end`: a due exactly at a boundary is in
 * the later bucket, as a report at that instant would count it due.
 */
export interface Horizon {
  readonly asOf: DateTime;
  readonly end: DateTime;
  readonly unit: 'day' | 'week';
  readonly starts: readonly DateTime[];
}

/** The most buckets a forecast has (a horizon of about 19 years in weeks). */
export const MAX_BUCKETS = 1000;

/** Buckets from asOf to asOf + period, added in asOf's zone (calendar days: a DST day is 23 or 25 hours). */
export function horizonOf(asOf: DateTime, period: DurationLikeObject): Horizon | { error: string } {
  const end = asOf.plus(period);
  if (end <= asOf) return { error: 'the horizon must be longer than 0' };
  const unit = end <= asOf.plus({ days: 31 }) ? 'day' : 'week';
  const starts: DateTime[] = [];
  for (let s = asOf; s < end; s = asOf.plus({ [`${unit}s`]: starts.length })) {
    if (starts.length >= MAX_BUCKETS) return { error: `the horizon is longer than ${MAX_BUCKETS} ${unit}s` };
    starts.push(s);
  }
  return { asOf, end, unit, starts };
}

/** What will happen to a kept record if nothing changes: acted on at `at`, or never (as far as its values tell). */
export type NextAction =
  | { readonly at: DateTime; readonly action: 'delete' | 'redact'; readonly rule: Rule }
  | 'not-started' // a start has not happened: an empty from column, a keep_for not started, an empty per-record period
  | 'never'; // no rule would delete or redact it: no delete rule applies (unmanaged) and no redaction is left to do

/**
 * SPEC §2 looked ahead for a record kept at asOf (not held, readable): the first instant at which
 * its decision would be delete or redact. That is the earliest of max(deleteDue, keepUntil) (the
 * governing delete rule: the earliest due) and, per redact rule whose columns are not all empty,
 * max(its due, keepUntil); a deletion wins a tie (step 6 comes before step 7), then the first
 * redact rule. Only this first change is counted: a record redacted first is deleted later too.
 */
export function nextAction(plan: DatasetPlan, values: readonly unknown[], deletable = true): NextAction {
  const tr = trace(plan, values, deletable);
  let keepUntil = Number.NEGATIVE_INFINITY;
  let notStarted = false;
  let governing: { due: DateTime; rule: Rule } | undefined;
  for (const t of tr.terms) {
    if (t.kind === 'keep') {
      if (!t.due) return 'not-started';
      keepUntil = Math.max(keepUntil, t.due.toMillis());
    } else if (!t.due) notStarted = true;
    else if (t.kind === 'delete' && deletable && (!governing || t.due < governing.due)) governing = { due: t.due, rule: t.rule };
  }
  let best: { at: DateTime; ms: number; action: 'delete' | 'redact'; rule: Rule } | undefined;
  const offer = (due: DateTime, action: 'delete' | 'redact', rule: Rule) => {
    const ms = Math.max(due.toMillis(), keepUntil);
    if (!best || ms < best.ms) best = { at: ms === due.toMillis() ? due : due.plus(ms - due.toMillis()), ms, action, rule };
  };
  if (governing) offer(governing.due, 'delete', governing.rule);
  for (const t of tr.terms)
    if (t.kind === 'redact' && t.due && t.rule.redact.some((c) => !isEmpty(values[plan.columns.indexOf(c)])))
      offer(t.due, 'redact', t.rule);
  if (best) return { at: best.at, action: best.action, rule: best.rule };
  return notStarted ? 'not-started' : 'never';
}

/** Records becoming due in one bucket: in all, and per rule (those with any). */
export interface ForecastBucket {
  readonly start: string;
  readonly end: string;
  delete: number;
  redact: number;
  readonly rules: { readonly policy: string; readonly rule: string; delete: number; redact: number }[];
}

/** A dataset's forecast (report --horizon): what becomes due when, and what is counted apart. */
export interface DatasetForecast {
  readonly horizon: string;
  readonly bucket: 'day' | 'week';
  /** Already due at asOf: the report's own delete and redact counts. */
  readonly due: { delete: number; redact: number };
  readonly buckets: ForecastBucket[];
  /** Kept records whose next due is at or after the horizon's end. */
  later: number;
  /** Kept records with no due yet: a start that has not happened. */
  notStarted: number;
  /** Kept records no rule would ever delete or redact as their values stand. */
  never: number;
  /** As the report counts them: never in a bucket. */
  held: number;
  invalid: number;
}

/** A record that becomes due within a window (report --due-within). */
export interface Upcoming {
  /** The record's key as reports name it. */
  readonly key: string;
  readonly next: Extract<NextAction, { at: DateTime }>;
}

/**
 * Per dataset, an accumulator a report feeds each record it keeps (not held, readable), like
 * NextDue: each record lands in the bucket of its own next due (`nextAction`). Held, invalid and
 * due records are the report's counts, taken at the end (`finish`).
 */
export class Forecast {
  private readonly cuts: number[];
  private readonly buckets: ForecastBucket[];
  private readonly byRule: Map<Rule, number>[];
  private readonly fast: ForecastCuts;
  /** Per interval of the fast path's cuts: its bucket (-1: at or after the horizon's end). */
  private readonly intervalBucket: number[];
  /** Per interval: inside the --due-within window. */
  private readonly intervalSoon: boolean[];
  private later = 0;
  private notStarted = 0;
  private never = 0;
  /** Counts of records becoming due before `within` (after asOf). */
  readonly soon = { delete: 0, redact: 0 };

  constructor(
    private readonly plan: DatasetPlan,
    private readonly horizon: Horizon | undefined,
    /** --due-within: the window's end, and what hears each record due in it. */
    private readonly within?: { readonly end: DateTime; readonly onDue?: (u: Upcoming) => void },
  ) {
    const h = horizon;
    this.cuts = h ? [...h.starts.map((s) => s.toMillis()), h.end.toMillis()] : [];
    // The fast path's cuts: asOf, the buckets' starts and end, the window's end; per interval between
    // them, its bucket (-1: after the horizon) and whether it is inside the window.
    const instants = new Map<number, DateTime>([[plan.asOf.toMillis(), plan.asOf]]);
    for (const s of h ? [...h.starts, h.end] : []) instants.set(s.toMillis(), s);
    if (within) instants.set(within.end.toMillis(), within.end);
    const sorted = [...instants].sort((a, b) => a[0] - b[0]);
    this.fast = new ForecastCuts(
      plan,
      sorted.map(([, t]) => t),
    );
    this.intervalBucket = sorted.map(([ms]) => (h && ms < this.cuts[this.cuts.length - 1] ? this.bucketOf(ms) : -1));
    this.intervalSoon = sorted.map(([ms]) => Boolean(within && ms < within.end.toMillis()));
    this.buckets = h
      ? h.starts.map((s, i) => ({ start: s.toISO() ?? '', end: (h.starts[i + 1] ?? h.end).toISO() ?? '', delete: 0, redact: 0, rules: [] }))
      : [];
    this.byRule = this.buckets.map(() => new Map());
  }

  /** A record kept at asOf, neither held nor invalid. */
  kept(values: readonly unknown[], deletable: boolean, key: () => string): void {
    const fast = this.fast.next(values, deletable);
    if (fast === 'not-started') this.notStarted++;
    else if (fast === 'never') this.never++;
    // Records becoming due within the window are listed with their exact due: Luxon for those.
    else if (fast && !this.intervalSoon[fast.interval]) {
      if (!this.horizon) return;
      const b = this.intervalBucket[fast.interval];
      if (b < 0) this.later++;
      else this.count(b, fast.action, fast.rule);
    } else this.exact(values, deletable, key);
  }

  private exact(values: readonly unknown[], deletable: boolean, key: () => string): void {
    const next = nextAction(this.plan, values, deletable);
    if (next === 'not-started') this.notStarted++;
    else if (next === 'never') this.never++;
    else {
      const ms = next.at.toMillis();
      if (this.within && ms < this.within.end.toMillis()) {
        this.soon[next.action]++;
        this.within.onDue?.({ key: key(), next });
      }
      if (this.horizon) this.place(ms, next.action, next.rule);
    }
  }

  private place(ms: number, action: 'delete' | 'redact', rule: Rule): void {
    const c = this.cuts;
    if (ms >= c[c.length - 1]) this.later++;
    else this.count(this.bucketOf(ms), action, rule);
  }

  /** The last bucket whose start is at or before the instant (a kept record's due is after asOf). */
  private bucketOf(ms: number): number {
    const c = this.cuts;
    let lo = 0;
    let hi = c.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c[mid] <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private count(bucket: number, action: 'delete' | 'redact', rule: Rule): void {
    const lo = bucket;
    const b = this.buckets[lo];
    b[action]++;
    const m = this.byRule[lo];
    let i = m.get(rule);
    if (i === undefined) {
      i = b.rules.length;
      m.set(rule, i);
      b.rules.push({ policy: rule.policy, rule: rule.id, delete: 0, redact: 0 });
    }
    b.rules[i][action]++;
  }

  /** The forecast, with the report's counts of what is due now and what is held or invalid. */
  finish(counts: { delete: number; redact: number; held: number; invalid: number }): DatasetForecast | undefined {
    const h = this.horizon;
    if (!h) return undefined;
    // Rules in the dataset's order, so that charts and tables list them alike in every bucket.
    const order = new Map(this.plan.rules.map((r, i) => [`${r.policy}/${r.id}`, i]));
    for (const b of this.buckets)
      b.rules.sort((x, y) => (order.get(`${x.policy}/${x.rule}`) ?? 0) - (order.get(`${y.policy}/${y.rule}`) ?? 0));
    return {
      horizon: h.end.toISO() ?? '',
      bucket: h.unit,
      due: { delete: counts.delete, redact: counts.redact },
      buckets: this.buckets,
      later: this.later,
      notStarted: this.notStarted,
      never: this.never,
      held: counts.held,
      invalid: counts.invalid,
    };
  }
}
