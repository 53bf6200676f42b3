import type { Logger } from 'pino';
import { compileDecider, type Decider } from '../engine/compile.js';
import type { Decision } from '../engine/decision.js';
import type { DatasetRules } from '../engine/evaluate.js';
import { asText } from '../engine/value.js';
import { CapError, InterruptedError, PartialChangeError, UserError } from '../errors.js';
import type { DatasetInfo, ReadOptions, Row, RowAct, Source } from '../sources/source.js';
import { Spool } from '../util/spool.js';
import { resolveAsOf } from './as-of.js';
import { AuditLog, type Outcome, type RunRecord } from './audit-log.js';
import { loadAuditKey } from './audit-key.js';
import { combineDatasets, namedColumns } from './combine.js';
import { policiesForRun } from './load-policies.js';
import { goingOf, notRewritable, referringTables } from './source-facts.js';
import { openSource } from './open-source.js';
import { Tally, type DatasetSummary } from './tally.js';
import {
  bigintAsText,
  checkPolicyHashes,
  checkSamePolicies,
  checkSameSource,
  fingerprint,
  PLAN_FORMAT,
  PlanMismatchError,
  readPlanHeader,
  sourceIdentity,
  valuesHash,
  writePlan,
  type PlanHeader,
  type PlanRecord,
} from './plan-file.js';
import { PlannedRecords, type SkipReason } from './plan-match.js';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

type RunLine = { -readonly [K in keyof RunRecord]: RunRecord[K] };
import { DateTime } from 'luxon';
import type { Policy } from '../policy/model.js';

export interface RunOptions {
  readonly policy: readonly string[];
  readonly source: string;
  readonly asOf?: string;
  /** The CLI's clock reading; the app never reads the clock itself. */
  readonly now: DateTime;
  readonly mode: 'report' | 'dry-run' | 'purge';
  /** Collect every record acted on (delete, redact), with its due date. */
  readonly records: boolean;
  readonly maxDelete?: number;
  /** Per dataset: refuse when more than this percentage of its scanned records would be deleted. */
  readonly maxDeletePercent?: number;
  readonly auditLog?: string;
  readonly delimiter?: string;
  readonly lockTimeoutMs?: number;
  /** Purge: rebuild the source's files after the changes (SQLite VACUUM), so no copy of a deleted value stays in free space. */
  readonly vacuum?: boolean;
  /** Purge (and dry run): datasets the policies declare but the source lacks are skipped instead of refused. */
  readonly allowMissingDatasets?: boolean;
  /** Let a purge act at an asOf later than now (it deletes what is not due yet). */
  readonly allowFutureAsOf?: boolean;
  /** Progress of long scans, for a terminal. */
  readonly progress?: (
    phase: 'checking' | 'scanning' | 'purging',
    dataset: string,
    done: number,
    total: number,
    unit: 'rows' | 'bytes',
  ) => void;
  /** With dry-run: write the reviewed plan here. */
  readonly planOut?: string;
  /** Apply exactly this plan (its policies, source and asOf). */
  readonly plan?: string;
  readonly log: Logger;
  /** The clock for receipt times (the CLI's); the decisions use only asOf. */
  readonly clock: () => Date;
  /** With auditLog: the key file of the keyed hashes (created when missing). */
  readonly auditKey?: string;
  /** The tool's version, for run lines. */
  readonly toolVersion?: string;
  /** Aborted (its reason a signal name): stop after the batch in progress. */
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly asOf: DateTime;
  readonly mode: RunOptions['mode'];
  /** The source read or acted on, by its resolved real path. */
  readonly source: { readonly kind: string; readonly path: string };
  readonly datasets: DatasetSummary[];
  /** JSON lines, one per record with action delete or redact (when asked for). */
  readonly records?: Spool;
  /** Dry run: why the real run would be refused by a cap (it exits 3, changing nothing). */
  readonly refused?: string;
  /** Purge: why bytes of what the datasets deleted or redacted may still be readable in the source's files. */
  readonly residue?: { readonly datasets: readonly string[]; readonly message: string };
}

