import { join } from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { DatasetRules } from '../src/engine/evaluate.js';
import { evaluate } from '../src/engine/evaluate.js';
import { Forecast, horizonOf, nextAction } from '../src/engine/forecast.js';
import { compilePlan } from '../src/engine/plan.js';
import { parsePolicyText } from '../src/policy/load.js';
import { cli, csvText, logText, spawnCli, sqliteTable, tempDir, write } from './helpers/cli.js';
import { policyYaml, value, ZONES } from './helpers/generated.js';
import { describePg, pgDatabase, sql } from './helpers/pg.js';
import { rng } from './helpers/random.js';

/**
 * The oracle of a kept record's next due, from SPEC §2 alone: the decision at each later instant
 * where any of its terms falls due (a next due can only be one of them), the first that is not keep.
 */
function oracle(ds: DatasetRules, get: (c: string) => unknown, asOf: DateTime, deletable = true) {
  const tr = evaluate(ds, get, asOf, { deletable });
  const times = [...new Set(tr.terms.flatMap((t) => (t.due && t.due > asOf ? [t.due.toMillis()] : [])))].sort((a, b) => a - b);
  for (const ms of times) {
    const d = evaluate(ds, get, DateTime.fromMillis(ms, { zone: asOf.zone }), { deletable }).decision;
    if (d.action !== 'keep') return { ms, action: d.action, rule: d.rule.id };
  }
  return tr.terms.some((t) => !t.due) ? 'not-started' : 'never';
}

/** The bucket an instant falls in, found by walking the boundaries: [start, next start). */
function bucketOf(starts: readonly DateTime[], end: DateTime, ms: number): number | 'later' {
  if (ms >= end.toMillis()) return 'later';
  for (let i = starts.length - 1; i >= 0; i--) if (starts[i].toMillis() <= ms) return i;
  throw new Error('before asOf');
}

describe('horizon buckets', () => {
  const asOf = DateTime.fromISO('2026-03-25T10:00:00', { zone: 'Europe/Amsterdam' });
  it.each([
    ['7 days', 'day', 7, '2026-04-01T10:00:00.000+02:00', '2026-03-31T10:00:00.000+02:00'],
    ['31 days', 'day', 31, '2026-04-25T10:00:00.000+02:00', '2026-04-24T10:00:00.000+02:00'],
    ['1 month', 'day', 31, '2026-04-25T10:00:00.000+02:00', '2026-04-24T10:00:00.000+02:00'],
    ['32 days', 'week', 5, '2026-04-26T10:00:00.000+02:00', '2026-04-22T10:00:00.000+02:00'],
    ['13 weeks', 'week', 13, '2026-06-24T10:00:00.000+02:00', '2026-06-17T10:00:00.000+02:00'],
    ['6 months', 'week', 27, '2026-09-25T10:00:00.000+02:00', '2026-09-23T10:00:00.000+02:00'],
    ['PT12H', 'day', 1, '2026-03-25T22:00:00.000+01:00', '2026-03-25T10:00:00.000+01:00'],
  ])('%s: %s buckets, %i of them, until %s, the last from %s', (text, unit, n, end, last) => {
    const p = parsePolicyText(
      `version: 1\nname: p\ndatasets: { t: {} }\nrules:\n  - { id: r, dataset: t, from: a, delete_after: ${text} }\n`,
      'p.yaml',
    ).policy?.rules[0].deleteAfter;
    if (p?.kind !== 'fixed') throw new Error('period');
    const h = horizonOf(asOf, p.duration);
    if ('error' in h) throw new Error(h.error);
    expect([h.unit, h.starts.length, h.end.toISO(), h.starts.at(-1)?.toISO()]).toEqual([unit, n, end, last]);
  });
  it('days across a DST change are calendar days (the 29th of March has 23 hours)', () => {
    const h = horizonOf(asOf, { days: 7 });
    if ('error' in h) throw new Error(h.error);
    expect(h.starts.map((s) => s.toFormat('dd HH:mm ZZ'))).toEqual([
      '25 10:00 +01:00',
      '26 10:00 +01:00',
      '27 10:00 +01:00',
      '28 10:00 +01:00',
      '29 10:00 +02:00',
      '30 10:00 +02:00',
      '31 10:00 +02:00',
    ]);
  });
  it('refuses a horizon of nothing, or of more than 1000 buckets', () => {
    expect(horizonOf(asOf, { days: 0 })).toEqual({ error: 'the horizon must be longer than 0' });
    expect(horizonOf(asOf, { years: 20 })).toEqual({ error: 'the horizon is longer than 1000 weeks' });
  });
});

