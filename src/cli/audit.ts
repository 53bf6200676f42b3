import { Command, Option } from 'commander';
import type { FindResult } from '../app/audit-find.js';
import type { ChainProblem, ChainResult } from '../app/audit-verify.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { auditKeyFile } from './options.js';

/** `retention audit verify FILE`: checks the hash chain of a purge's audit log. */
export function auditCommand(io: Io): Command {
  const verify = new Command('verify')
    .description('check the hash chain of an audit log; exit 1 naming the first broken line')
    .argument('<file>', 'audit log written by purge --audit-log')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .action(async (file: string, o: { format: string }) => {
      const { verifyAuditLog } = await import('../app/audit-verify.js');
      const r = await verifyAuditLog(file);
      io.stdout.write(o.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : toText(r));
      io.exitCode = r.intact ? EXIT.ok : EXIT.failure;
    });
  const find = new Command('find')
    .description('was this record deleted or redacted? prints every receipt that names it (exit 0), or exit 1 when none does')
    .argument('<file>', 'audit log written by purge --audit-log')
    .requiredOption('--dataset <name>', 'the dataset (table or CSV file name)')
    .requiredOption('--key <value>', "the record's key, as reports name it")
    .option('--audit-key <file>', 'the key file the receipts were made with (default: as purge finds it)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .action(async (file: string, o: { dataset: string; key: string; auditKey?: string; format: string }) => {
      const [{ findInAuditLog }, { loadAuditKey }] = await Promise.all([import('../app/audit-find.js'), import('../app/audit-key.js')]);
      const r = findInAuditLog(file, o.dataset, o.key, loadAuditKey(auditKeyFile(o.auditKey, io.env), false));
      io.stdout.write(o.format === 'json' ? `${JSON.stringify({ found: r.findings.length > 0, ...r }, null, 2)}\n` : findText(r));
      io.exitCode = r.findings.length > 0 ? EXIT.ok : EXIT.failure;
    });
  return new Command('audit')
    .description('work with audit logs (see: audit verify, audit find)')
    .addCommand(verify)
    .addCommand(find)
    .action(function (this: Command) {
      // Without a subcommand there is nothing to do: usage error, with the help on stderr.
      this.outputHelp({ error: true });
      io.exitCode = EXIT.usage;
    });
}

function findText(r: FindResult): string {
  const out = r.findings.map(
    (f) =>
      `${r.file}:${f.line}: ${f.action === 'delete' ? 'deleted' : 'redacted'} ${f.time} by ${f.policy}/${f.rule}` +
      `${f.asOf ? ` (asOf ${f.asOf})` : ''}${f.run ? `, run ${f.run}` : ''}${f.unkeyed ? ', an older unkeyed receipt' : ''}\n  ${JSON.stringify(f.receipt)}`,
  );
  if (r.findings.length === 0)
    out.push(
      `no receipt names ${r.dataset} ${JSON.stringify(r.key)} (${r.receipts} receipt line${r.receipts === 1 ? '' : 's'} of ${r.dataset} looked through)`,
    );
  if (r.otherKeys.length)
    out.push(
      `note: ${r.otherKeys.length} run${r.otherKeys.length === 1 ? '' : 's'} of this log made receipts with another audit key (${r.otherKeys.slice(0, 3).join(', ')}${r.otherKeys.length > 3 ? ', …' : ''}); give that key with --audit-key to search them`,
    );
  return `${out.join('\n')}\n`;
}

function toText(r: ChainResult): string {
  const out = r.problems.map((p) => formatProblem(r.file, p));
  const first = r.problems.find((p) => p.severity === 'error');
  if (r.intact) {
    const last = r.lastLineSha256 ? `; last line SHA-256 ${r.lastLineSha256}` : '';
    out.push(`${r.lines} line${r.lines === 1 ? '' : 's'}, chain intact${last}`);
  } else {
    out.push(first?.line ? `chain broken at line ${first.line}` : 'chain broken');
  }
  return `${out.join('\n')}\n`;
}

function formatProblem(file: string, p: ChainProblem): string {
  return `${file}${p.line ? `:${p.line}` : ''}: ${p.severity}: ${p.message}`;
}
