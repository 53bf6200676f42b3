import { DateTime } from 'luxon';
import type { DatasetRules } from '../engine/evaluate.js';
import { compilePlan, type DatasetPlan } from '../engine/plan.js';
import { UserError } from '../errors.js';
import type { Policy } from '../policy/model.js';
import type { DatasetInfo, Source } from '../sources/source.js';
import { AsOfError, resolveAsOf } from './as-of.js';
import { columnProblems, combineDatasets } from './combine.js';
import { policiesForRun } from './load-policies.js';
import { openSource } from './open-source.js';
import { checkPlanAge, checkPolicyHashes, checkSamePolicies, checkSameSource, type PlanHeader, readPlanHeader } from './plan-file.js';

/** What a run or explain is made with, from its options or from a saved plan. */
export interface Inputs {
  readonly policy: readonly string[];
  readonly source?: string;
  readonly asOf?: string;
  /** The CLI's clock reading; the app never reads the clock itself. */
  readonly now: DateTime;
  /** A saved plan: its policies, source and asOf. */
  readonly plan?: string;
  /** A saved plan older than this is refused (exit 5); `shown` is how the user gave it. */
  readonly maxPlanAge?: { readonly ms: number; readonly shown: string };
  readonly delimiter?: string;
  /** CSV: the files' character encoding (default UTF-8). */
  readonly encoding?: string;
  readonly lockTimeoutMs?: number;
  /** PostgreSQL: how a purge batches its changes. */
  readonly batchBy?: 'pages' | 'key';
  /** PostgreSQL: drop partitions all of whose rows are due, instead of deleting the rows. */
  readonly partitions?: 'rows' | 'drop';
  /** Open the source for changes. */
  readonly writing: boolean;
}

export interface Setup {
  readonly header?: PlanHeader;
  readonly policies: readonly Policy[];
  readonly datasets: ReadonlyMap<string, DatasetRules>;
  readonly asOf: DateTime;
  readonly source: Source;
}

/**
 * Loads what a run needs, checking it as it goes: a saved plan's policies unchanged (exit 5 even
 * when they no longer load), the policies valid, asOf, the source, and the plan's source the one
 * given. The caller closes the source.
 */
export async function setUp(o: Inputs): Promise<Setup> {
  const header = o.plan ? readPlanHeader(o.plan) : undefined;
  if (header && o.maxPlanAge) checkPlanAge(header, o.now.toMillis(), o.maxPlanAge.ms, o.maxPlanAge.shown);
  if (header) checkPolicyHashes(header);
  const policies = policiesForRun(header ? header.policies.map((p) => p.file) : o.policy);
  if (header && o.policy.length) checkSamePolicies(header, policiesForRun(o.policy));
  const datasets = combineDatasets(policies);
  const asOf = header ? planAsOf(header, o.asOf, policies) : asOfOption(o.asOf, o.now, policies);
  const path = o.source || header?.source.path;
  if (!path) throw new UserError('give --source', 2);
  const source = await openSource(path, {
    readonly: !o.writing,
    delimiter: o.delimiter,
    encoding: o.encoding,
    lockTimeoutMs: o.lockTimeoutMs,
    batchBy: o.batchBy,
    partitions: o.partitions,
  });
  try {
    if (header) checkSameSource(header, source.identity);
  } catch (e) {
    await source.close();
    throw e;
  }
  return { header, policies, datasets, asOf, source };
}

/** The plan of each dataset the source holds, checked against it; the missing ones by name. */
export function compilePlans(setup: Setup): {
  plans: DatasetPlan[];
  infos: Map<string, DatasetInfo>;
  missing: string[];
  problems: string[];
} {
  const present = setup.source.datasets();
  const plans: DatasetPlan[] = [];
  const infos = new Map<string, DatasetInfo>();
  const missing: string[] = [];
  const problems: string[] = [];
  for (const [name, rules] of setup.datasets) {
    const info = present.get(name);
    if (!info) {
      missing.push(name);
      continue;
    }
    problems.push(...columnProblems(rules, info));
    plans.push(compilePlan(rules, setup.asOf));
    infos.set(name, info);
  }
  return { plans, infos, missing, problems };
}

/** --as-of as the CLI gives it: a bad one is wrong usage. */
function asOfOption(input: string | undefined, now: DateTime, policies: readonly Policy[]): DateTime {
  try {
    return resolveAsOf(input, now, policies);
  } catch (e) {
    if (e instanceof AsOfError) throw new UserError(`--as-of ${e.message}`, 2);
    throw e;
  }
}

/** The plan's own instant; an --as-of given with a plan must be that instant. */
function planAsOf(plan: PlanHeader, asOf: string | undefined, policies: readonly Policy[]): DateTime {
  const planned = DateTime.fromISO(plan.asOf, { setZone: true });
  if (asOf !== undefined && asOfOption(asOf, planned, policies).toMillis() !== planned.toMillis()) {
    throw new UserError(`--as-of ${asOf} is not the plan's asOf (${plan.asOf}); a plan is applied at the instant it was made for`, 2);
  }
  return planned;
}
