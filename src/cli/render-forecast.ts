import type { RecordLine } from '../app/consumers.js';
import type { RunResult } from '../app/run.js';
import { serializeRecord } from '../sources/csv/serialize.js';
import type { Out } from './render-run.js';
import { table } from './render-table.js';

/** The table report's look ahead: per dataset the forecast's buckets, what becomes due soon, and the records that do. */
export async function renderForecastTable(r: RunResult, out: Out): Promise<void> {
  for (const d of r.datasets) {
    const f = d.forecast;
    if (f) {
      await out(`\n${d.dataset}: forecast by ${f.bucket} until ${f.horizon}\n`);
      const rows: (string | number)[][] = [['due now', '', f.due.delete, f.due.redact]];
      for (const b of f.buckets) {
        rows.push([b.start, '(all rules)', b.delete, b.redact]);
        for (const x of b.rules) rows.push(['', `${x.policy}/${x.rule}`, x.delete, x.redact]);
      }
      await out(table(['from', 'rule', 'delete', 'redact'], rows));
      await out(
        `later: ${f.later}, not started: ${f.notStarted}, never due: ${f.never}, held: ${f.held}, invalid: ${f.invalid} (never in a ${f.bucket})\n`,
      );
    }
    const w = d.dueWithin;
    if (w) await out(`\n${d.dataset}: ${w.delete} become due for deletion and ${w.redact} for redaction before ${w.until}\n`);
  }
  if (r.upcoming && r.upcoming.count > 0) {
    await out('\nbecoming due  dataset  key  rule  due\n');
    for await (const l of r.upcoming.lines()) {
      const x = JSON.parse(l) as RecordLine;
      await out(`${x.action.padEnd(6)}  ${x.dataset}  ${x.key}  ${x.policy}/${x.rule}  ${x.due ?? '-'}\n`);
    }
  }
}

/**
 * CSV of the forecast: per dataset a row per bucket (`now` for what is due at asOf, then the
 * buckets by their start, then `later`), each followed by its rules' rows, and rows counting
 * what is never in a bucket in `records`.
 */
export async function renderForecastCsv(r: RunResult, out: Out): Promise<void> {
  const line = (cells: (string | number)[]) => out(serializeRecord(cells, ',', '\n'));
  await line(['dataset', 'policy', 'rule', 'bucket', 'start', 'end', 'delete', 'redact', 'records']);
  const asOf = r.asOf.toISO() ?? '';
  for (const d of r.datasets) {
    const f = d.forecast;
    if (!f) continue;
    await line([d.dataset, '', '', 'now', '', asOf, f.due.delete, f.due.redact, '']);
    for (const s of d.rules)
      if (s.delete + s.redact > 0) await line([d.dataset, s.policy, s.rule, 'now', '', asOf, s.delete, s.redact, '']);
    for (const b of f.buckets) {
      await line([d.dataset, '', '', f.bucket, b.start, b.end, b.delete, b.redact, '']);
      for (const x of b.rules) await line([d.dataset, x.policy, x.rule, f.bucket, b.start, b.end, x.delete, x.redact, '']);
    }
    await line([d.dataset, '', '', 'later', f.horizon, '', '', '', f.later]);
    for (const [what, n] of [
      ['not-started', f.notStarted],
      ['never', f.never],
      ['held', f.held],
      ['invalid', f.invalid],
    ] as const)
      await line([d.dataset, '', '', what, '', '', '', '', n]);
  }
}

/** CSV of the records becoming due within --due-within (the notice list). */
export async function renderUpcomingCsv(r: RunResult, out: Out): Promise<void> {
  const line = (cells: (string | number)[]) => out(serializeRecord(cells, ',', '\n'));
  await line(['dataset', 'key', 'action', 'policy', 'rule', 'due']);
  if (!r.upcoming) return;
  for await (const l of r.upcoming.lines()) {
    const x = JSON.parse(l) as RecordLine;
    await line([x.dataset, x.key, x.action, x.policy, x.rule, x.due ?? '']);
  }
}
