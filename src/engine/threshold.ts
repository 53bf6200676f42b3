import { DateTime, type DurationLikeObject } from 'luxon';

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
  /** due ≈ start + shift, within `error` (for comparing the dues of two rules). */
  readonly shift: number;
  readonly error: number;
}

const DAY = 86_400_000;
const UNIT_LENGTH = { day: DAY, month: 31 * DAY, year: 366 * DAY } as const;

export function threshold(duration: DurationLikeObject, align: 'day' | 'month' | 'year' | undefined, asOf: DateTime): Threshold {
  const now = asOf.toMillis();
  if (align) {
    const unit = `${align}s` as const;
    // The latest calendar boundary b with b + period <= asOf: aligned starts are due iff before it.
    let b = asOf.minus(duration).startOf(align);
    while (b.plus({ [unit]: 1 }).plus(duration).toMillis() <= now) b = b.plus({ [unit]: 1 });
    while (b.plus(duration).toMillis() > now) b = b.minus({ [unit]: 1 });
    const cut = b.toMillis();
    return { cut, exact: true, margin: 0, shift: now - cut, error: UNIT_LENGTH[align] + 4 * DAY };
  }
  const cut = asOf.minus(duration).toMillis();
  const calendar = Boolean(duration.years || duration.months || duration.quarters);
  const wallClock = calendar || Boolean(duration.weeks || duration.days);
  const margin = calendar ? 4 * DAY : wallClock ? DAY : 0;
  return { cut, exact: false, margin, shift: now - cut, error: margin };
}
