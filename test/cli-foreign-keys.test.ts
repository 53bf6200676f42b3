import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, sha, sqliteRows, tempDir, write } from './helpers/cli.js';

// Foreign keys that block deletes (ON DELETE RESTRICT / NO ACTION, enforced by better-sqlite3):
// a record due for deletion that rows of another table still refer to is kept and counted, and
// the dry run says so exactly as the purge does it.
const AS_OF = '2026-11-24T00:00:00+01:00';
const DUE = '2026-01-01T10:00:00+01:00',
  FRESH = '2026-11-01T10:00:00+01:00';

function policy(dir: string, datasets: string[]): string {
  return write(
    dir,
    'p.yaml',
    `version: 1
name: fk
timezone: Europe/Amsterdam
datasets:
${datasets.map((d) => `  ${d}:\n    key: id`).join('\n')}
rules:
${datasets.map((d) => `  - id: ${d}-six-months\n    dataset: ${d}\n    from: started_at\n    delete_after: 6 months`).join('\n')}
`,
  );
}

function database(dir: string, sql: string): string {
  const file = join(dir, 'd.db');
  const db = new Database(file);
  db.exec(sql);
  db.close();
  return file;
}

const purge = async (p: string, s: string, ...extra: string[]) =>
  await cli(['purge', '--policy', p, '--source', s, '--as-of', AS_OF, '--format', 'json', ...extra]);
const ids = (s: string, table: string) => sqliteRows(s, `SELECT id FROM ${table} ORDER BY id`).map((r) => Number(r.id));

