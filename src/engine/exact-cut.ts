import { DateTime, type DurationLikeObject } from 'luxon';
import { onWallClock, type Threshold, threshold } from './threshold.js';

/**
 * For one period at one asOf, the start instants an engine that decides in SQL can compare
 * without calendar arithmetic: a start (epoch ms) is due iff `start <= cut` (`before`: `start <
 * cut`), except for starts in `unsure` (lo < start <= hi), which the exact computation decides.
 * Found with Luxon, so the answer is Luxon's: `start + period <= asOf` in the rule's zone.
 *
 * `start + period <= asOf` is monotone in the start, but for two things, near the cut only:
 * adding months clamps days 29-31 to the month's end and keeps the time of day (31 August 00:00 +
 * 6 months is due before 29 August 18:00 + 6 months), and adding calendar units keeps the wall
 * clock, which goes back at the end of summer time. Where either can reach asOf, the starts
 * within their reach of the cut (4 days, or 3 hours) are unsure; elsewhere the cut is exact, found
 * by bisection.
 */
export interface ExactCut {
  readonly cut: number;
  /** Due iff start < cut (aligned starts fall on calendar boundaries); otherwise due iff start <= cut. */
  readonly before: boolean;
  readonly unsure?: { readonly lo: number; readonly hi: number };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Offsets change by at most this much at once (Lord Howe: 30 min; others 1 h, a few 2 h). */
const WINDOW = 3 * HOUR;

export function exactCut(duration: DurationLikeObject, align: 'day' | 'month' | 'year' | undefined, asOf: DateTime): ExactCut {
  if (align) {
    const t = threshold(duration, align, asOf);
    return { cut: t.cut, before: true };
  }
  const zone = asOf.zone;
  const now = asOf.toMillis();
  const due = (ms: number) => DateTime.fromMillis(ms, { zone }).plus(duration).toMillis() <= now;
  const approx = asOf.minus(duration).toMillis();
  let lo = approx - 8 * DAY; // due
  let hi = approx + 8 * DAY; // not due
  if (!due(lo) || due(hi)) return { cut: lo, before: false, unsure: { lo: lo - 1, hi } };
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (due(mid)) lo = mid;
    else hi = mid;
  }
  // The engine's own margin says where month clamping can reach asOf (threshold.ts).
  const clamping = threshold(duration, undefined, asOf).margin >= 4 * DAY;
  if (clamping) return { cut: lo, before: false, unsure: { lo: approx - 4 * DAY - WINDOW, hi: approx + 4 * DAY + WINDOW } };
  const calendar = onWallClock(duration);
  const changes = (ms: number) => DateTime.fromMillis(ms - WINDOW, { zone }).offset !== DateTime.fromMillis(ms + WINDOW, { zone }).offset;
  // Luxon adds the calendar units on the wall clock, then the time units as elapsed time: the wall
  // clock the due lands on is asOf less those.
  if (calendar && (changes(lo) || changes(now - timeMs(duration))))
    return { cut: lo, before: false, unsure: { lo: lo - WINDOW, hi: lo + WINDOW } };
  return { cut: lo, before: false };
}

/**
 * A fixed period's threshold for deciding records: its margin narrowed to nothing wherever no
 * month clamp or DST change can reach asOf (the exact cut, found by bisection), so that only a
 * start on the cut's own millisecond asks Luxon (a unix time's fraction of it is Luxon's to
 * read); else the threshold's margin (3 hours for DST, 4 days for clamping). On 1M rows with starts
 * spread over a year, the 3-hour margin sent ~900 records to Luxon: 87 ms of a report.
 */
export function decisionThreshold(duration: DurationLikeObject, align: 'day' | 'month' | 'year' | undefined, asOf: DateTime): Threshold {
  const th = threshold(duration, align, asOf);
  if (th.exact || th.margin === 0) return th;
  const x = exactCut(duration, align, asOf);
  return x.unsure ? th : { ...th, cut: x.cut, margin: 0 };
}

/** The time units of a duration (hours and less), in ms: what Luxon adds after the calendar units. */
export function timeMs(d: DurationLikeObject): number {
  return (((d.hours ?? 0) * 60 + (d.minutes ?? 0)) * 60 + (d.seconds ?? 0)) * 1000 + (d.milliseconds ?? 0);
}
