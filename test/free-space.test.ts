import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { pagesWithResidue } from '../src/sources/sqlite/free-space.js';
import { tempDir } from './helpers/cli.js';

// The residue check reads the file as the format documents it; SQLite's own dbstat table says
// which pages are b-tree pages and the header how many are free, so every page it should look
// at is counted, on files of several page sizes, with and without auto-vacuum's pointer maps.

interface Shape {
  pageSize: number;
  autoVacuum: 'NONE' | 'FULL';
  secure: boolean;
}

function database(file: string, s: Shape): Database.Database {
  const db = new Database(file);
  db.pragma(`page_size = ${s.pageSize}`);
  db.pragma(`auto_vacuum = ${s.autoVacuum}`);
  db.pragma(`secure_delete = ${s.secure ? 'ON' : 'OFF'}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, big TEXT); CREATE INDEX t_v ON t (v); CREATE TABLE gone (x TEXT)');
  const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 6000; i++) ins.run(i, `canary-${i}-${'x'.repeat(i % 50)}`, i % 100 === 0 ? 'y'.repeat(3 * s.pageSize) : null);
    for (let i = 0; i < 3000; i++) db.prepare('INSERT INTO gone VALUES (?)').run(`dropped-${i}-${'z'.repeat(40)}`);
  })();
  return db;
}

/** The pages the check should look at: b-tree pages (dbstat) and free pages (the header's count). */
function expected(db: Database.Database): number {
  const btree = (db.prepare("SELECT count(*) AS n FROM dbstat WHERE pagetype IN ('internal', 'leaf')").get() as { n: number }).n;
  return btree + Number(db.pragma('freelist_count', { simple: true }));
}

const SHAPES: Shape[] = [
  { pageSize: 4096, autoVacuum: 'NONE', secure: false },
  { pageSize: 4096, autoVacuum: 'NONE', secure: true },
  { pageSize: 1024, autoVacuum: 'FULL', secure: false },
  { pageSize: 65536, autoVacuum: 'NONE', secure: false },
  { pageSize: 65536, autoVacuum: 'FULL', secure: true },
];

describe.each(SHAPES)('pagesWithResidue, page size $pageSize, auto_vacuum $autoVacuum, secure_delete $secure', (s) => {
  it('looks at every b-tree and free page; a table dropped without secure_delete leaves each of its pages dirty, with it none', () => {
    const file = join(tempDir(), 'r.db');
    const db = database(file, s);
    // Balancing copies of the inserts themselves may be there already: only what the drop adds is known.
    const before = pagesWithResidue(file);
    expect(before.checked).toBe(expected(db));
    const gonePages = (db.prepare("SELECT count(*) AS n FROM dbstat WHERE name = 'gone'").get() as { n: number }).n;
    db.exec('DROP TABLE gone');
    const after = pagesWithResidue(file);
    expect(after.checked).toBe(expected(db));
    if (s.autoVacuum === 'FULL') {
      // Auto-vacuum moves the last pages into the freed ones and truncates: no free page stays.
      expect(Number(db.pragma('freelist_count', { simple: true }))).toBe(0);
    } else if (s.secure) expect(after.pages).toBe(before.pages);
    // Each of its pages, and page 1 where its row of sqlite_schema was (unless dirty already).
    else expect(after.pages - before.pages).toBeOneOf([gonePages, gonePages + 1]);
    db.close();
  });

  it('finds the cells deleted without secure_delete (freeblocks and the gap), and none of them with it', () => {
    const file = join(tempDir(), 'r.db');
    const db = database(file, s);
    db.exec('VACUUM');
    const before = pagesWithResidue(file);
    db.exec('DELETE FROM t WHERE id % 7 = 0');
    const after = pagesWithResidue(file);
    expect(after.checked).toBe(expected(db));
    if (s.secure) expect(after.pages).toBe(before.pages);
    else expect(after.pages).toBeGreaterThan(before.pages);
    db.close();
  });
});
