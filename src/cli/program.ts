import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { auditCommand } from './audit.js';
import { EXIT } from './exit-codes.js';
import { explainCommand } from './explain.js';
import type { Io } from './io.js';
import { purgeCommand, reportCommand } from './run-commands.js';
import { scheduleCommand } from './schedule.js';
import { schemaCommand } from './schema.js';
import { testCommand } from './test.js';
import { validateCommand } from './validate.js';

function program(io: Io): Command {
  const output = { writeErr: (s: string) => io.stderr.write(s), writeOut: (s: string) => io.stdout.write(s) };
  const p = new Command('retention')
    .description('Enforce data retention policies on SQLite databases and CSV files.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput(output);
  for (const c of [
    validateCommand(io),
    schemaCommand(io),
    reportCommand(io),
    purgeCommand(io),
    explainCommand(io),
    testCommand(io),
    auditCommand(io),
    scheduleCommand(io),
  ]) {
    p.addCommand(c);
  }
  // Commands added whole do not inherit these: each gets them, its own subcommands too.
  const configure = (c: Command): void => {
    c.exitOverride().showHelpAfterError('(run with --help for usage)').configureOutput(output);
    for (const sub of c.commands) configure(sub);
  };
  for (const c of p.commands) configure(c);
  return p;
}

/** Runs the CLI on `argv` (as process.argv: node, script, args...) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    await program(io).parseAsync([...argv]);
    return io.exitCode;
  } catch (e) {
    return exitCodeOf(e, io);
  }
}

function exitCodeOf(e: unknown, io: Io): number {
  if (e instanceof CommanderError) {
    // `--help` and `--version` succeed; help shown because a command is missing is wrong usage.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
    return e.code === 'commander.help' && e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (e instanceof UserError) {
    io.stderr.write(`retention: ${e.message}\n`);
    return e.exitCode;
  }
  // A bug: keep the stack so it can be reported.
  io.stderr.write(`retention: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
  return EXIT.failure;
}
