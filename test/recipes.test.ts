import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sqliteRows, sqliteTable, tempDir, write } from './helpers/cli.js';
import { CDR_POLICY } from './helpers/policy.js';

// The recipes in examples/ (shown in the README) run as written, with only their paths moved
// into a temporary directory.
const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const recipe = (path: string) => readFileSync(join(ROOT, 'examples', path), 'utf8');

function site() {
  const dir = tempDir();
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  write(policies, 'ip-central.yaml', CDR_POLICY);
  mkdirSync(join(dir, 'log'));
  // 100 calls, one a month back from now: about 6% due under "6 months", below both caps.
  const now = Date.now();
  const rows = Array.from({ length: 100 }, (_, i) => ({
    id: i + 1,
    started_at: new Date(now - (i < 6 ? 400 + i : i % 150) * 86_400_000).toISOString(),
    service: 'voip',
    ip_address: '10.0.0.1',
    legal_hold: 0,
  }));
  const db = sqliteTable(join(dir, 'app.db'), 'cdr', rows);
  const move = (cmd: string) =>
    cmd
      .replaceAll('/opt/retention/policies', policies)
      .replaceAll('cd /opt/retention', `cd ${ROOT}`)
      .replaceAll('--policy policies', `--policy ${policies}`)
      .replaceAll('/opt/retention', ROOT)
      .replaceAll('/srv/data/app.db', db)
      .replaceAll('/var/log/retention', join(dir, 'log'))
      .replaceAll('/var/lib/retention', join(dir, 'lib'))
      .replaceAll('/etc/retention', join(dir, 'etc'));
  return { dir, db, move };
}

const sh = (cmd: string, cwd = ROOT) => spawnSync('bash', ['-c', cmd], { cwd, encoding: 'utf8' });

