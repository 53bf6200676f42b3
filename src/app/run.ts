import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { DateTime } from 'luxon';
import { NextDue } from '../engine/next-due.js';
import type { DatasetPlan } from '../engine/plan.js';
import type { DatasetSummary } from '../engine/tally.js';
import { CapError, type Committed, InterruptedError, PartialChangeError, UserError } from '../errors.js';
import type { Policy } from '../policy/model.js';
import type { Request, Sink, Source, SourceIdentity } from '../sources/source.js';
import type { Log } from '../util/log.js';
import { Spool } from '../util/spool.js';
import { loadAuditKey } from './audit-key.js';
import { AuditLog, type Outcome, type RunRecord } from './audit-log.js';
import { type Caps, capped, capRefusal } from './caps.js';
import { allOf, auditSink, batchLog, doubtLog, planSink, recordsSink } from './consumers.js';
import { addForecast, type Forecasts, forecasts, type LookAhead } from './forecast.js';
import { PLAN_FORMAT, PlanMismatchError, writePlan } from './plan-file.js';
import { PlannedRecords } from './plan-match.js';
import { compilePlans, type Inputs, setUp } from './setup.js';

export interface RunOptions extends Caps, Omit<Inputs, 'writing'> {
  readonly mode: 'report' | 'dry-run' | 'purge';
  /** Collect every record acted on (delete, redact), with its due date. */
  readonly records: boolean;
  readonly auditLog?: string;
  /** With auditLog: the key file of the keyed hashes (created when missing). */
  readonly auditKey?: string;
  /** Purge: rebuild the source's files after the changes (SQLite VACUUM), so no copy of a deleted value stays in free space. */
  /** After the purge: rebuild what holds copies of deleted values (SQLite VACUUM; PostgreSQL VACUUM, or with 'full' VACUUM FULL). */
  readonly vacuum?: boolean | 'full';
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
  readonly log: Log;
  /** The clock for receipt times (the CLI's); the decisions use only asOf. */
  readonly clock: () => Date;
  /** The tool's version, for run lines. */
  readonly toolVersion?: string;
  /** Aborted (its reason a signal name): stop after the batch in progress. */
  readonly signal?: AbortSignal;
  /** Reports: what becomes due ahead of asOf. */
  readonly lookAhead?: LookAhead;
}

export interface RunResult {
  readonly asOf: DateTime;
  readonly mode: RunOptions['mode'];
  /** The source read or acted on. */
  readonly source: SourceIdentity;
  readonly datasets: DatasetSummary[];
  /** JSON lines, one per record with action delete or redact (when asked for). */
  readonly records?: Spool;
  /** The policies the run decided by (name, title, file, content hash, rules): what an HTML report shows. */
  readonly policies: readonly Policy[];
  /** report --due-within --records: JSON lines of the records that become due within the window. */
  readonly upcoming?: Spool;
  /** Dry run: why the real run would be refused by a cap (it exits 3, changing nothing). */
  readonly refused?: string;
  /** Purge: why bytes of what the datasets deleted or redacted may still be readable in the source's files. */
  readonly residue?: { readonly datasets: readonly string[]; readonly message: string };
}

/** The run line, filled in as the run learns its policies, asOf and source. */
type RunLine = { -readonly [K in keyof RunRecord]: RunRecord[K] };

/** Records kept as doubt that are logged one by one; the rest are counted. */
const INVALID_SAMPLES = 10;

/**
 * report, purge --dry-run and purge: one plan per dataset, decided on one path; only purge
 * writes. The audit log comes first, so that a purge that has one leaves a run line however it
 * ends.
 */
export async function run(o: RunOptions): Promise<RunResult> {
  const audit = o.mode === 'purge' && o.auditLog ? openAuditLog(o) : undefined;
  const line: RunLine = {
    run: randomUUID(),
    tool: `retention ${o.toolVersion ?? ''}`.trim(),
    policies: [],
    ...(o.plan ? { plan: resolve(o.plan) } : {}),
  };
  const committed = { deleted: 0, redacted: 0 };
  try {
    const result = await runWith(o, audit, line, committed);
    audit?.runEnded(line, o.clock(), 'done', committed);
    return result;
  } catch (e) {
    if (audit) {
      if (e instanceof PartialChangeError || e instanceof InterruptedError) add(committed, e.committed);
      try {
        audit.runEnded(line, o.clock(), outcomeOf(e), committed, (e as Error).message);
      } catch {
        /* the first error is the one to report */
      }
    }
    throw e;
  } finally {
    audit?.close();
  }
}

