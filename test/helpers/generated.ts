import type { DateTime } from 'luxon';
import type { rng } from './random.js';

// Generated policies and values for the differential tests: records chosen to sit near
// thresholds (month ends, leap days, DST changes, offsets), and empty and broken values.
export const ZONES = ['Europe/Amsterdam', 'UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland'];
export const PERIODS = ['1 month', '6 months', '90 days', 'P1Y', '7 years', 'PT12H', '2 weeks', '0 days', '1 year and 1 day', 'P3M'];

export function policyYaml(r: ReturnType<typeof rng>, zone: string, fmt: string): string {
  const rules: string[] = [];
  const n = r.int(1, 4);
  for (let i = 0; i < n; i++) {
    const from = r.chance(0.2) ? '[a, b]' : r.pick(['a', 'b']);
    const lines = [`  - id: r${i}`, '    dataset: t', `    from: ${from}`];
    if (r.chance(0.3)) lines.push(`    where: { kind: ${r.chance(0.5) ? 'x' : '[x, y]'} }`);
    if (r.chance(0.2)) lines.push(`    align: ${r.pick(['day', 'month', 'year'])}`);
    const k = r.int(0, 3);
    if (k === 0 || k === 3)
      lines.push(
        `    delete_after: ${r.chance(0.2) ? `{ column: days, unit: days${r.chance(0.5) ? ', default: 30 days' : ''} }` : JSON.stringify(r.pick(PERIODS))}`,
      );
    if (k === 1) lines.push(`    redact_after: ${JSON.stringify(r.pick(PERIODS))}`, '    redact: [c1, c2]');
    if (k === 2) lines.push(`    keep_for: ${JSON.stringify(r.pick(PERIODS))}`);
    if (k === 3) {
      lines.length = 3;
      lines.push(`    delete_after: ${JSON.stringify(r.pick(PERIODS))}`);
    }
    rules.push(lines.join('\n'));
  }
  return `version: 1\nname: p\ntimezone: ${zone}\ndatasets:\n  t: { key: id, hold: h, timestamps: ${fmt} }\nrules:\n${rules.join('\n')}\n`;
}

export function value(r: ReturnType<typeof rng>, asOf: DateTime, fmt: string): unknown {
  if (r.chance(0.05)) return r.pick([null, '', ' ', 'garbage', '2021-02-30', '2021-13-01T00:00:00Z', '31-02-2021']);
  const back = r.pick([
    { months: r.int(0, 90) },
    { days: r.int(0, 400) },
    { hours: r.int(0, 48) },
    { years: r.int(0, 8), months: r.int(0, 11) },
  ]);
  let t = asOf.minus(back).plus({ minutes: r.int(-3000, 3000) });
  if (r.chance(0.2)) t = t.endOf('month').startOf('minute');
  if (r.chance(0.1)) t = t.set({ month: 2, day: 29 }).isValid ? t.set({ month: 2, day: r.int(28, 29) }) : t;
  if (fmt === 'unix') return r.chance(0.5) ? Math.floor(t.toSeconds()) : String(Math.floor(t.toSeconds()));
  if (fmt === 'unix_ms') return t.toMillis();
  const z = t.setZone(r.pick(['UTC', '+05:30', 'Europe/Amsterdam', '-08:00']));
  return r.pick([
    z.toISO(),
    z.toISO({ suppressMilliseconds: true }),
    t.toFormat('yyyy-MM-dd HH:mm:ss'),
    t.toISODate(),
    t.toFormat("yyyy-MM-dd'T'HH:mm"),
    t.toUTC().toISO(),
    t.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS"),
  ]);
}
