import { describe, expect, it } from 'vitest';
import { type FixedPeriod, parsePeriod } from '../src/policy/period.js';
import { comparePeriods, sampledComparison } from '../src/policy/period-compare.js';

// SPEC §1 "Periods": ISO 8601 or words; negative or non-numeric amounts are invalid.
const VALID: [string, Record<string, number>][] = [
  // ISO 8601
  ['P90D', { days: 90 }],
  ['P3M', { months: 3 }],
  ['P1Y', { years: 1 }],
  ['P7Y6M', { years: 7, months: 6 }],
  ['P2W', { weeks: 2 }],
  ['PT12H', { hours: 12 }],
  ['P0D', { days: 0 }],
  ['P1Y2M3DT4H', { years: 1, months: 2, days: 3, hours: 4 }],
  // words
  ['90 days', { days: 90 }],
  ['6 months', { months: 6 }],
  ['7 years and 6 months', { years: 7, months: 6 }],
  ['1 year', { years: 1 }],
  ['0 days', { days: 0 }],
  ['1 week', { weeks: 1 }],
  ['2 hours', { hours: 2 }],
  ['1 day', { days: 1 }],
  ['1 month', { months: 1 }],
  ['3 weeks', { weeks: 3 }],
  ['1 hour', { hours: 1 }],
  ['1 year 6 months', { years: 1, months: 6 }],
  ['2 years and 3 months and 4 days', { years: 2, months: 3, days: 4 }],
];

const INVALID = [
  '12m',
  '-5 days',
  '6 monhts',
  'P',
  'P1.5D',
  '',
  '6',
  'five days',
  'P-1D',
  '1 year and 1 year',
  'PT',
  'P1YT',
  '1.5 days',
  'days',
  '90',
  'P90',
  '1 year and',
  'and 1 year',
  '   ',
  '6 months ago',
  '5days',
  '90days',
  '1 year, 2 days',
  '1 year,2 days',
];

describe('parsePeriod: valid periods', () => {
  it.each(VALID)('%s', (input, duration) => {
    const p = parsePeriod(input);
    expect(p).not.toHaveProperty('error');
    if ('error' in p) return;
    expect(p.kind).toBe('fixed');
    // exactly these units, nothing else (no stray zero units that would change the arithmetic)
    expect({ ...p.duration }).toEqual(duration);
    expect(p.text).toBe(input);
  });
});

describe('parsePeriod: invalid periods', () => {
  it.each(INVALID.map((s) => [JSON.stringify(s), s]))('%s', (_label, input) => {
    const p = parsePeriod(input);
    expect(p).toHaveProperty('error');
    expect((p as { error: string }).error).toEqual(expect.any(String));
    expect((p as { error: string }).error.length).toBeGreaterThan(0);
  });

  it.each([[90], [-5], [null], [undefined], [{}], [['90 days']]])('non-text input %j', (input) => {
    expect(parsePeriod(input)).toHaveProperty('error');
  });
});

describe('comparePeriods: the one-unit shortcut says what sampling every start says', () => {
  const periods = [
    '0 days',
    '1 day',
    '6 days',
    '1 week',
    '13 days',
    '2 weeks',
    '1 month',
    '2 months',
    '6 months',
    '1 year',
    '12 months',
    '7 years',
    '3 months and 1 year',
  ];
  const fixed = periods.map((p) => parsePeriod(p) as FixedPeriod);
  const cases: [string, 'day' | 'month' | 'year' | undefined][] = [
    ['Europe/Amsterdam', undefined],
    ['America/Santiago', undefined],
    ['UTC', 'month'],
    ['Australia/Lord_Howe', 'day'],
  ];
  for (const [zone, align] of cases)
    it(`${zone}${align ? `, aligned to the ${align}` : ''}`, () => {
      let shortcuts = 0;
      for (const a of fixed)
        for (const b of fixed) {
          const months = [a, b].every((p) => Object.keys(p.duration).every((k) => ['years', 'months'].includes(k)));
          const days = [a, b].every((p) => Object.keys(p.duration).every((k) => ['weeks', 'days'].includes(k)));
          if (months || days) shortcuts++;
          expect(comparePeriods(a, b, zone, align), `${a.text} vs ${b.text}`).toBe(sampledComparison(a, b, zone, align));
        }
      expect(shortcuts).toBeGreaterThan(60);
    });
});
