import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { combineDatasets } from '../src/app/combine.js';
import { decide } from '../src/engine/decide.js';
import type { Decision } from '../src/engine/decision.js';
import { laterDueBefore, NextDue } from '../src/engine/next-due.js';
import { compilePlan, type DatasetPlan } from '../src/engine/plan.js';
import { Tally } from '../src/engine/tally.js';
import { threshold } from '../src/engine/threshold.js';
import { parseTimestamp } from '../src/engine/timestamp.js';
import { parsePolicyText } from '../src/policy/load.js';
import { PostgresSource } from '../src/sources/postgres/pg-source.js';
import { zoneDifference } from '../src/sources/postgres/zone-check.js';
import { withFacts } from '../src/sources/row-decision.js';
import type { Acted, Request, Sink } from '../src/sources/source.js';
import { SqliteSource } from '../src/sources/sqlite/sqlite-source.js';
import { tempDir } from './helpers/cli.js';
import { PERIODS, policyYaml, value, ZONES } from './helpers/generated.js';
import { dues, tracedNextDue } from './helpers/next-due.js';
import { describePg, pgDatabase, sql } from './helpers/pg.js';
import { rng } from './helpers/random.js';

// SPEC §2 decided in PostgreSQL must be the engine's decision, record by record: the same
// generated records (month ends, leap days, DST days, boundary seconds, unreadable values, holds,
// where, from lists, per-record periods) in tables whose columns have the types an operator's
// tables have, decided in SQL and by the engine on the values as this source reads them; and,
// for text columns, the same as the SQLite source decides them.

type Kind = 'text' | 'timestamptz' | 'timestamp' | 'date' | 'bigint' | 'int' | 'bool';

interface Shape {
  readonly a: Kind;
  readonly b: Kind;
  readonly h: 'int' | 'bool' | 'text';
  readonly days: 'int' | 'text';
}

const AS_OFS = [
  '2026-03-29T02:30:00',
  '2026-10-25T02:30:00',
  '2024-02-29T00:00:00',
  '2026-01-31T23:59:59',
  '2026-11-24T00:00:00',
  '2026-03-31T00:00:00',
];

/** A value for a column of this type, from what the generator made (text, numbers, empty, broken). */
function typed(v: unknown, kind: Kind, zone: string): unknown {
  if (kind === 'text') return v === null ? null : String(v);
  if (kind === 'bigint') return typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v)) ? String(v) : null;
  const t = parseTimestamp(v, { kind: 'iso' }, zone);
  if (!t) return null;
  if (kind === 'timestamptz') return t.toISO();
  if (kind === 'timestamp') return t.toFormat('yyyy-MM-dd HH:mm:ss.SSS');
  return t.toISODate();
}

function holdValue(r: ReturnType<typeof rng>, kind: Shape['h']): unknown {
  if (kind === 'int') return r.pick([0, 0, 0, 0, 1, null, 2]);
  if (kind === 'bool') return r.pick([false, false, false, true, null]);
  return r.pick(['0', '', 'no', 'no', null, 'yes', 'YES ', 'maybe', 'j\u00e4', '\u00a0y']);
}

/** What a source sends and counts, as comparable data. */
function listen() {
  const acted: string[] = [];
  const sink: Sink = {
    act: (a: Acted) =>
      acted.push(
        `${a.key()} ${a.decision.action} ${a.decision.rule.id}${a.decision.action === 'redact' ? ` ${[...a.decision.columns].sort().join('+')}` : ''}`,
      ),
  };
  return { acted, sink };
}

/** Each rule's next due as the source finds it, and as tracing every row it reads with Luxon gives it. */
async function nextDues(source: PostgresSource, plan: DatasetPlan): Promise<{ want: string[]; got: NextDue }> {
  const want = tracedNextDue(plan);
  await source.rows(plan, { mode: 'read', others: new Map([['t', plan]]) }, (row) => want.add(row.values));
  const got = new NextDue();
  await source.evaluate(plan, { mode: 'read', others: new Map([['t', plan]]), next: got }, listen().sink);
  return { want: want.dues(), got };
}

