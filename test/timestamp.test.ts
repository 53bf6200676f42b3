import { DateTime, Settings } from 'luxon';
import { describe, expect, it } from 'vitest';
import { daysFromCivil, fastEpoch, parseTimestamp } from '../src/engine/timestamp.js';
import type { TimestampFormat } from '../src/policy/model.js';
import { rng } from './helpers/random.js';

const AMS = 'Europe/Amsterdam';
const ISO: TimestampFormat = { kind: 'iso' };
const UNIX: TimestampFormat = { kind: 'unix' };
const UNIX_MS: TimestampFormat = { kind: 'unix_ms' };
const CUSTOM: TimestampFormat = { kind: 'format', format: 'dd-MM-yyyy HH:mm' };

// [label, value, format, zone, expected instant (UTC ISO), expected wall clock in the zone]
const VALID: [string, unknown, TimestampFormat, string, string, string][] = [
  ['ISO with Z', '2026-01-15T10:00:00Z', ISO, AMS, '2026-01-15T10:00:00.000Z', '2026-01-15T11:00:00.000+01:00'],
  ['ISO with Z and millis', '2026-01-15T10:00:00.250Z', ISO, AMS, '2026-01-15T10:00:00.250Z', '2026-01-15T11:00:00.250+01:00'],
  ['ISO with +05:30', '2026-01-15T10:00:00+05:30', ISO, AMS, '2026-01-15T04:30:00.000Z', '2026-01-15T05:30:00.000+01:00'],
  ['ISO with -08:00 (summer in zone)', '2026-07-15T10:00:00-08:00', ISO, AMS, '2026-07-15T18:00:00.000Z', '2026-07-15T20:00:00.000+02:00'],
  ['ISO +05:30 across local midnight', '2026-01-01T02:00:00+05:30', ISO, AMS, '2025-12-31T20:30:00.000Z', '2025-12-31T21:30:00.000+01:00'],
  ['ISO without offset, winter', '2026-01-15T10:00:00', ISO, AMS, '2026-01-15T09:00:00.000Z', '2026-01-15T10:00:00.000+01:00'],
  ['ISO without offset, summer', '2026-07-15T10:00:00', ISO, AMS, '2026-07-15T08:00:00.000Z', '2026-07-15T10:00:00.000+02:00'],
  ['ISO without offset, minutes only', '2026-07-15T10:00', ISO, AMS, '2026-07-15T08:00:00.000Z', '2026-07-15T10:00:00.000+02:00'],
  ['ISO without offset, UTC zone', '2026-07-15T10:00:00', ISO, 'UTC', '2026-07-15T10:00:00.000Z', '2026-07-15T10:00:00.000Z'],
  ['date only, winter: start of day in zone', '2026-01-15', ISO, AMS, '2026-01-14T23:00:00.000Z', '2026-01-15T00:00:00.000+01:00'],
  ['date only, summer: start of day in zone', '2026-07-15', ISO, AMS, '2026-07-14T22:00:00.000Z', '2026-07-15T00:00:00.000+02:00'],
  ['date only, New York', '2026-07-15', ISO, 'America/New_York', '2026-07-15T04:00:00.000Z', '2026-07-15T00:00:00.000-04:00'],
  ['leap day', '2024-02-29T12:00:00Z', ISO, AMS, '2024-02-29T12:00:00.000Z', '2024-02-29T13:00:00.000+01:00'],
  ['SQLite datetime, winter', '2026-01-15 10:00:00', ISO, AMS, '2026-01-15T09:00:00.000Z', '2026-01-15T10:00:00.000+01:00'],
  ['SQLite datetime, summer', '2026-07-15 10:00:00', ISO, AMS, '2026-07-15T08:00:00.000Z', '2026-07-15T10:00:00.000+02:00'],
  ['SQLite datetime with millis', '2026-07-15 10:00:00.123', ISO, AMS, '2026-07-15T08:00:00.123Z', '2026-07-15T10:00:00.123+02:00'],
  ['surrounding spaces', '  2026-01-15T10:00:00Z ', ISO, AMS, '2026-01-15T10:00:00.000Z', '2026-01-15T11:00:00.000+01:00'],
  ['unix number', 1768471200, UNIX, AMS, '2026-01-15T10:00:00.000Z', '2026-01-15T11:00:00.000+01:00'],
  ['unix numeric string', '1768471200', UNIX, AMS, '2026-01-15T10:00:00.000Z', '2026-01-15T11:00:00.000+01:00'],
  ['unix 0', 0, UNIX, 'UTC', '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'],
  ['unix_ms number', 1768471200123, UNIX_MS, AMS, '2026-01-15T10:00:00.123Z', '2026-01-15T11:00:00.123+01:00'],
  ['unix_ms numeric string', '1784109600000', UNIX_MS, AMS, '2026-07-15T10:00:00.000Z', '2026-07-15T12:00:00.000+02:00'],
  ['custom format, winter', '15-01-2026 10:00', CUSTOM, AMS, '2026-01-15T09:00:00.000Z', '2026-01-15T10:00:00.000+01:00'],
  ['custom format, summer', '15-07-2026 10:00', CUSTOM, AMS, '2026-07-15T08:00:00.000Z', '2026-07-15T10:00:00.000+02:00'],
];

