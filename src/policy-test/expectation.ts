import type { Reason, Trace } from '../engine/decision.js';
import type { DatasetRules } from '../engine/evaluate.js';
import type { Rule } from '../policy/model.js';

/**
 * What a test expects for one record at one instant. `rule`, when given:
 * - delete / redact: the rule that governs (the one report, purge and the audit log name);
 * - keep invalid: a rule with a value that cannot be read;
 * - keep legal-minimum: a keep_for rule that has not ended;
 * - keep not-due: a rule that applies to the record and is not due yet.
 */
export type Expectation =
  | { readonly action: 'delete'; readonly rule: Rule }
  | { readonly action: 'redact'; readonly rule: Rule; readonly columns?: readonly string[] }
  | { readonly action: 'keep'; readonly reason?: Reason; readonly rule?: Rule };

const KEEP_REASONS: readonly Reason[] = ['held', 'invalid', 'legal-minimum', 'not-due', 'unmanaged'];
const KEEP_WITH_RULE: readonly Reason[] = ['invalid', 'legal-minimum', 'not-due'];
const GRAMMAR = 'delete RULE, redact RULE [COLUMN...], or keep [REASON [RULE]]';

/**
 * Reads "delete RULE", "redact RULE [COLUMN...]" or "keep [REASON [RULE]]" against the rules of
 * the test's dataset; every reference must exist and make sense there.
 */
export function parseExpectation(text: string, ds: DatasetRules, allRules: readonly Rule[]): Expectation | { problem: string } {
  const [action, ...rest] = text.trim().split(/\s+/);
  const rule = (ref: string | undefined, need: string) =>
    ref === undefined
      ? { problem: `"${text}": ${action} needs ${need}, e.g. ${action} ${exampleRule(ds, action)}` }
      : resolveRule(ref, text, ds, allRules);
  switch (action) {
    case 'delete': {
      if (rest.length > 1) return { problem: `"${text}": delete takes one rule (the one that governs), found ${rest.length} words` };
      const r = rule(rest[0], 'the rule that governs');
      if ('problem' in r) return r;
      if (!r.deleteAfter) return { problem: `"${text}": rule ${r.id} has no delete_after, so it never deletes` };
      return { action, rule: r };
    }
    case 'redact': {
      const r = rule(rest[0], 'the rule that governs');
      if ('problem' in r) return r;
      if (!r.redactAfter) return { problem: `"${text}": rule ${r.id} has no redact_after, so it never redacts` };
      const redactable = new Set(ds.rules.flatMap((x) => x.redact));
      const unknown = rest.slice(1).filter((c) => !redactable.has(c));
      if (unknown.length)
        return {
          problem: `"${text}": no rule of dataset ${ds.dataset.name} redacts ${unknown.join(', ')} (redacted columns: ${[...redactable].join(', ')})`,
        };
      return rest.length > 1 ? { action, rule: r, columns: rest.slice(1) } : { action, rule: r };
    }
    case 'keep': {
      if (rest.length === 0) return { action };
      const reason = rest[0] as Reason;
      if (!KEEP_REASONS.includes(reason)) {
        const isRule = ds.rules.some((x) => x.id === rest[0]);
        return {
          problem: `"${text}": "${rest[0]}" is not a reason to keep (${KEEP_REASONS.join(', ')})${isRule ? `; name the reason before the rule, e.g. keep not-due ${rest[0]}` : ''}`,
        };
      }
      if (rest.length === 1) return { action, reason };
      if (!KEEP_WITH_RULE.includes(reason)) return { problem: `"${text}": keep ${reason} takes no rule` };
      if (rest.length > 2) return { problem: `"${text}": keep ${reason} takes one rule, found ${rest.length - 1} words` };
      const r = resolveRule(rest[1], text, ds, allRules);
      if ('problem' in r) return r;
      if (reason === 'legal-minimum' && !r.keepFor)
        return { problem: `"${text}": rule ${r.id} has no keep_for, so it never holds a record back` };
      return { action, reason, rule: r };
    }
    default:
      return { problem: `"${text}" is not an expectation: write ${GRAMMAR}` };
  }
}

