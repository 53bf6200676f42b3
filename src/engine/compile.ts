import type { DateTime } from 'luxon';
import type { Period, Rule } from '../policy/model.js';
import type { Decision, TermKind, Trace } from './decision.js';
import { evaluate, termsOf, type DatasetRules } from './evaluate.js';
import { traceTerm } from './due.js';
import { fastEpochOf, fastSlack } from './timestamp.js';
import { threshold, type Threshold } from './threshold.js';
import { asText, holdState, isEmpty } from './value.js';

/**
 * A decider for one dataset at one asOf: the same decisions as `evaluate`, but reading values
 * by position and comparing epochs with per-rule thresholds, so Luxon runs only for records
 * near a threshold, with unusual values, or where two delete rules must be told apart.
 */
export interface Decider {
  /** The columns a row must hold, in this order. */
  readonly columns: readonly string[];
  /** `referenced`: rows of another table still refer to the record, so it cannot be deleted (see evaluate). */
  decide(row: readonly unknown[], referenced?: boolean): Decision;
  /** The full reasoning, with Luxon (for explain and for records' due dates). */
  trace(row: readonly unknown[]): Trace;
  /** Per rule, the earliest due among records for which it is not yet due. */
  nextDue(): Map<Rule, DateTime>;
}

const DUE = 0,
  NOT_DUE = 1,
  NOT_STARTED = 2,
  UNSURE = 3;

interface Term {
  readonly rule: Rule;
  readonly kind: TermKind;
  readonly from: number[];
  readonly fixed?: Threshold;
  readonly column?: number;
  readonly period: Period;
  readonly cache: Map<number, Threshold>;
  readonly redact: number[];
}

interface RuleGroup {
  readonly where: { idx: number; values: Set<string> }[];
  readonly terms: Term[];
}

export interface DeciderOptions {
  /** Track each rule's next due date (report); off for purge, where it costs time and is not shown. */
  readonly nextDue?: boolean;
}

