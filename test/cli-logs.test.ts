import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, logLines, sqliteTable, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY, CDR_ROWS } from './helpers/policy.js';

function fixture() {
  const dir = tempDir();
  const policy = write(dir, 'policy.yaml', CDR_POLICY);
  const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
  return { dir, policy, source };
}

describe('logs on a pipe: JSON lines with a time, errors and refusals included', () => {
  it('an error is a JSON line with level, ISO time, message and exit code, followed by the run summary', async () => {
    const { policy, dir } = fixture();
    const r = await cli(['report', '--policy', policy, '--source', join(dir, 'nope.db'), '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    const lines = logLines(r.stderr);
    expect(lines.every((l) => typeof l.time === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(l.time))).toBe(true);
    expect(lines[0]).toMatchObject({ level: 50, exitCode: 1, msg: expect.stringContaining('nope.db') });
    expect(lines.at(-1)).toMatchObject({ level: 35, command: 'report', exitCode: 1, error: 'failed' });
  });

  it('a usage error is a JSON line too (exit 2), without the help text', async () => {
    const r = await cli(['validate', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(logLines(r.stderr)).toEqual([expect.objectContaining({ level: 50, exitCode: 2, msg: "unknown option '--no-such-flag'" })]);
  });

  it('a run ends with one summary line: asOf, source, totals, exit code, duration', async () => {
    const { policy, source } = fixture();
    const r = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF]);
    expect(r.code).toBe(0);
    const summary = logLines(r.stderr).filter((l) => l.level === 35);
    expect(summary).toEqual([
      expect.objectContaining({
        command: 'report',
        asOf: '2026-11-24T00:00:00.000+01:00',
        source: expect.stringContaining('data.db'),
        datasets: 1,
        scanned: CDR_ROWS.length,
        delete: 2,
        redact: 1,
        exitCode: 0,
        ms: expect.any(Number),
      }),
    ]);
    expect(summary[0]?.msg).toMatch(
      /^report of .*data\.db as of 2026-11-24T00:00:00\.000\+01:00: 2 due for deletion, 1 due for redaction of \d+ records in 1 datasets \(exit 0, \d+\.\d\d s\)$/,
    );
  });

  it('the summary is on stderr when stdout goes to /dev/null, also in a process of its own', () => {
    const { policy, source } = fixture();
    const r = spawnSync(process.execPath, [BIN, 'purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(logLines(r.stderr).filter((l) => l.level === 35)).toEqual([
      expect.objectContaining({ command: 'purge --dry-run', delete: 2, redact: 1, exitCode: 0 }),
    ]);
  });

  it('a refusal by a cap is logged with its exit code, and the summary says it', async () => {
    const { policy, source } = fixture();
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--max-delete', '1']);
    expect(r.code).toBe(3);
    const lines = logLines(r.stderr);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, exitCode: 3, msg: expect.stringContaining('more than --max-delete 1') }),
    );
    expect(lines.at(-1)).toMatchObject({ level: 35, exitCode: 3, error: 'refused by a cap; nothing was changed' });
  });

  it('debug shows each dataset plan: the instant a start must be before to be due, per rule', async () => {
    const { policy, source } = fixture();
    const r = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--log-level', 'debug']);
    expect(r.code).toBe(0);
    const plan = logLines(r.stderr).find((l) => l.msg === 'plan');
    expect(plan).toMatchObject({ dataset: 'cdr', source: 'sqlite' });
    expect(plan?.terms).toContainEqual(
      expect.objectContaining({ rule: 'ip-central/usage-data', kind: 'delete', dueIfStartBefore: '2026-05-23T22:00:00.001Z' }),
    );
  });
});

