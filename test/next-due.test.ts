import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { decide } from '../src/engine/decide.js';
import { laterDueBefore, NextDue } from '../src/engine/next-due.js';
import { compilePlan } from '../src/engine/plan.js';
import { parsePolicyText } from '../src/policy/load.js';
import { dues, tracedNextDue } from './helpers/next-due.js';
import { rng } from './helpers/random.js';

// A report's next due is the earliest due among the records not yet due. Adding months clamps
// days 29-31 to the month's end and keeps the time of day, so a later start can be due earlier
// (Jan 30 13:00 + 1 month = Feb 28 13:00, before Jan 29 20:00's Feb 28 20:00); DST gaps and folds
// reorder dues by up to their size. The oracle traces every record with Luxon.

const policy = (zone: string, period: string, align?: string) => {
  const yaml = `version: 1\nname: n\ntimezone: ${zone}\ndatasets:\n  t: { key: id }\nrules:\n  - id: r\n    dataset: t\n    from: at\n    delete_after: ${JSON.stringify(period)}\n${align ? `    align: ${align}\n` : ''}`;
  const { policy: p } = parsePolicyText(yaml, 'n.yaml');
  if (!p) throw new Error(yaml);
  return { dataset: p.datasets.get('t') as NonNullable<ReturnType<typeof p.datasets.get>>, rules: p.rules };
};