describe('foreign keys that block deletes', () => {
  // Without an index the references are copied once into a TEMP table; with one, each is a search.
  it.each([
    ['without an index on the referring column', ''],
    ['with one', 'CREATE INDEX lines_cdr ON invoice_lines(cdr_id);'],
  ])('a referenced record is kept and counted; the dry run is the purge; explain says why (%s)', async (_what, index) => {
    const dir = tempDir();
    const source = database(
      dir,
      `
      CREATE TABLE cdr (id INTEGER PRIMARY KEY, started_at TEXT);
      CREATE TABLE invoice_lines (id INTEGER PRIMARY KEY, cdr_id INTEGER REFERENCES cdr(id));
      ${index}
      INSERT INTO cdr VALUES (1, '${DUE}'), (2, '${DUE}'), (3, '${FRESH}'), (4, '${DUE}');
      INSERT INTO invoice_lines VALUES (1, 2), (2, 3), (3, NULL);`,
    );
    const p = policy(dir, ['cdr']);
    const before = sha(source);
    const dry = await purge(p, source, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(sha(source)).toBe(before);
    const planned = JSON.parse(dry.stdout);
    expect(planned.datasets[0]).toMatchObject({ scanned: 4, delete: 2, keep: 2, referenced: 1 });
    expect(planned.records.map((r: { key: string }) => r.key)).toEqual(['1', '4']);

    const ex = JSON.parse(
      (await cli(['explain', '--policy', p, '--source', source, '--dataset', 'cdr', '--key', '2', '--as-of', AS_OF, '--format', 'json']))
        .stdout,
    );
    expect(ex).toMatchObject({ action: 'keep', reason: 'referenced', problem: 'referred to by invoice_lines(cdr_id)' });

    const real = await purge(p, source);
    expect(real.code, real.stderr).toBe(0);
    const done = JSON.parse(real.stdout);
    expect(done.datasets).toEqual(planned.datasets);
    expect(done.records).toEqual(planned.records);
    expect(ids(source, 'cdr')).toEqual([2, 3]);
    const table = await cli(['report', '--policy', p, '--source', source, '--as-of', AS_OF]);
    expect(table.stdout).toMatch(/cdr: 1 records due for deletion are kept: rows of other tables still refer to them/);
  });

  it('a planned record that became referenced after the plan is kept when the plan is applied', async () => {
    const dir = tempDir();
    const source = database(
      dir,
      `
      CREATE TABLE cdr (id INTEGER PRIMARY KEY, started_at TEXT);
      CREATE TABLE invoice_lines (id INTEGER PRIMARY KEY, cdr_id INTEGER REFERENCES cdr(id));
      INSERT INTO cdr VALUES (1, '${DUE}'), (2, '${DUE}');`,
    );
    const p = policy(dir, ['cdr']);
    const plan = join(dir, 'plan.json');
    expect((await cli(['purge', '--dry-run', '--policy', p, '--source', source, '--as-of', AS_OF, '--plan-out', plan])).code).toBe(0);
    const db = new Database(source);
    db.exec('INSERT INTO invoice_lines VALUES (1, 2)');
    db.close();
    const r = await cli(['purge', '--plan', plan, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets[0]).toMatchObject({ delete: 1, keep: 1, referenced: 1, skipped: { 'no-longer-due': 1 } });
    expect(ids(source, 'cdr')).toEqual([2]);
  });

  it('when both tables are purged, the referring rows that are due go first and free what they held in the same run; the dry run says so; a second run changes nothing', async () => {
    const dir = tempDir();
    const source = database(
      dir,
      `
      CREATE TABLE customers (id INTEGER PRIMARY KEY, started_at TEXT);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, started_at TEXT, customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE RESTRICT);
      CREATE TABLE lines (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id));
      INSERT INTO customers VALUES (1, '${DUE}'), (2, '${DUE}'), (3, '${DUE}'), (4, '${DUE}');
      INSERT INTO orders VALUES (10, '${DUE}', 1), (11, '${FRESH}', 2), (12, '${DUE}', 4);
      INSERT INTO lines VALUES (1, 12);`,
    );
    // customer 1: its only order is due, so both go; 2: a fresh order holds it; 3: nothing refers
    // to it; 4: its order is due but a line (not purged) holds the order, so the order holds it.
    const p = policy(dir, ['customers', 'orders']); // referenced table listed first on purpose
    const dry = JSON.parse((await purge(p, source, '--dry-run')).stdout);
    expect(dry.datasets.map((d: { dataset: string }) => d.dataset)).toEqual(['orders', 'customers']);
    expect(dry.datasets[0]).toMatchObject({ delete: 1, referenced: 1 });
    expect(dry.datasets[1]).toMatchObject({ delete: 2, referenced: 2 });
    const explain = async (key: string) =>
      JSON.parse(
        (
          await cli([
            'explain',
            '--policy',
            p,
            '--source',
            source,
            '--dataset',
            'customers',
            '--key',
            key,
            '--as-of',
            AS_OF,
            '--format',
            'json',
          ])
        ).stdout,
      );
    expect(await explain('1')).toMatchObject({ action: 'delete' }); // its order goes first
    expect(await explain('2')).toMatchObject({ action: 'keep', reason: 'referenced' });
    const real = await purge(p, source);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).datasets).toEqual(dry.datasets);
    expect(ids(source, 'customers')).toEqual([2, 4]);
    expect(ids(source, 'orders')).toEqual([11, 12]);
    const again = JSON.parse((await purge(p, source)).stdout);
    expect(again.datasets.map((d: { delete: number }) => d.delete)).toEqual([0, 0]);
  });

  it('a table referring to itself is checked and changed in one transaction, so the dry run stays exact', async () => {
    const dir = tempDir();
    // Rows 1..60,000 (the first batches) refer to rows 60,001..120,000 (later batches).
    const rows = Array.from(
      { length: 120_000 },
      (_, i) => `(${i + 1}, '${i % 3 === 0 ? FRESH : DUE}', ${i < 60_000 ? i + 60_001 : 'NULL'})`,
    ).join(',');
    const source = database(
      dir,
      `
      CREATE TABLE comments (id INTEGER PRIMARY KEY, started_at TEXT, parent_id INTEGER REFERENCES comments(id));
      CREATE INDEX comments_parent ON comments(parent_id);
      INSERT INTO comments VALUES ${rows};`,
    );
    const p = policy(dir, ['comments']);
    const dry = JSON.parse((await purge(p, source, '--dry-run')).stdout);
    const real = await purge(p, source);
    expect(real.code, real.stderr).toBe(0);
    const done = JSON.parse(real.stdout);
    expect(done.datasets).toEqual(dry.datasets);
    expect(done.datasets[0].referenced).toBeGreaterThan(0);
    expect(ids(source, 'comments')).toHaveLength(120_000 - done.datasets[0].delete);
  });

  it('tables that refer to each other are refused for a purge before anything changes; report still counts', async () => {
    const dir = tempDir();
    const source = database(
      dir,
      `
      CREATE TABLE a (id INTEGER PRIMARY KEY, started_at TEXT, b_id INTEGER REFERENCES b(id));
      CREATE TABLE b (id INTEGER PRIMARY KEY, started_at TEXT, a_id INTEGER REFERENCES a(id));
      INSERT INTO a VALUES (1, '${DUE}', NULL); INSERT INTO b VALUES (1, '${DUE}', 1);`,
    );
    const p = policy(dir, ['a', 'b']);
    const before = sha(source);
    const r = await purge(p, source);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refer to each other through foreign keys/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(sha(source)).toBe(before);
    const rep = await cli(['report', '--policy', p, '--source', source, '--as-of', AS_OF, '--format', 'json']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(JSON.parse(rep.stdout).datasets.find((d: { dataset: string }) => d.dataset === 'a')).toMatchObject({ scanned: 1 });
  });

  it('a referenced record that is also due for redaction is redacted (not deleted, not left whole)', async () => {
    const dir = tempDir();
    const source = database(
      dir,
      `
      CREATE TABLE cdr (id INTEGER PRIMARY KEY, started_at TEXT, ip TEXT);
      CREATE TABLE invoice_lines (id INTEGER PRIMARY KEY, cdr_id INTEGER REFERENCES cdr(id));
      INSERT INTO cdr VALUES (1, '${DUE}', '10.0.0.1'), (2, '${DUE}', '10.0.0.2');
      INSERT INTO invoice_lines VALUES (1, 2);`,
    );
    const p = write(
      dir,
      'p.yaml',
      `version: 1
name: fk
timezone: Europe/Amsterdam
datasets:
  cdr:
    key: id
rules:
  - id: usage
    dataset: cdr
    from: started_at
    delete_after: 6 months
  - id: ip
    dataset: cdr
    from: started_at
    redact_after: 3 months
    redact: [ip]
`,
    );
    const dry = JSON.parse((await purge(p, source, '--dry-run')).stdout);
    expect(dry.datasets[0]).toMatchObject({ delete: 1, redact: 1, keep: 0, referenced: 0 });
    expect(dry.records.map((r: { key: string; action: string }) => [r.key, r.action])).toEqual([
      ['1', 'delete'],
      ['2', 'redact'],
    ]);
    const ex = JSON.parse(
      (await cli(['explain', '--policy', p, '--source', source, '--dataset', 'cdr', '--key', '2', '--as-of', AS_OF, '--format', 'json']))
        .stdout,
    );
    expect(ex).toMatchObject({ action: 'redact', columns: ['ip'] });
    const real = await purge(p, source);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).datasets).toEqual(dry.datasets);
    expect(sqliteRows(source, 'SELECT id, ip FROM cdr')).toEqual([{ id: 2, ip: null }]);
  });

  it("references compare as the parent column does (COLLATE NOCASE), as SQLite's own check does", async () => {
    const dir = tempDir();
    const source = database(
      dir,
      `
      CREATE TABLE codes (id TEXT PRIMARY KEY COLLATE NOCASE, started_at TEXT);
      CREATE TABLE uses (id INTEGER PRIMARY KEY, code TEXT REFERENCES codes(id));
      INSERT INTO codes VALUES ('ABC', '${DUE}'), ('XYZ', '${DUE}');
      INSERT INTO uses VALUES (1, 'abc');`,
    );
    const p = policy(dir, ['codes']);
    const dry = JSON.parse((await purge(p, source, '--dry-run')).stdout);
    expect(dry.datasets[0]).toMatchObject({ delete: 1, referenced: 1 });
    const real = await purge(p, source);
    expect(real.code, real.stderr).toBe(0);
    expect(sqliteRows(source, 'SELECT id FROM codes')).toEqual([{ id: 'ABC' }]);
  });
});