describe('logs on a terminal: readable lines', () => {
  it('warnings and errors read as sentences, not JSON; info lines are left out by default', async () => {
    const { policy, source } = fixture();
    const r = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF], { tty: true });
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
    // CDR_ROWS has one unreadable date: a warning naming it.
    expect(lines).toContainEqual(
      expect.stringMatching(/^retention: warning: record kept: a value could not be read \(dataset: cdr, key: /),
    );
    expect(lines.at(-1)).toMatch(/^retention: report of .* 2 due for deletion, 1 due for redaction .*\(exit 0, /);
    expect(lines.some((l) => l.includes('scanned'))).toBe(false);
  });

  it('an error is one line with the hint to --help for usage errors', async () => {
    const r = await cli(['purge', '--bogus'], { tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("retention: error: unknown option '--bogus' (run with --help for usage)\n");
  });
});

describe('--log-level on every command', () => {
  it.each([
    ['validate', ['validate', 'POLICY']],
    ['test', ['test', 'DIR']],
    ['schema', ['schema']],
    ['explain', ['explain', '--policy', 'POLICY', '--source', 'SOURCE', '--dataset', 'cdr', '--key', '1', '--as-of', AS_OF]],
    ['audit verify', ['audit', 'verify', 'LOG']],
    ['plan show', ['plan', 'show', 'PLAN']],
  ])('%s accepts --log-level', async (_name, args) => {
    const { dir, policy, source } = fixture();
    const log = write(dir, 'audit.jsonl', '');
    const plan = join(dir, 'plan.json');
    await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan]);
    const given = args.map((a) => ({ POLICY: policy, SOURCE: source, DIR: dir, LOG: log, PLAN: plan })[a] ?? a);
    const r = await cli([...given, '--log-level', 'warn']);
    expect(r.stderr).not.toMatch(/unknown option/);
    expect(r.code).not.toBe(2);
  });
});

describe('--format json: one JSON document on stdout, whatever happens', () => {
  const diagnostics = (stdout: string) =>
    JSON.parse(stdout) as { exitCode: number; diagnostics: { severity: string; summary: string; detail: string }[] };

  it('a usage error', async () => {
    const r = await cli(['report', '--format', 'json', '--policy', 'p.yaml']);
    expect(r.code).toBe(2);
    expect(diagnostics(r.stdout)).toEqual({
      exitCode: 2,
      diagnostics: [{ severity: 'error', summary: 'wrong usage', detail: "required option '--source <path>' not specified" }],
    });
  });

  it('a failure (unreadable source)', async () => {
    const { policy, dir } = fixture();
    const r = await cli(['report', '--format=json', '--policy', policy, '--source', join(dir, 'missing.db')]);
    expect(r.code).toBe(1);
    expect(diagnostics(r.stdout)).toMatchObject({
      exitCode: 1,
      diagnostics: [{ severity: 'error', summary: 'failed', detail: expect.stringContaining('missing.db') }],
    });
  });

  it('a refusal by a cap, changing nothing', async () => {
    const { policy, source } = fixture();
    const r = await cli(['purge', '--format', 'json', '--policy', policy, '--source', source, '--as-of', AS_OF, '--max-delete', '0']);
    expect(r.code).toBe(3);
    expect(diagnostics(r.stdout)).toMatchObject({
      exitCode: 3,
      diagnostics: [{ summary: 'refused by a cap; nothing was changed', detail: expect.stringContaining('more than --max-delete 0') }],
    });
  });

  it('a plan that no longer matches', async () => {
    const { dir, policy, source } = fixture();
    const plan = join(dir, 'plan.json');
    await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan]);
    writeFileSync(policy, `${CDR_POLICY}# changed\n`);
    const r = await cli(['purge', '--plan', plan, '--format', 'json']);
    expect(r.code).toBe(5);
    expect(diagnostics(r.stdout)).toMatchObject({
      exitCode: 5,
      diagnostics: [{ summary: 'the plan does not apply here; nothing was changed' }],
    });
  });

  it('stdout holds the document alone: logs stay on stderr', async () => {
    const { policy, source } = fixture();
    const r = await cli(['report', '--format', 'json', '--policy', policy, '--source', source, '--as-of', AS_OF]);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });
});

