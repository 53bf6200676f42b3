import { Command } from 'commander';
import { VERSION } from '../version.js';
import { auditCommand } from './audit.js';
import { type Diagnostic, diagnosticDocument, diagnosticOf, INTERNAL, isHelpOrVersion, USAGE, wantsJson } from './diagnostic.js';
import { EXIT } from './exit-codes.js';
import { explainCommand } from './explain.js';
import type { Io } from './io.js';
import { logLevelOption } from './options.js';
import { planCommand } from './plan.js';
import { purgeCommand, reportCommand } from './run-commands.js';
import { scheduleCommand } from './schedule.js';
import { schemaCommand } from './schema.js';
import { testCommand } from './test.js';
import { validateCommand } from './validate.js';

function program(io: Io): Command {
  // Usage errors are reported by main, as every other error (JSON on a pipe or with --format json).
  const output = { writeErr: (s: string) => io.stderr.write(s), writeOut: (s: string) => io.stdout.write(s), outputError: () => {} };
  const p = new Command('retention')
    .description('Enforce data retention policies on SQLite and PostgreSQL databases and CSV files.')
    .version(VERSION)
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
    planCommand(io),
    scheduleCommand(io),
  ]) {
    p.addCommand(c);
  }
  // Commands added whole do not inherit these: each gets them, its own subcommands too.
  // Every command takes --log-level; its logger is made before the action, so errors go through it.
  const configure = (c: Command): void => {
    c.exitOverride().configureOutput(output);
    if (!c.options.some((x) => x.long === '--log-level')) c.addOption(logLevelOption());
    // pino is loaded here, not at start-up: --version and --help do without it.
    c.hook('preAction', async (_, action) => {
      if (action !== c || io.log) return;
      const { commandLogger } = await import('./logger.js');
      commandLogger(io, action.opts().logLevel);
    });
    for (const sub of c.commands) configure(sub);
  };
  for (const c of p.commands) configure(c);
  return p;
}

/** Runs the CLI on `argv` (as process.argv: node, script, args...) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  // `npx retention -- --version`: npm passes the separator on; before any command it means nothing.
  const args = argv[2] === '--' ? [...argv.slice(0, 2), ...argv.slice(3)] : [...argv];
  try {
    await program(io).parseAsync(args);
    io.ended?.(io.exitCode);
    return io.exitCode;
  } catch (e) {
    if (isHelpOrVersion(e)) return EXIT.ok;
    const d = diagnosticOf(e);
    await report(d, io, wantsJson(args.slice(2)));
    io.ended?.(d.exitCode, d);
    return d.exitCode;
  }
}

/** An error, on stderr as a log line (JSON on a pipe), and as a JSON document on stdout when JSON was asked for. */
async function report(d: Diagnostic, io: Io, json: boolean): Promise<void> {
  const log = io.log ?? (await import('./logger.js')).makeLogger(undefined, io.stderr);
  if (d.summary === INTERNAL) log.fatal({ exitCode: d.exitCode, stack: d.detail }, d.summary);
  else {
    const hint = d.summary === USAGE && io.stderr.isTTY ? ' (run with --help for usage)' : '';
    log.error({ exitCode: d.exitCode }, `${d.detail}${hint}`);
  }
  if (json) io.stdout.write(diagnosticDocument(d));
}
