import { DateTime } from 'luxon';
import type { TimestampFormat } from '../policy/model.js';
import { isEmpty } from './value.js';

/** A full calendar date first: "2024" or "2024-05" alone is too vague to delete on. */
const ISO_DATE_FIRST = /^\d{4}-\d{2}-\d{2}(?:$|[T ])/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;
// Luxon's range is ±8.64e15 ms; keep a day clear so shifting into any zone stays valid.
const MAX_MS = 8.64e15 - 86_400_000;

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
      let dt = DateTime.fromISO(s, { zone });
      if (!dt.isValid) dt = DateTime.fromSQL(s, { zone });
      return dt.isValid ? dt : undefined;
    }
    case 'unix':
    case 'unix_ms': {
      const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : typeof value === 'string' && NUMBER.test(value.trim()) ? Number(value) : NaN;
      const ms = format.kind === 'unix' ? n * 1000 : n;
      if (!Number.isFinite(ms) || Math.abs(ms) > MAX_MS) return undefined;
      const dt = DateTime.fromMillis(Math.trunc(ms), { zone });
      return dt.isValid ? dt : undefined;
    }
    case 'format': {
      if (typeof value !== 'string') return undefined;
      const dt = DateTime.fromFormat(value.trim(), format.format, { zone });
      return dt.isValid ? dt : undefined;
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
  if (format.kind === 'iso') return typeof value === 'string' ? fastIso(value) : undefined;
  if (format.kind === 'unix' || format.kind === 'unix_ms') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && NUMBER.test(value) ? Number(value) : NaN;
    const ms = format.kind === 'unix' ? n * 1000 : n;
    return Number.isFinite(ms) && Math.abs(ms) <= MAX_MS ? { epoch: Math.trunc(ms), slack: 0 } : undefined;
  }
  return undefined;
}

export const LOCAL_SLACK = 15 * 3600_000;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function fastIso(s: string): { epoch: number; slack: number } | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const y = +m[1], mo = +m[2], d = +m[3];
  if (y < 1000) return undefined; // Date.UTC reads years below 100 as 19xx
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS[mo - 1])) return undefined;
  const h = m[4] ? +m[4] : 0, mi = m[5] ? +m[5] : 0, sec = m[6] ? +m[6] : 0;
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = m[7] ? +m[7].padEnd(3, '0') : 0;
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  const off = m[8];
  if (off === undefined) return { epoch: wall, slack: LOCAL_SLACK };
  if (off === 'Z') return { epoch: wall, slack: 0 };
  const oh = +off.slice(1, 3), om = +off.slice(4, 6);
  if (oh > 23 || om > 59) return undefined;
  return { epoch: wall - (off[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000, slack: 0 };
}
