import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { BufferedWriter } from '../util/buffered-writer.js';
import type { DateTime } from 'luxon';
import { Spool } from '../util/spool.js';
import { UserError } from '../errors.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface Group { policy: string; dataset: string; rule: string; action: string; keys: Spool }

/**
 * The audit log: one JSON line per dataset, rule and action acted on, with the SHA-256 of
 * each key and never the key itself, so the proof of a deletion keeps no personal data.
 */
export class AuditLog {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly file: string) {
    try { closeSync(openSync(file, 'a')); } catch (e) {
      throw new UserError(`cannot write audit log ${file}: ${(e as Error).message}`);
    }
  }

  add(policy: string, dataset: string, rule: string, action: string, key: string): void {
    const id = `${dataset}\0${policy}\0${rule}\0${action}`;
    let g = this.groups.get(id);
    if (!g) { g = { policy, dataset, rule, action, keys: new Spool('audit') }; this.groups.set(id, g); }
    g.keys.push(sha256(key));
  }

  /**
   * Appends the lines. A line can hold millions of hashes, so it is streamed from the spool in
   * blocks rather than built in memory; the run lock keeps runs on one source from interleaving.
   */
  async write(asOf: DateTime, time: Date): Promise<void> {
    const fd = openSync(this.file, 'a');
    const out = new BufferedWriter(fd);
    try {
      for (const g of this.groups.values()) {
        const head = JSON.stringify({
          time: time.toISOString(), asOf: asOf.toISO(), policy: g.policy, dataset: g.dataset,
          rule: g.rule, action: g.action, count: g.keys.count,
        });
        out.write(`${head.slice(0, -1)},"keySha256":[`);
        let first = true;
        for await (const h of g.keys.lines()) { out.write(first ? `"${h}"` : `,"${h}"`); first = false; }
        out.write(']}\n');
      }
      out.flush();
    } finally { closeSync(fd); }
  }
}
