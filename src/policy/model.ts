import type { IgnoreDirective } from './ignores.js';
import type { FixedPeriod, PeriodUnit } from './period.js';

/** Where something stands in a policy file. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A period read from the record: the number in `column`, in `unit`. */
export interface ColumnPeriod {
  readonly kind: 'column';
  readonly column: string;
  readonly unit: PeriodUnit;
  readonly default?: FixedPeriod;
  readonly text: string;
}

export type Period = FixedPeriod | ColumnPeriod;

export type TimestampFormat =
  | { readonly kind: 'iso' }
  | { readonly kind: 'unix' }
  | { readonly kind: 'unix_ms' }
  | { readonly kind: 'format'; readonly format: string };

export interface Dataset {
  readonly name: string;
  readonly key?: string;
  readonly timestamps: TimestampFormat;
  readonly hold?: string;
  readonly policy: string;
  readonly loc: Location;
  /** Where its name stands (the line a `# retention-ignore:` for it goes on or above). */
  readonly nameLoc?: Location;
}

/** Policies may share a dataset only if they read it the same way (SPEC §4: their settings must agree). */
export function sameDatasetSettings(a: Dataset, b: Dataset): boolean {
  return a.key === b.key && a.hold === b.hold && JSON.stringify(a.timestamps) === JSON.stringify(b.timestamps);
}

export interface WhereClause {
  readonly column: string;
  readonly values: readonly string[];
}

export interface Rule {
  readonly policy: string;
  readonly id: string;
  readonly dataset: string;
  readonly where: readonly WhereClause[];
  readonly from: readonly string[];
  readonly align?: 'day' | 'month' | 'year';
  readonly deleteAfter?: Period;
  readonly redactAfter?: Period;
  readonly redact: readonly string[];
  readonly keepFor?: Period;
  readonly basis?: string;
  readonly cite?: string;
  /** The policy's IANA zone: timestamps without offset and calendar arithmetic. */
  readonly timezone: string;
  readonly loc: Location;
}

export interface Policy {
  readonly name: string;
  readonly title?: string;
  readonly timezone: string;
  readonly file: string;
  /** Content hash of the file, so a plan can tell whether the policy changed. */
  readonly sha256: string;
  readonly datasets: ReadonlyMap<string, Dataset>;
  readonly rules: readonly Rule[];
  /** Its `# retention-ignore:` comments, which silence lints (validate only). */
  readonly ignores?: readonly IgnoreDirective[];
}
