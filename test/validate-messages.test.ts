import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../src/policy/load.js';
import { formatProblem } from '../src/policy/problems.js';
import { cli, logText, tempDir, write } from './helpers/cli.js';

// Every message validate prints, exactly as printed: input YAML -> file:line:col: error: message.
// Messages name a rule by its id and its line, a dataset by its name; they say what is wrong in
// the words of someone editing a policy (no zod text, no yaml library text) and what to do.

/** A valid policy whose rules (block style, from line 6) the cases replace. */
const head = 'version: 1\nname: p\ndatasets:\n  invoices: { key: id }\nrules:\n';
const one = (...keys: string[]) => `${head}  - id: a\n    dataset: invoices\n    from: x\n${keys.map((k) => `    ${k}\n`).join('')}`;

const CASES: { name: string; yaml: string; expected: string[] }[] = [
  // YAML syntax, in plain words, at the line to fix
  {
    name: 'an over-indented key: at its own line, not at the value above it',
    yaml: one('delete_after: 1 day', '  basis: contract'),
    expected: [
      'p.yaml:10:7: error: YAML: "basis" is indented more than "delete_after" on line 9: the keys of one mapping start in the same column',
    ],
  },
  {
    name: 'a value holding ": "',
    yaml: one('delete_after: 1 day', 'cite: Zes maanden: met wie'),
    expected: ['p.yaml:10:11: error: YAML: this value holds ": ", which YAML reads as a nested key: put the value in quotes'],
  },
  {
    name: 'two documents',
    yaml: `${one('delete_after: 1 day')}---\nversion: 1\n`,
    expected: [
      'p.yaml:10:1: error: YAML: a second YAML document starts here ("---"); the file must hold one document: remove this line or split the file',
    ],
  },
  {
    name: 'a tab',
    yaml: one('delete_after: 1 day', '\tbasis: x').replace('    \t', '\t'),
    expected: ['p.yaml:10:1: error: YAML: this line is indented with a tab; YAML indents with spaces only'],
  },
  {
    name: 'a key twice',
    yaml: one('delete_after: 1 day', 'from: y'),
    expected: ['p.yaml:10:5: error: YAML: key "from" is given twice in one mapping; keep one of them'],
  },
  {
    name: 'an unclosed list',
    yaml: one('redact: [ip', 'redact_after: 1 day'),
    expected: ['p.yaml:10:5: error: YAML: a list opened with "[" above is not closed: end it with "]"'],
  },
  {
    name: 'an unclosed quote',
    yaml: one('delete_after: 1 day', 'cite: "Zes maanden'),
    expected: ['p.yaml:11:1: error: YAML: a text opened with " is not closed: add the closing "'],
  },
  {
    name: 'a key between the "-" and the keys of its item',
    yaml: one('delete_after: 1 day', 'basis: x').replace('    basis', '   basis'),
    expected: [
      'p.yaml:10:1: error: YAML: this line is indented less than the keys of the list item above, and more than its "-": line it up with the keys, or start a new item with "- "',
    ],
  },
  {
    name: 'a value starting with a reserved character',
    yaml: one('delete_after: 1 day', 'basis: @contract'),
    expected: ['p.yaml:10:12: error: YAML: a value cannot start with "@" unless it is quoted: put the value in quotes'],
  },
  {
    name: 'an alias without its anchor',
    yaml: one('delete_after: *period'),
    expected: [
      'p.yaml:9:19: error: YAML: alias *period names no anchor set before it: write &period on the value it stands for, above the alias',
    ],
  },

  // the shape of the file, without zod's words
  {
    name: 'version 2',
    yaml: one('delete_after: 1 day').replace('version: 1', 'version: 2'),
    expected: ['p.yaml:1:10: error: version must be 1, not the number 2'],
  },
  {
    name: 'a name that is not an id',
    yaml: `${one('delete_after: 1 day')}`.replace('name: p', 'name: P Q'),
    expected: ['p.yaml:2:7: error: name must be lowercase letters, digits and dashes ([a-z0-9-]+), not the text "P Q"'],
  },
  {
    name: 'an empty from list',
    yaml: one('delete_after: 1 day').replace('from: x', 'from: []'),
    expected: ['p.yaml:8:11: error: from of rule "a" (line 6) must not be an empty list'],
  },
  {
    name: 'an empty redact list',
    yaml: one('redact_after: 1 day', 'redact: []'),
    expected: ['p.yaml:10:13: error: redact of rule "a" (line 6) must not be an empty list'],
  },
  {
    name: 'an empty column name',
    yaml: one('delete_after: 1 day').replace('from: x', 'from: ""'),
    expected: ['p.yaml:8:11: error: from of rule "a" (line 6) must not be empty'],
  },
  {
    name: 'an empty where list',
    yaml: one('delete_after: 1 day', 'where: { svc: [] }'),
    expected: ['p.yaml:10:19: error: where.svc of rule "a" (line 6) must not be an empty list'],
  },
  {
    name: 'align week',
    yaml: one('delete_after: 1 day', 'align: week'),
    expected: ['p.yaml:10:12: error: align of rule "a" (line 6) must be day, month or year, not the text "week"'],
  },
  {
    name: 'a period that is not text',
    yaml: one('delete_after: true'),
    expected: [
      'p.yaml:9:19: error: delete_after of rule "a" (line 6) must be a period: text such as "90 days" or "P90D", or { column, unit, default }, not the boolean true',
    ],
  },
  {
    name: 'from that is a mapping',
    yaml: one('delete_after: 1 day').replace('from: x', 'from: { a: 1 }'),
    expected: ['p.yaml:8:11: error: from of rule "a" (line 6) must be a column name or a list of column names, not a mapping'],
  },
  {
    name: 'a dataset key that is a list',
    yaml: one('delete_after: 1 day').replace('{ key: id }', '{ key: [a] }'),
    expected: ['p.yaml:4:20: error: key of dataset "invoices" must be a string, not a list'],
  },
  {
    name: 'an unknown rule key, with did you mean',
    yaml: one('delete_afer: 1 day'),
    expected: [
      'p.yaml:9:5: error: unknown key "delete_afer" in rule "a" (line 6); did you mean "delete_after"?',
      'p.yaml:6:5: error: rule "a" (line 6) needs at least one of delete_after, redact_after (with redact) or keep_for',
    ].reverse(),
  },
  {
    name: 'a missing key of a rule without an id',
    yaml: `${head}  - dataset: invoices\n    from: x\n    delete_after: 1 day\n`,
    expected: ['p.yaml:6:5: error: missing required key "id" in the rule at line 6'],
  },

  // the policy's own rules
  {
    name: 'a misspelt dataset name: did you mean',
    yaml: one('delete_after: 1 day').replace('dataset: invoices', 'dataset: invoice'),
    expected: [
      'p.yaml:7:14: error: rule "a" (line 6) names dataset "invoice", which is not declared under datasets; did you mean "invoices"?',
    ],
  },
  {
    name: 'an unknown dataset name, far from any: the declared ones',
    yaml: one('delete_after: 1 day').replace('dataset: invoices', 'dataset: calls'),
    expected: ['p.yaml:7:14: error: rule "a" (line 6) names dataset "calls", which is not declared under datasets (declared: invoices)'],
  },
  {
    name: 'a duplicate rule id: the first named by id and line',
    yaml: `${one('delete_after: 1 day')}  - id: a\n    dataset: invoices\n    from: x\n    delete_after: 2 days\n`,
    expected: ['p.yaml:10:9: error: duplicate rule id "a": rule "a" (line 6) has it already; rule ids are unique in a policy'],
  },
  {
    name: 'redact_after without redact',
    yaml: one('redact_after: 1 day'),
    expected: ['p.yaml:9:19: error: rule "a" (line 6) has redact_after but no redact: list the columns to redact'],
  },
  {
    name: 'the key redacted',
    yaml: one('redact_after: 1 day', 'redact: [id]'),
    expected: [
      'p.yaml:10:14: error: rule "a" (line 6) redacts "id", the key column of dataset "invoices": the key identifies the record and cannot be redacted',
    ],
  },
  {
    name: 'delete_after shorter than keep_for',
    yaml: one('keep_for: 1 year', 'delete_after: 6 months'),
    expected: [
      'p.yaml:10:19: error: rule "a" (line 6): delete_after (6 months) is shorter than keep_for (1 year); a record cannot be deleted before its legal minimum',
    ],
  },
];