/** One record acted on, as reports list it (SPEC §4). */
export interface RecordLine {
  dataset: string;
  key: string;
  action: 'delete' | 'redact';
  policy: string;
  rule: string;
  due?: string;
  columns?: readonly string[];
}

interface Prepared {
  readonly rules: DatasetRules;
  readonly decider: Decider;
  /** Columns read per row: the decider's, then the key if it is not among them. */
  readonly layout: readonly string[];
  readonly keyIndex: number;
  /** The decision for a row, including the source's word that other rows still refer to it. */
  readonly decide: (row: Row) => Decision;
  readonly read: ReadOptions;
  readonly info: DatasetInfo;
}

const INVALID_SAMPLES = 10;

/** report, purge --dry-run and purge: the same plan, decided the same way; only purge acts. */
export async function run(o: RunOptions): Promise<RunResult> {
  // The audit log first: a purge that has one leaves a run line however it ends.
  const audit = o.mode === 'purge' && o.auditLog ? openAuditLog(o) : undefined;
  const record: RunLine = {
    run: randomUUID(),
    tool: `retention ${o.toolVersion ?? ''}`.trim(),
    policies: [],
    ...(o.plan ? { plan: resolve(o.plan) } : {}),
  };
  const committed = { deleted: 0, redacted: 0 };
  try {
    const result = await runWith(o, audit, record, committed);
    audit?.runEnded(record, o.clock(), 'done', committed);
    return result;
  } catch (e) {
    if (audit) {
      const outcome: Outcome =
        e instanceof InterruptedError ? 'interrupted' : e instanceof CapError || e instanceof PlanMismatchError ? 'refused' : 'failed';
      if (e instanceof PartialChangeError || e instanceof InterruptedError) {
        committed.deleted += e.committed.deleted;
        committed.redacted += e.committed.redacted;
      }
      try {
        audit.runEnded(record, o.clock(), outcome, committed, (e as Error).message);
      } catch {
        /* the first error is the one to report */
      }
    }
    throw e;
  } finally {
    audit?.close();
  }
}

function openAuditLog(o: RunOptions): AuditLog {
  const key = loadAuditKey(o.auditKey!, true);
  if (key.created)
    o.log.warn(
      { key: key.file },
      `created the audit key ${key.file}: receipts hash keys with it, and audit find needs it; back it up and keep it apart from the audit log`,
    );
  return new AuditLog(o.auditLog!, key);
}

