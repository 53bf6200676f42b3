import type { Diagnostic } from './diagnostic.js';
import type { CliLog } from './logger.js';

/** Where a command writes: the process's streams, or a test's buffers. */
export interface Stream {
  write(s: string): boolean;
  once?(event: 'drain', listener: () => void): unknown;
  readonly isTTY?: boolean;
}

/**
 * What a command may touch of the process: its output streams, its environment, and the exit
 * code it ends with. The CLI takes it as an argument, so that it runs the same in a process of its
 * own and in a test.
 */
export interface Io {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Set by the command; main returns it. */
  exitCode: number;
  /** The command's logger, once it has one (with its --log-level): errors are logged through it. */
  log?: CliLog;
  /** Set by a command that ends with a summary line: called once with how it ended. */
  ended?: (exitCode: number, error?: Diagnostic) => void;
}

/** The logger main made for the command before its action ran (with the command's --log-level). */
export function logOf(io: Io): CliLog {
  if (!io.log) throw new Error('internal: the command has no logger');
  return io.log;
}

/** Writes to stdout and resolves when the stream can take more (a listing of millions of records must not pile up). */
export function writer(io: Io): (s: string) => void | Promise<void> {
  return (s) => {
    if (io.stdout.write(s) || !io.stdout.once) return;
    return new Promise((resolve) => io.stdout.once?.('drain', () => resolve()));
  };
}
