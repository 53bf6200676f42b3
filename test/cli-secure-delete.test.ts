import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, tempDir, write } from './helpers/cli.js';

// SPEC §3, deleted means gone: after a purge no byte of a deleted record or a redacted value is
// readable in the database file, its WAL or its journal, whatever the journal mode.
const POLICY = `version: 1
name: canary
timezone: UTC
datasets:
  people: { key: id }
rules:
  - id: old-people
    dataset: people
    from: created_at
    delete_after: 30 days
  - id: old-emails
    dataset: people
    from: created_at
    redact_after: 10 days
    redact: [email, notes]
`;
const AS_OF = '2026-11-24T00:00:00Z';
const N = 3000;

const canary = (kind: string, i: number) => `CANARY-${kind}-${String(i).padStart(5, '0')}-x`;

/**
 * Rows: a third old (deleted), a third middle-aged (redacted), a third young (kept); every tenth
 * with a note long enough for overflow pages. `written`: as Debian's sqlite3 and Python write
 * (secure_delete on, rows in order), or as better-sqlite3 does by default (off), rows in random
 * order with an index, so that SQLite moves rows between pages and leaves copies behind.
 */
function database(file: string, mode: string, written: 'secure' | 'plain' = 'secure') {
  const db = new Database(file);
  db.pragma(`journal_mode = ${mode}`);
  db.pragma(`secure_delete = ${written === 'secure' ? 'ON' : 'OFF'}`);
  db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, created_at TEXT, name TEXT, email TEXT, notes TEXT)');
  if (written === 'plain') db.exec('CREATE INDEX people_email ON people (email)');
  const ins = db.prepare('INSERT INTO people VALUES (?, ?, ?, ?, ?)');
  const kinds: string[] = [];
  const order = Array.from({ length: N }, (_, i) => i);
  if (written === 'plain')
    for (let i = N - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
  db.transaction(() => {
    for (const i of order) {
      const kind = i % 3 === 0 ? 'DEL' : i % 3 === 1 ? 'RED' : 'KEEP';
      kinds.push(kind);
      const created = kind === 'DEL' ? '2026-09-01T00:00:00Z' : kind === 'RED' ? '2026-11-05T00:00:00Z' : '2026-11-20T00:00:00Z';
      const long = i % 10 === 0 ? `${canary(`${kind}LONG`, i)} ${'overflow '.repeat(1500)}` : null;
      ins.run(i + 1, created, canary(`${kind}NAME`, i), `${canary(`${kind}MAIL`, i)}@example.invalid`, long);
    }
  })();
  // A later change journals the pages it alters: in PERSIST mode their old bytes stay in -journal.
  db.exec("UPDATE people SET created_at = created_at || ''");
  db.close();
  return kinds;
}

/** Every canary of deleted rows and redacted columns that is still in the bytes of the database's files. */
function leftovers(file: string): string[] {
  const found: string[] = [];
  for (const x of ['', '-wal', '-journal', '-shm']) {
    if (!existsSync(file + x)) continue;
    for (const m of readFileSync(file + x)
      .toString('latin1')
      .matchAll(/CANARY-(DEL|RED|KEEP)(NAME|MAIL|LONG)-(\d{5})-x/g)) {
      if (m[1] === 'DEL' || (m[1] === 'RED' && m[2] !== 'NAME')) found.push(`${m[0]}${x}`);
    }
  }
  return [...new Set(found)];
}

describe.each(['delete', 'truncate', 'persist', 'wal'])('journal mode %s', (mode) => {
  it.each(['purge', 'purge --plan'])('%s: no deleted or redacted byte is left in the files', async (how) => {
    const dir = tempDir();
    const policy = write(dir, 'canary.yaml', POLICY);
    const file = join(dir, 'people.db');
    database(file, mode);
    // Before the purge every canary is there to be found: the check can fail.
    expect(leftovers(file).length).toBe((N / 3) * 2 + N / 3 + (N / 30) * 2);

    let args = ['purge', '--policy', policy, '--source', file, '--as-of', AS_OF];
    if (how !== 'purge') {
      const plan = join(dir, 'plan.json');
      const dry = await cli(['purge', '--dry-run', '--policy', policy, '--source', file, '--as-of', AS_OF, '--plan-out', plan]);
      expect(dry.code, dry.stderr).toBe(0);
      args = ['purge', '--plan', plan];
    }
    const r = await cli([...args, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets[0]).toMatchObject({ delete: N / 3, redact: N / 3 });
    expect(leftovers(file)).toEqual([]);
    expect(JSON.parse(r.stdout).residue).toBeUndefined();
    const db = new Database(file, { readonly: true });
    // WAL is a property of the file and stays; the other modes are each connection's own.
    if (mode === 'wal') expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT count(*) AS n FROM people WHERE email IS NULL').get()).toEqual({ n: N / 3 });
    db.close();
  });
});

describe.each(['delete', 'wal'])('a database written without secure_delete, journal mode %s', (mode) => {
  it('a purge says that copies may remain in free space, and --vacuum removes them', async () => {
    const dir = tempDir();
    const policy = write(dir, 'canary.yaml', POLICY);
    const plain = join(dir, 'plain.db'),
      vacuumed = join(dir, 'vacuumed.db');
    database(plain, mode, 'plain');
    database(vacuumed, mode, 'plain');
    const r = await cli(['purge', '--policy', policy, '--source', plain, '--as-of', AS_OF, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    // What the warning says is so: values deleted now can still be read.
    expect(leftovers(plain).length).toBeGreaterThan(0);
    expect(JSON.parse(r.stdout).residue).toMatchObject({
      datasets: ['people'],
      message: expect.stringMatching(/^\d+ pages of .*plain\.db hold bytes in their free space: .*run with --vacuum/),
    });
    expect(r.stderr).toMatch(/"datasets":\["people"\].*hold bytes in their free space/);
    const v = await cli(['purge', '--policy', policy, '--source', vacuumed, '--as-of', AS_OF, '--format', 'json', '--vacuum']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).datasets[0]).toMatchObject({ delete: N / 3, redact: N / 3 });
    expect(JSON.parse(v.stdout).residue).toBeUndefined();
    expect(leftovers(vacuumed)).toEqual([]);
  });
});

describe('WAL checkpoint kept from completing', () => {
  it('says so on stderr and in the JSON output, naming the dataset', async () => {
    const dir = tempDir();
    const policy = write(dir, 'canary.yaml', POLICY);
    const file = join(dir, 'people.db');
    database(file, 'wal');
    const reader = new Database(file, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM people').get(); // holds a snapshot from before the purge
    try {
      const r = await cli(['purge', '--policy', policy, '--source', file, '--as-of', AS_OF, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.residue).toMatchObject({
        datasets: ['people'],
        message: expect.stringMatching(
          /kept its WAL checkpoint from completing, so the bytes of deleted and redacted values stay in the database file until SQLite's next checkpoint/,
        ),
      });
      expect(r.stderr).toMatch(/"datasets":\["people"\].*kept its WAL checkpoint from completing/);
    } finally {
      reader.exec('COMMIT');
      reader.close();
    }
  });
});
