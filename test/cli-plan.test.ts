import { mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, csvText, sha, sqliteRows, sqliteTable, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY, CDR_ROWS } from './helpers/policy.js';

// Terraform's habit: plan -out, review, apply exactly that plan.
async function planned(kind: 'sqlite' | 'csv' = 'sqlite') {
  const dir = tempDir();
  const policy = write(dir, 'policy.yaml', CDR_POLICY);
  const source = kind === 'sqlite' ? sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS) : write(dir, 'cdr.csv', csvText(CDR_ROWS));
  const plan = join(dir, 'plan.json');
  const before = sha(source);
  const r = await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan]);
  expect(r.code, r.stderr).toBe(0);
  expect(sha(source)).toBe(before);
  return { dir, policy, source, plan };
}

const sql = (file: string, statement: string) => {
  const db = new Database(file);
  db.exec(statement);
  db.close();
};
const ids = (file: string) => sqliteRows(file, 'SELECT id FROM cdr ORDER BY id').map((r) => Number(r.id));
const apply = async (plan: string, ...extra: string[]) => await cli(['purge', '--plan', plan, '--format', 'json', ...extra]);

describe('plan files', () => {
  it('the plan is NDJSON: a header naming asOf, source and policy hashes, then each record with a hash of its values', async () => {
    const { plan, source } = await planned();
    const [head, ...records] = readFileSync(plan, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(head).toMatchObject({
      format: 'retention-plan/2',
      asOf: '2026-11-24T00:00:00.000+01:00',
      source: { path: realpathSync(source), kind: 'sqlite' },
    });
    expect(head.policies[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(records.map((r: { key: string; action: string; rule: string; match: string }) => [r.key, r.action, r.rule, r.match])).toEqual([
      ['1', 'delete', 'usage-data', 'key:1'],
      ['2', 'delete', 'usage-data', 'key:2'],
      ['4', 'redact', 'voip-ip-address', 'key:4'],
    ]);
    expect(records[0].values).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(['sqlite', 'csv'] as const)('%s: applying an unchanged plan does what the dry run showed', async (kind) => {
    const { plan, source } = await planned(kind);
    const r = await apply(plan);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.records.map((x: { key: string }) => x.key)).toEqual(['1', '2', '4']);
    expect(doc.datasets[0]).toMatchObject({ delete: 2, redact: 1, skipped: { changed: 0, disappeared: 0, held: 0, 'no-longer-due': 0 } });
    if (kind === 'sqlite') expect(ids(source)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses with exit 5 and changes nothing when a policy file changed since planning', async () => {
    const { plan, policy, source } = await planned();
    writeFileSync(policy, CDR_POLICY.replace('6 months', '5 months'));
    const before = sha(source);
    const r = await apply(plan);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/policy\.yaml changed since the plan was made/);
    expect(sha(source)).toBe(before);
  });

  it('skips, by reason, records that changed, disappeared, are held now or are no longer due', async () => {
    const { plan, source } = await planned();
    sql(
      source,
      `
      UPDATE cdr SET started_at = '2026-11-01T00:00:00+01:00' WHERE id = 1;  -- no longer due
      DELETE FROM cdr WHERE id = 2;                                            -- disappeared
      UPDATE cdr SET ip_address = '10.9.9.9' WHERE id = 4;                     -- changed, still due
    `,
    );
    const r = await apply(plan);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.records).toEqual([]);
    expect(doc.datasets[0].skipped).toEqual({ changed: 1, disappeared: 1, held: 0, 'no-longer-due': 1 });
    expect(ids(source)).toEqual([1, 3, 4, 5, 6, 7, 8, 9]);
    expect(sqliteRows(source, 'SELECT ip_address FROM cdr WHERE id = 4')[0].ip_address).toBe('10.9.9.9');
  });

  it('skips a record put on hold after planning', async () => {
    const { plan, source } = await planned();
    sql(source, 'UPDATE cdr SET legal_hold = 1 WHERE id = 1');
    const doc = JSON.parse((await apply(plan)).stdout);
    expect(doc.datasets[0].skipped.held).toBe(1);
    expect(ids(source)).toContain(1);
    expect(ids(source)).not.toContain(2);
  });

  it('never acts on a record that is not in the plan', async () => {
    const { plan, source } = await planned();
    sql(source, "INSERT INTO cdr (id, started_at, service, ip_address, legal_hold) VALUES (10, '2020-01-01', 'voip', '10.0.0.10', 0)");
    const doc = JSON.parse((await apply(plan)).stdout);
    expect(doc.records.map((x: { key: string }) => x.key)).toEqual(['1', '2', '4']);
    expect(ids(source)).toContain(10);
    // a direct purge would delete it
    expect(
      JSON.parse(
        (await cli(['purge', '--policy', join(source, '..', 'policy.yaml'), '--source', source, '--as-of', AS_OF, '--format', 'json']))
          .stdout,
      ).records.map((x: { key: string }) => x.key),
    ).toEqual(['10']);
  });

  it('usage: --plan-out needs --dry-run; --plan with a different --as-of is refused', async () => {
    const { plan, policy, source } = await planned();
    expect((await cli(['purge', '--policy', policy, '--source', source, '--plan-out', plan])).code).toBe(2);
    expect((await apply(plan, '--as-of', '2026-11-25')).code).toBe(2);
    expect((await cli(['purge'])).code).toBe(2);
  });
});

describe('a plan acts only on the source it was made for', () => {
  it('another database: exit 5, nothing changed; the same file by another name is the same source', async () => {
    const { dir, plan, source } = await planned();
    const prod = sqliteTable(join(dir, 'prod.db'), 'cdr', CDR_ROWS);
    const before = sha(prod);
    const r = await apply(plan, '--source', prod);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /the plan was made on sqlite source .*data\.db, not on sqlite source .*prod\.db; a plan acts only on the source it was reviewed on \(nothing was changed\)/,
    );
    expect(sha(prod)).toBe(before);
    const link = join(dir, 'alias.db');
    symlinkSync(source, link);
    const same = await apply(plan, '--source', link);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout).source).toEqual({ kind: 'sqlite', path: realpathSync(source) });
    expect(ids(source)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('a SQLite plan on a CSV directory: exit 5', async () => {
    const { dir, plan } = await planned();
    mkdirSync(join(dir, 'csv'));
    write(join(dir, 'csv'), 'cdr.csv', csvText(CDR_ROWS));
    const before = sha(join(dir, 'csv', 'cdr.csv'));
    const r = await apply(plan, '--source', join(dir, 'csv'));
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/not on csv source/);
    expect(sha(join(dir, 'csv', 'cdr.csv'))).toBe(before);
  });

  it('every purge says which source it acted on', async () => {
    const { policy, source } = await planned();
    const table = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF]);
    expect(table.stdout.split('\n')[0]).toBe(`Purge of ${realpathSync(source)} as of 2026-11-24T00:00:00.000+01:00`);
    const json = JSON.parse(
      (await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json'])).stdout,
    );
    expect(json.source).toEqual({ kind: 'sqlite', path: realpathSync(source) });
  });

  it('plan files are readable by their owner only', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
    const plan = join(dir, 'plan.json');
    const saved = process.umask(0o022);
    try {
      expect((await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan])).code).toBe(
        0,
      );
    } finally {
      process.umask(saved);
    }
    expect(statSync(plan).mode & 0o777).toBe(0o600);
  });
});

