#!/usr/bin/env node
// Demo data for the shipped policies (policies/*.yaml): one SQLite database and one CSV file per
// dataset, with the same records in both.
//
//   node scripts/demo-data.mjs [outdir]      (default: demo/)
//
// Writes <outdir>/demo.db and <outdir>/csv/<dataset>.csv. Deterministic: a seeded PRNG, a fixed
// "today" (2026-11-20), no clock, no Math.random; the same run gives the same bytes.
//
// The datasets and what the policies need of them come from the policies, loaded with the
// project's own loader: one table per declared dataset, its key column numbered 1..n, its hold
// column, timestamps written the way the dataset declares them (iso in several variants, unix,
// unix_ms, or a Luxon format such as 'dd-MM-yyyy HH:mm:ss'). What each column means is in
// scripts/demo/datasets.mjs; a column a policy names that the generator does not produce (or a
// dataset without a generator) stops the run, as the CLI would refuse such a source. A few values
// are corrupt on purpose and some records are on legal hold, so reports show invalid and held counts.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { loadPolicies } from '../dist/policy/load.js';
import { serializeRecord } from '../dist/sources/csv/serialize.js';
import { demoDatasets } from './demo/datasets.mjs';
import { chance, hash, reseed, SEED } from './demo/random.mjs';
import { Stamp, stampText } from './demo/time.mjs';

const POLICIES = fileURLToPath(new URL('../policies', import.meta.url));

/** Each dataset of the policies, with the columns its rules name and why (for the messages). */
function policyDatasets() {
  const { policies, problems } = loadPolicies([POLICIES]);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(`policies do not load:\n${errors.map((p) => `  ${p.file}:${p.line}: ${p.message}`).join('\n')}`);
  const datasets = new Map();
  for (const p of policies)
    for (const d of p.datasets.values()) {
      if (datasets.has(d.name)) continue; // declared alike by two policies (the loader checks)
      if (!d.key) throw new Error(`${d.name} (${p.name}): the demo needs a key column`);
      const named = new Map([[d.key, 'key']]);
      if (d.hold) named.set(d.hold, 'hold');
      datasets.set(d.name, { ...d, zone: p.timezone, named, from: new Set(), where: [], periods: new Set() });
    }
  for (const r of policies.flatMap((p) => p.rules)) {
    const d = datasets.get(r.dataset);
    const name = (column, why) => d.named.set(column, d.named.get(column) ?? `${why} of rule ${r.id}`);
    for (const c of r.from) {
      d.from.add(c);
      name(c, 'from');
    }
    for (const w of r.where) {
      d.where.push({ ...w, rule: r.id });
      name(w.column, 'where');
    }
    for (const c of r.redact) name(c, 'redact');
    for (const p of [r.deleteAfter, r.redactAfter, r.keepFor])
      if (p?.kind === 'column') {
        d.periods.add(p.column);
        name(p.column, 'period');
      }
  }
  return datasets;
}

/** SQLite type of a column from its values: INTEGER, REAL or TEXT. */
function sqlType(rows, column) {
  const values = rows.map((r) => r[column]).filter((v) => v !== null);
  if (values.length === 0 || values.some((v) => typeof v !== 'number')) return 'TEXT';
  return values.every(Number.isInteger) ? 'INTEGER' : 'REAL';
}

