import type { DateTime } from 'luxon';
import type { Dataset, Period, Rule } from '../policy/model.js';
import type { TermKind, TermTrace } from './decision.js';
import { parseTimestamp } from './timestamp.js';
import { asText, isEmpty } from './value.js';

const WHOLE = /^\d+(?:\.0+)?$/;

/**
 * The number of units in a per-record period column: a whole number >= 0 (as a number, or text
 * such as "90" or "90.0"), or undefined when the value is none. Empty values are the caller's.
 */
export function periodAmount(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : WHOLE.test(asText(v).trim()) ? Number(asText(v).trim()) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The period of one record: fixed, from its column, or none (empty and no default). */
function periodFor(period: Period, get: (column: string) => unknown): { duration: Record<string, number> } | null | { problem: string } {
  if (period.kind === 'fixed') return { duration: period.duration as Record<string, number> };
  const v = get(period.column);
  if (isEmpty(v)) return period.default ? { duration: period.default.duration as Record<string, number> } : null;
  const n = periodAmount(v);
  if (n === undefined) return { problem: `${period.column} = "${asText(v)}" is not a whole number of ${period.unit}` };
  return { duration: { [period.unit]: n } };
}

/** The start of a rule for one record: the latest of its from columns, aligned. */
function startFor(rule: Rule, dataset: Dataset, get: (column: string) => unknown): DateTime | null | { problem: string } {
  let start: DateTime | undefined;
  let empty = false;
  for (const column of rule.from) {
    const v = get(column);
    const t = parseTimestamp(v, dataset.timestamps, rule.timezone);
    if (t === undefined) return { problem: `${column} = "${asText(v)}" is not a readable timestamp (${formatName(dataset)})` };
    if (t === null) empty = true;
    else if (!start || t > start) start = t;
  }
  if (empty || !start) return null;
  return alignedStart(start, rule.align);
}

/** An aligned rule counts from the start of the unit after the start's (SPEC §1). */
export function alignedStart(start: DateTime, align: Rule['align']): DateTime {
  return align ? start.startOf(align).plus({ [`${align}s`]: 1 }) : start;
}

/** Start, due and status of one period of a rule for one record, with Luxon throughout. */
export function traceTerm(
  rule: Rule,
  kind: TermKind,
  period: Period,
  dataset: Dataset,
  get: (column: string) => unknown,
  asOf: DateTime,
): TermTrace {
  const start = startFor(rule, dataset, get);
  const p = periodFor(period, get);
  if (start && 'problem' in start) return { rule, kind, status: 'invalid', problem: start.problem };
  if (p && 'problem' in p) return { rule, kind, status: 'invalid', problem: p.problem };
  if (start === null || p === null) return { rule, kind, status: 'not-started', start: start ?? undefined };
  const due = start.plus(p.duration);
  return { rule, kind, status: due.toMillis() <= asOf.toMillis() ? 'due' : 'not-due', start, due };
}

function formatName(d: Dataset): string {
  return d.timestamps.kind === 'format' ? `format ${d.timestamps.format}` : d.timestamps.kind;
}