async function runWith(
  o: RunOptions,
  audit: AuditLog | undefined,
  record: RunLine,
  committed: { deleted: number; redacted: number },
): Promise<RunResult> {
  const plan = o.plan ? readPlanHeader(o.plan) : undefined;
  // A changed policy is exit 5 even if it no longer loads, so hashes are compared first.
  if (plan) checkPolicyHashes(plan);
  const policies = policiesForRun(plan ? plan.policies.map((p) => p.file) : o.policy);
  record.policies = policies.map((p) => ({ name: p.name, sha256: p.sha256 }));
  if (plan && o.policy.length) checkSamePolicies(plan, policiesForRun(o.policy));
  const datasets = combineDatasets(policies);
  const asOf = plan ? planAsOf(plan, o.asOf, policies) : resolveAsOf(o.asOf, o.now, policies);
  record.asOf = asOf.toISO()!;
  // A purge acts on the present: records due only at a later instant must not go now.
  if (o.mode === 'purge' && asOf.toMillis() > o.now.toMillis() && !o.allowFutureAsOf) {
    throw new UserError(
      `asOf ${asOf.toISO()} is later than now (${o.now.setZone(asOf.zone).toISO()}): a purge would delete records that are not due yet; use report or --dry-run to look ahead, or give --allow-future-as-of if this is really meant`,
      2,
    );
  }
  const sourcePath = o.source || plan?.source.path;
  if (!sourcePath) throw new UserError('give --source', 2);
  const source = openSource(sourcePath, { readonly: o.mode !== 'purge', delimiter: o.delimiter, lockTimeoutMs: o.lockTimeoutMs });
  const acted = sourceIdentity(sourcePath);
  record.source = { kind: source.kind, path: acted };
  try {
    // A plan acts only where it was reviewed.
    if (plan) checkSameSource(plan, sourcePath, source.kind);
    // Next due dates are for reports; purge and its dry run skip them and print the same.
    const prepared = prepare(source, datasets, asOf, o.log, o.mode !== 'report', o.mode !== 'report' && !o.allowMissingDatasets);
    // Reading without changing: rows of referring datasets that this purge deletes first do not hold a record.
    const going = goingOf(prepared.map((p) => [p.info.name, p.decider] as const));
    const reading = (p: Prepared): ReadOptions => ({ ...p.read, going, signal: o.signal });
    if (o.mode === 'purge') for (const note of source.lock()) o.log.warn({ source: acted }, note);
    const progress = o.progress;
    const phase = (name: 'checking' | 'scanning' | 'purging') => {
      if (progress) source.onProgress = (d, done, total, unit) => progress(name, d, done, total, unit);
    };
    phase('checking');
    if (o.mode === 'purge') {
      const capped = o.maxDelete !== undefined || o.maxDeletePercent !== undefined;
      // A CSV file can turn out malformed halfway, and a cap needs the counts: read everything
      // once before the first change. A plan brings its own counts.
      const counts = source.kind === 'csv' || (capped && !plan) ? await countAll(source, prepared, reading) : [];
      if (capped) checkCaps(plan ? plan.datasets : counts, o.maxDelete, o.maxDeletePercent);
      audit?.runStarted(record, o.clock());
    }
    const records = o.records ? new Spool('records') : undefined;
    const planSpool = o.planOut ? new Spool('plan') : undefined;
    const summaries: DatasetSummary[] = [];
    phase(o.mode === 'purge' ? 'purging' : 'scanning');
    for (const p of prepared) {
      const name = p.rules.dataset.name;
      if (o.signal?.aborted) throw interrupted(o.signal, summaries, prepared, name);
      const tally = new Tally(name, p.rules.rules);
      if (p.info.referencedBy.length) tally.summary.referenced = 0;
      let invalidShown = 0;
      // Counts a decision and lists the record where asked; the plan apply brings its own decision.
      const note = (d: Decision, row: Row): Decision => {
        tally.add(d);
        if (d.action !== 'keep' && (records || audit || planSpool)) {
          const key = keyOf(p, row);
          if (records) records.push(JSON.stringify(recordLine(name, key, d, p, row)));
          // A redaction acts for every rule whose columns it empties: each gets the key, as its count has it.
          if (audit) for (const r of d.redactRules ?? [d.rule!]) audit.add(r.policy, name, r.id, d.action, key);
          if (planSpool) planSpool.push(JSON.stringify(planRecord(name, key, d, p, row), bigintAsText));
        } else if (d.reason === 'invalid' && invalidShown++ < INVALID_SAMPLES) {
          o.log.warn({ dataset: name, key: keyOf(p, row), problem: d.problem }, 'record kept: a value could not be read');
        }
        return d;
      };
      const decide = (row: Row): Decision => note(p.decide(row), row);
      const started = performance.now();
      // Receipts per committed batch: a rolled-back batch's keys get none.
      const writing: ReadOptions = {
        ...p.read,
        signal: o.signal,
        afterCommit: () => audit?.commit(asOf.toISO()!, o.clock()),
        afterRollback: () => audit?.discard(),
      };
      try {
        if (o.mode === 'purge' && o.plan) {
          const follow = followPlan(o.plan, name, p, note, tally);
          try {
            const done = await source.apply(name, p.layout, follow.act, writing);
            tally.summary.skipped = follow.finish();
            count(committed, done);
            o.log.info(
              { dataset: name, ...done, skipped: tally.summary.skipped, ms: Math.round(performance.now() - started) },
              'plan applied',
            );
          } finally {
            follow.close();
          }
        } else if (o.mode === 'purge') {
          const done = await source.apply(name, p.layout, (row) => toAct(decide(row), p.layout), writing);
          count(committed, done);
          o.log.info({ dataset: name, ...done, ms: Math.round(performance.now() - started) }, 'purged');
        } else {
          await source.scan(name, p.layout, decide, reading(p));
          o.log.info({ dataset: name, scanned: tally.summary.scanned, ms: Math.round(performance.now() - started) }, 'scanned');
        }
      } catch (e) {
        if (e instanceof InterruptedError) throw interrupted(o.signal!, summaries, prepared, name, e.committed);
        throw e;
      }
      if (tally.summary.referenced) {
        o.log.warn(
          { dataset: name, referenced: tally.summary.referenced, by: referringTables(p.info) },
          'records due for deletion kept: rows of other tables still refer to them',
        );
      }
      if (tally.summary.invalid > INVALID_SAMPLES)
        o.log.warn(
          { dataset: name, invalid: tally.summary.invalid },
          `${tally.summary.invalid} records kept because a value could not be read (first ${INVALID_SAMPLES} logged)`,
        );
      tally.setNextDue(p.decider.nextDue());
      summaries.push(tally.summary);
    }
    // Deleted means gone: what the changes alone leave readable is dealt with, or said.
    const changed = summaries.filter((d) => d.delete + d.redact > 0).map((d) => d.dataset);
    let residue: RunResult['residue'];
    if (o.mode === 'purge' && changed.length > 0 && source.finish) {
      const why = await source.finish({ vacuum: Boolean(o.vacuum) });
      if (why) {
        residue = { datasets: changed, message: why };
        o.log.warn({ datasets: changed }, why);
      }
    }
    if (planSpool && o.planOut) {
      await writePlan(
        o.planOut,
        {
          format: PLAN_FORMAT,
          createdAt: new Date(o.now.toMillis()).toISOString(),
          asOf: asOf.toISO()!,
          source: { path: acted, kind: source.kind, fingerprint: fingerprint(source.files()) },
          policies: policies.map((p) => ({ name: p.name, file: resolve(p.file), sha256: p.sha256 })),
          datasets: summaries,
        },
        planSpool,
      );
      o.log.info({ plan: o.planOut, records: planSpool.count }, 'plan written');
    }
    // The dry run shows what the real run does, and with these caps that is a refusal.
    let refused: string | undefined;
    if (o.mode === 'dry-run') {
      try {
        checkCaps(summaries, o.maxDelete, o.maxDeletePercent);
      } catch (e) {
        if (e instanceof CapError) refused = e.message;
        else throw e;
      }
    }
    return { asOf, mode: o.mode, source: { kind: source.kind, path: acted }, datasets: summaries, records, refused, residue };
  } finally {
    source.close();
  }
}

