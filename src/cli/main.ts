import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { auditCommand } from './audit.js';
import { EXIT } from './exit-codes.js';
import { explainCommand } from './explain.js';
import { purgeCommand, reportCommand } from './run-commands.js';
import { schemaCommand } from './schema.js';
import { testCommand } from './test.js';
import { validateCommand } from './validate.js';

function program(): Command {
  const p = new Command('retention')
    .description('Enforce data retention policies on SQLite databases and CSV files.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  p.addCommand(validateCommand());
  p.addCommand(schemaCommand());
  p.addCommand(reportCommand());
  p.addCommand(purgeCommand());
  p.addCommand(explainCommand());
  p.addCommand(testCommand());
  p.addCommand(auditCommand());
  for (const c of p.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');
  return p;
}

// A reader that stops early (`| head`) is not an error of ours; the run itself has finished.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  else throw e;
});

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    process.exitCode = exitCodeOf(e);
  }
}

function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) {
    // `--help` and `--version` succeed; help shown because a command is missing is wrong usage.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
    return e.code === 'commander.help' && e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (e instanceof UserError) {
    process.stderr.write(`retention: ${e.message}\n`);
    return e.exitCode;
  }
  // A bug: keep the stack so it can be reported.
  process.stderr.write(`retention: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
  return EXIT.failure;
}

await main(process.argv);
