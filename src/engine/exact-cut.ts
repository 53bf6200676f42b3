import { DateTime, type DurationLikeObject } from 'luxon';
import { onWallClock, type Threshold, threshold, timeMs, zoneJump } from './threshold.js';

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
 * within their reach are unsure: the start days that clamp onto asOf's own date (only where two
 * or more do: asOf on a short month's last days), or 3 hours around a DST change; elsewhere the
 * cut is exact, found by bisection.
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
  // Months clamp the 29th-31st to a month's end and keep the time of day: where several start
  // days land on asOf's own date, their starts are due by their time of day, not in order. Where
  // one day does (or none), the starts due are those before one instant, as without clamping.
  // The engine's own margin says where clamping can reach asOf at all (threshold.ts).
  if (threshold(duration, undefined, asOf).margin >= 4 * DAY) {
    const days = landing(duration, asOf);
    if (days) return { cut: lo, before: false, unsure: { lo: days.lo - WINDOW, hi: days.hi + WINDOW } };
  }
  // A zone that moved by more than any DST change at once (Samoa skipped 30 December 2011, 24
  // hours): the starts within that and a day of the cut are unsure.
  const jump = zoneJump(zone, lo, now, duration);
  if (jump > WINDOW) return { cut: lo, before: false, unsure: { lo: lo - jump - DAY, hi: lo + jump + DAY } };
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
 * read); else exactCut's unsure window around it. On 1M rows with starts spread over a year, the
 * threshold's 3-hour margin sent ~900 records to Luxon: 87 ms of a report.
 */
export function decisionThreshold(duration: DurationLikeObject, align: 'day' | 'month' | 'year' | undefined, asOf: DateTime): Threshold {
  const th = threshold(duration, align, asOf);
  if (th.exact || th.margin === 0) return th;
  const x = exactCut(duration, align, asOf);
  // Else its unsure window: narrower than the threshold's margin where months clamp (only the
  // days that land on asOf's date), wider where a zone skipped a day.
  return { ...th, cut: x.cut, margin: x.unsure ? Math.max(x.cut - x.unsure.lo, x.unsure.hi - x.cut) : 0 };
}

/**
 * The start days (local midnight to midnight) whose calendar units land on the date of asOf less
 * the time units, where there are two or more of them; undefined otherwise.
 */
function landing(duration: DurationLikeObject, asOf: DateTime): { lo: number; hi: number } | undefined {
  const time = timeMs(duration);
  const date = (x: DateTime) => x.plus(duration).minus({ milliseconds: time }).toISODate();
  const target = DateTime.fromMillis(asOf.toMillis() - time, { zone: asOf.zone }).toISODate();
  const around = asOf.minus(duration).startOf('day');
  const days: DateTime[] = [];
  for (let k = -6; k <= 6; k++) {
    const d = around.plus({ days: k });
    if (date(d) === target) days.push(d);
  }
  const [first, last] = [days[0], days[days.length - 1]];
  return first && last && days.length > 1 ? { lo: first.toMillis(), hi: last.plus({ days: 1 }).toMillis() } : undefined;
}
