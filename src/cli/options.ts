import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { DateTime } from 'luxon';
import { encodingProblem } from '../sources/csv/encoding.js';
import { delimiterProblem } from '../sources/csv/serialize.js';

/** Reads "now" once: the only clock of a run. */
export const clock = () => DateTime.now();

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number >= 0');
  return Number(value);
}

/** `--delimiter`: one character other than a quote, CR or LF; `\t` or `tab` for a tab; `auto` to find it in each file. */
export const delimiterOption = () =>
  new Option(
    '--delimiter <char>',
    "CSV field delimiter (one character; \\t or tab for a tab; auto: the one of , ; tab | that splits each file's header and first records alike)",
  )
    .default(',')
    .argParser((value: string) => {
      if (value.toLowerCase() === 'auto') return 'auto';
      const d = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
      const problem = delimiterProblem(d);
      if (problem) throw new InvalidArgumentError(`${problem} (\\t or tab for a tab, or auto)`);
      return d;
    });

/** `--encoding`: UTF-8, or a single-byte encoding such as windows-1252; an unknown or multi-byte one is wrong usage. */
export const encodingOption = () =>
  new Option('--encoding <name>', 'CSV character encoding (utf-8, or single-byte: windows-1252, latin1, iso-8859-15, ...)')
    .default('utf-8')
    .argParser((value: string) => {
      const problem = encodingProblem(value);
      if (problem) throw new InvalidArgumentError(problem);
      return value;
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
