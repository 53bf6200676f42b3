import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { DatasetPlan } from '../src/engine/plan.js';
import { InterruptedError } from '../src/errors.js';
import { CsvSource } from '../src/sources/csv/csv-source.js';
import { PostgresSource } from '../src/sources/postgres/pg-source.js';
import type { Acted, PlannedSet, Request, Sink, Source } from '../src/sources/source.js';
import { BATCH_ROWS, SqliteSource } from '../src/sources/sqlite/sqlite-source.js';
import { csvText, sha, sqliteRows, tempDir } from './helpers/cli.js';
import { PG_URL, pgDatabase, sql } from './helpers/pg.js';
import { planOf as planAt } from './helpers/plan.js';
import { SqlTestSource } from './helpers/sql-source.js';

// One suite, run on every source (as kysely runs its tests for every dialect): what the app
// relies on, stated once. The SQL test source decides in SQL and has nothing to call back per
// row; it passes the same suite, for the rule shape it takes.

const AS_OF = DateTime.fromISO('2026-11-24T00:00:00Z', { zone: 'UTC' });
const OLD = 1_767_225_600; // 2026-01-01, due under "30 days"
const NEW = 1_763_856_000 + 86_400 * 360; // late 2026, not due
const N = 120_000; // more than two SQLite batches

/** Rows with known fates: every 10th old (deleted), every 50th unreadable, every 70th not started. */
function rows(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const at = id % 50 === 0 ? 'garbage' : id % 70 === 0 ? null : id % 10 === 0 ? OLD : NEW;
    return { id, at, note: id % 7 === 0 ? `note, "quoted"\n${id}` : `n${id}`, tag: id % 3 === 0 ? 'x' : 'y' };
  });
}
const fate = (id: number) => (id % 50 === 0 ? 'invalid' : id % 70 === 0 ? 'keep' : id % 10 === 0 ? 'delete' : 'keep');
const DELETE_ONLY =
  'version: 1\nname: contract\ntimezone: UTC\ndatasets:\n  t: { key: id, timestamps: unix }\nrules:\n  - { id: old, dataset: t, from: at, delete_after: 30 days }\n';
const WITH_REDACTION = `${DELETE_ONLY}  - { id: notes, dataset: t, where: { tag: x }, from: at, redact_after: 1 day, redact: [note] }\n`;

const planOf = (text: string, dataset = 't'): DatasetPlan => planAt(text, AS_OF, dataset);

interface Fixture {
  open(writing: boolean): Source | Promise<Source>;
  /** ids and notes left in the dataset, in order */
  contents(): { id: number; note: string | null }[] | Promise<{ id: number; note: string | null }[]>;
  /** What changes when the dataset does: its file, or its table's rows. */
  state(): string | Promise<string>;
  /** The name the source identifies itself by. */
  identity: string;
  /** The source decides rows in JavaScript and so takes every rule shape (redactions too). */
  rowSource: boolean;
}

const fixtures: Record<string, (n: number) => Fixture | Promise<Fixture>> = {
  sqlite: (n) => {
    const file = join(tempDir(), 'd.db');
    sqliteWith(file, n);
    return {
      identity: file,
      state: () => sha(file),
      rowSource: true,
      open: (writing) => new SqliteSource(file, { readonly: !writing }),
      contents: () => sqliteContents(file),
    };
  },
  csv: (n) => {
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, `\ufeff${csvText(rows(n), '\r\n')}`);
    return {
      identity: file,
      state: () => sha(file),
      rowSource: true,
      open: () => new CsvSource(file, { delimiter: ',' }),
      contents: () => {
        const out: { id: number; note: string | null }[] = [];
        for (const r of parse(readFileSync(file), { bom: true, columns: true }) as Record<string, string>[])
          out.push({ id: Number(r.id), note: r.note === '' ? null : r.note });
        return out;
      },
    };
  },
  'sql (test source)': (n) => {
    const file = join(tempDir(), 'd.db');
    sqliteWith(file, n);
    return {
      identity: file,
      state: () => sha(file),
      rowSource: false,
      open: () => new SqlTestSource(file),
      contents: () => sqliteContents(file),
    };
  },
  ...(PG_URL ? { postgres: pgFixture('pages'), 'postgres, batches by key': pgFixture('key') } : {}),
};

