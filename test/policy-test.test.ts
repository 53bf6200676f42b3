import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/engine/evaluate.js';
import { loadPolicies } from '../src/policy/load.js';
import { isPolicyTestFile, loadTestFile } from '../src/policy-test/load.js';
import { runPolicyTests } from '../src/policy-test/run.js';
import { cli, tempDir, write } from './helpers/cli.js';
import { CDR_POLICY } from './helpers/policy.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const POLICY_DIR = join(ROOT, 'policies');

// A test file for CDR_POLICY (usage-data: delete 6 months; voip-ip-address: redact 3 months
// where service = voip; interception-minimum: keep 4 months). Line numbers matter below.
const PASSING = `policy: p.yaml
tests:
  - name: usage data goes six months after the call
    dataset: cdr
    as_of: [2026-07-01T09:59:59+02:00, 2026-07-01T10:00:00+02:00]
    records:
      - record: { id: 1, started_at: 2026-01-01T10:00:00+01:00, service: mobile, caller: not read by any rule }
        expect: [keep not-due usage-data, delete usage-data]
      - record: { id: 2, started_at: 2026-03-02T10:00:00+01:00, service: voip, ip_address: 10.0.0.2 }
        expect: [keep legal-minimum interception-minimum, keep legal-minimum]
  - name: the voip ip address is redacted once the legal minimum is over
    dataset: cdr
    as_of: 2026-07-01
    records:
      - record: { id: 3, started_at: 2026-02-15T12:00:00+01:00, service: voip, ip_address: 10.0.0.3 }
        expect: redact voip-ip-address ip_address
      - record: { started_at: 2020-01-01, legal_hold: yes }
        expect: keep held
      - record: { id: 5, started_at: not a date }
        expect: keep invalid usage-data
      - record: { id: 6 }
        expect: keep not-due usage-data
`;

function dirWith(files: Record<string, string>): string {
  const dir = tempDir();
  write(dir, 'p.yaml', CDR_POLICY);
  for (const [name, text] of Object.entries(files)) write(dir, name, text);
  return dir;
}

