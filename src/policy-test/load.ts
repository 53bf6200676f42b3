import { dirname, isAbsolute, join } from 'node:path';
import { DateTime } from 'luxon';
import { AsOfError, resolveAsOf } from '../app/as-of.js';
import { combineDatasets } from '../app/combine.js';
import type { DatasetRules } from '../engine/evaluate.js';
import { asText } from '../engine/value.js';
import { conflicts, expandPaths, loadPolicies } from '../policy/load.js';
import type { YamlPath } from '../policy/locate.js';
import type { Location, Policy } from '../policy/model.js';
import type { PolicyProblem } from '../policy/problems.js';
import { readYaml, readYamlFile, reportZodIssue } from '../policy/yaml-document.js';
import { type Expectation, parseExpectation } from './expectation.js';
import { KEYS_AT_DEPTH, type PolicyTestFileInput, policyTestFileSchema } from './schema.js';

/** One instant a test decides its records at. */
export interface TestInstant {
  /** As written in the file. */
  readonly text: string;
  readonly asOf: DateTime;
  readonly loc: Location;
}

/** What one record must get at one instant. */
export interface TestExpectation {
  readonly text: string;
  readonly expectation: Expectation;
  readonly loc: Location;
}

export interface TestRecord {
  readonly values: Readonly<Record<string, unknown>>;
  /** `id=7` when the record gives the dataset's key column, else `#2` (its place in the test). */
  readonly label: string;
  /** The key as explain shows it. */
  readonly key: string;
  readonly loc: Location;
  /** One per instant of the test, in the same order. */
  readonly expect: readonly TestExpectation[];
}

export interface PolicyTest {
  readonly name: string;
  readonly loc: Location;
  readonly rules: DatasetRules;
  readonly instants: readonly TestInstant[];
  readonly records: readonly TestRecord[];
}

/** A test file, ready to run; `tests` is empty when it has problems (an invalid file is not run). */
export interface PolicyTestFile {
  readonly file: string;
  readonly tests: readonly PolicyTest[];
  readonly problems: readonly PolicyProblem[];
}

/** Test files of policies: `*.test.yaml` / `*.test.yml`. */
export function isPolicyTestFile(name: string): boolean {
  return /\.test\.ya?ml$/i.test(name);
}

/** Expands directories to their test files; a missing path or an empty directory is a problem. */
export function expandTestPaths(paths: readonly string[]): { files: string[]; problems: PolicyProblem[] } {
  return expandPaths(paths, isPolicyTestFile, '*.test.yaml policy test files');
}

/** Policies already loaded in this run, by path, so test files sharing a policy read it once. */
export type PolicyCache = Map<string, ReturnType<typeof loadPolicies>>;