const count = (total: { deleted: number; redacted: number }, done: { deleted: number; redacted: number }) => {
  total.deleted += done.deleted;
  total.redacted += done.redacted;
};

/** What a run stopped by a signal did: the datasets done, the one under way, the ones not started. */
function interrupted(
  signal: AbortSignal,
  done: readonly DatasetSummary[],
  prepared: readonly Prepared[],
  current: string,
  committed = { deleted: 0, redacted: 0 },
): InterruptedError {
  const parts = done.map((d) => `${d.dataset}: ${d.delete} deleted, ${d.redact} redacted`);
  if (committed.deleted + committed.redacted > 0)
    parts.push(`${current}: ${committed.deleted} deleted, ${committed.redacted} redacted before it stopped`);
  const rest = prepared.map((p) => p.info.name).slice(done.length + (committed.deleted + committed.redacted > 0 ? 1 : 0));
  const what = parts.length ? `committed: ${parts.join('; ')}` : 'nothing was changed';
  const total = done.reduce((t, d) => ({ deleted: t.deleted + d.delete, redacted: t.redacted + d.redact }), committed);
  return new InterruptedError(
    `interrupted by ${signal.reason}, after the batch in progress; ${what}${rest.length ? `; not done: ${rest.join(', ')}` : ''}. Run it again to finish`,
    String(signal.reason),
    total,
  );
}

