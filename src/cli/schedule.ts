import { Command, Option } from 'commander';
import { type Io, logOf } from './io.js';
import { logLevelOption } from './options.js';

/** The retention schedule a privacy officer reviews, from the policy files alone (no source). */
export function scheduleCommand(io: Io): Command {
  return new Command('schedule')
    .description('print the retention schedule of policy files (default: policies/): per dataset, how long, from when, and why')
    .argument('[paths...]', 'policy files or directories', ['policies/'])
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .addOption(logLevelOption())
    .action(async (paths: string[], o: { format: string; logLevel?: string }) => {
      // Loaded when the command runs: start-up pays only for the command line.
      const [{ policiesForRun }, { renderSchedulePage }, { renderScheduleMarkdown }, { buildSchedule }] = await Promise.all([
        import('../app/load-policies.js'),
        import('../schedule/render-html.js'),
        import('../schedule/render-md.js'),
        import('../schedule/schedule.js'),
      ]);
      const log = logOf(io);
      const schedule = buildSchedule(policiesForRun(paths));
      const datasets = schedule.policies.flatMap((p) => p.datasets);
      log.info(
        {
          files: schedule.policies.map((p) => p.file),
          datasets: datasets.length,
          keptWithoutLimit: datasets.filter((d) => d.keptWithoutLimit !== 'no').map((d) => d.dataset),
        },
        'schedule',
      );
      io.stdout.write(
        o.format === 'json'
          ? `${JSON.stringify(schedule, null, 2)}\n`
          : o.format === 'html'
            ? renderSchedulePage(schedule)
            : renderScheduleMarkdown(schedule),
      );
    });
}