describe('forecast agrees with SPEC §2 looked ahead', () => {
  it('on generated records over random policies: each kept record lands in the bucket of its own next due', () => {
    const r = rng(12);
    let compared = 0;
    let bucketed = 0;
    const seen = new Set<string>();
    for (let p = 0; p < 80; p++) {
      const zone = r.pick(ZONES);
      const fmt = r.pick(['iso', 'iso', 'iso', 'unix', 'unix_ms']);
      const { policy } = parsePolicyText(policyYaml(r, zone, fmt), 'gen.yaml');
      if (!policy) continue;
      const ds = { dataset: policy.datasets.get('t')!, rules: policy.rules };
      const asOf = DateTime.fromISO(r.pick(['2026-03-25T02:30:00', '2026-10-20T00:00:00', '2024-02-20T00:00:00', '2026-11-24T00:00:00']), {
        zone,
      }).plus({ minutes: r.int(-90, 90) });
      const plan = compilePlan(ds, asOf);
      const horizon = horizonOf(asOf, r.pick([{ weeks: 13 }, { days: 10 }, { months: 8 }, { years: 2 }]));
      if ('error' in horizon) throw new Error(horizon.error);
      const forecast = new Forecast(plan, horizon);
      const want = horizon.starts.map(() => new Map<string, number>());
      let later = 0;
      const apart = { 'not-started': 0, never: 0 };
      for (let i = 0; i < 100; i++) {
        const rec: Record<string, unknown> = {
          id: i,
          h: r.pick([0, 0, 0, 0, 1, '']),
          kind: r.pick(['x', 'y', 'z', null, 'x', 'y']),
          // Starts from long ago to a year ahead of asOf, so that dues fall all over the horizon.
          a: value(r, asOf.plus({ months: r.int(0, 14) }), fmt),
          b: value(r, asOf.plus({ months: r.int(0, 14) }), fmt),
          c1: r.pick(['v', '', null]),
          c2: r.pick(['w', null]),
          days: r.pick([null, '', 0, 10, 31, '45', 365]),
        };
        const get = (c: string) => rec[c];
        const tr = evaluate(ds, get, asOf);
        if (tr.decision.action !== 'keep' || tr.decision.reason === 'held' || tr.decision.reason === 'invalid') continue;
        const row = plan.columns.map((c) => rec[c]);
        const label = JSON.stringify({ rec, asOf: asOf.toISO(), rules: policy.rules.map((x) => x.id) });
        const want1 = oracle(ds, get, asOf);
        const got1 = nextAction(plan, row);
        expect(typeof got1 === 'string' ? got1 : { ms: got1.at.toMillis(), action: got1.action, rule: got1.rule.id }, label).toEqual(want1);
        // A record other rows still refer to is never deleted: only a redaction is ahead of it.
        const want2 = oracle(ds, get, asOf, false);
        const got2 = nextAction(plan, row, false);
        expect(typeof got2 === 'string' ? got2 : { ms: got2.at.toMillis(), action: got2.action, rule: got2.rule.id }, label).toEqual(want2);
        forecast.kept(row, true, () => String(i));
        compared++;
        if (typeof want1 === 'string') {
          apart[want1]++;
          seen.add(want1);
          continue;
        }
        seen.add(want1.action);
        const b = bucketOf(horizon.starts, horizon.end, want1.ms);
        if (b === 'later') later++;
        else {
          const k = `${want1.action} ${want1.rule}`;
          want[b].set(k, (want[b].get(k) ?? 0) + 1);
          bucketed++;
        }
      }
      const got = forecast.finish({ delete: 1, redact: 2, held: 3, invalid: 4 });
      expect(got?.buckets.map((b) => b.start)).toEqual(horizon.starts.map((s) => s.toISO()));
      const perRule = got?.buckets.map((b) => {
        const m = new Map<string, number>();
        for (const x of b.rules) for (const a of ['delete', 'redact'] as const) if (x[a]) m.set(`${a} ${x.rule}`, x[a]);
        return m;
      });
      expect(perRule).toEqual(want);
      for (const b of got?.buckets ?? [])
        for (const a of ['delete', 'redact'] as const) expect(b[a]).toBe(b.rules.reduce((n, x) => n + x[a], 0));
      expect([got?.later, got?.notStarted, got?.never]).toEqual([later, apart['not-started'], apart.never]);
      expect([got?.due, got?.held, got?.invalid]).toEqual([{ delete: 1, redact: 2 }, 3, 4]);
    }
    expect(compared).toBeGreaterThan(2000);
    expect(bucketed).toBeGreaterThan(300);
    expect([...seen].sort()).toEqual(['delete', 'never', 'not-started', 'redact']);
  }, 300_000);

  it('a due exactly at a bucket boundary is in the later bucket; a due at the horizon is later', () => {
    const { policy } = parsePolicyText(
      'version: 1\nname: p\ntimezone: UTC\ndatasets: { t: {} }\nrules:\n  - { id: r, dataset: t, from: a, delete_after: 7 days }\n',
      'p.yaml',
    );
    const asOf = DateTime.fromISO('2026-01-01T00:00:00Z', { zone: 'UTC' });
    const plan = compilePlan({ dataset: policy!.datasets.get('t')!, rules: policy!.rules }, asOf);
    const h = horizonOf(asOf, { days: 3 });
    if ('error' in h) throw new Error(h.error);
    const f = new Forecast(plan, h);
    // Dues: 1 ms after asOf, the start of day 2 and 1 ms before it, the horizon's end.
    for (const due of ['2026-01-01T00:00:00.001Z', '2026-01-02T00:00:00.000Z', '2026-01-01T23:59:59.999Z', '2026-01-04T00:00:00Z'])
      f.kept([DateTime.fromISO(due).minus({ days: 7 }).toISO()], true, () => due);
    const got = f.finish({ delete: 0, redact: 0, held: 0, invalid: 0 });
    expect(got?.buckets.map((b) => b.delete)).toEqual([2, 1, 0]);
    expect(got?.later).toBe(1);
  });
});

