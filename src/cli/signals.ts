import { constants } from 'node:os';

/** The run that signals stop now; one set of process handlers serves every run of the process. */
let current: { stop: AbortController; say(s: string): void } | undefined;
let installed = false;

/**
 * SIGINT, SIGTERM and SIGHUP ask the run to stop after the batch in progress (it writes its
 * receipts and says what it did); a second one stops at once (the exit handlers still remove
 * temporary files and locks). Exit code 128 + the signal's number, as shells report it.
 */
export function stopOnSignals(say: (s: string) => void): AbortSignal {
  const stop = new AbortController();
  current = { stop, say };
  if (!installed) {
    installed = true;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        const run = current;
        if (!run || run.stop.signal.aborted) process.exit(128 + (constants.signals[sig] ?? 0));
        run.say(`retention: ${sig}: stopping after the batch in progress (send it again to stop at once)\n`);
        run.stop.abort(sig);
      });
    }
  }
  return stop.signal;
}