function pgFixture(batchBy: 'pages' | 'key') {
  return async (n: number): Promise<Fixture> => {
    const url = await pgDatabase();
    await sql(url, 'CREATE TABLE t (id integer PRIMARY KEY, at text, note text, tag text)');
    for (let i = 0; i < n; i += 10_000) {
      const part = rows(n).slice(i, i + 10_000);
      await sql(url, `INSERT INTO t SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[])`, [
        part.map((r) => r.id),
        part.map((r) => (r.at === null ? null : String(r.at))),
        part.map((r) => r.note),
        part.map((r) => r.tag),
      ]);
    }
    const contents = async () =>
      (await sql(url, 'SELECT id, note FROM t ORDER BY id')).map((r) => ({ id: Number(r.id), note: r.note as string | null }));
    const path = `postgresql://postgres@${encodeURIComponent(new URLSearchParams(url.split('?')[1]).get('host') ?? '')}:5432/${url.split('/')[3].split('?')[0]}`;
    return {
      identity: path,
      state: async () => JSON.stringify(await sql(url, 'SELECT * FROM t ORDER BY id')),
      rowSource: true,
      open: () => PostgresSource.open(url, { batchBy }),
      contents,
    };
  };
}
if (!PG_URL)
  console.log(
    'skipped: source contract on PostgreSQL (no PostgreSQL server: set RETENTION_TEST_PG, as .ci/run does with scripts/pg-test-cluster.sh)',
  );

function sqliteWith(file: string, n: number): void {
  const db = new Database(file);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER, note TEXT, tag TEXT)');
  const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of rows(n)) ins.run(r.id, r.at, r.note, r.tag);
  })();
  db.close();
}
const sqliteContents = (file: string) =>
  sqliteRows(file, 'SELECT id, note FROM t ORDER BY rowid').map((r) => ({ id: Number(r.id), note: r.note as string | null }));

/** A sink that keeps what it hears: what was sent, and of it what was committed. */
function listen(onAct?: (a: Acted) => void) {
  const heard = { acted: [] as { key: string; action: string; rule: string }[], committed: [] as string[], commits: 0, rollbacks: 0 };
  let pending: string[] = [];
  const sink: Sink = {
    act(a) {
      onAct?.(a);
      heard.acted.push({ key: a.key(), action: a.decision.action, rule: a.decision.rule.id });
      pending.push(a.key());
    },
    commit: () => {
      heard.commits++;
      heard.committed.push(...pending);
      pending = [];
    },
    rollback: () => {
      heard.rollbacks++;
      pending = [];
    },
  };
  return { sink, heard };
}
const request = (plan: DatasetPlan, mode: Request['mode'], more: Partial<Request> = {}): Request => ({
  mode,
  others: new Map([['t', plan]]),
  wants: true,
  ...more,
});

/** The sources that decide rows in JavaScript, or fall back to it, take every rule shape and a saved plan. */
const ALL_SHAPES = new Set(['sqlite', 'csv', 'postgres', 'postgres, batches by key']);

