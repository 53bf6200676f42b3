import { Command, Option } from 'commander';
import { loadPolicies } from '../policy/load.js';
import { formatProblem } from '../policy/problems.js';
import { EXIT } from './exit-codes.js';

/** The CI check: every problem of every file, with file:line:col. */
export function validateCommand(): Command {
  return new Command('validate')
    .description('check policy files (default: policies/)')
    .argument('[paths...]', 'policy files or directories', ['policies/'])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((paths: string[], o: { format: string }) => {
      const { problems, files, policies } = loadPolicies(paths);
      const errors = problems.filter((p) => p.severity === 'error');
      if (o.format === 'json') {
        process.stdout.write(JSON.stringify({ valid: errors.length === 0, files, policies: policies.map((p) => ({ name: p.name, file: p.file, rules: p.rules.length })), problems }, null, 2) + '\n');
      } else {
        for (const p of problems) process.stdout.write(formatProblem(p) + '\n');
        const n = files.length;
        process.stdout.write(errors.length === 0
          ? `${n} policy file${n === 1 ? '' : 's'} valid (${policies.reduce((k, p) => k + p.rules.length, 0)} rules)\n`
          : `${errors.length} error${errors.length === 1 ? '' : 's'} in ${new Set(errors.map((e) => e.file)).size} of ${n} file${n === 1 ? '' : 's'}\n`);
      }
      process.exitCode = errors.length === 0 ? EXIT.ok : EXIT.failure;
    });
}
