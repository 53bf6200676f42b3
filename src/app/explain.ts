import type { DateTime } from 'luxon';
import { trace } from '../engine/decide.js';
import type { Trace } from '../engine/decision.js';
import type { DatasetRules } from '../engine/evaluate.js';
import { compilePlan } from '../engine/plan.js';
import { UserError } from '../errors.js';
import { withFacts } from '../sources/row-decision.js';
import { compilePlans, type Inputs, setUp } from './setup.js';

export interface ExplainOptions extends Omit<Inputs, 'writing' | 'lockTimeoutMs' | 'batchBy' | 'partitions'> {
  readonly dataset: string;
  readonly key: string;
}

export interface ExplainResult {
  readonly asOf: DateTime;
  readonly dataset: string;
  readonly key: string;
  readonly values: Record<string, unknown>;
  readonly trace: Trace;
  /** The dataset and every rule of it (also those whose where does not match), for the words around the trace. */
  readonly scope?: DatasetRules;
}

/**
 * The full reasoning for one record, found by its key (or rowid / line number without one),
 * decided as a purge decides it: with what the source knows of the row (rows elsewhere refer to
 * it; it cannot be rewritten exactly) and the plans of the run's other datasets.
 */
export async function explain(o: ExplainOptions): Promise<ExplainResult> {
  const setup = await setUp({ ...o, writing: false });
  const { source, asOf } = setup;
  try {
    const rules = setup.datasets.get(o.dataset);
    if (!rules) throw new UserError(`no policy declares dataset "${o.dataset}" (declared: ${[...setup.datasets.keys()].join(', ')})`);
    const info = source.datasets().get(o.dataset);
    if (!info) throw new UserError(`${source.identity.path} has no dataset "${o.dataset}"`);
    const { plans, problems } = compilePlans(setup);
    if (problems.length) throw new UserError(`the source does not match the policies:\n${problems.join('\n')}`);
    const plan = compilePlan(rules, asOf);
    const others = new Map(plans.map((p) => [p.dataset.name, p]));
    let found: { values: unknown[]; referenced: boolean; unwritable?: string } | undefined;
    let matches = 0;
    await source.rows(
      plan,
      { mode: 'read', others },
      (row) => {
        matches++;
        found ??= { values: row.values.slice(0, plan.columns.length), referenced: row.referenced, unwritable: row.unwritable };
      },
      o.key,
    );
    const what = rules.dataset.key ?? info.refName;
    if (!found) throw new UserError(`no record with ${what} "${o.key}" in ${info.location}`);
    if (matches > 1)
      throw new UserError(`${matches} records have ${what} "${o.key}" in ${info.location}; the key does not identify one record`);
    const row = found;
    const t = trace(plan, row.values, !row.referenced);
    const d = t.decision;
    const referenced = d.action === 'keep' && d.reason === 'referenced' ? { ...d, problem: `referred to by ${info.referencedBy}` } : d;
    const decision = withFacts(referenced, { ...row, ref: 0 });
    return {
      asOf,
      dataset: o.dataset,
      key: o.key,
      values: Object.fromEntries(plan.columns.map((c, i) => [c, row.values[i]])),
      trace: { ...t, decision },
      scope: rules,
    };
  } finally {
    await source.close();
  }
}
