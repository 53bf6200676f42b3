import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadFastFunctions } from '../src/sources/sqlite/fast.js';
import { nativeResidue, pagesWithResidue } from '../src/sources/sqlite/free-space.js';
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

const probe = new Database(':memory:');
const built = loadFastFunctions(probe);
probe.close();
if (!built)
  console.warn('skipped: retention_residue against pagesWithResidue (no bundle/retention-sqlite.so: npm run build needs a C compiler)');

describe('a damaged header', () => {
  it('that claims far more pages than the file holds: read as far as the file goes, nothing allocated for the rest', () => {
    const file = join(tempDir(), 'h.db');
    database(file, SHAPES[0] as Shape).close();
    const whole = pagesWithResidue(file);
    // The count at 28, and at 92 a version-valid-for that no longer matches the change counter
    // (24): SQLite then takes the size from the file, as it does after an older SQLite wrote it.
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xf0]), 0, 4, 28);
    writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xfe]), 0, 4, 92);
    closeSync(fd);
    expect(pagesWithResidue(file)).toEqual(whole);
    if (built) {
      const db = new Database(file);
      expect(loadFastFunctions(db)).toBe(true);
      expect(nativeResidue(db)).toEqual(whole);
      db.close();
    }
  });
});

describe.skipIf(!built)('damaged files, both ways alike', () => {
  it.each([
    ['a free-list trunk page whose leaf count is 2^32 - 1', 'trunk'],
    ['16 bytes past the last whole page', 'tail'],
  ])('%s', (_what, damage) => {
    const file = join(tempDir(), 'd.db');
    const db = database(file, SHAPES[0] as Shape);
    db.exec('DROP TABLE gone');
    db.close();
    const fd = openSync(file, 'r+');
    if (damage === 'trunk') {
      const head = Buffer.alloc(100);
      readSync(fd, head, 0, 100, 0);
      const trunk = head.readUInt32BE(32);
      expect(trunk).toBeGreaterThan(0);
      writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, (trunk - 1) * 4096 + 4);
    } else {
      // A page more in the header's count (SQLite takes the size from the file: see above), of which the file holds 16 bytes.
      const size = fstatSync(fd).size;
      const count = Buffer.alloc(4);
      count.writeUInt32BE(size / 4096 + 1);
      writeSync(fd, count, 0, 4, 28);
      writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xfe]), 0, 4, 92);
      writeSync(fd, Buffer.from([0x0d, ...new Array(15).fill(0)]), 0, 16, size);
    }
    closeSync(fd);
    const js = pagesWithResidue(file);
    const conn = new Database(file);
    expect(loadFastFunctions(conn)).toBe(true);
    expect(conn.prepare('SELECT retention_residue()').pluck().get()).toBe(`${js.pages} ${js.checked}`);
    conn.close();
  });
});

describe.skipIf(!built)('retention_residue (native) against pagesWithResidue', () => {
  const steps = [
    '',
    'DELETE FROM t WHERE id % 3 = 0',
    'DROP TABLE gone',
    'DELETE FROM w WHERE length(v) > 20',
    'UPDATE t SET big = NULL',
    'PRAGMA incremental_vacuum(5)',
    'VACUUM',
  ];
  it.each([512, 1024, 4096, 65536].flatMap((pageSize) => ['NONE', 'FULL', 'INCREMENTAL'].map((av) => [pageSize, av] as const)))(
    'page size %i, auto_vacuum %s: the same pages, with and without secure_delete, after each of %#',
    (pageSize, av) => {
      for (const secure of [false, true]) {
        const file = join(tempDir(), 'n.db');
        const db = new Database(file);
        db.pragma(`page_size = ${pageSize}`);
        db.pragma(`auto_vacuum = ${av}`);
        db.pragma(`secure_delete = ${secure ? 'ON' : 'OFF'}`);
        db.exec(
          'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, big TEXT); CREATE INDEX t_v ON t (v); CREATE TABLE gone (x TEXT); CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID',
        );
        const ins = [
          db.prepare('INSERT INTO t VALUES (?, ?, ?)'),
          db.prepare('INSERT INTO gone VALUES (?)'),
          db.prepare('INSERT INTO w VALUES (?, ?)'),
        ];
        db.transaction(() => {
          for (let i = 1; i <= 3000; i++) {
            ins[0]?.run(i, `c-${(i * 7919) % 3000}-${'x'.repeat(i % 60)}`, i % 97 === 0 ? 'y'.repeat(3 * pageSize) : null);
            ins[1]?.run('g'.repeat(i % 80));
            ins[2]?.run(`k${(i * 31) % 3000}`, 'v'.repeat(i % 30));
          }
        })();
        expect(loadFastFunctions(db)).toBe(true);
        for (const step of steps) {
          if (step) db.exec(step);
          const js = pagesWithResidue(file);
          expect(js.checked).toBeGreaterThan(0);
          expect(nativeResidue(db), `${step || 'as written'}, secure_delete ${secure}`).toEqual(js);
        }
        db.close();
      }
    },
  );
});
