import { Duration, type DurationLikeObject } from 'luxon';

/** A fixed period, as calendar units that Luxon adds in the policy's timezone. */
export interface FixedPeriod {
  readonly kind: 'fixed';
  readonly duration: Readonly<DurationLikeObject>;
  /** The period as written in the policy, for messages and reports. */
  readonly text: string;
}

const PERIOD_UNITS = ['years', 'months', 'weeks', 'days', 'hours'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

const WORD_UNITS: Record<string, PeriodUnit> = {
  hour: 'hours',
  hours: 'hours',
  day: 'days',
  days: 'days',
  week: 'weeks',
  weeks: 'weeks',
  month: 'months',
  months: 'months',
  year: 'years',
  years: 'years',
};

/** Maps `day`/`days`/... to Luxon's plural unit name, or undefined. */
export function parseUnit(word: string): PeriodUnit | undefined {
  return WORD_UNITS[word.trim().toLowerCase()];
}

const MAX_AMOUNT = 100_000;
const PART = /^(\d+)\s+([a-z]+)$/i;

/**
 * Parses `P6M`, `P7Y6M`, `PT12H` (ISO 8601, whole numbers, units Y M W D H) or words such as
 * `6 months`, `7 years and 6 months`, `1 year 6 months` (SPEC §1: a number and a unit, several
 * joined by spaces or `and`). Returns an error message on anything else.
 */
export function parsePeriod(input: unknown): FixedPeriod | { error: string } {
  if (typeof input === 'number') return { error: `period ${input} has no unit; write e.g. "${input} days" or "P${input}D"` };
  if (typeof input !== 'string' || input.trim() === '') return { error: 'a period must be text such as "90 days" or "P90D"' };
  const text = input.trim();
  return /^P/i.test(text) ? parseIso(text) : parseWords(text);
}

function parseIso(text: string): FixedPeriod | { error: string } {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?)?$/i.exec(text);
  if (!m || text.toUpperCase().endsWith('T') || text.length === 1) {
    return {
      error: `"${text}" is not a valid period: use ISO 8601 with whole years, months, weeks, days or hours (P90D, P6M, P7Y6M, PT12H) or words ("90 days")`,
    };
  }
  // Luxon validates the ISO form too; we keep its parse as the source of truth for the values.
  const d = Duration.fromISO(text.toUpperCase());
  if (!d.isValid) return { error: `"${text}" is not a valid ISO 8601 period` };
  const duration: DurationLikeObject = {};
  const units: PeriodUnit[] = ['years', 'months', 'weeks', 'days', 'hours'];
  m.slice(1).forEach((v, i) => {
    if (v !== undefined) duration[units[i]] = checkAmount(Number(v));
  });
  if (Object.values(duration).some((v) => Number.isNaN(v))) return { error: `"${text}": amounts above ${MAX_AMOUNT} are not supported` };
  return { kind: 'fixed', duration, text };
}

function parseWords(text: string): FixedPeriod | { error: string } {
  const parts = text.split(/\s+and\s+|\s+(?=\d)/i);
  const duration: DurationLikeObject = {};
  for (const part of parts) {
    const m = PART.exec(part);
    const unit = m && parseUnit(m[2]);
    if (!m || !unit) {
      return {
        error: `"${text}" is not a valid period: write a whole number and a unit (hours, days, weeks, months, years), e.g. "90 days", "7 years and 6 months", or ISO 8601 such as "P90D"`,
      };
    }
    if (duration[unit] !== undefined) return { error: `"${text}" names ${unit} twice` };
    const amount = checkAmount(Number(m[1]));
    if (Number.isNaN(amount)) return { error: `"${text}": amounts above ${MAX_AMOUNT} are not supported` };
    duration[unit] = amount;
  }
  return { kind: 'fixed', duration, text };
}

function checkAmount(n: number): number {
  return Number.isSafeInteger(n) && n <= MAX_AMOUNT ? n : NaN;
}
