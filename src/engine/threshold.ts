import type { DateTime, DurationLikeObject, Zone } from 'luxon';

/**
 * For one period at one asOf, the instant that splits starts into due and not due:
 * `start + period <= asOf` is monotone in the start, so one Luxon computation per run replaces
 * one per record. `exact` splits exactly (aligned starts: due iff start < cut); otherwise
 * starts within `margin` of `cut` (month clamping, DST) are left to the exact computation.
 */
export interface Threshold {
  readonly cut: number;
  /** due iff start < cut, exactly; else due iff start <= cut, outside the margin. */
  readonly exact: boolean;
  readonly margin: number;
  /** due ≈ start + shift, within `spread` for any start, far from the cut too: for telling two rules' dues apart. */
  readonly shift: number;
  readonly spread: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNIT_LENGTH = { day: DAY, month: 31 * DAY, year: 366 * DAY } as const;

export function threshold(duration: DurationLikeObject, align: 'day' | 'month' | 'year' | undefined, asOf: DateTime): Threshold {
  const now = asOf.toMillis();
  if (align) {
    const unit = `${align}s` as const;
    // The latest calendar boundary b with b + period <= asOf: aligned starts are due iff before it.
    let b = asOf.minus(duration).startOf(align);
    while (
      b
        .plus({ [unit]: 1 })
        .plus(duration)
        .toMillis() <= now
    )
      b = b.plus({ [unit]: 1 });
    while (b.plus(duration).toMillis() > now) b = b.minus({ [unit]: 1 });
    const cut = b.toMillis();
    return { cut, exact: true, margin: 0, shift: now - cut, spread: UNIT_LENGTH[align] + 4 * DAY };
  }
  const t = asOf.minus(duration);
  const cut = t.toMillis();
  const calendar = Boolean(duration.years || duration.months || duration.quarters);
  const wallClock = onWallClock(duration);
  // Adding months clamps days 29-31 to the month's end, which can move a due by up to 3 days and
  // reorder starts of those days. When the cut itself round-trips and no start near it falls on
  // such a day, only a DST change can move a due (by its size, up to 2 h in any zone); outside
  // the 4-day window clamping cannot reach asOf. Wall-clock units keep the time of day.
  const clamps =
    calendar && (t.plus(duration).toMillis() !== now || [-4, -3, -2, -1, 0, 1, 2, 3, 4].some((d) => t.plus({ days: d }).day > 28));
  // A zone that moved by more than any DST change at once (Samoa skipped 30 December 2011): that
  // change and a day either side.
  const jump = zoneJump(asOf.zone, cut, now, duration);
  const margin = Math.max(clamps ? 4 * DAY : wallClock ? 3 * HOUR : 0, jump > 3 * HOUR ? jump + DAY : 0);
  // Away from the cut, n months are as many days as those months have: start + shift is off by up
  // to 3 days (31- against 28-day months, a leap day) plus a DST change. Two delete rules' dues
  // (6 months against 182 days) are told apart only outside that spread.
  return { cut, exact: false, margin, shift: now - cut, spread: calendar ? Math.max(margin, 4 * DAY) : margin };
}

/**
 * How far the zone's offset moved near a cut or near asOf less the period's time units (where
 * the due's wall clock lands), in ms: the largest difference between its offsets within 2 days
 * of either, sampled every 6 hours. A DST change is at most 3 hours; Samoa's skipped day 24.
 */
export function zoneJump(zone: Zone, cut: number, now: number, duration: DurationLikeObject): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const at of [cut, now - timeMs(duration)])
    for (let k = -8; k <= 8; k++) {
      const o = zone.offset(at + k * 6 * HOUR);
      lo = Math.min(lo, o);
      hi = Math.max(hi, o);
    }
  return (hi - lo) * 60_000;
}

/** The time units of a duration (hours and less), in ms: what Luxon adds after the calendar units. */
export function timeMs(d: DurationLikeObject): number {
  return (((d.hours ?? 0) * 60 + (d.minutes ?? 0)) * 60 + (d.seconds ?? 0)) * 1000 + (d.milliseconds ?? 0);
}

/** Luxon adds some of the period on the wall clock (days and longer), so DST changes can move a due. */
export function onWallClock(d: DurationLikeObject): boolean {
  return Boolean(d.years || d.quarters || d.months || d.weeks || d.days);
}
