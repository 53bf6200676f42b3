import { Command, Option } from 'commander';
import { CAP_MIN_DEFAULT } from '../app/caps.js';
import type { RunOptions, RunResult } from '../app/run.js';
import { VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';
import { type Io, logOf, writer } from './io.js';
import { HTML_HORIZON, type LookAheadFlags, lookAheadOf } from './look-ahead.js';
import {
  auditKeyFile,
  clock,
  defaultAuditKey,
  delimiterOption,
  encodingOption,
  logLevelOption,
  percent,
  planAge,
  positiveInt,
} from './options.js';
import { planSaved } from './plan-saved.js';
import { clearProgress, progressBar } from './progress.js';
import { renderHtml } from './render-html.js';
import { renderCsv, renderJson, renderTable } from './render-run.js';
import { summarizeRun } from './run-summary.js';
import { stopOnSignals } from './signals.js';

interface Common {
  policy: string[];
  source: string;
  asOf?: string;
  format: string;
  logLevel?: string;
  delimiter: string;
  encoding: string;
}

function common(c: Command, required = true): Command {
  const policy = '--policy <path...>',
    source = '--source <path>';
  const policyHelp = 'policy file or directory of *.yaml/*.yml (repeatable)';
  const sourceHelp = 'SQLite database, CSV file, or directory of CSV files';
  return (
    required
      ? c.requiredOption(policy, policyHelp).requiredOption(source, sourceHelp)
      : c.option(policy, `${policyHelp}; with --plan: the plan's`).option(source, `${sourceHelp}; with --plan: the plan's`)
  )
    .option('--as-of <time>', 'ISO 8601 date or date-time every decision is made against (default: now)')
    .addOption(delimiterOption())
    .addOption(encodingOption())
    .addOption(logLevelOption());
}

export function reportCommand(io: Io): Command {
  return common(new Command('report').description('count what is due for deletion or redaction; changes nothing'))
    .addOption(
      new Option('--format <format>', 'output format (html: one self-contained page, with a forecast of 13 weeks unless --horizon)')
        .choices(['table', 'json', 'csv', 'html'])
        .default('table'),
    )
    .option('--records', 'list every record due for deletion or redaction')
    .option('--fail-if-due', `exit ${EXIT.due} when any record is due for deletion or redaction`)
    .option(
      '--horizon <period...>',
      'forecast what becomes due in each day (horizon up to 31 days) or week until asOf + period, e.g. 13 weeks',
    )
    .option('--due-within <period...>', 'count the records that become due before asOf + period (with --records: list them), e.g. 7 days')
    .option('--fail-if-due-within <period...>', `exit ${EXIT.due} when any record is due, or becomes due before asOf + period`)
    .action(async function (this: Command, o: Common & LookAheadFlags & { failIfDue?: boolean }) {
      const lookAhead = lookAheadOf(this, o.format === 'html' && !o.horizon ? { ...o, horizon: HTML_HORIZON } : o);
      const opts = options(io, o, 'report', { records: Boolean(o.records), lookAhead });
      const summary = summarizeRun(io, logOf(io), 'report', o);
      const result = await (await import('../app/run.js')).run(opts);
      summary.done(result);
      await render(io, result, o.format, false);
      const due = result.datasets.some((d) => d.delete + d.redact > 0);
      const soon = result.datasets.some((d) => (d.dueWithin?.delete ?? 0) + (d.dueWithin?.redact ?? 0) > 0);
      if ((o.failIfDue || o.failIfDueWithin) && due) io.exitCode = EXIT.due;
      if (o.failIfDueWithin && soon) io.exitCode = EXIT.due;
    });
}

export function purgeCommand(io: Io): Command {
  return common(new Command('purge').description('delete and redact what has expired'), false)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--dry-run', 'change nothing; print exactly what the real run would do')
    .option('--max-delete <n>', `refuse (exit ${EXIT.refused}, nothing changed) if more than n records would be deleted`, positiveInt)
    .option(
      '--max-delete-percent <p>',
      `refuse (exit ${EXIT.refused}, nothing changed) if more than p% of any dataset's records would be deleted (where more than --cap-min would be)`,
      percent,
    )
    .option(
      '--cap-min <n>',
      'the percent cap applies to a dataset only where more than n records would be deleted',
      positiveInt,
      CAP_MIN_DEFAULT,
    )
    .option(
      '--audit-log <file>',
      'append receipts: per committed batch, rule and action a line with keyed hashes of the keys (never the keys), and a line per run',
    )
    .option(
      '--audit-key <file>',
      `the secret that keys the receipts' hashes (default: $RETENTION_AUDIT_KEY_FILE, else ${defaultAuditKey()}; created when missing)`,
    )
    .option('--records', 'with --format table: list every record acted on')
    .option('--lock-timeout <seconds>', 'wait this long for another run on the same source to finish', positiveInt, 0)
    .addOption(
      new Option(
        '--batch-by <how>',
        'PostgreSQL: batch the changes by ranges of pages (ctid, the faster) or of primary key values (always so on a Citus distributed table)',
      )
        .choices(['pages', 'key'])
        .default('pages'),
    )
    .addOption(
      new Option(
        '--partitions <how>',
        'PostgreSQL: drop a partition all of whose rows are due for deletion (its range wholly before the cut, no row kept), with the same receipts, instead of deleting its rows',
      )
        .choices(['rows', 'drop'])
        .default('rows'),
    )
    .option('--plan-out <file>', 'with --dry-run: write the plan to apply later with --plan')
    .option('--plan <file>', `apply exactly this plan (exit ${EXIT.planMismatch} if a policy changed since)`)
    .addOption(
      new Option(
        '--max-plan-age <age>',
        `with --plan: refuse (exit ${EXIT.planMismatch}) a plan made longer ago than this (e.g. 90m, 24h, 7d; none for no limit)`,
      )
        .argParser(planAge)
        .default(planAge('24h'), '24h'),
    )
    .option(
      '--vacuum [full]',
      'after the purge, rebuild what holds copies of deleted values: SQLite VACUUM (rowids of tables without an INTEGER PRIMARY KEY may change); PostgreSQL VACUUM of each changed table, with "full" VACUUM FULL, which also removes their bytes from the files',
    )
    .option(
      '--allow-missing-datasets',
      'skip, with a warning, datasets the policies declare but the source lacks (default: refuse, exit 1)',
    )
    .option('--allow-future-as-of', 'let a purge act at an --as-of later than now (it deletes records that are not due yet)')
    .action(async function (
      this: Command,
      o: Common & {
        dryRun?: boolean;
        maxDelete?: number;
        maxDeletePercent?: number;
        capMin: number;
        auditLog?: string;
        records?: boolean;
        lockTimeout: number;
        batchBy: 'pages' | 'key';
        partitions: 'rows' | 'drop';
        planOut?: string;
        plan?: string;
        maxPlanAge?: { ms: number; shown: string };
        allowFutureAsOf?: boolean;
        allowMissingDatasets?: boolean;
        vacuum?: boolean | string;
        auditKey?: string;
      },
    ) {
      if (typeof o.vacuum === 'string' && o.vacuum !== 'full')
        this.error(`error: --vacuum takes no value, or "full" (got "${o.vacuum}")`, { exitCode: EXIT.usage });
      if (o.planOut && !o.dryRun)
        this.error('error: --plan-out needs --dry-run: a plan is made without changing anything', { exitCode: EXIT.usage });
      if (o.plan && (o.dryRun || o.planOut))
        this.error('error: --plan applies a plan; it cannot be combined with --dry-run or --plan-out', { exitCode: EXIT.usage });
      if (!o.plan && (!o.policy || !o.source))
        this.error("error: required options '--policy <path...>' and '--source <path>' (or --plan <file>)", { exitCode: EXIT.usage });
      const mode = o.dryRun ? 'dry-run' : 'purge';
      const opts = options(io, { ...o, policy: o.policy ?? [] }, mode, {
        records: o.format === 'json' || Boolean(o.records),
        maxDelete: o.maxDelete,
        maxDeletePercent: o.maxDeletePercent,
        capMin: o.capMin,
        auditLog: o.auditLog,
        auditKey: o.auditLog ? auditKeyFile(o.auditKey, io.env) : undefined,
        lockTimeoutMs: o.lockTimeout * 1000,
        batchBy: o.batchBy,
        partitions: o.partitions,
        planOut: o.planOut,
        plan: o.plan,
        maxPlanAge: o.maxPlanAge,
        allowFutureAsOf: o.allowFutureAsOf,
        allowMissingDatasets: o.allowMissingDatasets,
        vacuum: o.vacuum === 'full' ? 'full' : o.vacuum === true,
      });
      const log = logOf(io);
      const summary = summarizeRun(io, log, mode, o);
      const result = await (await import('../app/run.js')).run(opts);
      summary.done(result);
      await render(io, result, o.format, true);
      if (o.planOut) planSaved(io, log, o.planOut, result, o.format === 'json');
      if (result.refused) {
        log.error({ exitCode: EXIT.refused }, `dry run: the purge would be ${result.refused}`);
        io.exitCode = EXIT.refused;
      }
    });
}

function options(io: Io, o: Common, mode: RunOptions['mode'], extra: Partial<RunOptions>): RunOptions {
  // Progress on a terminal only, and never around a JSON document.
  const bar = io.stderr.isTTY && o.format !== 'json' ? progressBar(io.stderr) : undefined;
  return {
    policy: o.policy,
    source: o.source,
    asOf: o.asOf,
    now: clock(),
    clock: () => new Date(),
    mode,
    records: false,
    delimiter: o.delimiter,
    encoding: o.encoding,
    log: logOf(io),
    progress: bar?.update,
    toolVersion: VERSION,
    signal: stopOnSignals((s) => io.stderr.write(s)),
    ...extra,
  };
}

async function render(io: Io, result: RunResult, format: string, purge: boolean): Promise<void> {
  clearProgress(io.stderr);
  const out = writer(io);
  if (format === 'json') await renderJson(result, out, purge);
  else if (format === 'html') await renderHtml(result, out, { toolVersion: VERSION });
  else if (format === 'csv') await renderCsv(result, out);
  else await renderTable(result, out);
}
