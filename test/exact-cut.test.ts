import { DateTime, type DurationLikeObject } from 'luxon';
import { describe, expect, it } from 'vitest';
import { exactCut } from '../src/engine/exact-cut.js';

// The cut SQL sources compare starts with must split them as Luxon does: due iff start + period
// <= asOf, outside the unsure window. Every other minute within 30 hours of the cut, at as-ofs where a
// DST change falls near the cut, near asOf, or near asOf less the period's time units (Luxon adds
// hours after the calendar units, as elapsed time), for periods that mix the two.

const ZONES = ['Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'UTC'];
const PERIODS: DurationLikeObject[] = [
  { months: 6 },
  { days: 1, hours: 12 },
  { days: 7, hours: 30 },
  { months: 1, days: 2, hours: 3 },
  { years: 1, days: 1 },
  { hours: 36 },
  { weeks: 2 },
];
const CHANGES: Record<string, string[]> = {
  'Europe/Amsterdam': ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'],
  'America/New_York': ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'],
  'Australia/Lord_Howe': ['2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z'],
  UTC: ['2026-03-29T01:00:00Z'],
};

describe('exactCut', () => {
  it('splits every other minute near the cut as Luxon does, where DST changes near the cut, asOf or asOf less the hours', () => {
    let checked = 0;
    for (const zone of ZONES)
      for (const period of PERIODS)
        for (const change of CHANGES[zone] ?? []) {
          const at = DateTime.fromISO(change, { zone });
          const hours = { hours: period.hours ?? 0 };
          // asOf at the change, the cut at it, and asOf less the hours at it.
          for (const asOf of [at.plus({ minutes: 20 }), at.plus(period).plus({ minutes: 20 }), at.plus(hours).plus({ minutes: 20 })]) {
            const c = exactCut(period, undefined, asOf);
            const due = (ms: number) => DateTime.fromMillis(ms, { zone }).plus(period).toMillis() <= asOf.toMillis();
            for (let s = c.cut - 30 * 3_600_000; s <= c.cut + 30 * 3_600_000; s += 120_000) {
              if (c.unsure && s > c.unsure.lo && s <= c.unsure.hi) continue;
              const said = c.before ? s < c.cut : s <= c.cut;
              if (said !== due(s))
                expect.fail(
                  `${zone} ${JSON.stringify(period)} as of ${asOf.toISO()}: start ${DateTime.fromMillis(s, { zone }).toISO()} said ${said}`,
                );
              checked++;
            }
          }
        }
    expect(checked).toBeGreaterThan(50_000);
  });
});