describe.each(Object.keys(fixtures))('source contract: %s', (kind) => {
  const plan = planOf(DELETE_ONLY);
  const deleted = (n: number) =>
    rows(n)
      .filter((r) => fate(r.id) === 'delete')
      .map((r) => r.id);

  it('lists the dataset with its columns, and names itself', async () => {
    const f = await fixtures[kind](3);
    const s = await f.open(false);
    expect([...s.datasets().keys()]).toContain('t');
    expect(s.datasets().get('t')?.columns).toEqual(['id', 'at', 'note', 'tag']);
    expect(s.identity.path).toBe(f.identity);
    expect(s.refusals(plan)).toEqual([]);
    await s.close();
  });

  it('reads every row in order as typed rows: the plan columns, a reference; with a key, that row only', async () => {
    const s = await (await fixtures[kind](1000)).open(false);
    const seen: { values: unknown[]; ref: unknown; referenced: boolean }[] = [];
    await s.rows(plan, request(plan, 'read'), (row) =>
      seen.push({ values: row.values.slice(0, plan.columns.length), ref: row.ref, referenced: row.referenced }),
    );
    expect(plan.columns).toEqual(['at', 'id']);
    expect(seen).toHaveLength(1000);
    expect(seen.map((r) => Number(r.values[1]))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(new Set(seen.map((r) => String(r.ref))).size).toBe(1000);
    expect(seen.every((r) => !r.referenced)).toBe(true);
    const one: unknown[] = [];
    await s.rows(plan, request(plan, 'read'), (row) => one.push(row.values[1]), '77');
    expect(one.map(Number)).toEqual([77]);
    await s.close();
  });

  it('evaluates without changing: exact counts, and the records to delete in source order', async () => {
    const f = await fixtures[kind](5000);
    const before = await f.state();
    const s = await f.open(false);
    const { sink, heard } = listen();
    const counts = await s.evaluate(plan, request(plan, 'read'), sink);
    await s.close();
    expect(await f.state()).toBe(before);
    const want = deleted(5000);
    expect(counts).toMatchObject({
      dataset: 't',
      scanned: 5000,
      delete: want.length,
      redact: 0,
      keep: 5000 - want.length,
      invalid: 100,
      rules: [{ rule: 'old', delete: want.length }],
    });
    expect(heard.acted.map((a) => Number(a.key))).toEqual(want);
    expect(heard.commits).toBe(0);
  });

  it('writes across batches, keeping every other row as it was; each commit is heard, the records before it', async () => {
    const f = await fixtures[kind](N);
    const s = await f.open(true);
    const { sink, heard } = listen();
    const counts = await s.evaluate(plan, request(plan, 'write'), sink);
    await s.close();
    const want = deleted(N);
    expect(counts.delete).toBe(want.length);
    expect(heard.acted).toHaveLength(want.length);
    expect(heard.commits).toBeGreaterThanOrEqual(1);
    expect(heard.committed.map(Number).sort((a, b) => a - b)).toEqual(want);
    const gone = new Set(want);
    expect(await f.contents()).toEqual(
      rows(N)
        .filter((r) => !gone.has(r.id))
        .map((r) => ({ id: r.id, note: r.note })),
    );
  });

  it('changes nothing when nothing is due', async () => {
    const f = await fixtures[kind](5000);
    const before = await f.state();
    const s = await f.open(true);
    const late = planOf(DELETE_ONLY.replace('30 days', '3650 days'));
    expect(await s.evaluate(late, request(late, 'write'), listen().sink)).toMatchObject({ delete: 0, redact: 0 });
    await s.close();
    expect(await f.state()).toBe(before);
  });

  it('a failure while writing leaves the data consistent: the committed batches whole (none for CSV), the rest as it was; the rollback is heard', async () => {
    const f = await fixtures[kind](N);
    const s = await f.open(true);
    const { sink, heard } = listen((a) => {
      if (Number(a.key()) === N - 10) throw new Error('boom');
    });
    await expect(s.evaluate(plan, request(plan, 'write'), sink)).rejects.toThrow('boom');
    await s.close();
    expect(heard.rollbacks).toBe(1);
    const gone = new Set(heard.committed.map(Number));
    expect((await f.contents()).map((x) => x.id)).toEqual(
      rows(N)
        .filter((r) => !gone.has(r.id))
        .map((r) => r.id),
    );
    if (kind === 'csv') expect(gone.size).toBe(0);
    if (kind === 'sqlite') {
      // The batches before the failure were committed whole, and heard; the failing one was rolled back.
      const committed = Math.floor((N - 11) / BATCH_ROWS) * BATCH_ROWS;
      expect(heard.commits).toBe(committed / BATCH_ROWS);
      expect([...gone].sort((a, b) => a - b)).toEqual(deleted(committed));
    }
    if (f.identity.startsWith('/'))
      expect(readdirSync(dirname(f.identity)).filter((n) => !n.endsWith('-journal'))).toEqual([basename(f.identity)]);
  });

  it('a signal before writing stops it with nothing changed', async () => {
    const f = await fixtures[kind](1000);
    const before = await f.state();
    const s = await f.open(true);
    const stop = new AbortController();
    stop.abort('SIGTERM');
    await expect(s.evaluate(plan, request(plan, 'write', { signal: stop.signal }), listen().sink)).rejects.toBeInstanceOf(InterruptedError);
    await s.close();
    expect(await f.state()).toBe(before);
  });

  it.runIf(ALL_SHAPES.has(kind))('a saved plan: only the planned records act, and only if unchanged', async () => {
    const f = await fixtures[kind](1000);
    const s = await f.open(true);
    const hashes = new Map<string, string>();
    await s.evaluate(plan, request(plan, 'read'), { act: (a) => hashes.set(a.key(), `${a.match()} ${a.valuesHash()}`) });
    const take = new Set(['10', '20', '30'].map((k) => hashes.get(k)?.split(' ')[0]));
    const planned: PlannedSet = {
      take: (match, _values) =>
        take.delete(match)
          ? {
              action: 'delete',
              policy: 'contract',
              rule: 'old',
              values: match === hashes.get('30')?.split(' ')[0] ? 'stale' : (hashes.get(match.replace(/^\D+:/, ''))?.split(' ')[1] ?? ''),
            }
          : undefined,
    };
    const { sink, heard } = listen();
    const counts = await s.evaluate(plan, request(plan, 'write', { planned }), sink);
    await s.close();
    expect(heard.acted.map((a) => a.key)).toEqual(['10', '20']);
    expect(counts).toMatchObject({ delete: 2, skipped: { changed: 1 } });
    expect((await f.contents()).map((x) => x.id)).not.toContain(10);
    expect((await f.contents()).map((x) => x.id)).toContain(30);
  });

  it.runIf(ALL_SHAPES.has(kind))('redactions: the due rule empties its columns, the record stays', async () => {
    const f = await fixtures[kind](1000);
    const s = await f.open(true);
    const p = planOf(WITH_REDACTION);
    const { sink, heard } = listen();
    const counts = await s.evaluate(p, request(p, 'write'), sink);
    await s.close();
    const redacted = rows(1000).filter((r) => r.tag === 'x' && fate(r.id) === 'keep' && r.at !== null);
    expect(counts.redact).toBe(redacted.length);
    expect(heard.acted.filter((a) => a.action === 'redact')).toHaveLength(redacted.length);
    const notes = new Map((await f.contents()).map((r) => [r.id, r.note]));
    for (const r of redacted) expect(notes.get(r.id)).toBeNull();
    expect(notes.get(1)).toBe('n1');
  });
});

describe('row facts (SQLite): rows others refer to are kept, unless the rows that refer go first', () => {
  const POLICY = `${DELETE_ONLY.replace('rules:\n', '  child: { key: id, timestamps: unix }\nrules:\n')}  - { id: old-child, dataset: child, from: at, delete_after: 30 days }\n`;
  function setup(childAt: number) {
    const file = join(tempDir(), 'fk.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, at, note TEXT, tag TEXT);
      CREATE TABLE child (id INTEGER PRIMARY KEY, at, parent INTEGER REFERENCES t(id));
      INSERT INTO t VALUES (1, ${OLD}, 'a', 'y'), (2, ${OLD}, 'b', 'y'), (3, ${NEW}, 'c', 'y');
      INSERT INTO child VALUES (1, ${childAt}, 1);`);
    db.close();
    return file;
  }

  it.each([
    ['stays', NEW, ['2'], 1],
    ['goes in the same run', OLD, ['1', '2'], 0],
  ] as const)('the referring row %s', async (_what, childAt, keys, referenced) => {
    const s = new SqliteSource(setup(childAt), { readonly: true });
    const t = planOf(POLICY, 't');
    const child = planOf(POLICY, 'child');
    expect(s.datasets().get('t')).toMatchObject({ after: ['child'], mayBeReferenced: true, referencedBy: 'child(parent)' });
    const { sink, heard } = listen();
    const counts = await s.evaluate(
      t,
      {
        mode: 'read',
        others: new Map([
          ['t', t],
          ['child', child],
        ]),
      },
      sink,
    );
    s.close();
    expect(heard.acted.map((a) => a.key)).toEqual(keys);
    expect(counts.referenced).toBe(referenced);
  });
});

describe('row facts (CSV): a record that is not valid UTF-8 is not redacted, but kept as doubt', () => {
  it('counts it invalid and leaves its bytes', async () => {
    const file = join(tempDir(), 't.csv');
    const head = Buffer.from(`id,at,note,tag\n1,${OLD - 86_400 * 300},`);
    writeFileSync(file, Buffer.concat([head, Buffer.from([0x66, 0xe9, 0x65]), Buffer.from(',x\n')]));
    const before = sha(file);
    const s = new CsvSource(file, { delimiter: ',' });
    const p = planOf(WITH_REDACTION.replace('30 days', '3650 days'));
    const counts = await s.evaluate(p, request(p, 'write'), listen().sink);
    s.close();
    expect(counts).toMatchObject({ redact: 0, invalid: 1 });
    expect(sha(file)).toBe(before);
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
    const file = join(tempDir(), 'b.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t (id INTEGER, at INTEGER, note TEXT, tag TEXT)');
    const ins = db.prepare('INSERT INTO t (rowid, id, at) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < n; i++) ins.run(rowid(i), i, i % 2 === 0 ? OLD : NEW);
    })();
    db.close();
    const s = new SqliteSource(file, { readonly: false });
    const plan = planOf(DELETE_ONLY);
    const { sink, heard } = listen();
    const counts = await s.evaluate(plan, request(plan, 'write'), sink);
    s.close();
    expect(counts).toMatchObject({ scanned: n, delete: n / 2, keep: n / 2 });
    expect(heard.acted.map((a) => Number(a.key))).toEqual(Array.from({ length: n / 2 }, (_, i) => 2 * i));
    expect(heard.commits).toBeGreaterThanOrEqual(Math.ceil(n / BATCH_ROWS));
    // A sparse range switches to counting rows, so sparse rowids cost at most a probe batch or two.
    expect(heard.commits).toBeLessThanOrEqual(Math.ceil(n / BATCH_ROWS) + 2);
    expect(sqliteRows(file, 'SELECT id FROM t ORDER BY rowid').map((r) => r.id)).toEqual(
      Array.from({ length: n / 2 }, (_, i) => 2 * i + 1),
    );
  });
});
