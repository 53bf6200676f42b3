import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sqliteTable, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY, CDR_ROWS } from './helpers/policy.js';

// `retention explain` answers "why is this record (not) deleted?" in plain words: the values it
// read, the hold and its value, each applying rule with its start and due (and what holds it
// back), the rules whose where does not match, which keep_for still runs and until when.

function cdr() {
  const dir = tempDir();
  return { policy: write(dir, 'p.yaml', CDR_POLICY), source: sqliteTable(join(dir, 'd.sqlite'), 'cdr', CDR_ROWS) };
}

const explain = async (policy: string, source: string, dataset: string, key: string, asOf: string, json = false) => {
  const r = await cli([
    'explain',
    '--policy',
    policy,
    '--source',
    source,
    '--dataset',
    dataset,
    '--key',
    key,
    '--as-of',
    asOf,
    ...(json ? ['--format', 'json'] : []),
  ]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

const HEAD = (key: string) => `cdr ${key}, as of 2026-11-24T00:00:00.000+01:00\n\nvalues read:\n  id = ${key}\n`;

const CASES: [string, string, string][] = [
  [
    'a voip record whose redaction is due but held back by the running keep_for',
    '5',
    `${HEAD('5')}  legal_hold = 0
  started_at = "2026-08-01"
  service = "voip"
  ip_address = "10.0.0.5"
hold: not held (legal_hold is 0)
rules that apply:
  ip-central/usage-data: delete 6 months after started_at
    start 2026-08-01T00:00:00.000+02:00, due 2027-02-01T00:00:00.000+01:00: not due yet
  ip-central/voip-ip-address: redact ip_address 3 months after started_at (where service = "voip")
    start 2026-08-01T00:00:00.000+02:00, due 2026-11-01T00:00:00.000+01:00: due, but held back by the keep_for of ip-central/interception-minimum until 2026-12-01T00:00:00.000+01:00
  ip-central/interception-minimum: keep_for 4 months after started_at
    start 2026-08-01T00:00:00.000+02:00, runs until 2026-12-01T00:00:00.000+01:00: still running
keep_for still running: ip-central/interception-minimum until 2026-12-01T00:00:00.000+01:00; no rule deletes or redacts the record before then

verdict: KEEP
because: legal minimum not reached: a keep_for rule holds the record back; here: ip-central/interception-minimum runs until 2026-12-01T00:00:00.000+01:00
`,
  ],
  [
    'a held record: the hold value, no rules looked at',
    '6',
    `${HEAD('6')}  legal_hold = 1
  started_at = "2025-01-01"
  service = "voip"
  ip_address = "10.0.0.6"
hold: held (legal_hold is 1): the record is never touched
rules: not looked at: a held record is never touched

verdict: KEEP
because: held: the hold column is set, so the record is never touched; here: legal_hold is 1
`,
  ],
  [
    'a mobile record one second short: the rule whose where does not match, and the next due',
    '3',
    `${HEAD('3')}  legal_hold = 0
  started_at = "2026-05-24T00:00:01+02:00"
  service = "mobile"
  ip_address = "10.0.0.3"
hold: not held (legal_hold is 0)
rules that apply:
  ip-central/usage-data: delete 6 months after started_at
    start 2026-05-24T00:00:01.000+02:00, due 2026-11-24T00:00:01.000+01:00: not due yet
  ip-central/interception-minimum: keep_for 4 months after started_at
    start 2026-05-24T00:00:01.000+02:00, ran until 2026-09-24T00:00:01.000+02:00: over
rules that do not apply:
  ip-central/voip-ip-address: service is "mobile", not "voip"

verdict: KEEP
because: not due: no rule is due yet; the next: ip-central/usage-data on 2026-11-24T00:00:01.000+01:00
`,
  ],
  [
    'an empty start: nothing started, the keep_for keeps the record',
    '8',
    `${HEAD('8')}  legal_hold = 0
  started_at = empty
  service = "voip"
  ip_address = "10.0.0.8"
hold: not held (legal_hold is 0)
rules that apply:
  ip-central/usage-data: delete 6 months after started_at
    not started: started_at is empty
  ip-central/voip-ip-address: redact ip_address 3 months after started_at (where service = "voip")
    not started: started_at is empty
  ip-central/interception-minimum: keep_for 4 months after started_at
    not started: started_at is empty, so it keeps the record until it starts and runs its period
keep_for not started: ip-central/interception-minimum; no rule deletes or redacts the record until it starts and runs its period

verdict: KEEP
because: not due: no rule is due yet
`,
  ],
  [
    'an unreadable start',
    '7',
    `${HEAD('7')}  legal_hold = 0
  started_at = "not a date"
  service = "voip"
  ip_address = "10.0.0.7"
hold: not held (legal_hold is 0)
rules that apply:
  ip-central/usage-data: delete 6 months after started_at
    cannot be read: started_at = "not a date" is not a readable timestamp (iso)
  ip-central/voip-ip-address: redact ip_address 3 months after started_at (where service = "voip")
    cannot be read: started_at = "not a date" is not a readable timestamp (iso)
  ip-central/interception-minimum: keep_for 4 months after started_at
    cannot be read: started_at = "not a date" is not a readable timestamp (iso)

verdict: KEEP
because: invalid value: a value could not be read, so the record is kept (never delete on doubt); here: started_at = "not a date" is not a readable timestamp (iso)
`,
  ],
];

describe('explain, text', () => {
  it.each(CASES)('%s', async (_, key, expected) => {
    const { policy, source } = cdr();
    expect(await explain(policy, source, 'cdr', key, AS_OF)).toBe(expected);
  });

  it('no "hold: free", "no-hold-column" or a keep_for called "due" in any of them', async () => {
    const { policy, source } = cdr();
    for (const key of ['1', '2', '3', '4', '5', '6', '7', '8', '9']) {
      const text = await explain(policy, source, 'cdr', key, AS_OF);
      expect(text).not.toMatch(/hold: free|no-hold-column|not-started|not-due|keep_for [^\n]*\n[^\n]*: due$/m);
    }
  });

  it('a dataset without a hold column says so; an unclear hold value is shown', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY.replace('    hold: legal_hold\n', ''));
    const source = sqliteTable(join(dir, 'd.sqlite'), 'cdr', CDR_ROWS);
    expect(await explain(policy, source, 'cdr', '1', AS_OF)).toContain('\nhold: not held (dataset cdr has no hold column)\n');
    const unclear = cdr();
    const db = sqliteTable(join(tempDir(), 'u.sqlite'), 'cdr', [{ ...CDR_ROWS[0], legal_hold: 'maybe' }]);
    const text = await explain(unclear.policy, db, 'cdr', '1', AS_OF);
    expect(text).toContain('\nhold: unclear (legal_hold is "maybe", neither yes nor no): kept, as doubt\n');
    expect(text).toContain(
      '\nbecause: invalid value: a value could not be read, so the record is kept (never delete on doubt); here: hold column legal_hold has a value that is neither yes nor no\n',
    );
  });
});

