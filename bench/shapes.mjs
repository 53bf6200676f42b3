// The default mode: every data shape as a SQLite table and a CSV file; retention's purge and
// report against the fastest honest peer for that shape, runs of the two interleaved, medians.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CUT, generate, SHAPE_INFO, SHAPES } from './generate.mjs';
import {
  AS_OF,
  BIN,
  compareTable,
  fmtMB,
  fmtS,
  fmtX,
  HERE,
  machine,
  mb,
  n,
  rmDb,
  sh,
  shown,
  summarize,
  table,
  timed,
  tmpDir,
} from './lib.mjs';

const FLOOR = path.join(HERE, 'floor.mjs');
// The targets per command and shape: SQLite against sqlite3, CSV against Miller on the plain file
// (string comparison) and on the mixed offsets (strptime).
const TARGETS = {
  'SQLite purge': () => 1.8,
  'SQLite report': () => 2.5,
  'CSV purge': (shape) => ({ events: 0.7, 'cdr-mixed': 0.3 })[shape],
};
const TARGET_RSS_MB = 200;

/** The pairs (retention, peer) and, with --floors, the extra commands measured against the SQLite peer. */
function pairs(shape, files, floors) {
  const { db, csv, runDb, runCsv, out } = files;
  const ret = (cmd, source, extra = []) => [
    BIN,
    [cmd, '--policy', shape.policy, '--source', source, '--as-of', AS_OF, '--log-level', 'warn', ...extra],
  ];
  const left = {
    db: () => Number(sh('sqlite3', [runDb, `SELECT count(*) FROM ${shape.dataset}`])),
    csv: (f) => Number(sh('mlr', ['--icsv', '--onidx', 'count', f]) || 0),
  };
  const list = [
    {
      what: 'SQLite purge',
      src: db,
      copy: runDb,
      ret: { cmd: ret('purge', runDb), kept: left.db },
      peer: { name: 'sqlite3 DELETE', cmd: ['sqlite3', [runDb, shape.sqlDelete]], kept: left.db },
    },
    {
      what: 'SQLite report',
      ret: { cmd: ret('report', db, ['--format', 'json']), due: reportDue(shape) },
      peer: { name: 'sqlite3 count(*)', cmd: ['sqlite3', [db, shape.sqlCount]], due: (o) => Number(o) },
    },
    {
      what: 'CSV purge',
      src: csv,
      copy: runCsv,
      ret: { cmd: ret('purge', runCsv), kept: () => left.csv(runCsv) },
      peer: { name: 'mlr filter', cmd: ['mlr', ['--csv', 'filter', shape.mlrKeep, runCsv]], outFile: out, kept: () => left.csv(out) },
    },
    {
      what: 'CSV report',
      ret: { cmd: ret('report', csv, ['--format', 'json']), due: reportDue(shape) },
      peer: {
        name: 'mlr filter -x, count',
        cmd: ['mlr', ['--icsv', '--onidx', 'filter', '-x', shape.mlrKeep, 'then', 'count', csv]],
        due: (o) => Number(o || 0),
      },
    },
  ];
  const extra = [];
  if (floors && shape.name === 'cdr-mixed') {
    const sqlOff = shape.sqlDelete.replace('secure_delete = ON', 'secure_delete = OFF');
    extra.push(
      { name: 'sqlite3 DELETE, secure_delete off', cmd: ['sqlite3', [runDb, sqlOff]] },
      { name: 'retention purge --vacuum', cmd: ret('purge', runDb, ['--vacuum']) },
      { name: 'floor: Node DELETE, no JS', cmd: [process.execPath, [FLOOR, runDb, CUT.iso, 'native', 'secure']] },
      { name: 'floor: + a JS call per row', cmd: [process.execPath, [FLOOR, runDb, CUT.iso, 'js-call', 'secure']] },
    );
  }
  return { list, extra: extra.map((e) => ({ ...e, src: db, copy: runDb, kept: left.db })) };
}

const reportDue = (shape) => (stdout) => JSON.parse(stdout).datasets.find((x) => x.dataset === shape.dataset).delete;

/** One run of one command on a fresh copy; checks the rows kept (or the due count) against the generator. */
async function runOnce(p, side, g, stdoutFile) {
  if (p.copy) {
    rmDb(p.copy);
    fs.copyFileSync(p.src, p.copy);
  }
  const [cmd, args] = side.cmd;
  const outFile = side.outFile ?? stdoutFile;
  const r = await timed(cmd, args, { outFile });
  let problem = r.status === 0 ? undefined : `exit ${r.status ?? r.signal}: ${r.stderr.slice(-1500)}`;
  if (!problem) {
    if (side.kept) {
      const kept = side.kept();
      if (kept !== g.rows - g.due) problem = `${n(kept)} rows kept, expected ${n(g.rows - g.due)}`;
    } else {
      const due = side.due(fs.readFileSync(outFile, 'utf8').trim());
      if (due !== g.due) problem = `${n(due)} due, expected ${n(g.due)}`;
    }
  }
  if (p.copy) rmDb(p.copy);
  if (side.outFile) fs.rmSync(side.outFile, { force: true });
  return { ...r, ok: !problem, problem };
}

