import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { decide } from '../src/engine/decide.js';
import type { Decision } from '../src/engine/decision.js';
import { evaluate } from '../src/engine/evaluate.js';
import { compilePlan } from '../src/engine/plan.js';
import { parsePolicyText } from '../src/policy/load.js';

// SPEC §1 (calendar arithmetic, start of the period) and §2 (the decision), each case through
// the reference evaluation AND the compiled decider, which must agree.

interface Case {
  name: string;
  /** Rules in YAML flow style, one per line (dataset t). */
  rules: string[];
  rec: Record<string, unknown>;
  asOf: string;
  action: 'delete' | 'redact' | 'keep';
  reason: string;
  rule?: string;
  /** trace.due (governing delete or redaction), as ISO in the policy zone. */
  due?: string;
  /** Per term "rule:kind": its due as ISO, or its status when it has none. */
  terms?: Record<string, string>;
  /** Start of a term "rule:kind", as ISO in the policy zone. */
  start?: [string, string];
  /** Hours between the start and the due of the governing term (DST checks). */
  hours?: number;
  columns?: string[];
  keepUntil?: string;
  zone?: string;
  timestamps?: string;
}

const AMS = 'Europe/Amsterdam';

function build(c: Case) {
  const ts = c.timestamps ? `, timestamps: "${c.timestamps}"` : '';
  const yaml = `${[
    'version: 1',
    'name: p',
    `timezone: ${c.zone ?? AMS}`,
    'datasets:',
    `  t: { key: id, hold: h${ts} }`,
    'rules:',
    ...c.rules.map((r) => `  - ${r}`),
  ].join('\n')}\n`;
  const { policy, problems } = parsePolicyText(yaml, 'x.yaml');
  expect(problems, yaml).toEqual([]);
  return { dataset: policy!.datasets.get('t')!, rules: policy!.rules };
}

const d = (id: string, from: string, period: string, extra = '') =>
  `{ id: ${id}, dataset: t, from: ${from}, delete_after: ${period}${extra} }`;
const k = (id: string, from: string, period: string, extra = '') => `{ id: ${id}, dataset: t, from: ${from}, keep_for: ${period}${extra} }`;
const r = (id: string, from: string, period: string, cols: string, extra = '') =>
  `{ id: ${id}, dataset: t, from: ${from}, redact_after: ${period}, redact: [${cols}]${extra} }`;

