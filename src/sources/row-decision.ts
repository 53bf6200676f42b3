import { decide, trace } from '../engine/decide.js';
import { type Change, type Decision, type Keeping, keptAsDoubt } from '../engine/decision.js';
import type { DatasetPlan } from '../engine/plan.js';
import { Tally } from '../engine/tally.js';
import { asText, valuesHash } from '../engine/value.js';
import type { Acted, Request, Row, Sink } from './source.js';

/**
 * The decision for one row of a row source (CSV, SQLite through its callback): the engine's, with
 * what the source knows of the row (other rows refer to it; it cannot be rewritten exactly) and,
 * when a saved plan is applied, only if the plan names the row unchanged and decided the same
 * way. Counts every row and sends the changes to the sink: the one path of report, dry run,
 * purge and plan apply.
 */
export class RowDecisions {
  readonly tally: Tally;
  private readonly acted: RowActed;

  constructor(
    private readonly plan: DatasetPlan,
    private readonly request: Request,
    private readonly sink: Sink,
    /** What finds the row again in a later run (see Acted.match). */
    match: (row: Row) => string,
    mayBeReferenced: boolean,
  ) {
    this.tally = new Tally(plan.dataset.name, plan.rules, { referenced: mayBeReferenced, planned: request.planned !== undefined });
    this.acted = new RowActed(plan, match);
  }

  /** Decides, counts and sends one row; returns what to do with it. */
  decide(row: Row): Decision {
    return this.accept(row, withFacts(decide(this.plan, row.values, { deletable: !row.referenced, next: this.request.next }), row));
  }

  /** A decision made by the source itself (in SQL): followed, counted and sent as the engine's are. */
  accept(row: Row, decision: Decision): Decision {
    let d = decision;
    if (this.request.planned) d = this.follow(d, row);
    this.tally.add(d);
    if (d.action !== 'keep') {
      this.acted.set(row, d);
      this.sink.act(this.acted);
    } else if (d.reason === 'invalid') {
      if (this.sink.doubt) this.sink.doubt(keyOf(this.plan, row), d.problem ?? '');
    } else if (d.reason !== 'held') this.kept(row);
    return d;
  }

  /** A row kept at asOf, neither held nor invalid (also one SQL counted): the forecast looks ahead at it. */
  kept(row: Row): void {
    this.request.forecast?.kept(row.values, !row.referenced, () => keyOf(this.plan, row));
  }

  /** A record the source counted itself (in SQL), sent to the sink as decide's are. */
  send(row: Row, d: Change): void {
    this.acted.set(row, d);
    this.sink.act(this.acted);
  }

  /** A saved plan: the row acts only if the plan names it, unchanged, decided the same way. */
  private follow(d: Decision, row: Row): Decision {
    const values = valuesHash(row.values, this.plan.decisionColumns);
    const p = this.request.planned?.take(this.acted.matchOf(row), values);
    if (!p) return d.action === 'keep' ? d : NOT_PLANNED;
    if (d.reason === 'held') {
      this.tally.skip('held');
      return d;
    }
    const same =
      d.action === p.action &&
      d.rule?.id === p.rule &&
      d.rule?.policy === p.policy &&
      JSON.stringify(d.action === 'redact' ? d.columns : null) === JSON.stringify(p.columns ?? null);
    if (!same) {
      this.tally.skip('no-longer-due');
      return d.action === 'keep' ? d : NOT_PLANNED;
    }
    if (values !== p.values) {
      this.tally.skip('changed');
      return NOT_PLANNED;
    }
    return d;
  }
}

/** A decision as the source can carry it out: a redaction of a row it cannot rewrite exactly is doubt. */
export function withFacts(d: Decision, row: Row): Decision {
  const why = d.action === 'redact' ? row.unwritable : undefined;
  return why ? keptAsDoubt(d, why) : d;
}

/** The key of a row as reports and receipts name it: the key column, else the row reference. */
function keyOf(plan: DatasetPlan, row: Row): string {
  return plan.keyIndex >= 0 ? asText(row.values[plan.keyIndex]) : String(row.ref);
}

/** The reference as plans write it: a rowid beyond 2^53 as its digits. */
const refOf = (row: Row) => (typeof row.ref === 'bigint' ? row.ref.toString() : row.ref);

/** The Acted of the row being decided: one object, its parts computed when asked. */
class RowActed implements Acted {
  readonly dataset: string;
  private row!: Row;
  decision!: Change;

  constructor(
    private readonly plan: DatasetPlan,
    readonly matchOf: (row: Row) => string,
  ) {
    this.dataset = plan.dataset.name;
  }

  set(row: Row, decision: Change): void {
    this.row = row;
    this.decision = decision;
  }

  get ref(): number | string {
    return refOf(this.row);
  }
  key(): string {
    return keyOf(this.plan, this.row);
  }
  match(): string {
    return this.matchOf(this.row);
  }
  valuesHash(): string {
    return valuesHash(this.row.values, this.plan.decisionColumns);
  }
  due(): string | undefined {
    return trace(this.plan, this.row.values, !this.row.referenced).due?.toISO() ?? undefined;
  }
}

const NOT_PLANNED: Keeping = Object.freeze({ action: 'keep', reason: 'not-due' });

/** Rows found again by their key where the dataset has one, else as the source says (`otherwise`). */
export function matchBy(plan: DatasetPlan, otherwise: (row: Row) => string): (row: Row) => string {
  const k = plan.keyIndex;
  return k >= 0 ? (row) => `key:${asText(row.values[k])}` : otherwise;
}
