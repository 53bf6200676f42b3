import { Command, Option } from 'commander';
import { type ExplainResult, explain } from '../app/explain.js';
import type { Reason } from '../engine/decision.js';
import type { Io } from './io.js';
import { clock, delimiterOption, encodingOption } from './options.js';

const PRINCIPLE: Record<Reason, string> = {
  held: 'held: the hold column is set, so the record is never touched',
  invalid: 'invalid value: a value could not be read, so the record is kept (never delete on doubt)',
  'legal-minimum': 'legal minimum not reached: a keep_for rule holds the record back',
  'shortest-deletion': 'shortest deletion: the delete rule with the earliest due governs',
  redaction: 'redaction: the due redact rules empty their columns; the record stays',
  'not-due': 'not due: no rule is due yet',
  unmanaged: 'unmanaged: no delete rule applies to this record',
  referenced:
    'still referenced: rows of another table refer to it through a foreign key, so the database would refuse the delete; it goes once they are gone',
};

export function explainCommand(io: Io): Command {
  return new Command('explain')
    .description('show every rule that applies to one record, and the verdict')
    .requiredOption('--policy <path...>', 'policy file or directory')
    .requiredOption('--source <path>', 'SQLite database, CSV file, or directory of CSV files')
    .requiredOption('--dataset <name>', 'dataset (table or CSV file name)')
    .requiredOption('--key <value>', "the record's key (rowid or CSV line number when the dataset has no key)")
    .option('--as-of <time>', 'ISO 8601 date or date-time (default: now)')
    .addOption(delimiterOption())
    .addOption(encodingOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      async (o: {
        policy: string[];
        source: string;
        dataset: string;
        key: string;
        asOf?: string;
        delimiter: string;
        encoding: string;
        format: string;
      }) => {
        const r = await explain({ ...o, now: clock() });
        io.stdout.write(o.format === 'json' ? `${JSON.stringify(toJson(r), null, 2)}\n` : toText(r));
      },
    );
}

export function toJson(r: ExplainResult) {
  const d = r.trace.decision;
  return {
    asOf: r.asOf.toISO(),
    dataset: r.dataset,
    key: r.key,
    values: r.values,
    held: r.trace.held,
    rules: r.trace.terms.map((t) => ({
      policy: t.rule.policy,
      rule: t.rule.id,
      kind: t.kind,
      from: t.rule.from,
      start: t.start?.toISO() ?? null,
      due: t.due?.toISO() ?? null,
      status: t.status,
      problem: t.problem,
    })),
    keepUntil: r.trace.keepUntil === undefined ? null : r.trace.keepUntil === 'not-started' ? 'not-started' : r.trace.keepUntil.toISO(),
    action: d.action,
    reason: d.reason,
    principle: PRINCIPLE[d.reason],
    rule: d.rule?.id ?? null,
    policy: d.rule?.policy ?? null,
    columns: d.action === 'redact' ? d.columns : null,
    due: r.trace.due?.toISO() ?? null,
    problem: (d.action === 'keep' && d.problem) || null,
  };
}

export function toText(r: ExplainResult): string {
  const j = toJson(r);
  const lines = [`${r.dataset} ${r.key}, as of ${j.asOf}`, ''];
  lines.push(`hold: ${j.held}`);
  if (j.rules.length === 0 && r.trace.held !== 'held') lines.push('rules: none applies');
  for (const t of j.rules) {
    lines.push(`rule ${t.policy}/${t.rule} (${t.kind}): from ${t.from.join(', ')}`);
    lines.push(`  start ${t.start ?? '-'}  due ${t.due ?? '-'}  ${t.status}${t.problem ? `: ${t.problem}` : ''}`);
  }
  if (j.keepUntil) lines.push(`keep until: ${j.keepUntil}`);
  lines.push(
    '',
    `verdict: ${j.action.toUpperCase()}${j.rule && j.action !== 'keep' ? ` by ${j.policy}/${j.rule}` : ''}${j.columns ? ` (columns ${j.columns.join(', ')})` : ''}`,
  );
  lines.push(`because: ${j.principle}${j.problem ? ` (${j.problem})` : ''}`);
  return `${lines.join('\n')}\n`;
}
