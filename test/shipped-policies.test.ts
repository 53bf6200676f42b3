import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { combineDatasets } from '../src/app/combine.js';
import { decide } from '../src/engine/decide.js';
import type { Action, Decision, Reason } from '../src/engine/decision.js';
import { type DatasetRules, evaluate } from '../src/engine/evaluate.js';
import { compilePlan } from '../src/engine/plan.js';
import { loadPolicies } from '../src/policy/load.js';

// The shipped policies (policies/*.yaml) against the statements they encode, and every rule of
// every policy on concrete records: 1 s before its due instant and at it. The due instants are
// computed by hand (Europe/Amsterdam, Luxon month clamping, align) and written out, so a change
// in the engine or in a policy shows here. Every case runs through evaluate AND decide.

const AMS = 'Europe/Amsterdam';
const POLICY_DIR = fileURLToPath(new URL('../policies', import.meta.url));
const STATEMENTS = fileURLToPath(new URL('../../shared/statements/', import.meta.url));
const STATEMENT_OF: Record<string, string> = {
  belcentrale: '000_',
  belco: '001_',
  'ip-central': '002_',
  belfabriek: '003_',
  voips: '004_',
};

const loaded = loadPolicies([POLICY_DIR]);
const combined = combineDatasets(loaded.policies);

// ---------------------------------------------------------------------------------------------
// 1. The policies load, and each rule says where it comes from.

