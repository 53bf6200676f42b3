import { type Decision, KEPT } from '../../engine/decision.js';
import { type ExactCut, exactCut } from '../../engine/exact-cut.js';
import type { DatasetPlan, PlanTerm } from '../../engine/plan.js';
import { daysFromCivil } from '../../engine/timestamp.js';
import type { Request } from '../source.js';
import type { RawRecord } from './splitter.js';

/**
 * Decides a CSV record from its bytes, before any field is decoded: what `decide` would say of
 * it, or undefined when that takes more (then the record is decoded and decided as usual). Most
 * records of a file hold a timestamp in one common shape (ISO 8601 with `Z` or an offset, local
 * ISO, a unix number) and are far from the cut; for those, reading the digits from the buffer
 * gives the same epoch as the engine's fast reader (fastEpochOf), and the plan's thresholds
 * give the same status; a start near a cut, where decide asks Luxon, is told by the exact cut
 * SQL sources use (exact-cut.ts, Luxon's answer) when the value names its instant in a shape
 * Luxon reads as fastIso does (`T`, and `Z` or an offset; unix numbers). A `where` compares the
 * field's bytes with each value's UTF-8 bytes, in a UTF-8 file. The rule is the engine's: vouch or
 * fall back. Anything else (a quoted value, spaces, another shape, an invalid date, a hold value
 * other than 0/1/empty, a `where` value with a quote, a `where` in a file of another encoding, a
 * per-record period, a start within an exact cut's unsure window, a redaction, a record that could
 * set a rule's next due) goes to `decide`, so every decision and count is the engine's.
 *
 * The bytes are read as ASCII: right for UTF-8 and for any encoding that keeps ASCII as it is.
 */
export type RawCut = (rec: RawRecord) => Decision | undefined;

/** Off: every record is decoded and decided by the engine (differential tests compare both). */
export const rawCutSwitch = { enabled: process.env.RETENTION_RAW_CUT !== 'off' };

