import type { DurationLikeObject } from 'luxon';
import type { PlanRule } from './plan.js';

const DAY = 86_400_000;
/** The mean Gregorian month, in days. */
const MONTH = 365.2425 / 12;
/**
 * How far n months (days 29-31 clamped) can be from n mean months, in days: at most 4.39 (2,327
 * and 2,473 months) over every start of the 400-year cycle, which repeats every 4,800 months, so
 * for any n (test/rule-order.test.ts checks those against Luxon).
 */
const MONTHS_OFF = 5;
/** How far a zone's offset can change between a start and its due, in days (Samoa skipped one). */
const ZONE_OFF = 2;
/** How far `align` can move a start: to the start of its next day, month or year. */
const ALIGN_DAYS = { day: 2, month: 31, year: 366 } as const;

/**
 * The least and greatest time (ms) from a start to its due under a fixed period and `align`,
 * over every start and zone: bounds, not the exact extremes.
 */
export function dueSpan(d: Readonly<DurationLikeObject>, align: 'day' | 'month' | 'year' | undefined): [number, number] {
  const months = 12 * (d.years ?? 0) + 3 * (d.quarters ?? 0) + (d.months ?? 0);
  const days = months * MONTH + 7 * (d.weeks ?? 0) + (d.days ?? 0);
  const exact = (d.hours ?? 0) * 3_600_000 + (d.minutes ?? 0) * 60_000 + (d.seconds ?? 0) * 1000 + (d.milliseconds ?? 0);
  const off = (months > 0 ? MONTHS_OFF : 0) + (days > 0 ? ZONE_OFF : 0);
  return [Math.max(0, (days - off) * DAY + exact), (days + off + (align ? ALIGN_DAYS[align] : 0)) * DAY + exact];
}

/**
 * The delete rules of a dataset in an order in which, wherever several apply to a record, the
 * first due is the one that governs (SPEC §2: the earliest due): every two that may apply to one
 * record start from the same columns, and one's due is before the other's for every start. Or
 * undefined where the governing rule depends on the record. Each rule has one fixed delete
 * period (the caller's check).
 */
export function dueOrder(groups: readonly PlanRule[]): PlanRule[] | undefined {
  const span = new Map(groups.map((g) => [g, dueSpan(periodOf(g), g.rule.align)] as const));
  const sorted = [...groups].sort((a, b) => (span.get(a)?.[1] ?? 0) - (span.get(b)?.[1] ?? 0));
  for (const [i, a] of sorted.entries())
    for (const b of sorted.slice(i + 1)) {
      if (disjoint(a, b)) continue;
      if (!sameStart(a, b) || (span.get(a)?.[1] ?? 0) >= (span.get(b)?.[0] ?? 0)) return undefined;
    }
  return sorted;
}

function periodOf(g: PlanRule): Readonly<DurationLikeObject> {
  const p = g.terms[0]?.period;
  if (p?.kind !== 'fixed') throw new Error('internal: dueOrder takes fixed periods');
  return p.duration;
}

/** No record can satisfy both rules' `where`: one column with no value in common. */
function disjoint(a: PlanRule, b: PlanRule): boolean {
  return a.where.some((x) => b.where.some((y) => x.column === y.column && ![...x.values].some((v) => y.values.has(v))));
}

/** The same from columns: the same start (the latest of them) for every record. */
function sameStart(a: PlanRule, b: PlanRule): boolean {
  const x = new Set(a.rule.from);
  const y = new Set(b.rule.from);
  return x.size === y.size && [...x].every((c) => y.has(c));
}
