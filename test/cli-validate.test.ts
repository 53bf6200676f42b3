import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { escapeData, escapeProperty, githubAnnotation } from '../src/policy/problems.js';
import { cli, tempDir, write } from './helpers/cli.js';

// `retention validate` as CI runs it: lints as warnings (errors with --strict), GitHub
// annotations, JSON; and `retention schema`, the JSON Schema that editors validate policies with.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const POLICIES = join(ROOT, 'policies');

/** Valid, with one lint: rule "second" (line 11, col 5) never governs. */
const SHADOWED = `version: 1
name: shadow
datasets:
  calls:
    key: id
rules:
  - id: first
    dataset: calls
    from: started_at
    delete_after: 30 days
  - id: second
    dataset: calls
    from: started_at
    delete_after: 60 days
`;
const SHADOW_MSG =
  'delete rule "second" (line 11) never governs: rule "first" (line 7) deletes the same records from the same start no later (delete_after 30 days, here 60 days); remove one of them or give them different scopes';

describe('validate: lints', () => {
  it('prints warnings as file:line:col: warning: and exits 0', async () => {
    const f = write(tempDir(), 'p.yaml', SHADOWED);
    const r = await cli(['validate', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${f}:11:5: warning: ${SHADOW_MSG}\n1 policy file valid (2 rules), 1 warning\n`);
  });

  it('--strict makes warnings errors: exit 1', async () => {
    const f = write(tempDir(), 'p.yaml', SHADOWED);
    const r = await cli(['validate', '--strict', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${f}:11:5: error: ${SHADOW_MSG}\n1 error in 1 of 1 file\n`);
    const clean = write(tempDir(), 'q.yaml', SHADOWED.replace(/ {2}- id: second[\s\S]*/, ''));
    expect((await cli(['validate', '--strict', clean])).code).toBe(0);
  });

  it('--format json includes warnings, with the lint that found them', async () => {
    const f = write(tempDir(), 'p.yaml', SHADOWED);
    const doc = JSON.parse((await cli(['validate', f, '--format', 'json'])).stdout);
    expect(doc).toMatchObject({ valid: true, strict: false, errors: 0, warnings: 1 });
    expect(doc.problems).toEqual([{ file: f, line: 11, col: 5, severity: 'warning', code: 'shadowed-delete', message: SHADOW_MSG }]);
    const strict = await cli(['validate', f, '--format', 'json', '--strict']);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({
      valid: false,
      strict: true,
      errors: 1,
      warnings: 0,
      problems: [{ severity: 'error', code: 'shadowed-delete' }],
    });
  });

  it('lints run only when every file is valid (a broken policy would make a dataset look uncovered)', async () => {
    const dir = tempDir();
    write(dir, 'a.yaml', SHADOWED);
    write(dir, 'b.yaml', SHADOWED.replace('name: shadow', 'name: broken').replace('60 days', '60 dayz'));
    const r = await cli(['validate', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems.map((p: { severity: string }) => p.severity)).toEqual(['error']);
  });

  it('the shipped policies pass --strict: their one deliberate lint (Belfabriek makes its voicemail promise twice) is ignored with a reason', async () => {
    const r = await cli(['validate', '--strict', 'policies/', '--format', 'json'], { cwd: ROOT });
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout).problems).toEqual([]);
    const text = readFileSync(join(POLICIES, 'belfabriek.yaml'), 'utf8');
    expect(text).toMatch(/# retention-ignore: shadowed-delete because .+\n {2}- id: voicemail-caller-not-kept\n/);
  });

  it('.ci/run validates the shipped policies with --strict', () => {
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^bin\/retention validate --strict policies\/$/m);
  });
});

