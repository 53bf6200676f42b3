import { chownSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, sha, sqliteRows, tempDir, write } from './helpers/cli.js';

// Schema features that would make a purge change rows no policy decided on are refused before
// anything changes (dry run and purge alike); the rest is addressed exactly.
const AS_OF = '2026-01-01T00:00:00Z';

function setup(sql: string, rules: string) {
  const dir = tempDir();
  const file = join(dir, 'd.db');
  const db = new Database(file);
  db.exec(sql);
  db.close();
  const policy = write(
    dir,
    'p.yaml',
    `version: 1\nname: s\ntimezone: UTC\ndatasets:\n  a:\n    key: id\n    hold: legal_hold\nrules:\n${rules}`,
  );
  return { file, policy };
}
const DELETE = '  - id: del\n    dataset: a\n    from: ts\n    delete_after: 30 days\n';
const REDACT = '  - id: red\n    dataset: a\n    from: ts\n    redact_after: 10 days\n    redact: [ip]\n';

describe('SQLite schemas a purge must respect', () => {
  it.each([
    ['a DELETE trigger', 'CREATE TRIGGER ta AFTER DELETE ON a BEGIN DELETE FROM other; END;', DELETE, /triggers ta would run/],
    [
      'an UPDATE trigger, when redacting',
      'CREATE TRIGGER tu AFTER UPDATE OF ip ON a BEGIN DELETE FROM other; END;',
      REDACT,
      /triggers tu would run/,
    ],
  ])('%s is refused before anything changes', async (_what, trigger, rules, message) => {
    const { file, policy } = setup(
      `CREATE TABLE a (id INTEGER PRIMARY KEY, ts TEXT, ip TEXT, legal_hold INTEGER); CREATE TABLE other (x);
      INSERT INTO other VALUES (1); INSERT INTO a VALUES (1, '2020-01-01', '10.0.0.1', 0); ${trigger}`,
      rules,
    );
    const before = sha(file);
    for (const extra of [['--dry-run'], []]) {
      const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF, ...extra]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(sha(file)).toBe(before);
    expect((await cli(['report', '--policy', policy, '--source', file, '--as-of', AS_OF])).code).toBe(0);
  });

  it('an UPDATE trigger does not stop a purge that only deletes; an INSERT trigger stops nothing', async () => {
    const { file, policy } = setup(
      `CREATE TABLE a (id INTEGER PRIMARY KEY, ts TEXT, ip TEXT, legal_hold INTEGER); CREATE TABLE other (x);
      INSERT INTO a VALUES (1, '2020-01-01', '10.0.0.1', 0), (2, '2025-12-31', '10.0.0.2', 0);
      CREATE TRIGGER tu AFTER UPDATE ON a BEGIN DELETE FROM other; END; CREATE TRIGGER ti AFTER INSERT ON a BEGIN DELETE FROM other; END;`,
      DELETE,
    );
    const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF]);
    expect(r.code, r.stderr).toBe(0);
    expect(sqliteRows(file, 'SELECT id FROM a')).toEqual([{ id: 2 }]);
  });

  it('redacting a column other tables refer to is refused', async () => {
    const { file, policy } = setup(
      `CREATE TABLE a (id INTEGER PRIMARY KEY, ts TEXT, ip TEXT UNIQUE, legal_hold INTEGER);
      CREATE TABLE c (id INTEGER PRIMARY KEY, a_ip TEXT REFERENCES a(ip) ON UPDATE CASCADE);
      INSERT INTO a VALUES (1, '2020-01-01', '10.0.0.1', 0); INSERT INTO c VALUES (1, '10.0.0.1');`,
      REDACT,
    );
    const before = sha(file);
    const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/column ip is referred to by other tables' foreign keys/);
    expect(sha(file)).toBe(before);
  });

  it("a column named rowid does not take the place of the row's id (a redaction touches its row only)", async () => {
    const { file, policy } = setup(
      `CREATE TABLE a (rowid INTEGER, id INTEGER, ts TEXT, ip TEXT, legal_hold INTEGER);
      INSERT INTO a VALUES (7, 1, '2025-12-20', 'ip1', 0), (7, 2, '2025-12-31', 'ip2', 0), (7, 3, '2025-12-01', 'ip3', 1);`,
      REDACT,
    );
    const dry = JSON.parse(
      (await cli(['purge', '--dry-run', '--policy', policy, '--source', file, '--as-of', AS_OF, '--format', 'json'])).stdout,
    );
    expect(dry.records.map((x: { key: string }) => x.key)).toEqual(['1']);
    const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF]);
    expect(r.code, r.stderr).toBe(0);
    expect(sqliteRows(file, 'SELECT id, ip FROM a ORDER BY id')).toEqual([
      { id: 1, ip: null },
      { id: 2, ip: 'ip2' },
      { id: 3, ip: 'ip3' },
    ]);
  });

  it('tables whose names start with "sqlite" but are not SQLite\'s own are datasets too', async () => {
    const dir = tempDir();
    const file = join(dir, 'd.db');
    const db = new Database(file);
    db.exec("CREATE TABLE sqlite1data (id INTEGER PRIMARY KEY, ts TEXT); INSERT INTO sqlite1data VALUES (1, '2020-01-01');");
    db.close();
    const policy = write(
      dir,
      'p.yaml',
      'version: 1\nname: s\ntimezone: UTC\ndatasets:\n  sqlite1data:\n    key: id\nrules:\n  - id: del\n    dataset: sqlite1data\n    from: ts\n    delete_after: 30 days\n',
    );
    const r = await cli(['report', '--policy', policy, '--source', file, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets[0]).toMatchObject({ dataset: 'sqlite1data', delete: 1 });
  });
});

