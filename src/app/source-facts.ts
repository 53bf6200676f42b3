import type { Decider } from '../engine/compile.js';
import type { Decision } from '../engine/decision.js';
import type { DatasetInfo, ReadOptions } from '../sources/source.js';

/**
 * What the source knows that the engine does not, applied the same way by report, purge and
 * explain: a redaction the source cannot write exactly (a CSV record that is not valid UTF-8)
 * is doubt, so the record is kept and counted invalid.
 */
export function notRewritable(d: Decision): Decision {
  return {
    action: 'keep',
    reason: 'invalid',
    rule: d.rule,
    problem: 'the record is not valid UTF-8, so redacting it would change the bytes of its other fields',
  };
}

/** The tables whose rows refer to a dataset, as messages name them. */
export function referringTables(info: DatasetInfo): string {
  return info.referencedBy.map((r) => `${r.table}(${r.columns.join(', ')})`).join(', ');
}

/**
 * For each dataset of a run, how to tell a row the purge deletes (its own referenced flag, at
 * columns + 1, included): a report, a dry run or explain cannot see those deletions, yet the
 * rows they remove hold no record when the purge reaches it.
 */
export function goingOf(deciders: Iterable<readonly [string, Decider]>): NonNullable<ReadOptions['going']> {
  return new Map(
    [...deciders].map(([name, d]) => {
      const n = d.columns.length;
      return [name, { columns: d.columns, goes: (row) => d.decide(row, Boolean(row[n + 1])).action === 'delete' }];
    }),
  );
}