/** `id` or `policy/id`, among the rules of the test's dataset. */
function resolveRule(ref: string, text: string, ds: DatasetRules, allRules: readonly Rule[]): Rule | { problem: string } {
  const [policy, id] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const matches = (r: Rule) => r.id === id && (policy === undefined || r.policy === policy);
  const found = ds.rules.filter(matches);
  if (found.length === 1) return found[0];
  if (found.length > 1)
    return { problem: `"${text}": rule "${ref}" is ambiguous: write ${found.map((r) => `${r.policy}/${r.id}`).join(' or ')}` };
  const elsewhere = allRules.find(matches);
  if (elsewhere) return { problem: `"${text}": rule "${ref}" is a rule of dataset ${elsewhere.dataset}, not of ${ds.dataset.name}` };
  return {
    problem: `"${text}": no rule "${ref}" in the policies under test (rules of dataset ${ds.dataset.name}: ${ds.rules.map((r) => r.id).join(', ') || 'none'})`,
  };
}

function exampleRule(ds: DatasetRules, action: string): string {
  const r = ds.rules.find((x) => (action === 'redact' ? x.redactAfter : x.deleteAfter));
  return r?.id ?? 'RULE';
}

/** Whether the trace meets the expectation; `why` explains a mismatch the actual text does not show. */
export function meets(e: Expectation, trace: Trace): { pass: boolean; why?: string } {
  const d = trace.decision;
  if (d.action !== e.action) return { pass: false };
  if (e.action === 'delete') return { pass: d.rule === e.rule };
  if (e.action === 'redact') {
    if (d.rule !== e.rule) return { pass: false };
    if (!e.columns) return { pass: true };
    const want = [...e.columns].sort().join(' '),
      got = [...(d.action === 'redact' ? d.columns : [])].sort().join(' ');
    return { pass: want === got };
  }
  if (e.reason && e.reason !== d.reason) return { pass: false };
  if (!e.rule) return { pass: true };
  const terms = trace.terms.filter((t) => t.rule === e.rule);
  const name = e.rule.id;
  if (terms.length === 0)
    return {
      pass: false,
      why:
        (d.action === 'keep' ? d.problem : undefined) ??
        (trace.held === 'held' ? 'the record is held, so no rule is looked at' : `rule ${name} does not apply to this record`),
    };
  if (e.reason === 'invalid') {
    return terms.some((t) => t.status === 'invalid') ? { pass: true } : { pass: false, why: `every value rule ${name} reads is readable` };
  }
  const open = terms.filter(
    (t) => (e.reason === 'legal-minimum' ? t.kind === 'keep' : true) && (t.status === 'not-due' || t.status === 'not-started'),
  );
  if (open.length > 0) return { pass: true };
  const due = terms.find((t) => t.due)?.due;
  return { pass: false, why: `rule ${name} is due${due ? ` since ${due.toISO({ suppressMilliseconds: true })}` : ''}` };
}

/** The decision of a trace in the expectation grammar, as the test would have to say it. */
export function describeDecision(trace: Trace, ds: DatasetRules): string {
  const d = trace.decision;
  const qualify = new Set(ds.rules.map((r) => r.policy)).size > 1;
  const ref = (r: Rule) => (qualify ? `${r.policy}/${r.id}` : r.id);
  if (d.action === 'delete') return `delete ${ref(d.rule)}`;
  if (d.action === 'redact') return `redact ${ref(d.rule)} ${d.columns.join(' ')}`.trimEnd();
  if (d.reason === 'invalid' && d.rule) return `keep invalid ${ref(d.rule)}`;
  if (d.reason === 'legal-minimum') {
    const holding = trace.terms.find((t) => t.kind === 'keep' && (t.status === 'not-due' || t.status === 'not-started'));
    if (holding) return `keep legal-minimum ${ref(holding.rule)}`;
  }
  return `keep ${d.reason}`;
}
