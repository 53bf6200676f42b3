import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { combineDatasets } from '../src/app/combine.js';
import { decide } from '../src/engine/decide.js';
import type { Decision } from '../src/engine/decision.js';
import { NextDue } from '../src/engine/next-due.js';
import { compilePlan, type DatasetPlan } from '../src/engine/plan.js';
import { fastEpochOf, fastSlackOf } from '../src/engine/timestamp.js';
import { parsePolicyText } from '../src/policy/load.js';
import { CsvSource } from '../src/sources/csv/csv-source.js';
import { isoEpoch, isoSlack, rawCut, rawCutSwitch, unixEpoch } from '../src/sources/csv/raw-cut.js';
import { CsvSplitter, type RawRecord } from '../src/sources/csv/splitter.js';
import type { Request, Sink } from '../src/sources/source.js';
import { tempDir } from './helpers/cli.js';
import { PERIODS, policyYaml, value, ZONES } from './helpers/generated.js';
import { rng } from './helpers/random.js';

// The CSV source decides most records from their bytes (raw-cut.ts) and the rest with the
// engine. Vouch or fall back: whatever it decides must be what the engine decides, on records
// near thresholds and on values of every doubtful kind; with it on and off, a source run must
// give the same counts, next dues, records sent, doubts and file bytes.

afterEach(() => {
  rawCutSwitch.enabled = true;
});

/** Values that look like timestamps but are not, or not quite, or not in the common shape. */
const DOUBTFUL = [
  '2026-05-23T24:00:00Z',
  '2026-05-23T23:60:00Z',
  '2026-05-23T23:59:60Z',
  '2023-02-29T10:00:00Z',
  '2024-02-29T10:00:00Z',
  '2021-02-30',
  '2021-04-31T00:00:00+02:00',
  '2021-13-01T00:00:00Z',
  '2021-00-10T00:00:00Z',
  '2021-01-00T00:00:00Z',
  '2026-05-23T22:00:00+99:59',
  '2026-05-23T22:00:00+24:00',
  '2026-05-23T22:00:00+23:59',
  '2026-05-23T22:00:00-00:60',
  '2026-05-23T22:00:00+0100',
  '2026-05-23T22:00:00+01',
  '2026-05-23T22:00:00 +01:00',
  '\u00a02026-05-23T22:00:00Z',
  '2026-05-23T22:00:00Z\u00a0',
  '\ufeff2026-05-23T22:00:00Z',
  ' 2026-05-23T22:00:00Z',
  '2026-05-23T22:00:00Z ',
  '\t2026-05-23T22:00:00Z',
  '2026-05-23T22:00:00z',
  '2026-05-23t22:00:00Z',
  '2026-05-23T22:00:00.1234Z',
  '2026-05-23T22:00:00.Z',
  '2026-05-23T22:00:00.5',
  '2026-05-23T22Z',
  '2026-05-23T22:00Z',
  '2026-05-23 22:00:00',
  '2026-05-23T22:00:00ZZ',
  '0999-01-01T00:00:00Z',
  '10000-01-01T00:00:00Z',
  '+2026-05-23',
  '2026-5-23',
  '2026-05-23T2:00:00Z',
  '２０２６-05-23T22:00:00Z',
  '٢٠٢٦-05-23',
  '2026–05–23',
  '2026-05-23T22:00:00+01:00[Europe/Amsterdam]',
  '1779573600',
  '-1779573600',
  '1779573600.5',
  '1779573600.',
  '+1779573600',
  ' 1779573600',
  '1e9',
  '0x10',
  '00001779573600',
  '1779573600000',
  '17795736000000000',
  '9999999999999999',
  '',
  ' ',
  '0',
  '"2026-05-23T22:00:00Z"',
];

/** A value from the generator, sometimes one of the doubtful ones or a slightly broken one. */
function anyValue(r: ReturnType<typeof rng>, asOf: DateTime, fmt: string): unknown {
  if (r.chance(0.01)) return r.pick(DOUBTFUL);
  const v = value(r, asOf, fmt);
  if (r.chance(0.01) && v !== null && v !== undefined) {
    const s = String(v);
    const i = r.int(0, Math.max(0, s.length - 1));
    const c = r.pick(['0', '9', 'x', ' ', '\u00a0', 'Z', '+', '-', ':', '.', 'T', 'é', '']);
    return s.slice(0, i) + c + s.slice(i + 1);
  }
  return v;
}

