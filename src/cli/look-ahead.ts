import type { Command } from 'commander';
import type { LookAhead } from '../app/forecast.js';
import { parsePeriod } from '../policy/period.js';
import { EXIT } from './exit-codes.js';

/** The look-ahead flags of `report`, as commander gives them (a period may be several words: `13 weeks`). */
export interface LookAheadFlags {
  horizon?: string[];
  dueWithin?: string[];
  failIfDueWithin?: string[];
  records?: boolean;
}

/** The forecast of an HTML report without --horizon: a quarter, in weeks. */
export const HTML_HORIZON = ['13', 'weeks'];

/** The flags as periods (SPEC §1, the policy parser); a bad period is wrong usage (exit 2). */
export function lookAheadOf(c: Command, o: LookAheadFlags): LookAhead {
  const period = (flag: string, words: string[] | undefined) => {
    if (!words) return undefined;
    const p = parsePeriod(words.join(' '));
    if ('error' in p) c.error(`error: ${flag}: ${p.error}`, { exitCode: EXIT.usage });
    else return p.duration;
  };
  const within = o.dueWithin?.join(' ');
  const failWithin = o.failIfDueWithin?.join(' ');
  if (within !== undefined && failWithin !== undefined && within !== failWithin)
    c.error(`error: --due-within ${within} and --fail-if-due-within ${failWithin} name two windows; give one, or the same`, {
      exitCode: EXIT.usage,
    });
  return {
    horizon: period('--horizon', o.horizon),
    dueWithin: period(o.dueWithin ? '--due-within' : '--fail-if-due-within', o.dueWithin ?? o.failIfDueWithin),
    records: Boolean(o.records),
  };
}