async function runWith(
  o: RunOptions,
  audit: AuditLog | undefined,
  line: RunLine,
  committed: { deleted: number; redacted: number },
): Promise<RunResult> {
  const setup = await setUp({ ...o, writing: o.mode === 'purge' });
  const { source, asOf } = setup;
  line.policies = setup.policies.map((p) => ({ name: p.name, sha256: p.sha256 }));
  line.asOf = asOf.toISO() ?? undefined;
  line.source = source.identity;
  // A CSV source's identity names each file's delimiter (auto finds it) and the encoding.
  o.log.debug({ source: source.identity }, 'source opened');
  try {
    // A purge acts on the present: records due only at a later instant must not go now.
    if (o.mode === 'purge' && asOf.toMillis() > o.now.toMillis() && !o.allowFutureAsOf) {
      throw new UserError(
        `asOf ${asOf.toISO()} is later than now (${o.now.setZone(asOf.zone).toISO()}): a purge would delete records that are not due yet; use report or --dry-run to look ahead, or give --allow-future-as-of if this is really meant`,
        2,
      );
    }
    const plans = checkedPlans(o, setup.source, compilePlans(setup));
    const others = new Map(plans.map((p) => [p.dataset.name, p]));
    // Next due dates are for reports; purge and its dry run skip them and print the same.
    const nextDue = new Map(o.mode === 'report' ? plans.map((p) => [p, new NextDue()]) : []);
    const ahead: Forecasts = o.mode === 'report' ? forecasts(plans, asOf, o.lookAhead ?? {}) : { byPlan: new Map() };
    const request = (p: DatasetPlan, mode: Request['mode']): Request => ({
      mode,
      others,
      signal: o.signal,
      next: nextDue.get(p),
      log: o.log,
      forecast: ahead.byPlan.get(p),
    });
    if (o.mode === 'purge') for (const note of await source.lock()) o.log.warn({ source: source.identity.path }, note);
    progressAs(o, source, 'checking');
    if (o.mode === 'purge') {
      // A cap needs the counts, and a dataset can turn out unreadable halfway: read every dataset
      // once before the first change (one alone is read as it changes, which lands at once). A
      // saved plan brings its own counts.
      if ((source.readsBeforeChanging && plans.length > 1) || (capped(o) && !setup.header)) {
        const counts: DatasetSummary[] = [];
        try {
          for (const p of plans) counts.push(await source.evaluate(p, request(p, 'read'), NOTHING));
        } catch (e) {
          if (e instanceof InterruptedError) throw interrupted(e.signal, [], plans);
          throw e;
        }
        const refusal = capped(o) ? capRefusal(setup.header ? setup.header.datasets : counts, o) : undefined;
        if (refusal) throw new CapError(refusal);
      } else if (setup.header && capped(o)) {
        const refusal = capRefusal(setup.header.datasets, o);
        if (refusal) throw new CapError(refusal);
      }
      audit?.runStarted(line, o.clock());
    }
    const records = o.records ? new Spool('records') : undefined;
    const planned = o.planOut ? new Spool('plan') : undefined;
    const summaries: DatasetSummary[] = [];
    progressAs(o, source, o.mode === 'purge' ? 'purging' : 'scanning');
    for (const p of plans) {
      const name = p.dataset.name;
      if (o.signal?.aborted) throw interrupted(o.signal, summaries, plans);
      const batches = batchLog(o.log, name);
      const sink = allOf([
        batches,
        ...(records ? [recordsSink(records)] : []),
        ...(planned ? [planSink(planned)] : []),
        ...(audit ? [auditSink(audit, asOf.toISO() ?? '', o.clock)] : []),
        doubtLog(o.log, name, INVALID_SAMPLES),
      ]);
      if (o.log.isLevelEnabled('debug')) o.log.debug({ dataset: name, source: source.identity.kind, terms: describeTerms(p) }, 'plan');
      const started = performance.now();
      const follow = setup.header && o.plan ? new PlannedRecords(o.plan, name) : undefined;
      let summary: DatasetSummary;
      try {
        const wants = Boolean(records || planned || audit);
        const keysOnly = wants && !records && !planned;
        summary = await source.evaluate(
          p,
          { ...request(p, o.mode === 'purge' ? 'write' : 'read'), planned: follow, wants, keysOnly },
          sink,
        );
        if (follow) summary.skipped = { ...(summary.skipped ?? { changed: 0, held: 0, 'no-longer-due': 0 }), disappeared: follow.unused() };
      } catch (e) {
        if (e instanceof InterruptedError) throw interrupted(e.signal, summaries, plans, e.committed);
        throw e;
      } finally {
        follow?.close();
      }
      if (o.mode === 'purge') add(committed, { deleted: summary.delete, redacted: summary.redact });
      o.log.info(
        {
          dataset: name,
          scanned: summary.scanned,
          delete: summary.delete,
          redact: summary.redact,
          ms: Math.round(performance.now() - started),
          ...batches.spread(),
        },
        o.mode === 'purge' ? 'purged' : 'scanned',
      );
      if (summary.referenced)
        o.log.warn({ dataset: name, referenced: summary.referenced }, 'records due for deletion kept: other rows still refer to them');
      if (summary.invalid > INVALID_SAMPLES) {
        o.log.warn(
          { dataset: name, invalid: summary.invalid },
          `${summary.invalid} records kept because a value could not be read (first ${INVALID_SAMPLES} logged)`,
        );
      }
      const next = nextDue.get(p);
      if (next) setNextDue(summary, next);
      addForecast(summary, ahead.byPlan.get(p), o.lookAhead ?? {}, asOf);
      summaries.push(summary);
    }
    const residue = o.mode === 'purge' ? await finish(o, source, summaries) : undefined;
    if (planned && o.planOut) {
      await writePlan(
        o.planOut,
        {
          format: PLAN_FORMAT,
          createdAt: new Date(o.now.toMillis()).toISOString(),
          asOf: asOf.toISO() ?? '',
          source: { ...source.identity, fingerprint: source.fingerprint() },
          policies: setup.policies.map((p) => ({ name: p.name, file: resolve(p.file), sha256: p.sha256 })),
          datasets: summaries,
        },
        planned,
      );
      o.log.debug({ plan: o.planOut, records: planned.count }, 'plan written');
    }
    // The dry run shows what the real run does, and with these caps that is a refusal.
    const refused = o.mode === 'dry-run' ? capRefusal(summaries, o) : undefined;
    return {
      asOf,
      mode: o.mode,
      source: source.identity,
      policies: setup.policies,
      datasets: summaries,
      records,
      upcoming: ahead.upcoming,
      refused,
      residue,
    };
  } finally {
    await source.close();
  }
}