describe('reading timestamps from bytes', () => {
  it('isoEpoch reads what fastEpochOf reads, with its slack, and nothing else, wherever the field sits', () => {
    const r = rng(7);
    const iso = { kind: 'iso' } as const;
    const strings: string[] = [...DOUBTFUL];
    for (let i = 0; i < 15_000; i++) {
      const zone = r.pick(ZONES);
      const v = anyValue(r, DateTime.fromISO('2026-11-24T00:00:00', { zone }).plus({ minutes: r.int(-9000, 9000) }), 'iso');
      if (typeof v === 'string') strings.push(v);
    }
    let read = 0;
    for (const s of strings) {
      // Digits on both sides: a reader that looks past the field's end reads them.
      const around = Buffer.concat([Buffer.from('1234567890123'), Buffer.from(s), Buffer.from('+01:00:00.123Z7')]);
      const got = isoEpoch(around, 13, around.length - 15);
      const want = fastEpochOf(s, iso);
      if (!Object.is(got, want)) expect(got, s).toBe(want); // expect() per value is slow
      if (!Number.isNaN(got)) {
        if (isoSlack() !== fastSlackOf(s, iso)) expect(isoSlack(), s).toBe(fastSlackOf(s, iso));
        read++;
      }
    }
    expect(read).toBeGreaterThan(10_000);
  }, 300_000);

  it('unixEpoch reads plain digits as fastEpochOf does, and leaves every other shape to it', () => {
    const r = rng(8);
    const strings = [...DOUBTFUL];
    for (let i = 0; i < 5000; i++) strings.push(String(anyValue(r, DateTime.fromISO('2026-11-24T00:00:00Z'), r.pick(['unix', 'unix_ms']))));
    for (let i = 0; i < 20; i++) strings.push('9'.repeat(i), `1${'0'.repeat(i)}`);
    let read = 0;
    for (const s of strings)
      for (const [kind, unit] of [
        ['unix', 1000],
        ['unix_ms', 1],
      ] as const) {
        const around = Buffer.concat([Buffer.from('99'), Buffer.from(s), Buffer.from('99')]);
        const got = unixEpoch(around, 2, around.length - 2, unit);
        if (Number.isNaN(got)) continue;
        expect(got, `${kind} ${s}`).toBe(fastEpochOf(s, { kind }));
        read++;
      }
    expect(read).toBeGreaterThan(4000);
    expect(unixEpoch(Buffer.from('1779573600'), 0, 10, 1000)).toBe(1_779_573_600_000);
    expect(unixEpoch(Buffer.from('-1779573600'), 0, 11, 1000)).toBeNaN();
  });
});

/** Policies the raw path takes (fixed periods, a where or none), with or without a hold column; some it does not. */
function policyText(r: ReturnType<typeof rng>, zone: string, fmt: string): string {
  if (r.chance(0.25)) return policyYaml(r, zone, fmt);
  const rules: string[] = [];
  const n = r.int(1, 3);
  for (let i = 0; i < n; i++) {
    const lines = [`  - id: r${i}`, '    dataset: t', `    from: ${r.chance(0.2) ? '[a, b]' : r.pick(['a', 'a', 'b'])}`];
    if (r.chance(0.15)) lines.push(`    align: ${r.pick(['day', 'month', 'year'])}`);
    // Values of every kind the bytes must match as the decoded field does: empty, non-ASCII, quoted in the file, with a quote.
    if (r.chance(0.35))
      lines.push(
        `    where: ${r.pick(['{ kind: x }', '{ kind: [x, y] }', '{ kind: [""] }', '{ kind: [é, z], c2: w }', '{ c1: [v, "a, \\"b\\""] }', '{ c1: "a, " }', '{ c2: [w, W] }'])}`,
      );
    const k = r.int(0, 9);
    if (k <= 5) lines.push(`    delete_after: ${JSON.stringify(r.pick(PERIODS))}`);
    else if (k <= 7) lines.push(`    redact_after: ${JSON.stringify(r.pick(PERIODS))}`, '    redact: [c1, c2]');
    else lines.push(`    keep_for: ${JSON.stringify(r.pick(PERIODS))}`);
    if (k === 0) lines.push(`    keep_for: ${JSON.stringify(r.pick(PERIODS))}`);
    rules.push(lines.join('\n'));
  }
  const hold = r.chance(0.6) ? ', hold: h' : '';
  return `version: 1\nname: p\ntimezone: ${zone}\ndatasets:\n  t: { key: id${hold}, timestamps: ${fmt} }\nrules:\n${rules.join('\n')}\n`;
}

const AS_OFS = [
  '2026-03-29T02:30:00',
  '2026-10-25T02:30:00',
  '2024-02-29T00:00:00',
  '2026-01-31T23:59:59',
  '2026-11-24T00:00:00',
  '2026-05-31T00:00:00',
  '2026-03-01T00:00:00',
  '2026-12-31T23:00:00',
];

