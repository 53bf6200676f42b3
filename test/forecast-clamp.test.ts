import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { Forecast, horizonOf } from '../src/engine/forecast.js';
import { compilePlan } from '../src/engine/plan.js';
import { parsePolicyText } from '../src/policy/load.js';

// Adding months clamps the 29th-31st to February's end and keeps the time of day, so the starts
// due before a cut that is not at midnight are not the starts before one instant: 29 August 18:00
// + 6 months (28 February 18:00) is due after 30 August 06:00 + 6 months. Every half hour of the
// days that clamp, placed by the forecast and by Luxon.
const plan = (asOf: DateTime) => {
  const { policy } = parsePolicyText(
    'version: 1\nname: p\ntimezone: UTC\ndatasets: { t: {} }\nrules:\n  - { id: r, dataset: t, from: a, delete_after: 6 months }\n',
    'p.yaml',
  );
  return compilePlan({ dataset: policy!.datasets.get('t')!, rules: policy!.rules }, asOf);
};
const starts = Array.from({ length: 7 * 48 }, (_, i) =>
  DateTime.fromISO('2026-08-26T00:00:00Z', { zone: 'UTC' }).plus({ minutes: 30 * i }),
);
const due = (s: DateTime) => s.plus({ months: 6 }).toMillis();
const AS_OF = [
  '2027-02-26T11:00:00Z',
  '2027-02-26T12:00:00+01:00',
  '2027-02-26T23:00:00Z',
  '2027-02-26T00:00:00Z',
  '2027-02-26T18:30:00-05:00',
];

describe('forecast cuts near a month-end clamp', () => {
  it.each(AS_OF)('horizon days from %s: each record in the bucket of its own due', (iso) => {
    const asOf = DateTime.fromISO(iso, { setZone: true });
    const h = horizonOf(asOf, { days: 4 });
    if ('error' in h) throw new Error(h.error);
    const f = new Forecast(plan(asOf), h);
    const want = h.starts.map(() => 0);
    let later = 0;
    for (const s of starts) {
      const ms = due(s);
      if (ms <= asOf.toMillis()) continue; // due now: not the forecast's
      f.kept([s.toISO()], true, () => '');
      if (ms >= h.end.toMillis()) later++;
      else want[h.starts.filter((b) => b.toMillis() <= ms).length - 1]++;
    }
    const got = f.finish({ delete: 0, redact: 0, held: 0, invalid: 0 });
    expect([got?.buckets.map((b) => b.delete), got?.later]).toEqual([want, later]);
  });

  it.each(AS_OF)('--due-within 2 days from %s lists the records due before its end and only those', (iso) => {
    const asOf = DateTime.fromISO(iso, { setZone: true });
    const end = asOf.plus({ days: 2 });
    const listed: string[] = [];
    const f = new Forecast(plan(asOf), undefined, { end, onDue: (u) => listed.push(u.key) });
    const want: string[] = [];
    for (const s of starts) {
      const ms = due(s);
      if (ms <= asOf.toMillis()) continue;
      const key = s.toISO() ?? '';
      f.kept([key], true, () => key);
      if (ms < end.toMillis()) want.push(key);
    }
    expect(listed).toEqual(want);
  });
});

describe('forecast cuts where a zone skipped a day', () => {
  it('Samoa, 30 December 2011: each record in the bucket of its own due', () => {
    const zone = 'Pacific/Apia';
    for (const period of ['1 day', '2 weeks', '90 days']) {
      const { policy } = parsePolicyText(
        `version: 1\nname: p\ntimezone: ${zone}\ndatasets: { t: {} }\nrules:\n  - { id: r, dataset: t, from: a, delete_after: ${period} }\n`,
        'p.yaml',
      );
      const ds = { dataset: policy!.datasets.get('t')!, rules: policy!.rules };
      const asOf = DateTime.fromISO('2011-12-27T00:00:00Z').setZone(zone);
      const p = compilePlan(ds, asOf);
      const h = horizonOf(asOf, { days: 4 });
      if ('error' in h) throw new Error(h.error);
      const f = new Forecast(p, h);
      const want = h.starts.map(() => 0);
      let later = 0;
      const duration = ds.rules[0].deleteAfter;
      if (duration?.kind !== 'fixed') throw new Error('fixed period expected');
      const first = asOf.minus(duration.duration).minus({ days: 2 }).toMillis();
      for (let s = first; s < first + 8 * 86_400_000; s += 1_200_000) {
        const ms = DateTime.fromMillis(s, { zone }).plus(duration.duration).toMillis();
        if (ms <= asOf.toMillis()) continue;
        f.kept([new Date(s).toISOString()], true, () => '');
        if (ms >= h.end.toMillis()) later++;
        else want[h.starts.filter((b) => b.toMillis() <= ms).length - 1]++;
      }
      const got = f.finish({ delete: 0, redact: 0, held: 0, invalid: 0 });
      expect([period, got?.buckets.map((b) => b.delete), got?.later]).toEqual([period, want, later]);
    }
  });
});
