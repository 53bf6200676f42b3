import type { DateTime, DurationLikeObject } from 'luxon';
import { Forecast, horizonOf } from '../engine/forecast.js';
import type { DatasetPlan } from '../engine/plan.js';
import type { DatasetSummary } from '../engine/tally.js';
import { UserError } from '../errors.js';
import { Spool } from '../util/spool.js';
import type { RecordLine } from './consumers.js';

/** What a report looks ahead at (report --horizon, --due-within), as periods (SPEC §1). */
export interface LookAhead {
  /** Count what becomes due in each day or week until asOf + horizon. */
  readonly horizon?: DurationLikeObject;
  /** Count (and with `records`, list) the records that become due before asOf + dueWithin. */
  readonly dueWithin?: DurationLikeObject;
  /** List the records becoming due within dueWithin. */
  readonly records?: boolean;
}

/** The forecasts of a report, one per dataset, and the records they find due soon. */
export interface Forecasts {
  readonly byPlan: ReadonlyMap<DatasetPlan, Forecast>;
  /** JSON lines (RecordLine, `due` after asOf) of the records becoming due within dueWithin. */
  readonly upcoming?: Spool;
}

export function forecasts(plans: readonly DatasetPlan[], asOf: DateTime, o: LookAhead): Forecasts {
  if (!o.horizon && !o.dueWithin) return { byPlan: new Map() };
  const horizon = o.horizon ? horizonOf(asOf, o.horizon) : undefined;
  if (horizon && 'error' in horizon) throw new UserError(`--horizon: ${horizon.error}`, 2);
  const end = o.dueWithin ? asOf.plus(o.dueWithin) : undefined;
  if (end && end <= asOf) throw new UserError('--due-within: the window must be longer than 0', 2);
  const upcoming = end && o.records ? new Spool('upcoming') : undefined;
  const byPlan = new Map(
    plans.map((p) => [
      p,
      new Forecast(
        p,
        horizon,
        end && {
          end,
          onDue: upcoming
            ? ({ key, next }) => {
                const line: RecordLine = {
                  dataset: p.dataset.name,
                  key,
                  action: next.action,
                  policy: next.rule.policy,
                  rule: next.rule.id,
                  due: next.at.toISO() ?? undefined,
                };
                upcoming.push(JSON.stringify(line));
              }
            : undefined,
        },
      ),
    ]),
  );
  return { byPlan, upcoming };
}

/** The dataset's summary with what its forecast found. */
export function addForecast(summary: DatasetSummary, f: Forecast | undefined, o: LookAhead, asOf: DateTime): void {
  if (!f) return;
  const forecast = f.finish(summary);
  if (forecast) summary.forecast = forecast;
  if (o.dueWithin) summary.dueWithin = { until: asOf.plus(o.dueWithin).toISO() ?? '', ...f.soon };
}
