import { describe, expect, it } from 'vitest';
import { lintPolicies } from '../src/policy/lints.js';
import { parsePolicyText } from '../src/policy/load.js';
import type { Policy } from '../src/policy/model.js';
import { cli, tempDir, write } from './helpers/cli.js';

// The semantic lints, one table: each lint fires on a minimal policy at the rule (or dataset) it
// is about, and stays quiet on a near miss. Every policy below is one dataset `d` declared on
// line 5 (its name at column 3), then its rules one per line from line 7, at column 5;
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
    expected: ['p.yaml:5:3 dataset-kept-forever'],
  },
  {
    name: 'c: across policies: one warning, at the first declaration',
    docs: [doc(['id: red, redact_after: 1 month, redact: [ip]']), doc(['id: red, redact_after: 2 months, redact: [ip]'], { name: 'u' })],
    expected: ['p.yaml:5:3 dataset-kept-forever'],
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
    expected: ['p.yaml:5:3 dataset-kept-forever', 'p.yaml:7:5 keep-without-action'],
  },
  {
    name: 'd, near miss: the scopes overlap',
    docs: [doc(['id: sms, where: { svc: sms }, delete_after: 1 year', 'id: keep, where: { svc: [voip, sms] }, keep_for: 2 years'])],
    expected: [],
  },
  { name: 'd, near miss: retain then delete in one rule', docs: [doc(['id: both, keep_for: 1 year, delete_after: 1 year'])], expected: [] },
  {
    name: 'd, near miss: a redaction to hold back (no delete: c, and e since it is held back)',
    docs: [doc(['id: keep, keep_for: 1 year', 'id: red, redact_after: 1 month, redact: [ip]'])],
    expected: ['p.yaml:5:3 dataset-kept-forever', 'p.yaml:8:5 keep-blocks-redaction'],
  },

  // (e) a keep_for that holds a redaction back past its period
  {
    name: 'e: a 7-year bookkeeping keep_for (from the end of the year) blocks a 90-day redaction of the same records',
    docs: [doc(['id: books, align: year, keep_for: 7 years, delete_after: 7 years', 'id: phone, redact_after: 90 days, redact: [phone]'])],
    expected: ['p.yaml:8:5 keep-blocks-redaction'],
  },
  {
    name: 'e: a keep_for on fewer records still blocks the redaction of those',
    docs: [doc([DEL, 'id: keep, where: { svc: voip }, keep_for: 1 year', 'id: red, redact_after: 1 month, redact: [ip]'])],
    expected: ['p.yaml:9:5 keep-blocks-redaction'],
  },
  {
    name: 'e: a rule keeping and redacting',
    docs: [doc([DEL, 'id: both, keep_for: 6 months, redact_after: 1 month, redact: [ip]'])],
    expected: ['p.yaml:8:5 keep-blocks-redaction'],
  },
  {
    name: 'e: across policies',
    docs: [
      doc(['id: books, keep_for: 2 years, delete_after: 2 years']),
      doc(['id: red, redact_after: 1 month, redact: [ip]'], { name: 'u' }),
    ],
    expected: ['q.yaml:7:5 keep-blocks-redaction'],
  },
  {
    name: 'e, near miss: the keep_for ends before the redaction is due',
    docs: [doc([DEL, 'id: keep, keep_for: 1 month', 'id: red, redact_after: 3 months, redact: [ip]'])],
    expected: [],
  },
  {
    name: 'e, near miss: equal periods (the keep_for delays nothing)',
    docs: [doc([DEL, 'id: keep, keep_for: 3 months', 'id: red, redact_after: P3M, redact: [ip]'])],
    expected: [],
  },
  {
    name: 'e, near miss: disjoint where',
    docs: [
      doc([DEL, 'id: keep, where: { svc: sms }, keep_for: 1 year', 'id: red, where: { svc: voip }, redact_after: 1 month, redact: [ip]']),
    ],
    expected: [],
  },
  {
    name: 'e, near miss: the keep_for starts from another column',
    docs: [doc([DEL, 'id: keep, from: u, keep_for: 1 year', 'id: red, redact_after: 1 month, redact: [ip]'])],
    expected: [],
  },
  {
    name: 'e, near miss: the redaction is aligned and the keep_for is not (its start may be sooner)',
    docs: [doc([DEL, 'id: keep, keep_for: 1 year', 'id: red, align: year, redact_after: 1 month, redact: [ip]'])],
    expected: [],
  },
  {
    name: 'e, near miss: a per-record keep_for is not compared',
    docs: [doc([DEL, 'id: keep, keep_for: { column: k, unit: years }', 'id: red, redact_after: 1 month, redact: [ip]'])],
    expected: [],
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
    const [e] = lintPolicies([
      parsePolicyText(
        doc([
          'id: bookkeeping, align: year, keep_for: 7 years, delete_after: 7 years',
          'id: invoice-phone-90-days, redact_after: 90 days, redact: [phone]',
        ]),
        'p.yaml',
      ).policy!,
    ]);
    expect(e.message).toBe(
      'rule "invoice-phone-90-days" (line 8) redacts phone after 90 days, but rule "bookkeeping" (line 7) keeps the same records for 7 years (keep_for), and a redaction waits for every keep_for that applies: phone stays 7 years, not 90 days; narrow the keep_for\'s where if the columns must go sooner, or set redact_after to 7 years to say what happens',
    );
  });
});

