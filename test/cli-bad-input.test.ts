import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, csvText, logText, sha, sqliteRows, sqliteTable, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY, CDR_ROWS } from './helpers/policy.js';

// Bad input must not crash the tool, nor make it do more than the user meant.

const BOMB = `version: 1
name: bomb
datasets: { d: {} }
rules: []
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
`;

function cdr(kind: 'sqlite' | 'csv' = 'sqlite') {
  const dir = tempDir();
  const policy = write(dir, 'policy.yaml', CDR_POLICY);
  const source = kind === 'sqlite' ? sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS) : write(dir, 'cdr.csv', csvText(CDR_ROWS));
  return { dir, policy, source };
}

describe('policy files that would exhaust the parser', () => {
  it('an alias bomb is a policy error at its line, in every format, with no stack trace', async () => {
    const dir = tempDir();
    const file = write(dir, 'bomb.yaml', BOMB);
    const text = await cli(['validate', file]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${file}:6:8: error: YAML: aliases (*name) expand to more than 100 copies`);
    expect(text.stderr).not.toMatch(/internal error|ReferenceError|at /);
    const json = JSON.parse((await cli(['validate', file, '--format', 'json'])).stdout);
    expect(json).toMatchObject({ valid: false, problems: [{ line: 6, col: 8, severity: 'error' }] });
    expect((await cli(['validate', file, '--format', 'github'])).stdout).toMatch(/^::error file=.*bomb\.yaml,line=6,col=8::YAML: aliases/m);
    const run = await cli(['report', '--policy', file, '--source', cdr().source]);
    expect(run.code).toBe(1);
    expect(logText(run.stderr)).toMatch(/invalid policy; nothing was read or changed:\n.*bomb\.yaml:6:8/);
  });

  it('a policy file over 1 MiB is refused unread', async () => {
    const dir = tempDir();
    const file = write(dir, 'big.yaml', `version: 1\nname: big\ndatasets: {}\nrules: []\n#${'x'.repeat(1 << 20)}\n`);
    const r = await cli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/big\.yaml: error: the file has \d+ bytes, more than the 1048576/);
  });
});

describe('a purge acts on the present', () => {
  it('refuses an --as-of later than now (exit 2, nothing changed) unless --allow-future-as-of; report and dry run look ahead', async () => {
    const { policy, source } = cdr();
    const before = sha(source);
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', '2099-01-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/asOf 2099-01-01T00:00:00.000\+01:00 is later than now .*--allow-future-as-of/);
    expect(sha(source)).toBe(before);
    const dry = await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', '2099-01-01', '--format', 'json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).datasets[0].delete).toBe(6);
    expect((await cli(['report', '--policy', policy, '--source', source, '--as-of', '2099-01-01'])).code).toBe(0);
    expect(sha(source)).toBe(before);
    const allowed = await cli(['purge', '--policy', policy, '--source', source, '--as-of', '2099-01-01', '--allow-future-as-of']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(sqliteRows(source, 'SELECT count(*) AS n FROM cdr')[0].n).toBe(3);
  });
});

describe('implausible timestamps', () => {
  it('milliseconds in a unix column are invalid (kept and counted), not the year 51969', async () => {
    const dir = tempDir();
    const policy = write(
      dir,
      'p.yaml',
      `version: 1\nname: u\ndatasets:\n  ev: { key: id, timestamps: unix }\nrules:\n  - { id: r, dataset: ev, from: at, delete_after: 30 days }\n`,
    );
    const source = sqliteTable(join(dir, 'd.db'), 'ev', [
      { id: 1, at: 1577836800 },
      { id: 2, at: 1577836800000 },
      { id: 3, at: '253402300800' },
    ]);
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets[0]).toMatchObject({ scanned: 3, delete: 1, invalid: 2, keep: 2 });
    expect(sqliteRows(source, 'SELECT id FROM ev ORDER BY id').map((x) => x.id)).toEqual([2, 3]);
  });
});

