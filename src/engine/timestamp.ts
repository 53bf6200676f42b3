import { DateTime } from 'luxon';
import type { TimestampFormat } from '../policy/model.js';
import { isEmpty } from './value.js';
import { readInZone } from './wall-clock.js';

/** A full calendar date first: "2024" or "2024-05" alone is too vague to delete on. */
const ISO_DATE_FIRST = /^\d{4}-\d{2}-\d{2}(?:$|[T ])/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;
// Luxon's range is ±8.64e15 ms; keep a day clear so shifting into any zone stays valid. Later
// than the year 9999 is implausible (SPEC §1): milliseconds in a unix column read as the year 51969.
const MIN_MS = -8.64e15 + 86_400_000;
const MAX_MS = Date.UTC(10000, 0, 1) - 1;

/**
 * Reads a timestamp in the dataset's format. Values without an offset are wall-clock time in
 * `zone`; the result is in `zone` so calendar arithmetic happens there. `null`: empty (the
 * event has not happened); `undefined`: cannot be parsed.
 */
export function parseTimestamp(value: unknown, format: TimestampFormat, zone: string): DateTime | null | undefined {
  if (isEmpty(value)) return null;
  switch (format.kind) {
    case 'iso': {
      if (typeof value !== 'string') return undefined;
      const s = value.trim();
      if (!ISO_DATE_FIRST.test(s)) return undefined;
      return readInZone((z) => DateTime.fromISO(s, { zone: z }), zone) ?? readInZone((z) => DateTime.fromSQL(s, { zone: z }), zone);
    }
    case 'unix':
    case 'unix_ms': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'bigint'
            ? Number(value)
            : typeof value === 'string' && NUMBER.test(value.trim())
              ? Number(value)
              : NaN;
      const ms = format.kind === 'unix' ? n * 1000 : n;
      if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
      const dt = DateTime.fromMillis(Math.trunc(ms), { zone });
      return dt.isValid ? dt : undefined;
    }
    case 'format': {
      if (typeof value !== 'string') return undefined;
      const s = value.trim();
      return readInZone((z) => DateTime.fromFormat(s, format.format, { zone: z }), zone);
    }
  }
}

/**
 * A fast reading of common values, to decide most records without Luxon: `epoch` is exact
 * for values with an offset and for unix times; for local ISO times it is the wall-clock read
 * as UTC, off from the true instant by at most `slack` ms (zone offsets lie within ±14 h).
 * Returns undefined when unsure; then the caller uses parseTimestamp. Tested against it.
 */
export function fastEpoch(value: unknown, format: TimestampFormat): { epoch: number; slack: number } | undefined {
  const epoch = fastEpochOf(value, format);
  return Number.isNaN(epoch) ? undefined : { epoch, slack: fastSlackOf(value, format) };
}

/** fastEpoch without allocating: the epoch, or NaN when unsure; its slack is fastSlackOf's. */
export function fastEpochOf(value: unknown, format: TimestampFormat): number {
  if (format.kind === 'iso') return typeof value === 'string' ? fastIso(value) : Number.NaN;
  if (format.kind === 'unix' || format.kind === 'unix_ms') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && NUMBER.test(value) ? Number(value) : Number.NaN;
    const ms = format.kind === 'unix' ? n * 1000 : n;
    return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS ? Math.trunc(ms) : Number.NaN;
  }
  return Number.NaN;
}

/**
 * How far fastEpochOf's reading of a value it read may be from the true instant: 0 with an
 * offset (`Z`, `±HH:MM`) and for unix times; LOCAL_SLACK for local ISO times.
 */
export function fastSlackOf(value: unknown, format: TimestampFormat): number {
  if (format.kind !== 'iso' || typeof value !== 'string') return 0;
  const n = value.length;
  if (value.charCodeAt(n - 1) === 90) return 0; // Z
  // An offset needs a time: ±HH:MM after at least YYYY-MM-DDTHH:MM.
  const sign = n >= 22 ? value.charCodeAt(n - 6) : 0;
  return sign === 43 || sign === 45 ? 0 : LOCAL_SLACK;
}

const LOCAL_SLACK = 15 * 3600_000;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two digits at s[i], s[i+1] as a number, or -1. Hot: called per date field per record. */
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48,
    b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil): the same
 * count as Date.UTC / 86400000, without a call into the runtime per record. Tested against
 * Date.UTC on every day of the years 1000 to 2999.
 */
export function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/**
 * YYYY-MM-DD, optionally [T ]HH:MM[:SS[.fff]] and Z or ±HH:MM: the shapes exports commonly use.
 * Anything else (or any doubt) is left to Luxon.
 */
function fastIso(s: string): number {
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const yh = d2(s, 0),
    yl = d2(s, 2),
    mo = d2(s, 5),
    d = d2(s, 8);
  const y = yh * 100 + yl;
  if (yh < 10 || yl < 0 || mo < 1 || mo > 12 || d < 1) return NaN; // years below 1000 are left to Luxon
  if (d > 28 && d > (mo === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : DAYS[mo - 1])) return NaN;
  let h = 0,
    mi = 0,
    sec = 0,
    ms = 0,
    i = 10;
  if (n > 10) {
    const sep = s.charCodeAt(10);
    if ((sep !== 84 && sep !== 32) || n < 16 || s.charCodeAt(13) !== 58) return NaN;
    h = d2(s, 11);
    mi = d2(s, 14);
    if (h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
    i = 16;
    if (i < n && s.charCodeAt(i) === 58) {
      if (n < 19) return NaN;
      sec = d2(s, 17);
      if (sec < 0 || sec > 59) return NaN;
      i = 19;
      if (i < n && s.charCodeAt(i) === 46) {
        let k = i + 1;
        while (k < n && k < i + 4 && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
        if (k === i + 1) return NaN;
        for (let j = i + 1; j < i + 4; j++) ms = ms * 10 + (j < k ? s.charCodeAt(j) - 48 : 0);
        i = k;
      }
    }
  }
  const wall = daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
  if (i === n) return wall;
  if (i === 10) return Number.NaN; // an offset needs a time
  const z = s.charCodeAt(i);
  if (z === 90 && i + 1 === n) return wall;
  if ((z !== 43 && z !== 45) || n !== i + 6 || s.charCodeAt(i + 3) !== 58) return NaN;
  const oh = d2(s, i + 1),
    om = d2(s, i + 4);
  if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
  return wall - (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
}
