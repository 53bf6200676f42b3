import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';

interface Holder {
  pid: number;
  host: string;
  started: string;
}

/** Locks this process holds, released at exit by one listener (one per lock would warn past ten). */
const held = new Map<string, () => void>();
let listening = false;

/**
 * An exclusive run lock: a file holding the holder's pid, host and start time. It is written
 * whole under a temporary name and linked into place, so a lock file is never seen half
 * written: one that is empty or not such a record was left by something else and is stale, as
 * is one whose process is gone (same host). Returns the release.
 */
export function takeLock(path: string, what: string, timeoutMs = 0): () => void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (create(path)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held.delete(path);
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
      held.set(path, release);
      if (!listening) {
        listening = true;
        process.on('exit', () => {
          for (const r of [...held.values()]) r();
        });
      }
      return release;
    }
    const holder = readHolder(path);
    // A record with this process's pid that it does not hold is a dead run's (pids repeat in containers).
    const gone =
      holder !== undefined &&
      holder !== 'stale' &&
      holder.host === hostname() &&
      ((holder.pid === process.pid && !held.has(path)) || (holder.pid !== process.pid && !alive(holder.pid)));
    if (holder === 'stale' || gone) {
      try {
        unlinkSync(path);
      } catch {
        /* another run took it first */
      }
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'a process whose lock file cannot be read';
      throw new UserError(
        `${what} is locked by another retention run (${who}); wait for it to finish, or remove ${path} if that run is gone`,
      );
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

/** Creates the lock file with this process's record, or returns false when it exists. */
function create(path: string): boolean {
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, `${JSON.stringify(me)}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new UserError(`cannot create lock file ${path}: ${(e as Error).message}`);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UserError(`cannot create lock file ${path}: ${(e as Error).message}`);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* gone */
    }
  }
}

/** The holder's record; 'stale' for a file that holds none (empty, torn, not ours); undefined when gone or unreadable. */
function readHolder(path: string): Holder | 'stale' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read lock file ${path}: ${(e as Error).message}`);
  }
  try {
    const h = JSON.parse(text) as Holder;
    if (Number.isInteger(h.pid) && typeof h.host === 'string') return h;
  } catch {
    /* not a record */
  }
  // Written whole before it is linked into place: anything else is not a live run's lock. A file
  // changed in the last second may be someone's hand at work; look again before taking it over.
  try {
    if (Date.now() - statSync(path).mtimeMs < 1000) return undefined;
  } catch {
    return undefined;
  }
  return 'stale';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