describe('parseTimestamp: readable values', () => {
  it.each(VALID)('%s', (_label, value, format, zone, utc, local) => {
    const t = parseTimestamp(value, format, zone);
    expect(t).toBeInstanceOf(DateTime);
    expect(t!.isValid).toBe(true);
    expect(t!.toUTC().toISO()).toBe(utc);
    // the result is in the policy zone, so calendar arithmetic happens there
    expect(t!.zoneName).toBe(zone);
    expect(t!.toISO()).toBe(local);
  });
});

const FORMATS: [string, TimestampFormat][] = [
  ['iso', ISO],
  ['unix', UNIX],
  ['unix_ms', UNIX_MS],
  ['format', CUSTOM],
];

// SPEC §1: a local time that occurs twice is its later instant; one that does not exist moves
// forward by the gap. [label, value, format, zone, instant (UTC), wall clock as read]
const DST: [string, string, TimestampFormat, string, string, string][] = [
  [
    'Amsterdam, repeated hour: the later 02:30',
    '2026-10-25T02:30:00',
    ISO,
    AMS,
    '2026-10-25T01:30:00.000Z',
    '2026-10-25T02:30:00.000+01:00',
  ],
  ['Amsterdam, repeated hour, SQLite form', '2026-10-25 02:30:00', ISO, AMS, '2026-10-25T01:30:00.000Z', '2026-10-25T02:30:00.000+01:00'],
  ['Amsterdam, repeated hour, first second', '2026-10-25 02:00:00', ISO, AMS, '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000+01:00'],
  ['Amsterdam, repeated hour, last second', '2026-10-25 02:59:59', ISO, AMS, '2026-10-25T01:59:59.000Z', '2026-10-25T02:59:59.000+01:00'],
  ['Amsterdam, just after the repeated hour', '2026-10-25 03:00:00', ISO, AMS, '2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000+01:00'],
  [
    'Amsterdam, just before the repeated hour',
    '2026-10-25 01:59:59',
    ISO,
    AMS,
    '2026-10-24T23:59:59.000Z',
    '2026-10-25T01:59:59.000+02:00',
  ],
  ['Amsterdam, repeated hour, custom format', '25-10-2026 02:30', CUSTOM, AMS, '2026-10-25T01:30:00.000Z', '2026-10-25T02:30:00.000+01:00'],
  [
    'Amsterdam, repeated hour with an offset stays that instant',
    '2026-10-25T02:30:00+02:00',
    ISO,
    AMS,
    '2026-10-25T00:30:00.000Z',
    '2026-10-25T02:30:00.000+02:00',
  ],
  [
    'Amsterdam, skipped hour: 02:30 reads as 03:30',
    '2026-03-29T02:30:00',
    ISO,
    AMS,
    '2026-03-29T01:30:00.000Z',
    '2026-03-29T03:30:00.000+02:00',
  ],
  ['Amsterdam, skipped hour, first second', '2026-03-29 02:00:00', ISO, AMS, '2026-03-29T01:00:00.000Z', '2026-03-29T03:00:00.000+02:00'],
  ['Amsterdam, skipped hour, custom format', '29-03-2026 02:59', CUSTOM, AMS, '2026-03-29T01:59:00.000Z', '2026-03-29T03:59:00.000+02:00'],
  ['New York, repeated hour', '2026-11-01T01:30:00', ISO, 'America/New_York', '2026-11-01T06:30:00.000Z', '2026-11-01T01:30:00.000-05:00'],
  ['New York, skipped hour', '2026-03-08T02:30:00', ISO, 'America/New_York', '2026-03-08T07:30:00.000Z', '2026-03-08T03:30:00.000-04:00'],
  [
    'Lord Howe, repeated half hour',
    '2026-04-05T01:45:00',
    ISO,
    'Australia/Lord_Howe',
    '2026-04-04T15:15:00.000Z',
    '2026-04-05T01:45:00.000+10:30',
  ],
  [
    'Santiago, skipped midnight: a date alone starts at 01:00',
    '2026-09-06',
    ISO,
    'America/Santiago',
    '2026-09-06T04:00:00.000Z',
    '2026-09-06T01:00:00.000-03:00',
  ],
];

