import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { decide } from '../src/engine/decide.js';
import type { Decision } from '../src/engine/decision.js';
import { evaluate } from '../src/engine/evaluate.js';
import { compilePlan } from '../src/engine/plan.js';
import { parsePolicyText } from '../src/policy/load.js';
import { policyYaml, value, ZONES } from './helpers/generated.js';
import { rng } from './helpers/random.js';

// The compiled decider must decide exactly as the reference evaluation, on records chosen to
// sit near thresholds: month ends, leap days, DST changes, offsets, empty and broken values.
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
