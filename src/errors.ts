/**
 * A problem the user can fix (bad input, a locked file, a missing column): printed as one line,
 * never with a stack trace. Anything else that is thrown is a bug and keeps its stack.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = 1) {
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
