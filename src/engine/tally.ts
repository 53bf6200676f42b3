import type { DateTime } from 'luxon';
import type { Rule } from '../policy/model.js';
import type { Decision } from './decision.js';
import type { DatasetForecast } from './forecast.js';

/** Counts of one rule within a dataset. */
export interface RuleSummary {
  readonly policy: string;
  readonly rule: string;
  delete: number;
  redact: number;
  /** Earliest due among records for which the rule is not yet due. */
  nextDue?: string;
}

/** Why a planned record was not acted on when its plan was applied. */
export type SkipReason = 'changed' | 'disappeared' | 'held' | 'no-longer-due';

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
  /** Records due for deletion kept because the source cannot delete them (rows elsewhere refer to them); present where that can happen. */
  referenced?: number;
  /** Applying a plan: planned records not acted on, by reason. */
  skipped?: Record<SkipReason, number>;
  /**
   * PostgreSQL: partitions all of whose rows are due for deletion (counted in `delete` as well),
   * `dropped` whole by this run (a dry run: would be), else deleted row by row.
   */
  partitions?: { name: string; rows: number; dropped: boolean }[];
  /** report --due-within: kept records that become due after asOf and before `until`. */
  dueWithin?: { until: string; delete: number; redact: number };
  /** report --horizon: what becomes due in each day or week ahead. */
  forecast?: DatasetForecast;
}

/** Counts decisions into a dataset's summary: the one place a decision becomes a count. */
export class Tally {
  readonly summary: DatasetSummary;
  private readonly byRule = new Map<Rule, RuleSummary>();

  constructor(dataset: string, rules: readonly Rule[], options: { referenced?: boolean; planned?: boolean } = {}) {
    this.summary = { dataset, scanned: 0, delete: 0, redact: 0, keep: 0, held: 0, invalid: 0, unmanaged: 0, rules: [] };
    if (options.referenced) this.summary.referenced = 0;
    if (options.planned) this.summary.skipped = { changed: 0, disappeared: 0, held: 0, 'no-longer-due': 0 };
    for (const r of rules) {
      const s: RuleSummary = { policy: r.policy, rule: r.id, delete: 0, redact: 0 };
      this.byRule.set(r, s);
      this.summary.rules.push(s);
    }
  }

  add(d: Decision): void {
    this.addMany(d, 1);
  }

  /** `n` records with the same decision (an SQL source counts them in the database). */
  addMany(d: Decision, n: number): void {
    if (n <= 0) return;
    const s = this.summary;
    s.scanned += n;
    if (d.action === 'delete') {
      s.delete += n;
      this.rule(d.rule).delete += n;
      return;
    }
    if (d.action === 'redact') {
      s.redact += n;
      for (const r of d.rules) this.rule(r).redact += n;
      return;
    }
    s.keep += n;
    if (d.reason === 'held') s.held += n;
    else if (d.reason === 'invalid') s.invalid += n;
    else if (d.reason === 'unmanaged') s.unmanaged += n;
    else if (d.reason === 'referenced') s.referenced = (s.referenced ?? 0) + n;
  }

  /** Back to earlier counts (a batch that was rolled back). */
  reset(to: DatasetSummary): void {
    const { rules, skipped, ...counts } = to;
    Object.assign(this.summary, counts);
    if (skipped && this.summary.skipped) Object.assign(this.summary.skipped, skipped);
    rules.forEach((r, i) => {
      Object.assign(this.summary.rules[i], r);
    });
  }

  /** A planned record not acted on. */
  skip(reason: SkipReason, n = 1): void {
    this.summary.skipped ??= { changed: 0, disappeared: 0, held: 0, 'no-longer-due': 0 };
    this.summary.skipped[reason] += n;
  }

  setNextDue(next: ReadonlyMap<Rule, DateTime>): void {
    for (const [rule, due] of next) {
      const s = this.byRule.get(rule);
      if (s) s.nextDue = due.toISO() ?? undefined;
    }
  }

  private rule(r: Rule): RuleSummary {
    const s = this.byRule.get(r);
    if (!s) throw new Error(`internal: rule ${r.policy}/${r.id} is not one of dataset ${this.summary.dataset}'s`);
    return s;
  }
}
