import { DateTime, IANAZone } from 'luxon';
import type { YamlPath } from './locate.js';
import type { Dataset, Location, Period, Policy, Rule, TimestampFormat, WhereClause } from './model.js';
import { closest, ruleName } from './names.js';
import { type FixedPeriod, parsePeriod, parseUnit } from './period.js';
import { comparePeriods } from './period-compare.js';
import type { PeriodInput, PolicyInput } from './schema.js';

/** The well-formed parts of a policy; a rule that failed the shape check is undefined. */
export interface NormalizeInput {
  readonly name: string;
  readonly title?: string;
  readonly timezone?: string;
  readonly datasets: Record<string, PolicyInput['datasets'][string] | undefined>;
  readonly rules: readonly (PolicyInput['rules'][number] | undefined)[];
}

type Report = (path: YamlPath, message: string, atKey?: boolean) => void;
type Where = (path: YamlPath, atKey?: boolean) => Location;

/**
 * The policy's own cross-field rules (SPEC §1), after the shape check. Reports every problem
 * it finds; returns the readonly model only when there were none.
 */
export function normalizePolicy(input: NormalizeInput, file: string, sha256: string, where: Where, report: Report): Policy | undefined {
  let ok = true;
  const fail: Report = (path, message, atKey) => {
    ok = false;
    report(path, message, atKey);
  };

  const timezone = input.timezone ?? 'UTC';
  if (!IANAZone.isValidZone(timezone))
    fail(['timezone'], `unknown timezone "${timezone}": use an IANA zone such as Europe/Amsterdam or UTC`);

  const datasets = new Map<string, Dataset>();
  const malformed = new Set<string>(); // declared, with a shape error already reported
  for (const [name, d] of Object.entries(input.datasets)) {
    const path = ['datasets', name];
    if (!d) {
      ok = false;
      malformed.add(name);
      continue;
    }
    if (name.trim() === '') fail(path, 'a dataset name must not be empty', true);
    const timestamps = parseTimestampFormat(d.timestamps);
    if ('error' in timestamps) fail([...path, 'timestamps'], timestamps.error);
    if (d.key !== undefined && d.key === d.hold) fail([...path, 'hold'], `the hold column "${d.hold}" cannot also be the key`);
    datasets.set(name, {
      name,
      key: d.key,
      hold: d.hold,
      policy: input.name,
      loc: where(path),
      nameLoc: where(path, true),
      timestamps: 'error' in timestamps ? { kind: 'iso' } : timestamps,
    });
  }

  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  input.rules.forEach((r, i) => {
    if (!r) {
      ok = false;
      return;
    }
    const path = ['rules', i];
    const rule = ruleName(r.id, where(path).line);
    const prev = seen.get(r.id);
    if (prev !== undefined)
      fail(
        [...path, 'id'],
        `duplicate rule id "${r.id}": ${ruleName(r.id, where(['rules', prev]).line)} has it already; rule ids are unique in a policy`,
      );
    seen.set(r.id, i);
    const dataset = datasets.get(r.dataset);
    if (!dataset && malformed.has(r.dataset)) {
      ok = false;
      return;
    }
    if (!dataset) {
      const known = [...datasets.keys()];
      const meant = closest(r.dataset, known);
      fail(
        [...path, 'dataset'],
        `${rule} names dataset "${r.dataset}", which is not declared under datasets${meant !== undefined ? `; did you mean "${meant}"?` : known.length ? ` (declared: ${known.join(', ')})` : ''}`,
      );
    }
    const period = (key: 'delete_after' | 'redact_after' | 'keep_for'): Period | undefined => {
      const value = r[key];
      if (value === undefined) return undefined;
      const p = toPeriod(value);
      if ('error' in p) {
        fail([...path, key], p.error);
        return undefined;
      }
      return p;
    };
    const deleteAfter = period('delete_after');
    const redactAfter = period('redact_after');
    const keepFor = period('keep_for');
    if (r.delete_after === undefined && r.redact_after === undefined && r.keep_for === undefined) {
      fail(path, `${rule} needs at least one of delete_after, redact_after (with redact) or keep_for`);
    }
    if (r.redact_after !== undefined && r.redact === undefined)
      fail([...path, 'redact_after'], `${rule} has redact_after but no redact: list the columns to redact`);
    if (r.redact !== undefined && r.redact_after === undefined)
      fail([...path, 'redact'], `${rule} lists redact columns but has no redact_after`);
    const redact = r.redact ?? [];
    redact.forEach((c, j) => {
      if (dataset?.key === c)
        fail(
          [...path, 'redact', j],
          `${rule} redacts "${c}", the key column of dataset "${r.dataset}": the key identifies the record and cannot be redacted`,
        );
      if (dataset?.hold === c)
        fail([...path, 'redact', j], `${rule} redacts "${c}", the hold column of dataset "${r.dataset}"; redacting it would release holds`);
    });
    if (deleteAfter && keepFor && shorter(deleteAfter, keepFor, IANAZone.isValidZone(timezone) ? timezone : 'UTC')) {
      fail(
        [...path, 'delete_after'],
        `${rule}: delete_after (${deleteAfter.text}) is shorter than keep_for (${keepFor.text}); a record cannot be deleted before its legal minimum`,
      );
    }
    const whereClauses: WhereClause[] = Object.entries(r.where ?? {}).map(([column, v]) => ({
      column,
      values: (Array.isArray(v) ? v : [v]).map(String),
    }));
    rules.push({
      policy: input.name,
      id: r.id,
      dataset: r.dataset,
      where: whereClauses,
      from: Array.isArray(r.from) ? r.from : [r.from],
      align: r.align,
      deleteAfter,
      redactAfter,
      keepFor,
      redact,
      basis: r.basis,
      cite: r.cite,
      timezone,
      loc: where(path),
    });
  });

  if (!ok) return undefined;
  return { name: input.name, title: input.title, timezone, file, sha256, datasets, rules };
}

