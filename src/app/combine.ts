import type { DatasetRules } from '../engine/evaluate.js';
import type { Dataset, Policy, Rule } from '../policy/model.js';

/**
 * Policies naming the same dataset combine their rules (SPEC §4); that their settings for it
 * agree is checked when they are loaded together (policy/load.ts, conflicts).
 */
export function combineDatasets(policies: readonly Policy[]): Map<string, DatasetRules> {
  const out = new Map<string, { dataset: Dataset; rules: Rule[] }>();
  for (const p of policies) {
    for (const d of p.datasets.values()) if (!out.has(d.name)) out.set(d.name, { dataset: d, rules: [] });
    for (const r of p.rules) out.get(r.dataset)?.rules.push(r);
  }
  return out;
}

/** Every column the rules of a dataset name, with the key in the policy where it is named. */
function namedColumns(ds: DatasetRules): { column: string; what: string }[] {
  const d = ds.dataset;
  const named: { column: string; what: string }[] = [];
  if (d.key) named.push({ column: d.key, what: `key of dataset ${d.name} (${d.loc.file}:${d.loc.line})` });
  if (d.hold) named.push({ column: d.hold, what: `hold of dataset ${d.name} (${d.loc.file}:${d.loc.line})` });
  for (const r of ds.rules) {
    const at = `rule ${r.id} (${r.loc.file}:${r.loc.line})`;
    for (const c of r.from) named.push({ column: c, what: `from of ${at}` });
    for (const w of r.where) named.push({ column: w.column, what: `where of ${at}` });
    for (const p of [r.deleteAfter, r.redactAfter, r.keepFor])
      if (p?.kind === 'column') named.push({ column: p.column, what: `period column of ${at}` });
    for (const c of r.redact) named.push({ column: c, what: `redact of ${at}` });
  }
  return named;
}

/** A column the rules name that the dataset lacks: an error before anything is read (SPEC §1). */
export function columnProblems(
  rules: DatasetRules,
  info: { readonly columns: readonly string[]; readonly location: string; readonly columnsHint?: string },
): string[] {
  const problems = namedColumns(rules)
    .filter((n) => !info.columns.includes(n.column))
    .map((n) => `${info.location} has no column "${n.column}" (named as ${n.what})`);
  return problems.length && info.columnsHint ? [info.columnsHint] : problems;
}
