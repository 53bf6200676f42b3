import { describe, expect, it } from 'vitest';
import { lintPolicies } from '../src/policy/lints.js';
import { parsePolicyText } from '../src/policy/load.js';
import type { Policy } from '../src/policy/model.js';

// The semantic lints, one table: each lint fires on a minimal policy at the rule (or dataset) it
// is about, and stays quiet on a near miss. Every policy below is one dataset `d` declared on
// line 5 (its settings at column 6), then its rules one per line from line 7, at column 5;
// a rule names dataset d and starts from column t unless it says otherwise.

function doc(rules: string[], opts: { tz?: string; name?: string; datasets?: string[] } = {}): string {
  const datasets = opts.datasets ?? ['d: { key: id }'];
  return `${[
    'version: 1',
    `name: ${opts.name ?? 't'}`,
    `timezone: ${opts.tz ?? 'Europe/Amsterdam'}`,
    'datasets:',
    ...datasets.map((d) => `  ${d}`),
    'rules:',
    ...rules.map((r) => `  - { ${r.includes('dataset:') ? '' : 'dataset: d, '}${r.includes('from:') ? '' : 'from: t, '}${r} }`),
  ].join('\n')}\n`;
}

/** Lints of the given policy files (p.yaml, q.yaml, ...), as `file:line:col code`. */
function lint(...docs: string[]): string[] {
  const policies: Policy[] = docs.map((text, i) => {
    const file = `${'pqrs'[i]}.yaml`;
    const r = parsePolicyText(text, file);
    expect(r.problems, `${file} must be valid`).toEqual([]);
    return r.policy!;
  });
  return lintPolicies(policies).map((w) => {
    expect(w.severity).toBe('warning');
    return `${w.file}:${w.line}:${w.col} ${w.code}`;
  });
}