describe('validate messages, exactly', () => {
  it.each(CASES)('$name', ({ yaml, expected }) => {
    const { policy, problems } = parsePolicyText(yaml, 'p.yaml');
    expect(policy).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual(expected);
  });

  it('no message carries zod or yaml library wording, or ends in ":"', () => {
    for (const { yaml } of CASES)
      for (const p of parsePolicyText(yaml, 'p.yaml').problems) {
        expect(p.message).not.toMatch(/Too small|Invalid|expected|compact mapping|YAML\.parse|at line \d+, column|rules\.\d|:$/);
      }
  });
});

describe('validate without arguments', () => {
  it('outside a directory with policies/: "no policies/ here", exit 2 (usage), no file count', async () => {
    const dir = tempDir();
    const r = await cli(['validate'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(logText(r.stderr)).toMatch(
      /^no policies\/ here \(.*\): run retention validate where the policies\/ directory is, or name the policy files or directories to check$/,
    );
  });

  it('where policies/ is: validates it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'policies'));
    write(dir, 'policies/p.yaml', one('delete_after: 1 day'));
    const r = await cli(['validate'], { cwd: dir });
    expect(r.stdout).toBe('1 policy file valid (1 rules)\n');
    expect(r.code).toBe(0);
  });

  it('a path that does not exist: the path, no position, no "of 0 files"', async () => {
    const dir = tempDir();
    const r = await cli(['validate', 'nope/'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('nope/: error: no such file or directory\n1 error\n');
  });
});
