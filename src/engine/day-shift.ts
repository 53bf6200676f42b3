import { DateTime, type DurationLikeObject, type Zone } from 'luxon';

const DAY = 86_400_000;

/**
 * A period's due for starts near a cut, without Luxon per record. Luxon adds calendar units on the
 * wall clock (clamping the 29th-31st to a month's end but keeping the time of day) and time units
 * as elapsed time, so all starts of one wall-clock day are due the same time after themselves:
 * the day's midnight to its due. That holds where neither the day nor the day its due falls on has
 * an offset change, checked once per day from the first and last millisecond of the day (a change
 * in either makes their dues other than a day less 1 ms apart; two changes that cancel within one
 * day would pass, and tzdata has none from 1800 to 2040, by zdump); elsewhere Luxon decides. Memoized
 * per day: one run, one period, one zone (it keeps no state beyond what those give).
 */
export class DayShifts {
  /** Per local day number: the day's first ms and the shift of its starts, or null (Luxon's). */
  private readonly days = new Map<number, { readonly lo: number; readonly shift: number } | null>();
  /** The offset of the last day looked up: a start's local day is found with it, then checked. */
  private offset: number;

  constructor(
    private readonly duration: DurationLikeObject,
    private readonly zone: Zone,
    near: number,
  ) {
    this.offset = zone.offset(near) * 60_000;
  }

  /** The due of a start (epoch ms, whole), or undefined where Luxon must give it. */
  due(start: number): number | undefined {
    const guess = Math.floor((start + this.offset) / DAY);
    for (const n of [guess, guess - 1, guess + 1]) {
      const d = this.day(n);
      if (d === null) return undefined;
      if (start >= d.lo && start < d.lo + DAY) return start + d.shift;
    }
    return undefined;
  }

  /** Day n (days since 1970-01-01 on the local calendar), or null where Luxon decides its starts. */
  private day(n: number): { readonly lo: number; readonly shift: number } | null {
    const known = this.days.get(n);
    if (known !== undefined) return known;
    const date = new Date(n * DAY);
    const first = DateTime.fromObject(
      { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() },
      { zone: this.zone },
    );
    const last = first.plus({ days: 1 }).minus({ milliseconds: 1 });
    let entry: { lo: number; shift: number } | null = null;
    // A day that starts in a gap, or is not 24 hours long, has an offset change.
    if (
      first.isValid &&
      first.hour === 0 &&
      first.minute === 0 &&
      last.toMillis() - first.toMillis() === DAY - 1 &&
      first.offset === last.offset
    ) {
      const a = first.plus(this.duration).toMillis();
      const b = last.plus(this.duration).toMillis();
      if (b - a === DAY - 1) entry = { lo: first.toMillis(), shift: a - first.toMillis() };
    }
    if (entry) this.offset = first.offset * 60_000;
    this.days.set(n, entry);
    return entry;
  }
}