describe('the reviewed purge, like Terraform', () => {
  it('--plan-out says what it saved and how to apply it: a log line on a pipe, stdout on a terminal', async () => {
    const { dir, policy, source } = fixture();
    const plan = join(dir, 'plan.json');
    const piped = await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan]);
    const text = `Saved the plan to ${plan}: 2 deletions, 1 redaction in 1 dataset. Apply it with: retention purge --plan ${plan}`;
    expect(piped.stdout).not.toContain('Saved the plan');
    expect(logLines(piped.stderr)).toContainEqual(expect.objectContaining({ level: 35, msg: text, plan, delete: 2, redact: 1 }));
    const tty = await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan], {
      tty: true,
    });
    expect(tty.stdout).toContain(`\n${text}\n`);
  });

  it('plan show: source, asOf, age, policies and counts; --records lists them; json has the same', async () => {
    const { dir, policy, source } = fixture();
    const plan = join(dir, 'plan.json');
    await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan]);
    const r = await cli(['plan', 'show', plan, '--records']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}made {5}\d{4}-.*Z \(\d+ seconds? ago\)$/m);
    expect(r.stdout).toContain('  as of    2026-11-24T00:00:00.000+01:00\n');
    expect(r.stdout).toMatch(/ {2}source {3}sqlite .*data\.db\n/);
    expect(r.stdout).toMatch(/ {2}policies ip-central \(.*policy\.yaml, sha256 [0-9a-f]{12}\)/);
    expect(r.stdout).toMatch(/^cdr +\d+ +2 +1 /m);
    expect(r.stdout).toContain('2 to delete, 1 to redact.');
    expect(r.stdout).toContain('delete  cdr  1  ip-central/usage-data\n');
    expect(r.stdout).toContain('redact  cdr  4  ip-central/voip-ip-address  ip_address\n');
    const j = JSON.parse((await cli(['plan', 'show', plan, '--format', 'json', '--records'])).stdout);
    expect(j).toMatchObject({ asOf: '2026-11-24T00:00:00.000+01:00', source: { kind: 'sqlite' }, ageSeconds: expect.any(Number) });
    expect(j.datasets[0]).toMatchObject({ dataset: 'cdr', delete: 2, redact: 1 });
    expect(j.records.map((x: { key: string; action: string }) => `${x.action} ${x.key}`)).toEqual(['delete 1', 'delete 2', 'redact 4']);
  });

  it('explain --plan decides as the plan: its policies, source and asOf, no asOf to copy', async () => {
    const { dir, policy, source } = fixture();
    const plan = join(dir, 'plan.json');
    await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan]);
    const viaPlan = await cli(['explain', '--plan', plan, '--dataset', 'cdr', '--key', '1', '--format', 'json']);
    expect(viaPlan.code, viaPlan.stderr).toBe(0);
    const direct = await cli([
      'explain',
      '--policy',
      policy,
      '--source',
      source,
      '--as-of',
      AS_OF,
      '--dataset',
      'cdr',
      '--key',
      '1',
      '--format',
      'json',
    ]);
    expect(JSON.parse(viaPlan.stdout)).toEqual(JSON.parse(direct.stdout));
    expect(JSON.parse(viaPlan.stdout)).toMatchObject({ asOf: '2026-11-24T00:00:00.000+01:00', action: 'delete' });
    const other = await cli(['explain', '--plan', plan, '--dataset', 'cdr', '--key', '1', '--as-of', '2026-12-01']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("is not the plan's asOf");
    expect((await cli(['explain', '--dataset', 'cdr', '--key', '1'])).code).toBe(2);
  });

  it('plan show of a file that is not a plan: exit 1 with a clear message', async () => {
    const dir = tempDir();
    const r = await cli(['plan', 'show', write(dir, 'x.json', '{"hello":1}\n')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a plan');
  });

  it('--max-plan-age (default 24 hours) refuses an older plan with exit 5, changing nothing', async () => {
    const { dir, policy, source } = fixture();
    const plan = join(dir, 'plan.json');
    await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan]);
    const [head, ...rest] = readFileSync(plan, 'utf8').split('\n');
    const header = JSON.parse(head ?? '');
    header.createdAt = new Date(Date.now() - 25 * 3_600_000).toISOString();
    writeFileSync(plan, [JSON.stringify(header), ...rest].join('\n'));
    const before = readFileSync(source);
    const old = await cli(['purge', '--plan', plan]);
    expect(old.code).toBe(5);
    expect(old.stderr).toMatch(/the plan was made 1 day 1 hour ago .*more than --max-plan-age 24h/);
    expect(readFileSync(source).equals(before)).toBe(true);
    expect((await cli(['purge', '--plan', plan, '--max-plan-age', '2d'])).code).toBe(0);
  });

  it('--max-plan-age takes a number and a unit, or none', async () => {
    const r = await cli(['purge', '--plan', 'x', '--max-plan-age', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must be a number and a unit');
  });
});
