// --postgres: a throwaway cluster (or $RETENTION_BENCH_PG), a calls table loaded with COPY into
// a template database, cloned for every purge so each run starts identical; retention's purge and
// report against psql's DELETE and count(*) FILTER with the same predicate, interleaved, medians.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CUT, generate, PG_CALLS } from './generate.mjs';
import {
  AS_OF,
  BIN,
  compareTable,
  cutoff,
  fmtS,
  fmtX,
  HERE,
  machine,
  mb,
  median,
  n,
  ROOT,
  sh,
  shown,
  summarize,
  summaryLines,
  table,
  timed,
  tmpDir,
} from './lib.mjs';

const CUT3 = cutoff({ months: 3 });
const TARGETS = { purge: 1.5, report: 1.5 };
const POLICIES = [
  {
    name: 'simple',
    file: path.join(HERE, 'policy-pg.yaml'),
    due: `recorded_at <= '${CUT.iso}'`,
  },
  {
    name: 'hold+where',
    file: path.join(HERE, 'policy-pg-realistic.yaml'),
    due: `NOT legal_hold AND ((service IN ('voice', 'voip', 'sms') AND recorded_at <= '${CUT.iso}') OR (service = 'data' AND recorded_at <= '${CUT3.iso}'))`,
  },
];

const dbUrl = (base, db) => {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
};
const psql = (url, sql) => sh('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', sql]);

/** A cluster to bench on: $RETENTION_BENCH_PG, or a throwaway one (scripts/pg-test-cluster.sh) stopped by stop(). */
function cluster() {
  if (process.env.RETENTION_BENCH_PG) return { url: process.env.RETENTION_BENCH_PG, stop() {}, note: 'RETENTION_BENCH_PG' };
  // Not under tmpDir(): the server runs as postgres and must reach its directory.
  const dir = path.join(os.tmpdir(), `retention-bench-pg-${process.pid}`);
  const script = path.join(ROOT, 'scripts', 'pg-test-cluster.sh');
  const url = sh(script, ['start', dir]);
  const stop = () => spawnSync(script, ['stop', dir]);
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => {
      stop();
      process.exit(130);
    });
  return { url, stop, note: `throwaway cluster in ${dir} (fsync off, synchronous_commit off, default shared_buffers)` };
}

/** Loads the CSV twice, with the key in place and with the key added after; keeps the second as database `tpl`. */
function load(base, csv) {
  const times = {};
  for (const [db, keyFirst] of [
    ['bench_load_pk', true],
    ['bench_tpl', false],
  ]) {
    psql(base, `DROP DATABASE IF EXISTS ${db}`);
    psql(base, `CREATE DATABASE ${db}`);
    const url = dbUrl(base, db);
    psql(url, keyFirst ? PG_CALLS.createSql : PG_CALLS.createSql.replace(' PRIMARY KEY', ''));
    let t = performance.now();
    psql(url, `\\copy calls FROM '${csv}' WITH (FORMAT csv, HEADER true)`);
    const copy = (performance.now() - t) / 1000;
    let key = 0;
    if (!keyFirst) {
      t = performance.now();
      psql(url, 'ALTER TABLE calls ADD PRIMARY KEY (id)');
      key = (performance.now() - t) / 1000;
    }
    times[keyFirst ? 'keyInPlace' : 'keyAfter'] = { copy, key };
    if (keyFirst) psql(base, `DROP DATABASE ${db}`);
  }
  // Hint bits set and statistics in place before the clones, as on a table that has been in use.
  psql(dbUrl(base, 'bench_tpl'), 'VACUUM ANALYZE calls');
  return times;
}