/** Nothing to hear: a read that only counts. */
const NOTHING: Sink = { act() {} };

function openAuditLog(o: RunOptions): AuditLog {
  if (!o.auditLog || !o.auditKey) throw new Error('internal: an audit log needs its key file');
  const key = loadAuditKey(o.auditKey, true);
  if (key.created) {
    o.log.warn(
      { key: key.file },
      `created the audit key ${key.file}: receipts hash keys with it, and audit find needs it; back it up and keep it apart from the audit log`,
    );
  }
  return new AuditLog(o.auditLog, key);
}

/**
 * The plans in the order a purge takes them (datasets whose rows refer to another's before it),
 * after the checks that refuse a run before anything is read: columns the policies name and the
 * source lacks, what the source cannot do for a purge, datasets it lacks.
 */
function checkedPlans(o: RunOptions, source: Source, compiled: ReturnType<typeof compilePlans>): DatasetPlan[] {
  const { plans, infos, missing } = compiled;
  const acting = o.mode !== 'report';
  const problems = [...compiled.problems, ...(acting ? plans.flatMap((p) => source.refusals(p)) : [])];
  // A renamed table would silently stop being purged: a purge names what it cannot find.
  if (acting && !o.allowMissingDatasets && missing.length > 0 && plans.length > 0) {
    problems.push(
      `${source.identity.path} has no ${missing.length === 1 ? 'dataset' : 'datasets'} ${missing.join(', ')}, which the policies declare; purge the source that holds them, or give --allow-missing-datasets to purge the others`,
    );
  }
  if (problems.length > 0)
    throw new UserError(`the source does not match the policies; nothing was read or changed:\n${problems.join('\n')}`);
  if (plans.length === 0) {
    const present = [...source.datasets().keys()].join(', ') || 'nothing';
    throw new UserError(
      `${source.identity.path} holds none of the datasets the policies declare (${missing.join(', ')}); found: ${present}`,
    );
  }
  if (missing.length > 0)
    o.log.warn({ datasets: missing, source: source.identity.path }, 'datasets declared by the policies are not in the source; skipped');
  return inOrder(plans, (p) => infos.get(p.dataset.name)?.after ?? [], acting);
}

/**
 * Each plan after those it must follow: a purge deletes the due rows that refer to a record
 * first, so the records they held go in the same run (a second run changes nothing). Datasets
 * that must each follow the other cannot be purged in one run.
 */
