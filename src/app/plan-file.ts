import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DatasetSummary } from '../engine/tally.js';
import { UserError } from '../errors.js';
import type { Policy } from '../policy/model.js';
import type { SourceIdentity } from '../sources/source.js';
import { BufferedWriter } from '../util/buffered-writer.js';
import { LineReader } from '../util/line-reader.js';
import type { Spool } from '../util/spool.js';

export const PLAN_FORMAT = 'retention-plan/2';

/** A plan's header: what was planned, against what, by which policies. */
export interface PlanHeader {
  readonly format: typeof PLAN_FORMAT;
  readonly createdAt: string;
  readonly asOf: string;
  /** The source it was made on: its resolved real path and kind; applying it elsewhere is refused. */
  readonly source: {
    readonly path: string;
    readonly kind: string;
    readonly fingerprint: Record<string, unknown>;
  };
  readonly policies: readonly { readonly name: string; readonly file: string; readonly sha256: string }[];
  readonly datasets: readonly DatasetSummary[];
}

/**
 * One record of a plan: how to find it again (`match`: its key, else a stable row reference,
 * else a hash of its whole content), where it was (`ref`), what to do, and a hash of the values
 * the decision read.
 */
export interface PlanRecord {
  readonly dataset: string;
  readonly match: string;
  /** A rowid beyond 2^53 is written as its digits. */
  readonly ref: number | string;
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

/**
 * Writes the plan as NDJSON: the header on the first line, then one record per line. It names
 * records (keys are often phone numbers or e-mail addresses), so it is written readable by its
 * owner only, beside its target, and renamed into place.
 */
export async function writePlan(file: string, header: PlanHeader, records: Spool): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w', 0o600);
  } catch (e) {
    throw new UserError(`cannot write plan ${file}: ${(e as Error).message}`);
  }
  try {
    const out = new BufferedWriter(fd);
    out.write(`${JSON.stringify(header)}\n`);
    for await (const line of records.lines()) out.write(`${line}\n`);
    out.flush();
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* closed */
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* gone */
    }
    throw new UserError(`cannot write plan ${file}: ${(e as Error).message}`);
  }
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
    try {
      now = createHash('sha256').update(readFileSync(p.file)).digest('hex');
    } catch {
      throw new PlanMismatchError(`policy file ${p.file} of the plan is gone; make a new plan (nothing was changed)`);
    }
    if (now !== p.sha256)
      throw new PlanMismatchError(`policy file ${p.file} changed since the plan was made; review a new plan (nothing was changed)`);
  }
}

/** Exit 5 when --policy names policies the plan was not made with. */
export function checkSamePolicies(header: PlanHeader, policies: readonly Policy[]): void {
  const planned = new Set(header.policies.map((p) => p.file));
  const extra = policies.filter((p) => !planned.has(resolve(p.file)));
  if (extra.length)
    throw new PlanMismatchError(`policies ${extra.map((p) => p.file).join(', ')} were not part of the plan (nothing was changed)`);
}

/** Exit 5 when the source given is not the one the plan was made on. */
export function checkSameSource(header: PlanHeader, given: SourceIdentity): void {
  if (given.path !== header.source.path || given.kind !== header.source.kind) {
    throw new PlanMismatchError(
      `the plan was made on ${header.source.kind} source ${header.source.path}, not on ${given.kind} source ${given.path}; a plan acts only on the source it was reviewed on (nothing was changed)`,
    );
  }
}

/**
 * Exit 5 when the plan is older than `maxAgeMs`: what it was reviewed against has had time to
 * change, and records planned to go may since have been put on hold.
 */
export function checkPlanAge(header: PlanHeader, now: number, maxAgeMs: number, shown: string): void {
  const made = Date.parse(header.createdAt);
  if (!Number.isFinite(made)) throw new PlanMismatchError('the plan has no readable creation time; make a new plan (nothing was changed)');
  if (now - made > maxAgeMs)
    throw new PlanMismatchError(
      `the plan was made ${ageText(now - made)} ago (${header.createdAt}), more than --max-plan-age ${shown}; review a new plan with purge --dry-run --plan-out, or give a longer --max-plan-age (nothing was changed)`,
    );
}

/** "3 days 4 hours", "26 minutes": how old a plan is, to the unit that matters. */
export function ageText(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, ms);
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (parts.length === 0 && size === 1000)) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** The records of one dataset (all, without one), in the order they were planned. */
export function* planRecords(file: string, dataset?: string): Generator<PlanRecord> {
  const r = openPlan(file);
  try {
    for (let line = r.reader.next(); line !== undefined; line = r.reader.next()) {
      if (line === '') continue;
      let rec: PlanRecord;
      try {
        rec = JSON.parse(line) as PlanRecord;
      } catch {
        throw new UserError(`${file}: not a plan made by retention (a record line is not JSON)`);
      }
      if (dataset === undefined || rec.dataset === dataset) yield rec;
    }
  } finally {
    r.close();
  }
}

function openPlan(file: string): { header: PlanHeader; reader: LineReader; close(): void } {
  let reader: LineReader;
  try {
    reader = new LineReader(file);
  } catch (e) {
    throw new UserError(`cannot read plan ${file}: ${(e as Error).message}`);
  }
  let header: PlanHeader;
  try {
    header = JSON.parse(reader.next() ?? '') as PlanHeader;
  } catch {
    reader.close();
    throw new UserError(`${file} is not a plan made by retention purge --plan-out`);
  }
  if (header.format !== PLAN_FORMAT) {
    reader.close();
    throw new UserError(
      `${file} is not a plan of format ${PLAN_FORMAT}${typeof header.format === 'string' ? ` (it is ${header.format}: make it again with this version)` : ''}`,
    );
  }
  return { header, reader, close: () => reader.close() };
}
