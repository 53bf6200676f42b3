import type { DateTime } from 'luxon';
import { evaluate, type DatasetRules } from '../engine/evaluate.js';
import type { Trace } from '../engine/decision.js';
import { asText } from '../engine/value.js';
import type { Row } from '../sources/source.js';
import { compileDecider } from '../engine/compile.js';
import { goingOf, notRewritable, referringTables } from './source-facts.js';
import { UserError } from '../errors.js';
import { resolveAsOf } from './as-of.js';
import { combineDatasets, namedColumns } from './combine.js';
import { policiesForRun } from './load-policies.js';
import { openSource } from './open-source.js';

export interface ExplainOptions {
  readonly policy: readonly string[];
  readonly source: string;
  readonly dataset: string;
  readonly key: string;
  readonly asOf?: string;
  readonly now: DateTime;
  readonly delimiter?: string;
}

export interface ExplainResult {
  readonly asOf: DateTime;
  readonly dataset: string;
  readonly key: string;
  readonly values: Record<string, unknown>;
  readonly trace: Trace;
}

/** The full reasoning for one record, found by its key (or rowid / line number without one). */
export async function explain(o: ExplainOptions): Promise<ExplainResult> {
  const policies = policiesForRun(o.policy);
  const datasets = combineDatasets(policies);
  const rules: DatasetRules | undefined = datasets.get(o.dataset);
  if (!rules) throw new UserError(`no policy declares dataset "${o.dataset}" (declared: ${[...datasets.keys()].join(', ')})`);
  const asOf = resolveAsOf(o.asOf, o.now, policies);
  const source = openSource(o.source, { readonly: true, delimiter: o.delimiter });
  try {
    const info = source.datasets().get(o.dataset);
    if (!info) throw new UserError(`${source.path} has no dataset "${o.dataset}"`);
    const columns = [...new Set(namedColumns(rules).map((n) => n.column))];
    const missing = columns.filter((c) => !info.columns.includes(c));
    if (missing.length)
      throw new UserError(`${info.location} has no column ${missing.map((c) => `"${c}"`).join(', ')}, which the policies name`);
    const keyColumn = rules.dataset.key;
    const keyAt = keyColumn === undefined ? columns.length : columns.indexOf(keyColumn);
    let found: Record<string, unknown> | undefined;
    let referenced = false,
      rewritable = true;
    let matches = 0;
    const isIt = (row: Row) => asText(row[keyAt]) === o.key;
    await source.scan(
      o.dataset,
      columns,
      (row) => {
        if (!isIt(row)) return;
        matches++;
        found ??= Object.fromEntries(columns.map((c, i) => [c, row[i]]));
        referenced = info.referencedBy.length > 0 && Boolean(row[columns.length + 1]);
        rewritable = source.rewritable?.() ?? true;
      },
      {
        candidate: isIt,
        going: goingOf(
          [...datasets]
            .filter(([name]) => source.datasets().has(name))
            .map(([name, r]) => [name, compileDecider(r, asOf, { nextDue: false })] as const),
        ),
      },
    );
    if (!found)
      throw new UserError(
        `no record with ${keyColumn ?? (source.kind === 'csv' ? 'line number' : 'rowid')} "${o.key}" in ${info.location}`,
      );
    if (matches > 1)
      throw new UserError(`${matches} records have ${keyColumn} "${o.key}" in ${info.location}; the key does not identify one record`);
    const values = found;
    // As purge decides: a record others still refer to is not deleted (the database would refuse).
    const evaluated = evaluate(rules, (c) => values[c], asOf, { referenced });
    let trace =
      evaluated.decision.reason === 'referenced'
        ? { ...evaluated, decision: { ...evaluated.decision, problem: `referred to by ${referringTables(info)}` } }
        : evaluated;
    // As purge decides: a record the source cannot rewrite exactly is not redacted.
    if (trace.decision.action === 'redact' && !rewritable) {
      trace = { ...trace, decision: notRewritable(trace.decision) };
    }
    return { asOf, dataset: o.dataset, key: o.key, values, trace };
  } finally {
    source.close();
  }
}
