// --scale: a large SQLite table and a large CSV file of the events shape, one purge by retention
// and one by the peer each, with peak RSS and RSS sampled over the run (flat memory).
import fs from 'node:fs';
import path from 'node:path';
import { generate, SHAPE_INFO, SHAPES } from './generate.mjs';
import { AS_OF, BIN, compareTable, fmtS, machine, mb, n, rel, rmDb, rssProfile, sh, shown, summarize, timed, tmpDir } from './lib.mjs';

const SAMPLE_MS = 1000;

async function one(label, cmd, args, opts, check) {
  console.log(`\n$ ${shown(cmd, args, opts.outFile !== '/dev/null' ? opts.outFile : undefined)}`);
  const r = await timed(cmd, args, { sampleMs: SAMPLE_MS, ...opts });
  const ok = r.status === 0;
  console.log(
    `  ${label}: ${fmtS(r.wall)} s, peak RSS ${(r.rssKB / 1024).toFixed(0)} MB${ok ? '' : `  FAILED (exit ${r.status ?? r.signal})`}`,
  );
  if (!ok) console.log(`  stderr: ${r.stderr.slice(-2000)}`);
  console.log(`  ${rssProfile(r.samples)}`);
  const problem = ok ? check() : 'failed';
  if (problem) console.log(`WARNING: ${label}: ${problem}`);
  return { ...r, ok: ok && !problem };
}

export async function scale(o) {
  const shape = SHAPES.events;
  const tmp = tmpDir('retention-bench-scale-');
  console.log(machine());
  console.log(`${SHAPE_INFO}; shape ${shape.label}; dir ${tmp}`);
  console.log(sh('df', ['-h', tmp]));
  const ret = (source) => [BIN, ['purge', '--policy', shape.policy, '--source', source, '--as-of', AS_OF, '--log-level', 'warn']];
  const results = [];
  let failed = false;
  try {
    if (o.sqliteRows) {
      const orig = path.join(tmp, 'orig', 'events.db');
      const db = path.join(tmp, 'run', 'events.db');
      let t = performance.now();
      const g = generate(shape, { rows: o.sqliteRows, seed: o.seed, dbPath: orig });
      const size = fs.statSync(orig).size;
      console.log(`\nSQLite: ${n(g.rows)} rows, ${mb(size)} MB, ${n(g.due)} due, generated in ${fmtS((performance.now() - t) / 1000)} s`);
      const count = () => Number(sh('sqlite3', [db, 'SELECT count(*) FROM events']));
      const check = () => {
        const left = count();
        return left === g.rows - g.due ? undefined : `${n(left)} rows left, expected ${n(g.rows - g.due)}`;
      };
      const runs = { ret: [], peer: [] };
      for (const [who, [cmd, args]] of [
        ['ret', ret(db)],
        ['peer', ['sqlite3', [db, shape.sqlDelete]]],
      ]) {
        t = performance.now();
        fs.mkdirSync(path.dirname(db), { recursive: true });
        fs.copyFileSync(orig, db);
        console.log(`  (copy ${fmtS((performance.now() - t) / 1000)} s, not counted)`);
        runs[who].push(await one(who === 'ret' ? 'retention purge' : 'sqlite3 DELETE', cmd, args, {}, check));
        rmDb(db);
      }
      fs.rmSync(orig, { force: true });
      results.push({
        shape: shape.name,
        what: `SQLite ${mb(size)} MB`,
        rows: g.rows,
        ret: summarize(runs.ret),
        peer: { name: 'sqlite3 DELETE', ...summarize(runs.peer) },
      });
    }
    if (o.csvBytes) {
      const csv = path.join(tmp, 'run', 'events.csv');
      const out = path.join(tmp, 'out.csv');
      const t = performance.now();
      const g = generate(shape, { seed: o.seed, csvPath: csv, csvBytes: o.csvBytes });
      const size = fs.statSync(csv).size;
      console.log(`\nCSV: ${n(g.rows)} rows, ${mb(size)} MB, ${n(g.due)} due, generated in ${fmtS((performance.now() - t) / 1000)} s`);
      // The events shape has no newline inside a field: lines minus the header are the rows.
      const rowsIn = (f) => Number(sh('wc', ['-l', f]).split(/\s+/)[0]) - 1;
      const check = (f) => () => {
        const left = rowsIn(f);
        return left === g.rows - g.due ? undefined : `${n(left)} rows left, expected ${n(g.rows - g.due)}`;
      };
      // The peer reads the file and writes what is kept; retention then rewrites the same file in place.
      const peer = await one('mlr filter', 'mlr', ['--csv', 'filter', shape.mlrKeep, csv], { outFile: out }, check(out));
      fs.rmSync(out, { force: true });
      const [cmd, args] = ret(csv);
      const mine = await one('retention purge', cmd, args, {}, check(csv));
      fs.rmSync(csv, { force: true });
      results.push({
        shape: shape.name,
        what: `CSV ${mb(size)} MB`,
        rows: g.rows,
        ret: summarize([mine]),
        peer: { name: 'mlr filter', ...summarize([peer]) },
      });
    }
    compareTable(results);
    failed = results.some((r) => r.ret.ok < r.ret.runs || r.peer.ok < r.peer.runs);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`removed ${rel(tmp)}`);
  }
  return !failed;
}