describe('next due', () => {
  it('a later start clamped to the same month end is due earlier (the review case)', () => {
    const plan = compilePlan(policy('UTC', '1 month'), DateTime.fromISO('2026-02-18T00:00:00Z', { zone: 'UTC' }));
    const rows = ['2026-01-29T20:00:00Z', '2026-01-30T13:00:00Z', '2025-01-01T00:00:00Z'].map((at, i) => [i, at]);
    const cols = plan.columns;
    const row = (r: unknown[]) => cols.map((c) => (c === 'at' ? r[1] : r[0]));
    for (const order of [rows, [...rows].reverse()]) {
      const next = new NextDue();
      for (const r of order) decide(plan, row(r), { next });
      expect(dues(next)).toEqual(['r 2026-02-28T13:00:00.000Z']);
    }
  });

  it('equals the earliest due of every record traced: month ends, leap days, DST days, in any order', () => {
    const r = rng(5);
    let compared = 0;
    const cases = [
      ['UTC', '1 month', '2026-02-28T10:00:00'],
      ['UTC', '1 month', '2026-02-18T00:00:00'],
      ['Europe/Amsterdam', '6 months', '2026-02-28T23:00:00'],
      ['Europe/Amsterdam', '1 month', '2026-03-29T01:30:00'],
      ['America/New_York', '1 month', '2026-04-30T12:00:00'],
      ['America/New_York', '30 days', '2026-11-01T01:30:00'],
      ['America/New_York', '1 day', '2026-03-08T02:30:00'],
      ['UTC', 'P1Y', '2025-02-28T06:00:00'],
      ['Pacific/Auckland', '1 year and 1 day', '2026-04-05T02:30:00'],
      ['Australia/Lord_Howe', '2 weeks', '2026-04-05T01:45:00'],
      ['Asia/Kolkata', 'P3M', '2026-05-31T00:00:00'],
      ['Europe/Amsterdam', '1 month', '2026-10-25T02:30:00'],
    ] as const;
    for (const [zone, period, at] of cases)
      for (const align of [undefined, undefined, 'day', 'month'] as const)
        for (let k = 0; k < 4; k++) {
          const asOf = DateTime.fromISO(at, { zone }).plus({ hours: r.int(-30, 30) * 4 });
          const plan = compilePlan(policy(zone, period, align), asOf);
          const cut = plan.groups[0]?.terms[0]?.fixed?.cut as number;
          const rows: unknown[][] = [];
          // Starts around a point up to 40 days after the cut (none nearer the cut: the earliest
          // pending start is then no longer the one with the earliest due), some sharing an instant.
          const around = cut + r.int(-1, 40) * 86_400_000;
          for (let i = 0; i < 120; i++) {
            const ms =
              r.chance(0.1) && rows.length
                ? Date.parse(String(rows[r.int(0, rows.length - 1)]?.[1]))
                : around + r.int(-2 * 86_400, 4 * 86_400) * 1000;
            rows.push([i, new Date(ms).toISOString()]);
          }
          const row = (x: unknown[]) => plan.columns.map((c) => (c === 'at' ? x[1] : x[0]));
          const traced = tracedNextDue(plan);
          for (const x of rows) traced.add(row(x));
          const want = traced.dues();
          for (const order of [rows, [...rows].reverse(), [...rows].sort((a, b) => String(a[1]).localeCompare(String(b[1])))]) {
            const next = new NextDue();
            for (const x of order) decide(plan, row(x), { next });
            expect(dues(next), JSON.stringify({ zone, period, align, asOf: asOf.toISO() })).toEqual(want);
            compared++;
          }
        }
    expect(compared).toBe(12 * 4 * 4 * 3);
  });
  it('a record whose later from column the fast reader cannot read is traced with its whole start', () => {
    const yaml =
      'version: 1\nname: n\ntimezone: UTC\ndatasets:\n  t: { key: id }\nrules:\n  - id: r\n    dataset: t\n    from: [a, b]\n    delete_after: 1 month\n';
    const { policy: p } = parsePolicyText(yaml, 'n.yaml');
    if (!p) throw new Error(yaml);
    const plan = compilePlan(
      { dataset: p.datasets.get('t') as never, rules: p.rules },
      DateTime.fromISO('2023-01-31T00:00:00Z', { zone: 'UTC' }),
    );
    const row = (id: number, a: string, b: string) => plan.columns.map((c) => (c === 'a' ? a : c === 'b' ? b : id));
    // Four digits of fraction: not a shape the fast reader knows; its due (Feb 28 13:00) is the earlier.
    const rows = [row(1, '2023-01-29T20:00:00Z', '2023-01-29T20:00:00Z'), row(2, '2023-01-29T20:00:00Z', '2023-01-30T13:00:00.0000Z')];
    for (const order of [rows, [...rows].reverse()]) {
      const next = new NextDue();
      for (const r of order) decide(plan, r, { next });
      expect(dues(next)).toEqual(['r 2023-02-28T13:00:00.000Z']);
    }
  });

  it('laterDueBefore: no start after the least one is due earlier outside the window it gives', () => {
    const zones = ['Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'UTC'];
    const periods = [
      { months: 1 },
      { years: 1 },
      { years: 1, days: 1 },
      { months: 1, days: 2, hours: 3 },
      { days: 1 },
      { days: 1, hours: 12 },
      { months: 1, hours: 30 },
      { days: 7, hours: 30 },
    ];
    const r = rng(9);
    let checked = 0;
    for (const zone of zones) {
      // Instants where the offset changes, and month ends: where dues stop rising with the start.
      const points: number[] = [];
      let prev: number | undefined;
      for (let ms = Date.parse('2025-06-01T00:00:00Z'); ms < Date.parse('2026-12-31T00:00:00Z'); ms += 1_800_000) {
        const o = DateTime.fromMillis(ms, { zone }).offset;
        if (prev !== undefined && o !== prev) points.push(ms);
        prev = o;
      }
      for (let m = 1; m <= 12; m++) points.push(DateTime.fromObject({ year: 2026, month: m, day: 28 }, { zone }).toMillis());
      for (const duration of periods) {
        const term = { rule: { timezone: zone }, period: { kind: 'fixed', duration } } as never;
        for (let k = 0; k < 30; k++) {
          const p = r.pick(points);
          // The start near the point, the due near it, or the due's wall clock (before the hours) near it.
          const at = DateTime.fromMillis(p, { zone });
          const near = r.pick([
            p,
            at.minus(duration).toMillis(),
            at
              .minus(duration)
              .plus({ hours: duration.hours ?? 0 })
              .toMillis(),
          ]);
          const spread = r.chance(0.5) ? 3 * 3600 : 86_400;
          const least = Math.round((near + r.int(-spread, spread) * 1000) / 300_000) * 300_000;
          const due = DateTime.fromMillis(least, { zone }).plus(duration).toMillis();
          const end = laterDueBefore(term, least, null);
          for (let s = end ?? least + 1; s < (end ?? least) + 3 * 86_400_000; s += 900_000) {
            const later = DateTime.fromMillis(s, { zone }).plus(duration).toMillis();
            if (later < due)
              expect.fail(
                `${zone} ${JSON.stringify(duration)}: least ${new Date(least).toISOString()}, window end ${end}, later ${new Date(s).toISOString()} due earlier`,
              );
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50_000);
  });
});