describe('parseTimestamp: DST folds and gaps, whatever the machine clock says', () => {
  const clocks = [Date.UTC(2026, 6, 1), Date.UTC(2026, 11, 1)];
  it.each(DST)('%s', (_label, value, format, zone, utc, local) => {
    const saved = Settings.now;
    try {
      for (const now of clocks) {
        Settings.now = () => now;
        const t = parseTimestamp(value, format, zone);
        expect(t?.toUTC().toISO(), new Date(now).toISOString()).toBe(utc);
        expect(t!.toISO()).toBe(local);
      }
    } finally {
      Settings.now = saved;
    }
  });
});

describe('parseTimestamp: empty means "not yet" (null)', () => {
  const cases = FORMATS.flatMap(([name, f]) =>
    ['', null, '  ', undefined].map((v) => [name, JSON.stringify(v) ?? 'undefined', v, f] as const),
  );
  it.each(cases)('%s %s', (_n, _l, value, format) => {
    expect(parseTimestamp(value, format, AMS)).toBeNull();
  });
});

const INVALID: [string, unknown, TimestampFormat][] = [
  ['30 February', '2021-02-30', ISO],
  ['29 February, not a leap year', '2021-02-29', ISO],
  ['month 13', '2021-13-01', ISO],
  ['month 13 with time and Z', '2021-13-01T00:00:00Z', ISO],
  ['hour 25', '2021-01-01T25:00:00', ISO],
  ['garbage', 'garbage', ISO],
  ['year only', '2024', ISO],
  ['year and month only', '2024-05', ISO],
  ['number under iso', 1768471200, ISO],
  ['boolean under iso', true, ISO],
  ['day-first under iso', '15-01-2026', ISO],
  ['unix: not a number', 'abc', UNIX],
  ['unix: trailing letters', '1768471200x', UNIX],
  ['unix: iso text', '2026-01-15T10:00:00Z', UNIX],
  ['unix: far beyond the Date range', 1e16, UNIX],
  ['unix: milliseconds in a unix column (the year 51969)', 1577836800000, UNIX],
  ['unix: the first second of the year 10000', 253402300800, UNIX],
  ['unix_ms: the first millisecond of the year 10000', 253402300800000, UNIX_MS],
  ['unix_ms: microseconds in a unix_ms column', '1577836800000000', UNIX_MS],
  ['unix_ms: not a number', '12abc', UNIX_MS],
  ['custom: impossible date', '31-02-2026 10:00', CUSTOM],
  ['custom: iso text', '2026-01-15T10:00', CUSTOM],
  ['custom: missing time', '15-01-2026', CUSTOM],
];

describe('parseTimestamp: unreadable values (undefined)', () => {
  it.each(INVALID)('%s', (_label, value, format) => {
    expect(parseTimestamp(value, format, AMS)).toBeUndefined();
  });
});

