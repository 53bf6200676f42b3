import type { RunResult } from '../app/run.js';
import type { Io } from './io.js';
import type { CliLog } from './logger.js';

/**
 * Terraform's "Saved the plan to: …": what the plan holds and the command that applies it. On a
 * terminal it follows the output; otherwise it is a log line, so stdout stays the result alone.
 */
export function planSaved(io: Io, log: CliLog, file: string, r: RunResult, json: boolean): void {
  const del = r.datasets.reduce((n, d) => n + d.delete, 0);
  const red = r.datasets.reduce((n, d) => n + d.redact, 0);
  const k = r.datasets.filter((d) => d.delete + d.redact > 0).length;
  const apply = `retention purge --plan ${/^[\w./-]+$/.test(file) ? file : `'${file.replaceAll("'", "'\\''")}'`}`;
  const text = `Saved the plan to ${file}: ${n(del, 'deletion')}, ${n(red, 'redaction')} in ${n(k, 'dataset')}. Apply it with: ${apply}`;
  if (io.stdout.isTTY && !json) io.stdout.write(`\n${text}\n`);
  else log.notice({ plan: file, delete: del, redact: red, datasets: k }, text);
}

const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
