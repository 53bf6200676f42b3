import { existsSync, linkSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { shareAbove } from '../src/app/caps.js';
import { cli, csvText, hmac, logText, receipts, sha, sqliteRows, sqliteTable, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY, CDR_ROWS, DELETED, REDACTED } from './helpers/policy.js';

function setup(kind: 'sqlite' | 'csv') {
  const dir = tempDir();
  const policy = write(dir, 'policy.yaml', CDR_POLICY);
  const source =
    kind === 'sqlite'
      ? sqliteTable(
          join(dir, 'data.db'),
          'cdr',
          CDR_ROWS.map((r) => ({ ...r, started_at: r.started_at === '' ? null : r.started_at })),
        )
      : write(dir, 'cdr.csv', csvText(CDR_ROWS, '\r\n'));
  return { dir, policy, source };
}

function ids(kind: 'sqlite' | 'csv', source: string): number[] {
  if (kind === 'sqlite') return sqliteRows(source, 'SELECT id FROM cdr ORDER BY id').map((r) => Number(r.id));
  return readFileSync(source, 'utf8')
    .split('\r\n')
    .slice(1, -1)
    .map((l) => Number(l.split(',')[0]));
}

const EXPECTED_COUNTS = { dataset: 'cdr', scanned: 9, delete: 2, redact: 1, keep: 6, held: 1, invalid: 1, unmanaged: 0 };

describe.each(['sqlite', 'csv'] as const)('purge on %s', (kind) => {
  it('dry-run prints what the real run does and changes no byte', async () => {
    const { policy, source } = setup(kind);
    const before = sha(source);
    const dry = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--dry-run', '--format', 'json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(sha(source)).toBe(before);
    const planned = JSON.parse(dry.stdout);
    expect(planned.dryRun).toBe(true);
    expect(planned.datasets[0]).toMatchObject(EXPECTED_COUNTS);

    const real = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json']);
    expect(real.code, real.stderr).toBe(0);
    const done = JSON.parse(real.stdout);
    expect(done.dryRun).toBe(false);
    expect(done.datasets).toEqual(planned.datasets);
    expect(done.records).toEqual(planned.records);
    expect(done.records.map((r: { key: string; action: string }) => [r.key, r.action])).toEqual([
      ['1', 'delete'],
      ['2', 'delete'],
      ['4', 'redact'],
    ]);
    expect(done.records[0]).toMatchObject({
      dataset: 'cdr',
      policy: 'ip-central',
      rule: 'usage-data',
      due: '2026-07-01T10:00:00.000+02:00',
    });
    expect(done.records[2]).toMatchObject({ rule: 'voip-ip-address', columns: ['ip_address'] });
    expect(ids(kind, source)).toEqual(CDR_ROWS.map((r) => r.id).filter((id) => !DELETED.includes(id)));
  });

  it('redacts only the redacted record, and a second run at the same asOf changes nothing', async () => {
    const { policy, source } = setup(kind);
    expect((await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF])).code).toBe(0);
    const ip = (id: number) =>
      kind === 'sqlite'
        ? sqliteRows(source, `SELECT ip_address FROM cdr WHERE id = ${id}`)[0].ip_address
        : readFileSync(source, 'utf8')
            .split('\r\n')
            .find((l) => l.startsWith(`${id},`))!
            .split(',')[3];
    for (const id of REDACTED) expect(ip(id)).toBe(kind === 'sqlite' ? null : '');
    expect(ip(5)).toBe('10.0.0.5');
    const after = sha(source);
    const again = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).records).toEqual([]);
    if (kind === 'csv') expect(sha(source)).toBe(after);
    else expect(ids(kind, source)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('--max-delete refuses with exit 3 and changes nothing', async () => {
    const { policy, source } = setup(kind);
    const before = sha(source);
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--max-delete', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/2 records would be deleted.*cdr: 2.*--max-delete 1/);
    expect(sha(source)).toBe(before);
    // The dry run with the same cap shows the plan and says the purge would be refused: exit 3.
    const dry = await cli([
      'purge',
      '--policy',
      policy,
      '--source',
      source,
      '--as-of',
      AS_OF,
      '--max-delete',
      '1',
      '--dry-run',
      '--format',
      'json',
    ]);
    expect(dry.code).toBe(3);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      refused: expect.stringMatching(/--max-delete 1/),
      datasets: [{ delete: 2 }],
    });
    expect(dry.stderr).toMatch(/dry run: the purge would be refused: 2 records would be deleted/);
    expect((await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--max-delete', '2', '--dry-run'])).code).toBe(0);
    expect((await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--max-delete', '2'])).code).toBe(0);
  });

  it('--audit-log appends keyed hashes of the keys, never the keys', async () => {
    const { dir, policy, source } = setup(kind);
    const log = join(dir, 'audit.jsonl');
    writeFileSync(log, '{"earlier":"line"}\n');
    expect((await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--audit-log', log])).code).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('{"earlier":"line"}');
    expect(receipts(log)).toEqual([
      expect.objectContaining({
        policy: 'ip-central',
        dataset: 'cdr',
        rule: 'usage-data',
        action: 'delete',
        count: 2,
        keyHmac: [hmac('1'), hmac('2')],
        asOf: '2026-11-24T00:00:00.000+01:00',
      }),
      expect.objectContaining({ rule: 'voip-ip-address', action: 'redact', count: 1, keyHmac: [hmac('4')] }),
    ]);
    expect(JSON.parse(lines[2]).time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(readFileSync(log, 'utf8')).not.toMatch(/10\.0\.0\.|"1"|"2"/);
  });

  it.runIf(kind === 'sqlite')(
    'the log says how long each batch held its locks: each at debug level, their spread on the dataset line',
    async () => {
      const { policy, source } = setup(kind);
      const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--log-level', 'debug']);
      expect(r.code, r.stderr).toBe(0);
      const logs = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      expect(logs.filter((l) => l.msg === 'batch committed')).toEqual([
        expect.objectContaining({ dataset: 'cdr', batch: 1, lockMs: expect.any(Number) }),
      ]);
      const line = logs.find((l) => l.msg === 'purged');
      expect(line).toMatchObject({ batches: 1, lockMs: { p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) } });
    },
  );

  it('a column the policy names but the source lacks is an error before anything changes', async () => {
    const { policy, source } = setup(kind);
    const before = sha(source);
    writeFileSync(policy, CDR_POLICY.replace('redact: [ip_address]', 'redact: [ip_addr]'));
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(logText(r.stderr)).toMatch(/no column "ip_addr".*redact of rule voip-ip-address/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(sha(source)).toBe(before);
  });

  it('refuses to run while another run holds the lock, and takes over a stale lock', async () => {
    const { policy, source } = setup(kind);
    const lock = `${source}.retention-lock`;
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), started: '2026-11-24T01:00:00Z' }));
    const before = sha(source);
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pid ${process.ppid}`);
    expect(sha(source)).toBe(before);
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: '2026-11-24T01:00:00Z' }));
    expect((await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF])).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('--max-delete-percent', () => {
  it.each(['sqlite', 'csv'] as const)('%s: refuses with exit 3 naming the dataset and numbers, changing nothing', async (kind) => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = kind === 'sqlite' ? sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS) : write(dir, 'cdr.csv', csvText(CDR_ROWS));
    const before = sha(source);
    const r = await cli([
      'purge',
      '--policy',
      policy,
      '--source',
      source,
      '--as-of',
      AS_OF,
      '--max-delete-percent',
      '20',
      '--cap-min',
      '1',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cdr: 2 of 9 (22.2%); the cap applies where more than --cap-min 1 would be');
    expect(sha(source)).toBe(before);
    const capped = ['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--cap-min', '1'];
    expect((await cli([...capped, '--max-delete-percent', '101'])).code).toBe(2);
    // Two deletions are not over a floor of two; the default floor (100) lets a small table through.
    expect(
      (
        await cli([
          'purge',
          '--policy',
          policy,
          '--source',
          source,
          '--as-of',
          AS_OF,
          '--max-delete-percent',
          '20',
          '--cap-min',
          '2',
          '--dry-run',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--max-delete-percent', '20', '--dry-run'])).code,
    ).toBe(0);
    expect((await cli([...capped, '--max-delete-percent', '22.3'])).code).toBe(0);
  });
});

describe('shareAbove', () => {
  it.each([
    [1591, 2000, 79.5, '79.55'],
    [2, 9, 20, '22.2'],
    [1, 3, 33.3, '33.33'],
    [2, 3, 66.6, '66.66'],
    [1000001, 2000000, 50, '50.00005'],
    [50, 100, 10, '50.0'],
  ])('%i of %i over %d%% shows %s', (part, whole, limit, shown) => {
    expect(shareAbove(part, whole, limit)).toBe(shown);
    expect(Number(shown)).toBeGreaterThan(limit);
    expect(Number(shown)).toBeLessThanOrEqual((part * 100) / whole);
  });
});

describe('--lock-timeout', () => {
  it('waits for the holder to finish, then runs; without it, exits 1 at once', async () => {
    const { spawn } = await import('node:child_process');
    const { unlinkSync } = await import('node:fs');
    const { BIN } = await import('./helpers/cli.js');
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
    const lock = `${source}.retention-lock`;
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), started: '2026-11-24T01:00:00Z' }));
    expect((await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF])).code).toBe(1);
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, 'purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--lock-timeout', '20']);
    setTimeout(() => unlinkSync(lock), 1500);
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
    expect(code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(sqliteRows(source, 'SELECT count(*) AS n FROM cdr')[0].n).toBe(7);
  });
});

describe('foreign keys', () => {
  it('refuses (exit 1, nothing changed) to purge a table whose deletes would cascade into another table', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(
      join(dir, 'data.db'),
      'cdr',
      CDR_ROWS,
      'CREATE TABLE cdr (id INTEGER PRIMARY KEY, started_at, service, ip_address, legal_hold)',
    );
    const db = new Database(source);
    db.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, cdr_id INTEGER REFERENCES cdr(id) ON DELETE CASCADE, text TEXT); INSERT INTO notes VALUES (1, 1, 'keep me')",
    );
    db.close();
    const before = sha(source);
    for (const args of [['--dry-run'], []]) {
      const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/table cdr .* would also change rows of notes \(ON DELETE CASCADE\)/);
    }
    expect(sha(source)).toBe(before);
    expect((await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF])).code).toBe(0);
  });
});

describe('SQLite integers beyond 2^53', () => {
  // Snowflake-style ids: as JS numbers, 2^60 + 1 and 2^60 + 2 are the same number.
  const BASE = 2n ** 60n;
  const key = (i: number) => (BASE + BigInt(i)).toString();
  function setupBig(idType: string) {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(
      join(dir, 'data.db'),
      'cdr',
      CDR_ROWS.map((r) => ({ ...r, id: BASE + BigInt(r.id), started_at: r.started_at === '' ? null : r.started_at })),
      `CREATE TABLE cdr (id ${idType}, started_at TEXT, service TEXT, ip_address TEXT, legal_hold INTEGER)`,
    );
    return { dir, policy, source };
  }
  const left = (source: string) => {
    const db = new Database(source, { readonly: true });
    try {
      return db.prepare('SELECT id, ip_address FROM cdr ORDER BY id').safeIntegers(true).all() as {
        id: bigint;
        ip_address: string | null;
      }[];
    } finally {
      db.close();
    }
  };

  it.each([
    ['the rowid (INTEGER PRIMARY KEY)', 'INTEGER PRIMARY KEY'],
    ['an ordinary column', 'BIGINT NOT NULL'],
  ])('keys in %s: deletions, redactions, audit hashes, plans and explain use the exact ids', async (_what, idType) => {
    const { dir, policy, source } = setupBig(idType);
    const audit = join(dir, 'audit.jsonl');
    const plan = join(dir, 'plan.json');
    const dry = await cli([
      'purge',
      '--dry-run',
      '--policy',
      policy,
      '--source',
      source,
      '--as-of',
      AS_OF,
      '--plan-out',
      plan,
      '--format',
      'json',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).records.map((r: { key: string }) => r.key)).toEqual([key(1), key(2), key(4)]);

    const ex = await cli([
      'explain',
      '--policy',
      policy,
      '--source',
      source,
      '--dataset',
      'cdr',
      '--key',
      key(4),
      '--as-of',
      AS_OF,
      '--format',
      'json',
    ]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(JSON.parse(ex.stdout)).toMatchObject({ key: key(4), values: { id: key(4), ip_address: '10.0.0.4' }, action: 'redact' });

    const applied = await cli(['purge', '--plan', plan, '--audit-log', audit, '--format', 'json']);
    expect(applied.code, applied.stderr).toBe(0);
    const out = JSON.parse(applied.stdout);
    expect(out.datasets[0]).toMatchObject({ ...EXPECTED_COUNTS, skipped: { changed: 0, disappeared: 0, held: 0, 'no-longer-due': 0 } });
    expect(out.records.map((r: { key: string }) => r.key)).toEqual([key(1), key(2), key(4)]);
    expect(left(source)).toEqual(
      CDR_ROWS.filter((r) => !DELETED.includes(r.id)).map((r) => ({
        id: BASE + BigInt(r.id),
        ip_address: REDACTED.includes(r.id) || r.ip_address === '' ? (r.ip_address === '' ? '' : null) : r.ip_address,
      })),
    );
    const hashes = receipts(audit).flatMap((e) => e.keyHmac);
    expect(hashes.sort()).toEqual([key(1), key(2), key(4)].map((k) => hmac(k)).sort());
  });
});

describe('CSV files reached through links', () => {
  it('a symbolic link: the file it points to is purged and the link stays a link', async () => {
    const { dir, policy } = setup('csv');
    const real = join(dir, 'data', 'cdr.csv');
    mkdirSync(join(dir, 'data'));
    renameSync(join(dir, 'cdr.csv'), real);
    const link = join(dir, 'cdr.csv');
    symlinkSync(real, link);
    const r = await cli(['purge', '--policy', policy, '--source', link, '--as-of', AS_OF]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(ids('csv', real)).toEqual(CDR_ROWS.map((x) => x.id).filter((id) => !DELETED.includes(id)));
  });

  it('a file with another hard link is refused, dry run and purge, before anything changes', async () => {
    const { dir, policy, source } = setup('csv');
    linkSync(source, join(dir, 'copy-of-cdr.csv.bak'));
    const before = sha(source);
    for (const extra of [['--dry-run'], []]) {
      const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, ...extra]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/has 2 hard links/);
    }
    expect(sha(source)).toBe(before);
    expect((await cli(['report', '--policy', policy, '--source', source, '--as-of', AS_OF])).code).toBe(0);
  });
});

describe('audit log and redactions by several rules', () => {
  it('every rule whose columns a redaction empties gets the key, matching its count', async () => {
    const dir = tempDir();
    const policy = write(
      dir,
      'p.yaml',
      `version: 1
name: two-redactions
timezone: UTC
datasets:
  t:
    key: id
rules:
  - id: red-1
    dataset: t
    from: at
    redact_after: 1 day
    redact: [x, y]
  - id: red-2
    dataset: t
    from: at
    redact_after: 2 days
    redact: [y, z]
  - id: del
    dataset: t
    from: at
    delete_after: 1 year
`,
    );
    const source = sqliteTable(join(dir, 'd.db'), 't', [
      { id: 1, at: '2026-11-20', x: 'x', y: 'y', z: 'z' }, // both due: x, y, z
      { id: 2, at: '2026-11-21T12:00:00Z', x: 'x', y: 'y', z: 'z' }, // red-1 only: x, y
      { id: 3, at: '2026-11-20', x: null, y: null, z: 'z' }, // both due, only red-2 empties a column
    ]);
    const audit = join(dir, 'audit.jsonl');
    const r = await cli([
      'purge',
      '--policy',
      policy,
      '--source',
      source,
      '--as-of',
      '2026-11-23T00:00:00Z',
      '--audit-log',
      audit,
      '--format',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const counts = Object.fromEntries(
      JSON.parse(r.stdout).datasets[0].rules.map((x: { rule: string; redact: number }) => [x.rule, x.redact]),
    );
    expect(counts).toEqual({ 'red-1': 2, 'red-2': 2, del: 0 });
    const h = (k: string) => hmac(k);
    const byRule = Object.fromEntries(receipts(audit).map((l) => [l.rule, [l.count, [...l.keyHmac].sort()]]));
    expect(byRule).toEqual({ 'red-1': [2, ['1', '2'].map(h).sort()], 'red-2': [2, ['1', '3'].map(h).sort()] });
  });
});

describe('SQLite keys that are not integers', () => {
  it('BLOB keys (UUIDs) are named by their hex, and explain finds them by it', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const uuid = (i: number) => Buffer.from(`00112233445566778899aabbccddee${i.toString(16).padStart(2, '0')}`, 'hex');
    const source = sqliteTable(
      join(dir, 'd.db'),
      'cdr',
      CDR_ROWS.map((r) => ({ ...r, id: uuid(r.id), started_at: r.started_at === '' ? null : r.started_at })),
      'CREATE TABLE cdr (id BLOB PRIMARY KEY, started_at TEXT, service TEXT, ip_address TEXT, legal_hold INTEGER)',
    );
    const hex = (i: number) => uuid(i).toString('hex');
    const r = await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).records.map((x: { key: string }) => x.key)).toEqual([hex(1), hex(2), hex(4)]);
    const ex = await cli([
      'explain',
      '--policy',
      policy,
      '--source',
      source,
      '--dataset',
      'cdr',
      '--key',
      hex(4),
      '--as-of',
      AS_OF,
      '--format',
      'json',
    ]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(JSON.parse(ex.stdout)).toMatchObject({ key: hex(4), action: 'redact' });
  });
});

describe('CSV records that are not valid UTF-8', () => {
  it('are not redacted (their other fields would change) but kept and counted as doubt, dry run and purge alike', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = join(dir, 'cdr.csv');
    // Both records are due for redaction (voip, 3 months); record 2's name is Latin-1 (Jos\xe9).
    const latin1 = Buffer.concat([
      Buffer.from('id,name,started_at,service,ip_address,legal_hold\r\n1,Jan,2026-07-01 12:00:00,voip,10.0.0.1,0\r\n'),
      Buffer.from('2,Jos\xe9,2026-07-01 12:00:00,voip,10.0.0.2,0\r\n', 'latin1'),
    ]);
    writeFileSync(source, latin1);
    const dry = JSON.parse(
      (await cli(['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json'])).stdout,
    );
    expect(dry.datasets[0]).toMatchObject({ redact: 1, invalid: 1 });
    const ex = JSON.parse(
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
    expect(ex).toMatchObject({ action: 'keep', reason: 'invalid', problem: expect.stringMatching(/not valid UTF-8/) });
    const real = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json']);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).datasets).toEqual(dry.datasets);
    expect(
      readFileSync(source).equals(
        Buffer.concat([
          Buffer.from('id,name,started_at,service,ip_address,legal_hold\r\n1,Jan,2026-07-01 12:00:00,voip,,0\r\n'),
          Buffer.from('2,Jos\xe9,2026-07-01 12:00:00,voip,10.0.0.2,0\r\n', 'latin1'),
        ]),
      ),
    ).toBe(true);
  });
});
