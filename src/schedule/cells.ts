import type { Schedule, ScheduleDataset, SchedulePolicy, ScheduleRow } from './model.js';
import { list } from './wording.js';

// The table both renderers lay out, as plain text cells: Markdown and HTML differ only in how
// they escape and mark them up, so the schedule reads the same in both.

export const COLUMNS = ['Dataset', 'Records', 'Kept', 'Legal minimum', 'Then', 'Legal basis', 'Statement (cited)', 'Rule'] as const;

export interface RowCells {
  readonly cells: readonly string[];
  /** Records kept without limit: the renderers make it stand out. */
  readonly flagged: boolean;
}

export const NONE = '—';
export const KEPT_WITHOUT_LIMIT = 'kept without limit';

export function rowCells(p: SchedulePolicy, d: ScheduleDataset, r: ScheduleRow): RowCells {
  return {
    cells: [
      d.dataset,
      r.records,
      r.kept ?? NONE,
      legalMinimumCell(p, r),
      r.outcome,
      r.basis ?? (r.rule ? 'not given' : NONE),
      r.cite !== null ? `"${r.cite}"` : r.rule ? 'no sentence cited' : NONE,
      r.rule ?? NONE,
    ],
    flagged: r.action === 'none',
  };
}

/** "7 years after the end of the year of invoice_date (rule invoices-fiscal-minimum)"; several: the latest applies. */
function legalMinimumCell(p: SchedulePolicy, r: ScheduleRow): string {
  if (r.legalMinimum.length === 0) return NONE;
  const parts = r.legalMinimum.map((m) => {
    if (m.rule === r.rule && m.policy === p.policy) return m.text;
    return `${m.text} (rule ${m.policy === p.policy ? m.rule : `${m.policy}/${m.rule}`})`;
  });
  return parts.length === 1 ? parts[0] : `the latest of: ${parts.join('; ')}`;
}

/** What a reader needs besides the rows: holds, datasets shared with other policies. */
export function policyNotes(p: SchedulePolicy): string[] {
  const notes: string[] = [];
  const holds = new Map<string, string[]>();
  for (const d of p.datasets) if (d.hold) holds.set(d.hold, [...(holds.get(d.hold) ?? []), d.dataset]);
  for (const [column, datasets] of holds) {
    const without = p.datasets.filter((d) => d.hold !== column).map((d) => d.dataset);
    const where =
      without.length === 0
        ? 'every dataset'
        : without.length < datasets.length
          ? `every dataset except ${list(without, 'and')}`
          : list(datasets, 'and');
    notes.push(`A record whose ${column} is set is never touched, whatever its rows say (hold column of ${where}).`);
  }
  for (const d of p.datasets)
    if (d.sharedWith.length > 0)
      notes.push(`${d.dataset} is also declared by policy ${list(d.sharedWith, 'and')}: the rules of all of them apply to its records.`);
  return notes;
}

/** The reading guide at the top of the document. */
export const LEGEND: readonly string[] = [
  'Kept: how long a record is kept, from which event. A period starts when its event is recorded: while that column is empty, the event has not happened and the record is kept.',
  'Legal minimum: no rule deletes or redacts a record before it; where it ends later than the period under Kept, the record stays until then.',
  'Kept without limit: records that no delete rule will ever delete.',
  "Dates are worked out in each policy's timezone, with calendar months and years (31 January + 1 month = 28 or 29 February).",
];

/** The policy files the schedule was made from, for its header. */
export function sources(s: Schedule): { file: string; policy: string; sha256: string }[] {
  return s.policies.map((p) => ({ file: p.file, policy: p.policy, sha256: p.sha256 }));
}
