import { Command, Option } from 'commander';
import type { ExplainResult } from '../app/explain.js';
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
    .option('--policy <path...>', "policy file or directory (with --plan: the plan's)")
    .option('--source <path>', "SQLite database, CSV file, directory of CSV files, or postgresql:// URL (with --plan: the plan's)")
    .option('--plan <file>', 'explain as a saved plan decides: its policies, source and asOf')
    .requiredOption('--dataset <name>', 'dataset (table or CSV file name)')
    .requiredOption('--key <value>', "the record's key (rowid or CSV line number when the dataset has no key)")
    .option('--as-of <time>', 'ISO 8601 date or date-time (default: now)')
    .addOption(delimiterOption())
    .addOption(encodingOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async function (
      this: Command,
      o: {
        policy?: string[];
        source?: string;
        plan?: string;
        dataset: string;
        key: string;
        asOf?: string;
        delimiter: string;
        encoding: string;
        format: string;
      },
    ) {
      if (!o.plan && (!o.policy || !o.source))
        this.error("error: required options '--policy <path...>' and '--source <path>' (or --plan <file>)", { exitCode: 2 });
      const { explain } = await import('../app/explain.js');
      const r = await explain({ ...o, policy: o.policy ?? [], now: clock() });
      io.stdout.write(o.format === 'json' ? `${JSON.stringify(toJson(r), null, 2)}\n` : toText(r));
    });
}

/** A value as explain shows it: text quoted, empty said so, binary by its size. */
function shown(v: unknown): string {
  if (v === null || v === undefined || v === '') return 'empty';
  if (Buffer.isBuffer(v)) return `binary (${v.length} bytes)`;
  return JSON.stringify(v);
}

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** The hold column, its value and what it means, in words. */
function holdOf(r: ExplainResult): { column: string | null; value: unknown; text: string } {
  const column = r.scope?.dataset.hold ?? null;
  const value = column === null ? null : (r.values[column] ?? null);
  const is = column === null ? '' : `${column} is ${shown(value)}`;
  switch (r.trace.held) {
    case 'held':
      return { column, value, text: `held (${is || 'the hold column is set'}): the record is never touched` };
    case 'unclear':
      return { column, value, text: `unclear (${is || 'the hold value is set'}, neither yes nor no): kept, as doubt` };
    case 'no-hold-column':
      return { column, value, text: `not held (dataset ${r.dataset} has no hold column)` };
    default:
      return { column, value, text: `not held${is ? ` (${is})` : ''}` };
  }
}

type Term = ExplainResult['trace']['terms'][number];

/** What the rule's term says, in words: "delete 6 months after started_at (where service = voip)". */
function termText(t: Term): string {
  const r = t.rule;
  const period = t.kind === 'keep' ? r.keepFor : t.kind === 'delete' ? r.deleteAfter : r.redactAfter;
  const what = t.kind === 'keep' ? 'keep_for' : t.kind === 'delete' ? 'delete' : `redact ${r.redact.join(', ')}`;
  const from = r.from.length === 1 ? r.from[0] : `the latest of ${r.from.join(', ')}`;
  const align = r.align ? ` (from the end of its ${r.align})` : '';
  return `${what} ${period?.text ?? ''} after ${from}${align}${whereText(r.where)}`;
}

