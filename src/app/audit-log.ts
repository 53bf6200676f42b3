import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';
import { takeLock } from '../sources/lock.js';
import { BufferedWriter } from '../util/buffered-writer.js';
import { Spool } from '../util/spool.js';
import type { AuditKey } from './audit-key.js';

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

/** What a run line says of the run: written when it starts acting and when it ends. */
export interface RunRecord {
  readonly run: string;
  readonly asOf?: string;
  readonly tool: string;
  readonly source?: { readonly kind: string; readonly path: string };
  readonly policies: readonly { readonly name: string; readonly sha256: string }[];
  readonly plan?: string;
}

/** How a run ended, as its last run line says. */
export type Outcome = 'done' | 'refused' | 'failed' | 'interrupted';

/** Keys per receipt line: a large commit (a whole CSV file) is split, so no line grows without bound. */
const KEYS_PER_LINE = 50_000;
/** Keys of a pending batch kept in memory; beyond, they wait in a temporary file. */
const IN_MEMORY = 100_000;

interface Group {
  policy: string;
  dataset: string;
  rule: string;
  action: string;
  hashes: string[];
  spill?: Spool;
  count: number;
}

/**
 * The audit log: receipts of every committed change and a line for every run. A receipt line
 * names the run, policy, dataset, rule and action and lists the keyed hash (HMAC-SHA-256, see
 * audit-key.ts) of each key acted on, never the key. Receipts are written and synced after each
 * committed batch, before the next batch starts, so a run stopped at any moment leaves
 * receipts for all it committed but at most the batch whose commit was under way.
 * Each line starts with `prev`, the SHA-256 of the previous line's bytes (without its newline;
 * GENESIS for the first line of a file), so removing, changing or reordering lines breaks the
 * chain that `retention audit verify` checks.
 */
export class AuditLog {
  private readonly groups = new Map<string, Group>();
  private readonly release: () => void;
  private readonly fd: number;
  private prev: string;
  private batch = 0;
  private started?: RunRecord;

  /**
   * Takes the log's append lock and refuses a log whose last line is torn or that others may
   * write, before the purge changes anything: a run that deletes must be able to write its
   * receipt. Runs on different sources may share a log; the lock keeps their appends apart.
   * A new log is created readable and writable by its owner only.
   */
  constructor(
    private readonly file: string,
    private readonly key: AuditKey,
  ) {
    this.release = takeLock(`${file}.retention-lock`, `audit log ${file}`, APPEND_LOCK_MS);
    try {
      try {
        this.fd = openSync(file, 'a+', 0o600);
      } catch (e) {
        throw new UserError(`cannot write audit log ${file}: ${(e as Error).message}`);
      }
      const mode = fstatSync(this.fd).mode;
      if (mode & 0o002) {
        closeSync(this.fd);
        throw new UserError(
          `audit log ${file} can be written by any user (mode ${(mode & 0o777).toString(8)}), so its receipts prove nothing; run chmod o-w ${file}`,
        );
      }
      try {
        this.prev = lastLineSha256(this.fd, file);
      } catch (e) {
        closeSync(this.fd);
        throw e;
      }
    } catch (e) {
      this.release();
      throw e;
    }
  }

  /** The first run line: written before the first change. */
  runStarted(run: RunRecord, time: Date): void {
    this.started = run;
    this.append([{ type: 'run', event: 'start', time: time.toISOString(), ...run, keyId: this.key.id }]);
  }

  /** The last run line, with how the run ended and what it committed. */
  runEnded(run: RunRecord, time: Date, outcome: Outcome, totals: { deleted: number; redacted: number }, message?: string): void {
    this.append([
      {
        type: 'run',
        event: 'end',
        time: time.toISOString(),
        ...(this.started ?? run),
        keyId: this.key.id,
        outcome,
        ...totals,
        ...(message ? { message } : {}),
      },
    ]);
  }

