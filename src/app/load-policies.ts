import { UserError } from '../errors.js';
import { loadPolicies } from '../policy/load.js';
import type { Policy } from '../policy/model.js';
import { formatProblem } from '../policy/problems.js';

/** Policies for a run: any error in any file stops the run before a source is opened. */
export function policiesForRun(paths: readonly string[]): Policy[] {
  const { policies, problems } = loadPolicies(paths);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new UserError(`invalid policy; nothing was read or changed:\n${errors.map(formatProblem).join('\n')}`);
  }
  return policies;
}
