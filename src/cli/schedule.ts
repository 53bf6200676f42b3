import { Command, Option } from 'commander';
import { policiesForRun } from '../app/load-policies.js';
import { renderSchedulePage } from '../schedule/render-html.js';
import { renderScheduleMarkdown } from '../schedule/render-md.js';
import { buildSchedule } from '../schedule/schedule.js';
import type { Io } from './io.js';
import { commandLogger } from './logger.js';
import { logLevelOption } from './options.js';

/** The retention schedule a privacy officer reviews, from the policy files alone (no source). */
export function scheduleCommand(io: Io): Command {
  return new Command('schedule')
    .description('print the retention schedule of policy files (default: policies/): per dataset, how long, from when, and why')
    .argument('[paths...]', 'policy files or directories', ['policies/'])
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .addOption(logLevelOption())
    .action((paths: string[], o: { format: string; logLevel?: string }) => {
      const log = io.log ?? commandLogger(io, o.logLevel);
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
