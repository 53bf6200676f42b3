import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { UserError } from '../errors.js';

interface Holder { pid: number; host: string; started: string }

/**
 * An exclusive run lock: a file created with O_EXCL holding the holder's pid and start time.
 * A lock whose process is gone (same host) is stale and taken over. Returns the release.
 */
export function takeLock(path: string, what: string, timeoutMs = 0): () => void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
      writeSync(fd, JSON.stringify(me) + '\n');
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try { unlinkSync(path); } catch { /* already gone */ }
        process.off('exit', release);
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`cannot create lock file ${path}: ${(e as Error).message}`);
    }
    const holder = readHolder(path);
    if (holder && holder.host === hostname() && !alive(holder.pid)) {
      try { unlinkSync(path); } catch { /* another run took it first */ }
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'an unknown process';
      throw new UserError(`${what} is locked by another retention run (${who}); wait for it to finish, or remove ${path} if that run is gone`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

function readHolder(path: string): Holder | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as Holder; } catch { return undefined; }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
