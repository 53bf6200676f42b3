import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync } from 'node:fs';
import { BufferedWriter } from '../util/buffered-writer.js';
import type { DateTime } from 'luxon';
import { Spool } from '../util/spool.js';
import { UserError } from '../errors.js';
import { takeLock } from '../sources/lock.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The `prev` of the first line of an empty log: there is no previous line. */
export const GENESIS = '0'.repeat(64);

/** Every chained line starts with this, then 64 hex digits and a quote. */
export const PREV_FIELD = '{"prev":"';

/** How long a purge waits for another run that is appending to the same log. */
const APPEND_LOCK_MS = 60_000;
const BLOCK = 64 * 1024;

interface Group { policy: string; dataset: string; rule: string; action: string; keys: Spool }

/**
 * The audit log: one JSON line per dataset, rule and action acted on, with the SHA-256 of
 * each key and never the key itself, so the proof of a deletion keeps no personal data.
 * Each line starts with `prev`, the SHA-256 of the previous line's bytes (without its newline;
 * GENESIS for the first line of a file), so removing, changing or reordering lines breaks the
 * chain that `retention audit verify` checks.
 */
export class AuditLog {
  private readonly groups = new Map<string, Group>();
  private readonly release: () => void;

  /**
   * Takes the log's append lock and refuses a log whose last line is torn, both before the
   * purge changes anything: a run that deletes must be able to write its receipt. Runs on
   * different sources may share a log; the lock keeps their appends from interleaving.
   */
  constructor(private readonly file: string) {
    this.release = takeLock(`${file}.retention-lock`, `audit log ${file}`, APPEND_LOCK_MS);
    try {
      let fd: number;
      try { fd = openSync(file, 'a+'); } catch (e) {
        throw new UserError(`cannot write audit log ${file}: ${(e as Error).message}`);
      }
      try { lastLineSha256(fd, file); } finally { closeSync(fd); }
    } catch (e) { this.release(); throw e; }
  }

  /** Lets go of the append lock (after write, or when the run fails). */
  close(): void {
    this.release();
  }

  add(policy: string, dataset: string, rule: string, action: string, key: string): void {
    const id = `${dataset}\0${policy}\0${rule}\0${action}`;
    let g = this.groups.get(id);
    if (!g) { g = { policy, dataset, rule, action, keys: new Spool('audit') }; this.groups.set(id, g); }
    g.keys.push(sha256(key));
  }

  /**
   * Appends the lines of what was added since the last write, and syncs them: a purge writes
   * after each dataset, so a later failure cannot take the receipts of earlier changes with it.
   * A line can hold millions of hashes, so it is streamed from the spool in
   * blocks and hashed as it is written, never built in memory.
   */
  async write(asOf: DateTime, time: Date): Promise<void> {
    if (this.groups.size === 0) return;
    let fd: number | undefined;
    try {
      fd = openSync(this.file, 'a+');
      let prev = lastLineSha256(fd, this.file);
      const out = new HashingWriter(new BufferedWriter(fd));
      for (const g of this.groups.values()) {
        const fields = JSON.stringify({
          time: time.toISOString(), asOf: asOf.toISO(), policy: g.policy, dataset: g.dataset,
          rule: g.rule, action: g.action, count: g.keys.count,
        });
        out.write(`${PREV_FIELD}${prev}",${fields.slice(1, -1)},"keySha256":[`);
        let first = true;
        for await (const h of g.keys.lines()) { out.write(first ? `"${h}"` : `,"${h}"`); first = false; }
        out.write(']}');
        prev = out.endLine();
      }
      out.flush();
      fsyncSync(fd);
      this.groups.clear();
    } catch (e) {
      throw new UserError(`cannot write audit log ${this.file}: ${(e as Error).message}; the changes made so far have no receipt`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** Writes a line in pieces and hashes its bytes on the way; the newline is not hashed. */
class HashingWriter {
  private hash: Hash = createHash('sha256');
  constructor(private readonly out: BufferedWriter) {}
  write(text: string): void {
    const bytes = Buffer.from(text);
    this.hash.update(bytes);
    this.out.write(bytes);
  }
  endLine(): string {
    this.out.write('\n');
    const digest = this.hash.digest('hex');
    this.hash = createHash('sha256');
    return digest;
  }
  flush(): void { this.out.flush(); }
}

/**
 * The SHA-256 of the file's last line (GENESIS when empty), found by reading backwards from the
 * end in blocks to the newline before it, then hashed in blocks: memory stays constant however
 * long the line. A last line without its newline is a write that was cut short: refused.
 */
function lastLineSha256(fd: number, file: string): string {
  const size = fstatSync(fd).size;
  if (size === 0) return GENESIS;
  const block = Buffer.allocUnsafe(BLOCK);
  readAt(fd, block, 1, size - 1);
  if (block[0] !== 0x0a) {
    throw new UserError(`audit log ${file} ends with an incomplete line (no final newline: a write was cut short); ` +
      `refusing to chain onto it. Run \`retention audit verify ${file}\`, keep a copy of the file, and remove the incomplete last line`);
  }
  const end = size - 1;
  let start = 0;
  for (let pos = end; pos > 0;) {
    const n = Math.min(BLOCK, pos);
    readAt(fd, block, n, pos - n);
    const i = block.subarray(0, n).lastIndexOf(0x0a);
    if (i >= 0) { start = pos - n + i + 1; break; }
    pos -= n;
  }
  const hash = createHash('sha256');
  for (let off = start; off < end;) {
    const n = Math.min(BLOCK, end - off);
    readAt(fd, block, n, off);
    hash.update(block.subarray(0, n));
    off += n;
  }
  return hash.digest('hex');
}

function readAt(fd: number, buf: Buffer, length: number, position: number): void {
  for (let got = 0; got < length;) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + got}`);
    got += n;
  }
}
