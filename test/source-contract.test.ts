import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { basename, dirname, join } from 'node:path';
import type { Row, Source } from '../src/sources/source.js';
import { BATCH_ROWS, SqliteSource } from '../src/sources/sqlite/sqlite-source.js';
import { CsvSource } from '../src/sources/csv/csv-source.js';
import { csvText, sha, sqliteRows, sqliteTable, tempDir } from './helpers/cli.js';

// One suite, run on every source (as kysely runs its tests for every dialect): what the app
// relies on, stated once.
interface Fixture {
  open(readonly: boolean): Source;
  /** ids and notes left in the dataset, in order */
  contents(): { id: number; note: string | null }[];
  file: string;
}

const N = 120_000; // more than two SQLite batches

function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    note: i % 7 === 0 ? `note, "quoted"\n${i}` : `n${i}`,
    tag: i % 3 === 0 ? 'x' : 'y',
  }));
}

const fixtures: Record<string, (n: number) => Fixture> = {
  sqlite: (n) => {
    const file = sqliteTable(join(tempDir(), 'd.db'), 't', rows(n));
    return {
      file,
      open: (readonly) => new SqliteSource(file, { readonly }),
      contents: () =>
        sqliteRows(file, 'SELECT id, note FROM t ORDER BY rowid').map((r) => ({ id: Number(r.id), note: r.note as string | null })),
    };
  },
  csv: (n) => {
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, '\ufeff' + csvText(rows(n), '\r\n'));
    return {
      file,
      open: () => new CsvSource(file, { delimiter: ',' }),
      contents: () => {
        const out: { id: number; note: string | null }[] = [];
        for (const r of parse(readFileSync(file), { bom: true, columns: true }))
          out.push({ id: Number(r.id), note: r.note === '' ? null : r.note });
        return out;
      },
    };
  },
};

describe.each(Object.keys(fixtures))('source contract: %s', (kind) => {
  it('lists the dataset with its columns', () => {
    const s = fixtures[kind](3).open(true);
    expect([...s.datasets().keys()]).toEqual(['t']);
    expect(s.datasets().get('t')!.columns).toEqual(['id', 'note', 'tag']);
    s.close();
  });

  it('scans every row in order with the requested columns and a row reference', async () => {
    const s = fixtures[kind](1000).open(true);
    const seen: unknown[][] = [];
    await s.scan('t', ['tag', 'id'], (row: Row) => seen.push([...row]));
    s.close();
    expect(seen).toHaveLength(1000);
    expect(seen.map((r) => Number(r[1]))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(seen[0][0]).toBe('x');
    expect(typeof seen[0][2]).toBe('number'); // rowid or line number
    expect(new Set(seen.map((r) => r[2])).size).toBe(1000);
  });

  it('applies deletes and redactions across batches, keeping every other row as it was', async () => {
    const f = fixtures[kind](N);
    const s = f.open(false);
    const r = await s.apply('t', ['id', 'note'], (row) => {
      const id = Number(row[0]);
      return id % 10 === 0 ? 'delete' : id % 10 === 1 ? [1] : 'keep';
    });
    s.close();
    expect(r).toMatchObject({ deleted: N / 10, redacted: N / 10 });
    const left = f.contents();
    expect(left).toHaveLength(N - N / 10);
    const want = rows(N)
      .filter((x) => x.id % 10 !== 0)
      .map((x) => ({ id: x.id, note: x.id % 10 === 1 ? null : x.note }));
    expect(left).toEqual(want);
  });

  it('changes nothing when every row is kept', async () => {
    const f = fixtures[kind](5000);
    const before = sha(f.file);
    const s = f.open(false);
    expect(await s.apply('t', ['id'], () => 'keep')).toMatchObject({ deleted: 0, redacted: 0 });
    s.close();
    expect(sha(f.file)).toBe(before);
  });

  it('a failure while deciding leaves the data consistent: nothing (CSV) or whole batches (SQLite)', async () => {
    const f = fixtures[kind](N);
    const s = f.open(false);
    await expect(
      s.apply('t', ['id'], (row) => {
        if (Number(row[0]) === N - 5) throw new Error('boom');
        return 'delete';
      }),
    ).rejects.toThrow('boom');
    s.close();
    const left = f.contents().map((x) => x.id);
    expect(readdirSync(dirname(f.file)).filter((n) => !n.endsWith('-journal'))).toEqual([basename(f.file)]);
    if (kind === 'csv') expect(left).toHaveLength(N);
    else {
      // The batches before the failure were committed whole; the failing one was rolled back.
      const committed = Math.floor((N - 6) / BATCH_ROWS) * BATCH_ROWS;
      expect(committed).toBeGreaterThan(0);
      expect(left).toEqual(Array.from({ length: N - committed }, (_, i) => committed + i + 1));
    }
  });
});

describe('SQLite batches', () => {
  // Each batch is one write transaction over at most BATCH_ROWS rows, whatever the rowids look like.
  const layouts: [string, (i: number) => number | bigint][] = [
    ['dense rowids', (i) => i + 1],
    ['sparse rowids (a million apart)', (i) => (i + 1) * 1_000_000],
    ['a dense run, a gap of 2^40, another dense run', (i) => (i < 70_000 ? i + 1 : 2 ** 40 + i)],
    ['negative and positive rowids', (i) => i - 60_000],
    ['the last rowids below 2^63', (i) => 2n ** 63n - 130_000n + BigInt(i)],
    ['the first rowids from -2^63, a million apart', (i) => -(2n ** 63n) + BigInt(i) * 1_000_000n],
  ];
  it.each(layouts)('%s: every row decided once, in order, in few batches', async (_name, rowid) => {
    const n = 130_000;
    const file = sqliteTable(
      join(tempDir(), 'b.db'),
      't',
      Array.from({ length: n }, (_, i) => ({ rowid: rowid(i), v: i })),
      'CREATE TABLE t (v INTEGER)',
    );
    const s = new SqliteSource(file, { readonly: false });
    const decided: number[] = [];
    const done = await s.apply('t', ['v'], (row) => {
      const v = row[0] as number;
      decided.push(v);
      return v % 2 === 0 ? 'delete' : 'keep';
    });
    s.close();
    expect(decided).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(done.deleted).toBe(n / 2);
    expect(done.batches).toBeGreaterThanOrEqual(Math.ceil(n / BATCH_ROWS));
    // A sparse range switches to counting rows, so sparse rowids cost at most a probe batch or two.
    expect(done.batches).toBeLessThanOrEqual(Math.ceil(n / BATCH_ROWS) + 2);
    expect(sqliteRows(file, 'SELECT v FROM t ORDER BY rowid').map((r) => r.v)).toEqual(Array.from({ length: n / 2 }, (_, i) => 2 * i + 1));
  });
});
