import { exactCut } from '../../engine/exact-cut.js';
import type { PlanTerm } from '../../engine/plan.js';
import type { FixedPeriod } from '../../policy/period.js';
import { ident } from './columns.js';
import { ASCII, beats, type CompileInput, disjoint, nativeEdges, pgInstant, startBounds, YEAR_1, zonedStart } from './compile.js';

/**
 * The common plan (fixed delete periods counted from one native timestamp column, a boolean or
 * integer hold, where lists) as plain comparisons a sequential scan evaluates as fast as a
 * hand-written predicate, each a FILTER of one aggregate: no class computed per row and no
 * grouping. These SQL vouches for only where every value is plain (an empty start is: it has not
 * started): a `rest` of rows (an out-of-range start, a start within a cut's unsure window, two
 * delete rules whose order depends on the record, an unclear hold) is left to the general
 * compilation, which decides them as it decides every row. Held, rest, unmanaged and each rule's deletions are disjoint; what is left of
 * the rows is not yet due.
 */
export interface FastPlan {
  /** SPEC step 1: the row is held. */
  readonly held: string;
  /** Not held, and not a row these predicates vouch for. */
  readonly rest: string;
  /** Per delete rule index: not held, not rest, and deleted under that rule. */
  readonly deletes: ReadonlyMap<number, string>;
  /** Not held, not rest, and no rule applies. */
  readonly unmanaged: string;
  /**
   * Per term, an aggregate: the least start (a timestamptz) of the rows not held, not rest, that
   * the term applies to and is not due for, where it is before `before` (ms); at or after it,
   * there is none.
   */
  readonly pending: readonly { readonly term: PlanTerm; readonly least: string; readonly before: number }[];
}

const NATIVE = new Set(['timestamptz', 'timestamp', 'date']);
const YEAR_10000 = Date.parse('+010000-01-01T00:00:00Z');
const WHERE_KINDS = new Set(['text', 'int', 'numeric', 'bool']);

