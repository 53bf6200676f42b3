import { serializeRecord } from '../sources/csv/serialize.js';
/** Writes to stdout; resolves when the stream can take more. */
export type Out = (s: string) => void | Promise<void>;

import type { RecordLine } from '../app/consumers.js';
import type { RunResult } from '../app/run.js';
import { renderForecastCsv, renderForecastTable, renderUpcomingCsv } from './render-forecast.js';
import { table } from './render-table.js';

/** A dataset's counts, in the order every table and CSV shows them. */
export const COUNTS = ['scanned', 'delete', 'redact', 'keep', 'held', 'invalid', 'unmanaged'] as const;

/** Lines of JSON text, each one element of a list. */
type Lines = Iterable<string> | AsyncIterable<string>;

/**
 * One JSON document: `head`'s fields, then each named list streamed element by element (a list of
 * millions of records is never one string).
 */
export async function jsonDocument(out: Out, head: object, lists: readonly (readonly [string, Lines])[]): Promise<void> {
  const text = JSON.stringify(head, null, 2);
  if (lists.length === 0) {
    await out(`${text}\n`);
    return;
  }
  await out(text.slice(0, -2));
  for (const [name, lines] of lists) {
    await out(`,\n  "${name}": [`);
    let first = true;
    for await (const l of lines) {
      await out((first ? '\n    ' : ',\n    ') + l);
      first = false;
    }
    await out(first ? ']' : '\n  ]');
  }
  await out('\n}\n');
}

/** The summary a person reads: per dataset, then per rule with its next due date. */
export async function renderTable(r: RunResult, out: Out): Promise<void> {
  const title = r.mode === 'report' ? 'Report' : r.mode === 'dry-run' ? 'Purge (dry run: nothing changed)' : 'Purge';
  await out(`${title} of ${r.source.path} as of ${r.asOf.toISO()}\n\n`);
  const next = r.mode === 'report';
  const rows: (string | number)[][] = [];
  for (const d of r.datasets) {
    rows.push([d.dataset, '(all rules)', ...COUNTS.map((c) => d[c]), ...(next ? [''] : [])]);
    for (const s of d.rules)
      rows.push(['', `${s.policy}/${s.rule}`, '', s.delete, s.redact, '', '', '', '', ...(next ? [s.nextDue ?? '-'] : [])]);
  }
  await out(table(['dataset', 'rule', ...COUNTS, ...(next ? ['next due'] : [])], rows));
  for (const d of r.datasets) {
    const skipped = Object.entries(d.skipped ?? {}).filter(([, n]) => n > 0);
    if (skipped.length) await out(`\n${d.dataset}: planned records not acted on: ${skipped.map(([k, n]) => `${n} ${k}`).join(', ')}`);
    for (const p of d.partitions ?? []) {
      const what =
        r.mode === 'report' || !p.dropped
          ? 'all due for deletion: --partitions drop drops the partition instead of deleting its rows'
          : r.mode === 'dry-run'
            ? 'the partition would be dropped whole'
            : 'the partition was dropped whole';
      await out(`\n${d.dataset}: partition ${p.name} (${p.rows} rows): ${what}`);
    }
    if (d.referenced)
      await out(
        `\n${d.dataset}: ${d.referenced} records due for deletion are kept: rows of other tables still refer to them (foreign keys)`,
      );
  }
  const verb =
    r.mode === 'purge'
      ? ['deleted', 'redacted']
      : r.mode === 'dry-run'
        ? ['would delete', 'would redact']
        : ['due for deletion', 'due for redaction'];
  if (r.residue) await out(`\nwarning (${r.residue.datasets.join(', ')}): ${r.residue.message}`);
  const del = r.datasets.reduce((n, d) => n + d.delete, 0),
    red = r.datasets.reduce((n, d) => n + d.redact, 0);
  await out(`\n${del} ${verb[0]}, ${red} ${verb[1]}.\n`);
  await renderForecastTable(r, out);
  if (r.records && r.records.count > 0) {
    // Streamed line by line: a listing of millions of records must not be held in memory.
    await out('\naction  dataset  key  rule  due  columns\n');
    for await (const l of r.records.lines()) {
      const x = JSON.parse(l) as RecordLine;
      await out(
        `${x.action.padEnd(6)}  ${x.dataset}  ${x.key}  ${x.policy}/${x.rule}  ${x.due ?? '-'}${x.columns ? `  ${x.columns.join(' ')}` : ''}\n`,
      );
    }
  }
}

/** One JSON document on stdout (SPEC §4); records are streamed from the spool. */
export async function renderJson(r: RunResult, out: Out, alwaysRecords: boolean): Promise<void> {
  const head: Record<string, unknown> = { asOf: r.asOf.toISO(), source: r.source };
  if (r.mode !== 'report') head.dryRun = r.mode === 'dry-run';
  if (r.refused) head.refused = r.refused;
  if (r.residue) head.residue = r.residue;
  head.datasets = r.datasets;
  const lists: [string, Lines][] = [];
  if (r.records || alwaysRecords) lists.push(['records', r.records?.lines() ?? []]);
  // report --due-within --records: the records that become due in the window, apart from those due now.
  if (r.upcoming) lists.push(['upcoming', r.upcoming.lines()]);
  await jsonDocument(out, head, lists);
}

/** CSV: the records when they were asked for, otherwise the per-dataset and per-rule counts. */
export async function renderCsv(r: RunResult, out: Out): Promise<void> {
  if (r.upcoming) return renderUpcomingCsv(r, out);
  if (r.datasets.some((d) => d.forecast)) return renderForecastCsv(r, out);
  const line = (cells: (string | number)[]) => out(serializeRecord(cells, ',', '\n'));
  if (r.records) {
    await line(['dataset', 'key', 'action', 'policy', 'rule', 'due', 'columns']);
    for await (const l of r.records.lines()) {
      const x = JSON.parse(l) as RecordLine;
      await line([x.dataset, x.key, x.action, x.policy, x.rule, x.due ?? '', (x.columns ?? []).join(' ')]);
    }
    return;
  }
  await line(['dataset', 'policy', 'rule', ...COUNTS, 'next_due']);
  for (const d of r.datasets) {
    await line([d.dataset, '', '', ...COUNTS.map((c) => d[c]), '']);
    for (const s of d.rules) await line([d.dataset, s.policy, s.rule, '', s.delete, s.redact, '', '', '', '', s.nextDue ?? '']);
  }
}