/** Reads and checks one test file: YAML, shape, then every reference against its policies. */
export function loadTestFile(file: string, cache: PolicyCache = new Map()): PolicyTestFile {
  const read = readYamlFile(file);
  if ('problem' in read) return { file, tests: [], problems: [read.problem] };
  const { js, problems, at, report } = readYaml(read.text, file);
  const done = () => ({ file, tests: [], problems: problems.sort((a, b) => a.line - b.line || a.col - b.col) });
  if (js === undefined) return done();
  const parsed = policyTestFileSchema.safeParse(js, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportZodIssue(issue, report, allowedKeys);
    return done();
  }
  const input = parsed.data;

  const policies = loadTestPolicies(input, file, cache, at, problems);
  if (!policies) return done();
  const conflict = conflicts(policies)[0];
  if (conflict) {
    report(['policy'], conflict.message);
    return done();
  }
  const datasets: Map<string, DatasetRules> = combineDatasets(policies);
  const allRules = policies.flatMap((p) => p.rules);

  const tests: PolicyTest[] = [];
  input.tests.forEach((t, i) => {
    const rules = datasets.get(t.dataset);
    if (!rules) {
      report(
        ['tests', i, 'dataset'],
        `the policies under test declare no dataset "${t.dataset}" (declared: ${[...datasets.keys()].join(', ')})`,
      );
      return;
    }
    const asOfTexts = Array.isArray(t.as_of) ? t.as_of : [t.as_of];
    const instants: TestInstant[] = [];
    asOfTexts.forEach((s, k) => {
      const path = Array.isArray(t.as_of) ? ['tests', i, 'as_of', k] : ['tests', i, 'as_of'];
      try {
        // as_of is required, so resolveAsOf never falls back to "now".
        instants.push({ text: s, asOf: resolveAsOf(s, DateTime.fromMillis(0), policies), loc: at(path) });
      } catch (e) {
        if (!(e instanceof AsOfError)) throw e;
        report(path, `as_of ${e.message}`);
      }
    });
    const records: TestRecord[] = [];
    t.records.forEach((r, j) => {
      const base = ['tests', i, 'records', j];
      const list = Array.isArray(r.expect) ? r.expect : undefined;
      if (list && list.length !== asOfTexts.length) {
        report(
          [...base, 'expect'],
          `expect has ${list.length} entr${list.length === 1 ? 'y' : 'ies'} and as_of ${asOfTexts.length} instant${asOfTexts.length === 1 ? '' : 's'}: give one expectation per instant, or one for all`,
        );
        return;
      }
      const expect: TestExpectation[] = [];
      asOfTexts.forEach((_, k) => {
        const textK = list ? list[k] : (r.expect as string);
        const path = list ? [...base, 'expect', k] : [...base, 'expect'];
        const e = parseExpectation(textK, rules, allRules);
        if ('problem' in e) {
          if (list || k === 0) report(path, e.problem);
        } else expect.push({ text: textK.trim().replace(/\s+/g, ' '), expectation: e, loc: at(path) });
      });
      const keyColumn = rules.dataset.key;
      const keyValue = keyColumn !== undefined && r.record[keyColumn] != null ? asText(r.record[keyColumn]) : undefined;
      records.push({
        values: r.record,
        loc: at([...base, 'record']),
        expect,
        label: keyValue !== undefined ? `${keyColumn}=${keyValue}` : `#${j + 1}`,
        key: keyValue ?? `#${j + 1}`,
      });
    });
    tests.push({ name: t.name, loc: at(['tests', i]), rules, instants, records });
  });
  if (problems.length > 0) return done();
  return { file, tests, problems };
}

/** The policies a test file names, relative to it; their own problems keep their own positions. */
function loadTestPolicies(
  input: PolicyTestFileInput,
  file: string,
  cache: PolicyCache,
  at: (path: YamlPath) => Location,
  problems: PolicyProblem[],
): Policy[] | undefined {
  const refs = Array.isArray(input.policy) ? input.policy : [input.policy];
  const policies: Policy[] = [];
  let ok = true;
  refs.forEach((ref, k) => {
    const path = isAbsolute(ref) ? ref : join(dirname(file), ref);
    const where = at(Array.isArray(input.policy) ? ['policy', k] : ['policy']);
    let loaded = cache.get(path);
    if (!loaded) {
      loaded = loadPolicies([path]);
      cache.set(path, loaded);
    }
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      ok = false;
      const missing = errors.length === 1 && errors[0].file === path && errors[0].line === 0;
      problems.push({
        ...where,
        severity: 'error',
        message: missing
          ? `policy ${path}: ${errors[0].message}`
          : `policy ${ref} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}; run retention validate ${path})`,
      });
      if (!missing) problems.push(...errors);
    }
    policies.push(...loaded.policies);
  });
  if (!ok) return undefined;
  return [...new Map(policies.map((p) => [p.file, p])).values()];
}

function allowedKeys(_key: string, path: readonly (string | number)[]): string {
  const allowed = KEYS_AT_DEPTH[path.length];
  return allowed ? ` (allowed: ${allowed.join(', ')})` : '';
}