/** The fast predicates of the plan, or undefined where the plan is not of that shape. */
export function compileFast(input: CompileInput, ref: string): FastPlan | undefined {
  const { plan, columns } = input;
  if (input.referenced !== undefined || plan.dataset.timestamps.kind !== 'iso') return undefined;
  const terms = plan.groups.flatMap((g, gi) => g.terms.map((t) => ({ t, gi })));
  if (terms.length === 0) return undefined;
  for (const { t } of terms) {
    if (t.kind !== 'delete' || !t.fixed || t.rule.from.length !== 1) return undefined;
    if (!NATIVE.has(columns.get(t.rule.from[0])?.kind ?? '')) return undefined;
  }
  const hold = plan.dataset.hold === undefined ? undefined : columns.get(plan.dataset.hold);
  if (hold && hold.kind !== 'bool' && hold.kind !== 'int') return undefined;
  if (plan.groups.some((g) => g.where.some((w) => !WHERE_KINDS.has(columns.get(w.column)?.kind ?? '')))) return undefined;
  // A backslash means something in a string literal where standard_conforming_strings is off.
  if (plan.groups.some((g) => g.where.some((w) => [...w.values].some((v) => v.includes('\\'))))) return undefined;

  const x = (name: string) => `${ref}.${ident(name)}`;
  const cuts = terms.map(({ t }) => exactCut((t.period as FixedPeriod).duration, t.rule.align, plan.asOf.setZone(t.rule.timezone)));
  const edges = cuts.map(nativeEdges);
  if (edges.some((e) => e === undefined)) return undefined;
  // Literals, not parameters: the fast statements bind none, so that they can run without the general ones'.
  const instant = (ms: number): string => `'${pgInstant(ms)}'::timestamptz`;

  // Rows of rest, each part with where it comes from: a term's own start (implied false where
  // that term is due or pending), or the row as a whole.
  const parts: { sql: string; own?: string; rowWide?: boolean }[] = [];
  // SQL's NULL never reaches a NOT below: each test is written true or false.
  const truth = (name: string, sql: string) => (columns.get(name)?.notNull ? sql : `(${sql}) IS TRUE`);
  // Each test is written cheapest and most often false first: an aggregate's FILTER is evaluated
  // as written, unlike a WHERE, whose conditions the planner orders by cost (measured at 10M rows
  // with a hold and two where rules: 1.45 s written hold, where, start; 1.15 s start first).
  let held = 'false';
  let notHeld = '';
  if (hold?.kind === 'bool') {
    held = `${x(hold.name)} IS TRUE`;
    notHeld = ` AND ${x(hold.name)} IS NOT TRUE`;
  } else if (hold?.kind === 'int') {
    held = truth(hold.name, `${x(hold.name)} = 1`);
    notHeld = ` AND NOT ${held}`;
    parts.push({ sql: truth(hold.name, `${x(hold.name)} <> 0 AND ${x(hold.name)} <> 1`), rowWide: true });
  }
  const match = (column: string, values: readonly string[]) => {
    const c = columns.get(column);
    // A short list of a text column as equalities: evaluated as fast as written by hand, where
    // `= ANY` walks its array for every row (10M rows, a hold and two rules: 0.88 s against 0.76 s).
    // From 9 values PostgreSQL hashes the array. As text, so that neither char(n) nor citext compares its own way.
    if (c?.kind === 'text' && values.length > 0 && values.length < 9)
      return truth(column, `(${values.map((v) => `${x(column)}::text COLLATE "C" = ${textLiteral(v)}`).join(' OR ')})`);
    return truth(column, `${c?.kind === 'text' ? x(column) : `${x(column)}::text`} COLLATE "C" = ANY(${textArray(values)})`);
  };
  const applies = plan.groups.map((g) => {
    if (g.where.length === 0) return 'true';
    for (const w of g.where)
      if (columns.get(w.column)?.kind === 'text' && !input.utf8)
        parts.push({ sql: truth(w.column, `${x(w.column)}::text !~ ${ASCII}`), rowWide: true });
    return `(${g.where.map((w) => match(w.column, [...w.values])).join(' AND ')})`;
  });
  const on = (gi: number, sql: string) => (applies[gi] === 'true' ? `(${sql})` : `((${sql}) AND ${applies[gi]})`);
  const bad = new Set<string>();

  const forms = terms.map(({ t, gi }, i) => {
    const column = t.rule.from[0] as string;
    const c = columns.get(column);
    if (!c) throw new Error(`internal: no column ${column}`);
    const v = x(column);
    const s = c.kind === 'timestamptz' ? v : zonedStart(c, v, t.rule.timezone);
    const [lower, upper] = startBounds(c.kind);
    const inRange = `${v} >= ${lower} AND ${v} < ${upper}`;
    const [due, lo, hi] = (edges[i] as number[]).map(instant);
    const window = lo !== undefined && hi !== undefined ? ([lo, hi] as const) : undefined;
    const outside = window ? ` AND NOT (${s} >= ${window[0]} AND ${s} < ${window[1]})` : '';
    // An empty start has not started: neither due nor pending, as the engine says. An unreadable
    // one, or one the cut is unsure of, is rest: the engine's to say. The first is implied false
    // by any term on the same column being due or pending; the second only by this term.
    const own = [`${column}\u0000${c.kind}`, `term ${i}`];
    // For every row, whether a rule on the column applies or not: one test, cheaper than one per rule.
    // Written as two comparisons (NULL where the start is empty): 10M rows, 25 ms less than NOT (in range).
    if (!bad.has(own[0] as string)) parts.push({ sql: `(${v} < ${lower} OR ${v} >= ${upper})`, own: own[0], rowWide: true });
    bad.add(own[0] as string);
    if (window) parts.push({ sql: on(gi, `${s} >= ${window[0]} AND ${s} < ${window[1]}`), own: own[1] });
    // In range, the start of a timestamptz column is before every cut only if it is after the lower
    // bound. The least start at or after the cut (after the lower bound, where the cut is) is in
    // range only if any is: one comparison less for each row (10M rows: 13 ms of 360).
    const native = c.kind === 'timestamptz';
    const bound = native ? `${v} >= ${lower}` : inRange;
    const loose = native && (edges[i] as number[])[0] >= YEAR_1;
    const pending = `${s} >= ${due}${loose ? '' : ` AND ${inRange}`}${outside}`;
    return { t, gi, own, s, upper, due: `${s} < ${due} AND ${bound}${outside}`, pending, loose };
  });

  // Of two due delete rules that can both apply, the earlier due governs; where which one that is
  // depends on the record, the row is rest.
  for (let i = 0; i < forms.length; i++)
    for (let j = i + 1; j < forms.length; j++) {
      const [a, b] = [forms[i], forms[j]] as [(typeof forms)[number], (typeof forms)[number]];
      if (disjoint(plan.groups[a.gi], plan.groups[b.gi]) || beats(a.t, b.t) || beats(b.t, a.t)) continue;
      parts.push({ sql: `${on(a.gi, a.due)} AND ${on(b.gi, b.due)}` });
    }

  // `AND NOT` each of these tests, NULL read as false.
  const none = (sqls: readonly string[]) => sqls.map((sql) => ` AND NOT coalesce(${sql}, false)`).join('');
  const except = (own: readonly string[]) => none(parts.filter((p) => p.own === undefined || !own.includes(p.own)).map((p) => p.sql));
  const rest = parts.length ? `coalesce(${parts.map((p) => `(${p.sql})`).join(' OR ')}, false)${notHeld}` : 'false';
  const deletes = new Map<number, string>();
  for (const f of forms) {
    const over = forms.filter((o) => o !== f && !disjoint(plan.groups[o.gi], plan.groups[f.gi]) && beats(o.t, f.t));
    deletes.set(f.t.ruleIndex, `${on(f.gi, f.due)}${none(over.map((o) => on(o.gi, o.due)))}${except(f.own)}${notHeld}`);
  }
  const groups = [...new Set(forms.map((f) => f.gi))];
  // Rules that each name one value list of the same column: one list of all their values.
  const lists = groups.map((gi) => plan.groups[gi]?.where ?? []);
  const column = lists[0]?.[0]?.column;
  const anyApplies =
    column !== undefined && lists.every((w) => w.length === 1 && w[0]?.column === column)
      ? match(column, [...new Set(lists.flatMap((w) => [...(w[0]?.values ?? [])]))])
      : groups.map((gi) => applies[gi]).join(' OR ');
  const unmanaged = groups.some((gi) => applies[gi] === 'true')
    ? 'false'
    : `NOT (${anyApplies})${none(parts.filter((p) => p.rowWide).map((p) => p.sql))}${notHeld}`;
  const pending = forms.map((f) => {
    const least = `min(${f.s}) FILTER (WHERE ${on(f.gi, f.pending)}${except(f.own)}${notHeld})`;
    // Infinity has no epoch in ms: the upper bound stands for every start at or after it.
    return f.loose
      ? { term: f.t, least: `least(${least}, ${f.upper})`, before: YEAR_10000 }
      : { term: f.t, least, before: Number.POSITIVE_INFINITY };
  });
  return { held, rest, deletes, unmanaged, pending };
}

/** A string as an SQL literal (no backslashes: checked by the caller). */
const textLiteral = (v: string) => `'${v.replaceAll("'", "''")}'`;

/** Strings as an SQL text[] literal. */
function textArray(values: readonly string[]): string {
  return values.length ? `ARRAY[${values.map(textLiteral).join(', ')}]::text[]` : `'{}'::text[]`;
}
