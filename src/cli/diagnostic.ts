import { CommanderError } from 'commander';
import { PlanMismatchError } from '../app/plan-file.js';
import { CapError, InterruptedError, PartialChangeError, UserError } from '../errors.js';
import { EXIT } from './exit-codes.js';

/** What went wrong, as Terraform's `-json` diagnostics say it: a wrapper reads this, never stderr. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail: string;
  readonly exitCode: number;
}

/** The summaries main reports differently: a usage error gets the hint to --help; a bug its stack. */
export const USAGE = 'wrong usage';
export const INTERNAL = 'internal error (a bug in retention; please report it with this text)';

/** `--help` and `--version` end a run without a diagnostic. */
export function isHelpOrVersion(e: unknown): boolean {
  if (!(e instanceof CommanderError)) return false;
  return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0);
}

export function diagnosticOf(e: unknown): Diagnostic {
  if (e instanceof CommanderError) {
    const detail = e.code === 'commander.help' ? 'a command is needed' : e.message.replace(/^error: /, '');
    return { severity: 'error', summary: USAGE, detail, exitCode: EXIT.usage };
  }
  if (e instanceof UserError) {
    const summary =
      e instanceof CapError
        ? 'refused by a cap; nothing was changed'
        : e instanceof PlanMismatchError
          ? 'the plan does not apply here; nothing was changed'
          : e instanceof InterruptedError
            ? 'interrupted'
            : e instanceof PartialChangeError
              ? 'failed after committing some changes'
              : e.exitCode === EXIT.usage
                ? USAGE
                : 'failed';
    return { severity: 'error', summary, detail: e.message, exitCode: e.exitCode };
  }
  // A bug: keep the stack so it can be reported.
  return {
    severity: 'error',
    summary: INTERNAL,
    detail: e instanceof Error ? (e.stack ?? e.message) : String(e),
    exitCode: EXIT.failure,
  };
}

/** The one JSON document `--format json` prints when there is no result. */
export function diagnosticDocument(d: Diagnostic): string {
  const { exitCode, ...rest } = d;
  return `${JSON.stringify({ exitCode, diagnostics: [rest] }, null, 2)}\n`;
}

/** Whether the command line asks for JSON on stdout, read before (or without) parsing it. */
export function wantsJson(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') break;
    if (a === '--format=json' || (a === '--format' && args[i + 1] === 'json')) return true;
  }
  return false;
}
