import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { PlannedSet } from '../sources/source.js';
import { sqliteDriver } from '../sources/sqlite/driver.js';
import { type PlanRecord, planRecords } from './plan-file.js';

/**
 * The planned records of one dataset, found again by what identifies them (`match`), wherever
 * they are now: deleting one unrelated line of a CSV file moves every line after it, but not
 * their keys. The records wait in an indexed temporary SQLite file, so a plan of millions costs
 * disk, not memory; a bitmap of their hashes spares the lookup for rows the plan does not name.
 */
export class PlannedRecords implements PlannedSet {
  private readonly dir: string;
  private readonly db: Database.Database;
  private readonly maybe = new Uint32Array(1 << 19); // 2^24 bits
  private readonly find: Database.Statement;
  private readonly findExact: Database.Statement;
  private readonly use: Database.Statement;

  constructor(file: string, dataset: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'retention-plan-'));
    this.db = new (sqliteDriver())(join(this.dir, 'plan.db'));
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec(
      'CREATE TABLE planned (id INTEGER PRIMARY KEY, match TEXT NOT NULL, hash TEXT NOT NULL, rec TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0)',
    );
    const ins = this.db.prepare('INSERT INTO planned (match, hash, rec) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const r of planRecords(file, dataset)) {
        ins.run(r.match, r.values, JSON.stringify(r));
        this.mark(r.match);
      }
    })();
    this.db.exec('CREATE INDEX planned_match ON planned (match, used)');
    this.find = this.db.prepare('SELECT id, rec FROM planned WHERE match = ? AND used = 0 ORDER BY id LIMIT 1');
    this.findExact = this.db.prepare('SELECT id, rec FROM planned WHERE match = ? AND hash = ? AND used = 0 ORDER BY id LIMIT 1');
    this.use = this.db.prepare('UPDATE planned SET used = 1 WHERE id = ?');
  }

  /**
   * The unused planned record this row is, if any, and takes it: one whose values are the same
   * first (several records may share a key), else any with its identity (the row changed).
   */
  take(match: string, values: string): PlanRecord | undefined {
    if (!this.mayHave(match)) return undefined;
    const hit = (this.findExact.get(match, values) ?? this.find.get(match)) as { id: number; rec: string } | undefined;
    if (!hit) return undefined;
    this.use.run(hit.id);
    return JSON.parse(hit.rec) as PlanRecord;
  }

  /** Planned records no row was found for. */
  unused(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM planned WHERE used = 0').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private bit(match: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < match.length; i++) h = Math.imul(h ^ match.charCodeAt(i), 0x01000193);
    return (h >>> 0) & 0xffffff;
  }
  private mark(match: string): void {
    const b = this.bit(match);
    this.maybe[b >>> 5] |= 1 << (b & 31);
  }
  private mayHave(match: string): boolean {
    const b = this.bit(match);
    return (this.maybe[b >>> 5] & (1 << (b & 31))) !== 0;
  }
}
