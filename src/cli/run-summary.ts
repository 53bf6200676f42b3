import type { RunResult } from '../app/run.js';
import type { Io } from './io.js';
import type { CliLog } from './logger.js';

const VERBS = {
  report: ['due for deletion', 'due for redaction'],
  'dry-run': ['would be deleted', 'would be redacted'],
  purge: ['deleted', 'redacted'],
} as const;

/**
 * The one line a run of report or purge ends with, on stderr however stdout is redirected: what
 * it read, at which instant, what it did, how it ended and how long it took.
 */
export function summarizeRun(io: Io, log: CliLog, mode: RunResult['mode'], given: { source?: string; asOf?: string; plan?: string }) {
  const started = performance.now();
  let result: RunResult | undefined;
  io.ended = (exitCode, error) => {
    const ms = Math.round(performance.now() - started);
    const took = `exit ${exitCode}, ${(ms / 1000).toFixed(2)} s`;
    const source =
      result?.source.path ?? (given.source ? withoutPassword(given.source) : given.plan ? `the source of plan ${given.plan}` : '?');
    const asOf = result?.asOf.toISO() ?? given.asOf;
    const command = mode === 'report' ? 'report' : mode === 'dry-run' ? 'purge --dry-run' : given.plan ? 'purge --plan' : 'purge';
    const base = { command, source, ...(asOf ? { asOf } : {}), exitCode, ms };
    if (!result) {
      log.notice({ ...base, error: error?.summary }, `${command} of ${source} ended: ${error?.summary ?? 'failed'} (${took})`);
      return;
    }
    const sum = (k: 'scanned' | 'delete' | 'redact' | 'held' | 'invalid') => result?.datasets.reduce((n, d) => n + d[k], 0) ?? 0;
    const totals = { datasets: result.datasets.length, scanned: sum('scanned'), delete: sum('delete'), redact: sum('redact') };
    const [del, red] = VERBS[mode];
    log.notice(
      { ...base, ...totals, held: sum('held'), invalid: sum('invalid') },
      `${command} of ${source} as of ${asOf}: ${totals.delete} ${del}, ${totals.redact} ${red} of ${totals.scanned} records in ${totals.datasets} datasets (${took})`,
    );
  };
  return {
    done(r: RunResult) {
      result = r;
    },
  };
}

/** A database URL as given may hold a password: a log line never does. */
function withoutPassword(source: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return source;
  try {
    const u = new URL(source);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return source.replace(/:[^:@/]*@/, ':***@');
  }
}
