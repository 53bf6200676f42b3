// Time for the demo data, all through Luxon. Records are generated as instants (UTC ms) in
// Europe/Amsterdam office life; a timestamp column holds a Stamp, which is written out only when
// the dataset's declaration in its policy is known (stampText).

import { DateTime } from 'luxon';
import { between, chance, int } from './random.mjs';

export const ZONE = 'Europe/Amsterdam';
export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const YEAR = 365.25 * DAY;
const utc = (...ymdh) => DateTime.utc(...ymdh).toMillis();
export const T0 = utc(2016, 12, 1); // first record: 1 December 2016
export const T1 = utc(2026, 11, 20, 17); // last record: 20 November 2026, 18:00 local (suggested --as-of 2026-11-24)
export const CUTOVER_2020 = utc(2020, 6, 1); // system migrations: older exports use SQLite datetimes
export const CUTOVER_2022 = utc(2022, 1, 1);

const local = (ms, zone = ZONE) => DateTime.fromMillis(ms, { zone });
export const year = (ms) => local(ms).year;
export const isoDate = (ms) => local(ms).toISODate();
/** Local midnight of the first of the month of an instant. */
export const monthStart = (ms) => local(ms).startOf('month').toMillis();
/** The same wall-clock time `n` calendar days later. */
export const plusDays = (ms, n) => local(ms).plus({ days: n }).toMillis();
const clamp = (x, lo, hi) => Math.min(Math.max(x, lo), hi);

/** A random instant in [a, b], mostly during office hours (08:00-17:59 local), never outside [T0, T1]. */
export function at(a, b, office = 0.8) {
  let ms = between(a, b);
  if (chance(office)) {
    const s = int(8 * 3600, 17 * 3600 + 3599);
    const t = local(ms).set({ hour: Math.floor(s / 3600), minute: Math.floor(s / 60) % 60, second: s % 60, millisecond: 0 });
    ms = clamp(t.toMillis(), a, b);
  }
  return clamp(ms, T0, T1);
}

/**
 * The ISO styles a dataset declared `iso` (the default) may use: with Z (and milliseconds), with
 * the local offset, local without offset, SQLite's 'YYYY-MM-DD HH:MM:SS' (local) or a date.
 */
const whole = { suppressMilliseconds: true }; // the styles other than zms write whole seconds
const ISO_STYLES = {
  z: (t) => t.toUTC().toISO(whole),
  zms: (t) => t.toUTC().toISO(),
  offset: (t) => t.toISO(whole),
  local: (t) => t.toISO({ ...whole, includeOffset: false }),
  sqlite: (t) => t.toFormat('yyyy-MM-dd HH:mm:ss'),
  date: (t) => t.toISODate(),
};

/** An instant to be written into a timestamp column; `style` is one of ISO_STYLES. */
export class Stamp {
  constructor(ms, style) {
    if (!(style in ISO_STYLES)) throw new Error(`unknown timestamp style ${style}`);
    this.ms = ms;
    this.style = style;
  }
}
/** A Stamp, or null for no instant (an open end, a service still running). */
export const stamp = (ms, style = 'offset') => (ms === null || ms === undefined ? null : new Stamp(ms, style));

/**
 * A Stamp as its dataset declares timestamps (Dataset.timestamps of the policy): unix seconds,
 * unix_ms, a Luxon format such as 'dd-MM-yyyy HH:mm:ss' (local), or for iso the Stamp's own style.
 * The zone is the policy's: timestamps without offset are read in it.
 */
export function stampText({ ms, style }, timestamps, zone) {
  const keepMs = style === 'zms' || timestamps.kind === 'unix_ms';
  const t = local(keepMs ? ms : ms - (ms % 1000), zone); // whole seconds unless milliseconds are written
  switch (timestamps.kind) {
    case 'unix':
      return t.toUnixInteger();
    case 'unix_ms':
      return t.toMillis();
    case 'format':
      return t.toFormat(timestamps.format);
    case 'iso':
      return ISO_STYLES[style](t);
    default:
      throw new Error(`unknown timestamps ${JSON.stringify(timestamps)}`);
  }
}
