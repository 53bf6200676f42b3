import { DateTime, type DurationLikeObject } from 'luxon';
import { describe, expect, it } from 'vitest';
import { alignedStart } from '../src/engine/due.js';
import { dueOrder, dueSpan } from '../src/engine/rule-order.js';
import { planOf } from './helpers/plan.js';

// The SQLite fast path decides several delete rules in SQL only in an order in which the first due
// governs: that rests on the bounds of a period's length holding for every start, in every zone.

describe('dueSpan', () => {
  type Span = [DurationLikeObject, 'day' | 'month' | 'year' | undefined];
  // 2327 and 2473 months are where the spread peaks (4.39 days); the calendar repeats every 4800.
  const months = [1, 2, 3, 5, 6, 11, 12, 13, 18, 24, 35, 60, 84, 120, 1200, 2327, 2400, 2473, 4800];
  const periods: Span[] = [
    ...months.map((n): Span => [{ months: n }, undefined]),
    [{ years: 7 }, undefined],
    [{ years: 7, months: 6 }, undefined],
    [{ months: 1, days: 3 }, undefined],
    [{ years: 1 }, 'month'],
    [{ months: 6 }, 'year'],
    [{ days: 30 }, 'day'],
  ];
  const within = (d: DurationLikeObject, align: Span[1], start: DateTime) => {
    const [lo, hi] = dueSpan(d, align);
    const length = alignedStart(start, align).plus(d).toMillis() - start.toMillis();
    expect(length, `${JSON.stringify(d)} ${align ?? ''} from ${start.toISO()}`).toBeGreaterThanOrEqual(lo);
    expect(length, `${JSON.stringify(d)} ${align ?? ''} from ${start.toISO()}`).toBeLessThanOrEqual(hi);
  };

  it('bounds months and years from the first and last day of every month of a 400-year cycle (Luxon)', () => {
    // 1990-2410: the leap centuries 2000 and 2400, and 2100, 2200 and 2300, which are not.
    for (let y = 1990; y < 2410; y++)
      for (let m = 1; m <= 12; m++) {
        const first = DateTime.utc(y, m, 1, 13, 30);
        for (const start of [first, first.endOf('month').set({ hour: 13 })])
          for (const [d, align] of periods) if (!align || y % 7 === 0) within(d, align, start);
      }
  });

  it('bounds days, weeks, hours and months across offset changes, Samoa skipping a day included', () => {
    const spans: Span[] = [
      [{ days: 1 }, undefined],
      [{ days: 1 }, 'day'],
      [{ weeks: 1 }, undefined],
      [{ days: 90 }, undefined],
      [{ hours: 36 }, undefined],
      [{ days: 1, hours: 12 }, undefined],
      [{ months: 1 }, undefined],
      [{ months: 6 }, 'month'],
    ];
    for (const zone of ['Pacific/Apia', 'Europe/Amsterdam', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kolkata'])
      for (let t = DateTime.fromISO('2011-01-01T00:00:00', { zone }); t.year < 2013; t = t.plus({ hours: 11 }))
        for (const [d, align] of spans) within(d, align, t);
  });
});

describe('dueOrder', () => {
  const asOf = DateTime.fromISO('2026-06-15T12:00:00Z');
  const order = (...rules: string[]) => {
    const yaml = `version: 1\nname: o\ntimezone: Europe/Amsterdam\ndatasets:\n  t: { key: id }\nrules:\n${rules.map((r, i) => `  - { id: r${i}, dataset: t, ${r} }\n`).join('')}`;
    return dueOrder(planOf(yaml, asOf).groups)?.map((g) => g.rule.id);
  };

  it.each([
    ['one rule', ['from: at, delete_after: 90 days'], ['r0']],
    [
      'shortest first',
      ['from: at, delete_after: 7 years', 'from: at, delete_after: 90 days', 'from: at, delete_after: 6 months'],
      ['r1', 'r2', 'r0'],
    ],
    ['30 days and 1 month: either may be due first', ['from: at, delete_after: 30 days', 'from: at, delete_after: 1 month'], undefined],
    ['equal periods', ['from: at, delete_after: 90 days', 'from: at, delete_after: P90D'], undefined],
    ['12 months and 1 year', ['from: at, delete_after: 12 months', 'from: at, delete_after: 1 year'], undefined],
    [
      'an alignment that can reach the other',
      ['from: at, delete_after: 1 year, align: year', 'from: at, delete_after: 18 months'],
      undefined,
    ],
    ['an alignment that cannot', ['from: at, delete_after: 1 year, align: month', 'from: at, delete_after: 18 months'], ['r0', 'r1']],
    ['other from columns, overlapping', ['from: at, delete_after: 90 days', 'from: [at, at2], delete_after: 7 years'], undefined],
    [
      'other from columns, disjoint',
      ['from: at, delete_after: 90 days, where: { s: a }', 'from: at2, delete_after: 7 years, where: { s: [b, c] }'],
      ['r0', 'r1'],
    ],
    [
      'disjoint on one column: no order needed',
      ['from: at, delete_after: 30 days, where: { s: a, n: x }', 'from: at, delete_after: 1 month, where: { s: b }'],
      ['r0', 'r1'],
    ],
    [
      'a value in common: overlapping',
      ['from: at, delete_after: 30 days, where: { s: [a, b] }', 'from: at, delete_after: 1 month, where: { s: [b, c] }'],
      undefined,
    ],
    [
      'where on other columns: overlapping',
      ['from: at, delete_after: 30 days, where: { s: a }', 'from: at, delete_after: 1 month, where: { n: a }'],
      undefined,
    ],
  ])('%s', (_what, rules, expected) => {
    expect(order(...rules)).toEqual(expected);
  });
});
