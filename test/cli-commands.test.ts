import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, cli, csvText, logLines, logText, sqliteTable, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY, CDR_ROWS } from './helpers/policy.js';

function db() {
  const dir = tempDir();
  return { dir, policy: write(dir, 'p.yaml', CDR_POLICY), source: sqliteTable(join(dir, 'd.sqlite'), 'cdr', CDR_ROWS) };
}

describe('validate', () => {
  it('exits 0 on valid files and directories, 1 with file:line:col for every error of every file', async () => {
    const dir = tempDir();
    write(dir, 'good.yaml', CDR_POLICY);
    const bad = write(
      dir,
      'bad.yml',
      CDR_POLICY.replace('delete_after: 6 months', 'delete_after: 6 monhts').replace(
        'timezone: Europe/Amsterdam',
        'timezone: Mars/Olympus',
      ),
    );
    write(dir, 'bad.test.yaml', 'not: a policy');
    const ok = await cli(['validate', join(dir, 'good.yaml')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/1 policy file valid/);
    const r = await cli(['validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${bad}:4:11: error: unknown timezone "Mars/Olympus"`);
    expect(r.stdout).toContain(`${bad}:13:19: error: "6 monhts" is not a valid period`);
    expect(r.stdout).not.toContain('bad.test.yaml');
    const j = await cli(['validate', dir, '--format', 'json']);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout);
    expect(doc.valid).toBe(false);
    expect(doc.problems).toHaveLength(2);
    expect(doc.problems[0]).toMatchObject({ file: bad, line: 4, col: 11, severity: 'error' });
  });

  it('exits 2 on wrong usage', async () => {
    expect((await cli(['validate', '--bogus'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['report', '--policy', 'x.yaml'])).code).toBe(2);
    expect((await cli(['purge', '--policy', 'x', '--source', 'y', '--max-delete', 'many'])).code).toBe(2);
    expect((await cli([])).code).toBe(2); // no command: help on stderr, wrong usage
    expect((await cli(['--help'])).code).toBe(0);
    for (const d of [';;', '"', '']) {
      const r = await cli(['report', '--policy', 'x', '--source', 'y.csv', '--delimiter', d]);
      expect(r.code, d).toBe(2);
      expect(r.stderr).toMatch(/--delimiter/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--delimiter tab (or \\t) reads tab-separated files', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const tsv = write(dir, 'cdr.csv', csvText(CDR_ROWS).replace(/,/g, '\t'));
    for (const d of ['tab', '\\t', '\t']) {
      const r = await cli(['report', '--policy', policy, '--source', tsv, '--as-of', AS_OF, '--format', 'json', '--delimiter', d]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).datasets[0]).toMatchObject({ scanned: 9, delete: 2, redact: 1 });
    }
  });

  it('a missing path is an error, not a crash', async () => {
    const r = await cli(['validate', '/nonexistent/policies']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no such file or directory/);
  });
});

describe('report', () => {
  it('prints SPEC §4 JSON: counts per dataset, and records only with --records', async () => {
    const { policy, source } = db();
    const r = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.asOf).toBe('2026-11-24T00:00:00.000+01:00');
    expect(doc.dryRun).toBeUndefined();
    expect(doc.records).toBeUndefined();
    expect(doc.datasets[0]).toMatchObject({ dataset: 'cdr', scanned: 9, delete: 2, redact: 1, keep: 6, held: 1, invalid: 1, unmanaged: 0 });
    const d = doc.datasets[0];
    expect(d.scanned).toBe(d.delete + d.redact + d.keep);
    const rr = JSON.parse(
      (await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json', '--records'])).stdout,
    );
    expect(rr.records).toHaveLength(3);
  });

  it('a date as --as-of means its start in the policy timezone', async () => {
    const { policy, source } = db();
    const doc = JSON.parse(
      (await cli(['report', '--policy', policy, '--source', source, '--as-of', '2026-11-24', '--format', 'json'])).stdout,
    );
    expect(doc.asOf).toBe('2026-11-24T00:00:00.000+01:00');
    expect(doc.datasets[0].delete).toBe(2);
    const earlier = JSON.parse(
      (await cli(['report', '--policy', policy, '--source', source, '--as-of', '2026-11-23T23:59:59.999+01:00', '--format', 'json']))
        .stdout,
    );
    expect(earlier.datasets[0].delete).toBe(1);
  });

  it('--fail-if-due exits 4 when something is due, 0 when nothing is', async () => {
    const { policy, source } = db();
    expect((await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--fail-if-due'])).code).toBe(4);
    expect((await cli(['report', '--policy', policy, '--source', source, '--as-of', '2026-01-01', '--fail-if-due'])).code).toBe(0);
  });

  it('prints a table per dataset and rule, and CSV', async () => {
    const { policy, source } = db();
    const t = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF]);
    expect(t.stdout).toMatch(/cdr\s+\(all rules\)\s+9\s+2\s+1\s+6\s+1\s+1\s+0/);
    expect(t.stdout).toMatch(/ip-central\/usage-data\s+2\s+0\s+2026-11-24T00:00:01\.000\+01:00/);
    const c = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'csv']);
    expect(c.stdout.split('\n')[0]).toBe('dataset,policy,rule,scanned,delete,redact,keep,held,invalid,unmanaged,next_due');
    expect(c.stdout).toContain('cdr,,,9,2,1,6,1,1,0,');
    const rc = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'csv', '--records']);
    expect(rc.stdout).toContain('cdr,4,redact,ip-central,voip-ip-address,2026-10-01T12:00:00.000+02:00,ip_address');
  });

  it('logs go to stderr as JSON, results alone on stdout', async () => {
    const { policy, source } = db();
    const r = await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json', '--log-level', 'info']);
    JSON.parse(r.stdout);
    expect(r.stderr).not.toMatch(/\r|\x1b\[/); // no progress bar on a pipe
    const logs = logLines(r.stderr);
    expect(logs.some((l) => l.msg === 'record kept: a value could not be read' && l.key === '7')).toBe(true);
  });

  // `script` (util-linux) runs the CLI on a pseudo-terminal, where the bar is drawn on stderr.
  it.runIf(spawnSync('script', ['--version']).status === 0)(
    'on a terminal, a scan longer than a second draws a progress bar and clears it',
    () => {
      const dir = tempDir();
      const policy = write(dir, 'p.yaml', CDR_POLICY);
      const source = join(dir, 'big.db');
      const db = new Database(source);
      db.exec(`CREATE TABLE cdr (id INTEGER PRIMARY KEY, started_at TEXT, service TEXT, ip_address TEXT, legal_hold INTEGER);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)
      INSERT INTO cdr SELECT i, '2026-0' || (1 + i % 9) || '-15T10:00:00Z', 'voip', '10.0.0.1', 0 FROM n`);
      db.close();
      const cmd = [process.execPath, BIN, 'report', '--policy', policy, '--source', source, '--as-of', AS_OF]
        .map((a) => `'${a}'`)
        .join(' ');
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      expect(r.status, r.stdout).toBe(0);
      expect(r.stdout).toMatch(/\r\x1b\[Kscanning cdr \[#*-*\] \d+% [\d,]+ records\/s/);
      // cleared before the results: the report starts on a clean line
      expect(r.stdout).toMatch(/\r\x1b\[KReport of .* as of /);
      expect(r.stdout).toMatch(/cdr\s+\(all rules\)\s+3000000\s/);
    },
    60_000,
  );

  it('invalid policy: exit 1 with the problem and no stack trace; unknown source: exit 1', async () => {
    const { dir, source } = db();
    const bad = write(dir, 'bad.yaml', CDR_POLICY.replace('dataset: cdr\n    from', 'dataset: cdrs\n    from'));
    const r = await cli(['report', '--policy', bad, '--source', source]);
    expect(r.code).toBe(1);
    expect(logText(r.stderr)).toMatch(
      /bad\.yaml:\d+:\d+: error: rule "usage-data" \(line \d+\) names dataset "cdrs", which is not declared under datasets; did you mean "cdr"\?/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const s = await cli(['report', '--policy', join(dir, 'p.yaml'), '--source', join(dir, 'nope.db')]);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/does not exist/);
  });
});

describe('explain', () => {
  it.each([
    ['1', 'DELETE by ip-central/usage-data', 'shortest deletion'],
    ['4', 'REDACT by ip-central/voip-ip-address (columns ip_address)', 'redaction'],
    ['5', 'KEEP', 'legal minimum not reached'],
    ['6', 'KEEP', 'held'],
    ['7', 'KEEP', 'invalid value'],
    ['3', 'KEEP', 'not due'],
  ])('record %s: %s because %s', async (key, verdict, principle) => {
    const { policy, source } = db();
    const r = await cli(['explain', '--policy', policy, '--source', source, '--dataset', 'cdr', '--key', key, '--as-of', AS_OF]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`verdict: ${verdict}\n`);
    expect(r.stdout).toContain(`because: ${principle}`);
  });

  it('shows start and due of each applying rule, and names an unknown key', async () => {
    const { policy, source } = db();
    const j = JSON.parse(
      (
        await cli([
          'explain',
          '--policy',
          policy,
          '--source',
          source,
          '--dataset',
          'cdr',
          '--key',
          '2',
          '--as-of',
          AS_OF,
          '--format',
          'json',
        ])
      ).stdout,
    );
    expect(j.rules.find((r: { rule: string }) => r.rule === 'usage-data')).toMatchObject({
      start: '2026-05-24T00:00:00.000+02:00',
      due: '2026-11-24T00:00:00.000+01:00',
      status: 'due',
    });
    const r = await cli(['explain', '--policy', policy, '--source', source, '--dataset', 'cdr', '--key', '99', '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(logText(r.stderr)).toMatch(/no record with id "99"/);
  });
});

describe('CSV sources', () => {
  it('keeps exact bytes of kept records, BOM, CRLF and quoting; redacted records get minimal quoting', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const text =
      '\ufeffid,started_at,service,ip_address,legal_hold,note\r\n' +
      '1,2026-01-01T10:00:00+01:00,voip,10.0.0.1,0,"gone, soon"\r\n' +
      '"3","2026-05-24T00:00:01+02:00","mobile","10.0.0.3","0","kept ""as is"", quoted\r\nwith a newline"\r\n' +
      '4,2026-07-01 12:00:00,voip,"10.0.0.4",0,"redacted, ip"\r\n' +
      '5,2026-08-01,voip,10.0.0.5,0,plain';
    const file = write(dir, 'cdr.csv', text);
    expect((await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF])).code).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8')).toBe(
      '\ufeffid,started_at,service,ip_address,legal_hold,note\r\n' +
        '"3","2026-05-24T00:00:01+02:00","mobile","10.0.0.3","0","kept ""as is"", quoted\r\nwith a newline"\r\n' +
        '4,2026-07-01 12:00:00,voip,,0,"redacted, ip"\r\n' +
        '5,2026-08-01,voip,10.0.0.5,0,plain',
    );
  });

  it.each([
    [
      'a ragged row',
      'id,started_at,service,ip_address,legal_hold\n1,2026-01-01,voip,x,0\n2,2026-01-01,voip\n',
      /cdr\.csv:3: record has 3 fields but the header has 5/,
    ],
    [
      'an unterminated quote',
      'id,started_at,service,ip_address,legal_hold\n1,2026-01-01,voip,x,0\n2,2026-01-01,voip,"x,0\n3,a,b,c,d\n',
      /cdr\.csv:3:.*quote/i,
    ],
  ])('%s: exit 1 with the line number, file unchanged', async (_name, text, message) => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const file = write(dir, 'cdr.csv', text as string);
    const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message as RegExp);
    const { readFileSync, readdirSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(dir).sort()).toEqual(['cdr.csv', 'p.yaml']);
  });

  it('a directory whose last file is malformed: no file changes (several files are all read before the first is rewritten)', async () => {
    const dir = tempDir();
    const policy = write(
      dir,
      'p.yaml',
      'version: 1\nname: two\ntimezone: UTC\ndatasets:\n  a: { key: id }\n  b: { key: id }\nrules:\n  - { id: a, dataset: a, from: at, delete_after: 30 days }\n  - { id: b, dataset: b, from: at, delete_after: 30 days }\n',
    );
    const data = join(dir, 'export');
    mkdirSync(data);
    const a = 'id,at\n1,2020-01-01T00:00:00Z\n2,2026-11-20T00:00:00Z\n';
    const b = 'id,at\n1,2020-01-01T00:00:00Z\n2,2026-11-20T00:00:00Z,extra\n';
    write(data, 'a.csv', a);
    write(data, 'b.csv', b);
    const r = await cli(['purge', '--policy', policy, '--source', data, '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/b\.csv:3: record has 3 fields but the header has 2/);
    const { readFileSync, readdirSync } = await import('node:fs');
    expect(readFileSync(join(data, 'a.csv'), 'utf8')).toBe(a);
    expect(readFileSync(join(data, 'b.csv'), 'utf8')).toBe(b);
    expect(
      readdirSync(data)
        .filter((f) => !f.endsWith('.retention-lock'))
        .sort(),
    ).toEqual(['a.csv', 'b.csv']);
  });

  it('reads a directory of CSV files, one dataset per file, skipping files no policy declares', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const data = join(dir, 'export');
    mkdirSync(data);
    write(data, 'cdr.csv', csvText(CDR_ROWS));
    write(data, 'other.csv', 'a,b\n1,2\n');
    const r = await cli(['report', '--policy', policy, '--source', data, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets.map((d: { dataset: string }) => d.dataset)).toEqual(['cdr']);
  });
});

describe('odd sources and instants', () => {
  it('a pipe named .csv is refused at once; two files that would be one dataset are refused; unnamed header columns are fine', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const fifo = join(dir, 'cdr.csv');
    execFileSync('mkfifo', [fifo]);
    const r = await cli(['report', '--policy', policy, '--source', fifo, '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a regular file/);

    const twins = join(dir, 'twins');
    mkdirSync(twins);
    write(twins, 'cdr.csv', csvText(CDR_ROWS));
    write(twins, 'CDR.CSV', csvText(CDR_ROWS));
    const t = await cli(['report', '--policy', policy, '--source', twins, '--as-of', AS_OF]);
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/would be the same dataset/);

    const excel = join(dir, 'excel');
    mkdirSync(excel);
    write(excel, 'cdr.csv', csvText(CDR_ROWS).replace(/\n/g, ',,\n'));
    const e = await cli(['report', '--policy', policy, '--source', excel, '--as-of', AS_OF, '--format', 'json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).datasets[0]).toMatchObject({ scanned: 9, delete: 2 });
  });

  it('an --as-of with a bracketed zone name is wrong usage, not an instant read as something else', async () => {
    const { policy, source } = db();
    expect((await cli(['report', '--policy', policy, '--source', source, '--as-of', '2026-01-01T00:00:00Z[Europe/Amsterdam]'])).code).toBe(
      2,
    );
  });
});
