import { Command, Option } from 'commander';
import { loadPolicies } from '../policy/load.js';
import { lintPolicies } from '../policy/lints.js';
import { formatProblem, githubAnnotation, type PolicyProblem } from '../policy/problems.js';
import { EXIT } from './exit-codes.js';

/** The CI check: every problem of every file, with file:line:col. */
export function validateCommand(): Command {
  return new Command('validate')
    .description('check policy files (default: policies/): errors, then semantic lints as warnings')
    .argument('[paths...]', 'policy files or directories', ['policies/'])
    .addOption(
      new Option('--format <format>', 'output format (github: GitHub Actions annotations)')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .option('--strict', 'treat warnings as errors (exit 1)', false)
    .action((paths: string[], o: { format: string; strict: boolean }) => {
      const { problems: loadProblems, files, policies } = loadPolicies(paths);
      // The lints look across all policies, so they run only when every file loaded: with one
      // policy missing, a dataset it covers would look uncovered.
      const clean = !loadProblems.some((p) => p.severity === 'error');
      const problems: PolicyProblem[] = [...loadProblems, ...(clean ? lintPolicies(policies) : [])].map((p) =>
        o.strict && p.severity === 'warning' ? { ...p, severity: 'error' as const } : p,
      );
      const errors = problems.filter((p) => p.severity === 'error');
      const warnings = problems.length - errors.length;
      const rules = policies.reduce((k, p) => k + p.rules.length, 0);
      if (o.format === 'json') {
        process.stdout.write(
          JSON.stringify(
            {
              valid: errors.length === 0,
              strict: o.strict,
              files,
              errors: errors.length,
              warnings,
              policies: policies.map((p) => ({ name: p.name, file: p.file, rules: p.rules.length })),
              problems,
            },
            null,
            2,
          ) + '\n',
        );
      } else {
        const line = o.format === 'github' ? githubAnnotation : formatProblem;
        for (const p of problems) process.stdout.write(line(p) + '\n');
        const n = files.length;
        const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
        const warned = warnings > 0 ? `, ${plural(warnings, 'warning')}` : '';
        process.stdout.write(
          errors.length === 0
            ? `${plural(n, 'policy file')} valid (${rules} rules)${warned}\n`
            : `${plural(errors.length, 'error')} in ${new Set(errors.map((e) => e.file)).size} of ${plural(n, 'file')}${warned}\n`,
        );
      }
      process.exitCode = errors.length === 0 ? EXIT.ok : EXIT.failure;
    });
}
