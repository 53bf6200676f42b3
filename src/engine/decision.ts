import type { DateTime } from 'luxon';
import type { Rule } from '../policy/model.js';

export type Action = 'delete' | 'redact' | 'keep';

/** The principle that kept a record (SPEC §2), as explain and reports name it. */
export type KeepReason =
  | 'held' // step 1: the hold column is set
  | 'invalid' // step 3: a value could not be read; never delete on doubt
  | 'legal-minimum' // a delete or redaction is due, but a keep_for has not ended
  | 'not-due' // rules apply, none is due yet
  | 'unmanaged' // no delete rule applies: a coverage gap
  | 'referenced'; // due for deletion, but the source cannot delete it (rows elsewhere still refer to it)

const KEEP_REASONS = ['held', 'invalid', 'legal-minimum', 'not-due', 'unmanaged', 'referenced'] as const satisfies readonly KeepReason[];

/** A kept decision of each reason without a rule, shared: what SQL sources count by class. */
export const KEPT: Readonly<Record<KeepReason, Keeping>> = Object.freeze(
  Object.fromEntries(KEEP_REASONS.map((reason) => [reason, Object.freeze({ action: 'keep' as const, reason })])) as Record<
    KeepReason,
    Keeping
  >,
);

/** The principle that decided a record. */
export type Reason = KeepReason | 'shortest-deletion' | 'redaction';

/** What a rule says of a record: one entry per period of the rule (a rule may keep and delete). */
export type TermKind = 'delete' | 'redact' | 'keep';

/** Step 6: deleted; `rule` is the delete rule with the earliest due. */
export interface Deletion {
  readonly action: 'delete';
  readonly reason: 'shortest-deletion';
  readonly rule: Rule;
}

/** Step 7: the columns of the due redact rules that are not empty yet are emptied. */
export interface Redaction {
  readonly action: 'redact';
  readonly reason: 'redaction';
  /** The first rule whose columns are redacted: the one reports name. */
  readonly rule: Rule;
  readonly columns: readonly string[];
  /** Every rule whose columns this empties: each has the record in its count and its receipt. */
  readonly rules: readonly Rule[];
}

/** Kept, for a reason; `rule` where one rule explains it (the unreadable one, the governing delete). */
export interface Keeping {
  readonly action: 'keep';
  readonly reason: KeepReason;
  readonly rule?: Rule;
  /** For invalid records: what could not be read. */
  readonly problem?: string;
}

export type Decision = Deletion | Redaction | Keeping;

/** A decision that changes the record. */
export type Change = Deletion | Redaction;

export interface TermTrace {
  readonly rule: Rule;
  readonly kind: TermKind;
  /** not-started: a from column (or the per-record period without default) is empty. */
  readonly status: 'due' | 'not-due' | 'not-started' | 'invalid';
  readonly start?: DateTime;
  readonly due?: DateTime;
  readonly problem?: string;
}

/** The whole reasoning for one record: what explain prints. */
export interface Trace {
  readonly held: 'held' | 'free' | 'unclear' | 'no-hold-column';
  readonly terms: readonly TermTrace[];
  readonly keepUntil?: DateTime | 'not-started';
  readonly decision: Decision;
  /** Due of the governing rule (delete, redact). */
  readonly due?: DateTime;
}

/** A change the source cannot carry out exactly is not made: the record is kept, as doubt. */
export function keptAsDoubt(d: Decision, problem: string): Keeping {
  return { action: 'keep', reason: 'invalid', rule: d.rule, problem };
}