function whereText(where: Term['rule']['where']): string {
  if (where.length === 0) return '';
  const one = (w: Term['rule']['where'][number]) =>
    w.values.length === 1
      ? `${w.column} = ${JSON.stringify(w.values[0])}`
      : `${w.column} is one of ${w.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return ` (where ${where.map(one).join(' and ')})`;
}

/** The keep_for terms still running (not ended, or not started), latest first. */
function runningKeeps(r: ExplainResult): Term[] {
  const now = r.asOf.toMillis();
  return r.trace.terms
    .filter(
      (t) => t.kind === 'keep' && (t.status === 'not-started' || t.status === 'not-due' || (t.due !== undefined && t.due.toMillis() > now)),
    )
    .sort((a, b) => (b.due?.toMillis() ?? Number.POSITIVE_INFINITY) - (a.due?.toMillis() ?? Number.POSITIVE_INFINITY));
}

const iso = (d: { toISO(): string | null } | undefined) => d?.toISO() ?? null;

/** The empty columns that keep a term from starting. */
function emptyOf(t: Term, values: Record<string, unknown>): string[] {
  const period = t.kind === 'keep' ? t.rule.keepFor : t.kind === 'delete' ? t.rule.deleteAfter : t.rule.redactAfter;
  const cols = [...t.rule.from, ...(period?.kind === 'column' && !period.default ? [period.column] : [])];
  return cols.filter((c) => c in values && isEmpty(values[c]));
}

/** A term's state in words, with what holds it back. */
function statusText(t: Term, r: ExplainResult, keeps: Term[]): string {
  const empty = emptyOf(t, r.values);
  const notStarted = `not started: ${empty.length ? `${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} empty` : 'a value it starts from is empty'}`;
  if (t.status === 'invalid') return `cannot be read: ${t.problem ?? 'a value is not readable'}`;
  if (t.kind === 'keep') {
    if (t.status === 'not-started') return `${notStarted}, so it keeps the record until it starts and runs its period`;
    return t.status === 'due' ? 'over' : 'still running';
  }
  if (t.status === 'not-started') return notStarted;
  if (t.status === 'not-due') return 'not due yet';
  const keep = keeps[0];
  if (keep)
    return `due, but held back by the keep_for of ${keep.rule.policy}/${keep.rule.id}${keep.due ? ` until ${iso(keep.due)}` : ' (not started)'}`;
  if (t.kind === 'redact' && t.rule.redact.every((c) => isEmpty(r.values[c]))) return `due; ${t.rule.redact.join(', ')} already empty`;
  return 'due';
}

export function toJson(r: ExplainResult) {
  const d = r.trace.decision;
  const keeps = runningKeeps(r);
  const hold = holdOf(r);
  const applying = new Set(r.trace.terms.map((t) => t.rule));
  const notApplying =
    r.trace.held === 'held' || r.trace.held === 'unclear'
      ? []
      : (r.scope?.rules ?? [])
          .filter((x) => !applying.has(x) && x.where.length > 0)
          .map((x) => ({
            policy: x.policy,
            rule: x.id,
            where: x.where.map((w) => ({ column: w.column, values: w.values, value: r.values[w.column] ?? null })),
          }));
  return {
    asOf: r.asOf.toISO(),
    dataset: r.dataset,
    key: r.key,
    values: r.values,
    held: r.trace.held,
    hold,
    rules: r.trace.terms.map((t) => ({
      policy: t.rule.policy,
      rule: t.rule.id,
      kind: t.kind,
      from: t.rule.from,
      start: iso(t.start),
      due: iso(t.due),
      status: t.status,
      text: termText(t),
      state: statusText(t, r, keeps),
      problem: t.problem,
    })),
    notApplying,
    keepUntil: r.trace.keepUntil === undefined ? null : r.trace.keepUntil === 'not-started' ? 'not-started' : r.trace.keepUntil.toISO(),
    keptBy: keeps.map((t) => ({ policy: t.rule.policy, rule: t.rule.id, until: iso(t.due) })),
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
  // The key first, then the columns as the rules read them (a test record may carry others).
  const key = r.scope?.dataset.key;
  const used = r.scope ? readColumns(r.scope) : undefined;
  const read = Object.entries(r.values)
    .filter(([c]) => !used || used.has(c))
    .sort(([a], [b]) => Number(b === key) - Number(a === key));
  if (read.length) lines.push('values read:', ...read.map(([c, v]) => `  ${c} = ${shown(v)}`));
  lines.push(`hold: ${j.hold.text}`);
  const held = r.trace.held === 'held' || r.trace.held === 'unclear';
  if (held)
    lines.push(
      r.trace.held === 'held'
        ? 'rules: not looked at: a held record is never touched'
        : 'rules: not looked at: with the hold unclear the record is kept, as doubt',
    );
  else if (j.rules.length === 0) lines.push('rules: none applies');
  else {
    lines.push('rules that apply:');
    for (const t of j.rules) {
      lines.push(`  ${t.policy}/${t.rule}: ${t.text}`);
      const span =
        t.kind === 'keep' ? (t.due ? `, ${t.state === 'over' ? 'ran' : 'runs'} until ${t.due}` : '') : t.due ? `, due ${t.due}` : '';
      lines.push(`    ${t.start ? `start ${t.start}${span}: ` : ''}${t.state}`);
    }
  }
  if (j.notApplying.length) {
    lines.push('rules that do not apply:');
    for (const n of j.notApplying) {
      const miss = n.where.filter((w) => !w.values.includes(w.value === null ? '\u0000' : String(w.value)));
      lines.push(
        `  ${n.policy}/${n.rule}: ${(miss.length ? miss : n.where).map((w) => `${w.column} is ${shown(w.value)}, not ${w.values.map((v) => JSON.stringify(v)).join(' or ')}`).join('; ')}`,
      );
    }
  }
  const running = j.keptBy.filter((k) => k.until);
  const waiting = j.keptBy.filter((k) => !k.until);
  if (running.length)
    lines.push(
      `keep_for still running: ${running.map((k) => `${k.policy}/${k.rule} until ${k.until}`).join(', ')}; no rule deletes or redacts the record before then`,
    );
  if (waiting.length)
    lines.push(
      `keep_for not started: ${waiting.map((k) => `${k.policy}/${k.rule}`).join(', ')}; no rule deletes or redacts the record until it starts and runs its period`,
    );
  lines.push(
    '',
    `verdict: ${j.action.toUpperCase()}${j.rule && j.action !== 'keep' ? ` by ${j.policy}/${j.rule}` : ''}${j.columns ? ` (columns ${j.columns.join(', ')})` : ''}`,
  );
  lines.push(`because: ${j.principle}${because(r, j)}`);
  return `${lines.join('\n')}\n`;
}

/** The columns a dataset's rules read: the key, the hold, each rule's from, where, period and redact columns. */
function readColumns(scope: NonNullable<ExplainResult['scope']>): Set<string> {
  const out = new Set<string>();
  if (scope.dataset.key) out.add(scope.dataset.key);
  if (scope.dataset.hold) out.add(scope.dataset.hold);
  for (const r of scope.rules) {
    for (const c of r.from) out.add(c);
    for (const w of r.where) out.add(w.column);
    for (const p of [r.deleteAfter, r.redactAfter, r.keepFor]) if (p?.kind === 'column') out.add(p.column);
    for (const c of r.redact) out.add(c);
  }
  return out;
}

/** What the principle rests on for this record: the hold value, the keep_for and its end, the next due date. */
function because(r: ExplainResult, j: ReturnType<typeof toJson>): string {
  const d = r.trace.decision;
  if (j.problem) return `; here: ${j.problem}`;
  if (d.reason === 'held' && j.hold.column) return `; here: ${j.hold.column} is ${shown(j.hold.value)}`;
  if (d.reason === 'legal-minimum' && j.keptBy.length)
    return `; here: ${j.keptBy.map((k) => `${k.policy}/${k.rule} ${k.until ? `runs until ${k.until}` : 'has not started'}`).join(', ')}`;
  if (d.reason === 'not-due') {
    const next = r.trace.terms
      .filter((t) => t.kind !== 'keep' && t.status === 'not-due' && t.due)
      .sort((a, b) => (a.due?.toMillis() ?? 0) - (b.due?.toMillis() ?? 0))[0];
    if (next) return `; the next: ${next.rule.policy}/${next.rule.id} on ${iso(next.due)}`;
  }
  return '';
}
