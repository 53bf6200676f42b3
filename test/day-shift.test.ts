import { DateTime, type DurationLikeObject, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DayShifts } from '../src/engine/day-shift.js';
import { rng } from './helpers/random.js';

// Zones with DST at 02:00 or 03:00, at midnight (Santiago, Havana), by 30 minutes (Lord Howe),
// south of the equator, and none.
const ZONES = [
  'Europe/Amsterdam',
  'America/New_York',
  'America/Santiago',
  'America/Havana',
  'Australia/Lord_Howe',
  'Pacific/Auckland',
  'Asia/Kolkata',
  'UTC',
];
const DURATIONS: DurationLikeObject[] = [
  { months: 6 },
  { months: 1 },
  { years: 1 },
  { days: 90 },
  { months: 3, hours: 12 },
  { years: 7 },
  { weeks: 2 },
  { hours: 36 },
];

describe('dues by day agree with Luxon', () => {
  it('on starts around month ends and DST changes, every zone and period', () => {
    const r = rng(7);
    let known = 0;
    let asked = 0;
    for (const name of ZONES) {
      const zone = IANAZone.create(name);
      for (const duration of DURATIONS) {
        // Around the end of February, of August and both DST seasons, 2024 (leap) to 2027.
        for (const anchor of ['2024-02-27', '2025-03-29', '2026-08-29', '2026-10-24', '2027-02-27', '2026-04-04', '2026-09-26']) {
          const base = DateTime.fromISO(anchor, { zone }).toMillis();
          const shifts = new DayShifts(duration, zone, base);
          for (let i = 0; i < 300; i++) {
            // Whole ms, often on the hour or at a day's edge.
            const start = base + r.int(-5, 5) * 86_400_000 + r.pick([0, 0, 1, -1, r.int(0, 23) * 3_600_000, r.int(0, 86_399_999)]);
            const want = DateTime.fromMillis(start, { zone }).plus(duration).toMillis();
            const got = shifts.due(start);
            asked++;
            if (got === undefined) continue;
            known++;
            expect(got, `${name} ${JSON.stringify(duration)} ${new Date(start).toISOString()}`).toBe(want);
          }
        }
      }
    }
    // Luxon is left only the days with an offset change, and their dues'.
    expect(known / asked).toBeGreaterThan(0.9);
  });

  it('leaves to Luxon a start on a day with an offset change, and one whose due is on such a day', () => {
    const zone = IANAZone.create('Europe/Amsterdam');
    // 29 March 2026 has 23 hours; 29 September 2025 + 6 months is that day.
    const onChange = DateTime.fromISO('2026-03-29T12:00:00', { zone }).toMillis();
    const dueOnChange = DateTime.fromISO('2025-09-29T12:00:00', { zone }).toMillis();
    expect(new DayShifts({ days: 1 }, zone, onChange).due(onChange)).toBeUndefined();
    expect(new DayShifts({ months: 6 }, zone, dueOnChange).due(dueOnChange)).toBeUndefined();
    // The day before: a day's worth of starts, one shift.
    const before = DateTime.fromISO('2025-09-28T23:59:59.999', { zone }).toMillis();
    expect(new DayShifts({ months: 6 }, zone, before).due(before)).toBe(
      DateTime.fromMillis(before, { zone }).plus({ months: 6 }).toMillis(),
    );
  });
});
