import { type Logger, pino } from 'pino';

/** JSON logs on stderr; stdout carries only results. */
export function makeLogger(level: string | undefined): Logger {
  // On a terminal, plain results read better without info lines; cron and CI get them all.
  const chosen = level ?? (process.stderr.isTTY ? 'warn' : 'info');
  return pino({ level: chosen, base: { name: 'retention' } }, pino.destination({ fd: 2, sync: true }));
}
