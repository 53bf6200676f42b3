#!/usr/bin/env node
// Benchmark: retention against the fastest honest peer command for each data shape, in one run.
// Modes (one command each; see bench/README.md):
//   npm run bench                   data shapes x SQLite and CSV, purge and report, 1M rows
//   npm run bench -- --postgres     a throwaway PostgreSQL cluster, purge and report against psql
//   npm run bench -- --scale        100M-row SQLite table and a 10 GB CSV file, RSS over time
//   npm run bench -- --startup      start-up: --version and report on an empty database
// Plain Node ESM; data goes to a temp dir under os.tmpdir() (or $RETENTION_BENCH_TMP), removed after;
// every mode runs at one asOf, 2026-11-24T00:00:00+01:00 (or $RETENTION_BENCH_AS_OF).
import { preflight } from './lib.mjs';

const USAGE = `usage: node bench/bench.mjs [--postgres | --scale | --startup] [options]
  shapes (default): --rows N (1000000) --repeat N (3) --shapes cdr-mixed,cdr-z,cdr-rules,events --floors --seed N (42) --keep
  --postgres:       --rows N (1000000; also 1M,10M) --repeat N (3); $RETENTION_BENCH_PG to use a cluster of yours
  --scale:          --sqlite-rows N (100000000; 0 skips) --csv-gb G (10; 0 skips) --seed N
  --startup:        --repeat N (10)
  every mode: $RETENTION_BENCH_AS_OF runs at another asOf (not one that months clamp onto)`;

function parseArgs(argv) {
  const o = { mode: 'shapes', seed: 42, keep: false, floors: false, sqliteRows: 100_000_000, csvBytes: 10e9 };
  const count = (name, v, min = 1) => {
    const x = Number(String(v ?? '').replace(/_/g, ''));
    if (!Number.isFinite(x) || x < min) usage(`${name} needs a number >= ${min}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--postgres' || a === '--scale' || a === '--startup' || a === '--shapes-mode') o.mode = a.slice(2);
    else if (a === '--rows')
      o.rows = String(argv[++i] ?? '')
        .split(',')
        .map((x) => count(a, x.replace(/M$/i, '000000')));
    else if (a === '--repeat') o.repeat = count(a, argv[++i]);
    else if (a === '--seed') o.seed = count(a, argv[++i]);
    else if (a === '--shapes') o.shapes = String(argv[++i] ?? '').split(',');
    else if (a === '--sqlite-rows') o.sqliteRows = count(a, argv[++i], 0);
    else if (a === '--csv-gb') o.csvBytes = count(a, argv[++i], 0) * 1e9;
    else if (a === '--floors') o.floors = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument: ${a}`);
  }
  return o;
}
function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error(USAGE);
  process.exit(msg ? 2 : 0);
}

const o = parseArgs(process.argv.slice(2));
const need = {
  shapes: [
    ['sqlite3', 'apt-get install -y sqlite3'],
    ['mlr', 'apt-get install -y miller'],
  ],
  scale: [
    ['sqlite3', 'apt-get install -y sqlite3'],
    ['mlr', 'apt-get install -y miller'],
  ],
  postgres: [['psql', 'apt-get install -y postgresql-client']],
  startup: [],
};
preflight(need[o.mode]);
const mod = await import(`./${o.mode}.mjs`);
let ok = false;
try {
  ok = await mod[o.mode](o);
} catch (err) {
  console.error(`bench: ${err.stack ?? err}`);
}
console.log(
  ok ? '\nRESULT: all runs succeeded, all row counts agree' : '\nRESULT: FAILED (a run failed or row counts disagree; see above)',
);
process.exit(ok ? 0 : 1);
