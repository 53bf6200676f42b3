import { lintPolicies } from '../policy/lints.js';
import { loadPolicies } from '../policy/load.js';
import type { PolicyProblem } from '../policy/problems.js';

/** What `validate` found: every problem of every file, then the lints across the policies. */
export interface ValidateResult {
  readonly valid: boolean;
  readonly strict: boolean;
  readonly files: readonly string[];
  readonly errors: number;
  readonly warnings: number;
  readonly policies: readonly { readonly name: string; readonly file: string; readonly rules: number }[];
  readonly problems: readonly PolicyProblem[];
}

/**
 * The CI check of policy files. The lints look across all policies, so they run only when every
 * file loaded: with one policy missing, a dataset it covers would look uncovered. `strict` makes
 * warnings errors.
 */
export function validate(paths: readonly string[], strict: boolean): ValidateResult {
  const { problems: loadProblems, files, policies } = loadPolicies(paths);
  const clean = !loadProblems.some((p) => p.severity === 'error');
  const problems = [...loadProblems, ...(clean ? lintPolicies(policies) : [])].map((p) =>
    strict && p.severity === 'warning' ? { ...p, severity: 'error' as const } : p,
  );
  const errors = problems.filter((p) => p.severity === 'error').length;
  return {
    valid: errors === 0,
    strict,
    files,
    errors,
    warnings: problems.length - errors,
    policies: policies.map((p) => ({ name: p.name, file: p.file, rules: p.rules.length })),
    problems,
  };
}