function parseTimestampFormat(value: string | undefined): TimestampFormat | { error: string } {
  if (value === undefined || value === 'iso') return { kind: 'iso' };
  if (value === 'unix' || value === 'unix_ms') return { kind: value };
  if (value.trim() === '') return { error: 'timestamps must be iso, unix, unix_ms or a Luxon format such as "dd-MM-yyyy HH:mm"' };
  // A Luxon format must at least read back what it writes, or every value would be invalid.
  const sample = DateTime.fromObject({ year: 2021, month: 3, day: 14, hour: 15, minute: 9, second: 26 }, { zone: 'UTC' });
  const back = DateTime.fromFormat(sample.toFormat(value), value, { zone: 'UTC' });
  if (!back.isValid || !/[yY]/.test(value)) {
    return {
      error: `timestamps "${value}" is not iso, unix, unix_ms or a usable Luxon format (it must contain the year and read back what it writes), e.g. "dd-MM-yyyy HH:mm"`,
    };
  }
  return { kind: 'format', format: value };
}

function toPeriod(value: PeriodInput): Period | { error: string } {
  if (typeof value === 'object') {
    const unit = parseUnit(value.unit);
    if (!unit) return { error: `unit "${value.unit}" is not one of hours, days, weeks, months, years` };
    let def: FixedPeriod | undefined;
    if (value.default !== undefined) {
      const p = parsePeriod(value.default);
      if ('error' in p) return { error: `default: ${p.error}` };
      def = p;
    }
    return { kind: 'column', column: value.column, unit, default: def, text: `${unit} in column ${value.column}` };
  }
  return parsePeriod(value);
}

/** True when `a` ends before `b` for some start (month lengths make this depend on the start). */
function shorter(a: Period, b: Period, zone: string): boolean {
  return a.kind === 'fixed' && b.kind === 'fixed' && comparePeriods(b, a, zone) === 'later-somewhere';
}
