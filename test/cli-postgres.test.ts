import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { BIN, cli, config, hmac, logText, receipts, tempDir, write } from './helpers/cli.js';
import { describePg, PG_URL, pgClone, pgDatabase, sql } from './helpers/pg.js';
import { AS_OF, CDR_POLICY, CDR_ROWS } from './helpers/policy.js';

// The CLI on a real PostgreSQL server: the same policies, the same output, the same safety.

const EXPECTED = { dataset: 'cdr', scanned: 9, delete: 2, redact: 1, keep: 6, held: 1, invalid: 1, unmanaged: 0 };

async function cdrDatabase(
  columns = 'id bigint PRIMARY KEY, started_at text, service text, ip_address text, legal_hold int',
  table = 'cdr',
): Promise<string> {
  const url = await pgDatabase();
  await sql(url, `CREATE TABLE ${table} (${columns})`);
  for (const r of CDR_ROWS) {
    await sql(url, `INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5)`, [
      r.id,
      r.started_at === '' ? null : r.started_at,
      r.service,
      r.ip_address,
      r.legal_hold,
    ]);
  }
  return url;
}

const ids = async (url: string, table = 'cdr') => (await sql(url, `SELECT id FROM ${table} ORDER BY id`)).map((r) => Number(r.id));

describePg('PostgreSQL from the command line', () => {
  let policy: string;
  beforeAll(() => {
    policy = write(tempDir(), 'policy.yaml', CDR_POLICY);
  });

  it('report, dry run and purge: the same counts as SQLite, the dry run is the purge, a second run changes nothing', async () => {
    const url = await cdrDatabase();
    const report = await cli(['report', '--policy', policy, '--source', url, '--as-of', AS_OF, '--format', 'json', '--records']);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).datasets[0]).toMatchObject(EXPECTED);
    expect(JSON.parse(report.stdout).source).toEqual({
      kind: 'postgres',
      path: expect.stringMatching(/^postgresql:\/\/postgres@.*\/t_[0-9a-f]+$/),
    });
    const dry = await cli(['purge', '--dry-run', '--policy', policy, '--source', url, '--as-of', AS_OF, '--format', 'json']);
    expect(dry.code, dry.stderr).toBe(0);
    const log = join(tempDir(), 'audit.jsonl');
    const real = await cli(['purge', '--policy', policy, '--source', url, '--as-of', AS_OF, '--format', 'json', '--audit-log', log]);
    expect(real.code, real.stderr).toBe(0);
    const done = JSON.parse(real.stdout);
    expect(done.datasets).toEqual(JSON.parse(dry.stdout).datasets);
    expect(done.records).toEqual(JSON.parse(dry.stdout).records);
    expect(done.records.map((r: { key: string; action: string }) => [r.key, r.action])).toEqual([
      ['1', 'delete'],
      ['2', 'delete'],
      ['4', 'redact'],
    ]);
    expect(await ids(url)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect((await sql(url, 'SELECT ip_address FROM cdr WHERE id = 4'))[0].ip_address).toBeNull();
    expect(receipts(log).map((x) => [x.action, x.count])).toEqual([
      ['delete', 2],
      ['redact', 1],
    ]);
    // Dead tuples stay until VACUUM: that is said (stderr and JSON) without --vacuum.
    expect(done.residue.message).toMatch(/stay readable as dead tuples .* until VACUUM .* run with --vacuum/);
    const again = await cli(['purge', '--policy', policy, '--source', url, '--as-of', AS_OF, '--format', 'json']);
    expect(JSON.parse(again.stdout).records).toEqual([]);
  });

  it('connects by the PG* environment, with the Unix socket of a URL, and never prints a password', async () => {
    const url = await cdrDatabase();
    const params = new URLSearchParams(url.split('?')[1]);
    const db = url.split('/')[3].split('?')[0];
    const env = { PGHOST: params.get('host') ?? '', PGUSER: params.get('user') ?? '', PGDATABASE: db };
    const r = await cli(['report', '--policy', policy, '--source', 'postgres://', '--as-of', AS_OF, '--format', 'json'], {
      env,
      spawn: true,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets[0]).toMatchObject(EXPECTED);
    const secret = url.replace('postgresql://', 'postgresql://postgres:s3cr3t-pw@');
    const withPassword = await cli([
      'report',
      '--policy',
      policy,
      '--source',
      secret,
      '--as-of',
      AS_OF,
      '--format',
      'json',
      '--log-level',
      'debug',
    ]);
    expect(withPassword.code, withPassword.stderr).toBe(0);
    const missing = await cli(['report', '--policy', policy, '--source', secret.replace(db, 'no_such_db'), '--as-of', AS_OF]);
    expect(missing.code).toBe(1);
    expect(logText(missing.stderr)).toMatch(
      /cannot connect to PostgreSQL postgresql:\/\/postgres@.*no_such_db: database "no_such_db" does not exist/,
    );
    for (const out of [withPassword.stdout, withPassword.stderr, missing.stdout, missing.stderr]) expect(out).not.toContain('s3cr3t-pw');
  });

  it('schema.table names and quoted identifiers; a column the policy names and the table lacks is an error before anything is read', async () => {
    const url = await pgDatabase();
    await sql(
      url,
      'CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Call Records" (id bigint PRIMARY KEY, started_at timestamptz, service text, ip_address text, legal_hold boolean)',
    );
    await sql(
      url,
      `INSERT INTO "Sales"."Call Records" VALUES (1, '2026-01-01T10:00:00+01:00', 'voip', '10.0.0.1', false), (2, '2026-10-01T10:00:00+01:00', 'voip', '10.0.0.2', true)`,
    );
    const named = write(tempDir(), 'p.yaml', CDR_POLICY.replaceAll('cdr', '"Sales.Call Records"'));
    const r = await cli(['report', '--policy', named, '--source', url, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets[0]).toMatchObject({ dataset: 'Sales.Call Records', scanned: 2, delete: 1, held: 1 });
    await sql(url, 'ALTER TABLE "Sales"."Call Records" DROP COLUMN service');
    const bad = await cli(['report', '--policy', named, '--source', url, '--as-of', AS_OF]);
    expect(bad.code).toBe(1);
    expect(logText(bad.stderr)).toMatch(/table Sales\.Call Records in .* has no column "service" \(named as where of rule voip-ip-address/);
  });

  it('report needs only SELECT; a dry run and a purge name the privilege they lack and change nothing; a VACUUM only the owner may run is said not to have run', async () => {
    const url = await cdrDatabase();
    await sql(
      url,
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader LOGIN; END IF; END $$; GRANT SELECT ON cdr TO reader`,
    );
    const asReader = url.replace('user=postgres', 'user=reader');
    expect((await cli(['report', '--policy', policy, '--source', asReader, '--as-of', AS_OF])).code).toBe(0);
    const dry = await cli(['purge', '--dry-run', '--policy', policy, '--source', asReader, '--as-of', AS_OF]);
    expect(dry.code).toBe(1);
    expect(logText(dry.stderr)).toMatch(
      /this user may not DELETE from it \(GRANT DELETE ON "public"\."cdr" TO \.\.\.\), which the purge needs/,
    );
    expect(logText(dry.stderr)).toMatch(/may not UPDATE it/);
    expect(await ids(url)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // With DELETE and UPDATE it purges; VACUUM, which only the owner may run, is said not to have run.
    await sql(url, 'GRANT DELETE, UPDATE ON cdr TO reader');
    const v = await cli(['purge', '--policy', policy, '--source', asReader, '--as-of', AS_OF, '--vacuum', '--format', 'json']);
    expect(v.code, v.stderr).toBe(0);
    expect(await ids(url)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(JSON.parse(v.stdout).residue.message).toMatch(/cannot VACUUM public\.cdr: only the table's owner \(or a superuser\) may/);
  });

  it('one purge per table at a time: a second exits 1 naming the holder', async () => {
    const url = await cdrDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      const oid = (await holder.query("SELECT 'cdr'::regclass::oid::int AS oid")).rows[0].oid;
      await holder.query('SELECT pg_advisory_lock($1, $2)', [0x72657400, oid]);
      const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const r = await cli(['purge', '--policy', policy, '--source', url, '--as-of', AS_OF]);
      expect(r.code).toBe(1);
      expect(logText(r.stderr)).toContain(`is locked by another retention run (server process ${pid}`);
      expect(await ids(url)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await holder.end();
    }
    expect((await cli(['purge', '--policy', policy, '--source', url, '--as-of', AS_OF])).code).toBe(0);
  });

  it('foreign keys: a due record others refer to is kept and counted; a cascade, a trigger, a table without a key are refused', async () => {
    const url = await cdrDatabase();
    await sql(url, 'CREATE TABLE calls (id int PRIMARY KEY, cdr_id bigint REFERENCES cdr(id)); INSERT INTO calls VALUES (1, 2)');
    const r = await cli(['purge', '--policy', policy, '--source', url, '--as-of', AS_OF, '--format', 'json', '--allow-missing-datasets']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets[0]).toMatchObject({ delete: 1, referenced: 1 });
    expect(await ids(url)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    await sql(url, 'CREATE TABLE notes (id int PRIMARY KEY, cdr_id bigint REFERENCES cdr(id) ON DELETE CASCADE)');
    const cascade = await cli(['purge', '--dry-run', '--policy', policy, '--source', url, '--as-of', AS_OF]);
    expect(cascade.code).toBe(1);
    expect(logText(cascade.stderr)).toMatch(/would also change rows of notes \(ON DELETE CASCADE\)/);
    await sql(
      url,
      'DROP TABLE notes; CREATE FUNCTION nope() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$; CREATE TRIGGER keep_log BEFORE DELETE ON cdr FOR EACH ROW EXECUTE FUNCTION nope()',
    );
    const trig = await cli(['purge', '--dry-run', '--policy', policy, '--source', url, '--as-of', AS_OF]);
    expect(trig.code).toBe(1);
    expect(logText(trig.stderr)).toMatch(/its triggers keep_log would run on the purge's deletes/);
    const nokey = await cdrDatabase('id bigint, started_at text, service text, ip_address text, legal_hold int');
    const k = await cli(['purge', '--dry-run', '--policy', policy, '--source', nokey, '--as-of', AS_OF]);
    expect(k.code).toBe(1);
    expect(logText(k.stderr)).toMatch(/has no primary key and no unique key of NOT NULL columns/);
  });

  it('a plan made on one database is refused on another (exit 5, nothing changed); applied on its own it does what it showed', async () => {
    const a = await cdrDatabase();
    const b = await cdrDatabase();
    const plan = join(tempDir(), 'plan.json');
    expect((await cli(['purge', '--dry-run', '--policy', policy, '--source', a, '--as-of', AS_OF, '--plan-out', plan])).code).toBe(0);
    const other = await cli(['purge', '--plan', plan, '--source', b]);
    expect(other.code).toBe(5);
    expect(logText(other.stderr)).toMatch(/the plan was made on postgres source .* not on postgres source/);
    expect(await ids(b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const applied = await cli(['purge', '--plan', plan, '--format', 'json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout).datasets[0]).toMatchObject({
      delete: 2,
      redact: 1,
      skipped: { changed: 0, disappeared: 0, held: 0, 'no-longer-due': 0 },
    });
    expect(await ids(a)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('each batch is logged with how long it held its locks, and the spread (p50, p99, max) with the dataset', async () => {
    const url = await pgDatabase();
    await sql(
      url,
      `CREATE TABLE calls (id bigint PRIMARY KEY, at timestamptz);
      INSERT INTO calls SELECT i, CASE WHEN i % 2 = 0 THEN '2026-11-20T00:00:00Z'::timestamptz ELSE '2026-01-01T00:00:00Z' END FROM generate_series(1, 120000) i; ANALYZE calls`,
    );
    const p = write(
      tempDir(),
      'calls.yaml',
      'version: 1\nname: calls\ndatasets:\n  calls: { key: id }\nrules:\n  - { id: old, dataset: calls, from: at, delete_after: 30 days }\n',
    );
    const r = await cli(['purge', '--policy', p, '--source', url, '--as-of', AS_OF, '--log-level', 'debug']);
    expect(r.code, r.stderr).toBe(0);
    const logs = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const batches = logs.filter((l) => l.msg === 'batch committed');
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.map((b) => b.batch)).toEqual(batches.map((_, i) => i + 1));
    const line = logs.find((l) => l.msg === 'purged');
    expect(line).toMatchObject({ delete: 60000, batches: batches.length });
    expect(line.lockMs.max).toBe(Math.max(...batches.map((b) => b.lockMs)));
    expect(line.lockMs.p50).toBeLessThanOrEqual(line.lockMs.p99);
  });

  it('each batch is counted beside its DELETE in a second session, in its snapshot: the counts of one session, rows written meanwhile not miscounted, a lost session replaced', async () => {
    const url = await pgDatabase();
    // 150,000 rows in several batches: held, two where rules, due and not, unmanaged, unreadable.
    await sql(
      url,
      `CREATE TABLE calls (id bigint PRIMARY KEY, at timestamptz, service text, hold bool);
      INSERT INTO calls SELECT i,
        CASE WHEN i % 97 = 0 THEN 'infinity'::timestamptz WHEN i % 3 = 0 THEN '2026-11-20T00:00:00Z' ELSE '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 minute' END,
        (ARRAY['voice', 'data', 'fax'])[i % 3 + 1], i % 101 = 0 FROM generate_series(1, 150000) i;
      ANALYZE calls`,
    );
    const p = write(
      tempDir(),
      'calls.yaml',
      `version: 1\nname: calls\ndatasets:\n  calls: { key: id, hold: hold }\nrules:
  - { id: voice, dataset: calls, where: { service: voice }, from: at, delete_after: 30 days }
  - { id: data, dataset: calls, where: { service: data }, from: at, delete_after: 90 days }\n`,
    );
    const copy = () => pgClone(url);
    // Without records wanted (no --format json, no receipts): one DELETE a batch, its rule counts from the count.
    const purge = async (source: string) => {
      const r = await cli(['purge', '--policy', p, '--source', source, '--as-of', AS_OF, '--log-level', 'debug']);
      const lines = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      const { scanned, delete: deleted, held, invalid } = lines.find((l) => l.command === 'purge') ?? {};
      const beside = lines.some((l) => /a second session counts each batch/.test(l.msg));
      return { ...r, counts: { scanned, deleted, held, invalid }, beside, msgs: lines.map((l) => l.msg as string) };
    };

    // A user allowed one connection: the count follows the DELETE in the one session.
    const one = await copy();
    const role = `one_${Math.random().toString(36).slice(2, 8)}`;
    await sql(one, `CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1; GRANT SELECT, DELETE ON calls TO ${role}`);
    const alone = await purge(one.replace(/user=[^&]*/, `user=${role}`));
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stderr).toContain('counting after it instead');
    expect(alone.beside).toBe(false);
    const beside = await purge(await copy());
    expect(beside.code, beside.stderr).toBe(0);
    expect(beside.beside).toBe(true);
    expect(beside.counts).toEqual(alone.counts);
    expect(beside.counts).toMatchObject({ scanned: 150000, held: 1485, invalid: 1021 });
    expect(beside.counts.deleted).toBeGreaterThan(40000);

    // A writer adding due rows to the table's last pages while the purge runs: each batch counts
    // what its DELETE saw, never a row written after (that would fail the batch's own check).
    const live = await copy();
    const w = new pg.Client({ connectionString: live });
    await w.connect();
    let writing = true;
    let added = 0;
    const writer = (async () => {
      while (writing) {
        await w.query(
          `INSERT INTO calls SELECT 1000000 + $1::int + g, '2026-01-01T00:00:00Z', 'voice', false FROM generate_series(1, 200) g`,
          [added],
        );
        added += 200;
      }
    })();
    const during = await purge(live);
    writing = false;
    await writer;
    await w.end();
    expect(during.code, during.stderr).toBe(0);
    expect(during.beside).toBe(true);
    expect(during.counts.scanned).toBeGreaterThanOrEqual(150000);
    expect(during.counts.deleted - beside.counts.deleted).toBe(during.counts.scanned - 150000);
    // What the purge did not scan is there still, and nothing it kept was deleted.
    const [{ n }] = await sql(live, 'SELECT count(*)::int AS n FROM calls');
    expect(n).toBe(150000 + added - during.counts.deleted);

    // The counting session ended by the server mid-run: the purge goes on counting after each DELETE.
    const lost = await copy();
    let killed = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching && killed === 0) {
        const r = await sql(
          lost,
          `SELECT count(*)::int AS k FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'retention (count)') t`,
        );
        killed += Number(r[0]?.k ?? 0);
      }
    })();
    const cut = await purge(lost);
    watching = false;
    await watcher;
    expect(cut.code, cut.stderr).toBe(0);
    expect(killed).toBe(1);
    expect(cut.msgs).toContain('the second session stopped counting batches; counting after each DELETE instead');
    expect(cut.counts).toEqual(beside.counts);
  });

  it('receipts without records listed: each deleted key hashed as with records, the other values left in the database', async () => {
    // A bigint key beyond 2^53 and a text key: the receipts' text of each is its exact text.
    const url = await pgDatabase();
    await sql(
      url,
      `CREATE TABLE calls (id bigint PRIMARY KEY, at timestamptz, note text);
       INSERT INTO calls VALUES (9007199254740993, '2026-01-01Z', 'a'), (2, '2026-11-20Z', 'b'), (3, '2026-01-02Z', 'c'), (4, '2026-01-03Z', 'b'), (5, '2026-01-04Z', 'a');
       CREATE TABLE tickets (ref text PRIMARY KEY, at timestamptz);
       INSERT INTO tickets VALUES ('T-1 é', '2026-01-01Z'), ('T,2', '2026-01-03Z'), ('T-3', '2026-11-21Z'), ('q"\\ \u2028', '2026-01-04Z')`,
    );
    const p = write(
      tempDir(),
      'two.yaml',
      `version: 1\nname: two\ndatasets:\n  calls: { key: id }\n  tickets: { key: ref }\nrules:
  - { id: old-calls, dataset: calls, where: { note: [a, c] }, from: at, delete_after: 30 days }
  - { id: old-b, dataset: calls, where: { note: b }, from: at, delete_after: 60 days }
  - { id: old-tickets, dataset: tickets, from: at, delete_after: 30 days }\n`,
    );
    const dir = tempDir();
    const [plain, listed] = [join(dir, 'plain.jsonl'), join(dir, 'listed.jsonl')];
    const copy = await pgClone(url);
    const a = await cli(['purge', '--policy', p, '--source', url, '--as-of', AS_OF, '--audit-log', plain]);
    expect(a.code, a.stderr).toBe(0);
    const b = await cli(['purge', '--policy', p, '--source', copy, '--as-of', AS_OF, '--audit-log', listed, '--format', 'json']);
    expect(b.code, b.stderr).toBe(0);
    const hashes = (log: string) => receipts(log).map((x) => [x.dataset, x.rule, x.keyHmac]);
    expect(hashes(plain)).toEqual([
      ['calls', 'old-calls', [hmac('9007199254740993'), hmac('3'), hmac('5')]],
      ['calls', 'old-b', [hmac('4')]],
      ['tickets', 'old-tickets', [hmac('T-1 é'), hmac('T,2'), hmac('q"\\ \u2028')]],
    ]);
    expect(hashes(listed)).toEqual(hashes(plain));
  });

  it('row-level security that binds the purging role, and rewrite rules on DELETE, are refused before anything changes', async () => {
    const url = await cdrDatabase();
    const role = `rls_${Math.random().toString(36).slice(2, 8)}`;
    await sql(
      url,
      `CREATE ROLE ${role} LOGIN; GRANT SELECT, DELETE, UPDATE ON cdr TO ${role}; ALTER TABLE cdr ENABLE ROW LEVEL SECURITY;
       CREATE POLICY see ON cdr FOR SELECT USING (true); CREATE POLICY del ON cdr FOR DELETE USING (id % 2 = 0)`,
    );
    const asRole = url.replace(/user=[^&]*/, `user=${role}`);
    const report = await cli(['report', '--policy', policy, '--source', asRole, '--as-of', AS_OF]);
    expect(report.code, report.stderr).toBe(0);
    expect(logText(report.stderr)).toMatch(
      /row-level security that applies to this user: the counts are of the rows its policies let this user see/,
    );
    const rls = await cli(['purge', '--policy', policy, '--source', asRole, '--as-of', AS_OF]);
    expect(rls.code).toBe(1);
    expect(logText(rls.stderr)).toMatch(/has row-level security that applies to this user/);
    expect(await ids(url)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A superuser, a role with BYPASSRLS and the table's owner are not bound by it; the owner is once it is forced.
    const dry = (u: string) => cli(['purge', '--dry-run', '--policy', policy, '--source', u, '--as-of', AS_OF]);
    expect((await dry(url)).code).toBe(0);
    await sql(url, `ALTER ROLE ${role} BYPASSRLS`);
    const bypass = await dry(asRole);
    expect(bypass.code, bypass.stderr).toBe(0);
    await sql(url, `ALTER ROLE ${role} NOBYPASSRLS; ALTER TABLE cdr OWNER TO ${role}`);
    const owner = await dry(asRole);
    expect(owner.code, owner.stderr).toBe(0);
    await sql(url, 'ALTER TABLE cdr FORCE ROW LEVEL SECURITY');
    const forced = await dry(asRole);
    expect(forced.code).toBe(1);
    expect(logText(forced.stderr)).toMatch(/has row-level security that applies to this user/);
    await sql(url, `ALTER TABLE cdr NO FORCE ROW LEVEL SECURITY; ALTER TABLE cdr OWNER TO CURRENT_USER`);
    await sql(
      url,
      'ALTER TABLE cdr DISABLE ROW LEVEL SECURITY; CREATE TABLE cdr_gone (id bigint); CREATE RULE keep AS ON DELETE TO cdr DO INSTEAD INSERT INTO cdr_gone VALUES (OLD.id)',
    );
    const rule = await cli(['purge', '--policy', policy, '--source', url, '--as-of', AS_OF]);
    expect(rule.code).toBe(1);
    expect(logText(rule.stderr)).toMatch(/has rules \(CREATE RULE\) on DELETE/);
    expect(await ids(url)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A rule disabled never runs: no refusal.
    await sql(url, 'ALTER TABLE cdr DISABLE RULE keep');
    expect((await dry(url)).code).toBe(0);
  });

  it("--batch-by key: batches by ranges of a composite text key, the engine's rows found again by key; the same result as page ranges", async () => {
    const load = async () => {
      const url = await pgDatabase();
      // Half the rows due in plain ISO (SQL decides), a tenth due with microseconds (the engine decides), the rest not due.
      await sql(
        url,
        `CREATE TABLE calls (region text, seq int, at text, PRIMARY KEY (region, seq));
        INSERT INTO calls SELECT 'r' || (i % 7), i, CASE WHEN i % 10 = 1 THEN '2026-01-01T00:00:00.123456Z' WHEN i % 2 = 0 THEN '2026-01-01T00:00:00Z' ELSE '2026-11-20T00:00:00Z' END
          FROM generate_series(1, 120000) i; ANALYZE calls`,
      );
      return url;
    };
    const p = write(
      tempDir(),
      'calls.yaml',
      'version: 1\nname: calls\ndatasets:\n  calls: { key: seq }\nrules:\n  - { id: old, dataset: calls, from: at, delete_after: 30 days }\n',
    );
    const results = [];
    for (const how of ['pages', 'key']) {
      const url = await load();
      const log = join(tempDir(), 'audit.jsonl');
      const r = await cli([
        'purge',
        '--policy',
        p,
        '--source',
        url,
        '--as-of',
        AS_OF,
        '--batch-by',
        how,
        '--format',
        'json',
        '--audit-log',
        log,
        '--log-level',
        'info',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const left = await sql(url, "SELECT count(*)::int AS n, count(*) FILTER (WHERE at <> '2026-11-20T00:00:00Z')::int AS due FROM calls");
      expect(left[0]).toEqual({ n: 48000, due: 0 });
      const line = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .find((l) => l.msg === 'purged');
      expect(line.batches).toBeGreaterThanOrEqual(how === 'key' ? 3 : 2);
      results.push({ datasets: JSON.parse(r.stdout).datasets, receipts: receipts(log).reduce((n, x) => n + x.count, 0) });
    }
    expect(results[0].datasets[0]).toMatchObject({ delete: 72000, keep: 48000 });
    expect(results[1]).toEqual(results[0]);
    expect(results[1].receipts).toBe(72000);
  });

  it('a partition all of whose rows are due is offered, and with --partitions drop dropped whole, with the same counts and receipts', async () => {
    const url = await pgDatabase();
    await sql(
      url,
      `CREATE TABLE events (id bigint, at timestamptz NOT NULL, held boolean, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
       CREATE TABLE events_2025_h1 PARTITION OF events FOR VALUES FROM ('2025-01-01Z') TO ('2025-07-01Z');
       CREATE TABLE events_2025_h2 PARTITION OF events FOR VALUES FROM ('2025-07-01Z') TO ('2026-01-01Z');
       CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01Z') TO ('2027-01-01Z');
       INSERT INTO events SELECT i, '2025-01-01Z'::timestamptz + i * interval '1 hour', i = 5000 FROM generate_series(1, 17000) i;
       ANALYZE events`,
    );
    const p = write(
      tempDir(),
      'events.yaml',
      'version: 1\nname: events\ndatasets:\n  events: { key: id, hold: held }\nrules:\n  - { id: half-year, dataset: events, from: at, delete_after: 6 months }\n',
    );
    const count = async (t: string) => Number((await sql(url, `SELECT count(*) AS n FROM ${t}`))[0].n);
    const [h1, _h2] = [await count('events_2025_h1'), await count('events_2025_h2')];
    const report = await cli(['report', '--policy', p, '--source', url, '--as-of', AS_OF, '--format', 'json']);
    expect(report.code, report.stderr).toBe(0);
    // The second half of 2025 holds a held row: it is not wholly due. 2026 is partly due.
    expect(JSON.parse(report.stdout).datasets[0].partitions).toEqual([{ name: 'public.events_2025_h1', rows: h1, dropped: false }]);
    const table = await cli(['report', '--policy', p, '--source', url, '--as-of', AS_OF]);
    expect(table.stdout).toContain(
      `events: partition public.events_2025_h1 (${h1} rows): all due for deletion: --partitions drop drops the partition`,
    );
    const rowsDry = JSON.parse(
      (await cli(['purge', '--dry-run', '--policy', p, '--source', url, '--as-of', AS_OF, '--format', 'json'])).stdout,
    );
    const dry = await cli([
      'purge',
      '--dry-run',
      '--partitions',
      'drop',
      '--policy',
      p,
      '--source',
      url,
      '--as-of',
      AS_OF,
      '--format',
      'json',
    ]);
    const planned = JSON.parse(dry.stdout);
    expect(planned.datasets[0]).toEqual({
      ...rowsDry.datasets[0],
      partitions: [{ name: 'public.events_2025_h1', rows: h1, dropped: true }],
    });
    const log = join(tempDir(), 'audit.jsonl');
    const real = await cli([
      'purge',
      '--partitions',
      'drop',
      '--policy',
      p,
      '--source',
      url,
      '--as-of',
      AS_OF,
      '--format',
      'json',
      '--audit-log',
      log,
    ]);
    expect(real.code, real.stderr).toBe(0);
    const done = JSON.parse(real.stdout);
    expect(done.datasets).toEqual(planned.datasets);
    expect(new Set(done.records.map((r: { key: string }) => r.key))).toEqual(new Set(planned.records.map((r: { key: string }) => r.key)));
    expect((await sql(url, "SELECT to_regclass('events_2025_h1') AS t"))[0].t).toBeNull();
    expect(await sql(url, 'SELECT id::int FROM events_2025_h2')).toEqual([{ id: 5000 }]);
    expect(receipts(log).reduce((n, x) => n + x.count, 0)).toBe(done.datasets[0].delete);
    // What is left is exactly what was not deleted: the held row and the rows not yet due, in every partition.
    expect(await count('events')).toBe(17000 - done.datasets[0].delete);
    expect(
      await sql(url, "SELECT count(*)::int AS n FROM events WHERE at + interval '6 months' <= '2026-11-24T00:00:00+01:00' AND NOT held"),
    ).toEqual([{ n: 0 }]);
  });

  it('a partition whose own row-level security binds the purging role is not dropped whole: the rows it hides stay', async () => {
    const url = await pgDatabase();
    const role = `own_${Math.random().toString(36).slice(2, 8)}`;
    // The role owns the tables (it may drop them); the old partition forces a policy on its owner that hides the held row.
    await sql(
      url,
      `CREATE ROLE ${role} LOGIN; GRANT CREATE ON SCHEMA public TO ${role}; SET ROLE ${role};
       CREATE TABLE events (id bigint, at timestamptz NOT NULL, held boolean, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
       CREATE TABLE events_old PARTITION OF events FOR VALUES FROM ('2025-01-01Z') TO ('2025-07-01Z');
       CREATE TABLE events_new PARTITION OF events FOR VALUES FROM ('2025-07-01Z') TO ('2027-01-01Z');
       INSERT INTO events VALUES (1, '2025-02-01Z', false), (2, '2025-03-01Z', true), (3, '2026-11-01Z', false);
       ALTER TABLE events_old ENABLE ROW LEVEL SECURITY; ALTER TABLE events_old FORCE ROW LEVEL SECURITY;
       CREATE POLICY free ON events_old USING (NOT held); ANALYZE events`,
    );
    const p = write(
      tempDir(),
      'events.yaml',
      'version: 1\nname: events\ndatasets:\n  events: { key: id, hold: held }\nrules:\n  - { id: half-year, dataset: events, from: at, delete_after: 6 months }\n',
    );
    const asRole = url.replace(/user=[^&]*/, `user=${role}`);
    const r = await cli(['purge', '--partitions', 'drop', '--policy', p, '--source', asRole, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const done = JSON.parse(r.stdout).datasets[0];
    expect(done).toMatchObject({ scanned: 3, delete: 1, held: 1 });
    expect(done.partitions ?? []).toEqual([]);
    expect(await sql(url, 'SELECT id::int FROM events ORDER BY id')).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it('a purge of a partitioned table by page ranges deletes the rows decided and no row of another partition at the same ctid', async () => {
    const url = await pgDatabase();
    await sql(
      url,
      `CREATE TABLE events (id bigint, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
       CREATE TABLE events_old PARTITION OF events FOR VALUES FROM ('2025-01-01Z') TO ('2026-01-01Z');
       CREATE TABLE events_new PARTITION OF events FOR VALUES FROM ('2026-01-01Z') TO ('2027-01-01Z');
       INSERT INTO events SELECT i, '2025-06-01Z'::timestamptz + (i % 2) * interval '1 year' FROM generate_series(1, 1000) i`,
    );
    const p = write(
      tempDir(),
      'events.yaml',
      'version: 1\nname: events\ndatasets:\n  events: { key: id }\nrules:\n  - { id: year, dataset: events, from: at, delete_after: 1 year }\n',
    );
    const r = await cli(['purge', '--policy', p, '--source', url, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets[0]).toMatchObject({ delete: 500, keep: 500 });
    expect(await sql(url, 'SELECT count(*)::int AS old, (SELECT count(*)::int FROM events_new) AS new FROM events_old')).toEqual([
      { old: 0, new: 500 },
    ]);
  });

  it('--max-delete refuses before anything changes (exit 3)', async () => {
    const url = await cdrDatabase();
    const r = await cli(['purge', '--policy', policy, '--source', url, '--as-of', AS_OF, '--max-delete', '1']);
    expect(r.code).toBe(3);
    expect(await ids(url)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('deleted means gone, in PostgreSQL terms: dead tuples readable (pg_dirtyread) until --vacuum, their bytes in the files until --vacuum full', async () => {
    const canaries = async () => {
      const url = await pgDatabase();
      await sql(
        url,
        `CREATE TABLE notes (id bigint PRIMARY KEY, at timestamptz, secret text); CREATE INDEX notes_secret ON notes (secret);
         INSERT INTO notes SELECT i, CASE WHEN i % 3 = 0 THEN '2025-01-01Z'::timestamptz ELSE '2026-11-20Z' END, 'CANARY-' || i || '-END' FROM generate_series(1, 3000) i`,
      );
      return url;
    };
    const p = write(
      tempDir(),
      'notes.yaml',
      'version: 1\nname: notes\ndatasets:\n  notes: { key: id }\nrules:\n  - { id: old, dataset: notes, from: at, delete_after: 30 days }\n',
    );
    const deleted = (ids: number[]) => ids.filter((i) => i % 3 === 0);
    // The dead tuples SQL can still reach, and the canaries whose bytes are in the table's and its index's files.
    const dirty = async (url: string) =>
      (await sql(url, 'SELECT id FROM pg_dirtyread($$notes$$) AS t(id bigint, at timestamptz, secret text)')).map((r) => Number(r.id));
    const inFiles = async (url: string): Promise<number[] | undefined> => {
      await sql(url, 'CHECKPOINT');
      const [r] = await sql(
        url,
        "SELECT current_setting('data_directory') AS dir, pg_relation_filepath('notes') AS t, pg_relation_filepath('notes_secret') AS i",
      );
      try {
        const text = [r.t, r.i].map((f) => readFileSync(join(String(r.dir), String(f)), 'latin1')).join('');
        return [...text.matchAll(/CANARY-(\d+)-END/g)].map((m) => Number(m[1]));
      } catch (e) {
        console.log(`skipped: reading the table's files (${(e as Error).message}); run the tests as root or as the server's user`);
        return undefined;
      }
    };
    const run = async (url: string, ...more: string[]) => {
      const r = await cli(['purge', '--policy', p, '--source', url, '--as-of', AS_OF, '--format', 'json', ...more]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).datasets[0].delete).toBe(1000);
      return JSON.parse(r.stdout).residue;
    };
    let dirtyread = true;
    const plain = await canaries();
    try {
      await sql(plain, 'CREATE EXTENSION IF NOT EXISTS pg_dirtyread');
    } catch (e) {
      dirtyread = false;
      console.log(`skipped: dead tuples with pg_dirtyread (${(e as Error).message}; CI installs postgresql-15-dirtyread)`);
    }
    expect((await run(plain)).message).toMatch(/stay readable as dead tuples .* until VACUUM .* run with --vacuum/);
    if (dirtyread) expect(deleted(await dirty(plain))).toHaveLength(1000);
    const vacuumed = await canaries();
    if (dirtyread) await sql(vacuumed, 'CREATE EXTENSION IF NOT EXISTS pg_dirtyread');
    // VACUUM: unreachable, but (it says so) not gone from the files.
    expect((await run(vacuumed, '--vacuum')).message).toMatch(/unreachable, but their bytes stay in the free space .* --vacuum full/);
    if (dirtyread) expect(deleted(await dirty(vacuumed))).toEqual([]);
    const afterVacuum = await inFiles(vacuumed);
    if (afterVacuum) expect(deleted(afterVacuum).length).toBeGreaterThan(0);
    const full = await canaries();
    expect(await run(full, '--vacuum', 'full')).toBeUndefined();
    const afterFull = await inFiles(full);
    if (afterFull) {
      expect(deleted(afterFull)).toEqual([]);
      expect(new Set(afterFull).size).toBe(2000);
    }
    expect(logText((await cli(['purge', '--policy', p, '--source', full, '--vacuum', 'fully'])).stderr)).toMatch(
      /--vacuum takes no value, or "full"/,
    );
  });

  it('SIGTERM stops a purge after the batch in progress, with the receipts of what it committed', async () => {
    const url = await pgDatabase();
    await sql(
      url,
      `CREATE TABLE calls (id bigint PRIMARY KEY, at text, phone text);
      INSERT INTO calls SELECT i, CASE WHEN i % 4 = 0 THEN '2026-11-20T00:00:00Z' ELSE '2026-01-01T00:00:00Z' END, '+3161' || lpad(i::text, 7, '0') FROM generate_series(1, 400000) i; ANALYZE calls`,
    );
    const p = write(
      tempDir(),
      'big.yaml',
      'version: 1\nname: big\ntimezone: UTC\ndatasets:\n  calls: { key: id }\nrules:\n  - { id: old-calls, dataset: calls, from: at, delete_after: 30 days }\n',
    );
    const log = join(tempDir(), 'audit.jsonl');
    const child = spawn(process.execPath, [BIN, 'purge', '--policy', p, '--source', url, '--as-of', AS_OF, '--audit-log', log], {
      env: { ...process.env, NODE_OPTIONS: '', XDG_CONFIG_HOME: config() },
    });
    let stderr = '';
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const code = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(log) && readFileSync(log, 'utf8').includes('"type":"receipt"')) {
          clearInterval(poll);
          child.kill('SIGSTOP');
          child.kill('SIGTERM');
          child.kill('SIGCONT');
        }
      }, 5);
      child.on('exit', (c) => {
        clearInterval(poll);
        resolve(c);
      });
    });
    expect(code, stderr).toBe(143);
    const left = Number((await sql(url, 'SELECT count(*) AS n FROM calls'))[0].n);
    const deleted = 400000 - left;
    expect(deleted).toBeGreaterThan(0);
    expect(deleted).toBeLessThan(300000);
    expect(receipts(log).reduce((n, x) => n + x.count, 0)).toBe(deleted);
    expect(stderr).toMatch(/interrupted by SIGTERM, after the batch in progress; committed: calls: \d+ deleted/);
  });
});

if (!PG_URL) it.skip('PostgreSQL from the command line', () => {});
