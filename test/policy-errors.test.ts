import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicies, parsePolicyText } from '../src/policy/load.js';

// SPEC §1 "Validation": each error names the file, line and column.

/** A policy with a header, one dataset t (key id, hold h) and the given rules (block style). */
const policy = (rules: string, opts: { top?: string; dataset?: string } = {}) =>
  `version: 1\nname: p\ntimezone: Europe/Amsterdam\n${opts.top ?? ''}datasets:\n  t:\n${opts.dataset ?? '    key: id\n    hold: h\n'}rules:\n${rules}`;
//  line 1 version, 2 name, 3 timezone, [top], then datasets; with the default dataset the rules start at line 9.
const rule = (...lines: string[]) => `  - id: a\n    dataset: t\n    from: x\n${lines.map((l) => `    ${l}\n`).join('')}`;

interface ErrorCase {
  name: string;
  yaml: string;
  line: number;
  col: number;
  message: string;
  count?: number;
}

const CASES: ErrorCase[] = [
  // unknown keys at every level
  {
    name: 'unknown top-level key',
    yaml: policy(rule('delete_after: 1 year'), { top: 'colour: red\n' }),
    line: 4,
    col: 1,
    message: 'unknown key "colour"',
  },
  {
    name: 'unknown dataset key',
    yaml: policy(rule('delete_after: 1 year'), { dataset: '    key: id\n    holdd: h\n' }),
    line: 7,
    col: 5,
    message: 'unknown key "holdd"',
  },
  {
    name: 'unknown rule key',
    yaml: policy(rule('delete_after: 1 year', 'basiss: contract')),
    line: 13,
    col: 5,
    message: 'unknown key "basiss"',
  },
  {
    name: 'unknown key in a per-record period',
    yaml: policy(rule('delete_after: { column: d, unit: days, defualt: 9 days }')),
    line: 12,
    col: 44,
    message: 'unknown key "defualt"',
  },
  {
    name: 'unknown key in a flow-style rule',
    yaml: 'version: 1\nname: p\ndatasets:\n  t: { key: id }\nrules:\n  - { id: a, dataset: t, from: x, delete_after: 1 day, foo: 2 }\n',
    line: 6,
    col: 56,
    message: 'unknown key "foo"',
  },
  // references and ids
  {
    name: 'rule names an undeclared dataset',
    yaml: policy('  - id: a\n    dataset: u\n    from: x\n    delete_after: 1 year\n'),
    line: 10,
    col: 14,
    message: 'dataset "u", which is not declared',
  },
  {
    name: 'duplicate rule id',
    yaml: policy(rule('delete_after: 1 year') + rule('delete_after: 2 years')),
    line: 13,
    col: 9,
    message: 'duplicate rule id "a"',
  },
  // periods
  {
    name: 'bad period (misspelt unit)',
    yaml: policy(rule('delete_after: 6 monhts')),
    line: 12,
    col: 19,
    message: '"6 monhts" is not a valid period',
  },
  { name: 'bad period (negative)', yaml: policy(rule('keep_for: -5 days')), line: 12, col: 15, message: '"-5 days" is not a valid period' },
  { name: 'bad period (no unit)', yaml: policy(rule('delete_after: 90')), line: 12, col: 19, message: 'no unit' },
  { name: 'bad period (ISO fraction)', yaml: policy(rule('redact_after: P1.5D', 'redact: [ip]')), line: 12, col: 19, message: 'P1.5D' },
  {
    name: 'bad per-record unit',
    yaml: policy(rule('delete_after: { column: d, unit: fortnights }')),
    line: 12,
    col: 19,
    message: 'unit "fortnights"',
  },
  {
    name: 'bad per-record default',
    yaml: policy(rule('delete_after: { column: d, unit: days, default: soon }')),
    line: 12,
    col: 19,
    message: '"soon" is not a valid period',
  },
  // timezone
  {
    name: 'unknown timezone',
    yaml: 'version: 1\nname: p\ntimezone: Europe/Amsterdm\ndatasets:\n  t: {}\nrules: []\n',
    line: 3,
    col: 11,
    message: 'unknown timezone "Europe/Amsterdm"',
  },
  // redaction
  {
    name: 'redact_after without redact',
    yaml: policy(rule('redact_after: 1 year')),
    line: 12,
    col: 19,
    message: 'redact_after but no redact',
  },
  {
    name: 'redact without redact_after',
    yaml: policy(rule('delete_after: 1 year', 'redact: [ip]')),
    line: 13,
    col: 13,
    message: 'no redact_after',
  },
  {
    name: 'key column in redact',
    yaml: policy(rule('redact_after: 1 year', 'redact: [ip, id]')),
    line: 13,
    col: 18,
    message: '"id", the key column',
  },
  // retain then delete
  {
    name: 'delete_after shorter than keep_for',
    yaml: policy(rule('keep_for: 1 year', 'delete_after: 6 months')),
    line: 13,
    col: 19,
    message: 'shorter than keep_for',
  },
  {
    name: 'delete_after shorter than keep_for for some start (180 days < 6 months)',
    yaml: policy(rule('keep_for: 6 months', 'delete_after: 180 days')),
    line: 13,
    col: 19,
    message: 'shorter than keep_for',
  },
  // missing required keys
  { name: 'missing rules', yaml: 'version: 1\nname: p\ndatasets: {}\n', line: 1, col: 1, message: 'missing required key "rules"' },
  { name: 'missing datasets', yaml: 'version: 1\nname: p\nrules: []\n', line: 1, col: 1, message: 'missing required key "datasets"' },
  { name: 'missing name', yaml: 'version: 1\ndatasets: {}\nrules: []\n', line: 1, col: 1, message: 'missing required key "name"' },
  {
    name: 'missing rule dataset',
    yaml: policy('  - id: a\n    from: x\n    delete_after: 1 day\n'),
    line: 9,
    col: 5,
    message: 'missing required key "dataset"',
  },
  {
    name: 'missing rule id',
    yaml: policy('  - dataset: t\n    from: x\n    delete_after: 1 day\n'),
    line: 9,
    col: 5,
    message: 'missing required key "id"',
  },
  { name: 'missing rule from', yaml: policy('  - id: a\n    dataset: t\n    delete_after: 1 day\n'), line: 9, col: 5, message: 'from' },
  { name: 'missing version', yaml: 'name: p\ndatasets: {}\nrules: []\n', line: 1, col: 1, message: 'version' },
  { name: 'rule without any period', yaml: policy(rule()), line: 9, col: 5, message: 'needs at least one of delete_after, redact_after' },
  { name: 'wrong version', yaml: 'version: 2\nname: p\ndatasets: {}\nrules: []\n', line: 1, col: 10, message: 'version must be 1' },
  // YAML syntax
  {
    name: 'YAML: unclosed flow sequence',
    yaml: policy('  - id: a\n    dataset: t\n    from: [x\n    delete_after: 1 year\n'),
    line: 12,
    col: 5,
    message: 'YAML',
  },
  {
    name: 'YAML: duplicate key',
    yaml: policy(rule('from: y', 'delete_after: 1 year')),
    line: 12,
    col: 5,
    message: 'YAML: key "from" is given twice in one mapping; keep one of them',
  },
  { name: 'YAML: tab indentation', yaml: 'version: 1\nname: p\ndatasets:\n\tt: {}\nrules: []\n', line: 4, col: 1, message: 'YAML' },
  // timestamps format
  {
    name: 'timestamps: format without a year',
    yaml: policy(rule('delete_after: 1 year'), { dataset: '    timestamps: dd-MM\n' }),
    line: 6,
    col: 17,
    message: 'timestamps "dd-MM"',
  },
  {
    name: 'timestamps: misspelt iso',
    yaml: policy(rule('delete_after: 1 year'), { dataset: '    timestamps: isoo\n' }),
    line: 6,
    col: 17,
    message: 'timestamps "isoo"',
  },
  {
    name: 'timestamps: empty',
    yaml: policy(rule('delete_after: 1 year'), { dataset: '    timestamps: ""\n' }),
    line: 6,
    col: 17,
    message: 'timestamps must be',
  },
  // align
  { name: 'align: week', yaml: policy(rule('align: week', 'delete_after: 1 year')), line: 12, col: 12, message: 'align' },
  { name: 'align: a number', yaml: policy(rule('align: 3', 'delete_after: 1 year')), line: 12, col: 12, message: 'align' },
  // wrong shapes: named as such, not as missing keys
  { name: 'an empty file', yaml: '', line: 1, col: 1, message: 'the file must be a YAML mapping of keys, not empty' },
  { name: 'a file holding one word', yaml: 'hi\n', line: 1, col: 1, message: 'the file must be a YAML mapping of keys, not the text "hi"' },
  {
    name: 'key: a list',
    yaml: policy(rule('delete_after: 1 year'), { dataset: '    key: [a, b]\n' }),
    line: 6,
    col: 10,
    message: 'key of dataset "t" must be a string, not a list',
  },
  {
    name: 'dataset: a list',
    yaml: policy('  - id: a\n    dataset: [t, u]\n    from: x\n    delete_after: 1 year\n'),
    line: 10,
    col: 14,
    message: 'dataset of rule "a" (line 9) must be a string, not a list',
  },
];