// One dataset read by every source: SQLite, CSV and (with RETENTION_TEST_PG) PostgreSQL give the
// forecast the engine gives the same records, through the CLI's JSON and CSV.
const POLICY = `version: 1
name: shop
timezone: Europe/Amsterdam
datasets:
  orders: { key: id, hold: hold }
rules:
  - { id: details, dataset: orders, from: placed_at, redact_after: 3 months, redact: [address] }
  - { id: orders, dataset: orders, from: placed_at, delete_after: 1 year }
  - { id: fiscal, dataset: orders, from: [placed_at, paid_at], keep_for: 10 months }
  - { id: fraud, dataset: orders, where: { flag: fraud }, from: placed_at, delete_after: 30 weeks }
`;
const AS_OF = '2026-11-24T00:00:00+01:00';

function orders(): Record<string, unknown>[] {
  const r = rng(5);
  const asOf = DateTime.fromISO(AS_OF, { zone: 'Europe/Amsterdam' });
  const rows: Record<string, unknown>[] = [];
  for (let i = 1; i <= 800; i++) {
    const placed = asOf.minus({ minutes: r.int(0, 60 * 24 * 420) });
    rows.push({
      id: i,
      placed_at: r.chance(0.03) ? r.pick(['', 'soon', '2026-02-30']) : placed.toFormat('yyyy-MM-dd HH:mm:ss'),
      paid_at: r.chance(0.05) ? '' : placed.plus({ days: r.int(0, 40) }).toISO(),
      address: r.pick(['Main St 1', '', 'Dorpsstraat 2']),
      flag: r.pick(['', '', '', 'fraud']),
      hold: r.chance(0.02) ? 'yes' : '',
    });
  }
  return rows;
}

function engineForecast(rows: Record<string, unknown>[], horizon: { weeks: number }) {
  const { policy } = parsePolicyText(POLICY, 'shop.yaml');
  const ds = { dataset: policy!.datasets.get('orders')!, rules: policy!.rules };
  const asOf = DateTime.fromISO(AS_OF, { zone: 'Europe/Amsterdam' });
  const h = horizonOf(asOf, horizon);
  if ('error' in h) throw new Error(h.error);
  const buckets = h.starts.map(() => ({ delete: 0, redact: 0 }));
  const counts = { later: 0, notStarted: 0, never: 0, held: 0, invalid: 0, delete: 0, redact: 0 };
  for (const rec of rows) {
    const get = (c: string) => rec[c];
    const d = evaluate(ds, get, asOf).decision;
    if (d.action !== 'keep') counts[d.action]++;
    else if (d.reason === 'held' || d.reason === 'invalid') counts[d.reason]++;
    else {
      const next = oracle(ds, get, asOf);
      if (next === 'not-started') counts.notStarted++;
      else if (next === 'never') counts.never++;
      else {
        const b = bucketOf(h.starts, h.end, next.ms);
        if (b === 'later') counts.later++;
        else buckets[b][next.action as 'delete' | 'redact']++;
      }
    }
  }
  return { buckets, ...counts };
}

