import { Command, Option } from 'commander';
import { ageText, type PlanHeader, planRecords, readPlanHeader } from '../app/plan-file.js';
import type { Io } from './io.js';
import { writer } from './io.js';
import { clock } from './options.js';
import { COUNTS, jsonDocument } from './render-run.js';
import { table } from './render-table.js';

/** `retention plan show FILE`: what a saved plan will do, where, by which policies, and how old it is. */
export function planCommand(io: Io): Command {
  const show = new Command('show')
    .description('show a plan saved by purge --dry-run --plan-out: its source, asOf, age, policies and counts')
    .argument('<file>', 'the plan file')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--records', 'also list every planned record (action, dataset, key, rule, columns)')
    .action(async (file: string, o: { format: string; records?: boolean }) => {
      const header = readPlanHeader(file);
      const ageMs = clock().toMillis() - Date.parse(header.createdAt);
      const out = writer(io);
      if (o.format === 'json') await showJson(file, header, ageMs, Boolean(o.records), out);
      else await showTable(file, header, ageMs, Boolean(o.records), out);
    });
  return new Command('plan')
    .description('work with saved plans (see: plan show)')
    .addCommand(show)
    .action(function (this: Command) {
      this.outputHelp({ error: true });
      io.exitCode = 2;
    });
}

type Out = ReturnType<typeof writer>;

async function showTable(file: string, h: PlanHeader, ageMs: number, records: boolean, out: Out): Promise<void> {
  const del = h.datasets.reduce((n, d) => n + d.delete, 0);
  const red = h.datasets.reduce((n, d) => n + d.redact, 0);
  await out(
    [
      `Plan ${file}`,
      `  made     ${h.createdAt} (${ageText(ageMs)} ago)`,
      `  as of    ${h.asOf}`,
      `  source   ${h.source.kind} ${h.source.path}`,
      ...h.policies.map((p, i) => `  ${i === 0 ? 'policies' : '        '} ${p.name} (${p.file}, sha256 ${p.sha256.slice(0, 12)})`),
      '',
      '',
    ].join('\n'),
  );
  await out(
    table(
      ['dataset', ...COUNTS],
      h.datasets.map((d) => [d.dataset, ...COUNTS.map((c) => d[c])]),
    ),
  );
  await out(`\n${del} to delete, ${red} to redact. Apply it with: retention purge --plan ${file}\n`);
  if (!records) return;
  await out('\naction  dataset  key  rule  columns\n');
  for (const r of planRecords(file))
    await out(`${r.action.padEnd(6)}  ${r.dataset}  ${r.key}  ${r.policy}/${r.rule}${r.columns ? `  ${r.columns.join(' ')}` : ''}\n`);
}

async function showJson(file: string, h: PlanHeader, ageMs: number, records: boolean, out: Out): Promise<void> {
  const { datasets, ...rest } = h;
  const head = { file, ...rest, ageSeconds: Math.floor(ageMs / 1000), datasets };
  await jsonDocument(out, head, records ? [['records', shownRecords(file)]] : []);
}

/** The planned records as plan show lists them: without how they are matched and hashed. */
function* shownRecords(file: string): Generator<string> {
  for (const r of planRecords(file)) {
    const { values: _values, match: _match, ref: _ref, ...shown } = r;
    yield JSON.stringify(shown);
  }
}
