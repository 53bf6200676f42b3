import { constants } from 'node:os';

/**
 * A problem the user can fix (bad input, a locked file, a missing column): printed as one line,
 * never with a stack trace. Anything else that is thrown is a bug and keeps its stack.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A cap (--max-delete) refused the run before any change: exit 3. */
export class CapError extends UserError {
  constructor(message: string) {
    super(message, 3);
    this.name = 'CapError';
  }
}

/** What a source committed before it stopped: the counts a failure message and the run line give. */
export interface Committed {
  readonly deleted: number;
  readonly redacted: number;
}

/** A change that failed halfway: the batches committed before stay; `committed` says how much. */
export class PartialChangeError extends UserError {
  constructor(
    message: string,
    readonly committed: Committed,
  ) {
    super(message);
    this.name = 'PartialChangeError';
  }
}

/**
 * A run stopped by a signal (SIGINT, SIGTERM, SIGHUP) after the batch in progress: exit 128 plus
 * the signal's number, as shells report it. `committed` is what the dataset under way committed.
 */
export class InterruptedError extends UserError {
  constructor(
    message: string,
    readonly signal: string,
    readonly committed: Committed = { deleted: 0, redacted: 0 },
  ) {
    super(message, 128 + ((constants.signals as Record<string, number>)[signal] ?? 0));
    this.name = 'InterruptedError';
  }
}
