import { applyIgnores } from './ignores.js';
import type { Dataset, Location, Period, Policy, Rule, WhereClause } from './model.js';
import { ruleName } from './names.js';
import type { FixedPeriod } from './period.js';
import { comparePeriods } from './period-compare.js';
import type { PolicyProblem } from './problems.js';

// Semantic lints: policies that are valid but say something that cannot be
// what was meant. They look across all policies given, because policies naming the same
// dataset combine their rules (SPEC §4). Warnings only; `validate --strict` makes them errors.
// A lint warns only when it is sure: per-record periods and rules in different timezones are
// not compared.

/** The lints, by the id a `# retention-ignore:` comment names them with. */
export const LINTS = [
  'unreachable-redaction',
  'shadowed-delete',
  'dataset-kept-forever',
  'keep-without-action',
  'keep-blocks-redaction',
] as const;

/** A lint, or a problem of an ignore comment (which cannot itself be ignored). */
export type LintCode = (typeof LINTS)[number] | 'invalid-ignore' | 'unused-ignore';

/** A lint's finding: a warning with where it is and which lint found it. */
export interface LintProblem extends PolicyProblem {
  readonly code: LintCode;
}

/**
 * Runs every lint over policies that loaded without errors, less what their ignore comments
 * silence, plus the problems of those comments; sorted by file, line, column.
 */