function summary(json: string) {
  const f = JSON.parse(json).datasets[0].forecast;
  return {
    buckets: f.buckets.map((b: { delete: number; redact: number }) => ({ delete: b.delete, redact: b.redact })),
    later: f.later,
    notStarted: f.notStarted,
    never: f.never,
    held: f.held,
    invalid: f.invalid,
    delete: f.due.delete,
    redact: f.due.redact,
  };
}

describe('report --horizon on every source', () => {
  const dir = tempDir();
  const policy = write(dir, 'shop.yaml', POLICY);
  const rows = orders();
  const want = engineForecast(rows, { weeks: 13 });
  const db = sqliteTable(join(dir, 'shop.db'), 'orders', rows);
  const csv = write(dir, 'orders.csv', csvText(rows));

  it('SQLite and CSV: the engine forecast, in JSON and CSV', async () => {
    expect(want.buckets.filter((b) => b.delete > 0).length).toBeGreaterThan(5);
    expect(want.buckets.filter((b) => b.redact > 0).length).toBeGreaterThan(5);
    expect(Math.min(want.notStarted, want.held, want.invalid, want.later)).toBeGreaterThan(0);
    for (const source of [db, csv]) {
      const r = await cli([
        'report',
        '--policy',
        policy,
        '--source',
        source,
        '--as-of',
        AS_OF,
        '--format',
        'json',
        '--horizon',
        '13',
        'weeks',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(summary(r.stdout), source).toEqual(want);
      const ds = JSON.parse(r.stdout).datasets[0];
      expect(ds.forecast.bucket).toBe('week');
      expect(ds.forecast.horizon).toBe('2027-02-23T00:00:00.000+01:00');
      const c = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'csv', '--horizon', 'P13W']);
      const lines = c.stdout.trim().split('\n');
      expect(lines[0]).toBe('dataset,policy,rule,bucket,start,end,delete,redact,records');
      const weeks = lines.filter((l) => /^orders,,,week,/.test(l)).map((l) => l.split(',').slice(6, 8).map(Number));
      expect(weeks).toEqual(want.buckets.map((b) => [b.delete, b.redact]));
      expect(lines).toContain(`orders,,,not-started,,,,,${want.notStarted}`);
      expect(lines).toContain(`orders,,,later,2027-02-23T00:00:00.000+01:00,,,,${want.later}`);
    }
  });

  it('without --horizon the JSON has no forecast; a bad horizon is wrong usage', async () => {
    const r = await cli(['report', '--policy', policy, '--source', db, '--as-of', AS_OF, '--format', 'json']);
    expect(JSON.parse(r.stdout).datasets[0].forecast).toBeUndefined();
    const bad = await cli(['report', '--policy', policy, '--source', db, '--as-of', AS_OF, '--horizon', '13', 'fortnights']);
    expect(bad.code).toBe(2);
    expect(logText(bad.stderr)).toMatch(/--horizon: "13 fortnights" is not a valid period/);
    const zero = await cli(['report', '--policy', policy, '--source', db, '--as-of', AS_OF, '--horizon', '0', 'days']);
    expect([zero.code, logText(zero.stderr).split('\n')[0]]).toEqual([2, '--horizon: the horizon must be longer than 0']);
  });

  it('--due-within 7 days --records lists the records that become due in the window; --fail-if-due-within exits 4', async () => {
    const { policy: pol } = parsePolicyText(POLICY, 'shop.yaml');
    const ds = { dataset: pol!.datasets.get('orders')!, rules: pol!.rules };
    const asOf = DateTime.fromISO(AS_OF, { zone: 'Europe/Amsterdam' });
    const end = asOf.plus({ days: 7 }).toMillis();
    const soon: { key: string; action: string; rule: string; due: number }[] = [];
    for (const rec of rows) {
      const d = evaluate(ds, (c) => rec[c], asOf).decision;
      if (d.action !== 'keep' || d.reason === 'held' || d.reason === 'invalid') continue;
      const next = oracle(ds, (c) => rec[c], asOf);
      if (typeof next !== 'string' && next.ms < end) soon.push({ key: String(rec.id), action: next.action, rule: next.rule, due: next.ms });
    }
    expect(soon.length).toBeGreaterThan(3);
    const args = ['report', '--policy', policy, '--source', db, '--as-of', AS_OF];
    const j = await cli([...args, '--format', 'json', '--due-within', '7', 'days', '--records']);
    const doc = JSON.parse(j.stdout);
    expect(
      doc.upcoming.map((x: { key: string; action: string; rule: string; due: string; dataset: string }) => ({
        key: x.key,
        action: x.action,
        rule: x.rule,
        due: Date.parse(x.due),
      })),
    ).toEqual(soon);
    expect(doc.records.length).toBe(want.delete + want.redact);
    const counts = { delete: soon.filter((x) => x.action === 'delete').length, redact: soon.filter((x) => x.action === 'redact').length };
    expect(doc.datasets[0].dueWithin).toEqual({ until: '2026-12-01T00:00:00.000+01:00', ...counts });
    const t = await cli([...args, '--due-within', '7 days', '--records']);
    expect(t.stdout).toContain(
      `orders: ${counts.delete} become due for deletion and ${counts.redact} for redaction before 2026-12-01T00:00:00.000+01:00`,
    );
    for (const x of soon) expect(t.stdout).toContain(`  orders  ${x.key}  shop/${x.rule}  `);
    const c = await cli([...args, '--format', 'csv', '--due-within', 'P7D', '--records']);
    expect(c.stdout.trim().split('\n')).toEqual([
      'dataset,key,action,policy,rule,due',
      ...soon.map((x) => `orders,${x.key},${x.action},shop,${x.rule},${DateTime.fromMillis(x.due, { zone: 'Europe/Amsterdam' }).toISO()}`),
    ]);
    // Exit 4 only for --fail-if-due-within: a window with something due in it, or records due now.
    const failing = spawnCli([...args, '--fail-if-due-within', '7', 'days', '--log-level', 'silent']);
    expect([failing.code, failing.stderr]).toEqual([4, '']);
    expect(spawnCli([...args, '--due-within', '7', 'days', '--log-level', 'silent']).code).toBe(0);
    // Nothing due now, nothing in the window: exit 0. Records due in 6 days: exit 4 at 7 days, 0 at 5.
    const quiet = sqliteTable(join(tempDir(), 'q.db'), 'orders', [
      { id: 1, placed_at: asOf.minus({ years: 1 }).plus({ days: 6 }).toISO(), paid_at: '2020-01-01', address: '', flag: '', hold: '' },
    ]);
    const q = ['report', '--policy', policy, '--source', quiet, '--as-of', AS_OF, '--log-level', 'silent'];
    expect(spawnCli([...q, '--fail-if-due-within', '5 days']).code).toBe(0);
    expect(spawnCli([...q, '--fail-if-due-within', '7 days']).code).toBe(4);
    const two = await cli([...q.slice(0, -2), '--due-within', '7 days', '--fail-if-due-within', '5 days']);
    expect([two.code, logText(two.stderr).split('\n')[0]]).toEqual([
      2,
      '--due-within 7 days and --fail-if-due-within 5 days name two windows; give one, or the same',
    ]);
  });

  describePg('PostgreSQL', () => {
    it('the same forecast as the engine (kept rows routed to it)', async () => {
      const url = await pgDatabase();
      await sql(url, 'CREATE TABLE orders (id int PRIMARY KEY, placed_at text, paid_at timestamptz, address text, flag text, hold text)');
      for (const row of rows)
        await sql(url, 'INSERT INTO orders VALUES ($1, $2, $3, $4, $5, $6)', [
          row.id,
          row.placed_at,
          row.paid_at === '' ? null : row.paid_at,
          row.address,
          row.flag,
          row.hold,
        ]);
      const r = await cli(['report', '--policy', policy, '--source', url, '--as-of', AS_OF, '--format', 'json', '--horizon', '13 weeks']);
      expect(r.code, r.stderr).toBe(0);
      expect(summary(r.stdout)).toEqual(want);
    });
  });
});