const CASES: Case[] = [
  // ---- calendar arithmetic: month clamping ----
  {
    name: '31 Jan + 1 month = 28 Feb (due at asOf)',
    rules: [d('m', 's', '1 month')],
    rec: { s: '2025-01-31T10:00:00' },
    asOf: '2025-02-28T10:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'm',
    due: '2025-02-28T10:00:00.000+01:00',
  },
  {
    name: '31 Jan + 1 month: 1 ms before 28 Feb is not due',
    rules: [d('m', 's', '1 month')],
    rec: { s: '2025-01-31T10:00:00' },
    asOf: '2025-02-28T09:59:59.999+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'm:delete': '2025-02-28T10:00:00.000+01:00' },
  },
  {
    name: '31 Jan + 1 month in a leap year = 29 Feb',
    rules: [d('m', 's', 'P1M')],
    rec: { s: '2024-01-31T10:00:00' },
    asOf: '2024-02-29T10:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'm',
    due: '2024-02-29T10:00:00.000+01:00',
  },
  {
    name: '31 Jan + 1 month in a leap year: 28 Feb is too early',
    rules: [d('m', 's', 'P1M')],
    rec: { s: '2024-01-31T10:00:00' },
    asOf: '2024-02-28T23:00:00+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'm:delete': '2024-02-29T10:00:00.000+01:00' },
  },
  {
    name: '29 Feb 2024 + 1 year = 28 Feb 2025',
    rules: [d('y', 's', '1 year')],
    rec: { s: '2024-02-29' },
    asOf: '2025-02-28T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'y',
    due: '2025-02-28T00:00:00.000+01:00',
  },
  {
    name: '29 Feb 2024 + 1 year: 1 ms before is not due',
    rules: [d('y', 's', '1 year')],
    rec: { s: '2024-02-29' },
    asOf: '2025-02-27T23:59:59.999+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'y:delete': '2025-02-28T00:00:00.000+01:00' },
  },
  {
    name: '31 Aug + 6 months = 28 Feb',
    rules: [d('m', 's', '6 months')],
    rec: { s: '2025-08-31T00:00:00Z' },
    asOf: '2026-03-01T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'm',
    due: '2026-02-28T02:00:00.000+01:00',
  },

  // ---- DST in Europe/Amsterdam: days keep the wall clock ----
  {
    name: 'spring DST: 28 Mar 12:00 + 1 day = 29 Mar 12:00+02:00 (23 h)',
    rules: [d('d', 's', '1 day')],
    rec: { s: '2026-03-28T12:00:00' },
    asOf: '2026-03-29T12:00:00+02:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'd',
    due: '2026-03-29T12:00:00.000+02:00',
    hours: 23,
  },
  {
    name: 'spring DST: 1 ms before the wall-clock due',
    rules: [d('d', 's', '1 day')],
    rec: { s: '2026-03-28T12:00:00' },
    asOf: '2026-03-29T11:59:59.999+02:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'd:delete': '2026-03-29T12:00:00.000+02:00' },
  },
  {
    name: 'spring DST: P1D from an offset timestamp',
    rules: [d('d', 's', 'P1D')],
    rec: { s: '2026-03-28T11:00:00Z' },
    asOf: '2026-03-29T10:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'd',
    due: '2026-03-29T12:00:00.000+02:00',
    hours: 23,
  },
  {
    name: 'autumn DST: 24 Oct 12:00 + 1 day = 25 Oct 12:00+01:00 (25 h)',
    rules: [d('d', 's', '1 day')],
    rec: { s: '2026-10-24T12:00:00' },
    asOf: '2026-10-25T12:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'd',
    due: '2026-10-25T12:00:00.000+01:00',
    hours: 25,
  },
  {
    name: 'autumn DST: 24 hours after the start is not yet a day',
    rules: [d('d', 's', '1 day')],
    rec: { s: '2026-10-24T12:00:00' },
    asOf: '2026-10-25T11:00:00+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'd:delete': '2026-10-25T12:00:00.000+01:00' },
  },
  {
    name: 'spring DST: 1 week keeps the wall clock',
    rules: [d('w', 's', '1 week')],
    rec: { s: '2026-03-25T09:00:00' },
    asOf: '2026-04-01T09:00:00+02:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'w',
    due: '2026-04-01T09:00:00.000+02:00',
    hours: 167,
  },
  {
    name: 'spring DST: PT24H is 24 real hours',
    rules: [d('h', 's', 'PT24H')],
    rec: { s: '2026-03-28T12:00:00' },
    asOf: '2026-03-29T13:00:00+02:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'h',
    due: '2026-03-29T13:00:00.000+02:00',
    hours: 24,
  },
  {
    name: 'spring DST: PT24H, 1 ms before',
    rules: [d('h', 's', 'PT24H')],
    rec: { s: '2026-03-28T12:00:00' },
    asOf: '2026-03-29T12:59:59.999+02:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'h:delete': '2026-03-29T13:00:00.000+02:00' },
  },

  // ---- offsets vs. the policy zone; align ----
  {
    name: '+05:30 timestamp, align day: start is the end of the Amsterdam day',
    rules: [d('a', 's', '1 day', ', align: day')],
    rec: { s: '2026-01-01T02:00:00+05:30' },
    asOf: '2026-01-02T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'a',
    due: '2026-01-02T00:00:00.000+01:00',
    start: ['a:delete', '2026-01-01T00:00:00.000+01:00'],
  },
  {
    name: '+05:30 timestamp, align day: 1 ms before',
    rules: [d('a', 's', '1 day', ', align: day')],
    rec: { s: '2026-01-01T02:00:00+05:30' },
    asOf: '2026-01-01T23:59:59.999+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'a:delete': '2026-01-02T00:00:00.000+01:00' },
  },
  {
    name: 'align day at exactly midnight moves to the next midnight',
    rules: [d('a', 's', 'P0D', ', align: day')],
    rec: { s: '2026-01-01T00:00:00' },
    asOf: '2026-01-01T23:59:59.999+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'a:delete': '2026-01-02T00:00:00.000+01:00' },
  },
  {
    name: 'align month',
    rules: [d('a', 's', '1 month', ', align: month')],
    rec: { s: '2026-01-15T10:00:00' },
    asOf: '2026-03-01T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'a',
    due: '2026-03-01T00:00:00.000+01:00',
    start: ['a:delete', '2026-02-01T00:00:00.000+01:00'],
  },
  {
    name: 'align month: 1 ms before',
    rules: [d('a', 's', '1 month', ', align: month')],
    rec: { s: '2026-01-15T10:00:00' },
    asOf: '2026-02-28T23:59:59.999+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'a:delete': '2026-03-01T00:00:00.000+01:00' },
  },
  {
    name: 'bookkeeping: 7 years from the end of the year',
    rules: [d('books', 's', '7 years', ', align: year')],
    rec: { s: '2019-03-10' },
    asOf: '2027-01-01T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'books',
    due: '2027-01-01T00:00:00.000+01:00',
    start: ['books:delete', '2020-01-01T00:00:00.000+01:00'],
  },
  {
    name: 'bookkeeping: 31 Dec of the 7th year is not due',
    rules: [d('books', 's', '7 years', ', align: year')],
    rec: { s: '2019-12-31T23:30:00' },
    asOf: '2026-12-31T23:59:59.999+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'books:delete': '2027-01-01T00:00:00.000+01:00' },
  },
  {
    name: 'align year in the policy zone, not UTC',
    rules: [d('books', 's', '1 year', ', align: year')],
    rec: { s: '2019-12-31T23:30:00Z' },
    asOf: '2021-01-01T00:00:00+01:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'books:delete': '2022-01-01T00:00:00.000+01:00' },
  },

  // ---- other timestamp formats through the engine ----
  // 2026-01-01T00:00Z is 01:00 in Amsterdam; 90 calendar days later the wall clock is kept (01:00+02:00)
  {
    name: 'unix seconds, boundary instant (90 days across DST)',
    timestamps: 'unix',
    rules: [d('u', 's', '90 days')],
    rec: { s: 1767225600 },
    asOf: '2026-03-31T23:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'u',
    due: '2026-04-01T01:00:00.000+02:00',
  },
  {
    name: 'unix seconds, 1 ms before',
    timestamps: 'unix',
    rules: [d('u', 's', '90 days')],
    rec: { s: '1767225600' },
    asOf: '2026-03-31T22:59:59.999Z',
    action: 'keep',
    reason: 'not-due',
    terms: { 'u:delete': '2026-04-01T01:00:00.000+02:00' },
  },
  {
    name: 'unix_ms',
    timestamps: 'unix_ms',
    rules: [d('u', 's', 'PT12H')],
    rec: { s: 1767225600000 },
    asOf: '2026-01-01T12:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'u',
    due: '2026-01-01T13:00:00.000+01:00',
  },
  {
    name: 'custom Luxon format',
    timestamps: 'dd-MM-yyyy HH:mm',
    rules: [d('f', 's', '1 month')],
    rec: { s: '31-01-2025 10:00' },
    asOf: '2025-02-28T10:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'f',
    due: '2025-02-28T10:00:00.000+01:00',
  },
  {
    name: 'UTC policy zone',
    zone: 'UTC',
    rules: [d('z', 's', '1 day')],
    rec: { s: '2026-03-28T12:00:00' },
    asOf: '2026-03-29T12:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'z',
    due: '2026-03-29T12:00:00.000Z',
    hours: 24,
  },

  // ---- §2 step 1: held ----
  ...[1, '1', true, 'true', 'TRUE', 'yes', 'Yes', 'Y', 'y', ' yes '].map(
    (h): Case => ({
      name: `held (${JSON.stringify(h)}) with everything due stays`,
      rules: [d('d', 's', '1 day'), r('r', 's', '1 day', 'ip'), k('k', 's', 'P0D')],
      rec: { s: '2020-01-01', h, ip: '10.0.0.1' },
      asOf: '2026-01-01T00:00:00Z',
      action: 'keep',
      reason: 'held',
    }),
  ),
  ...[0, '0', '', null, 'no', 'false', 'N'].map(
    (h): Case => ({
      name: `not held (${JSON.stringify(h)}): deleted`,
      rules: [d('d', 's', '1 day')],
      rec: { s: '2020-01-01', h },
      asOf: '2026-01-01T00:00:00Z',
      action: 'delete',
      reason: 'shortest-deletion',
      rule: 'd',
      due: '2020-01-02T00:00:00.000+01:00',
    }),
  ),

  // ---- step 3: invalid ----
  {
    name: 'unparseable from value: kept as invalid',
    rules: [d('d', 's', '1 day')],
    rec: { s: '2021-02-30' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'invalid',
    terms: { 'd:delete': 'invalid' },
  },
  {
    name: 'invalid wins over another due rule',
    rules: [d('d1', 's', '1 day'), d('d2', 'b', '1 day')],
    rec: { s: '2020-01-01', b: 'garbage' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'invalid',
  },
  {
    name: 'invalid wins over a due redaction',
    rules: [r('r', 's', '1 day', 'ip'), k('k', 'b', '1 day')],
    rec: { s: '2020-01-01', b: '2021-13-01', ip: 'x' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'invalid',
  },
  {
    name: 'invalid value in a from list with an empty member',
    rules: [d('d', '[s, b]', '1 day')],
    rec: { s: 'garbage', b: null },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'invalid',
  },
  {
    name: 'invalid value in a rule whose where does not match is ignored',
    rules: [d('d', 's', '1 day'), d('x', 'b', '1 day', ', where: { kind: x }')],
    rec: { s: '2020-01-01', b: 'garbage', kind: 'y' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'd',
    due: '2020-01-02T00:00:00.000+01:00',
  },

  // ---- step 4: keep_for ----
  {
    name: 'two keep rules: the longest blocks deletion',
    rules: [k('k1', 's', '1 year'), d('del', 's', '6 months'), k('k2', 's', '2 years')],
    rec: { s: '2023-01-01' },
    asOf: '2024-06-01T00:00:00+02:00',
    action: 'keep',
    reason: 'legal-minimum',
    keepUntil: '2025-01-01T00:00:00.000+01:00',
    terms: {
      'k1:keep': '2024-01-01T00:00:00.000+01:00',
      'k2:keep': '2025-01-01T00:00:00.000+01:00',
      'del:delete': '2023-07-01T00:00:00.000+02:00',
    },
  },
  {
    name: 'two keep rules: 1 ms before the longest ends',
    rules: [k('k1', 's', '1 year'), d('del', 's', '6 months'), k('k2', 's', '2 years')],
    rec: { s: '2023-01-01' },
    asOf: '2024-12-31T23:59:59.999+01:00',
    action: 'keep',
    reason: 'legal-minimum',
  },
  {
    name: 'two keep rules: deleted when the longest ends',
    rules: [k('k1', 's', '1 year'), d('del', 's', '6 months'), k('k2', 's', '2 years')],
    rec: { s: '2023-01-01' },
    asOf: '2025-01-01T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'del',
    due: '2023-07-01T00:00:00.000+02:00',
    keepUntil: '2025-01-01T00:00:00.000+01:00',
  },
  {
    name: 'keep_for not started (empty start) keeps',
    rules: [d('del', 's', '1 day'), k('k', 'b', '1 day')],
    rec: { s: '2020-01-01', b: '' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'legal-minimum',
    keepUntil: 'not-started',
    terms: { 'k:keep': 'not-started' },
  },
  {
    name: 'keep_for on a where-mismatched rule does not block',
    rules: [d('del', 's', '1 day'), k('k', 's', '10 years', ', where: { kind: x }')],
    rec: { s: '2020-01-01', kind: 'y' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'del',
    due: '2020-01-02T00:00:00.000+01:00',
  },

  // ---- steps 5-6: delete ----
  {
    name: 'two delete rules: the shortest wins',
    rules: [d('long', 's', '2 years'), d('short', 's', '1 year')],
    rec: { s: '2020-01-01' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'short',
    due: '2021-01-01T00:00:00.000+01:00',
  },
  {
    name: 'two delete rules: governing = earliest due (different from columns)',
    rules: [d('a', 'a', '1 month'), d('b', 'b', '1 year')],
    rec: { a: '2025-06-01', b: '2024-01-01' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'b',
    due: '2025-01-01T00:00:00.000+01:00',
  },
  {
    name: 'two delete rules: the shorter one due alone suffices',
    rules: [d('long', 's', '2 years'), d('short', 's', '1 year')],
    rec: { s: '2024-06-01' },
    asOf: '2025-06-01T00:00:00+02:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'short',
    due: '2025-06-01T00:00:00.000+02:00',
  },
  {
    name: 'two delete rules, the shorter not started: the other governs',
    rules: [d('long', 's', '2 years'), d('short', 'b', '1 day')],
    rec: { s: '2020-01-01', b: null },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'long',
    due: '2022-01-01T00:00:00.000+01:00',
  },
  {
    name: 'delete due but blocked by keep_for: legal-minimum',
    rules: [d('del', 's', '6 months'), k('keep', 's', '1 year')],
    rec: { s: '2025-01-01' },
    asOf: '2025-12-31T00:00:00+01:00',
    action: 'keep',
    reason: 'legal-minimum',
    keepUntil: '2026-01-01T00:00:00.000+01:00',
  },
  {
    name: 'delete and keep_for both done: delete',
    rules: [d('del', 's', '6 months'), k('keep', 's', '1 year')],
    rec: { s: '2025-01-01' },
    asOf: '2026-01-01T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'del',
    due: '2025-07-01T00:00:00.000+02:00',
  },

  // ---- step 7: redact ----
  {
    name: "redact: union of two rules' columns",
    rules: [d('del', 's', '10 years'), r('r1', 's', '1 month', 'ip, phone'), r('r2', 's', '2 months', 'phone, email')],
    rec: { s: '2025-01-01', ip: '1.2.3.4', phone: '0612', email: 'a@b' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'redact',
    reason: 'redaction',
    rule: 'r1',
    columns: ['email', 'ip', 'phone'],
    due: '2025-02-01T00:00:00.000+01:00',
  },
  {
    name: "redact: only the due rule's columns",
    rules: [d('del', 's', '10 years'), r('r1', 's', '1 month', 'ip, phone'), r('r2', 's', '2 months', 'phone, email')],
    rec: { s: '2025-01-01', ip: '1.2.3.4', phone: '0612', email: 'a@b' },
    asOf: '2025-02-15T00:00:00Z',
    action: 'redact',
    reason: 'redaction',
    rule: 'r1',
    columns: ['ip', 'phone'],
  },
  {
    name: 'redact: already-empty columns are not redacted again',
    rules: [d('del', 's', '10 years'), r('r1', 's', '1 month', 'ip, phone'), r('r2', 's', '2 months', 'phone, email')],
    rec: { s: '2025-01-01', ip: null, phone: '', email: 'a@b' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'redact',
    reason: 'redaction',
    rule: 'r2',
    columns: ['email'],
  },
  {
    name: 'redact: all columns already empty: keep',
    rules: [d('del', 's', '10 years'), r('r1', 's', '1 month', 'ip, phone'), r('r2', 's', '2 months', 'phone, email')],
    rec: { s: '2025-01-01', ip: null, phone: '', email: '  ' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'not-due',
  },
  {
    name: 'redact blocked by keep_for',
    rules: [d('del', 's', '10 years'), r('r1', 's', '1 month', 'ip'), k('k', 's', '1 year')],
    rec: { s: '2025-06-01', ip: '1.2.3.4' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'legal-minimum',
  },
  {
    name: 'redact after keep_for ends',
    rules: [d('del', 's', '10 years'), r('r1', 's', '1 month', 'ip'), k('k', 's', '1 year')],
    rec: { s: '2025-01-01', ip: '1.2.3.4' },
    asOf: '2026-01-01T00:00:00+01:00',
    action: 'redact',
    reason: 'redaction',
    rule: 'r1',
    columns: ['ip'],
  },
  {
    name: 'delete wins over redact',
    rules: [r('r1', 's', '1 month', 'ip'), d('del', 's', '1 year')],
    rec: { s: '2024-01-01', ip: '1.2.3.4' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'del',
  },

  // ---- where ----
  {
    name: 'where value matches',
    rules: [d('v', 's', '3 months', ', where: { service: voip }')],
    rec: { s: '2025-01-01', service: 'voip' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'v',
  },
  {
    name: 'where value does not match: unmanaged',
    rules: [d('v', 's', '3 months', ', where: { service: voip }')],
    rec: { s: '2025-01-01', service: 'pstn' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'unmanaged',
  },
  {
    name: 'where value, column empty: no match',
    rules: [d('v', 's', '3 months', ', where: { service: voip }')],
    rec: { s: '2025-01-01', service: null },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'unmanaged',
  },
  {
    name: 'where list matches any member',
    rules: [d('v', 's', '3 months', ', where: { service: [voip, sip] }')],
    rec: { s: '2025-01-01', service: 'sip' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'v',
  },
  {
    name: 'where list: non-member',
    rules: [d('v', 's', '3 months', ', where: { service: [voip, sip] }')],
    rec: { s: '2025-01-01', service: 'fax' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'unmanaged',
  },
  {
    name: 'where column holding binary data (a BLOB "legal"): doubt, so a legal minimum is not skipped',
    rules: [d('del', 's', '1 day'), k('k', 's', '10 years', ', where: { kind: legal }')],
    rec: { s: '2020-01-01', kind: Buffer.from('legal') },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'invalid',
  },
  {
    name: 'where number matches a numeric value',
    rules: [d('v', 's', '3 months', ', where: { kind: 2 }')],
    rec: { s: '2025-01-01', kind: 2 },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'v',
  },
  {
    name: 'where number matches its text',
    rules: [d('v', 's', '3 months', ', where: { kind: 2 }')],
    rec: { s: '2025-01-01', kind: '2' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'v',
  },
  {
    name: 'where selects between two delete rules',
    rules: [d('all', 's', '1 year'), d('v', 's', '1 month', ', where: { service: voip }')],
    rec: { s: '2025-01-01', service: 'pstn' },
    asOf: '2025-06-01T00:00:00Z',
    action: 'keep',
    reason: 'not-due',
    terms: { 'all:delete': '2026-01-01T00:00:00.000+01:00' },
  },

  // ---- from list ----
  {
    name: 'from list: the latest value starts the period',
    rules: [d('l', '[a, b]', '6 months')],
    rec: { a: '2025-01-01', b: '2025-03-01' },
    asOf: '2025-09-01T00:00:00+02:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'l',
    due: '2025-09-01T00:00:00.000+02:00',
  },
  {
    name: 'from list: due from the earliest is not enough',
    rules: [d('l', '[a, b]', '6 months')],
    rec: { a: '2025-01-01', b: '2025-03-01' },
    asOf: '2025-08-31T23:59:59.999+02:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'l:delete': '2025-09-01T00:00:00.000+02:00' },
  },
  {
    name: 'from list: latest is the first column',
    rules: [d('l', '[a, b]', '6 months')],
    rec: { a: '2025-03-01', b: '2025-01-01' },
    asOf: '2025-08-31T23:59:59.999+02:00',
    action: 'keep',
    reason: 'not-due',
    terms: { 'l:delete': '2025-09-01T00:00:00.000+02:00' },
  },
  {
    name: 'from list: an empty member means not yet',
    rules: [d('l', '[a, b]', '6 months')],
    rec: { a: '2020-01-01', b: '' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'not-due',
    terms: { 'l:delete': 'not-started' },
  },
  {
    name: 'empty from value: not yet',
    rules: [d('l', 's', 'P0D')],
    rec: { s: null },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'not-due',
    terms: { 'l:delete': 'not-started' },
  },

  // ---- per-record periods ----
  ...(
    [
      ['number', 10, 'delete', '2025-01-11T00:00:00.000+01:00'],
      ['numeric text', '10', 'delete', '2025-01-11T00:00:00.000+01:00'],
      ['zero', 0, 'delete', '2025-01-01T00:00:00.000+01:00'],
      ['empty: the default (30 days)', null, 'delete', '2025-01-31T00:00:00.000+01:00'],
      ['empty text: the default', '', 'delete', '2025-01-31T00:00:00.000+01:00'],
      ['longer than asOf', 365, 'keep', '2026-01-01T00:00:00.000+01:00'],
    ] as const
  ).map(
    ([label, days, action, due]): Case => ({
      name: `per-record period with default, ${label}`,
      rules: [d('p', 's', '{ column: days, unit: days, default: 30 days }')],
      rec: { s: '2025-01-01', days },
      asOf: '2025-01-31T00:00:00+01:00',
      action,
      reason: action === 'delete' ? 'shortest-deletion' : 'not-due',
      rule: action === 'delete' ? 'p' : undefined,
      terms: { 'p:delete': due },
    }),
  ),
  {
    name: 'per-record period in months',
    rules: [d('p', 's', '{ column: n, unit: months }')],
    rec: { s: '2025-01-31', n: 1 },
    asOf: '2025-02-28T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'p',
    due: '2025-02-28T00:00:00.000+01:00',
  },
  {
    name: 'per-record period without default, empty: not due',
    rules: [d('p', 's', '{ column: days, unit: days }')],
    rec: { s: '2020-01-01', days: null },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'not-due',
    terms: { 'p:delete': 'not-started' },
  },
  {
    name: 'per-record period without default, empty text: not due',
    rules: [d('p', 's', '{ column: days, unit: days }')],
    rec: { s: '2020-01-01', days: ' ' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'not-due',
    terms: { 'p:delete': 'not-started' },
  },
  ...['x', -1, '-1', '1.5', 1.5, '10 days'].map(
    (days): Case => ({
      name: `per-record period ${JSON.stringify(days)}: invalid`,
      rules: [d('p', 's', '{ column: days, unit: days, default: 30 days }')],
      rec: { s: '2020-01-01', days },
      asOf: '2026-01-01T00:00:00Z',
      action: 'keep',
      reason: 'invalid',
      terms: { 'p:delete': 'invalid' },
    }),
  ),
  {
    name: 'per-record keep_for blocks a delete',
    rules: [d('del', 's', '1 day'), k('k', 's', '{ column: years, unit: years }')],
    rec: { s: '2020-06-01', years: 7 },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'legal-minimum',
    keepUntil: '2027-06-01T00:00:00.000+02:00',
  },

  // ---- unmanaged ----
  {
    name: 'only a redact rule applies, not due: unmanaged',
    rules: [r('r', 's', '1 year', 'ip')],
    rec: { s: '2025-06-01', ip: 'x' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'unmanaged',
  },
  {
    name: 'only a redact rule applies, due: redact',
    rules: [r('r', 's', '1 year', 'ip')],
    rec: { s: '2024-06-01', ip: 'x' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'redact',
    reason: 'redaction',
    rule: 'r',
    columns: ['ip'],
  },
  {
    name: 'only a redact rule applies, already redacted: unmanaged',
    rules: [r('r', 's', '1 year', 'ip')],
    rec: { s: '2024-06-01', ip: null },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'unmanaged',
  },
  {
    name: 'only a keep rule applies: unmanaged',
    rules: [k('k', 's', '1 year')],
    rec: { s: '2020-01-01' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'unmanaged',
  },
  {
    name: 'no rule applies: unmanaged',
    rules: [d('v', 's', '1 day', ', where: { kind: x }'), k('k', 's', '1 day', ', where: { kind: x }')],
    rec: { s: '2020-01-01', kind: 'z' },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'unmanaged',
  },
  {
    name: 'a delete rule that has not started is not unmanaged',
    rules: [d('del', 's', '1 day')],
    rec: { s: null },
    asOf: '2026-01-01T00:00:00Z',
    action: 'keep',
    reason: 'not-due',
  },

  // ---- retain then delete in one rule ----
  ...(
    [
      ['during keep_for', '2025-12-31T23:59:59.999+01:00', 'keep', 'not-due'],
      ['between keep_for and delete_after', '2026-06-01T00:00:00+02:00', 'keep', 'not-due'],
      ['1 ms before delete_after', '2026-12-31T23:59:59.999+01:00', 'keep', 'not-due'],
      ['at delete_after', '2027-01-01T00:00:00+01:00', 'delete', 'shortest-deletion'],
    ] as const
  ).map(
    ([label, asOf, action, reason]): Case => ({
      name: `retain-then-delete (1 year / 2 years), ${label}`,
      rules: [d('rtd', 's', '2 years', ', keep_for: 1 year')],
      rec: { s: '2025-01-01' },
      asOf,
      action,
      reason,
      rule: action === 'delete' ? 'rtd' : undefined,
      terms: { 'rtd:keep': '2026-01-01T00:00:00.000+01:00', 'rtd:delete': '2027-01-01T00:00:00.000+01:00' },
    }),
  ),
  {
    name: 'retain-then-delete blocks a shorter delete rule',
    rules: [d('rtd', 's', '2 years', ', keep_for: 1 year'), d('short', 's', '6 months')],
    rec: { s: '2025-01-01' },
    asOf: '2025-10-01T00:00:00+02:00',
    action: 'keep',
    reason: 'legal-minimum',
  },
  {
    name: 'retain-then-delete: the shorter delete rule governs once keep_for ends',
    rules: [d('rtd', 's', '2 years', ', keep_for: 1 year'), d('short', 's', '6 months')],
    rec: { s: '2025-01-01' },
    asOf: '2026-01-01T00:00:00+01:00',
    action: 'delete',
    reason: 'shortest-deletion',
    rule: 'short',
    due: '2025-07-01T00:00:00.000+02:00',
  },
];

describe('decision table (evaluate and compiled decider agree)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ds = build(c);
    const asOf = DateTime.fromISO(c.asOf, { setZone: true });
    expect(asOf.isValid).toBe(true);
    const get = (col: string) => c.rec[col];

    const trace = evaluate(ds, get, asOf);
    const ref = trace.decision;
    expect(ref.action).toBe(c.action);
    expect(ref.reason).toBe(c.reason);
    if (c.rule !== undefined || c.action !== 'keep') expect(ref.rule?.id).toBe(c.rule);
    const refColumns = ref.action === 'redact' ? ref.columns : [];
    if (c.columns) expect([...refColumns].sort()).toEqual([...c.columns].sort());
    if (c.action !== 'redact') expect(refColumns).toEqual([]);
    if (c.due) expect(trace.due?.toISO()).toBe(c.due);
    if (c.action === 'delete') {
      // the governing rule is the delete rule with the earliest due
      const dues = trace.terms.filter((t) => t.kind === 'delete' && t.due).map((t) => t.due!.toMillis());
      expect(trace.due!.toMillis()).toBe(Math.min(...dues));
      expect(trace.due!.toMillis()).toBeLessThanOrEqual(asOf.toMillis());
    }
    for (const [key, want] of Object.entries(c.terms ?? {})) {
      const [id, kind] = key.split(':');
      const t = trace.terms.find((x) => x.rule.id === id && x.kind === kind);
      expect(t, key).toBeDefined();
      if (want === 'not-started' || want === 'invalid') expect(t!.status, key).toBe(want);
      else {
        expect(t!.due?.toISO(), key).toBe(want);
        expect(t!.status, key).toBe(t!.due!.toMillis() <= asOf.toMillis() ? 'due' : 'not-due');
      }
    }
    if (c.start) {
      const [id, kind] = c.start[0].split(':');
      expect(trace.terms.find((x) => x.rule.id === id && x.kind === kind)?.start?.toISO()).toBe(c.start[1]);
    }
    if (c.hours !== undefined) {
      const t = trace.terms.find((x) => x.rule.id === c.rule && x.kind === 'delete')!;
      expect(t.due!.diff(t.start!, 'hours').hours).toBe(c.hours);
    }
    if (c.keepUntil !== undefined) {
      const ku = trace.keepUntil;
      expect(typeof ku === 'string' ? ku : ku?.toISO()).toBe(c.keepUntil);
    }

    const plan = compilePlan(ds, asOf);
    const fast = decide(
      plan,
      plan.columns.map((col) => c.rec[col]),
    );
    const cols = (d: Decision) => (d.action === 'redact' ? d.columns : undefined);
    expect({ action: fast.action, reason: fast.reason, rule: fast.rule?.id, columns: cols(fast) }).toEqual({
      action: ref.action,
      reason: ref.reason,
      rule: ref.rule?.id,
      columns: cols(ref),
    });
  });
});

// Two delete rules whose dues differ by a day or two far from the cut: months are as many days as
// those months have, so which one governs (earliest due; of equal ones, the first) changes with
// the start. The compiled decider must name the rule the reference names, at every start.
describe('the governing rule of competing delete periods, far from the cut', () => {
  const PAIRS: [string, string][] = [
    ['6 months', '182 days'],
    ['182 days', '6 months'],
    ['1 month', '30 days'],
    ['1 year', '365 days'],
    ['3 months', '13 weeks'],
  ];
  it.each(PAIRS)('%s against %s', (a, b) => {
    const ds = build({ rules: [d('a', 'at', JSON.stringify(a)), d('b', 'at', JSON.stringify(b))] } as Case);
    let compared = 0;
    for (const asOf of ['2026-12-15T00:00:00', '2026-09-01T00:00:00', '2027-03-31T12:00:00']) {
      const at = DateTime.fromISO(asOf, { zone: 'Europe/Amsterdam' });
      const plan = compilePlan(ds, at);
      for (let d = 0; d < 500; d++) {
        const start = at.minus({ days: 700 }).plus({ days: d, hours: d % 24 });
        const rec: Record<string, unknown> = { at: start.toISO(), id: 1, h: 0 };
        const values = plan.columns.map((col) => rec[col]);
        const ref = evaluate(ds, (col) => rec[col], at).decision;
        const fast = decide(plan, values);
        expect({ action: fast.action, rule: fast.rule?.id }, `${asOf} ${start.toISO()}`).toEqual({
          action: ref.action,
          rule: ref.rule?.id,
        });
        compared++;
      }
    }
    expect(compared).toBe(1500);
  });
});
