import type { DateTime } from 'luxon';
import { combineDatasets } from '../../src/app/combine.js';
import { compilePlan, type DatasetPlan } from '../../src/engine/plan.js';
import { parsePolicyText } from '../../src/policy/load.js';

/** The plan of one dataset (default t) of one or more policies as of `asOf`. */
export function planOf(yaml: string | readonly string[], asOf: DateTime, dataset = 't'): DatasetPlan {
  const policies = [yaml].flat().map((y, i) => {
    const { policy, problems } = parsePolicyText(y, `p${i}.yaml`);
    if (!policy) throw new Error(JSON.stringify(problems));
    return policy;
  });
  const rules = combineDatasets(policies).get(dataset);
  if (!rules) throw new Error(`no dataset ${dataset}`);
  return compilePlan(rules, asOf);
}
