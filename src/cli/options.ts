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

/** pino's levels and `notice` (the logger adds it). */
export const LEVEL_NAMES = ['fatal', 'error', 'warn', 'notice', 'info', 'debug', 'trace', 'silent'] as const;

export const logLevelOption = () =>
  new Option(
    '--log-level <level>',
    'logs on stderr from this level up (default: info, JSON lines; on a terminal: notice, readable lines)',
  ).choices(LEVEL_NAMES);

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

const AGE_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `--max-plan-age`: a number and a unit (s, m, h, d, w, or the words: "90 minutes", "2 days"), or "none". */
export function planAge(value: string): { ms: number; shown: string } | undefined {
  if (value === 'none') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(s|sec|seconds?|m|min|minutes?|h|hours?|d|days?|w|weeks?)$/i.exec(value.trim());
  if (!m?.[1] || !m[2]) throw new InvalidArgumentError('must be a number and a unit (e.g. 24h, 90m, 2d, "36 hours"), or none');
  const unit = m[2].toLowerCase();
  const key = unit.startsWith('mi') || unit === 'm' ? 'm' : (unit[0] ?? 'h');
  return { ms: Number(m[1]) * (AGE_UNITS[key] ?? 0), shown: value };
}
