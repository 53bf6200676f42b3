import type { LogFn } from 'pino';

/** What the application logs through: pino's level methods, whatever custom levels the CLI adds. */
export interface Log {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  isLevelEnabled(level: string): boolean;
}
