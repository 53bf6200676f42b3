import type { DatasetSummary } from '../engine/tally.js';

/** Below this many deletions in a dataset the percent cap does not apply (a table of 6 records with 2 due is no backlog). */
export const CAP_MIN_DEFAULT = 100;

/** The caps of a purge: the most records it may delete, in all and as a share of any dataset. */
export interface Caps {
  readonly maxDelete?: number;
  readonly maxDeletePercent?: number;
  /** The percent cap applies to a dataset only where more than this many records would be deleted. */
  readonly capMin?: number;
}

/** Why these counts are over a cap, or undefined: a purge is refused on it before its first change. */
export function capRefusal(counts: readonly DatasetSummary[], caps: Caps): string | undefined {
  if (caps.maxDelete !== undefined) {
    const total = counts.reduce((n, d) => n + d.delete, 0);
    if (total > caps.maxDelete) {
      const per = counts
        .filter((d) => d.delete > 0)
        .map((d) => `${d.dataset}: ${d.delete}`)
        .join(', ');
      return `refused: ${total} records would be deleted (${per}), more than --max-delete ${caps.maxDelete}; nothing was changed`;
    }
  }
  if (caps.maxDeletePercent !== undefined) {
    const limit = caps.maxDeletePercent;
    const min = caps.capMin ?? CAP_MIN_DEFAULT;
    const over = counts.filter((d) => d.delete > min && d.delete * 100 > limit * d.scanned);
    if (over.length > 0) {
      const what = over.map((d) => `${d.dataset}: ${d.delete} of ${d.scanned} (${shareAbove(d.delete, d.scanned, limit)}%)`).join(', ');
      return `refused: more than --max-delete-percent ${limit}% of a dataset would be deleted (${what}; the cap applies where more than --cap-min ${min} would be); nothing was changed`;
    }
  }
  return undefined;
}

/**
 * `part` of `whole` as a percentage, with as many decimals as it takes to show it above `limit`
 * (1591 of 2000 is 79.55%, not the 79.5% of one decimal, over a limit of 79.5), cut rather than
 * rounded so it never says more than it is.
 */
export function shareAbove(part: number, whole: number, limit: number): string {
  for (let digits = 1; ; digits++) {
    // Integer arithmetic: the share cut to `digits` decimals, free of float rounding.
    const scaled = Math.floor((part * 100 * 10 ** digits) / whole);
    const shown = (scaled / 10 ** digits).toFixed(digits);
    if (Number(shown) > limit || digits === 6) return shown;
  }
}

export const capped = (caps: Caps) => caps.maxDelete !== undefined || caps.maxDeletePercent !== undefined;
