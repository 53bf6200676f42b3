import type { DatasetSummary } from '../engine/tally.js';

/** The caps of a purge: the most records it may delete, in all and as a share of any dataset. */
export interface Caps {
  readonly maxDelete?: number;
  readonly maxDeletePercent?: number;
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
    const over = counts.filter((d) => d.delete * 100 > limit * d.scanned);
    if (over.length > 0) {
      const what = over.map((d) => `${d.dataset}: ${d.delete} of ${d.scanned} (${((d.delete * 100) / d.scanned).toFixed(1)}%)`).join(', ');
      return `refused: more than --max-delete-percent ${limit}% of a dataset would be deleted (${what}); nothing was changed`;
    }
  }
  return undefined;
}

export const capped = (caps: Caps) => caps.maxDelete !== undefined || caps.maxDeletePercent !== undefined;
