import { DateTime, type DurationLikeObject } from 'luxon';
import { describe, expect, it } from 'vitest';
import { decide } from '../src/engine/decide.js';
import { evaluate } from '../src/engine/evaluate.js';
import { exactCut } from '../src/engine/exact-cut.js';
import { compilePlan } from '../src/engine/plan.js';
import { parsePolicyText } from '../src/policy/load.js';

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

/**
 * exactCut at asOf against Luxon, for starts every `step` ms within `reach` of its cut (and each
 * of `edges` ms off them) outside its unsure window: fails on the first start it splits otherwise.
 */
function splitsAsLuxon(zone: string, period: DurationLikeObject, asOf: DateTime, reach: number, step: number, edges = [0]) {
  const c = exactCut(period, undefined, asOf);
  const due = (ms: number) => DateTime.fromMillis(ms, { zone }).plus(period).toMillis() <= asOf.toMillis();
  let checked = 0;
  for (let s = c.cut - reach; s <= c.cut + reach; s += step)
    for (const e of edges) {
      const x = s + e;
      if (c.unsure && x > c.unsure.lo && x <= c.unsure.hi) continue;
      const said = c.before ? x < c.cut : x <= c.cut;
      if (said !== due(x))
        expect.fail(
          `${zone} ${JSON.stringify(period)} as of ${asOf.toISO()}: start ${DateTime.fromMillis(x, { zone }).toISO()} said ${said}`,
        );
      checked++;
    }
  return { cut: c, checked };
}

describe('exactCut', () => {
  it('splits every other minute near the cut as Luxon does, where DST changes near the cut, asOf or asOf less the hours', () => {
    let checked = 0;
    for (const zone of ZONES)
      for (const period of PERIODS)
        for (const change of CHANGES[zone] ?? []) {
          const at = DateTime.fromISO(change, { zone });
          const hours = { hours: period.hours ?? 0 };
          // asOf at the change, the cut at it, and asOf less the hours at it.
          for (const asOf of [at.plus({ minutes: 20 }), at.plus(period).plus({ minutes: 20 }), at.plus(hours).plus({ minutes: 20 })])
            checked += splitsAsLuxon(zone, period, asOf, 30 * 3_600_000, 120_000).checked;
        }
    expect(checked).toBeGreaterThan(50_000);
  });
});

describe('exactCut where months clamp', () => {
  // asOf at several times of each day from the 25th to the 3rd, after 31-day months, February
  // (leap and not) and 30-day months; starts every half hour within 6 days of the cut.
  const PERIODS_M: DurationLikeObject[] = [{ months: 1 }, { months: 6 }, { years: 1 }, { months: 3, hours: 12 }, { months: 2, days: 1 }];
  const DAYS = [
    '2027-02-25',
    '2027-02-28',
    '2027-03-01',
    '2028-02-28',
    '2028-02-29',
    '2026-04-29',
    '2026-04-30',
    '2026-05-01',
    '2026-05-30',
    '2026-05-31',
    '2026-09-30',
    '2026-11-30',
    '2026-12-03',
  ];

  it('splits the starts as Luxon does outside the unsure window, which only the days clamped onto asOf date have', () => {
    let checked = 0;
    let unsure = 0;
    let cases = 0;
    for (const zone of ['Europe/Amsterdam', 'UTC', 'America/New_York'])
      for (const period of PERIODS_M)
        for (const day of DAYS)
          for (const time of ['00:00:00', '00:00:00.001', '06:30:00', '12:00:00', '23:59:59.999']) {
            const asOf = DateTime.fromISO(`${day}T${time}`, { zone });
            const r = splitsAsLuxon(zone, period, asOf, 6 * 86_400_000, 1_800_000, [0, 1, -1]);
            checked += r.checked;
            cases++;
            if (r.cut.unsure) {
              unsure++;
              // At most the four days that clamp onto one date, and the DST margin.
              expect(r.cut.unsure.hi - r.cut.unsure.lo).toBeLessThanOrEqual(4 * 86_400_000 + 6 * 3_600_000);
            }
          }
    expect(checked).toBeGreaterThan(1_000_000);
    // Only a short month's last days (and asOf's 30th or 31st of longer ones after a clamp) are unsure.
    expect(unsure).toBeLessThan(cases / 3);
  }, 120_000);
});

describe('exactCut where a zone skipped a day', () => {
  it('Samoa, 30 December 2011 (24 hours at once): the starts it moves are unsure, the others split as Luxon does', () => {
    const zone = 'Pacific/Apia';
    let checked = 0;
    for (const period of [{ days: 90 }, { weeks: 2 }, { months: 6 }, { days: 1 }] as DurationLikeObject[])
      for (const iso of [
        '2011-12-31T06:30:00',
        '2011-12-31T23:59:59.999',
        '2011-12-29T12:00:00',
        '2012-01-01T00:00:00',
        '2012-01-02T18:00:00',
      ]) {
        const asOf = DateTime.fromISO(iso, { zone });
        for (const at of [asOf, asOf.plus(period)]) checked += splitsAsLuxon(zone, period, at, 8 * 86_400_000, 600_000).checked;
      }
    expect(checked).toBeGreaterThan(50_000);
  });

  // A fixed period goes through exactCut; a per-record one through the threshold's own margin.
  it.each(['90 days', '{ column: days, unit: days }'])(
    'Samoa: decide deletes what the reference evaluation deletes, and nothing else (delete_after: %s)',
    (period) => {
      const { policy } = parsePolicyText(
        `version: 1\nname: p\ntimezone: Pacific/Apia\ndatasets: { t: {} }\nrules:\n  - { id: r, dataset: t, from: a, delete_after: ${period} }\n`,
        'p.yaml',
      );
      const ds = { dataset: policy!.datasets.get('t')!, rules: policy!.rules };
      const asOf = DateTime.fromISO('2011-12-31T06:30:00', { zone: 'Pacific/Apia' });
      const plan = compilePlan(ds, asOf);
      let deleted = 0;
      for (let s = Date.parse('2011-09-28T00:00:00Z'); s < Date.parse('2011-10-06T00:00:00Z'); s += 600_000) {
        const rec: Record<string, unknown> = { a: new Date(s).toISOString(), days: 90 };
        const want = evaluate(ds, (c) => rec[c], asOf).decision.action;
        expect(
          decide(
            plan,
            plan.columns.map((c) => rec[c]),
          ).action,
          String(rec.a),
        ).toBe(want);
        if (want === 'delete') deleted++;
      }
      expect(deleted).toBeGreaterThan(100);
    },
  );
});
