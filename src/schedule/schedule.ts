import { overlaps } from '../policy/lints.js';
import type { Dataset, Policy, Rule } from '../policy/model.js';
import type { LegalMinimum, Schedule, ScheduleDataset, SchedulePolicy, ScheduleRow } from './model.js';
import { list, noneOfWords, periodText, termWords, whereWords } from './wording.js';

/**
 * The retention schedule of loaded policies: per policy and dataset, one row per thing a rule
 * does (redact, delete, or hold back as a legal minimum), then a row for the records no delete
 * rule limits. Policies sort by name, datasets by name, rules keep their order in the file.
 * Policies naming the same dataset combine their rules (SPEC §4), so legal minimums and the
 * records kept without limit are worked out over all of them.
 */
export function buildSchedule(policies: readonly Policy[]): Schedule {
  const rulesOf = new Map<string, Rule[]>();
  const declaredBy = new Map<string, string[]>();
  for (const p of policies) {
    for (const r of p.rules) rulesOf.set(r.dataset, [...(rulesOf.get(r.dataset) ?? []), r]);
    for (const d of p.datasets.keys()) declaredBy.set(d, [...(declaredBy.get(d) ?? []), p.name]);
  }
  const sorted = [...policies].sort((a, b) => compare(a.name, b.name) || compare(a.file, b.file));
  return {
    generatedBy: 'retention schedule',
    policies: sorted.map(
      (p): SchedulePolicy => ({
        policy: p.name,
        title: p.title ?? null,
        file: p.file,
        sha256: p.sha256,
        timezone: p.timezone,
        datasets: [...p.datasets.values()]
          .sort((a, b) => compare(a.name, b.name))
          .map((d) =>
            datasetOf(
              d,
              p.rules.filter((r) => r.dataset === d.name),
              rulesOf.get(d.name) ?? [],
              (declaredBy.get(d.name) ?? []).filter((n) => n !== p.name).sort(compare),
            ),
          ),
      }),
    ),
  };
}

function datasetOf(d: Dataset, own: readonly Rule[], all: readonly Rule[], sharedWith: string[]): ScheduleDataset {
  const rows = own.flatMap((r) => rowsOf(r, all));
  const gaps = unlimited(all);
  const keptWithoutLimit = !all.some((r) => r.deleteAfter) ? 'all' : gaps.length > 0 ? 'some' : 'no';
  return { dataset: d.name, hold: d.hold ?? null, keptWithoutLimit, sharedWith, rows: [...rows, ...gaps] };
}

/** What one rule does, a row each: its redaction, its deletion, or only its legal minimum. */
function rowsOf(r: Rule, all: readonly Rule[]): ScheduleRow[] {
  const base = {
    rule: r.id,
    records: whereWords(r.where),
    where: r.where.map((w) => ({ column: w.column, values: [...w.values] })),
    from: [...r.from],
    align: r.align ?? null,
    basis: r.basis ?? null,
    cite: r.cite ?? null,
  };
  const minimum = legalMinimum(r, all);
  const rows: ScheduleRow[] = [];
  if (r.redactAfter) {
    rows.push({
      ...base,
      action: 'redact',
      kept: termWords(r.redactAfter, r),
      period: periodText(r.redactAfter),
      legalMinimum: minimum,
      outcome: `${r.redact.length === 1 ? 'column' : 'columns'} ${list(r.redact, 'and')} emptied; the record stays`,
      columns: [...r.redact],
    });
  }
  if (r.deleteAfter) {
    rows.push({
      ...base,
      action: 'delete',
      kept: termWords(r.deleteAfter, r),
      period: periodText(r.deleteAfter),
      legalMinimum: minimum,
      outcome: 'deleted',
      columns: [],
    });
  }
  if (rows.length === 0 && r.keepFor) {
    rows.push({
      ...base,
      action: 'keep',
      kept: null,
      period: periodText(r.keepFor),
      legalMinimum: minimum,
      outcome: 'legal minimum: no rule deletes or redacts these records before it',
      columns: [],
    });
  }
  return rows;
}

/** The keep_for rules that may apply to the records of `r` (its own first); the latest governs (SPEC §2). */
function legalMinimum(r: Rule, all: readonly Rule[]): LegalMinimum[] {
  const keeps = [r, ...all.filter((k) => k !== r)].filter((k) => k.keepFor && overlaps(r.where, k.where));
  return keeps.map((k) => ({ policy: k.policy, rule: k.id, text: k.keepFor ? termWords(k.keepFor, k) : '' }));
}

/**
 * Rows for the records that no delete rule will ever delete (SPEC §2: unmanaged, or not due
 * because their own period is empty). Only a rule for all records with a period every record
 * has closes every gap.
 */
function unlimited(all: readonly Rule[]): ScheduleRow[] {
  const deletes = all.filter((r) => r.deleteAfter);
  const gap = (records: string, outcome: string): ScheduleRow => ({
    rule: null,
    action: 'none',
    records,
    where: [],
    kept: 'kept without limit',
    period: null,
    from: [],
    align: null,
    legalMinimum: [],
    outcome,
    columns: [],
    basis: null,
    cite: null,
  });
  if (deletes.length === 0) return [gap('all records', 'nothing: no rule deletes these records')];
  const closes = deletes.some((r) => r.where.length === 0 && (r.deleteAfter?.kind === 'fixed' || r.deleteAfter?.default));
  if (closes) return [];
  const rows: ScheduleRow[] = [];
  if (deletes.every((r) => r.where.length > 0))
    rows.push(gap(noneOfWords(deletes.map((r) => r.where)), 'nothing: no delete rule applies to these records'));
  for (const r of deletes) {
    const p = r.deleteAfter;
    if (p?.kind !== 'column' || p.default) continue;
    const scope = r.where.length > 0 ? `${whereWords(r.where)} and ` : '';
    rows.push(gap(`${scope}${p.column} is empty`, `nothing: rule ${r.id} takes its period from ${p.column}, and none is set`));
  }
  return rows;
}

/** Code-point order, the same on every machine (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
