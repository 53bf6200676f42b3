import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join, basename, resolve } from 'node:path';
import type { DateTime } from 'luxon';
import type { Policy } from '../policy/model.js';
import { UserError } from '../errors.js';
import { BufferedWriter } from '../util/buffered-writer.js';
import { LineReader } from '../util/line-reader.js';
import type { Spool } from '../util/spool.js';
import type { DatasetSummary } from './tally.js';

export const PLAN_FORMAT = 'retention-plan/1';

/** A plan's header: what was planned, against what, by which policies. */
export interface PlanHeader {
  readonly format: typeof PLAN_FORMAT;
  readonly createdAt: string;
  readonly asOf: string;
  readonly source: { readonly path: string; readonly kind: string; readonly fingerprint: Record<string, { size: number; mtimeMs: number }> };
  readonly policies: readonly { readonly name: string; readonly file: string; readonly sha256: string }[];
  readonly datasets: readonly DatasetSummary[];
}

/** One record of a plan: the row it was (ref, key), what to do, and a hash of the values read. */
export interface PlanRecord {
  readonly dataset: string;
  /** A rowid beyond 2^53 is written as its digits and read back as a BigInt. */
  readonly ref: number | bigint;
  readonly key: string;
  readonly action: 'delete' | 'redact';
  readonly policy: string;
  readonly rule: string;
  readonly columns?: readonly string[];
  readonly values: string;
}

/** A plan cannot be applied as reviewed: exit 5, nothing changed. */
export class PlanMismatchError extends UserError {
  constructor(message: string) {
    super(message, 5);
    this.name = 'PlanMismatchError';
  }
}

export function valuesHash(values: readonly unknown[], n: number): string {
  const h = createHash('sha256');
  for (let i = 0; i < n; i++) h.update(JSON.stringify(values[i] ?? null) + '\u0000');
  return h.digest('hex');
}

export function fingerprint(paths: readonly string[]): PlanHeader['source']['fingerprint'] {
  const out: Record<string, { size: number; mtimeMs: number }> = {};
  for (const p of paths) { const st = statSync(p); out[resolve(p)] = { size: st.size, mtimeMs: st.mtimeMs }; }
  return out;
}

/**
 * Writes the plan as one JSON document laid out a record per line (header on the first line),
 * so it can be read back line by line; written beside its target and renamed into place.
 */
export async function writePlan(file: string, header: PlanHeader, records: Spool): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  const out = new BufferedWriter(fd);
  const head = JSON.stringify(header);
  out.write(`${head.slice(0, -1)},"records":[\n`);
  let first = true;
  for await (const line of records.lines()) { out.write(first ? line : `,\n${line}`); first = false; }
  out.write(first ? ']}\n' : '\n]}\n');
  out.flush();
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, file);
}

/** Reads a plan's header. */
export function readPlanHeader(file: string): PlanHeader {
  const r = openPlan(file);
  r.close();
  return r.header;
}

/** Exit 5 when a policy file of the plan changed (or is gone) since the plan was made. */
export function checkPolicyHashes(header: PlanHeader): void {
  for (const p of header.policies) {
    let now: string;
    try { now = createHash('sha256').update(readFileSync(p.file)).digest('hex'); } catch {
      throw new PlanMismatchError(`policy file ${p.file} of the plan is gone; make a new plan (nothing was changed)`);
    }
    if (now !== p.sha256) throw new PlanMismatchError(`policy file ${p.file} changed since the plan was made; review a new plan (nothing was changed)`);
  }
}

/** Exit 5 when --policy names policies the plan was not made with. */
export function checkSamePolicies(header: PlanHeader, policies: readonly Policy[]): void {
  const planned = new Set(header.policies.map((p) => p.file));
  const extra = policies.filter((p) => !planned.has(resolve(p.file)));
  if (extra.length) throw new PlanMismatchError(`policies ${extra.map((p) => p.file).join(', ')} were not part of the plan (nothing was changed)`);
}

/** Reads the records of one dataset in order. */
export function planRecords(file: string, dataset: string): { next(): PlanRecord | undefined; close(): void } {
  const r = openPlan(file);
  return {
    next() {
      for (let line = r.reader.next(); line !== undefined; line = r.reader.next()) {
        if (line === ']}' || line === '') continue;
        let rec: PlanRecord;
        try { rec = JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as PlanRecord; } catch {
          throw new UserError(`${file}: not a plan made by retention (a record line is not JSON)`);
        }
        if (rec.dataset === dataset) return typeof rec.ref === 'string' ? { ...rec, ref: BigInt(rec.ref) } : rec;
      }
      return undefined;
    },
    close: () => r.close(),
  };
}

function openPlan(file: string): { header: PlanHeader; reader: LineReader; close(): void } {
  let reader: LineReader;
  try { reader = new LineReader(file); } catch (e) { throw new UserError(`cannot read plan ${file}: ${(e as Error).message}`); }
  const first = reader.next() ?? '';
  let header: PlanHeader;
  try {
    header = JSON.parse(first.replace(/,"records":\[$/, '}')) as PlanHeader;
  } catch { reader.close(); throw new UserError(`${file} is not a plan made by retention purge --plan-out`); }
  if (header.format !== PLAN_FORMAT) { reader.close(); throw new UserError(`${file} is not a plan of format ${PLAN_FORMAT}`); }
  return { header, reader, close: () => reader.close() };
}
