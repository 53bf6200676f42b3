import type { DateTime } from 'luxon';
import type { Dataset, Period, Rule } from '../policy/model.js';
import type { Decision, TermKind, TermTrace, Trace } from './decision.js';
import { traceTerm } from './due.js';
import { holdState, isEmpty, whereMatches } from './value.js';

/** The rules that act on one dataset, from one or more policies. */
export interface DatasetRules {
  readonly dataset: Dataset;
  readonly rules: readonly Rule[];
}

/** Each period of a rule as a term: a rule with delete_after and keep_for is both. */
export function termsOf(rule: Rule): { kind: TermKind; period: Period }[] {
  const terms: { kind: TermKind; period: Period }[] = [];
  if (rule.keepFor) terms.push({ kind: 'keep', period: rule.keepFor });
  if (rule.deleteAfter) terms.push({ kind: 'delete', period: rule.deleteAfter });
  if (rule.redactAfter) terms.push({ kind: 'redact', period: rule.redactAfter });
  return terms;
}

/**
 * SPEC §2 for one record at `asOf`, computed with Luxon for every rule: the reference
 * implementation. explain prints its trace; the fast decider is tested against it.
 */
export interface EvaluateOptions {
  /**
   * False when the source cannot delete the record (rows elsewhere still refer to it): a due
   * deletion cannot happen, so what else is due (redactions) still applies.
   */
  readonly deletable?: boolean;
}

export function evaluate(ds: DatasetRules, get: (column: string) => unknown, asOf: DateTime, options: EvaluateOptions = {}): Trace {
  const held = ds.dataset.hold === undefined ? 'no-hold-column' : holdState(get(ds.dataset.hold));
  if (held === 'held') return { held, terms: [], decision: { action: 'keep', reason: 'held' } };
  if (held === 'unclear') {
    return {
      held,
      terms: [],
      decision: { action: 'keep', reason: 'invalid', problem: `hold column ${ds.dataset.hold} has a value that is neither yes nor no` },
    };
  }
  const terms: TermTrace[] = [];
  for (const rule of ds.rules) {
    // Binary data cannot be compared with a where value as text: whether the rule applies is doubt.
    const binary = rule.where.find((w) => Buffer.isBuffer(get(w.column)));
    if (binary)
      return {
        held,
        terms,
        decision: {
          action: 'keep',
          reason: 'invalid',
          rule,
          problem: `where column ${binary.column} holds binary data, so whether rule ${rule.id} applies cannot be told`,
        },
      };
    if (!whereMatches(rule.where, get)) continue;
    for (const t of termsOf(rule)) terms.push(traceTerm(rule, t.kind, t.period, ds.dataset, get, asOf));
  }
  const invalid = terms.find((t) => t.status === 'invalid');
  if (invalid) return { held, terms, decision: { action: 'keep', reason: 'invalid', rule: invalid.rule, problem: invalid.problem } };

  const now = asOf.toMillis();
  const keeps = terms.filter((t) => t.kind === 'keep');
  const keepUntil = keeps.some((t) => !t.due) ? ('not-started' as const) : latest(keeps.flatMap((t) => (t.due ? [t.due] : [])));
  const keepDone = keepUntil === undefined || (keepUntil !== 'not-started' && keepUntil.toMillis() <= now);

  const deletes = terms.filter((t) => t.kind === 'delete');
  let governing: { rule: Rule; due: DateTime } | undefined;
  for (const t of deletes) if (t.due && (!governing || t.due < governing.due)) governing = { rule: t.rule, due: t.due };
  const deletionDue = governing !== undefined && governing.due.toMillis() <= now && keepDone;
  if (governing && deletionDue && options.deletable !== false) {
    return {
      held,
      terms,
      keepUntil,
      due: governing.due,
      decision: { action: 'delete', reason: 'shortest-deletion', rule: governing.rule },
    };
  }

  const redacting = terms.filter(
    (t) => t.kind === 'redact' && t.status === 'due' && keepDone && t.rule.redact.some((c) => !isEmpty(get(c))),
  );
  if (redacting.length > 0) {
    const columns = [...new Set(redacting.flatMap((t) => t.rule.redact.filter((c) => !isEmpty(get(c)))))];
    const decision: Decision = {
      action: 'redact',
      reason: 'redaction',
      rule: redacting[0].rule,
      columns,
      rules: redacting.map((t) => t.rule),
    };
    return { held, terms, keepUntil, due: redacting[0].due, decision };
  }

  if (governing && deletionDue)
    return { held, terms, keepUntil, due: governing.due, decision: { action: 'keep', reason: 'referenced', rule: governing.rule } };
  const blocked = !keepDone && terms.some((t) => t.kind !== 'keep' && t.status === 'due');
  const reason = deletes.length === 0 ? 'unmanaged' : blocked ? 'legal-minimum' : 'not-due';
  return { held, terms, keepUntil, decision: { action: 'keep', reason } };
}

function latest(dates: DateTime[]): DateTime | undefined {
  let best: DateTime | undefined;
  for (const d of dates) if (!best || d > best) best = d;
  return best;
}