describe('fastEpoch agrees with parseTimestamp', () => {
  const ZONES = [
    'Europe/Amsterdam',
    'UTC',
    'America/New_York',
    'Asia/Kolkata',
    'Pacific/Auckland',
    'Pacific/Kiritimati',
    'Pacific/Pago_Pago',
    'America/St_Johns',
  ];
  const OFFSETS = ['', '', '', 'Z', '+05:30', '-08:00', '+14:00', '-12:00', '+00:00', '+23:59', '-03:30', '+01:00', '+24:00', '+05:60'];
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');

  function generate(r: ReturnType<typeof rng>): string {
    const y = r.pick([r.int(1970, 2040), 2024, 2000, 1900, 2100, 2023, r.int(1, 9999)]);
    const mo = r.chance(0.9) ? r.int(1, 12) : r.pick([0, 13]);
    const d = r.chance(0.3) ? r.pick([28, 29, 30, 31]) : r.chance(0.95) ? r.int(1, 31) : r.pick([0, 32]);
    let s = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
    if (r.chance(0.15)) return s; // date only
    const h = r.chance(0.95) ? r.int(0, 23) : 24;
    const mi = r.chance(0.97) ? r.int(0, 59) : 60;
    s += `${r.chance(0.8) ? 'T' : ' '}${pad(h)}:${pad(mi)}`;
    if (r.chance(0.8)) {
      s += `:${pad(r.chance(0.97) ? r.int(0, 59) : 60)}`;
      if (r.chance(0.4)) s += `.${String(r.int(0, 999)).slice(0, r.int(1, 3))}`;
    }
    return s + r.pick(OFFSETS);
  }

  const FIXED = [
    '2024-02-29T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-02-30',
    '2026-03-29T02:30:00',
    '2026-10-25T02:30:00',
    '2026-03-29 02:30:00',
    '2026-10-25T02:30:00+01:00',
    '2026-10-25T02:30:00+02:00',
    '2026-01-01T02:00:00+05:30',
    '2026-12-31T23:59:59.999',
    '2026-01-01T00:00:00.5Z',
    '2100-02-29',
    '2000-02-29',
    '1900-02-29',
    '0999-01-01',
  ];

  it('on fixed and 20,000 generated ISO strings in 8 zones', () => {
    const r = rng(7);
    const values = [...FIXED, ...Array.from({ length: 20_000 }, () => generate(r))];
    let fastCount = 0,
      exactCount = 0,
      localCount = 0;
    for (const [i, v] of values.entries()) {
      const zone = ZONES[i % ZONES.length];
      const fast = fastEpoch(v, ISO);
      if (!fast) continue;
      fastCount++;
      const t = parseTimestamp(v, ISO, zone);
      const msg = `${v} in ${zone}: fast ${JSON.stringify(fast)}, luxon ${t?.toISO()}`;
      expect(t, msg).toBeInstanceOf(DateTime);
      expect(t!.isValid, msg).toBe(true);
      const diff = Math.abs(fast.epoch - t!.toMillis());
      expect(diff, msg).toBeLessThanOrEqual(fast.slack);
      if (fast.slack === 0) {
        exactCount++;
        expect(diff, msg).toBe(0);
      } else localCount++;
    }
    // the comparison must not be vacuous: both exact and local readings occur
    expect(fastCount).toBeGreaterThan(8_000);
    expect(exactCount).toBeGreaterThan(3_000);
    expect(localCount).toBeGreaterThan(3_000);
  });

  it('rejects (returns undefined for) values parseTimestamp cannot read', () => {
    for (const v of [
      '2021-02-30',
      '2021-13-01',
      '2021-02-29T10:00:00Z',
      '2021-01-01T24:00:00',
      '2021-01-01T10:60',
      'garbage',
      '2024',
      '',
    ]) {
      expect(fastEpoch(v, ISO), v).toBeUndefined();
    }
  });

  it('on unix and unix_ms values', () => {
    const r = rng(11);
    const values: unknown[] = [
      0,
      -1,
      1.5,
      -1.5,
      '0',
      '1768471200',
      '1768471200.9',
      1e16,
      'x',
      '-5',
      '12e3',
      253402300799,
      '253402300799999',
    ];
    for (let i = 0; i < 2_000; i++) {
      const n = r.int(-2e9, 4e9);
      values.push(n, String(n), n + r.next());
    }
    let count = 0;
    for (const format of [UNIX, UNIX_MS]) {
      for (const v of values) {
        const fast = fastEpoch(v, format);
        if (!fast) continue;
        count++;
        const t = parseTimestamp(v, format, AMS);
        const msg = `${String(v)} as ${format.kind}`;
        expect(t, msg).toBeInstanceOf(DateTime);
        expect(fast.slack, msg).toBe(0);
        expect(fast.epoch, msg).toBe(t!.toMillis());
      }
    }
    expect(count).toBeGreaterThan(10_000);
  });

  // At the edge of the Date range the instant exists in UTC but not as a wall clock in the
  // zone: Luxon gives an invalid DateTime. parseTimestamp must then say "unreadable"
  // (undefined) rather than return an invalid DateTime, which evaluate reads as "not due".
  it.each([
    ['unix 8.64e12 in Europe/Amsterdam', 8.64e12, UNIX, AMS],
    ['unix_ms 8.64e15 in Europe/Amsterdam', 8.64e15, UNIX_MS, AMS],
    ['unix_ms -8.64e15 in America/New_York', -8.64e15, UNIX_MS, 'America/New_York'],
  ] as [string, number, TimestampFormat, string][])('edge of the Date range: %s', (_l, v, format, zone) => {
    const t = parseTimestamp(v, format, zone);
    if (t !== undefined) expect(t?.isValid, 'parseTimestamp returned an invalid DateTime').toBe(true);
    if (fastEpoch(v, format)) expect(t).toBeInstanceOf(DateTime);
  });
});

describe('daysFromCivil', () => {
  it('counts the same days as Date.UTC on every day of the years 1000 to 2999', () => {
    let bad = 0;
    for (let t = Date.UTC(1000, 0, 1); t < Date.UTC(3000, 0, 1); t += 86_400_000) {
      const d = new Date(t);
      if (daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()) * 86_400_000 !== t) bad++;
    }
    expect(bad).toBe(0);
  });
});