describe('a purge that fails halfway', () => {
  it('fails with one clear line, and the datasets purged before it have their receipt in the audit log', async () => {
    const dir = tempDir();
    const file = join(dir, 'd.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE a (id INTEGER PRIMARY KEY, ts TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, ts TEXT, ip TEXT CHECK (ip IS NOT NULL));
      INSERT INTO a VALUES (1, '2020-01-01'), (2, '2025-12-31'); INSERT INTO b VALUES (1, '2020-01-01', '10.0.0.1');`);
    db.close();
    const policy = write(
      dir,
      'p.yaml',
      `version: 1\nname: s\ntimezone: UTC\ndatasets:\n  a:\n    key: id\n  b:\n    key: id\nrules:\n${DELETE}  - id: red\n    dataset: b\n    from: ts\n    redact_after: 10 days\n    redact: [ip]\n`,
    );
    const audit = join(dir, 'audit.jsonl');
    const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF, '--audit-log', audit]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot change table b in .*CHECK constraint failed.*rolled back/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(sqliteRows(file, 'SELECT id FROM a')).toEqual([{ id: 2 }]);
    expect(sqliteRows(file, 'SELECT ip FROM b')).toEqual([{ ip: '10.0.0.1' }]);
    const lines = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['run', 'receipt', 'run']);
    expect(lines[1]).toMatchObject({ dataset: 'a', rule: 'del', action: 'delete', count: 1 });
    expect(lines[2]).toMatchObject({
      event: 'end',
      outcome: 'failed',
      deleted: 1,
      redacted: 0,
      message: expect.stringMatching(/CHECK constraint failed/),
    });
  });
});

describe.runIf(process.getuid?.() === 0)('CSV files owned by someone else (running as root)', () => {
  it('keep their owner and group after a purge', async () => {
    const dir = tempDir();
    const file = write(dir, 'a.csv', 'id,ts\n1,2020-01-01\n2,2025-12-31\n');
    chownSync(file, 65534, 65534);
    const policy = write(dir, 'p.yaml', `version: 1\nname: s\ntimezone: UTC\ndatasets:\n  a:\n    key: id\nrules:\n${DELETE}`);
    const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('id,ts\n2,2025-12-31\n');
    expect([statSync(file).uid, statSync(file).gid]).toEqual([65534, 65534]);
  });
});
