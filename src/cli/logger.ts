import { type Logger, pino } from 'pino';
import type { Stream } from './io.js';

/** JSON logs on stderr; stdout carries only results. */
export function makeLogger(level: string | undefined, stderr: Stream): Logger {
  // On a terminal, plain results read better without info lines; cron and CI get them all.
  const chosen = level ?? (stderr.isTTY ? 'warn' : 'info');
  // The process's stderr is written synchronously, so that no line is lost at exit.
  const to = stderr === process.stderr ? pino.destination({ fd: 2, sync: true }) : { write: (s: string) => stderr.write(s) };
  return pino({ level: chosen, base: { name: 'retention' } }, to);
}