// `# retention-ignore: LINT because REASON`, on the rule's line or on a comment line above it.
describe('retention-ignore comments', () => {
  /** Two equal delete rules (the second, at line 10, never governs), with `above` lines before it and `trailing` on its line. */
  const shadowed = (above: string[] = [], trailing = '') =>
    [
      'version: 1',
      'name: t',
      'datasets:',
      '  d: { key: id }',
      'rules:',
      '  - id: first',
      '    dataset: d',
      '    from: t',
      '    delete_after: 1 year',
      ...above.map((l) => `  ${l}`),
      `  - id: second${trailing}`,
      '    dataset: d',
      '    from: t',
      '    delete_after: 1 year',
      '',
    ].join('\n');
  const found = (text: string) =>
    lintPolicies([parsePolicyText(text, 'p.yaml').policy!]).map((w) => `${w.line}:${w.col} ${w.code}: ${w.message}`);
  const SHADOW = (line = 10) => `${line}:5 shadowed-delete: delete rule "second" (line ${line}) never governs`;

  it('without an ignore the lint fires (so the cases below are not vacuous)', () => {
    expect(found(shadowed())).toEqual([expect.stringContaining(SHADOW())]);
  });

  it.each([
    ['on the line above', shadowed(['# retention-ignore: shadowed-delete because the promise is made twice'])],
    [
      'above, among other comment lines',
      shadowed(['# retention-ignore: shadowed-delete because the promise is made twice', '# The same promise, to the caller.']),
    ],
    ['on the rule line', shadowed([], '  # retention-ignore: shadowed-delete because the promise is made twice')],
    ['naming it among others', shadowed(['# retention-ignore: shadowed-delete,unreachable-redaction because twice'])],
  ])('%s: silenced', (_, text) => {
    const left = found(text);
    expect(left.filter((l) => l.includes('shadowed-delete:'))).toEqual([]);
    // naming a second lint that does not fire there is reported as unused, the first is not
    expect(left.every((l) => l.includes('unused-ignore: retention-ignore: unreachable-redaction silences nothing'))).toBe(true);
  });

  it('without a reason: silences nothing and is reported', () => {
    expect(found(shadowed(['# retention-ignore: shadowed-delete']))).toEqual([
      '10:3 invalid-ignore: retention-ignore: shadowed-delete has no reason, so it silences nothing: write "# retention-ignore: shadowed-delete because <why it is deliberate>"',
      expect.stringContaining(SHADOW(11)),
    ]);
  });

  it('naming an unknown lint: reported, with did you mean', () => {
    expect(found(shadowed(['# retention-ignore: shadowed-deletes because twice']))).toEqual([
      '10:3 invalid-ignore: retention-ignore names "shadowed-deletes", which is no lint, so it silences nothing; did you mean "shadowed-delete"?',
      expect.stringContaining(SHADOW(11)),
    ]);
    expect(found(shadowed(['# retention-ignore: because twice']))[0]).toBe(
      '10:3 invalid-ignore: retention-ignore names no lint: write "# retention-ignore: LINT because <why it is deliberate>" (lints: unreachable-redaction, shadowed-delete, dataset-kept-forever, keep-without-action, keep-blocks-redaction)',
    );
  });

  it('silencing nothing (another lint, another rule, or two lines above): reported as unused', () => {
    expect(found(shadowed(['# retention-ignore: unreachable-redaction because x']))).toEqual([
      '10:3 unused-ignore: retention-ignore: unreachable-redaction silences nothing: there is no unreachable-redaction warning on line 11; remove the comment',
      expect.stringContaining(SHADOW(11)),
    ]);
    const onFirst = shadowed().replace('  - id: first', '  - id: first  # retention-ignore: shadowed-delete because x');
    expect(found(onFirst)).toEqual([
      '6:16 unused-ignore: retention-ignore: shadowed-delete silences nothing: there is no shadowed-delete warning on line 6; remove the comment',
      expect.stringContaining(SHADOW()),
    ]);
  });

  it('above a block-style dataset: silences dataset-kept-forever, reported at the dataset name', () => {
    const text = (above: string) =>
      `version: 1\nname: t\ndatasets:\n${above}  calls:\n    key: id\nrules:\n  - { id: r, dataset: calls, from: t, redact_after: 1 day, redact: [x] }\n`;
    expect(found(text(''))).toEqual([expect.stringMatching(/^4:3 dataset-kept-forever: no delete rule covers dataset "calls"/)]);
    expect(found(text('  # retention-ignore: dataset-kept-forever because the archive deletes them\n'))).toEqual([]);
  });

  it('a "#" inside a quoted value is no comment', () => {
    const text = shadowed().replace(
      '    delete_after: 1 year\n  - id: second',
      '    delete_after: 1 year\n    basis: "x # retention-ignore: shadowed-delete because y"\n  - id: second',
    );
    expect(found(text)).toEqual([expect.stringContaining(SHADOW(11))]);
  });

  it('validate --strict: an ignored lint passes, an unused ignore fails', async () => {
    const dir = tempDir();
    const ok = write(dir, 'ok.yaml', shadowed(['# retention-ignore: shadowed-delete because the promise is made twice']));
    expect(await cli(['validate', '--strict', ok])).toMatchObject({ code: 0, stdout: '1 policy file valid (2 rules)\n' });
    const unused = write(
      dir,
      'unused.yaml',
      shadowed(['# retention-ignore: shadowed-delete because x']).replace(
        '  - id: second\n    dataset: d\n    from: t',
        '  - id: second\n    dataset: d\n    from: u',
      ),
    );
    const r = await cli(['validate', '--strict', '--format', 'json', unused]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems.map((p: { line: number; code: string }) => `${p.line} ${p.code}`)).toEqual(['10 unused-ignore']);
  });
});