/**
 * What finds a planned record again: its key, else its reference where that stays with the row
 * (a SQLite rowid), else a hash of all its fields (a CSV line number moves when lines before it go).
 */
function matchOf(p: Prepared, row: Row): string {
  if (p.keyIndex >= 0) return `key:${asText(row[p.keyIndex])}`;
  if (p.info.stableRef) return `ref:${String(row[p.layout.length])}`;
  return `content:${valuesHash(row, p.layout.length)}`;
}

/** The key of a row as reports and receipts name it: the key column, else the row reference. */
function keyOf(p: Prepared, row: Row): string {
  return p.keyIndex >= 0 ? asText(row[p.keyIndex]) : String(row[p.layout.length]);
}

/** Decides every row of every dataset, changing nothing: the counts a cap is checked on. */
async function countAll(source: Source, prepared: readonly Prepared[], reading: (p: Prepared) => ReadOptions): Promise<DatasetSummary[]> {
  const counts: DatasetSummary[] = [];
  for (const p of prepared) {
    const tally = new Tally(p.rules.dataset.name, p.rules.rules);
    await source.scan(
      p.rules.dataset.name,
      p.layout,
      (row) => {
        tally.add(p.decide(row));
      },
      reading(p),
    );
    counts.push(tally.summary);
  }
  return counts;
}

function prepare(
  source: Source,
  datasets: Map<string, DatasetRules>,
  asOf: DateTime,
  log: Logger,
  acting: boolean,
  requireAll: boolean,
): Prepared[] {
  const present = source.datasets();
  const missing: string[] = [];
  const problems: string[] = [];
  const prepared: Prepared[] = [];
  for (const [name, rules] of datasets) {
    const info = present.get(name);
    if (!info) {
      missing.push(name);
      continue;
    }
    for (const { column, what } of namedColumns(rules)) {
      if (!info.columns.includes(column)) problems.push(`${info.location} has no column "${column}" (named as ${what})`);
      else if (what.startsWith('redact') && info.notNull.has(column))
        problems.push(`${info.location}: column "${column}" is NOT NULL, so it cannot be redacted (named as ${what})`);
    }
    if (acting && info.unwritable) problems.push(info.unwritable);
    if (acting) {
      const deletes = rules.rules.some((r) => r.deleteAfter),
        redacts = new Set(rules.rules.flatMap((r) => r.redact));
      const fired = [...(deletes ? (info.triggers?.delete ?? []) : []), ...(redacts.size ? (info.triggers?.update ?? []) : [])];
      if (fired.length)
        problems.push(
          `${info.location}: its triggers ${[...new Set(fired)].join(', ')} would run on the purge's deletes or updates and change data no policy decided on; purge a copy without them, or drop them for the purge`,
        );
      const keys = (info.keyColumns ?? []).filter((c) => redacts.has(c));
      if (keys.length)
        problems.push(
          `${info.location}: column ${keys.join(', ')} is referred to by other tables' foreign keys, so redacting it would change or break their rows; do not redact key columns`,
        );
    }
    if (acting && info.cascades.length > 0) {
      problems.push(
        `${info.location}: deleting its rows would also change rows of ${info.cascades.join(', ')} through foreign keys, which no policy decided on; give those tables their own rules and drop the ON DELETE action, or purge them first`,
      );
    }
    const decider = compileDecider(rules, asOf, { nextDue: !acting });
    const layout = [...decider.columns];
    const key = rules.dataset.key;
    let keyIndex = -1;
    if (key !== undefined) {
      keyIndex = layout.indexOf(key);
      if (keyIndex < 0) {
        keyIndex = layout.length;
        layout.push(key);
      }
    }
    // Without a key or a stable reference a record is found again by all its fields.
    else if (!info.stableRef && acting) for (const c of info.columns) if (!layout.includes(c)) layout.push(c);
    // Rows other tables still refer to cannot be deleted (the database refuses): they are kept
    // (or redacted, if that is due too) and counted, in the dry run as in the purge. The source
    // looks references up only for the candidates, rows about to be deleted; SQLite asks about
    // the candidate just before it hands over the same row, so that decision is reused.
    const ref = layout.length,
      referenced = layout.length + 1;
    let lastRef: unknown, last: Decision | undefined;
    const decideRow =
      info.referencedBy.length === 0
        ? decider.decide
        : (row: Row): Decision => {
            if (row[referenced]) return decider.decide(row, true);
            return last !== undefined && row[ref] === lastRef ? last : decider.decide(row);
          };
    // A record the source cannot rewrite exactly is not redacted: kept, and counted as doubt.
    const decide = !source.rewritable
      ? decideRow
      : (row: Row): Decision => {
          const d = decideRow(row);
          return d.action === 'redact' && !source.rewritable!() ? notRewritable(d) : d;
        };
    const read: ReadOptions = {
      candidate: (row) => {
        lastRef = row[ref];
        last = decider.decide(row);
        return last.action === 'delete';
      },
      exactColumns: [...(key !== undefined ? [key] : []), ...rules.rules.flatMap((r) => r.where.map((w) => w.column))],
    };
    prepared.push({ rules, decider, layout, keyIndex, decide, read, info });
  }
  // A renamed table would silently stop being purged: a purge names what it cannot find.
  if (requireAll && missing.length > 0 && prepared.length > 0) {
    problems.push(
      `${source.path} has no ${missing.length === 1 ? 'dataset' : 'datasets'} ${missing.join(', ')}, which the policies declare; purge the source that holds them, or give --allow-missing-datasets to purge the others`,
    );
  }
  if (problems.length > 0)
    throw new UserError(`the source does not match the policies; nothing was read or changed:\n${problems.join('\n')}`);
  if (prepared.length === 0) {
    throw new UserError(
      `${source.path} holds none of the datasets the policies declare (${[...datasets.keys()].join(', ')}); found: ${[...present.keys()].join(', ') || 'nothing'}`,
    );
  }
  if (missing.length > 0)
    log.warn({ datasets: missing, source: source.path }, 'datasets declared by the policies are not in the source; skipped');
  return referringFirst(prepared, acting);
}