  /** Notes one key acted on in the batch under way. */
  add(policy: string, dataset: string, rule: string, action: string, key: string): void {
    const id = `${dataset}\0${policy}\0${rule}\0${action}`;
    let g = this.groups.get(id);
    if (!g) {
      g = { policy, dataset, rule, action, hashes: [], count: 0 };
      this.groups.set(id, g);
    }
    g.hashes.push(this.key.hash(key));
    g.count++;
    if (g.hashes.length >= IN_MEMORY) {
      g.spill ??= new Spool('audit');
      for (const h of g.hashes) g.spill.push(h);
      g.hashes = [];
    }
  }

  /** The batch under way was rolled back: its keys get no receipt. */
  discard(): void {
    for (const g of this.groups.values()) g.spill?.remove();
    this.groups.clear();
  }

  /**
   * The batch under way was committed: its receipts are appended and synced. A group of more
   * than KEYS_PER_LINE keys takes several lines; the hashes stream from memory or their spool.
   */
  commit(asOf: string, time: Date): void {
    if (this.groups.size === 0) return;
    this.batch++;
    try {
      const out = new HashingWriter(new BufferedWriter(this.fd));
      for (const g of this.groups.values()) {
        let inLine = 0,
          sent = 0;
        const begin = () => {
          const count = Math.min(KEYS_PER_LINE, g.count - sent);
          const fields = JSON.stringify({
            type: 'receipt',
            run: this.started?.run,
            time: time.toISOString(),
            asOf,
            policy: g.policy,
            dataset: g.dataset,
            rule: g.rule,
            action: g.action,
            batch: this.batch,
            count,
          });
          out.write(`${PREV_FIELD}${this.prev}",${fields.slice(1, -1)},"keyHmac":[`);
        };
        const each = (h: string) => {
          if (inLine === 0) begin();
          out.write(inLine === 0 ? `"${h}"` : `,"${h}"`);
          sent++;
          if (++inLine === KEYS_PER_LINE) {
            out.write(']}');
            this.prev = out.endLine();
            inLine = 0;
          }
        };
        if (g.spill) for (const h of g.spill.linesSync()) each(h);
        for (const h of g.hashes) each(h);
        if (inLine > 0) {
          out.write(']}');
          this.prev = out.endLine();
        }
        g.spill?.remove();
      }
      out.flush();
      fsyncSync(this.fd);
      this.groups.clear();
    } catch (e) {
      throw new UserError(`cannot write audit log ${this.file}: ${(e as Error).message}; the batch just committed has no receipt`);
    }
  }

  /** Lets go of the file and its append lock (after the run, or when it fails). */
  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* closed */
    }
    this.release();
  }

  private append(records: Record<string, unknown>[]): void {
    try {
      const out = new HashingWriter(new BufferedWriter(this.fd));
      for (const r of records) {
        out.write(`${PREV_FIELD}${this.prev}",${JSON.stringify(r).slice(1)}`);
        this.prev = out.endLine();
      }
      out.flush();
      fsyncSync(this.fd);
    } catch (e) {
      throw new UserError(`cannot write audit log ${this.file}: ${(e as Error).message}`);
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
  flush(): void {
    this.out.flush();
  }
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
    throw new UserError(
      `audit log ${file} ends with an incomplete line (no final newline: a write was cut short); ` +
        `refusing to chain onto it. Run \`retention audit verify ${file}\`, keep a copy of the file, and remove the incomplete last line`,
    );
  }
  const end = size - 1;
  let start = 0;
  for (let pos = end; pos > 0; ) {
    const n = Math.min(BLOCK, pos);
    readAt(fd, block, n, pos - n);
    const i = block.subarray(0, n).lastIndexOf(0x0a);
    if (i >= 0) {
      start = pos - n + i + 1;
      break;
    }
    pos -= n;
  }
  const hash = createHash('sha256');
  for (let off = start; off < end; ) {
    const n = Math.min(BLOCK, end - off);
    readAt(fd, block, n, off);
    hash.update(block.subarray(0, n));
    off += n;
  }
  return hash.digest('hex');
}

function readAt(fd: number, buf: Buffer, length: number, position: number): void {
  for (let got = 0; got < length; ) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + got}`);
    got += n;
  }
}