/** The raw decider for a plan over a file with these header columns, or undefined where none applies. */
export function rawCut(plan: DatasetPlan, header: readonly string[], request: Request, utf8: boolean): RawCut | undefined {
  if (!rawCutSwitch.enabled || request.planned) return undefined; // a saved plan hashes every record's values
  const kind = plan.dataset.timestamps.kind;
  if (kind !== 'iso' && kind !== 'unix' && kind !== 'unix_ms') return undefined;
  const terms: PlanTerm[] = [];
  /** By term, its rule's group: the terms of a group whose `where` fails are skipped, as decide skips them. */
  const groupOf: number[] = [];
  const wheres: { col: number; values: Buffer[] }[][] = [];
  for (const [gi, g] of plan.groups.entries()) {
    const conditions = g.where.map((w) => ({ col: header.indexOf(w.column), values: [...w.values].map((v) => Buffer.from(v, 'utf8')) }));
    if (g.where.length > 0 && !(utf8 && g.where.every((w) => [...w.values].every(rawText)))) return undefined;
    if (conditions.some((c) => c.col < 0)) return undefined;
    wheres.push(conditions);
    for (const t of g.terms) {
      if (!t.fixed) return undefined;
      terms.push(t);
      groupOf.push(gi);
    }
  }
  if (terms.length === 0) return undefined;
  const matched = new Uint8Array(wheres.length);
  // Each from column is read once per record: slot k of `starts` is column `fromCols[k]`.
  const fromCols: number[] = [];
  for (const t of terms) for (const i of t.from) if (!fromCols.includes(i)) fromCols.push(i);
  const fileIndex = (i: number) => header.indexOf(plan.columns[i]);
  const fileFrom = fromCols.map(fileIndex);
  const slotsOf = terms.map((t) => t.from.map((i) => fromCols.indexOf(i)));
  const hold = plan.holdIndex >= 0 ? fileIndex(plan.holdIndex) : -1;
  if (fileFrom.includes(-1) || (plan.holdIndex >= 0 && hold < 0)) return undefined;
  const ms = kind === 'iso' ? 0 : kind === 'unix' ? 1000 : 1;
  const next = request.next;
  const epochs = new Float64Array(fromCols.length);
  const slacks = new Float64Array(fromCols.length);
  const instants = new Uint8Array(fromCols.length);
  // For starts within a threshold's margin (aligned thresholds are exact already).
  const exacts: (ExactCut | undefined)[] = terms.map((t) =>
    t.rule.align || t.period.kind !== 'fixed' ? undefined : exactCut(t.period.duration, undefined, plan.asOf.setZone(t.rule.timezone)),
  );

  return (rec) => {
    const buf = rec.buf;
    const starts = rec.starts;
    const ends = rec.ends;
    if (hold >= 0) {
      const a = starts[hold] as number;
      const n = (ends[hold] as number) - a;
      if (n === 1 && buf[a] === 0x31) return HELD; // "1"
      if (n > 1 || (n === 1 && buf[a] !== 0x30)) return undefined; // not "", "0" or "1": the engine reads it
    }
    for (let k = 0; k < fileFrom.length; k++) {
      const c = fileFrom[k] as number;
      const a = starts[c] as number;
      const b = ends[c] as number;
      if (a === b) {
        epochs[k] = EMPTY;
        continue;
      }
      let e: number;
      if (ms === 0) {
        e = isoEpoch(buf, a, b);
        slacks[k] = lastSlack;
        instants[k] = lastInstant ? 1 : 0;
      } else {
        e = unixEpoch(buf, a, b, ms);
        slacks[k] = 0;
        instants[k] = 1;
      }
      if (Number.isNaN(e)) return undefined;
      epochs[k] = e;
    }
    // A group's `where`, condition by condition: the field's bytes against each value's.
    for (let g = 0; g < wheres.length; g++) {
      let m = 1;
      for (const c of wheres[g] as { col: number; values: Buffer[] }[]) {
        const a = starts[c.col];
        const b = ends[c.col];
        if (a === undefined || b === undefined) return undefined;
        let found = false;
        for (const v of c.values) if (v.length === b - a && buf.compare(v, 0, v.length, a, b) === 0) found = true;
        if (!found) {
          m = 0;
          break;
        }
      }
      matched[g] = m;
    }
    // As decide does, term by term, with nothing left to Luxon.
    let deletes = 0;
    let keepBlocked = false;
    let anyDue = false;
    let best: PlanTerm | undefined;
    let bestDue = 0;
    let bestErr = 0;
    let othersLow = Number.POSITIVE_INFINITY;
    for (let j = 0; j < terms.length; j++) {
      if (matched[groupOf[j] as number] === 0) continue;
      const t = terms[j] as PlanTerm;
      const slots = slotsOf[j] as number[];
      let start = Number.NEGATIVE_INFINITY;
      let slack = 0;
      let empty = false;
      let instant = true;
      for (const k of slots) {
        const e = epochs[k] as number;
        if (e === EMPTY) {
          empty = true;
          continue;
        }
        if (e > start) start = e;
        const sl = slacks[k] as number;
        if (sl > slack) slack = sl;
        if (instants[k] === 0) instant = false;
      }
      const th = t.fixed as NonNullable<PlanTerm['fixed']>;
      let s: number;
      if (empty) s = NOT_STARTED;
      else if (th.exact) s = Math.abs(start - th.cut) <= slack ? UNSURE : start < th.cut ? DUE : NOT_DUE;
      else {
        const m = th.margin + slack;
        s = start < th.cut - m ? DUE : start > th.cut + m ? NOT_DUE : UNSURE;
      }
      if (s === UNSURE) {
        // Where decide would ask Luxon of this start: the exact cut answers as Luxon does.
        const x = exacts[j];
        if (!x || !instant || (x.unsure && start > x.unsure.lo && start <= x.unsure.hi)) return undefined;
        s = (x.before ? start < x.cut : start <= x.cut) ? DUE : NOT_DUE;
      }
      if (t.kind === 'keep') {
        if (s !== DUE) keepBlocked = true;
        continue;
      }
      const due = start + th.shift;
      const spread = th.spread + slack;
      // The engine would look closer at a record whose due could be the rule's next due.
      if (s === NOT_DUE && next && !next.surelyLater(t, start, slack, th)) return undefined;
      if (t.kind === 'delete') {
        deletes++;
        if (s !== DUE) continue;
        anyDue = true;
        if (!best || due < bestDue) {
          if (best) othersLow = Math.min(othersLow, bestDue - bestErr);
          best = t;
          bestDue = due;
          bestErr = spread;
        } else othersLow = Math.min(othersLow, due - spread);
      } else if (s === DUE) return undefined; // a redaction: which columns are not empty yet is the engine's
    }
    if (best && !keepBlocked) {
      if (othersLow <= bestDue + bestErr) return undefined; // two delete rules too close to tell apart here
      return plan.deletions.get(best.rule) as Decision;
    }
    return deletes === 0 ? UNMANAGED : keepBlocked && anyDue ? LEGAL_MINIMUM : NOT_DUE_YET;
  };
}