/**
 * The datasets whose rows refer to another before it: a purge deletes the referring rows that
 * are due first, so the records they held go in the same run (a second run changes nothing).
 * Report and dry run see the same through `goingOf`.
 */
function referringFirst(prepared: Prepared[], acting: boolean): Prepared[] {
  const byName = new Map(prepared.map((p) => [p.info.name, p]));
  const out: Prepared[] = [];
  const state = new Map<Prepared, 'visiting' | 'done'>();
  const visit = (p: Prepared, path: string[]) => {
    if (state.get(p) === 'done') return;
    if (state.get(p) === 'visiting') {
      if (acting)
        throw new UserError(
          `tables ${[...path, p.info.name].join(' <- ')} refer to each other through foreign keys, so a purge cannot check references before it deletes; purge them in separate runs`,
        );
      return;
    }
    state.set(p, 'visiting');
    for (const r of p.info.referencedBy) {
      const c = byName.get(r.table);
      if (c && c !== p) visit(c, [...path, p.info.name]);
    }
    state.set(p, 'done');
    out.push(p);
  };
  for (const p of prepared) visit(p, []);
  return out;
}

/** The caps of a purge, checked on the plan before the first change. */
export function checkCaps(planned: readonly DatasetSummary[], maxDelete: number | undefined, maxDeletePercent: number | undefined): void {
  if (maxDelete !== undefined) {
    const total = planned.reduce((n, d) => n + d.delete, 0);
    if (total > maxDelete) {
      const per = planned
        .filter((d) => d.delete > 0)
        .map((d) => `${d.dataset}: ${d.delete}`)
        .join(', ');
      throw new CapError(`refused: ${total} records would be deleted (${per}), more than --max-delete ${maxDelete}; nothing was changed`);
    }
  }
  if (maxDeletePercent !== undefined) {
    const over = planned.filter((d) => d.delete * 100 > maxDeletePercent * d.scanned);
    if (over.length > 0) {
      const what = over.map((d) => `${d.dataset}: ${d.delete} of ${d.scanned} (${((d.delete * 100) / d.scanned).toFixed(1)}%)`).join(', ');
      throw new CapError(
        `refused: more than --max-delete-percent ${maxDeletePercent}% of a dataset would be deleted (${what}); nothing was changed`,
      );
    }
  }
}

