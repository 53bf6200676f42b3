import { createHash } from 'node:crypto';
import { readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { findIgnores } from './ignores.js';
import type { YamlPath } from './locate.js';
import { type Dataset, type Location, type Policy, sameDatasetSettings } from './model.js';
import { didYouMean, ruleName } from './names.js';
import { type NormalizeInput, normalizePolicy } from './normalize.js';
import type { PolicyProblem } from './problems.js';
import {
  datasetSchema,
  looseDatasetSchema,
  loosePolicySchema,
  looseRuleSchema,
  perRecordPeriodSchema,
  policySchema,
  ruleSchema,
} from './schema.js';
import { type NamePath, readYaml, readYamlFile, reportZodIssue } from './yaml-document.js';

export interface LoadResult {
  readonly policies: Policy[];
  readonly problems: PolicyProblem[];
  readonly files: string[];
}

/** True for the policy files of a directory (test files of policies are not policies). */
function isPolicyFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !/\.test\.ya?ml$/i.test(name);
}

/**
 * Expands directories to the files `wanted` accepts, sorted; a missing path, or a directory
 * holding none of them (`what` names them), is a problem.
 */
export function expandPaths(
  paths: readonly string[],
  wanted: (name: string) => boolean,
  what: string,
): { files: string[]; problems: PolicyProblem[] } {
  const files: string[] = [];
  const problems: PolicyProblem[] = [];
  for (const p of paths) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch {
      problems.push({ file: p, line: 0, col: 0, severity: 'error', message: 'no such file or directory' });
      continue;
    }
    if (st.isDirectory()) {
      const found = readdirSync(p)
        .filter(wanted)
        .sort()
        .map((f) => join(p, f));
      if (found.length === 0) problems.push({ file: p, line: 0, col: 0, severity: 'error', message: `directory holds no ${what}` });
      files.push(...found);
    } else files.push(p);
  }
  // A file named twice (`policies/ policies/a.yaml`) is read once.
  const seen = new Set<string>();
  const id = (f: string) => {
    try {
      return realpathSync(f);
    } catch {
      return f;
    }
  }; // a dangling link is reported when read
  return {
    files: files.filter((f) => {
      const k = id(f);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    }),
    problems,
  };
}

/** Expands directories to their policy files (not their test files). */
function expandPolicyPaths(paths: readonly string[]): { files: string[]; problems: PolicyProblem[] } {
  return expandPaths(paths, isPolicyFile, '*.yaml or *.yml policy files');
}

/** Loads and validates policy files and directories; every problem of every file is collected. */
export function loadPolicies(paths: readonly string[]): LoadResult {
  const { files, problems } = expandPolicyPaths(paths);
  const policies: Policy[] = [];
  for (const file of files) {
    const read = readYamlFile(file);
    if ('problem' in read) {
      problems.push(read.problem);
      continue;
    }
    const r = parsePolicyText(read.text, file);
    problems.push(...r.problems);
    if (r.policy) policies.push(r.policy);
  }
  for (const c of conflicts(policies)) problems.push({ ...c.at, severity: 'error', message: c.message });
  return { policies, problems, files };
}

/**
 * What policies loaded together must not do: use one name twice, or declare one dataset with
 * different settings (which key, hold or timestamp format applies would be a guess). The same
 * file given twice is one policy.
 */
export function conflicts(policies: readonly Policy[]): { at: Location; message: string }[] {
  const out: { at: Location; message: string }[] = [];
  const byName = new Map<string, string>();
  const datasets = new Map<string, Dataset>();
  for (const p of policies) {
    const other = byName.get(p.name);
    if (other !== undefined && other !== p.file)
      out.push({
        at: { file: p.file, line: 1, col: 1 },
        message: `policy name "${p.name}" is also used by ${other}; names must be unique`,
      });
    byName.set(p.name, p.file);
    for (const d of p.datasets.values()) {
      const first = datasets.get(d.name);
      if (!first) datasets.set(d.name, d);
      else if (!sameDatasetSettings(first, d)) {
        out.push({
          at: d.loc,
          message: `dataset "${d.name}" is declared differently by policy ${first.policy} (${first.loc.file}:${first.loc.line}); key, hold and timestamps must agree`,
        });
      }
    }
  }
  return out;
}

/** Parses one policy document: YAML syntax, then the schema, then the cross-field rules. */
export function parsePolicyText(text: string, file: string): { policy?: Policy; problems: PolicyProblem[] } {
  const { js, problems, at, report } = readYaml(text, file);
  if (js === undefined) return { problems };
  const parsed = policySchema.safeParse(js, { reportInput: true });
  if (!parsed.success) for (const issue of parsed.error.issues) reportZodIssue(issue, report, hint, namer(js, at));
  const loose = loosePolicySchema.safeParse(js);
  if (!loose.success) return { problems };
  const input: NormalizeInput = {
    ...loose.data,
    datasets: Object.fromEntries(Object.entries(loose.data.datasets).map(([k, v]) => [k, looseDatasetSchema.safeParse(v ?? {}).data])),
    rules: loose.data.rules.map((r) => looseRuleSchema.safeParse(r).data),
  };
  const sha256 = createHash('sha256').update(text).digest('hex');
  const policy = normalizePolicy(input, file, sha256, at, report);
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return { policy: parsed.success && policy ? { ...policy, ignores: findIgnores(text, file) } : undefined, problems };
}

/** Every key a policy file may have, from the schema itself: the words "did you mean" offers. */
const KNOWN = [...new Set([policySchema, datasetSchema, ruleSchema, perRecordPeriodSchema].flatMap((z) => Object.keys(z.shape)))];

function hint(key: string): string {
  return didYouMean(key, KNOWN);
}

/** How a message names the part of a policy at a path: a rule by id and line, a dataset by name. */
function namer(js: unknown, at: (path: YamlPath) => Location): NamePath {
  const doc = js as { rules?: unknown } | undefined;
  return (path) => {
    const [top, which, ...rest] = path;
    let owner: string | undefined;
    if (top === 'rules' && typeof which === 'number') {
      const rule = Array.isArray(doc?.rules) ? (doc.rules[which] as { id?: unknown } | undefined) : undefined;
      owner = ruleName(rule?.id, at(['rules', which]).line);
    } else if (top === 'datasets' && which !== undefined) owner = `dataset "${which}"`;
    if (owner === undefined) return path.join('.');
    return rest.length ? `${rest.join('.')} of ${owner}` : owner;
  };
}
