import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, cli, config, hmac, receipts, sha, sqliteRows, sqliteTable, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY, CDR_ROWS } from './helpers/policy.js';

// SPEC §3: every committed change has its receipt; a stopped run leaves its data whole and says
// what it did; nothing a killed run wrote stays behind.

const BIG = 400_000; // eight SQLite batches
const POLICY = `version: 1
name: big
timezone: UTC
datasets:
  calls: { key: id }
rules:
  - { id: old-calls, dataset: calls, from: at, delete_after: 30 days }
`;

function bigDatabase(dir: string): string {
  const file = join(dir, 'calls.db');
  const db = new Database(file);
  db.exec('CREATE TABLE calls (id INTEGER PRIMARY KEY, at TEXT, phone TEXT)');
  const ins = db.prepare('INSERT INTO calls VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= BIG; i++)
      ins.run(i, i % 4 === 0 ? '2026-11-20T00:00:00Z' : '2026-01-01T00:00:00Z', `+3161${String(i).padStart(7, '0')}`);
  })();
  db.close();
  return file;
}

function bigCsv(dir: string): string {
  const file = join(dir, 'calls.csv');
  const lines = ['id,at,phone'];
  for (let i = 1; i <= BIG; i++)
    lines.push(`${i},${i % 4 === 0 ? '2026-11-20T00:00:00Z' : '2026-01-01T00:00:00Z'},+3161${String(i).padStart(7, '0')}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Starts bin/retention; `until` is polled until true, then `signal` is sent. Resolves with the exit. */
function runUntil(
  args: string[],
  until: () => boolean,
  signals: NodeJS.Signals[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; sent: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_OPTIONS: '', XDG_CONFIG_HOME: config() } });
    let stderr = '',
      sent = false,
      done = false;
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const poll = setInterval(() => {
      if (sent || done || !until()) return;
      sent = true;
      for (const s of signals) child.kill(s);
    }, 2);
    child.on('exit', (code, signal) => {
      done = true;
      clearInterval(poll);
      resolve({ code, signal, stderr, sent });
    });
  });
}

/** A CSV purge's temporary copies (not the lock file's own temporary name). */
const tempsOf = (dir: string) => readdirSync(dir).filter((n) => /^\.calls\.csv\.retention-\d+-[0-9a-f]+\.tmp$/.test(n));

describe('a killed or stopped CSV purge leaves nothing behind', () => {
  it('SIGKILL while writing leaves a partial copy; the next run removes it and says so', async () => {
    const dir = tempDir();
    const policy = write(dir, 'big.yaml', POLICY);
    const file = bigCsv(dir);
    const before = sha(file);
    const r = await runUntil(
      ['purge', '--policy', policy, '--source', file, '--as-of', AS_OF],
      () => tempsOf(dir).length > 0 && statSync(join(dir, tempsOf(dir)[0])).size > 0,
      ['SIGKILL'],
    );
    expect(r.sent, r.stderr).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(sha(file)).toBe(before);
    const left = tempsOf(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.calls\.csv\.retention-\d+-[0-9a-f]+\.tmp$/);
    // A stale lock of the killed run is taken over, and its partial copy removed.
    expect(existsSync(`${file}.retention-lock`)).toBe(true);
    const again = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF, '--log-level', 'warn']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`removed ${join(dir, left[0])}, a partial copy of ${file} left by retention run`);
    expect(tempsOf(dir)).toEqual([]);
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(BIG / 4 + 2);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while writing: the temporary copy is removed, the file left as it was, exit %i', async (signal, code) => {
    const dir = tempDir();
    const policy = write(dir, 'big.yaml', POLICY);
    const file = bigCsv(dir);
    const before = sha(file);
    const r = await runUntil(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF], () => tempsOf(dir).length > 0, [signal]);
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`interrupted by ${signal}.*nothing was changed`));
    expect(sha(file)).toBe(before);
    expect(tempsOf(dir)).toEqual([]);
    expect(existsSync(`${file}.retention-lock`)).toBe(false);
  });
});

describe('lock files', () => {
  it.each([
    ['nothing', ''],
    ['no lock record', 'garbage\n'],
    ['a torn record', '{"pid":12'],
  ])('a lock file holding %s is stale and taken over', async (_what, text) => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
    const lock = `${source}.retention-lock`;
    writeFileSync(lock, text);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it("a lock holding this process's own pid, which it does not hold, is a dead run's (pids repeat in containers)", async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
    writeFileSync(`${source}.retention-lock`, JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-11-24T01:00:00Z' }));
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF]); // in this process
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(`${source}.retention-lock`)).toBe(false);
  });

  it('a lock held by a live process names it', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
    writeFileSync(`${source}.retention-lock`, JSON.stringify({ pid: process.ppid, host: hostname(), started: '2026-11-24T01:00:00Z' }));
    const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`locked by another retention run (pid ${process.ppid} on ${hostname()}`);
  });
});

describe('receipts per committed batch', () => {
  it('SIGTERM stops a SQLite purge after a batch: every committed row has its receipt, the run line says interrupted, a rerun finishes', async () => {
    const dir = tempDir();
    const policy = write(dir, 'big.yaml', POLICY);
    const file = bigDatabase(dir);
    const log = join(dir, 'audit.jsonl');
    const args = ['purge', '--policy', policy, '--source', file, '--as-of', AS_OF, '--audit-log', log];
    // Stopped (SIGSTOP) as soon as the first receipt is there, then asked to end: a batch in the middle.
    const r = await runUntil(args, () => existsSync(log) && readFileSync(log, 'utf8').includes('"type":"receipt"'), [
      'SIGSTOP',
      'SIGTERM',
      'SIGCONT',
    ]);
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(143);
    const left = Number(sqliteRows(file, 'SELECT count(*) AS n FROM calls')[0].n);
    const deleted = BIG - left;
    expect(deleted).toBeGreaterThan(0);
    expect(deleted).toBeLessThan((BIG * 3) / 4);
    expect(deleted % 37_500).toBe(0); // whole batches: 50,000 rows, three quarters due
    expect(r.stderr).toMatch(
      new RegExp(
        `interrupted by SIGTERM, after the batch in progress; committed: calls: ${deleted} deleted, 0 redacted before it stopped.*Run it again to finish`,
      ),
    );
    const got = receipts(log);
    expect(got.reduce((n, x) => n + x.count, 0)).toBe(deleted);
    expect(got.every((x) => x.count === 37_500)).toBe(true);
    expect(got.map((x) => x.batch)).toEqual(got.map((_, i) => i + 1));
    const runs = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'run');
    expect(runs.map((e) => [e.event, e.outcome])).toEqual([
      ['start', undefined],
      ['end', 'interrupted'],
    ]);
    expect(runs[1]).toMatchObject({ deleted, redacted: 0, run: runs[0].run });
    expect(new Set(got.map((x) => x.run))).toEqual(new Set([runs[0].run]));

    const again = await cli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(receipts(log).reduce((n, x) => n + x.count, 0)).toBe((BIG * 3) / 4);
    expect(sqliteRows(file, 'SELECT count(*) AS n FROM calls')[0].n).toBe(BIG / 4);
    expect((await cli(['audit', 'verify', log])).code).toBe(0);
  });

  it('a failure halfway: the committed batches have their receipts, the message and run line count only them', async () => {
    const dir = tempDir();
    const file = join(dir, 'd.db');
    const db = new Database(file);
    db.exec('CREATE TABLE b (id INTEGER PRIMARY KEY, ts TEXT, ip TEXT CHECK (ip IS NOT NULL OR id <= 100000))');
    const ins = db.prepare('INSERT INTO b VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 120_000; i++) ins.run(i, '2020-01-01', '10.0.0.1');
    })();
    db.close();
    const policy = write(
      dir,
      'p.yaml',
      'version: 1\nname: s\ntimezone: UTC\ndatasets:\n  b: { key: id }\nrules:\n  - { id: red, dataset: b, from: ts, redact_after: 10 days, redact: [ip] }\n',
    );
    const log = join(dir, 'audit.jsonl');
    const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF, '--audit-log', log]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /CHECK constraint failed.*the batch of rowids 100001 to 120000 was rolled back, 0 rows deleted and 100000 redacted before it stay so/,
    );
    expect(sqliteRows(file, 'SELECT count(*) AS n FROM b WHERE ip IS NULL')[0].n).toBe(100_000);
    expect(receipts(log).map((x) => x.count)).toEqual([50_000, 50_000]);
    const end = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop()!);
    expect(end).toMatchObject({ type: 'run', event: 'end', outcome: 'failed', deleted: 0, redacted: 100_000 });
  });

  it('a CSV file malformed near its end, read once: the run line says failed, no receipt, the file as it was, no copy left', async () => {
    const dir = tempDir();
    const policy = write(dir, 'big.yaml', POLICY);
    const file = bigCsv(dir);
    writeFileSync(file, `${readFileSync(file, 'utf8')}${BIG + 1},2020-01-01T00:00:00Z\n`);
    const before = sha(file);
    const log = join(dir, 'audit.jsonl');
    const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF, '--audit-log', log]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`calls\\.csv:${BIG + 2}: record has 2 fields but the header has 3`));
    expect(sha(file)).toBe(before);
    expect(tempsOf(dir)).toEqual([]);
    expect(receipts(log)).toEqual([]);
    const end = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop()!);
    expect(end).toMatchObject({ type: 'run', event: 'end', outcome: 'failed', deleted: 0, redacted: 0 });
  });

  it('a run line for every purge: one that changes nothing, and one a cap refuses', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
    const log = join(dir, 'audit.jsonl');
    expect(
      (await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--audit-log', log, '--max-delete', '1'])).code,
    ).toBe(3);
    expect((await cli(['purge', '--policy', policy, '--source', source, '--as-of', '2026-01-01', '--audit-log', log])).code).toBe(0);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.type, e.event, e.outcome])).toEqual([
      ['run', 'end', 'refused'],
      ['run', 'start', undefined],
      ['run', 'end', 'done'],
    ]);
    expect(lines[0]).toMatchObject({
      asOf: '2026-11-24T00:00:00.000+01:00',
      source: { kind: 'sqlite', path: source },
      policies: [{ name: 'ip-central', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      tool: expect.stringMatching(/^retention \d+\.\d+\.\d+/),
      message: expect.stringMatching(/--max-delete 1/),
    });
    expect(lines[2]).toMatchObject({ deleted: 0, redacted: 0, keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});

describe('keyed hashes and audit find', () => {
  it('answers a data subject: deleted when, by which rule; not found for a kept record; the key file is 0600 and never in the log', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
    const log = join(dir, 'audit.jsonl'),
      key = join(dir, 'keys', 'audit.key');
    const saved = process.umask(0o022);
    try {
      const r = await cli(['purge', '--policy', policy, '--source', source, '--as-of', AS_OF, '--audit-log', log, '--audit-key', key]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/created the audit key .*audit\.key/);
    } finally {
      process.umask(saved);
    }
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    const secret = readFileSync(key, 'utf8').trim();
    expect(readFileSync(log, 'utf8')).not.toContain(secret);
    expect(receipts(log)[0].keyHmac).toEqual([hmac('1', key), hmac('2', key)]);

    const found = await cli(['audit', 'find', log, '--dataset', 'cdr', '--key', '2', '--audit-key', key]);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toMatch(
      new RegExp(
        `^${log.replace(/[.\\]/g, '\\$&')}:2: deleted \\S+ by ip-central/usage-data \\(asOf 2026-11-24T00:00:00.000\\+01:00\\), run [0-9a-f-]{36}\\n  \\{"type":"receipt"`,
      ),
    );
    const json = JSON.parse(
      (await cli(['audit', 'find', log, '--dataset', 'cdr', '--key', '4', '--audit-key', key, '--format', 'json'])).stdout,
    );
    expect(json).toMatchObject({ found: true, findings: [{ line: 3, action: 'redact', rule: 'voip-ip-address' }] });
    const kept = await cli(['audit', 'find', log, '--dataset', 'cdr', '--key', '3', '--audit-key', key]);
    expect(kept.code).toBe(1);
    expect(kept.stdout).toMatch(/no receipt names cdr "3" \(2 receipt lines of cdr looked through\)/);

    const other = join(dir, 'other.key');
    writeFileSync(other, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    const wrong = await cli(['audit', 'find', log, '--dataset', 'cdr', '--key', '2', '--audit-key', other]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/1 run of this log made receipts with another audit key/);
  });

  it('a key file others can read is refused before anything changes', async () => {
    const dir = tempDir();
    const policy = write(dir, 'policy.yaml', CDR_POLICY);
    const source = sqliteTable(join(dir, 'data.db'), 'cdr', CDR_ROWS);
    const key = join(dir, 'audit.key');
    writeFileSync(key, `${'ab'.repeat(32)}\n`, { mode: 0o644 });
    const before = sha(source);
    const r = await cli([
      'purge',
      '--policy',
      policy,
      '--source',
      source,
      '--as-of',
      AS_OF,
      '--audit-log',
      join(dir, 'a.jsonl'),
      '--audit-key',
      key,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/audit key .* can be read or written by others \(mode 644\); run chmod 600/);
    expect(sha(source)).toBe(before);
  });
});
