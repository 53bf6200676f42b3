import { DateTime } from 'luxon';
import type pg from 'pg';
import type { DatasetPlan } from '../../engine/plan.js';
import type { PgColumn } from './columns.js';
import { type AmountCuts, YEAR_1 } from './compile.js';

/** Where PostgreSQL's time zone data and retention's (ICU's, through Luxon) put one instant at different wall clocks. */
export interface ZoneDifference {
  readonly zone: string;
  readonly at: string;
  readonly postgres: string;
  readonly retention: string;
  /** PostgreSQL does not know the zone at all (its time zone data is older than the name). */
  readonly unknown?: boolean;
}

const HOUR = 3_600_000;
const YEAR_10000 = Date.parse('9999-12-31T23:00:00Z');
/** Hourly for two days either side of each cut; sparser over the starts a next due can have. */
const AROUND = 48;
const MAX_SAMPLES = 20_000;
const SPAN_SAMPLES = 200;

/**
 * SQL reads timestamp, date and offset-less text starts in the policy's zone with PostgreSQL's
 * time zone data, while cuts and dues are Luxon's. The two disagree on some history (merged zones
 * before 1970: Europe/Amsterdam before 1940 by 20 minutes; America/Tijuana in 1953-1975 by an hour
 * between tzdata 2025b and 2025c) and wherever one side lacks a new rule. Compared at every hour
 * near the plan's cuts and across the span its pending starts can have: the first difference, or
 * undefined where they agree.
 */
export async function zoneDifference(
  client: pg.Client,
  plan: DatasetPlan,
  columns: ReadonlyMap<string, PgColumn>,
  amounts: AmountCuts,
  inTransaction: boolean,
): Promise<ZoneDifference | undefined> {
  const byZone = new Map<string, Set<number>>();
  for (const g of plan.groups)
    for (const t of g.terms) {
      const zoned = t.rule.from.some((c) => ['timestamp', 'date', 'text'].includes(columns.get(c)?.kind ?? ''));
      if (!zoned || plan.dataset.timestamps.kind !== 'iso') continue;
      const cuts = t.fixed ? [t.fixed.cut] : [...(amounts.get(t)?.values() ?? [])].map((c) => c.cut);
      const set = byZone.get(t.rule.timezone) ?? new Set<number>();
      byZone.set(t.rule.timezone, set);
      for (const cut of cuts) {
        const hour = Math.floor(cut / HOUR) * HOUR;
        for (let k = -AROUND; k <= AROUND; k++) set.add(hour + k * HOUR);
      }
      const lo = cuts.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      const span = plan.asOf.toMillis() - lo;
      for (let k = 0; k <= SPAN_SAMPLES && span > 0 && cuts.length; k++)
        set.add(Math.floor((lo + (span * k) / SPAN_SAMPLES) / HOUR) * HOUR);
    }
  for (const [zone, set] of byZone) {
    let samples = [...set].filter((ms) => ms >= YEAR_1 && ms <= YEAR_10000).sort((a, b) => a - b);
    if (samples.length > MAX_SAMPLES) samples = samples.filter((_, i) => i % Math.ceil(samples.length / MAX_SAMPLES) === 0);
    if (samples.length === 0) continue;
    const r = await walls(client, samples, zone, inTransaction);
    if (!r) return { zone, at: new Date(samples[0] as number).toISOString(), postgres: 'no such zone', retention: zone, unknown: true };
    for (let i = 0; i < samples.length; i++) {
      const ms = samples[i] as number;
      const wall = wallMs(DateTime.fromMillis(ms, { zone }));
      const theirs = Number(r.rows[i]?.w);
      if (theirs !== wall) {
        const show = (w: number) => new Date(w).toISOString().slice(0, 19).replace('T', ' ');
        return { zone, at: new Date(ms).toISOString(), postgres: show(theirs), retention: show(wall) };
      }
    }
  }
  return undefined;
}

/**
 * The wall clocks of the instants in the zone as PostgreSQL reads them, or undefined where it does
 * not know the zone (an error a savepoint keeps from aborting the transaction the run reads in).
 */
async function walls(client: pg.Client, samples: readonly number[], zone: string, inTransaction: boolean) {
  if (inTransaction) await client.query('SAVEPOINT retention_zone');
  try {
    const r = await client.query<{ w: string }>(
      `SELECT floor(extract(epoch FROM t AT TIME ZONE $2) * 1000)::bigint AS w FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, i) ORDER BY i`,
      [samples.map((ms) => new Date(ms).toISOString()), zone],
    );
    if (inTransaction) await client.query('RELEASE SAVEPOINT retention_zone');
    return r;
  } catch (e) {
    // invalid_parameter_value: time zone "..." not recognized
    if ((e as { code?: string }).code !== '22023') throw e;
    if (inTransaction) await client.query('ROLLBACK TO SAVEPOINT retention_zone');
    return undefined;
  }
}

/** A wall clock as epoch ms of the same digits in UTC (Date.UTC would read the years 0-99 as 1900-1999). */
function wallMs(l: DateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(l.year, l.month - 1, l.day);
  d.setUTCHours(l.hour, l.minute, l.second, 0);
  return d.getTime();
}