describePg('PostgreSQL decides as the engine does', () => {
  let base: string;
  beforeAll(async () => {
    base = await pgDatabase();
  });

  it('on generated records over random policies, at several instants: report, dry-run records and purge', async () => {
    const r = rng(7);
    let compared = 0;
    let viaSql = 0;
    for (let p = 0; p < 45; p++) {
      const zone = r.pick(ZONES);
      const fmt = r.pick(['iso', 'iso', 'iso', 'unix', 'unix_ms']);
      const { policy } = parsePolicyText(policyYaml(r, zone, fmt), 'gen.yaml');
      if (!policy) continue;
      const iso = fmt === 'iso';
      const shape: Shape = {
        a: iso ? r.pick(['text', 'text', 'timestamptz', 'timestamp', 'date'] as const) : r.pick(['bigint', 'text'] as const),
        b: iso ? r.pick(['text', 'timestamptz', 'timestamp'] as const) : r.pick(['bigint', 'text'] as const),
        h: r.pick(['int', 'bool', 'text'] as const),
        days: r.pick(['int', 'text'] as const),
      };
      const table = `t`;
      const ddl = `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (id bigint PRIMARY KEY, h ${shape.h === 'int' ? 'int' : shape.h === 'bool' ? 'boolean' : 'text'}, kind text,
        a ${shape.a}, b ${shape.b}, c1 text, c2 text, days ${shape.days === 'int' ? 'int' : 'text'})`;
      await sql(base, ddl);
      const asOf = DateTime.fromISO(r.pick(AS_OFS), { zone }).plus({ minutes: r.int(-90, 90) });
      const rows: unknown[][] = [];
      for (let i = 1; i <= 120; i++) {
        const days = r.pick([null, '', 0, 10, 31, '45', 'x', -1, 365, '90.0', ' 31']);
        rows.push([
          i,
          holdValue(r, shape.h),
          r.pick(['x', 'y', 'z', null, 'x', 'y', '\u00e9']),
          typed(value(r, asOf, fmt), shape.a, zone),
          typed(value(r, asOf, fmt), shape.b, zone),
          r.pick(['v', '', null, ' ']),
          r.pick(['w', null]),
          shape.days === 'int' ? (typeof days === 'number' ? days : null) : days === null ? null : String(days),
        ]);
      }
      // Records at the boundary of each period: one millisecond and one second either side of due.
      const policyRules = policy.rules;
      for (const rule of policyRules)
        for (const period of [rule.deleteAfter, rule.redactAfter, rule.keepFor]) {
          if (period?.kind !== 'fixed') continue;
          const zoned = asOf.setZone(rule.timezone);
          const edge = rule.align ? threshold(period.duration, rule.align, zoned).cut : zoned.minus(period.duration).toMillis();
          for (const d of [-1000, -1, 0, 1, 1000]) {
            const t = DateTime.fromMillis(edge + d, { zone: rule.timezone });
            const v =
              fmt === 'unix'
                ? Math.floor(t.toSeconds())
                : fmt === 'unix_ms'
                  ? t.toMillis()
                  : r.pick([t.toISO(), t.toUTC().toISO(), t.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")]);
            const at = typed(v, shape.a, zone);
            rows.push([
              rows.length + 1,
              holdValue(r, shape.h),
              r.pick(['x', 'y']),
              at,
              typed(v, shape.b, zone),
              'v',
              'w',
              shape.days === 'int' ? r.pick([10, null]) : r.pick(['10', null]),
            ]);
          }
        }
      const placeholders = rows.map((_, i) => `(${Array.from({ length: 8 }, (_, k) => `$${i * 8 + k + 1}`).join(', ')})`).join(', ');
      await sql(base, `INSERT INTO ${table} VALUES ${placeholders}`, rows.flat());
      const rules = combineDatasets([policy]).get('t');
      if (!rules) continue;
      for (const at of [asOf, asOf.plus({ days: r.int(1, 40) })]) {
        const plan: DatasetPlan = compilePlan(rules, at);
        const request: Request = { mode: 'read', others: new Map([['t', plan]]), wants: true };
        const source = await PostgresSource.open(base);
        try {
          // The oracle: the engine, on the values as this source reads them.
          const want = new Tally('t', plan.rules);
          const wantNext = new NextDue();
          const wantActed: string[] = [];
          await source.rows(plan, request, (row) => {
            const d = withFacts(decide(plan, row.values, { deletable: !row.referenced, next: wantNext }), row);
            want.add(d);
            if (d.action !== 'keep')
              wantActed.push(
                `${row.values[plan.keyIndex]} ${d.action} ${d.rule.id}${d.action === 'redact' ? ` ${[...d.columns].sort().join('+')}` : ''}`,
              );
          });
          const { acted, sink } = listen();
          const gotNext = new NextDue();
          const got = await source.evaluate(plan, { ...request, next: gotNext }, sink);
          const label = JSON.stringify({ policy: policy.rules.map((x) => x.id), zone, fmt, shape, asOf: at.toISO() });
          expect(acted, label).toEqual(wantActed);
          expect(got, label).toEqual(want.summary);
          expect(dues(gotNext), `${label} (next due)`).toEqual(dues(wantNext));
          compared += rows.length;
          viaSql += source.stats.rows;
          // Text columns read alike in SQLite: the SQLite source decides the same.
          if (shape.a === 'text' && shape.b === 'text' && shape.h !== 'bool' && shape.days === 'text') {
            const file = join(tempDir(), 'same.db');
            const db = new Database(file);
            db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, h, kind TEXT, a TEXT, b TEXT, c1 TEXT, c2 TEXT, days TEXT)');
            const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
            for (const row of rows)
              ins.run(...(row.map((v) => (typeof v === 'string' && /^-?\d+$/.test(v) && row.indexOf(v) === 0 ? Number(v) : v)) as never[]));
            db.close();
            const lite = new SqliteSource(file, { readonly: true });
            const l = listen();
            expect(await lite.evaluate(plan, { ...request, others: new Map([['t', plan]]) }, l.sink), `${label} (SQLite)`).toEqual(
              want.summary,
            );
            expect(l.acted, `${label} (SQLite)`).toEqual(wantActed);
            lite.close();
          }
        } finally {
          await source.close();
        }
      }
      // The purge deletes and redacts exactly those records, and nothing else.
      const plan = compilePlan(rules, asOf);
      const before = await sql(base, `SELECT id::text AS id, c1, c2 FROM ${table} ORDER BY id`);
      const source = await PostgresSource.open(base);
      const want = new Map<string, Decision>();
      await source.rows(plan, { mode: 'read', others: new Map() }, (row) =>
        want.set(String(row.values[plan.keyIndex]), decide(plan, row.values)),
      );
      const { acted, sink } = listen();
      await source.evaluate(plan, { mode: 'write', others: new Map([['t', plan]]), wants: true }, sink);
      await source.close();
      const after = new Map((await sql(base, `SELECT id::text AS id, c1, c2 FROM ${table}`)).map((x) => [String(x.id), x]));
      for (const b of before) {
        const d = want.get(String(b.id));
        const now = after.get(String(b.id));
        if (d?.action === 'delete') expect(now, `${b.id} should be deleted`).toBeUndefined();
        else {
          expect(now, `${b.id} should stay`).toBeDefined();
          for (const c of ['c1', 'c2'])
            expect(now?.[c], `${b.id}.${c}`).toBe(d?.action === 'redact' && d.columns.includes(c) ? null : b[c]);
        }
      }
      expect(acted.length).toBe([...want.values()].filter((d) => d.action !== 'keep').length);
    }
    expect(compared).toBeGreaterThan(8_000);
    // Most rows are decided in SQL: the engine gets the unusual ones only.
    expect(viaSql / compared).toBeGreaterThan(0.6);
  });

  // The fast predicates (fast.ts) on the shapes they take: delete rules of fixed periods from one
  // native timestamp column, boolean or integer holds, where lists that overlap or exclude each
  // other; with starts that are empty, infinite or out of range, at the cuts and in DST windows.
  it('the fast predicates decide as the engine does, and leave it what they cannot vouch for', async () => {
    const r = rng(11);
    let compared = 0;
    let fast = 0;
    let engine = 0;
    const native = ['timestamptz', 'timestamp', 'date'] as const;
    for (let p = 0; p < 40; p++) {
      const zone = r.pick(ZONES);
      const hold = r.pick(['int', 'bool', 'none'] as const);
      const rulesYaml = Array.from({ length: r.int(1, 3) }, (_, i) =>
        [
          `  - id: r${i}`,
          '    dataset: t',
          `    from: ${r.pick(['a', 'a', 'b'])}`,
          ...(r.chance(0.6) ? [`    where: { kind: ${r.pick(['x', '[x, y]', 'y', 'z', '["it\'s", y]'])} }`] : []),
          ...(r.chance(0.15) ? [`    align: ${r.pick(['day', 'month', 'year'])}`] : []),
          `    delete_after: ${JSON.stringify(r.pick(PERIODS))}`,
        ].join('\n'),
      );
      const yaml = `version: 1\nname: f\ntimezone: ${zone}\ndatasets:\n  t: { key: id${hold === 'none' ? '' : ', hold: h'} }\nrules:\n${rulesYaml.join('\n')}\n`;
      const { policy } = parsePolicyText(yaml, 'fast.yaml');
      if (!policy) throw new Error(`generated an invalid policy:\n${yaml}`);
      const shape = { a: r.pick(native), b: r.pick(native), notNull: r.chance(0.3), others: r.chance(0.4) ? ' NOT NULL' : '' };
      await sql(
        base,
        `DROP TABLE IF EXISTS t; CREATE TABLE t (id bigint PRIMARY KEY, h ${hold === 'bool' ? 'boolean' : 'int'}${shape.others}, kind text${shape.others},
          a ${shape.a}${shape.notNull ? ' NOT NULL' : ''}, b ${shape.b}, c1 text, c2 text, days int)`,
      );
      const asOf = DateTime.fromISO(r.pick(AS_OFS), { zone }).plus({ minutes: r.int(-90, 90) });
      const odd = ['infinity', '-infinity', '0044-03-15 BC', '12000-01-01'];
      const start = (kind: Kind, v: unknown) => (r.chance(0.04) ? r.pick(odd) : typed(v, kind, zone));
      const rows: unknown[][] = [];
      const add = (a: unknown, b: unknown) =>
        rows.push([
          rows.length + 1,
          (hold === 'int' ? r.pick([0, 0, 0, 1, null, 2, -1]) : hold === 'bool' ? r.pick([false, false, true, null]) : null) ??
            (shape.others ? 0 : null),
          r.pick(['x', 'y', 'z', null, 'x', "it's", '\u00e9']) ?? (shape.others ? 'x' : null),
          a ?? (shape.notNull ? '-infinity' : null),
          b,
          'v',
          'w',
          null,
        ]);
      for (let i = 0; i < 150; i++) add(start(shape.a, value(r, asOf, 'iso')), start(shape.b, value(r, asOf, 'iso')));
      for (const rule of policy.rules) {
        const period = rule.deleteAfter;
        if (period?.kind !== 'fixed') continue;
        const zoned = asOf.setZone(rule.timezone);
        const edge = rule.align ? threshold(period.duration, rule.align, zoned).cut : zoned.minus(period.duration).toMillis();
        for (const d of [-3_600_000, -1000, -1, 0, 1, 1000, 3_600_000]) {
          const t = DateTime.fromMillis(edge + d, { zone: rule.timezone }).toISO();
          add(typed(t, shape.a, zone), typed(t, shape.b, zone));
        }
      }
      const placeholders = rows.map((_, i) => `(${Array.from({ length: 8 }, (_, k) => `$${i * 8 + k + 1}`).join(', ')})`).join(', ');
      await sql(base, `INSERT INTO t VALUES ${placeholders}`, rows.flat());
      const rules = combineDatasets([policy]).get('t');
      if (!rules) continue;
      for (const [i, at] of [asOf, asOf.plus({ days: r.int(1, 40) })].entries()) {
        const plan = compilePlan(rules, at);
        const label = JSON.stringify({ yaml, shape, asOf: at.toISO() });
        const source = await PostgresSource.open(base);
        try {
          const request: Request = { mode: 'read', others: new Map([['t', plan]]), wants: i === 0 };
          const want = new Tally('t', plan.rules);
          const wantNext = new NextDue();
          const wantActed: string[] = [];
          const wantByKey = new Map<string, Decision>();
          await source.rows(plan, request, (row) => {
            const d = withFacts(decide(plan, row.values, { deletable: !row.referenced, next: wantNext }), row);
            want.add(d);
            wantByKey.set(String(row.values[plan.keyIndex]), d);
            if (d.action !== 'keep') wantActed.push(`${row.values[plan.keyIndex]} ${d.action} ${d.rule.id}`);
          });
          const { acted, sink } = listen();
          const gotNext = new NextDue();
          expect(await source.evaluate(plan, { ...request, next: gotNext }, sink), label).toEqual(want.summary);
          if (request.wants) expect(acted, label).toEqual(wantActed);
          expect(dues(gotNext), `${label} (next due)`).toEqual(dues(wantNext));
          compared += rows.length;
          if (i === 1) continue;
          // The purge, in small batches of pages: the same records deleted, the rest untouched.
          const purge = listen();
          // Without receipts the fast DELETE counts by rule in SQL; with them, from the rows it returns.
          const wants = p % 2 === 0;
          expect(await source.evaluate(plan, { mode: 'write', others: new Map([['t', plan]]), wants }, purge.sink), label).toEqual(
            want.summary,
          );
          // (The rows the engine decides are sent all the same.)
          if (wants) expect([...purge.acted].sort(), label).toEqual([...wantActed].sort());
          else for (const a of purge.acted) expect(wantActed, label).toContain(a);
          const left = new Set((await sql(base, 'SELECT id::text AS id FROM t')).map((x) => String(x.id)));
          for (const [key, d] of wantByKey) expect(left.has(key), `${label}: ${key} ${d.action}`).toBe(d.action !== 'delete');
          fast += source.stats.fast;
          engine += source.stats.engine;
        } finally {
          await source.close();
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
    // The fast predicates decided most rows, and left some to the general path and the engine.
    expect(fast).toBeGreaterThan(compared / 4);
    expect(engine).toBeGreaterThan(0);
  });
  // char(n) pads its values with blanks, and PostgreSQL's text cast drops them: the engine reads
  // the value as SQL compares it, so 'ab' and 'ab   ' are one value on every path.
  it('reads char(n) as its text cast does: where, holds and timestamps agree on every path', async () => {
    await sql(
      base,
      `DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, kind char(5), h char(4), s char(30), at timestamptz);
       INSERT INTO t VALUES (1, 'ab', '0', '2020-01-01T00:00:00Z', '2020-01-01Z'), (2, 'ab   ', '1', '2020-01-01T00:00:00Z', '2020-01-01Z'),
         (3, 'cd', 'no', '2020-01-01T00:00:00Z  ', '2020-01-01Z'), (4, 'ab ', '', '2030-01-01T00:00:00Z', '2030-01-01Z'),
         (5, ' ab', NULL, 'x', '2020-01-01Z'), (6, 'ab', 'y ', '2020-01-01', '2020-01-01Z')`,
    );
    const asOf = DateTime.fromISO('2026-01-01T00:00:00Z');
    const cases = [
      // The fast predicates (one fixed delete from a timestamptz).
      { where: 'ab', from: 'at', gone: ['1'] },
      { where: '["ab   "]', from: 'at', gone: [] },
      { where: '[" ab", cd]', from: 'at', gone: ['3', '5'] },
      // The general compilation: the start is char(n) text.
      { where: 'ab', from: 's', gone: ['1'] },
      { where: '[ab, cd]', from: '[s, at]', gone: ['1', '3'] },
    ];
    for (const c of cases) {
      const yaml = `version: 1\nname: c\ntimezone: UTC\ndatasets:\n  t: { key: id, hold: h }\nrules:\n  - id: r\n    dataset: t\n    from: ${c.from}\n    where: { kind: ${c.where} }\n    delete_after: 1 year\n`;
      const { policy } = parsePolicyText(yaml, 'c.yaml');
      const rules = policy && combineDatasets([policy]).get('t');
      if (!rules) throw new Error(yaml);
      const plan = compilePlan(rules, asOf);
      const source = await PostgresSource.open(base);
      try {
        const request: Request = { mode: 'read', others: new Map([['t', plan]]), wants: true };
        const want = new Tally('t', plan.rules);
        const wantActed: string[] = [];
        await source.rows(plan, request, (row) => {
          const d = withFacts(decide(plan, row.values, { deletable: !row.referenced }), row);
          want.add(d);
          if (d.action !== 'keep') wantActed.push(String(row.values[plan.keyIndex]));
        });
        expect(wantActed, yaml).toEqual(c.gone);
        const { acted, sink } = listen();
        expect(await source.evaluate(plan, request, sink), yaml).toEqual(want.summary);
        expect(acted.map((a) => a.split(' ')[0]).sort(), yaml).toEqual(c.gone);
      } finally {
        await source.close();
      }
    }
  });
  // citext compares without case where it meets text it casts to citext: a where list written as
  // equalities (the fast predicates, up to 8 values) must compare the text cast, as the engine does.
  it('reads citext as its text: a where list matches its values in their case only', async () => {
    await sql(
      base,
      `CREATE EXTENSION IF NOT EXISTS citext; DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, kind citext, at timestamptz);
       INSERT INTO t VALUES (1, 'voice', '2020-01-01Z'), (2, 'Voice', '2020-01-01Z'), (3, 'SMS', '2020-01-01Z'), (4, 'sms', '2020-01-01Z')`,
    );
    for (const [where, gone] of [
      ['voice', ['1']],
      ['[voice, SMS]', ['1', '3']],
      ['[a, b, c, d, e, f, g, h, sms]', ['4']],
    ] as const) {
      const yaml = `version: 1\nname: c\ntimezone: UTC\ndatasets:\n  t: { key: id }\nrules:\n  - id: r\n    dataset: t\n    from: at\n    where: { kind: ${where} }\n    delete_after: 1 year\n`;
      const { policy } = parsePolicyText(yaml, 'c.yaml');
      const rules = policy && combineDatasets([policy]).get('t');
      if (!rules) throw new Error(yaml);
      const plan = compilePlan(rules, DateTime.fromISO('2026-01-01T00:00:00Z'));
      const source = await PostgresSource.open(base);
      try {
        const want = new Tally('t', plan.rules);
        const request: Request = { mode: 'read', others: new Map([['t', plan]]), wants: false };
        await source.rows(plan, request, (row) => want.add(withFacts(decide(plan, row.values, { deletable: true }), row)));
        expect(want.summary.delete, yaml).toBe(gone.length);
        // Counted by the fast predicates alone (nothing wanted), and with the rows acted on listed.
        expect(await source.evaluate(plan, request, listen().sink), yaml).toEqual(want.summary);
        expect(source.stats.fast, yaml).toBe(4);
        const { acted, sink } = listen();
        expect(await source.evaluate(plan, { ...request, wants: true }, sink), yaml).toEqual(want.summary);
        expect(acted.map((a) => a.split(' ')[0]).sort(), yaml).toEqual(gone);
      } finally {
        await source.close();
      }
    }
  });
  // The fast count takes the least start at or after the cut without testing the upper bound: one
  // after the year 9999 (infinity, 12000) is the least only where no start in range is pending.
  it('next dues leave out starts after the year 9999, also where they are the only ones not due', async () => {
    await sql(
      base,
      `DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, at timestamptz);
       INSERT INTO t VALUES (1, '2020-01-01Z'), (2, 'infinity'), (4, NULL), (5, '-infinity')`,
    );
    const yaml = `version: 1\nname: n\ntimezone: UTC\ndatasets:\n  t: { key: id }\nrules:\n  - id: r\n    dataset: t\n    from: at\n    delete_after: 1 year\n`;
    const { policy } = parsePolicyText(yaml, 'n.yaml');
    const rules = policy && combineDatasets([policy]).get('t');
    if (!rules) throw new Error(yaml);
    const plan = compilePlan(rules, DateTime.fromISO('2026-01-01T00:00:00Z'));
    // Infinity alone, then a finite start after 9999, then one in range.
    for (const [row, pending] of [
      [undefined, 0],
      ["(3, '12000-01-01Z')", 0],
      ["(6, '2026-06-01Z')", 1],
    ] as const) {
      if (row) await sql(base, `INSERT INTO t VALUES ${row}`);
      const source = await PostgresSource.open(base);
      try {
        const { want, got } = await nextDues(source, plan);
        expect(dues(got)).toEqual(want);
        expect(got.firsts().length).toBe(pending);
        expect(source.stats.fast).toBe(2 + pending);
      } finally {
        await source.close();
      }
    }
  });
  // The least pending start has the least due only where dues rise with the start; months clamp
  // (Jan 30 13:00 + 1 month is due before Jan 29 20:00 + 1 month) and DST changes reorder them.
  it('next dues are the earliest due of every record, where months clamp and DST changes: fast, general and per-record', async () => {
    const r = rng(3);
    let checked = 0;
    let second = 0;
    // [zone, period, as-of, where the pending starts begin (4 days of them)]
    const cases = [
      ['UTC', '1 month', '2026-02-18T00:00:00', '2026-01-28T00:00:00'],
      ['UTC', '1 month', '2026-02-27T10:00:00', '2026-01-28T00:00:00'],
      ['Europe/Amsterdam', '6 months', '2026-02-20T23:00:00', '2025-08-28T00:00:00'],
      ['America/New_York', '1 month', '2026-04-25T12:00:00', '2026-03-29T00:00:00'],
      ['America/New_York', '30 days', '2026-10-05T01:30:00', '2026-10-01T00:00:00'],
      ['UTC', 'P1Y', '2025-02-20T06:00:00', '2024-02-27T00:00:00'],
      ['Europe/Amsterdam', '1 day', '2026-03-26T02:30:00', '2026-03-27T00:00:00'],
      ['Europe/Amsterdam', '1 month', '2026-11-01T00:00:00', '2026-10-24T00:00:00'],
      // The wall clock of the dues (before the 30 hours) lands on the DST gap of 29 March.
      ['Europe/Amsterdam', '7 days and 30 hours', '2026-03-25T00:00:00', '2026-03-22T02:00:00'],
    ] as const;
    for (const [zone, period, at, begin] of cases)
      for (const from of ['at', 'txt', 'days'] as const) {
        const asOf = DateTime.fromISO(at, { zone });
        const deleteAfter =
          from === 'days'
            ? `{ column: days, unit: ${period.includes('month') ? 'months' : 'days'}, default: ${JSON.stringify(period)} }`
            : JSON.stringify(period);
        const yaml = `version: 1\nname: n\ntimezone: ${zone}\ndatasets:\n  t: { key: id }\nrules:\n  - id: r\n    dataset: t\n    from: ${from === 'txt' ? 'txt' : 'at'}\n    delete_after: ${deleteAfter}\n`;
        const { policy } = parsePolicyText(yaml, 'n.yaml');
        const rules = policy && combineDatasets([policy]).get('t');
        if (!rules) throw new Error(yaml);
        const plan = compilePlan(rules, asOf);
        const rows: unknown[][] = [];
        for (let i = 0; i < 200; i++) {
          const t = DateTime.fromISO(begin, { zone })
            .plus({ seconds: r.int(0, 4 * 86_400) })
            .toUTC()
            .toISO();
          rows.push([i + 1, t, t, r.pick([null, 1, 2])]);
        }
        await sql(base, 'DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, at timestamptz, txt text, days int)');
        await sql(
          base,
          `INSERT INTO t VALUES ${rows.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ')}`,
          rows.flat(),
        );
        const source = await PostgresSource.open(base);
        try {
          const { want, got } = await nextDues(source, plan);
          expect(dues(got), `${yaml} as of ${asOf.toISO()}`).toEqual(want);
          if (got.firsts().some((f) => laterDueBefore(f.term, f.start, f.amount) !== undefined)) second++;
          checked++;
        } finally {
          await source.close();
        }
      }
    expect(checked).toBe(cases.length * 3);
    // Not vacuous: some cases needed the starts after the least.
    expect(second).toBeGreaterThan(3);
  });
  // SQL reads a timestamp column in the policy's zone with PostgreSQL's time zone data, Luxon with
  // ICU's; they differ on some history (Europe/Amsterdam before 1940, on this machine's Debian
  // tzdata against Node's ICU by 19 min 32 s). There every row is the engine's to decide.
  it('where PostgreSQL and retention read a zone differently near a cut, the engine decides every row, and says so', async () => {
    const zone = 'Europe/Amsterdam';
    await sql(
      base,
      `DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, ts timestamp, d date);
       INSERT INTO t SELECT i, '1936-01-14 22:00'::timestamp + i * interval '1 minute', '1936-01-10'::date + i / 600 FROM generate_series(1, 4000) i`,
    );
    const pgWall = await sql(base, `SELECT to_char('1936-01-15T00:00:00Z'::timestamptz AT TIME ZONE '${zone}', 'HH24:MI:SS') AS w`);
    const differs = pgWall[0]?.w !== DateTime.fromISO('1936-01-15T00:00:00Z', { zone }).toFormat('HH:mm:ss');
    for (const from of ['ts', 'd']) {
      const yaml = `version: 1\nname: z\ntimezone: ${zone}\ndatasets:\n  t: { key: id }\nrules:\n  - id: r\n    dataset: t\n    from: ${from}\n    delete_after: 90 years\n`;
      const { policy } = parsePolicyText(yaml, 'z.yaml');
      const rules = policy && combineDatasets([policy]).get('t');
      if (!rules) throw new Error(yaml);
      const plan = compilePlan(rules, DateTime.fromISO('2026-01-15T00:00:00Z', { zone }));
      const warned: string[] = [];
      const log = {
        trace() {},
        debug() {},
        info() {},
        error() {},
        warn: (_: unknown, msg: string) => warned.push(msg),
        isLevelEnabled: () => true,
      };
      const source = await PostgresSource.open(base);
      try {
        const request: Request = { mode: 'read', others: new Map([['t', plan]]), wants: true, log: log as never };
        const want = new Tally('t', plan.rules);
        await source.rows(plan, request, (row) => want.add(withFacts(decide(plan, row.values, {}), row)));
        expect(want.summary.rules[0]?.delete, from).toBeGreaterThan(0);
        expect(await source.evaluate(plan, request, listen().sink), from).toEqual(want.summary);
        expect(
          warned.some((m) => /time zone data for Europe\/Amsterdam differs from retention's/.test(m)),
          from,
        ).toBe(differs);
      } finally {
        await source.close();
      }
    }
  });
  it('cuts before and near the year 1, starts after the years a timestamp holds: every column kind, as the engine decides', async () => {
    await sql(
      base,
      `DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, at timestamptz, txt text, d date, ts timestamp);
       INSERT INTO t VALUES (1, '2020-01-01Z', '2020-01-01T00:00:00Z', '2020-01-01', '2020-01-01'),
         (2, '0001-06-01Z', '0001-06-01T00:00:00Z', '0001-06-01', '0001-06-01'), (3, '0001-01-01 00:00Z', '0001-01-01', '0001-01-01', '0001-01-01'),
         (4, '0002-01-01Z', '0002-01-01T00:00:00Z', '0002-01-01', '0002-01-01'),
         (5, '294276-12-31 23:00Z', '2020-01-01T00:00:00Z', '300000-01-01', '294276-12-31 23:00'),
         (6, '2020-01-01Z', '2020-01-01', '5874897-12-31', '2020-01-01')`,
    );
    // Lists with a text column are compiled in layers, where every expression is worked out for every row.
    // East of UTC a wall clock of the year 1 is an instant before it (Etc/GMT-14 is +14:00).
    for (const zone of ['UTC', 'Etc/GMT-14', 'Etc/GMT-1', 'Etc/GMT+12'])
      for (const period of ['3000 years', '2025 years', '2024 years and 11 months', '1 year'])
        for (const from of ['at', 'txt', 'd', 'ts', '[d, txt]', '[ts, txt]', '[d, at]']) {
          const yaml = `version: 1\nname: y\ntimezone: ${zone}\ndatasets:\n  t: { key: id }\nrules:\n  - id: r\n    dataset: t\n    from: ${from}\n    delete_after: ${period}\n`;
          const { policy } = parsePolicyText(yaml, 'y.yaml');
          const rules = policy && combineDatasets([policy]).get('t');
          if (!rules) throw new Error(yaml);
          const plan = compilePlan(rules, DateTime.fromISO('2026-01-01T00:00:00Z', { zone }));
          const source = await PostgresSource.open(base);
          try {
            const request: Request = { mode: 'read', others: new Map([['t', plan]]) };
            const want = new Tally('t', plan.rules);
            await source.rows(plan, request, (row) => want.add(withFacts(decide(plan, row.values, {}), row)));
            expect(await source.evaluate(plan, request, listen().sink), yaml).toEqual(want.summary);
          } finally {
            await source.close();
          }
        }
  });
  it('a zone PostgreSQL does not know (its tzdata older than the name) is a difference, inside a transaction too', async () => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      const rule = { timezone: 'Mars/Olympus_Mons', from: ['ts'] };
      const plan = {
        asOf: DateTime.fromISO('2026-01-15T00:00:00Z'),
        dataset: { timestamps: { kind: 'iso' } },
        groups: [{ terms: [{ rule, fixed: { cut: Date.parse('2025-01-15T00:00:00Z') } }] }],
      };
      const columns = new Map([['ts', { name: 'ts', kind: 'timestamp', type: 'timestamp without time zone', notNull: false }]]);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const d = await zoneDifference(client, plan as never, columns as never, new Map(), true);
      expect(d).toMatchObject({ zone: 'Mars/Olympus_Mons', unknown: true });
      // The transaction the run reads in goes on.
      expect((await client.query('SELECT 1 AS x')).rows[0]?.x).toBe(1);
      await client.query('COMMIT');
      expect(await zoneDifference(client, plan as never, columns as never, new Map(), false)).toMatchObject({ unknown: true });
    } finally {
      await client.end();
    }
  });
});
