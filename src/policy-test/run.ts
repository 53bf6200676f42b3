import type { DateTime } from 'luxon';
import { decide } from '../engine/decide.js';
import type { Decision, Trace } from '../engine/decision.js';
import { type DatasetRules, evaluate } from '../engine/evaluate.js';
import { compilePlan } from '../engine/plan.js';
import type { Location } from '../policy/model.js';
import type { PolicyProblem } from '../policy/problems.js';
import { describeDecision, meets } from './expectation.js';
import { expandTestPaths, loadTestFile, type PolicyCache } from './load.js';

/** One record at one instant: what the test expected and what the engine decided. */
export interface CheckResult {
  readonly file: string;
  readonly test: string;
  /** Where the expectation stands in the test file. */
  readonly loc: Location;
  readonly dataset: string;
  readonly record: { readonly label: string; readonly key: string; readonly values: Readonly<Record<string, unknown>> };
  /** As written in the test file. */
  readonly asOfText: string;
  readonly asOf: DateTime;
  readonly expected: string;
  /** The decision, written as the expectation would have to be. */
  readonly actual: string;
  readonly pass: boolean;
  /** Why it failed, when `actual` alone does not show it. */
  readonly why?: string;
  readonly trace: Trace;
  /** The dataset and its rules, for explain's words around the trace. */
  readonly scope: DatasetRules;
}

export interface TestFileSummary {
  readonly file: string;
  /** False when the file has problems; then none of its tests ran. */
  readonly valid: boolean;
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
}

/** The result of `retention test`: renderers and the exit code derive from it. */
export interface PolicyTestRun {
  readonly files: readonly TestFileSummary[];
  /** Invalid test files (and the policies they name), and paths that do not exist. */
  readonly problems: readonly PolicyProblem[];
  readonly checks: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly tests: number;
}

/** Runs every test file found under `paths` through the engine. Pure apart from reading files. */
export function runPolicyTests(paths: readonly string[]): PolicyTestRun {
  const { files, problems } = expandTestPaths(paths);
  const cache: PolicyCache = new Map();
  const checks: CheckResult[] = [];
  const summaries: TestFileSummary[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const loaded = loadTestFile(file, cache);
    for (const p of loaded.problems) {
      // A broken policy shared by several test files is reported once.
      const id = `${p.file}:${p.line}:${p.col}:${p.message}`;
      if (p.file === file || !seen.has(id)) problems.push(p);
      seen.add(id);
    }
    const own: CheckResult[] = [];
    for (const test of loaded.tests) {
      for (const instant of test.instants) {
        const plan = compilePlan(test.rules, instant.asOf);
        for (const record of test.records) {
          const k = test.instants.indexOf(instant);
          const exp = record.expect[k];
          const get = (c: string) => record.values[c] ?? null;
          const trace = evaluate(test.rules, get, instant.asOf);
          let { pass, why } = meets(exp.expectation, trace);
          const fast = decide(plan, plan.columns.map(get));
          if (!sameDecision(fast, trace.decision)) {
            pass = false;
            why = `report and purge decide ${describeFast(fast, test.rules)}: the compiled decider disagrees with evaluate, a bug in retention (please report it)`;
          }
          own.push({
            file,
            test: test.name,
            loc: exp.loc,
            dataset: test.rules.dataset.name,
            record: { label: record.label, key: record.key, values: record.values },
            asOfText: instant.text,
            asOf: instant.asOf,
            expected: exp.text,
            actual: describeDecision(trace, test.rules),
            pass,
            why,
            trace,
            scope: test.rules,
          });
        }
      }
    }
    // Failures in file order: by the expectation's place, then by instant.
    own.sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
    checks.push(...own);
    const failed = own.filter((c) => !c.pass).length;
    summaries.push({ file, valid: loaded.problems.length === 0, tests: loaded.tests.length, passed: own.length - failed, failed });
  }
  const failed = checks.filter((c) => !c.pass).length;
  return { files: summaries, problems, checks, passed: checks.length - failed, failed, tests: summaries.reduce((n, s) => n + s.tests, 0) };
}

function sameDecision(a: Decision, b: Decision): boolean {
  const cols = (d: Decision) => [...(d.action === 'redact' ? d.columns : [])].sort().join(' ');
  return a.action === b.action && a.reason === b.reason && (a.action === 'keep' || a.rule === b.rule) && cols(a) === cols(b);
}

function describeFast(d: Decision, ds: DatasetRules): string {
  return describeDecision({ held: 'no-hold-column', terms: [], decision: d }, ds);
}
