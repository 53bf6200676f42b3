import { Command, Option } from 'commander';
import { type ValidateResult, validate } from '../app/validate.js';
import { formatProblem, githubAnnotation } from '../policy/problems.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';

/** The CI check: every problem of every file, with file:line:col. */
export function validateCommand(io: Io): Command {
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
      const r = validate(paths, o.strict);
      io.stdout.write(o.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : toText(r, o.format === 'github'));
      io.exitCode = r.valid ? EXIT.ok : EXIT.failure;
    });
}

function toText(r: ValidateResult, github: boolean): string {
  const line = github ? githubAnnotation : formatProblem;
  const out = r.problems.map((p) => line(p));
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const warned = r.warnings > 0 ? `, ${plural(r.warnings, 'warning')}` : '';
  const rules = r.policies.reduce((k, p) => k + p.rules, 0);
  const files = new Set(r.problems.filter((p) => p.severity === 'error').map((e) => e.file)).size;
  out.push(
    r.valid
      ? `${plural(r.files.length, 'policy file')} valid (${rules} rules)${warned}`
      : `${plural(r.errors, 'error')} in ${files} of ${plural(r.files.length, 'file')}${warned}`,
  );
  return `${out.join('\n')}\n`;
}