function toAct(d: Decision, layout: readonly string[]): RowAct {
  if (d.action === 'keep') return 'keep';
  if (d.action === 'delete') return 'delete';
  return d.columns!.map((c) => layout.indexOf(c));
}

function recordLine(dataset: string, key: string, d: Decision, p: Prepared, row: Row): RecordLine {
  const due = p.decider.trace(row).due?.toISO() ?? undefined;
  const line: RecordLine = { dataset, key, action: d.action as 'delete' | 'redact', policy: d.rule!.policy, rule: d.rule!.id, due };
  if (d.action === 'redact') line.columns = d.columns;
  return line;
}

function planRecord(dataset: string, key: string, d: Decision, p: Prepared, row: Row): PlanRecord {
  const ref = row[p.layout.length] as number | bigint;
  return {
    dataset,
    match: matchOf(p, row),
    ref: typeof ref === 'bigint' ? ref.toString() : ref,
    key,
    action: d.action as 'delete' | 'redact',
    policy: d.rule!.policy,
    rule: d.rule!.id,
    ...(d.columns ? { columns: d.columns } : {}),
    values: valuesHash(row, p.layout.length),
  };
}

/** The plan's own instant; an --as-of given with a plan must be that instant. */
function planAsOf(plan: PlanHeader, asOf: string | undefined, policies: readonly Policy[]): DateTime {
  const planned = DateTime.fromISO(plan.asOf, { setZone: true });
  if (asOf !== undefined && resolveAsOf(asOf, planned, policies).toMillis() !== planned.toMillis()) {
    throw new UserError(`--as-of ${asOf} is not the plan's asOf (${plan.asOf}); a plan is applied at the instant it was made for`, 2);
  }
  return planned;
}

/**
 * Applies one dataset's part of a plan. Each row is looked up among the planned records by what
 * identifies it (its key, a stable row reference, or its content), wherever it is now. A row acts
 * only if the plan names it, it is unchanged and it is still decided the same way; everything
 * else is kept, and the planned records not acted on are counted by reason.
 */
function followPlan(file: string, dataset: string, p: Prepared, note: (d: Decision, row: Row) => Decision, tally: Tally) {
  const planned = new PlannedRecords(file, dataset);
  const skipped: Record<SkipReason, number> = { changed: 0, disappeared: 0, held: 0, 'no-longer-due': 0 };
  const keepAs = (d: Decision): RowAct => {
    tally.add(d.action === 'keep' ? d : KEPT);
    return 'keep';
  };
  const act = (row: Row): RowAct => {
    const values = valuesHash(row, p.layout.length);
    const plan = planned.take(matchOf(p, row), values);
    const d = p.decide(row);
    if (!plan) return keepAs(d);
    if (d.reason === 'held') {
      skipped.held++;
      return keepAs(d);
    }
    const same =
      d.action === plan.action &&
      d.rule?.id === plan.rule &&
      d.rule?.policy === plan.policy &&
      JSON.stringify(d.columns ?? null) === JSON.stringify(plan.columns ?? null);
    if (!same) {
      skipped['no-longer-due']++;
      return keepAs(d);
    }
    if (values !== plan.values) {
      skipped.changed++;
      return keepAs(d);
    }
    return toAct(note(d, row), p.layout);
  };
  return {
    act,
    finish() {
      skipped.disappeared = planned.unused();
      return skipped;
    },
    close: () => planned.close(),
  };
}

const KEPT: Decision = Object.freeze({ action: 'keep', reason: 'not-due' });