export async function shapes(o) {
  const rows = o.rows?.[0] ?? 1_000_000;
  const repeat = o.repeat ?? 3;
  const names = o.shapes ?? Object.keys(SHAPES);
  for (const s of names) if (!SHAPES[s]) throw new Error(`unknown shape ${s} (known: ${Object.keys(SHAPES).join(', ')})`);
  const tmp = tmpDir();
  console.log(machine());
  console.log(
    `sqlite3 CLI ${sh('sqlite3', ['--version']).split(' ')[0]}; better-sqlite3 SQLite ${new Database(':memory:').prepare('select sqlite_version() v').get().v}; ${sh('mlr', ['--version'])}`,
  );
  console.log(`${SHAPE_INFO}; ${n(rows)} rows, ${repeat} interleaved runs of each command, each purge on a fresh copy (copy not timed)`);
  const results = [];
  const extras = [];
  let failed = false;
  try {
    for (const name of names) {
      const shape = SHAPES[name];
      const files = {
        db: path.join(tmp, name, `${shape.dataset}.db`),
        csv: path.join(tmp, name, `${shape.dataset}.csv`),
        runDb: path.join(tmp, 'run', `${shape.dataset}.db`),
        runCsv: path.join(tmp, 'run', `${shape.dataset}.csv`),
        out: path.join(tmp, 'out.csv'),
      };
      fs.mkdirSync(path.join(tmp, 'run'), { recursive: true });
      const t = performance.now();
      const g = generate(shape, { rows, seed: o.seed, dbPath: files.db, csvPath: files.csv });
      console.log(
        `\n== ${name}: ${shape.label}; peer: ${shape.peerNote}\n   ${n(g.rows)} rows (${n(g.due)} due, ${n(g.held)} held); ` +
          `${shape.dataset}.db ${mb(fs.statSync(files.db).size)} MB, ${shape.dataset}.csv ${mb(fs.statSync(files.csv).size)} MB; generated in ${fmtS((performance.now() - t) / 1000)} s`,
      );
      const { list, extra } = pairs(shape, files, o.floors);
      for (const p of list) {
        console.log(`  $ ${shown(...p.ret.cmd)}\n  $ ${shown(...p.peer.cmd, p.peer.outFile)}`);
        const runs = { ret: [], peer: [] };
        for (let i = 0; i < repeat; i++) {
          // Alternate who goes first, so that neither always runs on a warmer cache.
          for (const who of i % 2 ? ['peer', 'ret'] : ['ret', 'peer']) {
            const r = await runOnce(p, p[who], g, path.join(tmp, 'stdout.txt'));
            runs[who].push(r);
            if (r.problem) {
              failed = true;
              console.log(`WARNING: ${name} ${p.what} ${who === 'ret' ? 'retention' : p.peer.name}: ${r.problem}`);
            }
          }
        }
        const line = (xs) => xs.map((r) => `${fmtS(r.wall)} s/${fmtMB(r.rssKB)} MB`).join(', ');
        console.log(`    ${p.what}: retention ${line(runs.ret)}; ${p.peer.name} ${line(runs.peer)}`);
        results.push({
          shape: name,
          what: p.what,
          rows: g.rows,
          ret: summarize(runs.ret),
          peer: { name: p.peer.name, ...summarize(runs.peer) },
        });
      }
      if (extra.length) {
        const peer = results.find((r) => r.shape === name && r.what === 'SQLite purge').peer;
        for (const e of extra) {
          const runs = [];
          for (let i = 0; i < repeat; i++) runs.push(await runOnce(e, e, g, path.join(tmp, 'stdout.txt')));
          if (runs.some((r) => r.problem)) failed = true;
          const s = summarize(runs);
          extras.push([name, e.name, fmtS(s.wall), fmtX(s.wall / peer.wall), fmtMB(s.rssKB)]);
        }
      }
      if (!o.keep) fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
    }
    compareTable(results);
    for (const r of results) {
      const x = r.ret.wall / r.peer.wall;
      const target = TARGETS[r.what]?.(r.shape);
      if (target)
        console.log(
          `${`${r.shape} ${r.what}: retention / ${r.peer.name}`.padEnd(56)} ${fmtX(x)} (target <= ${target}x: ${x <= target ? 'met' : 'MISSED'})`,
        );
    }
    const worst = Math.max(...results.map((r) => r.ret.rssKB)) / 1024;
    console.log(
      `${'peak RSS of every retention run'.padEnd(56)} ${worst.toFixed(0)} MB max (target < ${TARGET_RSS_MB} MB: ${worst < TARGET_RSS_MB ? 'met' : 'MISSED'})`,
    );
    if (extras.length) table(['shape', 'for information (SQLite, against sqlite3 DELETE)', 'wall s', 'ratio', 'RSS MB'], extras);
    failed ||= results.some((r) => r.ret.ok < r.ret.runs || r.peer.ok < r.peer.runs);
  } finally {
    if (o.keep) console.log(`kept data in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  return !failed;
}
