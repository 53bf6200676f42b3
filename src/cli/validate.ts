import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { ValidateResult } from '../app/validate.js';
import { UserError } from '../errors.js';
import { formatProblem, githubAnnotation } from '../policy/problems.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';

/** The CI check: every problem of every file, with file:line:col. */
export function validateCommand(io: Io): Command {
  return new Command('validate')
    .description('check policy files (default: policies/): errors, then semantic lints as warnings')
    .argument('[paths...]', 'policy files or directories (default: policies/)')
    .addOption(
      new Option('--format <format>', 'output format (github: GitHub Actions annotations)')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .option('--strict', 'treat warnings as errors (exit 1)', false)
    .action(async (paths: string[], o: { format: string; strict: boolean }) => {
      const { validate } = await import('../app/validate.js');
      const r = validate(paths.length ? paths : defaultPaths(), o.strict);
      io.stdout.write(o.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : toText(r, o.format === 'github'));
      io.exitCode = r.valid ? EXIT.ok : EXIT.failure;
    });
}

/** policies/ of the current directory; outside a repository that has one, a usage error says so. */
function defaultPaths(): string[] {
  if (existsSync('policies')) return ['policies/'];
  throw new UserError(
    `no policies/ here (${process.cwd()}): run retention validate where the policies/ directory is, or name the policy files or directories to check`,
    EXIT.usage,
  );
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
      : `${plural(r.errors, 'error')}${r.files.length ? ` in ${files} of ${plural(r.files.length, 'file')}` : ''}${warned}`,
  );
  return `${out.join('\n')}\n`;
}