describe('each validation error names the file, line and column', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { policy: p, problems } = parsePolicyText(c.yaml, 'x.yaml');
    expect(p, 'an invalid policy must not be returned').toBeUndefined();
    expect(problems.length, JSON.stringify(problems)).toBe(c.count ?? 1);
    const hit = problems.find((x) => x.message.includes(c.message));
    expect(hit, `no problem mentions ${c.message}: ${JSON.stringify(problems)}`).toBeDefined();
    expect({ file: hit!.file, line: hit!.line, col: hit!.col, severity: hit!.severity }).toEqual({
      file: 'x.yaml',
      line: c.line,
      col: c.col,
      severity: 'error',
    });
  });

  it('the base policy of the table is valid (so each case has exactly the error it adds)', () => {
    const r = parsePolicyText(
      policy(rule('delete_after: 1 year', 'redact_after: 1 month', 'redact: [ip]', 'keep_for: 6 months')),
      'x.yaml',
    );
    expect(r.problems).toEqual([]);
    expect(r.policy?.rules.map((x) => x.id)).toEqual(['a']);
  });
});

describe('several errors in one file are all reported at once, sorted by line', () => {
  const MULTI = `version: 1
name: p
timezone: Europe/Amsterdam
colour: red
datasets:
  t: { key: id, timestamps: dd-MM }
rules:
  - id: a
    dataset: t
    from: x
    delete_after: 6 monhts
  - id: a
    dataset: nope
    from: x
    keep_for: 1 year
    delete_after: 1 month
  - id: c
    dataset: t
    from: x
    redact_after: 1 year
    redact: [id]
    extra: 1
  - id: d
    dataset: t
    from: x
    redact_after: 1 year
`;
  const EXPECTED: [number, number, string][] = [
    [4, 1, 'unknown key "colour"'],
    [6, 29, 'timestamps "dd-MM"'],
    [11, 19, '"6 monhts" is not a valid period'],
    [12, 9, 'duplicate rule id "a"'],
    [13, 14, 'dataset "nope", which is not declared'],
    [16, 19, 'shorter than keep_for'],
    [21, 14, '"id", the key column'],
    [22, 5, 'unknown key "extra"'],
    [26, 19, 'redact_after but no redact'],
  ];

  it('reports every problem with its position', () => {
    const { policy: p, problems } = parsePolicyText(MULTI, 'multi.yaml');
    expect(p).toBeUndefined();
    expect(problems.map((x) => [x.line, x.col])).toEqual(EXPECTED.map(([l, c]) => [l, c]));
    for (const [i, [, , msg]] of EXPECTED.entries()) expect(problems[i].message).toContain(msg);
    expect(problems.every((x) => x.file === 'multi.yaml' && x.severity === 'error')).toBe(true);
  });

  it('sorted by line, then column', () => {
    const { problems } = parsePolicyText(MULTI, 'multi.yaml');
    const keys = problems.map((x) => x.line * 1000 + x.col);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });

  // SPEC §1: "`delete_after` shorter than `keep_for` in one rule: each is an error that names the
  // file, line and column." With an unknown timezone the check compares invalid DateTimes and
  // silently passes, so this error is missing from the file's report.
  it('an unknown timezone does not hide "delete_after shorter than keep_for"', () => {
    const yaml =
      'version: 1\nname: p\ntimezone: Mars/Olympus\ndatasets:\n  t: {}\nrules:\n  - id: a\n    dataset: t\n    from: x\n    keep_for: 1 year\n    delete_after: 1 month\n';
    const { problems } = parsePolicyText(yaml, 'x.yaml');
    expect(problems.map((x) => `${x.line}:${x.col}`)).toEqual(['3:11', '11:19']);
    expect(problems[1].message).toContain('shorter than keep_for');
  });
});

describe('loadPolicies carries the file name and collects the problems of every file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-policy-errors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports each file's problems with its own path", () => {
    const a = join(dir, 'a.yaml'),
      b = join(dir, 'b.yml'),
      ok = join(dir, 'ok.yaml');
    writeFileSync(a, policy(rule('delete_after: 6 monhts')));
    writeFileSync(b, 'version: 1\nname: q\ntimezone: Nowhere/City\ndatasets:\n  t: {}\nrules: []\n');
    writeFileSync(ok, 'version: 1\nname: r\ndatasets:\n  t: {}\nrules:\n  - { id: x, dataset: t, from: s, delete_after: 1 day }\n');
    const r = loadPolicies([dir]);
    expect(r.problems.map((x) => [x.file, x.line, x.col])).toEqual([
      [a, 12, 19],
      [b, 3, 11],
    ]);
    expect(r.policies.map((x) => x.name)).toEqual(['r']);
  });
});