/** The records of one dataset as the policies read it, checked against what they name. */
function build(ds, gen) {
  reseed(SEED ^ hash(ds.name)); // each dataset has its own stream: editing one leaves the others unchanged
  const fail = (why) => {
    throw new Error(`${ds.name} (policy ${ds.policy}): ${why}; see scripts/demo/datasets.mjs`);
  };
  const rows = gen.rows().map(({ held, ...values }, i) => {
    if (held !== undefined && !ds.hold) fail('the generator holds records but the policy declares no hold column');
    const r = { [ds.key]: i + 1, ...values };
    if (ds.hold) r[ds.hold] = (held ?? chance(0.004)) ? 1 : 0; // a hold the generator does not know of: a few records
    return r;
  });
  const columns = Object.keys(rows[0]);
  for (const r of rows) if (Object.keys(r).join() !== columns.join()) fail(`record columns [${Object.keys(r)}] differ from [${columns}]`);
  for (const [column, why] of ds.named)
    if (!columns.includes(column)) fail(`the policy names column ${column} (${why}), the generator has none`);
  for (const c of ds.from)
    if (rows.some((r) => r[c] !== null && !(r[c] instanceof Stamp)))
      fail(`column ${c} is a rule's 'from', but holds values other than stamp()`);
  for (const c of ds.periods)
    if (rows.some((r) => r[c] !== null && !Number.isInteger(r[c])))
      fail(`column ${c} is a per-record period, but holds values other than whole numbers`);
  for (const w of ds.where)
    for (const v of w.values)
      if (!rows.some((r) => String(r[w.column]) === v)) fail(`no record has ${w.column} = ${v} (where of rule ${w.rule})`);

  for (const r of rows) for (const c of columns) if (r[c] instanceof Stamp) r[c] = stampText(r[c], ds.timestamps, ds.zone);
  const types = columns.map((c) => (c === ds.key ? 'INTEGER PRIMARY KEY' : c === ds.hold ? 'INTEGER' : sqlType(rows, c)));
  for (const [column, values] of Object.entries(gen.corrupt ?? {})) {
    if (!columns.includes(column)) fail(`corrupt names column ${column}, which the table does not have`);
    values.forEach((v, k) => {
      rows[Math.floor(((k + 0.5) * rows.length) / values.length)][column] = v;
    });
  }
  return { columns, types, rows };
}

function main() {
  const outdir = process.argv[2] ?? 'demo';
  const started = performance.now();
  const datasets = policyDatasets();
  reseed(SEED);
  const generators = demoDatasets();
  for (const name of Object.keys(generators)) if (!datasets.has(name)) throw new Error(`${name}: no policy declares this dataset`);
  for (const ds of datasets.values()) if (!generators[ds.name]) throw new Error(`${ds.name} (policy ${ds.policy}): no generator`);
  const tables = [...datasets.values()].map((ds) => ({ ds, ...build(ds, generators[ds.name]) }));

  mkdirSync(join(outdir, 'csv'), { recursive: true });
  for (const f of ['demo.db', 'demo.db-wal', 'demo.db-shm', 'demo.db-journal']) rmSync(join(outdir, f), { force: true });
  for (const f of readdirSync(join(outdir, 'csv'))) if (f.endsWith('.csv')) rmSync(join(outdir, 'csv', f));

  const db = new Database(join(outdir, 'demo.db'));
  db.pragma('journal_mode = DELETE');
  let total = 0;
  const summary = [];
  for (const { ds, columns, types, rows } of tables) {
    db.exec(`CREATE TABLE ${ds.name} (${columns.map((c, i) => `${c} ${types[i]}`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO ${ds.name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    db.transaction(() => {
      for (const r of rows) insert.run(columns.map((c) => r[c]));
    })();

    const csv = generators[ds.name].csv ?? {};
    const eol = csv.crlf ? '\r\n' : '\n';
    const lines = [columns, ...rows.map((r) => columns.map((c) => r[c]))].map((fields) => serializeRecord(fields, ',', eol));
    writeFileSync(join(outdir, 'csv', `${ds.name}.csv`), (csv.bom ? '\uFEFF' : '') + lines.join(''));

    total += rows.length;
    const held = ds.hold ? rows.filter((r) => r[ds.hold] === 1).length : 0;
    summary.push(`  ${ds.name.padEnd(32)} ${String(rows.length).padStart(6)} records${held ? `, ${held} on hold` : ''}`);
  }
  db.close();
  const ms = Math.round(performance.now() - started);
  console.log(`wrote ${join(outdir, 'demo.db')} and ${join(outdir, 'csv')}/ (${tables.length} datasets, ${total} records, ${ms} ms)`);
  console.log(summary.join('\n'));
}

main();
