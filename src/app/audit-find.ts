import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { LineReader } from '../util/line-reader.js';
import type { AuditKey } from './audit-key.js';

/** One receipt that names the record: when, by which run, policy and rule, and on which line. */
export interface Finding {
  readonly line: number;
  readonly time: string;
  readonly action: string;
  readonly policy: string;
  readonly rule: string;
  readonly run?: string;
  readonly asOf?: string;
  /** The receipt is of an older format, with the key's plain SHA-256. */
  readonly unkeyed?: boolean;
  /** The receipt line itself, without its list of hashes. */
  readonly receipt: Record<string, unknown>;
}

export interface FindResult {
  readonly file: string;
  readonly dataset: string;
  readonly key: string;
  readonly findings: readonly Finding[];
  /** Receipt lines of the dataset that were looked through. */
  readonly receipts: number;
  /** Runs whose receipts were made with another key than the one given: they cannot be searched with it. */
  readonly otherKeys: readonly string[];
}

/**
 * A data subject's question: was this record deleted or redacted, when, by which policy and rule?
 * Streams the log line by line (a line holds at most one batch of hashes); a line is parsed only
 * when it is a run line or holds the record's hash.
 */
export function findInAuditLog(file: string, dataset: string, key: string, auditKey: AuditKey): FindResult {
  const keyed = `"${auditKey.hash(key)}"`;
  const plain = `"${createHash('sha256').update(key).digest('hex')}"`;
  const ds = `"dataset":${JSON.stringify(dataset)}`;
  const findings: Finding[] = [];
  const otherKeys = new Set<string>();
  let receipts = 0;
  let reader: LineReader;
  try {
    reader = new LineReader(file);
  } catch (e) {
    throw new UserError(`cannot read audit log ${file}: ${(e as Error).message}`);
  }
  try {
    let n = 0;
    for (let line = reader.next(); line !== undefined; line = reader.next()) {
      n++;
      if (line.includes('"type":"run"') && line.includes('"event":"start"')) {
        const r = parse(line);
        if (r && typeof r.keyId === 'string' && r.keyId !== auditKey.id) otherKeys.add(String(r.run));
        continue;
      }
      if (!line.includes(ds)) continue;
      const unkeyed = line.includes('"keySha256":[');
      if (!unkeyed && !line.includes('"keyHmac":[')) continue;
      receipts++;
      if (!line.includes(unkeyed ? plain : keyed)) continue;
      const r = parse(line);
      if (!r || r.dataset !== dataset) continue;
      const { keyHmac: _k, keySha256: _s, prev: _p, ...receipt } = r;
      findings.push({
        line: n,
        time: String(r.time),
        action: String(r.action),
        policy: String(r.policy),
        rule: String(r.rule),
        ...(r.run ? { run: String(r.run) } : {}),
        ...(r.asOf ? { asOf: String(r.asOf) } : {}),
        ...(unkeyed ? { unkeyed } : {}),
        receipt,
      });
    }
  } finally {
    reader.close();
  }
  return { file, dataset, key, findings, receipts, otherKeys: [...otherKeys] };
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
