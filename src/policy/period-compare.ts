import { DateTime, type DurationLikeObject } from 'luxon';
import type { FixedPeriod } from './period.js';

/**
 * How `start + a` compares with `start + b` over every start: one period may end before the
 * other for some starts and after it for others ("6 months" and "183 days" do, by month
 * lengths). Starts are sampled over a whole leap cycle: every day, at every hour when a period
 * has hours (a day across a DST change is 23 or 25 hours), aligned as a rule aligns them.
 * - always-earlier: a ends before b for every start;
 * - never-later: a ends no later than b for every start (equal somewhere);
 * - later-somewhere: a ends after b for some start.
 */
export function comparePeriods(
  a: FixedPeriod,
  b: FixedPeriod,
  zone: string,
  align?: 'day' | 'month' | 'year',
): 'always-earlier' | 'never-later' | 'later-somewhere' {
  const calendar = inOneUnit(a, b);
  if (calendar) return calendar[0] < calendar[1] ? 'always-earlier' : calendar[0] === calendar[1] ? 'never-later' : 'later-somewhere';
  return sampledComparison(a, b, zone, align);
}

/** comparePeriods by sampling the starts: exported so that tests hold the shortcut to it. */
export function sampledComparison(
  a: FixedPeriod,
  b: FixedPeriod,
  zone: string,
  align?: 'day' | 'month' | 'year',
): 'always-earlier' | 'never-later' | 'later-somewhere' {
  const hourly = hasHours(a) || hasHours(b);
  const x = offsets(a, zone, align, hourly);
  const y = offsets(b, zone, align, hourly);
  let equal = false;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > y[i]) return 'later-somewhere';
    if (x[i] === y[i]) equal = true;
  }
  return equal ? 'never-later' : 'always-earlier';
}

const MONTHS: Record<string, number> = { years: 12, quarters: 3, months: 1 };
const DAYS_OF: Record<string, number> = { weeks: 7, days: 1 };

/**
 * Both periods counted in one calendar unit (months, or days), or undefined. Adding more months
 * (or days) on the wall clock lands on a later month (or day) whatever the start, the end of a
 * month clamped or a DST gap skipped included, so the counts compare as the periods do: without
 * sampling, which costs a fifth of a second of Luxon per pair.
 */
function inOneUnit(a: FixedPeriod, b: FixedPeriod): [number, number] | undefined {
  for (const unit of [MONTHS, DAYS_OF]) {
    const count = (p: FixedPeriod) => {
      let n = 0;
      for (const [k, v] of Object.entries(p.duration)) {
        if (!v) continue;
        if (!(k in unit) || !Number.isInteger(v)) return undefined;
        n += v * (unit[k] as number);
      }
      return n;
    };
    const x = count(a);
    const y = count(b);
    if (x !== undefined && y !== undefined) return [x, y];
  }
  return undefined;
}

function hasHours(p: FixedPeriod): boolean {
  return (p.duration.hours ?? 0) > 0;
}

/** Samples already computed, by zone, align and period: the same for every call (a memo). */
const cache = new Map<string, Float64Array>();
const DAYS = 4 * 366;

/** `due - start` in milliseconds for each sampled start. */
function offsets(p: FixedPeriod, zone: string, align: 'day' | 'month' | 'year' | undefined, hourly: boolean): Float64Array {
  const key = `${zone}|${align ?? ''}|${hourly}|${JSON.stringify(p.duration)}`;
  let out = cache.get(key);
  if (out) return out;
  const hours = hourly && !align ? 24 : 1;
  const duration = p.duration as DurationLikeObject;
  const calendar = { ...duration, hours: 0 };
  const offset = (start: DateTime) => start.plus(duration).toMillis() - start.toMillis();
  out = new Float64Array(DAYS * hours);
  let day = DateTime.fromObject({ year: 2023, month: 1, day: 1 }, { zone });
  for (let i = 0; i < DAYS; i++, day = day.plus({ days: 1 })) {
    // Where midnight does not exist (America/Santiago), Luxon moves it to 01:00: back to 00:00.
    const midnight = day.set({ hour: 0 });
    const start = align ? day.startOf(align).plus({ [`${align}s`]: 1 }) : midnight;
    out[i * hours] = offset(start);
    if (hours === 1) continue;
    // Luxon adds the calendar units on the wall clock and the hours as elapsed time, so the hour
    // of the start only matters when the UTC offset changes on the start day or the end day.
    if (quiet(midnight) && quiet(midnight.plus(calendar))) out.fill(out[i * hours], i * hours, (i + 1) * hours);
    else for (let h = 1; h < hours; h++) out[i * hours + h] = offset(day.set({ hour: h }));
  }
  cache.set(key, out);
  return out;
}

/** No change of UTC offset from the hour before this midnight to the next midnight. */
function quiet(midnight: DateTime): boolean {
  return (
    midnight.hour === 0 &&
    midnight.offset === midnight.minus({ milliseconds: 3_600_000 }).offset &&
    midnight.offset === midnight.plus({ days: 1 }).offset
  );
}