describe('CSV plans find their records by key, or by content without one', () => {
  it('deleting an unrelated line after planning moves the lines, not the records: all are applied, none skipped', async () => {
    const { dir, plan, source } = await planned('csv');
    const lines = readFileSync(source, 'utf8').split('\n');
    writeFileSync(source, [lines[0], ...lines.slice(2)].join('\n')); // the record with id 1 goes; it was planned
    writeFileSync(source, readFileSync(source, 'utf8').replace(/\n3,[^\n]*/, '')); // and an unplanned one
    const r = await apply(plan);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.records.map((x: { key: string }) => x.key)).toEqual(['2', '4']);
    expect(doc.datasets[0].skipped).toEqual({ changed: 0, disappeared: 1, held: 0, 'no-longer-due': 0 });
    expect(
      readFileSync(source, 'utf8')
        .split('\n')
        .map((l) => l.split(',')[0])
        .filter((x) => x),
    ).toEqual(['id', '4', '5', '6', '7', '8', '9']);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('without a key column, records are found by their content', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY.replace('    key: id\n', ''));
    const source = write(dir, 'cdr.csv', csvText(CDR_ROWS));
    const plan = join(dir, 'plan.json');
    expect((await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--plan-out', plan])).code).toBe(0);
    const lines = readFileSync(source, 'utf8').split('\n');
    writeFileSync(source, [lines[0], `99,2026-11-01,voip,10.0.0.99,0`, ...lines.slice(1)].join('\n'));
    const r = await apply(plan);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.datasets[0]).toMatchObject({ delete: 2, redact: 1, skipped: { changed: 0, disappeared: 0, held: 0, 'no-longer-due': 0 } });
    expect(
      readFileSync(source, 'utf8')
        .split('\n')
        .map((l) => l.split(',')[0])
        .filter((x) => x),
    ).toEqual(['id', '99', '3', '4', '5', '6', '7', '8', '9']);
  });
});