/**
 * Whether a `where` value's UTF-8 bytes match a field's exactly where the decoded field equals it:
 * no quote (a quoted field's bytes keep its doubled quotes), no U+FFFD (what invalid bytes decode
 * to) and no lone surrogate (which has no UTF-8).
 */
const rawText = (v: string) => !v.includes('"') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/.test(v);

const DUE = 0;
const NOT_DUE = 1;
const NOT_STARTED = 2;
const UNSURE = 3;
/** An empty from column in `epochs` (no epoch is this low). */
const EMPTY = Number.NEGATIVE_INFINITY;

// The same decisions as decide's.
const HELD = KEPT.held;
const UNMANAGED = KEPT.unmanaged;
const LEGAL_MINIMUM = KEPT['legal-minimum'];
const NOT_DUE_YET = KEPT['not-due'];

// The bounds of timestamp.ts: Luxon's range a day clear, and nothing after the year 9999.
const MIN_MS = -8.64e15 + 86_400_000;
const MAX_MS = Date.UTC(10000, 0, 1) - 1;
const LOCAL_SLACK = 15 * 3600_000;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The slack of the last isoEpoch reading (fastSlackOf's): 0 with an offset, LOCAL_SLACK without. */
let lastSlack = 0;
/** The last isoEpoch reading named an instant in a shape Luxon's fromISO reads the same: `T`, and `Z` or an offset. */
let lastInstant = false;

/** The slack of the last isoEpoch reading that gave an epoch. */
export function isoSlack(): number {
  return lastSlack;
}

/** Two ASCII digits at b[i], b[i+1] as a number, or -1. */
function d2(b: Buffer, i: number): number {
  const x = (b[i] as number) - 48;
  const y = (b[i + 1] as number) - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * timestamp.ts's fastIso over the bytes b[a, e): the same shapes, the same epoch, NaN where it
 * gives NaN. Every byte it accepts is ASCII, so the bytes are the text the engine would read.
 */
export function isoEpoch(b: Buffer, a: number, e: number): number {
  const n = e - a;
  if (n < 10 || b[a + 4] !== 45 || b[a + 7] !== 45) return Number.NaN;
  const yh = d2(b, a);
  const yl = d2(b, a + 2);
  const mo = d2(b, a + 5);
  const d = d2(b, a + 8);
  const y = yh * 100 + yl;
  if (yh < 10 || yl < 0 || mo < 1 || mo > 12 || d < 1) return Number.NaN;
  if (d > 28 && d > (mo === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : (DAYS[mo - 1] as number))) return Number.NaN;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let ms = 0;
  let i = 10;
  if (n > 10) {
    const sep = b[a + 10];
    if ((sep !== 84 && sep !== 32) || n < 16 || b[a + 13] !== 58) return Number.NaN;
    h = d2(b, a + 11);
    mi = d2(b, a + 14);
    if (h < 0 || h > 23 || mi < 0 || mi > 59) return Number.NaN;
    i = 16;
    if (i < n && b[a + i] === 58) {
      if (n < 19) return Number.NaN;
      sec = d2(b, a + 17);
      if (sec < 0 || sec > 59) return Number.NaN;
      i = 19;
      if (i < n && b[a + i] === 46) {
        let k = i + 1;
        while (k < n && k < i + 4 && (b[a + k] as number) >= 48 && (b[a + k] as number) <= 57) k++;
        if (k === i + 1) return Number.NaN;
        for (let j = i + 1; j < i + 4; j++) ms = ms * 10 + (j < k ? (b[a + j] as number) - 48 : 0);
        i = k;
      }
    }
  }
  const wall = daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
  lastSlack = LOCAL_SLACK;
  lastInstant = false;
  if (i === n) return wall;
  if (i === 10) return Number.NaN;
  const z = b[a + i];
  lastSlack = 0;
  lastInstant = b[a + 10] === 84;
  if (z === 90 && i + 1 === n) return wall;
  if ((z !== 43 && z !== 45) || n !== i + 6 || b[a + i + 3] !== 58) return Number.NaN;
  const oh = d2(b, a + i + 1);
  const om = d2(b, a + i + 4);
  if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
  return wall - (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
}

/**
 * A unix time of 1 to 15 digits (no sign, no fraction: the engine reads those) in b[a, e), times
 * `unit` ms, within the engine's range; NaN otherwise.
 */
export function unixEpoch(b: Buffer, a: number, e: number, unit: number): number {
  const n = e - a;
  if (n === 0 || n > 15) return Number.NaN;
  let v = 0;
  for (let i = a; i < e; i++) {
    const c = (b[i] as number) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  const ms = v * unit;
  return ms >= MIN_MS && ms <= MAX_MS ? ms : Number.NaN;
}
