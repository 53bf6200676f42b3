import { bigintAsText } from '../engine/value.js';
import type { Acted, Sink } from '../sources/source.js';
import type { Log } from '../util/log.js';
import type { Spool } from '../util/spool.js';
import type { AuditLog } from './audit-log.js';
import type { PlanRecord } from './plan-file.js';

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

/**
 * The records listing: a line per record deleted or redacted, with its due date. A batch rolled
 * back takes its lines with it: a batch done again lists its records once.
 */
export function recordsSink(spool: Spool): Sink {
  return {
    commit: () => spool.mark(),
    rollback: () => spool.rewind(),
    act(a) {
      const d = a.decision;
      const line: RecordLine = { dataset: a.dataset, key: a.key(), action: d.action, policy: d.rule.policy, rule: d.rule.id, due: a.due() };
      if (d.action === 'redact') line.columns = d.columns;
      spool.push(JSON.stringify(line));
    },
  };
}

/** A saved plan's records: how to find each again, what to do, and a hash of what the decision read. */
export function planSink(spool: Spool): Sink {
  return {
    commit: () => spool.mark(),
    rollback: () => spool.rewind(),
    act(a) {
      const d = a.decision;
      const rec: PlanRecord = {
        dataset: a.dataset,
        match: a.match(),
        ref: a.ref,
        key: a.key(),
        action: d.action,
        policy: d.rule.policy,
        rule: d.rule.id,
        ...(d.action === 'redact' ? { columns: d.columns } : {}),
        values: a.valuesHash(),
      };
      spool.push(JSON.stringify(rec, bigintAsText));
    },
  };
}

/**
 * The receipts: each rule acting on a record gets its key (a redaction acts for every rule whose
 * columns it empties, as its count has it); they are written when the batch commits.
 */
export function auditSink(audit: AuditLog, asOf: string, clock: () => Date): Sink {
  return {
    act(a) {
      const key = a.key();
      const d = a.decision;
      for (const r of d.action === 'redact' ? d.rules : [d.rule]) audit.add(r.policy, a.dataset, r.id, d.action, key);
    },
    commit: () => audit.commit(asOf, clock()),
    rollback: () => audit.discard(),
  };
}

/** The first few records kept because a value could not be read, logged; the rest counted. */
export function doubtLog(log: Log, dataset: string, samples: number): Sink {
  let shown = 0;
  return {
    act() {},
    doubt(key, problem) {
      if (shown++ < samples) log.warn({ dataset, key, problem }, 'record kept: a value could not be read');
    },
  };
}

/** Lock times of a purge's batches: each logged at debug level, their spread for the dataset's summary line. */
export function batchLog(
  log: Log,
  dataset: string,
): Sink & { spread(): { batches: number; lockMs: { p50: number; p99: number; max: number } } | undefined } {
  // One number per batch of 50,000 rows: a few thousand for the largest tables.
  const times: number[] = [];
  return {
    act() {},
    commit(batch) {
      if (!batch) return;
      times.push(batch.ms);
      log.debug({ dataset, batch: times.length, lockMs: Math.round(batch.ms) }, 'batch committed');
    },
    spread() {
      if (times.length === 0) return undefined;
      const sorted = [...times].sort((x, y) => x - y);
      const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
      return { batches: sorted.length, lockMs: { p50: at(0.5), p99: at(0.99), max: at(1) } };
    },
  };
}

/** One sink that passes everything to each of them. */
export function allOf(sinks: readonly Sink[]): Sink {
  return {
    act(a: Acted) {
      for (const s of sinks) s.act(a);
    },
    doubt(key, problem) {
      for (const s of sinks) s.doubt?.(key, problem);
    },
    commit(batch) {
      for (const s of sinks) s.commit?.(batch);
    },
    rollback() {
      for (const s of sinks) s.rollback?.();
    },
  };
}
