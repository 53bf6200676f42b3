import type { DateTime } from 'luxon';
import type { Rule } from '../policy/model.js';

export type Action = 'delete' | 'redact' | 'keep';

/** The principle that decided a record (SPEC §2), as explain and reports name it. */
export type Reason =
  | 'held' // step 1: the hold column is set
  | 'invalid' // step 3: a value could not be read; never delete on doubt
  | 'legal-minimum' // a delete or redaction is due, but a keep_for has not ended
  | 'shortest-deletion' // step 6: the delete rule with the earliest due governs
  | 'redaction' // step 7
  | 'not-due' // rules apply, none is due yet
  | 'unmanaged' // no delete rule applies: a coverage gap
  | 'referenced'; // due for deletion, but rows of another table still refer to it (the source says)

/** What a rule says of a record: one entry per period of the rule (a rule may keep and delete). */
export type TermKind = 'delete' | 'redact' | 'keep';

export interface Decision {
  readonly action: Action;
  readonly reason: Reason;
  /** The governing delete rule, or the first rule whose columns are redacted. */
  readonly rule?: Rule;
  /** Columns to redact (only those not already empty). */
  readonly columns?: readonly string[];
  /** Rules whose columns are redacted (redact only). */
  readonly redactRules?: readonly Rule[];
  /** For invalid records: what could not be read. */
  readonly problem?: string;
}

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