/** A user who may read the test's files but not write them: nobody, when the tests run as root. */
function reader(dir: string): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  chmodSync(dir, 0o755);
  return { uid: 65534, gid: 65534 };
}

describe('the dry run refuses what the real run could not do', () => {
  it('a read-only database: dry run and purge exit 1 with the reason, nothing changed', async () => {
    const { dir, policy, source } = cdr();
    const as = reader(dir);
    chmodSync(source, 0o444);
    chmodSync(dir, 0o777);
    const before = sha(source);
    for (const args of [['--dry-run'], []]) {
      const r = await cli(['purge', ...args, '--policy', policy, '--source', source, '--as-of', AS_OF], as);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/data\.db cannot be written by this user \(permission denied\); a purge would fail/);
    }
    expect(sha(source)).toBe(before);
    expect((await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF], as)).code).toBe(0);
  });

  it('a CSV file in a directory this user cannot write: dry run and purge exit 1 with the reason', async () => {
    const { dir, policy, source } = cdr('csv');
    const as = reader(dir);
    chmodSync(source, 0o666);
    chmodSync(dir, 0o555);
    try {
      for (const args of [['--dry-run'], []]) {
        const r = await cli(['purge', ...args, '--policy', policy, '--source', source, '--as-of', AS_OF], as);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(
          /directory .* cannot be written by this user \(permission denied\), and a purge writes the new file there/,
        );
      }
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(readdirSync(dir).sort()).toEqual(['cdr.csv', 'policy.yaml']);
  });
});

describe('a dataset the policies declare and the source lacks', () => {
  it('refuses a purge and its dry run (exit 1, nothing changed); --allow-missing-datasets skips it; report warns', async () => {
    const { dir, policy, source } = cdr();
    writeFileSync(
      policy,
      CDR_POLICY.replace('datasets:\n', 'datasets:\n  calls: { key: id }\n') +
        '  - { id: calls-gone, dataset: calls, from: at, delete_after: 1 day }\n',
    );
    const before = sha(source);
    for (const args of [['--dry-run'], []]) {
      const r = await cli(['purge', ...args, '--policy', policy, '--source', source, '--as-of', AS_OF]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/has no dataset calls, which the policies declare; .*--allow-missing-datasets/);
    }
    expect(sha(source)).toBe(before);
    const report = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--log-level', 'warn']);
    expect(report.code).toBe(0);
    expect(report.stderr).toMatch(/datasets declared by the policies are not in the source/);
    const allowed = await cli([
      'purge',
      '--policy',
      policy,
      '--source',
      source,
      '--as-of',
      AS_OF,
      '--allow-missing-datasets',
      '--log-level',
      'warn',
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/"datasets":\["calls"\]/);
    expect(sqliteRows(`${dir}/data.db`, 'SELECT count(*) AS n FROM cdr')[0].n).toBe(7);
  });
});

describe('many CSV files', () => {
  it('a directory of 12 files purges with nothing on stderr at --log-level silent (no listener warnings)', async () => {
    const dir = tempDir();
    const names = Array.from({ length: 12 }, (_, i) => `t${i}`);
    for (const n of names) write(dir, `${n}.csv`, 'id,at\n1,2020-01-01\n2,2026-11-20\n');
    const policy = write(
      tempDir(),
      'p.yaml',
      `version: 1\nname: m\ndatasets:\n${names.map((n) => `  ${n}: { key: id }\n`).join('')}rules:\n${names.map((n) => `  - { id: r-${n}, dataset: ${n}, from: at, delete_after: 30 days }\n`).join('')}`,
    );
    const r = await cli(['purge', '--policy', policy, '--source', dir, '--as-of', AS_OF, '--log-level', 'silent']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const n of names) expect(readFileSync(join(dir, `${n}.csv`), 'utf8')).toBe('id,at\n2,2026-11-20\n');
  });
});