const DEL = 'id: all, delete_after: 1 year';
const cases: { name: string; docs: string[]; expected: string[] }[] = [
  // (a) a redaction that never happens
  {
    name: 'a: redaction after a delete of the same records that is due sooner',
    docs: [doc(['id: del, delete_after: 3 months', 'id: red, where: { svc: voip }, redact_after: 6 months, redact: [ip]'])],
    expected: ['p.yaml:8:5 unreachable-redaction'],
  },
  {
    name: 'a: 89 days is within 3 months for every start',
    docs: [doc(['id: red, redact_after: 3 months, redact: [ip]', 'id: del, delete_after: 89 days'])],
    expected: ['p.yaml:7:5 unreachable-redaction'],
  },
  {
    name: 'a: a rule redacting no sooner than it deletes',
    docs: [doc(['id: both, delete_after: 1 month, redact_after: P1M, redact: [ip]'])],
    expected: ['p.yaml:7:5 unreachable-redaction'],
  },
  {
    name: "a: a delete where-list that covers the redaction's where",
    docs: [
      doc([
        'id: del, where: { svc: [voip, sms] }, delete_after: 1 month',
        'id: red, where: { svc: voip, x: 1 }, redact_after: 2 months, redact: [ip]',
        'id: all, delete_after: 1 year',
      ]),
    ],
    expected: ['p.yaml:8:5 unreachable-redaction'],
  },
  {
    name: 'a, near miss: the redaction comes first',
    docs: [doc(['id: del, delete_after: 3 months', 'id: red, redact_after: 2 months, redact: [ip]'])],
    expected: [],
  },
  {
    name: 'a, near miss: 90 days is later than 3 months from 1 February',
    docs: [doc(['id: del, delete_after: 90 days', 'id: red, redact_after: 3 months, redact: [ip]'])],
    expected: [],
  },
  {
    name: 'a, near miss: the delete rule applies to fewer records',
    docs: [doc(['id: del, where: { svc: voip }, delete_after: 1 month', 'id: red, redact_after: 6 months, redact: [ip]', DEL])],
    expected: [],
  },
  {
    name: 'a, near miss: another start',
    docs: [doc(['id: del, delete_after: 1 month', 'id: red, from: u, redact_after: 6 months, redact: [ip]'])],
    expected: [],
  },
  {
    name: 'a, near miss: another alignment',
    docs: [doc(['id: del, delete_after: 1 month', 'id: red, align: year, redact_after: 6 months, redact: [ip]'])],
    expected: [],
  },
  {
    name: 'a, near miss: a per-record period is not compared',
    docs: [doc(['id: del, delete_after: { column: days, unit: days }', 'id: red, redact_after: 6 months, redact: [ip]'])],
    expected: [],
  },

  // (b) a delete rule that never governs
  {
    name: 'b: two equal delete rules: the second never governs',
    docs: [doc(['id: first, delete_after: 0 days', 'id: second, delete_after: P0D'])],
    expected: ['p.yaml:8:5 shadowed-delete'],
  },
  {
    name: 'b: a narrower rule with a longer period',
    docs: [doc([DEL, 'id: narrow, where: { svc: voip }, delete_after: 2 years'])],
    expected: ['p.yaml:8:5 shadowed-delete'],
  },
  {
    name: 'b: a later rule due strictly sooner shadows the first',
    docs: [doc(['id: first, delete_after: 13 months', 'id: second, delete_after: 1 year'])],
    expected: ['p.yaml:7:5 shadowed-delete'],
  },
  {
    name: 'b: 365 days before 1 year: the year never governs',
    docs: [doc(['id: days, delete_after: 365 days', 'id: year, delete_after: 1 year'])],
    expected: ['p.yaml:8:5 shadowed-delete'],
  },
  {
    name: 'b: 12 hours before 1 day, whatever the DST',
    docs: [doc(['id: day, delete_after: 1 day', 'id: half, delete_after: PT12H'])],
    expected: ['p.yaml:7:5 shadowed-delete'],
  },
  { name: 'b: across policies, in policy order', docs: [doc([DEL]), doc([DEL], { name: 'u' })], expected: ['q.yaml:7:5 shadowed-delete'] },
  {
    name: 'b, near miss: 1 year before 365 days (a leap year is longer, other years equal)',
    docs: [doc(['id: year, delete_after: 1 year', 'id: days, delete_after: 365 days'])],
    expected: [],
  },
  {
    name: 'b, near miss: 24 hours and 1 day differ across DST',
    docs: [doc(['id: hours, delete_after: PT24H', 'id: day, delete_after: 1 day'])],
    expected: [],
  },
  {
    name: 'b, near miss: a narrower rule with a shorter period',
    docs: [doc([DEL, 'id: narrow, where: { svc: voip }, delete_after: 6 months'])],
    expected: [],
  },
  {
    name: 'b, near miss: disjoint where',
    docs: [doc(['id: voip, where: { svc: voip }, delete_after: 1 year', 'id: sms, where: { svc: sms }, delete_after: 1 year', DEL])],
    expected: [],
  },
  { name: 'b, near miss: another start', docs: [doc([DEL, 'id: later, from: [t, u], delete_after: 1 year'])], expected: [] },
  {
    name: 'b, near miss: policies in different timezones are not compared',
    docs: [doc([DEL]), doc([DEL], { name: 'u', tz: 'UTC' })],
    expected: [],
  },

  // (c) a dataset no delete rule covers
  {
    name: 'c: a dataset with only a redaction',
    docs: [doc(['id: red, redact_after: 1 month, redact: [ip]'])],
    expected: ['p.yaml:5:6 dataset-kept-forever'],
  },
  {
    name: 'c: across policies: one warning, at the first declaration',
    docs: [doc(['id: red, redact_after: 1 month, redact: [ip]']), doc(['id: red, redact_after: 2 months, redact: [ip]'], { name: 'u' })],
    expected: ['p.yaml:5:6 dataset-kept-forever'],
  },
  {
    name: 'c, near miss: a delete rule for some records',
    docs: [doc(['id: voip, where: { svc: voip }, delete_after: 1 year'])],
    expected: [],
  },
  {
    name: 'c, near miss: another policy deletes from the same dataset',
    docs: [doc(['id: e, dataset: e, delete_after: 1 day'], { datasets: ['d: { key: id }', 'e: { key: id }'] }), doc([DEL], { name: 'u' })],
    expected: [],
  },

  // (d) a keep_for with nothing to hold back
  {
    name: 'd: keep_for on records no delete or redact rule applies to',
    docs: [doc(['id: sms, where: { svc: sms }, delete_after: 1 year', 'id: keep, where: { svc: voip }, keep_for: 2 years'])],
    expected: ['p.yaml:8:5 keep-without-action'],
  },
  {
    name: 'd: a dataset with only keep_for is also kept forever',
    docs: [doc(['id: keep, keep_for: 2 years'])],
    expected: ['p.yaml:5:6 dataset-kept-forever', 'p.yaml:7:5 keep-without-action'],
  },
  {
    name: 'd, near miss: the scopes overlap',
    docs: [doc(['id: sms, where: { svc: sms }, delete_after: 1 year', 'id: keep, where: { svc: [voip, sms] }, keep_for: 2 years'])],
    expected: [],
  },
  { name: 'd, near miss: retain then delete in one rule', docs: [doc(['id: both, keep_for: 1 year, delete_after: 1 year'])], expected: [] },
  {
    name: 'd, near miss: a redaction to hold back (no delete: c only)',
    docs: [doc(['id: keep, keep_for: 1 year', 'id: red, redact_after: 1 month, redact: [ip]'])],
    expected: ['p.yaml:5:6 dataset-kept-forever'],
  },
];