describe('retention test: running test files', () => {
  it('a passing file: exit 0 and the summary, nothing else', async () => {
    const dir = dirWith({ 'p.test.yaml': PASSING });
    const r = await cli(['test', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe('8 passed, 0 failed (2 tests in 1 file)\n');
  });

  it('one expectation for all instants; missing columns are empty; unread columns are fine', () => {
    const dir = dirWith({ 'p.test.yaml': PASSING });
    const run = runPolicyTests([dir]);
    expect(run.problems).toEqual([]);
    expect(run.checks.map((c) => [c.record.label, c.asOfText, c.expected, c.pass])).toEqual([
      ['id=1', '2026-07-01T09:59:59+02:00', 'keep not-due usage-data', true],
      ['id=1', '2026-07-01T10:00:00+02:00', 'delete usage-data', true],
      ['id=2', '2026-07-01T09:59:59+02:00', 'keep legal-minimum interception-minimum', true],
      ['id=2', '2026-07-01T10:00:00+02:00', 'keep legal-minimum', true],
      ['id=3', '2026-07-01', 'redact voip-ip-address ip_address', true],
      ['#2', '2026-07-01', 'keep held', true],
      ['id=5', '2026-07-01', 'keep invalid usage-data', true],
      ['id=6', '2026-07-01', 'keep not-due usage-data', true],
    ]);
    // A date is its start in the policy timezone.
    expect(run.checks[4].asOf.toISO()).toBe('2026-07-01T00:00:00.000+02:00');
  });

  it('a failure names the file, line and column of the expectation, the record, expected and actual, then the trace', async () => {
    const text = PASSING.replace(
      'expect: [keep not-due usage-data, delete usage-data]',
      'expect: [keep not-due usage-data, keep not-due]',
    ).replace('expect: keep held', 'expect: delete usage-data');
    const dir = dirWith({ 'p.test.yaml': text });
    const file = join(dir, 'p.test.yaml');
    const r = await cli(['test', dir]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const first = lines.findIndex((l) => l.startsWith(`${file}:8:43: fail: `));
    expect(first, r.stdout).toBeGreaterThanOrEqual(0);
    expect(lines[first]).toBe(
      `${file}:8:43: fail: "usage data goes six months after the call": cdr record id=1 ` +
        '{"id":1,"started_at":"2026-01-01T10:00:00+01:00","service":"mobile","caller":"not read by any rule"} ' +
        'as of 2026-07-01T10:00:00+02:00: expected keep not-due, got delete usage-data',
    );
    // The explain trace follows, indented.
    expect(lines.slice(first + 1, first + 19)).toEqual([
      '    cdr 1, as of 2026-07-01T10:00:00.000+02:00',
      '',
      '    values read:',
      '      id = 1',
      '      started_at = "2026-01-01T10:00:00+01:00"',
      '      service = "mobile"',
      '    hold: not held (legal_hold is empty)',
      '    rules that apply:',
      '      ip-central/usage-data: delete 6 months after started_at',
      '        start 2026-01-01T10:00:00.000+01:00, due 2026-07-01T10:00:00.000+02:00: due',
      '      ip-central/interception-minimum: keep_for 4 months after started_at',
      '        start 2026-01-01T10:00:00.000+01:00, ran until 2026-05-01T10:00:00.000+02:00: over',
      '    rules that do not apply:',
      '      ip-central/voip-ip-address: service is "mobile", not "voip"',
      '',
      '    verdict: DELETE by ip-central/usage-data',
      '    because: shortest deletion: the delete rule with the earliest due governs',
      '',
    ]);
    // A record without a key column is named by its place in the test.
    expect(r.stdout).toContain(
      `${file}:18:17: fail: "the voip ip address is redacted once the legal minimum is over": cdr record #2 {"started_at":"2020-01-01","legal_hold":"yes"} as of 2026-07-01: expected delete usage-data, got keep held`,
    );
    expect(r.stdout).toContain('    hold: held (legal_hold is "yes"): the record is never touched\n');
    expect(r.stdout).toContain('    because: held: the hold column is set, so the record is never touched; here: legal_hold is "yes"\n');
    expect(lines.at(-2)).toBe('6 passed, 2 failed (2 tests in 1 file)');
  });

  it('names the reason when the decision matches but the named rule does not', () => {
    const dir = dirWith({ 'p.test.yaml': PASSING.replace('expect: keep not-due usage-data\n', 'expect: keep not-due voip-ip-address\n') });
    const r = runPolicyTests([dir]);
    const failed = r.checks.filter((c) => !c.pass);
    expect(failed.map((c) => [c.expected, c.actual, c.why])).toEqual([
      ['keep not-due voip-ip-address', 'keep not-due', 'rule voip-ip-address does not apply to this record'],
    ]);
  });
});

describe('retention test: invalid test files (exit 1, file:line:col, nothing run)', () => {
  const cases: [string, string, string, string][] = [
    [
      'unknown key',
      PASSING.replace('    dataset: cdr\n    as_of: 2026-07-01', '    dataset: cdr\n    asof: 2026-07-01'),
      '13:5',
      'unknown key "asof" in tests.1 (allowed: name, dataset, as_of, records)',
    ],
    [
      'unknown key in a record entry',
      PASSING.replace('        expect: keep held', '        expected: keep held'),
      '18:9',
      'unknown key "expected" in tests.1.records.1 (allowed: record, expect)',
    ],
    [
      'unknown rule',
      PASSING.replace('delete usage-data]', 'delete usage-date]'),
      '8:43',
      '"delete usage-date": no rule "usage-date" in the policies under test (rules of dataset cdr: usage-data, voip-ip-address, interception-minimum)',
    ],
    [
      'a rule that cannot do what is expected',
      PASSING.replace('expect: redact voip-ip-address ip_address', 'expect: redact usage-data'),
      '16:17',
      '"redact usage-data": rule usage-data has no redact_after, so it never redacts',
    ],
    [
      'bad as_of',
      PASSING.replace('as_of: [2026-07-01T09:59:59+02:00,', 'as_of: [2026-07-01T25:59:59+02:00,'),
      '5:13',
      'as_of "2026-07-01T25:59:59+02:00" is not an ISO 8601 date or date-time (e.g. 2026-11-24 or 2026-11-24T00:00:00+01:00)',
    ],
    [
      'as_of that is not text',
      PASSING.replace('as_of: 2026-07-01', 'as_of: 2026'),
      '13:12',
      'tests.1.as_of: as_of must be an instant or a list of instants',
    ],
    [
      'expectations and instants do not pair up',
      PASSING.replace('expect: [keep not-due usage-data, delete usage-data]', 'expect: [keep not-due usage-data]'),
      '8:17',
      'expect has 1 entry and as_of 2 instants: give one expectation per instant, or one for all',
    ],
    [
      'undeclared dataset',
      PASSING.replace('    dataset: cdr\n    as_of: 2026-07-01', '    dataset: calls\n    as_of: 2026-07-01'),
      '12:14',
      'the policies under test declare no dataset "calls" (declared: cdr)',
    ],
    ['missing policy', PASSING.replace('policy: p.yaml', 'policy: nope.yaml'), '1:9', 'policy {dir}/nope.yaml: no such file or directory'],
    [
      'YAML syntax',
      PASSING.replace('    dataset: cdr\n    as_of: 2026-07-01', '    dataset: cdr\n   as_of: 2026-07-01'),
      '13:1',
      'YAML: this line is indented less than the keys of the list item above, and more than its "-": line it up with the keys, or start a new item with "- "',
    ],
  ];
  it.each(cases)('%s', async (_, text, pos, message) => {
    const dir = dirWith({ 'p.test.yaml': text });
    const file = join(dir, 'p.test.yaml');
    const r = await cli(['test', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:${pos}: error: ${message.replace('{dir}', dir)}`);
    expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 invalid test file \(0 tests in 1 file\)$/m);
  });

  it('collects every problem of a file, in order', () => {
    const text = PASSING.replace('delete usage-data]', 'delete usage-date]').replace('expect: keep held', 'expect: keep usage-data');
    const f = loadTestFile(write(dirWith({}), 'p.test.yaml', text));
    expect(f.tests).toEqual([]);
    expect(f.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      '8:43: "delete usage-date": no rule "usage-date" in the policies under test (rules of dataset cdr: usage-data, voip-ip-address, interception-minimum)',
      '18:17: "keep usage-data": "usage-data" is not a reason to keep (held, invalid, legal-minimum, not-due, unmanaged); name the reason before the rule, e.g. keep not-due usage-data',
    ]);
  });

  it('an invalid policy is reported at its own positions', async () => {
    const dir = dirWith({ 'p.test.yaml': PASSING });
    writeFileSync(join(dir, 'p.yaml'), CDR_POLICY.replace('delete_after: 6 months', 'delete_after: 6 monhts'));
    const r = await cli(['test', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${join(dir, 'p.test.yaml')}:1:9: error: policy p.yaml is invalid (1 error; run retention validate ${join(dir, 'p.yaml')})`,
    );
    expect(r.stdout).toContain(`${join(dir, 'p.yaml')}:13:19: error: "6 monhts" is not a valid period`);
  });

  it('a missing path, or a directory without test files, is an error; wrong usage exits 2', async () => {
    expect((await cli(['test', '/nonexistent/policies'])).stdout).toContain('/nonexistent/policies: error: no such file or directory');
    const empty = dirWith({});
    const r = await cli(['test', empty]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${empty}: error: directory holds no *.test.yaml policy test files`);
    expect((await cli(['test', '--format', 'xml'])).code).toBe(2);
    expect((await cli(['test', '--bogus'])).code).toBe(2);
  });
});

describe('retention test: --format github and json', () => {
  const failing = PASSING.replace('name: usage data goes six months after the call', 'name: "50% gone: usage, after six months"').replace(
    'expect: [keep not-due usage-data, delete usage-data]',
    'expect: [keep not-due usage-data, keep not-due]',
  );

  it('github: one ::error annotation per failure and per problem, escaped', async () => {
    const dir = dirWith({ 'p.test.yaml': failing, 'q.test.yaml': 'policy: p.yaml\ntests: []\n' });
    const r = await cli(['test', dir, '--format', 'github']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    // The path's own ":" and "," would be escaped too; temp paths have neither.
    expect(lines[0]).toBe(`::error file=${join(dir, 'q.test.yaml')},line=2,col=8::tests: a test file needs at least one test`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^::error file=${join(dir, 'p.test.yaml')},line=8,col=43,title=policy test failed%3A 50%25 gone%3A usage%2C after six months::`,
      ),
    );
    const message = lines[1].slice(lines[1].indexOf('::', 2) + 2);
    expect(message.startsWith('"50%25 gone: usage, after six months": cdr record id=1 ')).toBe(true);
    expect(message).toContain('expected keep not-due, got delete usage-data%0A%0Acdr 1, as of 2026-07-01T10:00:00.000+02:00%0A');
    expect(message).toContain('%0Averdict: DELETE by ip-central/usage-data%0A');
    expect(message).not.toMatch(/[\r\n]/);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('7 passed, 1 failed, 1 invalid test file (2 tests in 2 files)');
  });

  it('github escapes ",", ":" and "%" in the file property and %, CR, LF in the message', async () => {
    const dir = join(tempDir(), 'a,b:c%d');
    cpSync(dirWith({ 'p.test.yaml': PASSING.replace('policy: p.yaml', 'policy: "p.yaml\\r\\nx"') }), dir, { recursive: true });
    const r = await cli(['test', dir, '--format', 'github']);
    const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
    expect(r.stdout).toContain(
      `::error file=${property(join(dir, 'p.test.yaml'))},line=1,col=9::${data(`policy ${join(dir, 'p.yaml\r\nx')}: no such file or directory`)}\n`,
    );
    expect(r.stdout).toContain('a%2Cb%3Ac%25d');
  });

  it('json: one document with counts, problems and each failure with its trace', async () => {
    const dir = dirWith({ 'p.test.yaml': failing });
    const r = await cli(['test', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: false, passed: 7, failed: 1, tests: 2, problems: [] });
    expect(doc.files).toEqual([{ file: join(dir, 'p.test.yaml'), valid: true, tests: 2, passed: 7, failed: 1 }]);
    expect(doc.failures).toHaveLength(1);
    expect(doc.failures[0]).toMatchObject({
      file: join(dir, 'p.test.yaml'),
      line: 8,
      col: 43,
      test: '50% gone: usage, after six months',
      dataset: 'cdr',
      record: 'id=1',
      values: { id: 1, started_at: '2026-01-01T10:00:00+01:00', service: 'mobile' },
      asOf: '2026-07-01T10:00:00.000+02:00',
      asOfText: '2026-07-01T10:00:00+02:00',
      expected: 'keep not-due',
      actual: 'delete usage-data',
      why: null,
    });
    expect(doc.failures[0].trace).toMatchObject({
      action: 'delete',
      reason: 'shortest-deletion',
      rule: 'usage-data',
      policy: 'ip-central',
      key: '1',
    });
    expect(doc.failures[0].trace.rules.map((t: { rule: string }) => t.rule)).toEqual(['usage-data', 'interception-minimum']);

    const ok = JSON.parse((await cli(['test', dirWith({ 'p.test.yaml': PASSING }), '--format', 'json'])).stdout);
    expect(ok).toMatchObject({ ok: true, passed: 8, failed: 0, failures: [] });
  });
});

describe('the shipped policy tests (policies/*.test.yaml)', () => {
  it('bin/retention test policies/ exits 0, and so does bin/retention test (default policies/)', async () => {
    const r = await cli(['test', 'policies/'], { cwd: ROOT });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed \(\d+ tests in 5 files\)\n$/);
    expect((await cli(['test'], { cwd: ROOT })).stdout).toBe(r.stdout);
  });

  it('every rule of every shipped policy is named in an expectation, 1 s before and at its due instant', () => {
    const policies = loadPolicies([POLICY_DIR]).policies;
    const testFiles = readdirSync(POLICY_DIR)
      .filter(isPolicyTestFile)
      .map((f) => loadTestFile(join(POLICY_DIR, f)));
    expect(testFiles.flatMap((f) => f.problems)).toEqual([]);
    expect(testFiles.map((f) => f.file.split('/').pop()).sort()).toEqual(
      policies.map((p) => p.file.split('/').pop()!.replace('.yaml', '.test.yaml')).sort(),
    );

    const named = new Set<string>();
    const beforeAndAt = new Set<string>();
    for (const f of testFiles) {
      for (const t of f.tests) {
        for (const rec of t.records) {
          const rules = new Set(rec.expect.map((e) => e.expectation.rule).filter((r) => r !== undefined));
          for (const r of rules) named.add(`${r.policy}/${r.id}`);
          // A pair of instants 1 s apart, the later one the due of a rule this record's expectations name.
          for (const at of t.instants) {
            if (!t.instants.some((b) => b.asOf.toMillis() === at.asOf.toMillis() - 1000)) continue;
            const trace = evaluate(t.rules, (c) => rec.values[c] ?? null, at.asOf);
            for (const term of trace.terms) {
              if (rules.has(term.rule) && term.due?.toMillis() === at.asOf.toMillis())
                beforeAndAt.add(`${term.rule.policy}/${term.rule.id}`);
            }
          }
        }
      }
    }
    const all = policies.flatMap((p) => p.rules.map((r) => `${p.name}/${r.id}`)).sort();
    expect(all.length).toBe(40);
    expect(
      all.filter((id) => !named.has(id)),
      'rules named in no expectation',
    ).toEqual([]);
    expect(
      all.filter((id) => !beforeAndAt.has(id)),
      'rules without a case 1 s before and at their due',
    ).toEqual([]);
  });

  it('the shipped tests catch a changed policy', () => {
    const dir = tempDir();
    cpSync(POLICY_DIR, dir, { recursive: true });
    const belco = join(dir, 'belco.yaml');
    writeFileSync(belco, readFileSync(belco, 'utf8').replace('delete_after: 7 years and 6 months', 'delete_after: 7 years and 7 months'));
    const run = runPolicyTests([dir]);
    expect(run.problems).toEqual([]);
    expect(run.failed).toBeGreaterThan(0);
    expect(new Set(run.checks.filter((c) => !c.pass).map((c) => c.file))).toEqual(new Set([join(dir, 'belco.test.yaml')]));
    expect(run.checks.filter((c) => !c.pass).every((c) => c.expected === 'delete order-bookkeeping-seven-years')).toBe(true);
  });
});
