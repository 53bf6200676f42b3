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
  return Array.from({ length: n }, (_, i) => ({ id: i + 1, note: i % 7 === 0 ? `note, "quoted"\n${i}` : `n${i}`, tag: i % 3 === 0 ? 'x' : 'y' }));
}

const fixtures: Record<string, (n: number) => Fixture> = {
  sqlite: (n) => {
    const file = sqliteTable(join(tempDir(), 'd.db'), 't', rows(n));
    return {
      file,
      open: (readonly) => new SqliteSource(file, { readonly }),
      contents: () => sqliteRows(file, 'SELECT id, note FROM t ORDER BY rowid').map((r) => ({ id: Number(r.id), note: r.note as string | null })),
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
        for (const r of parse(readFileSync(file), { bom: true, columns: true })) out.push({ id: Number(r.id), note: r.note === '' ? null : r.note });
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
    expect(r).toEqual({ deleted: N / 10, redacted: N / 10 });
    const left = f.contents();
    expect(left).toHaveLength(N - N / 10);
    const want = rows(N).filter((x) => x.id % 10 !== 0).map((x) => ({ id: x.id, note: x.id % 10 === 1 ? null : x.note }));
    expect(left).toEqual(want);
  });

  it('changes nothing when every row is kept', async () => {
    const f = fixtures[kind](5000);
    const before = sha(f.file);
    const s = f.open(false);
    expect(await s.apply('t', ['id'], () => 'keep')).toEqual({ deleted: 0, redacted: 0 });
    s.close();
    expect(sha(f.file)).toBe(before);
  });

  it('a failure while deciding leaves the data consistent: nothing (CSV) or whole batches (SQLite)', async () => {
    const f = fixtures[kind](N);
    const s = f.open(false);
    await expect(s.apply('t', ['id'], (row) => {
      if (Number(row[0]) === N - 5) throw new Error('boom');
      return 'delete';
    })).rejects.toThrow('boom');
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
