import { Command, Option } from 'commander';
import { escapeData, escapeProperty, formatProblem, githubAnnotation } from '../policy/problems.js';
import type { CheckResult, PolicyTestRun } from '../policy-test/run.js';
import { EXIT } from './exit-codes.js';
import { toJson as explainJson, toText as explainText } from './explain.js';
import type { Io } from './io.js';

/** The CI check of what the policies decide: every test file's records at their instants. */
export function testCommand(io: Io): Command {
  return new Command('test')
    .description('run policy test files (*.test.yaml) through the engine (default: policies/)')
    .argument('[paths...]', 'test files or directories of *.test.yaml', ['policies/'])
    .addOption(
      new Option('--format <format>', 'output format (github: GitHub Actions annotations)')
        .choices(['text', 'github', 'json'])
        .default('text'),
    )
    .action(async (paths: string[], o: { format: string }) => {
      const { runPolicyTests } = await import('../policy-test/run.js');
      const run = runPolicyTests(paths);
      io.stdout.write(o.format === 'json' ? `${JSON.stringify(toJson(run), null, 2)}\n` : toText(run, o.format === 'github'));
      io.exitCode = run.failed === 0 && !run.problems.some((p) => p.severity === 'error') ? EXIT.ok : EXIT.failure;
    });
}

/** `file:line:col: fail: "test": dataset record id=1 {values} as of T: expected X, got Y (why)`. */
function failureLine(c: CheckResult, withPosition = true): string {
  const where = withPosition ? `${c.loc.file}:${c.loc.line}:${c.loc.col}: fail: ` : '';
  return (
    `${where}"${c.test}": ${c.dataset} record ${c.record.label} ${JSON.stringify(c.record.values)} as of ${c.asOfText}: ` +
    `expected ${c.expected}, got ${c.actual}${c.why ? ` (${c.why})` : ''}`
  );
}

function traceOf(c: CheckResult): string {
  return explainText({ asOf: c.asOf, dataset: c.dataset, key: c.record.key, values: c.record.values, trace: c.trace, scope: c.scope });
}

function toText(run: PolicyTestRun, github: boolean): string {
  const out: string[] = [];
  for (const p of run.problems) out.push(github ? githubAnnotation(p) : formatProblem(p));
  for (const c of run.checks) {
    if (c.pass) continue;
    if (github) {
      const props = `file=${escapeProperty(c.loc.file)},line=${c.loc.line},col=${c.loc.col},title=${escapeProperty(`policy test failed: ${c.test}`)}`;
      out.push(`::error ${props}::${escapeData(`${failureLine(c, false)}\n\n${traceOf(c)}`.trimEnd())}`);
    } else {
      out.push(
        failureLine(c),
        ...traceOf(c)
          .trimEnd()
          .split('\n')
          .map((l) => (l ? `    ${l}` : '')),
        '',
      );
    }
  }
  out.push(summary(run));
  return `${out.join('\n')}\n`;
}

function summary(run: PolicyTestRun): string {
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const invalid = run.files.filter((f) => !f.valid).length;
  const errors = run.problems.filter((p) => p.severity === 'error').length;
  const broken = invalid > 0 ? `, ${plural(invalid, 'invalid test file')}` : errors > 0 ? `, ${plural(errors, 'error')}` : '';
  return `${run.passed} passed, ${run.failed} failed${broken} (${plural(run.tests, 'test')} in ${plural(run.files.length, 'file')})`;
}

function toJson(run: PolicyTestRun) {
  return {
    ok: run.failed === 0 && !run.problems.some((p) => p.severity === 'error'),
    passed: run.passed,
    failed: run.failed,
    tests: run.tests,
    files: run.files,
    problems: run.problems,
    failures: run.checks
      .filter((c) => !c.pass)
      .map((c) => ({
        file: c.loc.file,
        line: c.loc.line,
        col: c.loc.col,
        test: c.test,
        dataset: c.dataset,
        record: c.record.label,
        values: c.record.values,
        asOf: c.asOf.toISO(),
        asOfText: c.asOfText,
        expected: c.expected,
        actual: c.actual,
        why: c.why ?? null,
        message: failureLine(c),
        trace: explainJson({
          asOf: c.asOf,
          dataset: c.dataset,
          key: c.record.key,
          values: c.record.values,
          trace: c.trace,
          scope: c.scope,
        }),
      })),
  };
}