export function lintPolicies(policies: readonly Policy[]): LintProblem[] {
  const { kept, problems } = applyIgnores(
    rawLints(policies),
    policies.flatMap((p) => p.ignores ?? []),
    LINTS,
  );
  const out = [...kept, ...problems.map((p) => warn(p.directive, p.code, p.message))];
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

function rawLints(policies: readonly Policy[]): LintProblem[] {
  const datasets = new Map<string, Dataset>();
  const rules = new Map<string, Rule[]>();
  for (const p of policies) {
    for (const d of p.datasets.values()) if (!datasets.has(d.name)) datasets.set(d.name, d);
    for (const r of p.rules) rules.set(r.dataset, [...(rules.get(r.dataset) ?? []), r]);
  }
  const out: LintProblem[] = [];
  for (const [name, d] of datasets) {
    const rs = rules.get(name) ?? [];
    out.push(
      ...unreachableRedactions(rs),
      ...shadowedDeletes(rs),
      ...keptForever(d, rs),
      ...keepsWithoutAction(rs),
      ...blockedRedactions(rs),
    );
  }
  return out;
}

/** (a) A redaction that never happens: a delete rule on the same records is due no later. */
function unreachableRedactions(rules: readonly Rule[]): LintProblem[] {
  const out: LintProblem[] = [];
  for (const r of rules) {
    if (r.redactAfter?.kind !== 'fixed') continue;
    const d = rules.find(
      (x) =>
        x.deleteAfter?.kind === 'fixed' &&
        implies(r.where, x.where) &&
        sameStart(r, x) &&
        noLater(x.deleteAfter, r.redactAfter as FixedPeriod, r),
    );
    if (!d) continue;
    const message =
      d === r
        ? `${ruleName(r.id, r.loc.line)} never redacts: its own delete_after (${d.deleteAfter?.text}) is due no later than its redact_after (${r.redactAfter.text}), so the record is deleted first; shorten redact_after or drop the redaction`
        : `${ruleName(r.id, r.loc.line)} never redacts: ${ref(d, r)} deletes the same records from the same start no later (delete_after ${d.deleteAfter?.text}, redact_after ${r.redactAfter.text}), so they are deleted first; shorten redact_after or drop the redaction`;
    out.push(warn(r.loc, 'unreachable-redaction', message));
  }
  return out;
}

/**
 * (b) A delete rule that never governs: another delete rule on all its records, from the same
 * start, is due no later for every start (SPEC §2: of equal due dates the first rule governs).
 */
function shadowedDeletes(rules: readonly Rule[]): LintProblem[] {
  const out: LintProblem[] = [];
  rules.forEach((b, j) => {
    if (b.deleteAfter?.kind !== 'fixed') return;
    const pb = b.deleteAfter;
    const a = rules.find(
      (x, i) =>
        i !== j &&
        x.deleteAfter?.kind === 'fixed' &&
        implies(b.where, x.where) &&
        sameStart(b, x) &&
        (i < j ? noLater(x.deleteAfter, pb, b) : earlier(x.deleteAfter, pb, b)),
    );
    if (!a) return;
    const tie = noLater(pb, a.deleteAfter as FixedPeriod, b);
    out.push(
      warn(
        b.loc,
        'shadowed-delete',
        `delete ${ruleName(b.id, b.loc.line)} never governs: ${ref(a, b)} deletes the same records from the same start ${tie ? 'at the same time' : 'no later'} (delete_after ${a.deleteAfter?.text}, here ${pb.text})${tie ? ' and, of equal due dates, the first rule governs' : ''}; remove one of them or give them different scopes`,
      ),
    );
  });
  return out;
}

/** (c) A dataset no delete rule covers: its records are kept forever. */
function keptForever(d: Dataset, rules: readonly Rule[]): LintProblem[] {
  if (rules.some((r) => r.deleteAfter)) return [];
  return [
    warn(
      d.nameLoc ?? d.loc,
      'dataset-kept-forever',
      `no delete rule covers dataset "${d.name}": its records are kept forever (reports count them as unmanaged); add a rule with delete_after`,
    ),
  ];
}

/** (d) A keep_for that holds nothing back: no delete or redact rule applies to its records. */
function keepsWithoutAction(rules: readonly Rule[]): LintProblem[] {
  return rules
    .filter((k) => k.keepFor && !rules.some((x) => (x.deleteAfter || x.redactAfter) && overlaps(k.where, x.where)))
    .map((k) =>
      warn(
        k.loc,
        'keep-without-action',
        `${ruleName(k.id, k.loc.line)} has keep_for (${k.keepFor?.text}) but no delete or redact rule applies to its records in dataset "${k.dataset}": there is nothing to hold back; add the delete_after or redact_after it should delay, or drop the rule`,
      ),
    );
}

/**
 * (e) A redaction a keep_for holds back past its own period. SPEC §2: a redaction is due at
 * max(due, keepUntil), so a keep_for on the same records (a bookkeeping minimum, say) delays the
 * redaction until the keep_for ends, and until then the columns stay. Sure only where one rule's
 * records are all the other's, the periods are fixed and the keep_for starts no sooner (the same
 * from columns and zone; its align, if the redaction has none, only moves its start later).
 */
function blockedRedactions(rules: readonly Rule[]): LintProblem[] {
  const out: LintProblem[] = [];
  for (const r of rules) {
    const red = r.redactAfter;
    if (red?.kind !== 'fixed') continue;
    const k = rules.find(
      (x) =>
        x.keepFor?.kind === 'fixed' &&
        (implies(r.where, x.where) || implies(x.where, r.where)) &&
        startsNoSooner(x, r) &&
        comparePeriods(red, x.keepFor, r.timezone, r.align) === 'always-earlier',
    );
    if (!k?.keepFor) continue;
    const cols = r.redact.join(', ');
    const holder =
      k === r
        ? `its own keep_for keeps the records for ${k.keepFor.text}`
        : `${ref(k, r)} keeps the same records for ${k.keepFor.text} (keep_for)`;
    out.push(
      warn(
        r.loc,
        'keep-blocks-redaction',
        `${ruleName(r.id, r.loc.line)} redacts ${cols} after ${red.text}, but ${holder}, and a redaction waits for every keep_for that applies: ${cols} stay${r.redact.length === 1 ? 's' : ''} ${k.keepFor.text}, not ${red.text}; narrow the keep_for's where if the columns must go sooner, or set redact_after to ${k.keepFor.text} to say what happens`,
      ),
    );
  }
  return out;
}

/** `keep` starts no sooner than `r` for every record: the same from columns and zone, and an align that only moves it later. */
function startsNoSooner(keep: Rule, r: Rule): boolean {
  const set = (x: Rule) => [...new Set(x.from)].sort().join('\u0000');
  return set(keep) === set(r) && keep.timezone === r.timezone && (r.align === undefined || r.align === keep.align);
}

function warn(loc: Location, code: LintCode, message: string): LintProblem {
  return { file: loc.file, line: loc.line, col: loc.col, severity: 'warning', message, code };
}

/** How to name another rule in a message: by line in the same file, else by policy and place. */
function ref(other: Rule, here: Rule): string {
  return other.loc.file === here.loc.file
    ? ruleName(other.id, other.loc.line)
    : `rule "${other.id}" of policy ${other.policy} (${other.loc.file}:${other.loc.line})`;
}

/** Every record that `narrow` applies to, `broad` applies to as well. */
function implies(narrow: readonly WhereClause[], broad: readonly WhereClause[]): boolean {
  return broad.every((b) => narrow.some((n) => n.column === b.column && n.values.every((v) => b.values.includes(v))));
}

/** Some record could match both (no column that both constrain to disjoint values). */
export function overlaps(a: readonly WhereClause[], b: readonly WhereClause[]): boolean {
  return a.every((x) => b.every((y) => x.column !== y.column || x.values.some((v) => y.values.includes(v))));
}

/** Same start instant for every record: the same from columns, align and timezone. */
function sameStart(a: Rule, b: Rule): boolean {
  const set = (r: Rule) => [...new Set(r.from)].sort().join('\u0000');
  return set(a) === set(b) && a.align === b.align && a.timezone === b.timezone;
}

/** start + a <= start + b for every start of the rule's records. */
function noLater(a: Period | undefined, b: FixedPeriod, rule: Rule): boolean {
  return a?.kind === 'fixed' && comparePeriods(a, b, rule.timezone, rule.align) !== 'later-somewhere';
}

/** start + a < start + b for every start of the rule's records. */
function earlier(a: Period | undefined, b: FixedPeriod, rule: Rule): boolean {
  return a?.kind === 'fixed' && comparePeriods(a, b, rule.timezone, rule.align) === 'always-earlier';
}
