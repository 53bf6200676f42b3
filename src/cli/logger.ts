import { type Logger, pino } from 'pino';
import type { Stream } from './io.js';
import { prettyLines } from './log-pretty.js';

/** `notice`: between info and warn, the one line a run ends with; a terminal shows it by default. */
export const LEVELS = { notice: 35 } as const;
export type CliLog = Logger<keyof typeof LEVELS>;

/**
 * Logs on stderr; stdout carries only results. On a pipe (cron, CI, a log file) JSON lines with
 * an ISO time; on a terminal readable lines, and only from notice up unless asked.
 */
export function makeLogger(level: string | undefined, stderr: Stream): CliLog {
  const chosen = level ?? (stderr.isTTY ? 'notice' : 'info');
  // The process's stderr is written synchronously, so that no line is lost at exit.
  const to = stderr.isTTY
    ? prettyLines(stderr)
    : stderr === process.stderr
      ? pino.destination({ fd: 2, sync: true })
      : { write: (s: string) => stderr.write(s) };
  return pino({ level: chosen, customLevels: LEVELS, base: { name: 'retention' }, timestamp: pino.stdTimeFunctions.isoTime }, to);
}

/** The command's logger, also the one main reports its errors through. */
export function commandLogger(io: { stderr: Stream; log?: CliLog }, level: string | undefined): CliLog {
  io.log = makeLogger(level, io.stderr);
  return io.log;
}