describe('recipes', () => {
  it('the crontab line purges, writes the audit log and the run log', () => {
    const { dir, db, move } = site();
    const line = recipe('cron/retention.crontab')
      .split('\n')
      .find((l) => /^\d+ \d+ \* \* \*/.test(l))!;
    const command = line.split(/\s+/).slice(5).join(' ');
    const r = sh(move(command));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(sqliteRows(db, 'SELECT count(*) AS n FROM cdr')[0].n).toBe(94);
    expect(readFileSync(join(dir, 'log', 'audit.jsonl'), 'utf8')).toMatch(/"action":"delete","batch":1,"count":6/);
    expect(readFileSync(join(dir, 'log', 'run.log'), 'utf8')).toMatch(/"msg":"purged"/);
    expect(sh(`${ROOT}/bin/retention audit verify ${join(dir, 'log', 'audit.jsonl')}`).status).toBe(0);
    // The key the receipts are made with lives apart from the log, readable by its owner only.
    expect(statSync(join(dir, 'etc', 'audit.key')).mode & 0o777).toBe(0o600);
    expect(
      sh(
        `${ROOT}/bin/retention audit find ${join(dir, 'log', 'audit.jsonl')} --dataset cdr --key 1 --audit-key ${join(dir, 'etc', 'audit.key')}`,
      ).status,
    ).toBe(0);
  });

  it('the systemd service runs its ExecStart, and the timer names a calendar', () => {
    const { db, move } = site();
    const exec = recipe('systemd/retention-purge.service')
      .split('\n')
      .find((l) => l.startsWith('ExecStart='))!
      .slice('ExecStart='.length);
    const r = sh(move(exec));
    expect(r.status, r.stderr).toBe(0);
    expect(sqliteRows(db, 'SELECT count(*) AS n FROM cdr')[0].n).toBe(94);
    expect(recipe('systemd/retention-purge.timer')).toMatch(/^OnCalendar=\*-\*-\* 02:15:00$/m);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  if (!analyze) console.log('skipped: systemd-analyze verify of examples/systemd (systemd-analyze is not installed; CI installs it)');
  it.runIf(analyze)('the systemd units pass systemd-analyze verify, and OnFailure= names the alert unit shipped beside them', () => {
    const { dir } = site();
    const units = readdirSync(join(ROOT, 'examples', 'systemd'));
    expect(units.sort()).toEqual(['retention-alert@.service', 'retention-purge.service', 'retention-purge.timer']);
    for (const u of units) writeFileSync(join(dir, u), recipe(`systemd/${u}`).replaceAll('/opt/retention', ROOT));
    const r = spawnSync('systemd-analyze', ['verify', ...units.map((u) => join(dir, u))], { encoding: 'utf8', cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const service = recipe('systemd/retention-purge.service');
    const unitSection = service.slice(service.indexOf('[Unit]'), service.indexOf('[Service]'));
    expect(unitSection).toMatch(/^OnFailure=retention-alert@%n\.service$/m);
    expect(service.slice(service.indexOf('[Service]'))).not.toMatch(/OnFailure/);
  });

  it('the first night on the demo data: the nightly job is refused, the reviewed catch-up runs, then the nightly job passes', () => {
    const { dir, move } = site();
    expect(sh(`node scripts/demo-data.mjs ${join(dir, 'demo')}`).status).toBe(0);
    const demo = join(dir, 'demo', 'demo.db');
    const nightly = () => {
      const line = recipe('cron/retention.crontab')
        .split('\n')
        .find((l) => /^\d+ \d+ \* \* \*/.test(l))!;
      const command = line.split(/\s+/).slice(5).join(' ').replace('--policy policies', `--policy ${ROOT}/policies`);
      return sh(
        move(command)
          .replaceAll(join(dir, 'app.db'), demo)
          .replace(/ \|\| echo .*$/, ''),
      );
    };
    // The shipped policies on the demo data, instead of the site's.
    const script = move(recipe('first-night.sh').replaceAll('--policy policies', `--policy ${ROOT}/policies`)).replaceAll(
      join(dir, 'app.db'),
      demo,
    );
    writeFileSync(join(dir, 'first-night.sh'), script);
    const count = () =>
      sqliteRows(demo, 'SELECT sum(n) AS n FROM (SELECT count(*) AS n FROM ipcentral_cdr UNION ALL SELECT count(*) FROM belco_orders)')[0]
        .n;
    const before = count();

    // The first night: over the percent cap in many tables, refused, nothing changed.
    const first = nightly();
    expect(first.status).toBe(3);
    expect(readFileSync(join(dir, 'log', 'run.log'), 'utf8')).toMatch(
      /refused: more than --max-delete-percent 20% of a dataset would be deleted/,
    );
    expect(count()).toBe(before);

    // 1-2. report and the saved plan, shown.
    const plan = sh(`bash ${join(dir, 'first-night.sh')} plan`);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^Report of .*demo\.db as of /m);
    expect(plan.stdout).toMatch(/^Plan .*first-night-plan\.json$/m);
    expect(plan.stdout).toMatch(/^\d+ to delete, \d+ to redact\. Apply it with: retention purge --plan /m);
    expect(plan.stderr).toMatch(/Saved the plan to .*first-night-plan\.json: \d+ deletions, \d+ redactions in 34 datasets/);
    expect(count()).toBe(before);

    // 4. The catch-up, exactly the plan, with receipts.
    const apply = sh(`bash ${join(dir, 'first-night.sh')} apply`);
    expect(apply.status, apply.stderr).toBe(0);
    expect(count()).toBeLessThan(before as number);
    // Rebuilt once: no copy of the backlog is left in the file's free pages.
    expect(apply.stderr).not.toMatch(/free space|--vacuum/);
    expect(sh(`${ROOT}/bin/retention audit verify ${join(dir, 'log', 'audit.jsonl')}`).status).toBe(0);

    // 5. From the next night on, the nightly job keeps up within its caps.
    const next = nightly();
    expect(next.status, next.stderr).toBe(0);
  }, 300_000);

  it('the caps of the recipes refuse a purge that would delete too much (exit 3)', () => {
    const { db, move } = site();
    const exec = recipe('systemd/retention-purge.service')
      .split('\n')
      .find((l) => l.startsWith('ExecStart='))!
      .slice('ExecStart='.length);
    const r = sh(move(exec).replace('--max-delete 50000', '--max-delete 5'));
    expect(r.status).toBe(3);
    expect(sqliteRows(db, 'SELECT count(*) AS n FROM cdr')[0].n).toBe(100);
  });

  it('the GitHub Actions workflow steps pass on the shipped policies', () => {
    const wf = parse(recipe('github/retention-policies.yml'));
    const runs: string[] = wf.jobs.policies.steps
      .filter((s: { run?: string }) => s.run && s.run !== 'npm ci')
      .map((s: { run: string }) => s.run);
    expect(runs.length).toBe(2);
    for (const cmd of runs) {
      const r = sh(cmd);
      expect(r.status, `${cmd}\n${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).not.toMatch(/::error/);
    }
    expect(existsSync(join(ROOT, 'policies'))).toBe(true);
  });
});

describe('the weekly notice', () => {
  it('prints the records that become due in the next 7 days, one CSV line each, and nothing when there are none', () => {
    const { dir, move } = site();
    const line = recipe('cron/retention.crontab')
      .split('\n')
      .find((l) => /^\d+ \d+ \* \* 1 /.test(l))!;
    const command = move(line.split(/\s+/).slice(5).join(' '));
    // Calls whose 6-month deletion falls 1 to 12 days from now (a day apart from the 7-day edge).
    const now = new Date();
    const rows = [1, 2, 3, 5, 6, 8, 9, 12].map((k) => {
      const t = new Date(now);
      t.setUTCMonth(t.getUTCMonth() - 6);
      t.setUTCDate(t.getUTCDate() + k);
      return { id: k, started_at: t.toISOString(), service: 'mobile', ip_address: '10.0.0.1', legal_hold: 0 };
    });
    const db = sqliteTable(join(dir, 'soon.db'), 'cdr', rows);
    const r = sh(command.replace(join(dir, 'app.db'), db));
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(',').slice(0, 5).join(','))).toEqual(
      [1, 2, 3, 5, 6].map((k) => `cdr,${k},delete,ip-central,usage-data`),
    );
    for (const l of lines) expect(Date.parse(l.split(',')[5])).toBeGreaterThan(now.getTime());
    // A week with nothing becoming due prints nothing, so cron sends no mail.
    const quiet = sqliteTable(join(dir, 'quiet.db'), 'cdr', [rows[7]]);
    const q = sh(command.replace(join(dir, 'app.db'), quiet));
    expect([q.status, q.stdout]).toEqual([0, '']);
  });
});

describe('README shows the recipes as they are', () => {
  it('the crontab line and the workflow commands appear in the README verbatim', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const line = recipe('cron/retention.crontab')
      .split('\n')
      .find((l) => /^\d+ \d+ \* \* \*/.test(l))!;
    expect(readme).toContain(line);
    const weekly = recipe('cron/retention.crontab')
      .split('\n')
      .find((l) => /^\d+ \d+ \* \* 1 /.test(l))!;
    expect(readme).toContain(weekly);
    const exec = recipe('systemd/retention-purge.service')
      .split('\n')
      .find((l) => l.startsWith('ExecStart='))!;
    expect(line).toContain(`${exec.split('bin/retention')[1].split(' --policy')[0]} --policy`);
    expect(readme).toContain('bin/retention validate --strict policies/ --format github');
    expect(recipe('github/retention-policies.yml')).toContain('bin/retention validate --strict policies/ --format github');
    expect(readme).toContain('bin/retention test policies/\n--format github');
  });
});