describe('semantic lints', () => {
  it.each(cases)('$name', ({ docs, expected }) => {
    expect(lint(...docs)).toEqual(expected);
  });

  it('messages say what is wrong, name the other rule, and what to do', () => {
    const [a] = lintPolicies([
      parsePolicyText(doc(['id: del, delete_after: 3 months', 'id: red, redact_after: 6 months, redact: [ip]']), 'p.yaml').policy!,
    ]);
    expect(a.message).toBe(
      'rule "red" (line 8) never redacts: rule "del" (line 7) deletes the same records from the same start no later (delete_after 3 months, redact_after 6 months), so they are deleted first; shorten redact_after or drop the redaction',
    );
    const [b] = lintPolicies([
      parsePolicyText(doc(['id: first, delete_after: 0 days', 'id: second, delete_after: 0 days']), 'p.yaml').policy!,
    ]);
    expect(b.message).toBe(
      'delete rule "second" (line 8) never governs: rule "first" (line 7) deletes the same records from the same start at the same time (delete_after 0 days, here 0 days) and, of equal due dates, the first rule governs; remove one of them or give them different scopes',
    );
    const [b2] = lintPolicies(
      ['p.yaml', 'q.yaml'].map(
        (f, i) =>
          parsePolicyText(doc([i ? 'id: late, delete_after: 2 years' : 'id: soon, delete_after: 1 year'], { name: f[0] }), f).policy!,
      ),
    );
    expect(b2.message).toBe(
      'delete rule "late" (line 7) never governs: rule "soon" of policy p (p.yaml:7) deletes the same records from the same start no later (delete_after 1 year, here 2 years); remove one of them or give them different scopes',
    );
    const [c, d] = lintPolicies([parsePolicyText(doc(['id: keep, keep_for: 2 years']), 'p.yaml').policy!]);
    expect(c.message).toBe(
      'no delete rule covers dataset "d": its records are kept forever (reports count them as unmanaged); add a rule with delete_after',
    );
    expect(d.message).toBe(
      'rule "keep" (line 7) has keep_for (2 years) but no delete or redact rule applies to its records in dataset "d": there is nothing to hold back; add the delete_after or redact_after it should delay, or drop the rule',
    );
  });
});