export async function postgres(o) {
  const sizes = o.rows ?? [1_000_000];
  const repeat = o.repeat ?? 3;
  const tmp = tmpDir('retention-bench-pg-data-');
  const pg = cluster();
  console.log(machine());
  const base = pg.url;
  console.log(`PostgreSQL ${psql(base, 'SHOW server_version')}; ${pg.note}; psql ${sh('psql', ['--version']).split(' ').pop()}`);
  console.log(
    `as-of ${AS_OF}; cutoffs 6 months: ${CUT.iso}, 3 months: ${CUT3.iso}; ${repeat} interleaved runs, every purge on a fresh clone (CREATE DATABASE ... TEMPLATE, not timed)`,
  );
  const results = [];
  const purgeLogs = [];
  const loads = [];
  let failed = false;
  const clone = (db) => {
    psql(base, `DROP DATABASE IF EXISTS ${db}`);
    psql(base, `CREATE DATABASE ${db} TEMPLATE bench_tpl STRATEGY FILE_COPY`);
    return dbUrl(base, db);
  };
  try {
    for (const rows of sizes) {
      const csv = path.join(tmp, 'calls.csv');
      let t = performance.now();
      const g = generate(PG_CALLS, { rows, seed: o.seed, csvPath: csv });
      console.log(
        `\n== ${n(rows)} rows: ${PG_CALLS.label}; calls.csv ${mb(fs.statSync(csv).size)} MB, generated in ${fmtS((performance.now() - t) / 1000)} s`,
      );
      t = performance.now();
      const lt = load(base, csv);
      fs.rmSync(csv, { force: true });
      const tplSize = psql(dbUrl(base, 'bench_tpl'), "SELECT pg_size_pretty(pg_total_relation_size('calls'))");
      loads.push([
        n(rows),
        fmtS(lt.keyInPlace.copy),
        fmtS(lt.keyAfter.copy),
        fmtS(lt.keyAfter.key),
        fmtS(lt.keyAfter.copy + lt.keyAfter.key),
        tplSize,
      ]);
      console.log(`   loaded (twice) in ${fmtS((performance.now() - t) / 1000)} s; table with index ${tplSize}`);
      const reportUrl = clone('bench_report');
      for (const p of POLICIES) {
        const [due, total] = psql(reportUrl, `SELECT count(*) FILTER (WHERE ${p.due}), count(*) FROM calls`).split('|').map(Number);
        // The simple policy's count is also checked against the generator's own (by the second it drew, held or not).
        if (total !== rows || (p.name === 'simple' && due !== g.dueAll)) {
          failed = true;
          console.log(`WARNING: ${p.name}: SQL counts ${n(due)} due of ${n(total)}; the generator ${n(g.dueAll)} of ${n(rows)}`);
        }
        console.log(`   policy ${p.name} (${path.relative(ROOT, p.file)}): ${n(due)} of ${n(total)} rows due; peer predicate: ${p.due}`);
        const ret = (cmd, url, extra) => [BIN, [cmd, '--policy', p.file, '--source', url, '--as-of', AS_OF, ...extra]];
        const pairs = [
          {
            what: 'purge',
            clone: true,
            ret: (url) => ret('purge', url, ['--log-level', 'info']),
            peer: {
              name: 'psql DELETE',
              cmd: (url) => ['psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', `DELETE FROM calls WHERE ${p.due}`]],
            },
          },
          {
            what: 'report',
            ret: (url) => ret('report', url, ['--log-level', 'warn', '--format', 'json']),
            peer: {
              name: 'psql count(*) FILTER',
              cmd: () => [
                'psql',
                ['-X', '-q', '-A', '-t', reportUrl, '-c', `SELECT count(*) FILTER (WHERE ${p.due}), count(*) FROM calls`],
              ],
            },
          },
        ];
        for (const pr of pairs) {
          const runs = { ret: [], peer: [] };
          const logs = [];
          console.log(`   $ ${shown(...pr.ret('URL'))}\n   $ ${shown(...pr.peer.cmd('URL'))}`);
          for (let i = 0; i < repeat; i++) {
            for (const who of i % 2 ? ['peer', 'ret'] : ['ret', 'peer']) {
              const url = pr.clone ? clone('bench_run') : reportUrl;
              const [cmd, args] = who === 'ret' ? pr.ret(url) : pr.peer.cmd(url);
              const out = path.join(tmp, 'stdout.txt');
              const r = await timed(cmd, args, { outFile: out });
              let problem = r.status === 0 ? undefined : `exit ${r.status ?? r.signal}: ${r.stderr.slice(-1500)}`;
              if (!problem && pr.clone) {
                const left = Number(psql(url, 'SELECT count(*) FROM calls'));
                if (left !== rows - due) problem = `${n(left)} rows left, expected ${n(rows - due)}`;
                if (who === 'ret') {
                  const line = summaryLines(r.stderr, 'purged')[0];
                  if (line) logs.push(line);
                  else problem = 'no "purged" log line on stderr';
                }
              } else if (!problem) {
                const text = fs.readFileSync(out, 'utf8').trim();
                const got =
                  who === 'ret' ? JSON.parse(text).datasets.find((x) => x.dataset === 'calls').delete : Number(text.split('|')[0]);
                if (got !== due) problem = `${n(got)} due, expected ${n(due)}`;
              }
              if (problem) {
                failed = true;
                console.log(`WARNING: ${p.name} ${pr.what} ${who === 'ret' ? 'retention' : pr.peer.name}: ${problem}`);
              }
              runs[who].push({ ...r, ok: !problem });
              if (pr.clone) psql(base, 'DROP DATABASE bench_run');
            }
          }
          const line = (xs) => xs.map((r) => `${fmtS(r.wall)} s`).join(', ');
          console.log(`     ${pr.what}: retention ${line(runs.ret)}; ${pr.peer.name} ${line(runs.peer)}`);
          results.push({
            shape: `pg ${p.name}`,
            what: `PostgreSQL ${pr.what}`,
            rows,
            ret: summarize(runs.ret),
            peer: { name: pr.peer.name, ...summarize(runs.peer) },
          });
          if (logs.length) {
            const m = (f) => median(logs.map(f));
            purgeLogs.push([
              `pg ${p.name}`,
              n(rows),
              String(m((l) => l.batches)),
              fmtS(m((l) => l.ms) / 1000),
              ...['p50', 'p99', 'max'].map((k) => String(m((l) => l.lockMs[k]))),
            ]);
          }
        }
      }
      psql(base, 'DROP DATABASE bench_report');
      psql(base, 'DROP DATABASE bench_tpl');
    }
    compareTable(results);
    for (const r of results) {
      const x = r.ret.wall / r.peer.wall;
      const target = TARGETS[r.what.split(' ')[1]];
      const stretch = r.what.endsWith('purge') ? ', stretch 1.2x' : '';
      console.log(
        `${`${r.shape} ${n(r.rows)} ${r.what}: retention / ${r.peer.name}`.padEnd(72)} ${fmtX(x)} (target <= ${target}x${stretch}: ${x <= target ? 'met' : 'MISSED'})`,
      );
    }
    console.log('(peak RSS is the client process only: retention or psql; the server does the deleting for both)');
    table(['purge (retention log line, medians)', 'rows', 'batches', 'ms', 'lockMs p50', 'p99', 'max'], purgeLogs);
    console.log('(psql DELETE is one statement: its row locks are held for its whole wall time)');
    table(['COPY load', 'key in place s', 'no key s', '+ ADD PRIMARY KEY s', '= key after s', 'table+index'], loads);
    failed ||= results.some((r) => r.ret.ok < r.ret.runs || r.peer.ok < r.peer.runs);
  } finally {
    pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return !failed;
}