/** A CSV field, quoted when it must be and sometimes when it need not be. */
function cell(r: ReturnType<typeof rng>, v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) || r.chance(0.05) ? `"${s.replaceAll('"', '""')}"` : s;
}

interface Case {
  plan: DatasetPlan;
  file: string;
  label: string;
}

/** Generated policies over generated files: BOM or not, LF or CRLF, a blank line now and then. */
function cases(seed: number, count: number, records: number): Case[] {
  const r = rng(seed);
  const out: Case[] = [];
  const dir = tempDir();
  while (out.length < count) {
    const zone = r.pick(ZONES);
    const fmt = r.pick(['iso', 'iso', 'iso', 'unix', 'unix_ms']);
    const text = policyText(r, zone, fmt);
    const { policy } = parsePolicyText(text, 'gen.yaml');
    if (!policy) continue;
    const asOf = DateTime.fromISO(r.pick(AS_OFS), { zone }).plus({ minutes: r.int(-90, 90) });
    const plan = compilePlan(combineDatasets([policy]).get('t')!, asOf);
    const eol = r.pick(['\n', '\r\n']);
    const columns = ['id', 'h', 'kind', 'a', 'b', 'c1', 'c2', 'days'];
    let csv = `${r.chance(0.3) ? '\ufeff' : ''}${columns.join(',')}${eol}`;
    for (let i = 1; i <= records; i++) {
      const rec = [
        i,
        r.chance(0.02) ? r.pick(['yes', 'maybe', 'true', ' 0', '1 ', '00', 'n', 'Y', 'no']) : r.pick(['0', '0', '0', '0', '1', '']),
        r.pick(['x', 'y', 'z', '', 'é', 'e\u0301', 'x ']),
        anyValue(r, asOf, fmt),
        anyValue(r, asOf, fmt),
        r.pick(['v', '', 'a, "b"', 'line\nbreak']),
        r.pick(['w', '']),
        r.pick(['', '0', '10', '31', '45', 'x', '365']),
      ];
      csv += rec.map((v) => cell(r, v)).join(',') + eol;
      if (r.chance(0.003)) csv += eol;
    }
    const file = join(dir, `case-${out.length}.csv`);
    writeFileSync(file, csv);
    out.push({ plan, file, label: `${text}\nas of ${asOf.toISO()}` });
  }
  return out;
}

/** Splits a file and compares every decision the raw cut makes with decide()'s. */
function checkRecords(plan: DatasetPlan, bytes: Buffer, label: string): { records: number; vouched: number } {
  let vouched = 0;
  let records = 0;
  const splitter = new CsvSplitter();
  let header: string[] | undefined;
  let cut: ((rec: RawRecord) => Decision | undefined) | undefined;
  const each = (rec: RawRecord) => {
    if (!header) {
      header = Array.from({ length: rec.fieldCount }, (_, i) => rec.field(i));
      cut = rawCut(plan, header, request(plan, 'read'), true);
      return;
    }
    if (rec.fieldCount !== header.length) return; // a blank line
    records++;
    const d = cut?.(rec);
    if (!d) return;
    vouched++;
    const values = plan.columns.map((col) => rec.field((header as string[]).indexOf(col)));
    const want = decide(plan, values);
    if (JSON.stringify(summary(d)) !== JSON.stringify(summary(want)))
      expect(summary(d), `${label}\n${rec.bytes.toString()}`).toEqual(summary(want));
  };
  splitter.push(bytes, each);
  splitter.end(each);
  return { records, vouched };
}

const summary = (d: Decision) => ({
  action: d.action,
  reason: d.reason,
  rule: d.rule?.id,
  columns: d.action === 'redact' ? d.columns : undefined,
});
const request = (plan: DatasetPlan, mode: Request['mode'], next?: NextDue): Request => ({ mode, others: new Map([['t', plan]]), next });