describe('explain: a redaction held back by a bookkeeping keep_for', () => {
  // The new user's case: phone numbers on invoices are to go after 90 days, but a 7-year fiscal
  // minimum on the same invoices holds every redaction back; validate --strict says so, and
  // explain names the keep_for and its end instead of calling the redaction "due".
  const POLICY = `version: 1
name: shop
timezone: Europe/Amsterdam
datasets:
  invoices: { key: id }
rules:
  - id: bookkeeping
    dataset: invoices
    from: invoice_date
    align: year
    keep_for: 7 years
    delete_after: 7 years
  - id: invoice-phone-90-days
    dataset: invoices
    from: invoice_date
    redact_after: 90 days
    redact: [phone]
`;

  it('validate --strict fails naming both rules and periods', async () => {
    const file = write(tempDir(), 'shop.yaml', POLICY);
    const r = await cli(['validate', '--strict', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `${file}:13:5: error: rule "invoice-phone-90-days" (line 13) redacts phone after 90 days, but rule "bookkeeping" (line 7) keeps the same records for 7 years (keep_for), and a redaction waits for every keep_for that applies: phone stays 7 years, not 90 days; narrow the keep_for's where if the columns must go sooner, or set redact_after to 7 years to say what happens\n1 error in 1 of 1 file\n`,
    );
  });

  it('explain: the redaction is due but held back until the keep_for ends; JSON says the same', async () => {
    const dir = tempDir();
    const policy = write(dir, 'shop.yaml', POLICY);
    const source = sqliteTable(join(dir, 'd.sqlite'), 'invoices', [{ id: 7, invoice_date: '2026-01-10', phone: '+31201234567' }]);
    const text = await explain(policy, source, 'invoices', '7', '2026-06-01');
    expect(text).toBe(`invoices 7, as of 2026-06-01T00:00:00.000+02:00

values read:
  id = 7
  invoice_date = "2026-01-10"
  phone = "+31201234567"
hold: not held (dataset invoices has no hold column)
rules that apply:
  shop/bookkeeping: keep_for 7 years after invoice_date (from the end of its year)
    start 2027-01-01T00:00:00.000+01:00, runs until 2034-01-01T00:00:00.000+01:00: still running
  shop/bookkeeping: delete 7 years after invoice_date (from the end of its year)
    start 2027-01-01T00:00:00.000+01:00, due 2034-01-01T00:00:00.000+01:00: not due yet
  shop/invoice-phone-90-days: redact phone 90 days after invoice_date
    start 2026-01-10T00:00:00.000+01:00, due 2026-04-10T00:00:00.000+02:00: due, but held back by the keep_for of shop/bookkeeping until 2034-01-01T00:00:00.000+01:00
keep_for still running: shop/bookkeeping until 2034-01-01T00:00:00.000+01:00; no rule deletes or redacts the record before then

verdict: KEEP
because: legal minimum not reached: a keep_for rule holds the record back; here: shop/bookkeeping runs until 2034-01-01T00:00:00.000+01:00
`);
    const j = JSON.parse(await explain(policy, source, 'invoices', '7', '2026-06-01', true));
    expect(j).toMatchObject({
      hold: { column: null, value: null, text: 'not held (dataset invoices has no hold column)' },
      keptBy: [{ policy: 'shop', rule: 'bookkeeping', until: '2034-01-01T00:00:00.000+01:00' }],
      action: 'keep',
      reason: 'legal-minimum',
    });
    expect(j.rules.map((r: { rule: string; kind: string; state: string }) => `${r.rule} ${r.kind}: ${r.state}`)).toEqual([
      'bookkeeping keep: still running',
      'bookkeeping delete: not due yet',
      'invoice-phone-90-days redact: due, but held back by the keep_for of shop/bookkeeping until 2034-01-01T00:00:00.000+01:00',
    ]);
  });

  it('JSON: the hold value and the rules whose where does not match', async () => {
    const { policy, source } = cdr();
    const held = JSON.parse(await explain(policy, source, 'cdr', '6', AS_OF, true));
    expect(held.hold).toEqual({ column: 'legal_hold', value: 1, text: 'held (legal_hold is 1): the record is never touched' });
    const mobile = JSON.parse(await explain(policy, source, 'cdr', '3', AS_OF, true));
    expect(mobile.notApplying).toEqual([
      { policy: 'ip-central', rule: 'voip-ip-address', where: [{ column: 'service', values: ['voip'], value: 'mobile' }] },
    ]);
    expect(mobile.keptBy).toEqual([]);
  });
});
