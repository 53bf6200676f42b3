import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { decide } from '../src/engine/decide.js';
import type { Decision } from '../src/engine/decision.js';
import { evaluate } from '../src/engine/evaluate.js';
import { compilePlan } from '../src/engine/plan.js';
import { parsePolicyText } from '../src/policy/load.js';
import { rng } from './helpers/random.js';

// The compiled decider must decide exactly as the reference evaluation, on records chosen to
// sit near thresholds: month ends, leap days, DST changes, offsets, empty and broken values.
const ZONES = ['Europe/Amsterdam', 'UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland'];
const PERIODS = ['1 month', '6 months', '90 days', 'P1Y', '7 years', 'PT12H', '2 weeks', '0 days', '1 year and 1 day', 'P3M'];

function policyYaml(r: ReturnType<typeof rng>, zone: string, fmt: string): string {
  const rules: string[] = [];
  const n = r.int(1, 4);
  for (let i = 0; i < n; i++) {
    const from = r.chance(0.2) ? '[a, b]' : r.pick(['a', 'b']);
    const lines = [`  - id: r${i}`, '    dataset: t', `    from: ${from}`];
    if (r.chance(0.3)) lines.push(`    where: { kind: ${r.chance(0.5) ? 'x' : '[x, y]'} }`);
    if (r.chance(0.2)) lines.push(`    align: ${r.pick(['day', 'month', 'year'])}`);
    const k = r.int(0, 3);
    if (k === 0 || k === 3)
      lines.push(
        `    delete_after: ${r.chance(0.2) ? `{ column: days, unit: days${r.chance(0.5) ? ', default: 30 days' : ''} }` : JSON.stringify(r.pick(PERIODS))}`,
      );
    if (k === 1) lines.push(`    redact_after: ${JSON.stringify(r.pick(PERIODS))}`, '    redact: [c1, c2]');
    if (k === 2) lines.push(`    keep_for: ${JSON.stringify(r.pick(PERIODS))}`);
    if (k === 3) {
      lines.length = 3;
      lines.push(`    delete_after: ${JSON.stringify(r.pick(PERIODS))}`);
    }
    rules.push(lines.join('\n'));
  }
  return `version: 1\nname: p\ntimezone: ${zone}\ndatasets:\n  t: { key: id, hold: h, timestamps: ${fmt} }\nrules:\n${rules.join('\n')}\n`;
}

function value(r: ReturnType<typeof rng>, asOf: DateTime, fmt: string): unknown {
  if (r.chance(0.05)) return r.pick([null, '', ' ', 'garbage', '2021-02-30', '2021-13-01T00:00:00Z', '31-02-2021']);
  const back = r.pick([
    { months: r.int(0, 90) },
    { days: r.int(0, 400) },
    { hours: r.int(0, 48) },
    { years: r.int(0, 8), months: r.int(0, 11) },
  ]);
  let t = asOf.minus(back).plus({ minutes: r.int(-3000, 3000) });
  if (r.chance(0.2)) t = t.endOf('month').startOf('minute');
  if (r.chance(0.1)) t = t.set({ month: 2, day: 29 }).isValid ? t.set({ month: 2, day: r.int(28, 29) }) : t;
  if (fmt === 'unix') return r.chance(0.5) ? Math.floor(t.toSeconds()) : String(Math.floor(t.toSeconds()));
  if (fmt === 'unix_ms') return t.toMillis();
  const z = t.setZone(r.pick(['UTC', '+05:30', 'Europe/Amsterdam', '-08:00']));
  return r.pick([
    z.toISO(),
    z.toISO({ suppressMilliseconds: true }),
    t.toFormat('yyyy-MM-dd HH:mm:ss'),
    t.toISODate(),
    t.toFormat("yyyy-MM-dd'T'HH:mm"),
    t.toUTC().toISO(),
    t.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS"),
  ]);
}

describe('compiled decider agrees with the reference evaluation', () => {
  it('on 40,000 generated records over random policies', () => {
    const r = rng(42);
    let compared = 0,
      referencedDeletes = 0;
    for (let p = 0; p < 300; p++) {
      const zone = r.pick(ZONES);
      const fmt = r.pick(['iso', 'iso', 'iso', 'unix', 'unix_ms']);
      const { policy, problems } = parsePolicyText(policyYaml(r, zone, fmt), 'gen.yaml');
      if (!policy) {
        expect(problems.length).toBeGreaterThan(0);
        continue;
      }
      const ds = { dataset: policy.datasets.get('t')!, rules: policy.rules };
      const asOf = DateTime.fromISO(
        r.pick([
          '2026-03-29T02:30:00',
          '2026-10-25T02:30:00',
          '2024-02-29T00:00:00',
          '2026-01-31T23:59:59',
          '2026-11-24T00:00:00',
          '2025-03-31T12:00:00',
          '2026-05-31T00:00:00',
          '2026-03-31T00:00:00',
          '2026-03-01T00:00:00',
          '2026-07-15T10:00:00',
          '2026-12-31T23:00:00',
        ]),
        { zone },
      ).plus({ minutes: r.int(-90, 90) });
      const plan = compilePlan(ds, asOf);
      for (let i = 0; i < 200; i++) {
        const rec: Record<string, unknown> = {
          id: i,
          h: r.pick([0, 0, 0, 0, 1, '', 'yes', 'maybe', null]),
          kind: r.pick(['x', 'y', 'z', null, 'x', 'y', Buffer.from('x')]),
          a: value(r, asOf, fmt),
          b: value(r, asOf, fmt),
          c1: r.pick(['v', '', null]),
          c2: r.pick(['w', null]),
          days: r.pick([null, '', 0, 10, 31, '45', 'x', -1, 365]),
        };
        const row = plan.columns.map((c) => rec[c]);
        const fast = decide(plan, row);
        const ref = evaluate(ds, (c) => rec[c], asOf).decision;
        const summary = (d: Decision) => ({
          action: d.action,
          reason: d.reason,
          rule: d.rule?.id,
          columns: d.action === 'redact' ? d.columns : undefined,
        });
        expect(summary(fast), JSON.stringify({ rec, asOf: asOf.toISO(), rules: policy.rules.map((x) => x.id) })).toEqual(summary(ref));
        compared++;
        // A record other rows still refer to (SQLite foreign keys): no deletion, the rest as usual.
        const fastRef = decide(plan, row, { deletable: false });
        const refRef = evaluate(ds, (c) => rec[c], asOf, { deletable: false }).decision;
        expect(summary(fastRef), `referenced: ${JSON.stringify({ rec, asOf: asOf.toISO() })}`).toEqual(summary(refRef));
        if (ref.action === 'delete') {
          expect(fastRef.action).not.toBe('delete');
          referencedDeletes++;
        }
      }
    }
    expect(compared).toBeGreaterThan(20_000);
    expect(referencedDeletes).toBeGreaterThan(1000);
  });
});
