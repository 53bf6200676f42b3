import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scheduleSchema } from '../src/schedule/model.js';
import { cli, logText, tempDir, write } from './helpers/cli.js';

// `retention schedule`: the retention schedule of the shipped policies in each format, the
// committed policies/SCHEDULE.md kept fresh, and invalid input refused like validate refuses it.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const VALID = `version: 1
name: small
datasets:
  calls: { key: id }
rules:
  - id: calls
    dataset: calls
    from: started_at
    delete_after: 6 months
`;

describe('schedule of the shipped policies', () => {
  it('policies/SCHEDULE.md is exactly what retention schedule prints', async () => {
    const r = await cli(['schedule', '--log-level', 'silent'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const committed = readFileSync(join(ROOT, 'policies/SCHEDULE.md'), 'utf8');
    expect(committed === r.stdout, 'policies/SCHEDULE.md is stale: run npm run schedule').toBe(true);
  });

  it('defaults to policies/, prints the same twice, and names every policy file with its hash', async () => {
    const a = await cli(['schedule', 'policies/', '--log-level', 'silent'], { cwd: ROOT });
    const b = await cli(['schedule', '--format', 'md', '--log-level', 'silent'], { cwd: ROOT });
    expect(a.stdout).toBe(b.stdout);
    for (const name of ['belcentrale', 'belco', 'belfabriek', 'ip-central', 'voips']) {
      const sha = createHash('sha256')
        .update(readFileSync(join(ROOT, `policies/${name}.yaml`)))
        .digest('hex');
      expect(a.stdout).toContain(`| policies/${name}.yaml | ${name} | \`${sha}\` |`);
    }
  });

  it('--format json: the schedule as one JSON document of the zod shape, with the records kept without limit', async () => {
    const r = await cli(['schedule', '--format', 'json', '--log-level', 'silent'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const s = scheduleSchema.parse(JSON.parse(r.stdout));
    expect(s.policies.map((p) => p.policy)).toEqual(['belcentrale', 'belco', 'belfabriek', 'ip-central', 'voips']);
    expect(s.policies.flatMap((p) => p.datasets).length).toBe(34);
    const flagged = s.policies.flatMap((p) => p.datasets.filter((d) => d.keptWithoutLimit !== 'no').map((d) => d.dataset));
    expect(flagged).toEqual(['belco_chat_conversations', 'belfabriek_call_recordings', 'ipcentral_call_recordings', 'voips_cdr']);
    const orders = s.policies[1].datasets.find((d) => d.dataset === 'belco_orders');
    expect(orders?.rows.map((x) => [x.rule, x.action, x.kept, x.columns])).toEqual([
      ['order-details-six-months', 'redact', '6 months after completed_at', ['ip_address', 'email', 'phone', 'delivery_address']],
      ['order-bookkeeping-seven-years', 'delete', '7 years and 6 months after completed_at', []],
    ]);
  });

  it('--format html: a page with the files and the schedule section', async () => {
    const r = await cli(['schedule', '--format', 'html', '--log-level', 'silent'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('</html>')).toBe(true);
    expect(r.stdout).toContain('<td>policies/voips.yaml</td>');
    expect(r.stdout).toContain('<section class="retention-schedule" aria-labelledby="schedule">');
    expect(r.stdout).toContain(
      '<th scope="row">voips_cdr</th><td>all records</td><td>the period in column retention_days (days), per record, after started_at</td>',
    );
    expect(r.stdout.match(/class="kept-without-limit"/g)).toHaveLength(4);
  });

  it('logs one line on stderr at info level, nothing on stdout but the schedule', async () => {
    const r = await cli(['schedule', '--format', 'json', '--log-level', 'info'], { cwd: ROOT });
    const log = JSON.parse(r.stderr.trim());
    expect(log).toMatchObject({ msg: 'schedule', datasets: 34, files: expect.arrayContaining(['policies/voips.yaml']) });
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });
});

describe('schedule: bad input', () => {
  it('an invalid policy: the errors validate prints, exit 1, nothing on stdout', async () => {
    const dir = tempDir();
    write(dir, 'a.yaml', VALID);
    const bad = write(dir, 'b.yaml', VALID.replace('name: small', 'name: other').replace('6 months', 'six months'));
    const v = await cli(['validate', dir]);
    const errors = v.stdout.split('\n').filter((l) => l.includes(': error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0].startsWith(`${bad}:9:19: error:`)).toBe(true);
    const r = await cli(['schedule', dir, '--log-level', 'error']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(logText(r.stderr)).toBe(`invalid policy; nothing was read or changed:\n${errors[0]}`);
  });

  it('a missing path is an error, exit 1', async () => {
    const r = await cli(['schedule', join(tempDir(), 'none.yaml'), '--log-level', 'error']);
    expect(r.code).toBe(1);
    expect(logText(r.stderr)).toMatch(/none\.yaml: error: no such file or directory/);
    expect(r.stdout).toBe('');
  });

  it.each([[['--format', 'pdf']], [['--log-level', 'loud']], [['--records']]])('wrong usage %j: exit 2', async (args) => {
    const r = await cli(['schedule', ...args], { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('bin/retention schedule: the exit code and streams of a process of its own', async () => {
    const dir = tempDir();
    const f = write(dir, 'small.yaml', VALID);
    const ok = await cli(['schedule', f, '--log-level', 'silent'], { spawn: true });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toContain(
      '| calls | all records | 6 months after started_at | — | deleted | not given | no sentence cited | calls |',
    );
    const bad = await cli(['schedule', write(dir, 'bad.yaml', 'version: 2\n'), '--log-level', 'silent'], { spawn: true });
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
