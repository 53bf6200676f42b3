import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { DateTime } from 'luxon';
import { delimiterProblem } from '../sources/csv/serialize.js';

/** Reads "now" once: the only clock of a run. */
export const clock = () => DateTime.now();

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number >= 0');
  return Number(value);
}

/** `--delimiter`: one character other than a quote, CR or LF; `\t` or `tab` for a tab. */
export const delimiterOption = () =>
  new Option('--delimiter <char>', 'CSV field delimiter (one character; \\t or tab for a tab)').default(',').argParser((value: string) => {
    const d = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
    const problem = delimiterProblem(d);
    if (problem) throw new InvalidArgumentError(`${problem} (\\t or tab for a tab)`);
    return d;
  });

export const logLevelOption = () =>
  new Option('--log-level <level>', 'log level of the JSON logs on stderr (default: info, warn on a terminal)').choices([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ]);

export function percent(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 100) throw new InvalidArgumentError('must be a percentage from 0 to 100');
  return n;
}

/** The audit key file: --audit-key, else $RETENTION_AUDIT_KEY_FILE, else one in the user's config directory. */
export function auditKeyFile(given: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return given ?? env.RETENTION_AUDIT_KEY_FILE ?? defaultAuditKey(env);
}

export function defaultAuditKey(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'retention', 'audit.key');
}