describe('shipped policies: load, cite, basis', () => {
  it('load without problems, one policy per statement', () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.policies.map((p) => p.name).sort()).toEqual(Object.keys(STATEMENT_OF).sort());
    for (const p of loaded.policies) expect(p.timezone, p.name).toBe(AMS);
  });

  it('every rule has a cite and a basis', () => {
    for (const p of loaded.policies) {
      for (const r of p.rules) {
        expect(r.cite?.trim(), `${p.name}/${r.id} cite`).toBeTruthy();
        expect(r.basis?.trim(), `${p.name}/${r.id} basis`).toBeTruthy();
      }
    }
  });

  const norm = (s: string) => s.replace(/\s+/g, ' ');
  it.skipIf(!existsSync(STATEMENTS))('every cite occurs verbatim in its statement (whitespace normalised)', () => {
    const files = readdirSync(STATEMENTS);
    for (const p of loaded.policies) {
      const file = files.find((f) => f.startsWith(STATEMENT_OF[p.name]) && f.endsWith('.txt'));
      expect(file, `statement of ${p.name}`).toBeDefined();
      const text = norm(readFileSync(`${STATEMENTS}${file}`, 'utf8'));
      const missing = p.rules.filter((r) => !text.includes(norm(r.cite ?? '\u0000'))).map((r) => `${r.id}: ${r.cite}`);
      expect(missing, `cites of ${p.name} not found in ${file}`).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. The case table.

type Rec = Record<string, unknown>;
interface Want {
  action: Action;
  reason?: Reason;
  rule?: string;
  columns?: string[];
}
type W = Action | Want;

interface Case {
  policy: string;
  /** The rule under test (coverage counts these). */
  rule: string;
  name: string;
  record: Rec;
  /** Hand-computed due instant, in Amsterdam time: checked at due - 1 s and at due. */
  due?: string;
  /** Without `due`: the one instant checked. */
  asOf?: string;
  /** [before, at] with `due`; [at] with `asOf`. 'delete'/'redact' default to rule `govern ?? rule`. */
  expect: W[];
  /** The rule that governs the decision at the due instant, when not `rule` (combined outcome). */
  govern?: string;
  /** trace.due at the due instant, when it is not `due` (e.g. a keep_for ended later). */
  traceDue?: string;
  /** trace.keepUntil at the due instant. */
  keepUntil?: string;
}

const keep = (reason: Reason): Want => ({ action: 'keep', reason });
const redact = (...columns: string[]): Want => ({ action: 'redact', columns });
const ORDER = { ip_address: '203.0.113.7', email: 'jan@example.nl', phone: '+31612345678', delivery_address: 'Kerkstraat 1, Leeuwarden' };
const ORDER_REDACTED = { ip_address: null, email: '', phone: null, delivery_address: null };
const LATER = '2040-01-01T00:00:00+01:00';

const CASES: Case[] = [
  // ================================ belcentrale ================================
  {
    policy: 'belcentrale',
    rule: 'customers-end-of-service',
    name: 'local time, summer',
    record: { service_ended_at: '2024-05-31T17:00:00' },
    due: '2024-05-31T17:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belcentrale',
    rule: 'customers-end-of-service',
    name: 'held: never deleted',
    record: { service_ended_at: '2020-01-01', legal_hold: 1 },
    asOf: LATER,
    expect: [keep('held')],
  },
  {
    policy: 'belcentrale',
    rule: 'customers-end-of-service',
    name: 'service running: not due',
    record: { service_ended_at: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'belcentrale',
    rule: 'contact-messages-end-of-service',
    name: 'SQLite timestamp, winter',
    record: { service_ended_at: '2025-01-31 09:00:00' },
    due: '2025-01-31T09:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belcentrale',
    rule: 'contact-messages-end-of-service',
    name: 'ended before the minor report: end of service governs',
    record: { service_ended_at: '2025-03-01T10:00:00+01:00', minor_reported_at: '2025-06-12T14:20:00+02:00' },
    due: '2025-03-01T10:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belcentrale',
    rule: 'contact-messages-end-of-service',
    name: 'non-customer, no report: never due',
    record: { service_ended_at: '', minor_reported_at: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'belcentrale',
    rule: 'minor-reported',
    name: 'no end of service needed',
    record: { minor_reported_at: '2025-06-12T14:20:00+02:00' },
    due: '2025-06-12T14:20:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belcentrale',
    rule: 'minor-reported',
    name: 'reported before the end of service: minor-reported governs',
    record: { service_ended_at: '2025-09-01T00:00:00+02:00', minor_reported_at: '2025-06-12T14:20:00+02:00' },
    due: '2025-06-12T14:20:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belcentrale',
    rule: 'cdr-end-of-service',
    name: 'dd-MM-yyyy HH:mm:ss',
    record: { service_ended_at: '15-01-2025 08:30:00' },
    due: '2025-01-15T08:30:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belcentrale',
    rule: 'cdr-end-of-service',
    name: 'ISO value in a dd-MM-yyyy dataset: invalid, kept',
    record: { service_ended_at: '2025-01-15T08:30:00' },
    asOf: LATER,
    expect: [keep('invalid')],
  },
  {
    policy: 'belcentrale',
    rule: 'internet-sessions-end-of-service',
    name: 'first 02:30 of the DST change-back',
    record: { service_ended_at: '2025-10-26T02:30:00+02:00' },
    due: '2025-10-26T02:30:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belcentrale',
    rule: 'support-tickets-end-of-service',
    name: 'date only = midnight Amsterdam',
    record: { service_ended_at: '2024-12-31' },
    due: '2024-12-31T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belcentrale',
    rule: 'invoices-end-of-service',
    name: 'fiscal minimum long over: end of service decides',
    record: { invoice_date: '2015-02-01', service_ended_at: '2024-09-30T23:59:59' },
    due: '2024-09-30T23:59:59+02:00',
    expect: ['keep', 'delete'],
    keepUntil: '2023-01-01T00:00:00+01:00',
  },
  {
    policy: 'belcentrale',
    rule: 'invoices-fiscal-minimum',
    name: 'invoice of March 2019: kept until 1 Jan 2027',
    record: { invoice_date: '2019-03-15', service_ended_at: '2021-06-30T12:00:00' },
    due: '2027-01-01T00:00:00+01:00',
    expect: [keep('legal-minimum'), 'delete'],
    govern: 'invoices-end-of-service',
    traceDue: '2021-06-30T12:00:00+02:00',
    keepUntil: '2027-01-01T00:00:00+01:00',
  },
  {
    policy: 'belcentrale',
    rule: 'invoices-fiscal-minimum',
    name: '31 Dec 23:30 local is book year 2019',
    record: { invoice_date: '2019-12-31T23:30:00', service_ended_at: '2020-03-01' },
    due: '2027-01-01T00:00:00+01:00',
    expect: [keep('legal-minimum'), 'delete'],
    govern: 'invoices-end-of-service',
    traceDue: '2020-03-01T00:00:00+01:00',
    keepUntil: '2027-01-01T00:00:00+01:00',
  },
  {
    policy: 'belcentrale',
    rule: 'invoices-fiscal-minimum',
    name: '31 Dec 23:30 UTC is 1 Jan in Amsterdam: book year 2020',
    record: { invoice_date: '2019-12-31T23:30:00Z', service_ended_at: '2020-03-01' },
    due: '2028-01-01T00:00:00+01:00',
    expect: [keep('legal-minimum'), 'delete'],
    govern: 'invoices-end-of-service',
    traceDue: '2020-03-01T00:00:00+01:00',
    keepUntil: '2028-01-01T00:00:00+01:00',
  },
  {
    policy: 'belcentrale',
    rule: 'invoices-fiscal-minimum',
    name: 'no invoice date: the minimum has not started, kept',
    record: { invoice_date: null, service_ended_at: '2020-03-01' },
    asOf: LATER,
    expect: [keep('legal-minimum')],
  },
  {
    policy: 'belcentrale',
    rule: 'invoices-fiscal-minimum',
    name: 'held invoice, everything due: kept',
    record: { invoice_date: '2010-05-01', service_ended_at: '2015-01-01', legal_hold: 'Y' },
    asOf: LATER,
    expect: [keep('held')],
  },
  {
    policy: 'belcentrale',
    rule: 'invoices-fiscal-minimum',
    name: 'unreadable invoice date: invalid, kept',
    record: { invoice_date: '2019-02-30', service_ended_at: '2020-03-01' },
    asOf: LATER,
    expect: [keep('invalid')],
  },

  // ================================ belco ================================
  {
    policy: 'belco',
    rule: 'order-details-six-months',
    name: '31 Mar + 6 months = 30 Sep',
    record: { completed_at: '2025-03-31T10:00:00+02:00', ...ORDER },
    due: '2025-09-30T10:00:00+02:00',
    expect: ['keep', redact('ip_address', 'email', 'phone', 'delivery_address')],
  },
  {
    policy: 'belco',
    rule: 'order-details-six-months',
    name: 'across DST: wall clock stays; only non-empty columns',
    record: { completed_at: '2025-05-10T09:00:00+02:00', ...ORDER, phone: null },
    due: '2025-11-10T09:00:00+01:00',
    expect: ['keep', redact('ip_address', 'email', 'delivery_address')],
  },
  {
    policy: 'belco',
    rule: 'order-details-six-months',
    name: 'UTC 31 Aug 22:30 = 1 Sep Amsterdam: due 1 Mar',
    record: { completed_at: '2025-08-31T22:30:00Z', ...ORDER_REDACTED, email: 'jan@example.nl' },
    due: '2026-03-01T00:30:00+01:00',
    expect: ['keep', redact('email')],
  },
  {
    policy: 'belco',
    rule: 'order-details-six-months',
    name: 'already redacted: nothing to do',
    record: { completed_at: '2025-03-31T10:00:00+02:00', ...ORDER_REDACTED },
    asOf: '2026-06-01T00:00:00+02:00',
    expect: [keep('not-due')],
  },
  {
    policy: 'belco',
    rule: 'order-details-six-months',
    name: 'held order is not redacted',
    record: { completed_at: '2018-01-01', ...ORDER, legal_hold: 'true' },
    asOf: LATER,
    expect: [keep('held')],
  },
  {
    policy: 'belco',
    rule: 'order-bookkeeping-seven-years',
    name: '31 Aug 2018 + 7y6m = 28 Feb 2026 (redacted record)',
    record: { completed_at: '2018-08-31T14:00:00', ...ORDER_REDACTED },
    due: '2026-02-28T14:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'order-bookkeeping-seven-years',
    name: 'never redacted: redact before, delete at the due',
    record: { completed_at: '2018-08-31T14:00:00', ...ORDER },
    due: '2026-02-28T14:00:00+01:00',
    expect: [
      { action: 'redact', rule: 'order-details-six-months', columns: ['ip_address', 'email', 'phone', 'delivery_address'] },
      'delete',
    ],
  },
  {
    policy: 'belco',
    rule: 'dashboard-users-end-of-service',
    name: '31 Aug + 6 months = 28 Feb',
    record: { service_ended_at: '2024-08-31' },
    due: '2025-02-28T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'dashboard-activity-end-of-service',
    name: '31 Dec + 6 months = 30 Jun',
    record: { service_ended_at: '2024-12-31T23:59:59+01:00' },
    due: '2025-06-30T23:59:59+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'contact-form-after-resolution',
    name: 'resolved in January',
    record: { resolved_at: '2025-01-15T12:00:00+01:00' },
    due: '2025-07-15T12:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'contact-form-after-resolution',
    name: 'open request: never due',
    record: { resolved_at: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'belco',
    rule: 'newsletter-until-unsubscribed',
    name: 'second 02:30 of the DST change-back, at once',
    record: { unsubscribed_at: '2025-10-26T02:30:00+01:00' },
    due: '2025-10-26T02:30:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'account-after-closure',
    name: '29 Feb + 6 months = 29 Aug',
    record: { closed_at: '2024-02-29T08:00:00+01:00' },
    due: '2024-08-29T08:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'chat-customer',
    name: 'service ended after the last contact: from the end of service',
    record: { contact_type: 'customer', last_contact_at: '2025-01-10T09:00:00+01:00', service_ended_at: '2025-03-31T17:00:00+02:00' },
    due: '2025-09-30T17:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'chat-customer',
    name: 'last contact after the end of service: from the last contact, across DST',
    record: { contact_type: 'customer', last_contact_at: '2025-04-30T10:00:00+02:00', service_ended_at: '2025-02-01' },
    due: '2025-10-30T10:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'chat-customer',
    name: 'service running: not due however old the contact',
    record: { contact_type: 'customer', last_contact_at: '2020-01-01', service_ended_at: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'belco',
    rule: 'chat-customer',
    name: 'no contact date: not due',
    record: { contact_type: 'customer', last_contact_at: '', service_ended_at: '2020-01-01' },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'belco',
    rule: 'chat-visitor',
    name: 'from the last contact alone',
    record: { contact_type: 'visitor', last_contact_at: '2025-08-31T20:00:00+02:00', service_ended_at: null },
    due: '2026-02-28T20:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'chat-visitor',
    name: 'a later service end does not count for a visitor',
    record: { contact_type: 'visitor', last_contact_at: '2025-08-31T20:00:00+02:00', service_ended_at: '2026-01-15' },
    due: '2026-02-28T20:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belco',
    rule: 'chat-visitor',
    name: 'other contact type: no rule applies (unmanaged)',
    record: { contact_type: 'partner', last_contact_at: '2020-01-01', service_ended_at: '2020-01-01' },
    asOf: LATER,
    expect: [keep('unmanaged')],
  },

  // ================================ ip-central ================================
  {
    policy: 'ip-central',
    rule: 'contacts-end-of-service',
    name: 'UTC 23:00 on 31 Dec = New Year in Amsterdam',
    record: { service_ended_at: '2023-12-31T23:00:00Z' },
    due: '2024-01-01T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'sites-end-of-service',
    name: 'SQLite timestamp',
    record: { service_ended_at: '2024-06-30 18:00:00' },
    due: '2024-06-30T18:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'billing-accounts-end-of-service',
    name: 'just before the DST change',
    record: { service_ended_at: '2024-03-31T01:59:59' },
    due: '2024-03-31T01:59:59+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'call-traffic-legal-minimum',
    name: 'minimum and usage-data end together',
    record: { started_at: '2025-03-29T12:00:00+01:00' },
    due: '2025-09-29T12:00:00+02:00',
    expect: ['keep', 'delete'],
    govern: 'usage-data',
    keepUntil: '2025-09-29T12:00:00+02:00',
  },
  {
    policy: 'ip-central',
    rule: 'usage-data',
    name: '31 Aug + 6 months = 28 Feb, across DST',
    record: { started_at: '2025-08-31T23:30:00+02:00' },
    due: '2026-02-28T23:30:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'usage-data',
    name: 'no start: not due',
    record: { started_at: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'ip-central',
    rule: 'internet-traffic-six-months',
    name: 'retain then delete',
    record: { started_at: '2025-05-31T00:00:00+02:00' },
    due: '2025-11-30T00:00:00+01:00',
    expect: ['keep', 'delete'],
    keepUntil: '2025-11-30T00:00:00+01:00',
  },
  {
    policy: 'ip-central',
    rule: 'mail-traffic-six-months',
    name: 'UTC log: 28 Feb 23:30Z = 1 Mar Amsterdam',
    record: { sent_at: '2025-02-28T23:30:00Z' },
    due: '2025-09-01T00:30:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'support-tickets-three-years',
    name: '29 Feb 2024 + 3 years = 28 Feb 2027',
    record: { closed_at: '2024-02-29T10:00:00+01:00' },
    due: '2027-02-28T10:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'support-tickets-three-years',
    name: 'open ticket: not due',
    record: { closed_at: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'ip-central',
    rule: 'support-tickets-three-years',
    name: '"n.v.t.": invalid, kept',
    record: { closed_at: 'n.v.t.' },
    asOf: LATER,
    expect: [keep('invalid')],
  },
  {
    policy: 'ip-central',
    rule: 'support-recordings-90-days',
    name: '90 calendar days across DST',
    record: { recorded_at: '2025-01-15T10:00:00+01:00' },
    due: '2025-04-15T10:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'internet-connections-end-of-service',
    name: 'date only',
    record: { service_ended_at: '2025-02-28' },
    due: '2025-02-28T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'voip-accounts-decommissioned',
    name: 'at decommissioning',
    record: { decommissioned_at: '2025-07-04T16:00:00+02:00' },
    due: '2025-07-04T16:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'voip-accounts-decommissioned',
    name: 'account in use: not due',
    record: { decommissioned_at: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'ip-central',
    rule: 'voip-ip-address-three-months',
    name: '30 Nov + 3 months = 28 Feb',
    record: { registered_at: '2025-11-30T14:00:00+01:00' },
    due: '2026-02-28T14:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'mobile-subscriptions-end-of-service',
    name: 'offset given',
    record: { service_ended_at: '2025-05-05T12:00:00+02:00' },
    due: '2025-05-05T12:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'mobile-notifications-end-of-service',
    name: 'UTC',
    record: { service_ended_at: '2025-05-05T12:00:00Z' },
    due: '2025-05-05T14:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'call-recordings-client-period',
    name: '30 days (number), across DST',
    record: { recorded_at: '2025-03-01T09:00:00+01:00', retention_days: 30 },
    due: '2025-03-31T09:00:00+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'call-recordings-client-period',
    name: '"0" days (text): at the recording',
    record: { recorded_at: '2025-03-01T09:00:00+01:00', retention_days: '0' },
    due: '2025-03-01T09:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'call-recordings-client-period',
    name: 'retention_days empty: kept (no default)',
    record: { recorded_at: '2015-03-01T09:00:00+01:00', retention_days: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'ip-central',
    rule: 'call-recordings-client-period',
    name: 'retention_days "" : kept (no default)',
    record: { recorded_at: '2015-03-01T09:00:00+01:00', retention_days: '' },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  {
    policy: 'ip-central',
    rule: 'call-recordings-client-period',
    name: 'retention_days "90 dagen": invalid',
    record: { recorded_at: '2015-03-01T09:00:00+01:00', retention_days: '90 dagen' },
    asOf: LATER,
    expect: [keep('invalid')],
  },
  {
    policy: 'ip-central',
    rule: 'call-recordings-client-period',
    name: 'retention_days "-30": invalid',
    record: { recorded_at: '2015-03-01T09:00:00+01:00', retention_days: '-30' },
    asOf: LATER,
    expect: [keep('invalid')],
  },
  {
    policy: 'ip-central',
    rule: 'web-visits-one-year',
    name: 'epoch ms 2024-02-29T12:00Z + 1 year = 28 Feb 13:00 Amsterdam',
    record: { visited_at: 1709208000000 },
    due: '2025-02-28T13:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'web-visits-one-year',
    name: 'epoch ms as text (CSV)',
    record: { visited_at: '1709208000000' },
    due: '2025-02-28T13:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'ip-central',
    rule: 'contact-form-one-year',
    name: 'one year',
    record: { submitted_at: '2025-06-15T16:45:00+02:00' },
    due: '2026-06-15T16:45:00+02:00',
    expect: ['keep', 'delete'],
  },

  // ================================ belfabriek ================================
  {
    policy: 'belfabriek',
    rule: 'voicemail-not-kept',
    name: '0 days: due at the e-mail itself',
    record: { emailed_at: '2025-07-01T08:15:30+02:00' },
    due: '2025-07-01T08:15:30+02:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belfabriek',
    rule: 'voicemail-not-kept',
    name: 'not e-mailed yet: kept',
    record: { emailed_at: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
  // Same period and start as voicemail-not-kept: the first rule in the file governs (combined outcome).
  {
    policy: 'belfabriek',
    rule: 'voicemail-caller-not-kept',
    name: 'same instant; the owner rule governs',
    record: { emailed_at: '2025-12-31T23:59:59+01:00' },
    due: '2025-12-31T23:59:59+01:00',
    expect: ['keep', 'delete'],
    govern: 'voicemail-not-kept',
  },
  {
    policy: 'belfabriek',
    rule: 'call-recordings-owner-period',
    name: '365 days from 1 Mar 2024 = 1 Mar 2025',
    record: { recorded_at: '2024-03-01T00:00:00+01:00', retention_days: 365 },
    due: '2025-03-01T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'belfabriek',
    rule: 'call-recordings-owner-period',
    name: 'no setting: kept',
    record: { recorded_at: '2015-03-01T00:00:00+01:00', retention_days: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },

  // ================================ voips ================================
  {
    policy: 'voips',
    rule: 'bookkeeping-invoices',
    name: 'March 2019: 1 Jan 2027 00:00 Amsterdam',
    record: { invoice_date: '2019-03-15' },
    due: '2027-01-01T00:00:00+01:00',
    expect: ['keep', 'delete'],
    keepUntil: '2027-01-01T00:00:00+01:00',
  },
  {
    policy: 'voips',
    rule: 'bookkeeping-invoices',
    name: '31 Dec 23:30 UTC is book year 2020',
    record: { invoice_date: '2019-12-31T23:30:00Z' },
    due: '2028-01-01T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'voips',
    rule: 'bookkeeping-invoices',
    name: '1 Jan 00:00 local is book year 2019',
    record: { invoice_date: '2019-01-01T00:00:00' },
    due: '2027-01-01T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'voips',
    rule: 'bookkeeping-invoices',
    name: 'held: never deleted',
    record: { invoice_date: '2010-01-01', legal_hold: 'yes' },
    asOf: LATER,
    expect: [keep('held')],
  },
  {
    policy: 'voips',
    rule: 'bookkeeping-payments',
    name: 'epoch s: 2019-12-31T23:59:59 Amsterdam is book year 2019',
    record: { paid_at: 1577833199 },
    due: '2027-01-01T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'voips',
    rule: 'bookkeeping-payments',
    name: 'epoch s as text: 2020-01-01T00:00 Amsterdam is book year 2020',
    record: { paid_at: '1577833200' },
    due: '2028-01-01T00:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'voips',
    rule: 'usage-data-per-solution',
    name: '1 day across the DST change-back (25 h)',
    record: { started_at: '2025-10-25T12:00:00+02:00', retention_days: 1 },
    due: '2025-10-26T12:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'voips',
    rule: 'usage-data-per-solution',
    name: '"30" days from 31 Jan 2024 = 1 Mar (leap year)',
    record: { started_at: '2024-01-31T08:00:00+01:00', retention_days: '30' },
    due: '2024-03-01T08:00:00+01:00',
    expect: ['keep', 'delete'],
  },
  {
    policy: 'voips',
    rule: 'usage-data-per-solution',
    name: 'solution without a period: kept',
    record: { started_at: '2015-01-01', retention_days: null },
    asOf: LATER,
    expect: [keep('not-due')],
  },
];

// ---------------------------------------------------------------------------------------------

/** The columns the rules of a dataset read: hold, where, from, period columns, redact. */
function readColumns(ds: DatasetRules): Set<string> {
  const cols = new Set<string>();
  if (ds.dataset.hold) cols.add(ds.dataset.hold);
  for (const r of ds.rules) {
    for (const w of r.where) cols.add(w.column);
    for (const c of r.from) cols.add(c);
    for (const p of [r.deleteAfter, r.redactAfter, r.keepFor]) if (p?.kind === 'column') cols.add(p.column);
    for (const c of r.redact) cols.add(c);
  }
  return cols;
}

function datasetOf(c: Case): DatasetRules {
  const policy = loaded.policies.find((p) => p.name === c.policy);
  const rule = policy?.rules.find((r) => r.id === c.rule);
  if (!rule) throw new Error(`no rule ${c.policy}/${c.rule}`);
  return combined.get(rule.dataset)!;
}

function recordOf(ds: DatasetRules, c: Case): Rec {
  const cols = readColumns(ds);
  const unknown = Object.keys(c.record).filter((k) => !cols.has(k));
  if (unknown.length)
    throw new Error(`${c.policy}/${c.rule} "${c.name}": columns ${unknown.join(', ')} are not read by ${ds.dataset.name}`);
  const rec: Rec = {};
  for (const col of cols) rec[col] = null;
  return { ...rec, ...c.record };
}

function wanted(c: Case, w: W, atDue: boolean): Want {
  const want: Want = typeof w === 'string' ? { action: w } : { ...w };
  if (want.action === 'delete') {
    want.reason ??= 'shortest-deletion';
    want.rule ??= atDue ? (c.govern ?? c.rule) : c.rule;
  }
  if (want.action === 'redact') {
    want.reason ??= 'redaction';
    want.rule ??= atDue ? (c.govern ?? c.rule) : c.rule;
  }
  if (want.action === 'keep') want.reason ??= 'not-due';
  // An invalid record names the rule whose value could not be read.
  if (want.action === 'keep' && want.reason === 'invalid') want.rule ??= c.rule;
  return want;
}

function shape(d: Decision, policy: string) {
  return {
    action: d.action,
    reason: d.reason,
    rule: d.rule ? (d.rule.policy === policy ? d.rule.id : `${d.rule.policy}/${d.rule.id}`) : undefined,
    columns: d.action === 'redact' ? [...d.columns].sort() : undefined,
  };
}

const iso = (d: DateTime) => d.setZone(AMS).toISO({ suppressMilliseconds: true });

function check(c: Case, asOf: DateTime, w: W, atDue: boolean) {
  const ds = datasetOf(c);
  const rec = recordOf(ds, c);
  const label = `${c.policy}/${c.rule} "${c.name}" at ${iso(asOf)}`;
  const want = wanted(c, w, atDue);

  const trace = evaluate(ds, (col) => rec[col], asOf);
  expect(shape(trace.decision, c.policy), `${label}: evaluate`).toEqual({
    action: want.action,
    reason: want.reason,
    rule: want.rule,
    columns: want.columns ? [...want.columns].sort() : undefined,
  });

  // The same instant in UTC and in another zone decides the same (calendar arithmetic is the policy's).
  for (const other of [asOf.toUTC(), asOf.setZone('America/New_York')]) {
    expect(shape(evaluate(ds, (col) => rec[col], other).decision, c.policy), `${label}: evaluate, asOf in ${other.zoneName}`).toEqual(
      shape(trace.decision, c.policy),
    );
  }

  // The compiled decider must agree with evaluate (asOf as given, and in UTC).
  for (const at of [asOf, asOf.toUTC()]) {
    const plan = compilePlan(ds, at);
    const row = plan.columns.map((col) => (col in rec ? rec[col] : null));
    expect(shape(decide(plan, row), c.policy), `${label}: decide (asOf zone ${at.zoneName})`).toEqual(shape(trace.decision, c.policy));
  }
  return trace;
}

describe('shipped policies: every rule, 1 s before its due and at it (evaluate = decide)', () => {
  it('the case table covers every rule of every shipped policy with a due-instant case', () => {
    const all = loaded.policies.flatMap((p) => p.rules.map((r) => `${p.name}/${r.id}`)).sort();
    const withDue = new Set(CASES.filter((c) => c.due).map((c) => `${c.policy}/${c.rule}`));
    expect(
      all.filter((id) => !withDue.has(id)),
      'rules without a before/at case',
    ).toEqual([]);
    const unknown = [...new Set(CASES.map((c) => `${c.policy}/${c.rule}`))].filter((id) => !all.includes(id));
    expect(unknown, 'cases naming a rule that does not exist').toEqual([]);
    expect(all.length).toBeGreaterThan(0);
  });

  it.each(CASES.map((c) => [`${c.policy}/${c.rule}: ${c.name}`, c] as const))('%s', (_, c) => {
    if (c.due) {
      expect(c.expect, 'a due case has [before, at]').toHaveLength(2);
      const due = DateTime.fromISO(c.due, { setZone: true });
      expect(due.isValid, c.due).toBe(true);
      // The hand-written due must be a correct Amsterdam rendering (catches a wrong offset in the table).
      expect(iso(due), 'due as written is Amsterdam time').toBe(c.due);
      check(c, due.minus({ seconds: 1 }), c.expect[0], false);
      const trace = check(c, due, c.expect[1], true);
      const action = wanted(c, c.expect[1], true).action;
      if (action !== 'keep') expect(trace.due && iso(trace.due), 'trace.due').toBe(c.traceDue ?? c.due);
      if (c.keepUntil) {
        const ku = trace.keepUntil;
        expect(ku && ku !== 'not-started' ? iso(ku) : ku, 'trace.keepUntil').toBe(c.keepUntil);
      }
    } else {
      expect(c.asOf, 'a case without due names its asOf').toBeDefined();
      expect(c.expect).toHaveLength(1);
      check(c, DateTime.fromISO(c.asOf!, { setZone: true }), c.expect[0], true);
    }
  });
});