describe('validate --format github', () => {
  it('prints workflow commands: ::warning / ::error file=,line=,col=::message', async () => {
    const f = write(tempDir(), 'p.yaml', SHADOWED);
    const r = await cli(['validate', f, '--format', 'github']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`::warning file=${f},line=11,col=5::${SHADOW_MSG}`);
    expect((await cli(['validate', f, '--format', 'github', '--strict'])).stdout.split('\n')[0]).toMatch(/^::error file=/);
  });

  it('escapes %, CR and LF in the message, and also , and : in the file name', async () => {
    const dir = tempDir();
    // A quoted YAML key can hold a line break and a percent sign; the error message quotes it.
    const f = write(dir, 'odd,name: 100%.yaml', SHADOWED.replace('  calls:\n', '  calls:\n    "50%\\r\\nof": x\n'));
    const r = await cli(['validate', f, '--format', 'github']);
    expect(r.code).toBe(1);
    const encodedFile = f.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/,/g, '%2C');
    expect(r.stdout.split('\n')[0]).toBe(`::error file=${encodedFile},line=5,col=5::unknown key "50%25%0D%0Aof" in dataset "calls"`);
    expect(encodedFile).toContain('odd%2Cname%3A 100%25.yaml');
  });

  it("escaping follows GitHub's rules (% first, so nothing is escaped twice)", () => {
    expect(escapeData('a%0Ab\r\nc: d, e')).toBe('a%250Ab%0D%0Ac: d, e');
    expect(escapeProperty('C:\\p,q%.yaml')).toBe('C%3A\\p%2Cq%25.yaml');
    expect(githubAnnotation({ file: 'x', line: 0, col: 0, severity: 'error', message: 'no such file or directory' })).toBe(
      '::error file=x::no such file or directory',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The JSON Schema.

describe('retention schema', async () => {
  const printed = await cli(['schema']);
  const schema = JSON.parse(printed.stdout) as Schema;

  it("prints the JSON Schema (draft 7) of the policy format, with the zod schema's descriptions", () => {
    expect(printed.code).toBe(0);
    expect(schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'urn:retention:policy:v1',
      title: expect.any(String),
      type: 'object',
      additionalProperties: false,
    });
    const rule = (schema.properties!.rules as Schema).items as Schema;
    expect((rule.properties!.keep_for as Schema).description).toBe('Legal minimum: no rule deletes or redacts the record before this.');
    expect(rule.required).toEqual(['id', 'dataset', 'from']);
  });

  it('schema/policy.schema.json is exactly what retention schema prints', () => {
    const committed = readFileSync(join(ROOT, 'schema/policy.schema.json'), 'utf8');
    expect(committed === printed.stdout, 'schema/policy.schema.json is stale: run bin/retention schema > schema/policy.schema.json').toBe(
      true,
    );
  });

  const shipped = readdirSync(POLICIES).filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f));
  it.each(shipped)('policies/%s starts with the schema comment and is valid against the schema', (name) => {
    const text = readFileSync(join(POLICIES, name), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/policy.schema.json');
    expect(check(schema, parse(text))).toEqual([]);
  });

  it('the schema rejects what validate rejects in shape (so the check above is not vacuous)', () => {
    const base = parse(readFileSync(join(POLICIES, 'voips.yaml'), 'utf8'));
    const rule0 = base.rules[0];
    const bad: [string, unknown][] = [
      ['unknown top-level key', { ...base, retention: 1 }],
      ['version 2', { ...base, version: 2 }],
      ['missing rules', { ...base, rules: undefined }],
      ['a bad policy name', { ...base, name: 'Voips B.V.' }],
      ['unknown rule key', { ...base, rules: [{ ...rule0, delete_afer: '1 day' }] }],
      ['rule without from', { ...base, rules: [{ ...rule0, from: undefined }] }],
      ['bad align', { ...base, rules: [{ ...rule0, align: 'week' }] }],
      ['empty redact list', { ...base, rules: [{ ...rule0, redact: [] }] }],
      ['per-record period without unit', { ...base, rules: [{ ...rule0, delete_after: { column: 'days' } }] }],
      ['unknown dataset key', { ...base, datasets: { x: { key: 'id', holds: 'h' } } }],
    ];
    for (const [what, doc] of bad) expect(check(schema, JSON.parse(JSON.stringify(doc))), what).not.toEqual([]);
  });
});

// A JSON Schema (draft 7) check for exactly the keywords the generated schema uses; any other
// keyword fails the test, so a change in the generator cannot make this check silently weaker.
interface Schema {
  [keyword: string]: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
}
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);

function check(s: Schema, v: unknown, at = '$'): string[] {
  const errs: string[] = [];
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  for (const [k, want] of Object.entries(s)) {
    if (ANNOTATIONS.has(k)) continue;
    switch (k) {
      case 'type': {
        const types = Array.isArray(want) ? want : [want];
        const actual = Array.isArray(v)
          ? 'array'
          : v === null
            ? 'null'
            : typeof v === 'number' && Number.isInteger(v)
              ? ['number', 'integer']
              : typeof v;
        if (!types.some((t) => ([] as string[]).concat(actual).includes(t as string))) errs.push(`${at}: not ${types.join('|')}`);
        break;
      }
      case 'const':
        if (v !== want) errs.push(`${at}: not ${JSON.stringify(want)}`);
        break;
      case 'enum':
        if (!(want as unknown[]).includes(v)) errs.push(`${at}: not one of ${JSON.stringify(want)}`);
        break;
      case 'pattern':
        if (typeof v === 'string' && !new RegExp(want as string, 'u').test(v)) errs.push(`${at}: does not match ${want}`);
        break;
      case 'minLength':
        if (typeof v === 'string' && [...v].length < (want as number)) errs.push(`${at}: too short`);
        break;
      case 'minItems':
        if (Array.isArray(v) && v.length < (want as number)) errs.push(`${at}: too few items`);
        break;
      case 'items':
        if (Array.isArray(v)) for (const [i, x] of v.entries()) errs.push(...check(want as Schema, x, `${at}[${i}]`));
        break;
      case 'anyOf':
        if (!(want as Schema[]).some((alt) => check(alt, v, at).length === 0)) errs.push(`${at}: matches none of anyOf`);
        break;
      case 'required':
        if (isObj(v)) for (const r of want as string[]) if (!(r in v)) errs.push(`${at}: missing ${r}`);
        break;
      case 'properties':
        if (isObj(v))
          for (const [p, ps] of Object.entries(want as Record<string, Schema>)) if (p in v) errs.push(...check(ps, v[p], `${at}.${p}`));
        break;
      case 'propertyNames':
        if (isObj(v)) for (const p of Object.keys(v)) errs.push(...check(want as Schema, p, `${at} key ${p}`));
        break;
      case 'additionalProperties':
        if (isObj(v)) {
          for (const [p, x] of Object.entries(v)) {
            if (s.properties && p in s.properties) continue;
            if (want === false) errs.push(`${at}: unknown key ${p}`);
            else if (want !== true) errs.push(...check(want as Schema, x, `${at}.${p}`));
          }
        }
        break;
      default:
        throw new Error(`schema keyword "${k}" at ${at} is not supported by this test's checker: extend check()`);
    }
  }
  return errs;
}

describe('validate: several files', () => {
  const policy = (name: string, key: string) =>
    `version: 1\nname: ${name}\ntimezone: UTC\ndatasets:\n  d:\n    key: ${key}\nrules:\n  - id: r-${name}\n    dataset: d\n    from: a\n    delete_after: 1 day\n`;

  it('a dataset declared differently by two policies is an error at the second declaration, as a run would refuse it', async () => {
    const dir = tempDir();
    write(dir, 'a.yaml', policy('pa', 'id'));
    const b = write(dir, 'b.yaml', policy('pb', 'other_id'));
    const r = await cli(['validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${b}:6:5: error: dataset "d" is declared differently by policy pa (${join(dir, 'a.yaml')}:6); key, hold and timestamps must agree`,
    );
    write(dir, 'b.yaml', policy('pb', 'id'));
    expect((await cli(['validate', dir])).code).toBe(0);
  });

  it('a file named twice (directly and through its directory) is read once', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.yaml', policy('pa', 'id'));
    const r = await cli(['validate', a, dir, a]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^1 policy file valid/);
  });
});

describe('validate: a dangling symbolic link', () => {
  it('is a problem of its file, not a crash', async () => {
    const dir = tempDir();
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'dangling.yaml'));
    const r = await cli(['validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/dangling\.yaml: error: cannot read/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