describe('deciding from the bytes agrees with the engine', () => {
  const generated = cases(42, 120, 300);

  it('on every record it decides: the decision decide() makes of the decoded values', () => {
    let vouched = 0;
    let records = 0;
    let withWhere = 0;
    for (const c of generated) {
      const got = checkRecords(c.plan, readFileSync(c.file), c.label);
      vouched += got.vouched;
      records += got.records;
      if (c.plan.groups.some((g) => g.where.length > 0)) withWhere += got.vouched;
    }
    // Most records of the policies it takes are decided from their bytes, under a `where` too.
    expect(vouched).toBeGreaterThan(records * 0.4);
    expect(withWhere).toBeGreaterThan(2000);
  });

  it('near the cut, where decide asks Luxon: across DST changes, month ends and leap days, to the second', () => {
    let near = 0;
    const settings = [
      ['6 months', 'Europe/Amsterdam', '2026-11-24T00:00:00'],
      ['6 months', 'Europe/Amsterdam', '2026-09-28T02:30:00'],
      ['1 month', 'Europe/Amsterdam', '2026-03-31T00:00:00'],
      ['1 month', 'America/New_York', '2026-03-31T12:00:00'],
      ['1 year', 'UTC', '2025-02-28T00:00:00'],
      ['90 days', 'UTC', '2026-11-24T00:00:00'],
      ['90 days', 'Pacific/Auckland', '2026-07-05T02:30:00'],
      ['2 weeks', 'Europe/Amsterdam', '2026-11-08T02:30:00'],
      ['PT12H', 'Asia/Kolkata', '2026-03-29T02:30:00'],
      ['7 years', 'America/New_York', '2026-03-08T12:00:00'],
    ] as const;
    for (const [period, zone, at] of settings)
      for (const fmt of ['iso', 'unix', 'unix_ms']) {
        const text = `version: 1\nname: p\ntimezone: ${zone}\ndatasets:\n  t: { key: id, timestamps: ${fmt} }\nrules:\n  - { id: r, dataset: t, from: a, delete_after: ${JSON.stringify(period)} }\n`;
        const plan = compilePlan(combineDatasets([parsePolicyText(text, 'near.yaml').policy!]).get('t')!, DateTime.fromISO(at, { zone }));
        const th = plan.groups[0]!.terms[0]!.fixed!;
        const starts: number[] = [];
        for (let k = -300; k <= 300; k++) starts.push(th.cut + k * 1000, th.cut + k * 37_000 + 1, th.cut + k * 60_000 - 1);
        const r = rng(starts.length);
        let csv = 'id,a\n';
        for (const [i, ms] of starts.entries()) {
          const t = DateTime.fromMillis(ms, { zone: 'UTC' });
          const a =
            fmt === 'unix'
              ? Math.floor(ms / 1000)
              : fmt === 'unix_ms'
                ? ms
                : r.pick([
                    t.toISO(),
                    t.setZone('+05:30').toISO(),
                    t.setZone(zone).toISO({ suppressMilliseconds: true }),
                    t.toISO({ includeOffset: false }),
                  ]);
          csv += `${i},${a}\n`;
        }
        const got = checkRecords(plan, Buffer.from(csv), text);
        near += got.vouched;
      }
    // Most are within the margins (3 hours, 4 days): decided by the exact cuts, but in their unsure windows and local times.
    expect(near).toBeGreaterThan(20_000);
  });

  it('in a source run, on and off: the same counts, next dues, records sent, doubts and bytes written', async () => {
    let dues = 0;
    let changed = 0;
    for (const c of generated) {
      const runs = [];
      for (const on of [true, false]) {
        rawCutSwitch.enabled = on;
        for (const mode of ['read', 'write'] as const) {
          const dir = tempDir();
          const file = join(dir, 't.csv');
          copyFileSync(c.file, file);
          const heard: unknown[] = [];
          const sink: Sink = {
            act: (a) =>
              heard.push([
                a.ref,
                a.key(),
                a.match(),
                a.valuesHash(),
                a.due(),
                a.decision.action,
                a.decision.rule.id,
                a.decision.action === 'redact' ? [...a.decision.columns, ...a.decision.rules.map((x) => x.id)] : null,
              ]),
            doubt: (key, problem) => heard.push(['doubt', key, problem]),
          };
          const next = mode === 'read' ? new NextDue() : undefined;
          const source = new CsvSource(file, { delimiter: ',' });
          await source.lock();
          const counts = await source.evaluate(c.plan, request(c.plan, mode, next), sink);
          source.close();
          const dues = next ? [...next.byRule()].map(([rule, due]) => [rule.id, due.toISO()]) : null;
          runs.push({ on, mode, counts, dues, heard, bytes: readFileSync(file).toString('hex') });
        }
      }
      const [onRead, onWrite, offRead, offWrite] = runs;
      expect(onRead, c.label).toEqual({ ...offRead, on: true });
      expect(onWrite, c.label).toEqual({ ...offWrite, on: true });
      dues += offRead.dues?.length ?? 0;
      if (offWrite.counts.delete + offWrite.counts.redact > 0) changed++;
    }
    // Not vacuous: rules have next dues, and files were rewritten.
    expect(dues).toBeGreaterThan(100);
    expect(changed).toBeGreaterThan(60);
  }, 600_000);
});