export function compileDecider(ds: DatasetRules, asOf: DateTime, options: DeciderOptions = {}): Decider {
  const trackNext = options.nextDue ?? true;
  const columns: string[] = [];
  const col = (c: string) => {
    let i = columns.indexOf(c);
    if (i < 0) {
      i = columns.length;
      columns.push(c);
    }
    return i;
  };
  const hold = ds.dataset.hold !== undefined ? col(ds.dataset.hold) : -1;
  const groups: RuleGroup[] = ds.rules.map((rule) => ({
    where: rule.where.map((w) => ({ idx: col(w.column), values: new Set(w.values) })),
    terms: termsOf(rule).map(({ kind, period }) => {
      const zoned = asOf.setZone(rule.timezone);
      return {
        rule,
        kind,
        period,
        cache: new Map(),
        from: rule.from.map(col),
        fixed: period.kind === 'fixed' ? threshold(period.duration, rule.align, zoned) : undefined,
        column: period.kind === 'column' ? col(period.column) : undefined,
        redact: kind === 'redact' ? rule.redact.map(col) : [],
      };
    }),
  }));
  const fmt = ds.dataset.timestamps;
  const rowGetter = (row: readonly unknown[]) => (c: string) => {
    const i = columns.indexOf(c);
    return i < 0 ? undefined : row[i];
  };
  const trace = (row: readonly unknown[]) => evaluate(ds, rowGetter(row), asOf);

  // Scratch of the term being read: its approximate start and due.
  let start = 0,
    slack = 0,
    approxDue = 0,
    approxErr = 0;

  const thresholdOf = (t: Term, row: readonly unknown[]): Threshold | null | undefined => {
    if (t.fixed) return t.fixed;
    const p = t.period as Extract<Period, { kind: 'column' }>;
    const v = row[t.column!];
    let n: number;
    if (isEmpty(v)) {
      if (!p.default) return null;
      n = -1;
    } else {
      n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) return undefined;
    }
    let th = t.cache.get(n);
    if (!th) {
      const duration = n < 0 ? p.default!.duration : { [p.unit]: n };
      th = threshold(duration, t.rule.align, asOf.setZone(t.rule.timezone));
      t.cache.set(n, th);
    }
    return th;
  };

  /** Luxon for one term of one record: values the fast path cannot read, starts near a cut. */
  const exactTerm = (t: Term, row: readonly unknown[]): number => {
    const x = traceTerm(t.rule, t.kind, t.period, ds.dataset, rowGetter(row), asOf);
    if (x.status === 'invalid') return UNSURE;
    if (x.status === 'not-started') return NOT_STARTED;
    approxDue = x.due!.toMillis();
    approxErr = 0;
    return x.status === 'due' ? DUE : NOT_DUE;
  };

  const status = (t: Term, row: readonly unknown[]): number => {
    let empty = false;
    start = -Infinity;
    slack = 0;
    for (const i of t.from) {
      const v = row[i];
      if (isEmpty(v)) {
        empty = true;
        continue;
      }
      const e = fastEpochOf(v, fmt);
      if (e !== e) return exactTerm(t, row); // NaN: not a shape the fast reader knows
      if (e > start) start = e;
      if (fastSlack > slack) slack = fastSlack;
    }
    const th = thresholdOf(t, row);
    if (th === undefined) return UNSURE;
    if (empty || th === null) return NOT_STARTED;
    approxDue = start + th.shift;
    approxErr = th.error + slack;
    if (th.exact) {
      if (Math.abs(start - th.cut) <= slack) return exactTerm(t, row);
      return start < th.cut ? DUE : NOT_DUE;
    }
    const m = th.margin + slack;
    if (start < th.cut - m) return DUE;
    if (start > th.cut + m) return NOT_DUE;
    return exactTerm(t, row);
  };

  const next = new Map<Term, { due: DateTime; approx: number }>();
  const noteNotDue = (t: Term, row: readonly unknown[]) => {
    const best = next.get(t);
    if (best && approxDue - approxErr > best.approx) return;
    const d = trace(row).terms.find((x) => x.rule === t.rule && x.kind === t.kind)?.due;
    if (d && (!best || d.toMillis() < best.due.toMillis())) next.set(t, { due: d, approx: d.toMillis() });
  };

  const deletions = new Map<Rule, Decision>();
  const deleteBy = (rule: Rule): Decision => {
    let d = deletions.get(rule);
    if (!d) {
      d = Object.freeze({ action: 'delete', reason: 'shortest-deletion', rule });
      deletions.set(rule, d);
    }
    return d;
  };
  const due: Term[] = [];
  const approx: number[] = [],
    errs: number[] = [];
  const decide = (row: readonly unknown[], referenced = false): Decision => {
    if (hold >= 0) {
      const h = holdState(row[hold]);
      if (h === 'held') return HELD;
      if (h === 'unclear') return trace(row).decision;
    }
    let nDue = 0,
      deletes = 0,
      keepBlocked = false,
      anyDue = false;
    let redacts: Term[] | undefined;
    for (const g of groups) {
      let match = true;
      for (const w of g.where) {
        const v = row[w.idx];
        if (v === null || v === undefined) {
          match = false;
          break;
        }
        if (typeof v === 'object') return exact(row, referenced); // binary data: the reference implementation says doubt
        if (!w.values.has(asText(v))) {
          match = false;
          break;
        }
      }
      if (!match) continue;
      for (const t of g.terms) {
        const s = status(t, row);
        if (s === UNSURE) return exact(row, referenced);
        if (t.kind === 'keep') {
          if (s !== DUE) keepBlocked = true;
          continue;
        }
        if (s === NOT_DUE && trackNext) noteNotDue(t, row);
        if (t.kind === 'delete') {
          deletes++;
          if (s === DUE) {
            due[nDue] = t;
            approx[nDue] = approxDue;
            errs[nDue] = approxErr;
            nDue++;
            anyDue = true;
          }
        } else if (s === DUE) {
          (redacts ??= []).push(t);
          anyDue = true;
        }
      }
    }
    if (nDue > 0 && !keepBlocked) {
      if (referenced) return exact(row, true); // rare: the reference implementation says what else applies
      if (nDue === 1) return deleteBy(due[0].rule);
      let best = 0;
      for (let i = 1; i < nDue; i++) if (approx[i] < approx[best]) best = i;
      for (let i = 0; i < nDue; i++) if (i !== best && approx[i] - errs[i] <= approx[best] + errs[best]) return exact(row);
      return deleteBy(due[best].rule);
    }
    if (redacts && !keepBlocked) {
      const cols = new Set<string>();
      const rules: Rule[] = [];
      for (const t of redacts) {
        let contributes = false;
        for (const i of t.redact)
          if (!isEmpty(row[i])) {
            cols.add(columns[i]);
            contributes = true;
          }
        if (contributes) rules.push(t.rule);
      }
      if (rules.length > 0) return { action: 'redact', reason: 'redaction', rule: rules[0], columns: [...cols], redactRules: rules };
    }
    return deletes === 0 ? UNMANAGED : keepBlocked && anyDue ? LEGAL_MINIMUM : NOT_DUE_YET;
  };

  const exact = (row: readonly unknown[], referenced = false): Decision => {
    const tr = evaluate(ds, rowGetter(row), asOf, { referenced });
    if (trackNext && tr.decision.reason !== 'invalid') {
      for (const g of groups)
        for (const t of g.terms) {
          const x = tr.terms.find((y) => y.rule === t.rule && y.kind === t.kind);
          if (x?.status === 'not-due' && t.kind !== 'keep') {
            const best = next.get(t);
            if (!best || x.due!.toMillis() < best.due.toMillis()) next.set(t, { due: x.due!, approx: x.due!.toMillis() });
          }
        }
    }
    return tr.decision;
  };

  return {
    columns,
    decide,
    trace,
    nextDue: () => {
      const out = new Map<Rule, DateTime>();
      for (const [t, b] of next) {
        const cur = out.get(t.rule);
        if (!cur || b.due < cur) out.set(t.rule, b.due);
      }
      return out;
    },
  };
}

// Shared decisions: most records end in one of these, and allocating none keeps GC quiet.
const HELD: Decision = Object.freeze({ action: 'keep', reason: 'held' });
const UNMANAGED: Decision = Object.freeze({ action: 'keep', reason: 'unmanaged' });
const LEGAL_MINIMUM: Decision = Object.freeze({ action: 'keep', reason: 'legal-minimum' });
const NOT_DUE_YET: Decision = Object.freeze({ action: 'keep', reason: 'not-due' });
