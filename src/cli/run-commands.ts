import { constants } from 'node:os';
import { Command, Option } from 'commander';
import { type RunOptions, run } from '../app/run.js';
import { VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';
import { makeLogger } from './logger.js';
import { auditKeyFile, clock, defaultAuditKey, delimiterOption, logLevelOption, percent, positiveInt } from './options.js';
import { progressBar } from './progress.js';
import { type Out, renderCsv, renderJson, renderTable } from './render-run.js';

const out: Out = (s) => (process.stdout.write(s) ? undefined : new Promise((r) => process.stdout.once('drain', () => r())));

interface Common {
  policy: string[];
  source: string;
  asOf?: string;
  format: string;
  logLevel?: string;
  delimiter: string;
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
    .addOption(logLevelOption());
}

export function reportCommand(): Command {
  return common(new Command('report').description('count what is due for deletion or redaction; changes nothing'))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--records', 'list every record due for deletion or redaction')
    .option('--fail-if-due', `exit ${EXIT.due} when any record is due for deletion or redaction`)
    .action(async (o: Common & { records?: boolean; failIfDue?: boolean }) => {
      const result = await run(options(o, 'report', { records: Boolean(o.records) }));
      await render(result, o.format, false);
      if (o.failIfDue && result.datasets.some((d) => d.delete + d.redact > 0)) process.exitCode = EXIT.due;
    });
}

export function purgeCommand(): Command {
  return common(new Command('purge').description('delete and redact what has expired'), false)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--dry-run', 'change nothing; print exactly what the real run would do')
    .option('--max-delete <n>', `refuse (exit ${EXIT.refused}, nothing changed) if more than n records would be deleted`, positiveInt)
    .option(
      '--max-delete-percent <p>',
      `refuse (exit ${EXIT.refused}, nothing changed) if more than p% of any dataset's records would be deleted`,
      percent,
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
    .option('--plan-out <file>', 'with --dry-run: write the plan to apply later with --plan')
    .option('--plan <file>', `apply exactly this plan (exit ${EXIT.planMismatch} if a policy changed since)`)
    .option(
      '--vacuum',
      'after the purge, rebuild the database (SQLite VACUUM) so that no copy of a deleted value stays in its free space; rowids of tables without an INTEGER PRIMARY KEY may change',
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
        auditLog?: string;
        records?: boolean;
        lockTimeout: number;
        planOut?: string;
        plan?: string;
        allowFutureAsOf?: boolean;
        allowMissingDatasets?: boolean;
        vacuum?: boolean;
        auditKey?: string;
      },
    ) {
      if (o.planOut && !o.dryRun)
        this.error('error: --plan-out needs --dry-run: a plan is made without changing anything', { exitCode: EXIT.usage });
      if (o.plan && (o.dryRun || o.planOut))
        this.error('error: --plan applies a plan; it cannot be combined with --dry-run or --plan-out', { exitCode: EXIT.usage });
      if (!o.plan && (!o.policy || !o.source))
        this.error("error: required options '--policy <path...>' and '--source <path>' (or --plan <file>)", { exitCode: EXIT.usage });
      const result = await run(
        options({ ...o, policy: o.policy ?? [] }, o.dryRun ? 'dry-run' : 'purge', {
          records: o.format === 'json' || Boolean(o.records),
          maxDelete: o.maxDelete,
          maxDeletePercent: o.maxDeletePercent,
          auditLog: o.auditLog,
          auditKey: o.auditLog ? auditKeyFile(o.auditKey) : undefined,
          lockTimeoutMs: o.lockTimeout * 1000,
          planOut: o.planOut,
          plan: o.plan,
          allowFutureAsOf: o.allowFutureAsOf,
          allowMissingDatasets: o.allowMissingDatasets,
          vacuum: o.vacuum,
        }),
      );
      await render(result, o.format, true);
      if (result.refused) {
        process.stderr.write(`retention: dry run: the purge would be ${result.refused}\n`);
        process.exitCode = EXIT.refused;
      }
    });
}

// Progress on a terminal only, and never around a JSON document.
const bar = progressBar();
process.on('exit', () => bar.done());

function options(o: Common, mode: RunOptions['mode'], extra: Partial<RunOptions>): RunOptions {
  const showProgress = process.stderr.isTTY && o.format !== 'json';
  return {
    policy: o.policy,
    source: o.source,
    asOf: o.asOf,
    now: clock(),
    clock: () => new Date(),
    mode,
    records: false,
    delimiter: o.delimiter,
    log: makeLogger(o.logLevel),
    progress: showProgress ? bar.update : undefined,
    toolVersion: VERSION,
    signal: stopOnSignals(),
    ...extra,
  };
}

/**
 * SIGINT, SIGTERM and SIGHUP ask the run to stop after the batch in progress (it writes its
 * receipts and says what it did); a second one stops at once (the exit handlers still remove
 * temporary files and locks). Exit code 128 + the signal's number, as shells report it.
 */
function stopOnSignals(): AbortSignal {
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stop.signal.aborted) process.exit(128 + (constants.signals[sig] ?? 0));
      process.stderr.write(`retention: ${sig}: stopping after the batch in progress (send it again to stop at once)\n`);
      stop.abort(sig);
    });
  }
  return stop.signal;
}

async function render(result: Awaited<ReturnType<typeof run>>, format: string, purge: boolean): Promise<void> {
  bar.done();
  if (format === 'json') await renderJson(result, out, purge);
  else if (format === 'csv') await renderCsv(result, out);
  else await renderTable(result, out);
}
