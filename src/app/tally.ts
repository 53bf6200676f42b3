import type { DateTime } from 'luxon';
import type { Rule } from '../policy/model.js';
import type { Decision } from '../engine/decision.js';

/** Counts of one rule within a dataset. */
export interface RuleSummary {
  readonly policy: string;
  readonly rule: string;
  delete: number;
  redact: number;
  /** Earliest due among records for which the rule is not yet due. */
  nextDue?: string;
}

/** Counts of one dataset (SPEC §4): scanned = delete + redact + keep. */
export interface DatasetSummary {
  readonly dataset: string;
  scanned: number;
  delete: number;
  redact: number;
  keep: number;
  held: number;
  invalid: number;
  unmanaged: number;
  readonly rules: RuleSummary[];
  /** Records due for deletion kept because rows of other tables refer to them (SQLite foreign keys); present where such references exist. */
  referenced?: number;
  /** Applying a plan: planned records not acted on, by reason. */
  skipped?: Record<string, number>;
}

export class Tally {
  readonly summary: DatasetSummary;
  private readonly byRule = new Map<Rule, RuleSummary>();

  constructor(dataset: string, rules: readonly Rule[]) {
    this.summary = { dataset, scanned: 0, delete: 0, redact: 0, keep: 0, held: 0, invalid: 0, unmanaged: 0, rules: [] };
    for (const r of rules) {
      const s: RuleSummary = { policy: r.policy, rule: r.id, delete: 0, redact: 0 };
      this.byRule.set(r, s);
      this.summary.rules.push(s);
    }
  }

  add(d: Decision): void {
    const s = this.summary;
    s.scanned++;
    if (d.action === 'delete') {
      s.delete++;
      this.byRule.get(d.rule!)!.delete++;
      return;
    }
    if (d.action === 'redact') {
      s.redact++;
      for (const r of d.redactRules!) this.byRule.get(r)!.redact++;
      return;
    }
    s.keep++;
    if (d.reason === 'held') s.held++;
    else if (d.reason === 'invalid') s.invalid++;
    else if (d.reason === 'unmanaged') s.unmanaged++;
    else if (d.reason === 'referenced') s.referenced = (s.referenced ?? 0) + 1;
  }

  setNextDue(next: Map<Rule, DateTime>): void {
    for (const [rule, due] of next) {
      const s = this.byRule.get(rule);
      if (s) s.nextDue = due.toISO() ?? undefined;
    }
  }
}