function inOrder(plans: readonly DatasetPlan[], after: (p: DatasetPlan) => readonly string[], acting: boolean): DatasetPlan[] {
  const byName = new Map(plans.map((p) => [p.dataset.name, p]));
  const out: DatasetPlan[] = [];
  const state = new Map<DatasetPlan, 'visiting' | 'done'>();
  const visit = (p: DatasetPlan, path: string[]) => {
    if (state.get(p) === 'done') return;
    if (state.get(p) === 'visiting') {
      if (acting) {
        throw new UserError(
          `tables ${[...path, p.dataset.name].join(' <- ')} refer to each other through foreign keys, so a purge cannot check references before it deletes; purge them in separate runs`,
        );
      }
      return;
    }
    state.set(p, 'visiting');
    for (const name of after(p)) {
      const c = byName.get(name);
      if (c && c !== p) visit(c, [...path, p.dataset.name]);
    }
    state.set(p, 'done');
    out.push(p);
  };
  for (const p of plans) visit(p, []);
  return out;
}

/** Deleted means gone: what the changes alone leave readable is dealt with, or said. */
async function finish(o: RunOptions, source: Source, summaries: readonly DatasetSummary[]): Promise<RunResult['residue']> {
  const changed = summaries.filter((d) => d.delete + d.redact > 0).map((d) => d.dataset);
  if (changed.length === 0 || !source.finish) return undefined;
  const message = await source.finish({ vacuum: o.vacuum === 'full' ? 'full' : Boolean(o.vacuum) });
  if (!message) return undefined;
  o.log.warn({ datasets: changed }, message);
  return { datasets: changed, message };
}

/** Each rule's term and the instant a start must be before to be due (or "per record"), for debug lines. */
function describeTerms(p: DatasetPlan) {
  return p.groups.flatMap((g) =>
    g.terms.map((t) => ({
      rule: `${t.rule.policy}/${t.rule.id}`,
      kind: t.kind,
      ...(g.where.length ? { where: g.where.map((w) => `${w.column} in [${[...w.values].join(', ')}]`) } : {}),
      // An exact threshold is due iff start < cut, the others iff start <= cut (outside their margin).
      dueIfStartBefore: t.fixed ? new Date(t.fixed.cut + (t.fixed.exact ? 0 : 1)).toISOString() : 'per record',
      ...(t.fixed && !t.fixed.exact ? { checkedExactlyWithin: `${Math.round(t.fixed.margin / 60_000)} min` } : {}),
    })),
  );
}

function setNextDue(summary: DatasetSummary, next: NextDue): void {
  const byRule = next.byRule();
  for (const r of summary.rules) {
    const due = [...byRule].find(([rule]) => rule.policy === r.policy && rule.id === r.rule)?.[1];
    if (due) r.nextDue = due.toISO() ?? undefined;
  }
}

function progressAs(o: RunOptions, source: Source, phase: 'checking' | 'scanning' | 'purging'): void {
  const progress = o.progress;
  if (progress) source.onProgress = (d, done, total, unit) => progress(phase, d, done, total, unit);
}

function add(total: { deleted: number; redacted: number }, more: Committed): void {
  total.deleted += more.deleted;
  total.redacted += more.redacted;
}

function outcomeOf(e: unknown): Outcome {
  if (e instanceof InterruptedError) return 'interrupted';
  return e instanceof CapError || e instanceof PlanMismatchError ? 'refused' : 'failed';
}

/**
 * What a run stopped by a signal did: the datasets done, the one under way, the ones not started.
 * The error's `committed` is the part of the dataset under way (the run counted the others).
 */
function interrupted(
  signal: AbortSignal | string,
  done: readonly DatasetSummary[],
  plans: readonly DatasetPlan[],
  committed: Committed = { deleted: 0, redacted: 0 },
): InterruptedError {
  const reason = String(typeof signal === 'string' ? signal : signal.reason);
  const parts = done.map((d) => `${d.dataset}: ${d.delete} deleted, ${d.redact} redacted`);
  const under = plans[done.length]?.dataset.name;
  const partial = committed.deleted + committed.redacted > 0;
  if (partial) parts.push(`${under}: ${committed.deleted} deleted, ${committed.redacted} redacted before it stopped`);
  const rest = plans.map((p) => p.dataset.name).slice(done.length + (partial ? 1 : 0));
  const what = parts.length ? `committed: ${parts.join('; ')}` : 'nothing was changed';
  return new InterruptedError(
    `interrupted by ${reason}, after the batch in progress; ${what}${rest.length ? `; not done: ${rest.join(', ')}` : ''}. Run it again to finish`,
    reason,
    committed,
  );
}
