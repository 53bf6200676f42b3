import { Command, Option } from 'commander';
import { verifyAuditLog, type ChainProblem, type ChainResult } from '../app/audit-verify.js';
import { EXIT } from './exit-codes.js';

/** `retention audit verify FILE`: checks the hash chain of a purge's audit log. */
export function auditCommand(): Command {
  const verify = new Command('verify')
    .description('check the hash chain of an audit log; exit 1 naming the first broken line')
    .argument('<file>', 'audit log written by purge --audit-log')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .action(async (file: string, o: { format: string }) => {
      const r = await verifyAuditLog(file);
      process.stdout.write(o.format === 'json' ? JSON.stringify(r, null, 2) + '\n' : toText(r));
      process.exitCode = r.intact ? EXIT.ok : EXIT.failure;
    });
  return new Command('audit')
    .description('work with audit logs (see: audit verify)')
    .addCommand(verify)
    .action(function (this: Command) {
      // Without a subcommand there is nothing to do: usage error, with the help on stderr.
      this.outputHelp({ error: true });
      process.exitCode = EXIT.usage;
    });
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
  return out.join('\n') + '\n';
}

function formatProblem(file: string, p: ChainProblem): string {
  return `${file}${p.line ? `:${p.line}` : ''}: ${p.severity}: ${p.message}`;
}
