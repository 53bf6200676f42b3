#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// Benchmark: `retention purge` against sqlite3 DELETE and a Miller filter doing the same cutoff.
// Usage: npm run bench -- [--rows N] [--repeat N] [--seed N] [--keep]
// See bench/README.md. Plain Node ESM; data goes to a temp dir under os.tmpdir().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { csvField } from '../dist/sources/csv/serialize.js';
import { mulberry32 } from '../scripts/prng.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const BIN = path.join(ROOT, 'bin', 'retention');
const POLICY = path.join(HERE, 'policy.yaml');
const FLOOR = path.join(HERE, 'floor.mjs');
const AS_OF = '2026-11-24T00:00:00+01:00';
const TZ = 'Europe/Amsterdam';
const PERIOD = { months: 6 };
const DUE_SHARE = 0.3;
const HOLD_SHARE = 0.001;
const TARGET_SQLITE_RATIO = 1.5;
const TARGET_CSV_RATIO = 1.0;
const TARGET_RSS_MB = 200;

// ---------- arguments ----------
function parseArgs(argv) {
  const o = { rows: 1_000_000, repeat: 3, seed: 42, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (name) => {
      const v = Number(String(argv[++i] ?? '').replace(/_/g, ''));
      if (!Number.isInteger(v) || v < 1) usage(`${name} needs a positive integer`);
      return v;
    };
    if (a === '--rows') o.rows = num(a);
    else if (a === '--repeat') o.repeat = num(a);
    else if (a === '--seed') o.seed = num(a);
    else if (a === '--keep') o.keep = true;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument: ${a}`);
  }
  return o;
}
function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error('usage: node bench/bench.mjs [--rows N (1000000)] [--repeat N (3)] [--seed N (42)] [--keep]');
  process.exit(msg ? 2 : 0);
}
const opts = parseArgs(process.argv.slice(2));

// ---------- preflight ----------
function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}
for (const [cmd, hint] of [
  ['mlr', 'apt-get install -y miller'],
  ['sqlite3', 'apt-get install -y sqlite3'],
]) {
  if (!which(cmd)) {
    console.error(`bench: ${cmd} not found (${hint})`);
    process.exit(1);
  }
}
if (!fs.existsSync('/usr/bin/time')) {
  console.error('bench: /usr/bin/time not found (apt-get install -y time)');
  process.exit(1);
}
if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('bench: dist/ not built; run `npx tsc -p .`');
  process.exit(1);
}

// ---------- cutoff ----------
// A record (not held) is due when start + 6 months (Luxon, in TZ) <= asOf. Month addition is
// monotone, so "due" is "start <= C" for the last second C with C + 6 months <= asOf.
const asOf = DateTime.fromISO(AS_OF, { setZone: true });
const dueAt = (sec) => DateTime.fromSeconds(sec, { zone: TZ }).plus(PERIOD).toMillis() <= asOf.toMillis();
let cutoffSec = Math.floor(asOf.setZone(TZ).minus(PERIOD).toSeconds());
while (!dueAt(cutoffSec)) cutoffSec--;
while (dueAt(cutoffSec + 1)) cutoffSec++;
const cutoffIso = new Date(cutoffSec * 1000).toISOString().replace('.000Z', 'Z');

// ---------- data generation ----------

// [value, cumulative weight]; two values need quoting in CSV (comma, and comma + quotes).
const SERVICES = [
  ['voice', 0.48],
  ['voip', 0.7],
  ['sms', 0.88],
  ['data', 0.96],
  ['voice, roaming', 0.99],
  ['conference "bridge", EU', 1.0],
].map(([v, w]) => ({ v, w, csv: csvField(v) }));
const OFFSETS = [
  [0, 'Z'],
  [60, '+01:00'],
  [120, '+02:00'],
];

function generate(dir, rows, seed) {
  const rnd = mulberry32(seed);
  fs.mkdirSync(path.join(dir, 'data'));
  const dbPath = path.join(dir, 'data', 'cdr.db');
  const csvPath = path.join(dir, 'data', 'cdr.csv');
  // Spread: uniform over [t0, t1], with t1 one day before asOf and ~30% at or before the cutoff.
  const t1 = Math.floor(asOf.toSeconds()) - 86400;
  const t0 = Math.floor(cutoffSec - ((t1 - cutoffSec) * DUE_SHARE) / (1 - DUE_SHARE));
  const span = t1 - t0;

  const db = new Database(dbPath);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`CREATE TABLE cdr (id INTEGER PRIMARY KEY, started_at TEXT, service TEXT, caller TEXT,
    callee TEXT, duration INTEGER, ip_address TEXT, legal_hold INTEGER)`);
  const insert = db.prepare('INSERT INTO cdr VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const fd = fs.openSync(csvPath, 'w');
  fs.writeSync(fd, 'id,started_at,service,caller,callee,duration,ip_address,legal_hold\n');
  // Rows are encoded straight into one reused buffer: keeping many short-lived row strings alive
  // (an array of them) makes V8's young-generation GC dominate the generation time.
  const out = Buffer.allocUnsafe(4 << 20);
  let pos = 0;
  let due = 0;
  let held = 0;

  db.transaction(() => {
    for (let id = 1; id <= rows; id++) {
      const t = t0 + Math.floor(rnd() * span);
      const [offMin, suffix] = OFFSETS[Math.floor(rnd() * 3)];
      const startedAt = new Date((t + offMin * 60) * 1000).toISOString().slice(0, 19) + suffix;
      const r = rnd();
      let s = SERVICES[0];
      for (const x of SERVICES) {
        if (r < x.w) {
          s = x;
          break;
        }
      }
      const caller = `+316${String(10000000 + Math.floor(rnd() * 90000000))}`;
      const callee =
        rnd() < 0.1 ? `0800${String(1000 + Math.floor(rnd() * 9000))}` : `+31${String(100000000 + Math.floor(rnd() * 900000000))}`;
      const duration = s.v === 'sms' ? 0 : Math.floor(-Math.log(1 - rnd()) * 180);
      let ip = null;
      if (s.v === 'voip' || s.v === 'data') {
        ip =
          rnd() < 0.8
            ? `${10 + Math.floor(rnd() * 200)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`
            : `2a02:a46:${Math.floor(rnd() * 65536).toString(16)}::${Math.floor(rnd() * 65536).toString(16)}`;
      }
      const hold = rnd() < HOLD_SHARE ? 1 : 0;
      if (hold) held++;
      else if (t <= cutoffSec) due++;
      insert.run(id, startedAt, s.v, caller, callee, duration, ip, hold);
      // All generated text is ASCII.
      pos += out.latin1Write(`${id},${startedAt},${s.csv},${caller},${callee},${duration},${ip ?? ''},${hold}\n`, pos);
      if (pos > out.length - 4096) {
        fs.writeSync(fd, out, 0, pos);
        pos = 0;
      }
    }
  })();
  if (pos) fs.writeSync(fd, out, 0, pos);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  db.close();
  return { dbPath, csvPath, due, held };
}

// ---------- measurement ----------
function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}
const sqliteCount = (db) => Number(sh('sqlite3', [db, 'SELECT count(*) FROM cdr']));
const csvCount = (csv) => Number(sh('mlr', ['--icsv', '--onidx', 'count', csv]) || 0);

const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const rel = (p) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);

/** Runs cmd under /usr/bin/time; stdout goes to outFile. Returns wall s, peak RSS KB, status. */
function timed(cmd, args, outFile, tmp) {
  const timeFile = path.join(tmp, 'time.out');
  const out = fs.openSync(outFile, 'w');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], {
    stdio: ['ignore', out, 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  fs.closeSync(out);
  const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  const [wall, rss] = last.split(/\s+/).map(Number);
  return { status: r.status, signal: r.signal, stderr: r.stderr ?? '', wall, rssKB: rss };
}

function rmDb(p) {
  for (const s of ['', '-wal', '-shm', '-journal']) fs.rmSync(p + s, { force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------- main ----------
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-bench-'));
let failed = false;
const warn = (msg) => {
  failed = true;
  console.log(`WARNING: ${msg}`);
};

try {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(
    `machine: nproc ${os.availableParallelism()}, ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.platform()} ${os.release()}`,
  );
  console.log(
    `node ${process.version}; sqlite3 CLI ${sh('sqlite3', ['--version']).split(' ')[0]}; better-sqlite3 SQLite ${new Database(':memory:').prepare('select sqlite_version() v').get().v}; ${sh('mlr', ['--version'])}`,
  );
  console.log(`as-of ${AS_OF}, policy ${rel(POLICY)} (delete_after 6 months from started_at, ${TZ}); cutoff: started_at <= ${cutoffIso}`);

  const t = process.hrtime.bigint();
  const gen = generate(tmp, opts.rows, opts.seed);
  const genSec = Number(process.hrtime.bigint() - t) / 1e9;
  const dbSize = fs.statSync(gen.dbPath).size;
  const csvSize = fs.statSync(gen.csvPath).size;
  const mb = (b) => (b / 2 ** 20).toFixed(1);
  console.log(
    `data: ${opts.rows.toLocaleString('en-US')} rows (seed ${opts.seed}) in ${genSec.toFixed(1)} s; cdr.db ${mb(dbSize)} MB, cdr.csv ${mb(csvSize)} MB; ` +
      `generator: ${gen.due.toLocaleString('en-US')} due (${((100 * gen.due) / opts.rows).toFixed(1)}%), ${gen.held.toLocaleString('en-US')} held; dir ${tmp}`,
  );
  const expectedKept = opts.rows - gen.due;

  // Copies live in run/ under the original names: a CSV file's dataset is its name without .csv.
  const runDir = path.join(tmp, 'run');
  fs.mkdirSync(runDir);
  const copyDb = path.join(runDir, 'cdr.db');
  const copyCsv = path.join(runDir, 'cdr.csv');
  const outCsv = path.join(tmp, 'out.csv');
  const stdoutFile = path.join(tmp, 'stdout.txt');
  const ret = (cmd, source, extra = []) => [
    BIN,
    [cmd, '--policy', POLICY, '--source', source, '--as-of', AS_OF, '--log-level', 'warn', ...extra],
  ];
  // Miller 6.6 strptime has no %z: parse the local part, then subtract the offset (or Z).
  const mlrExpr =
    'func ep(str s): num { n = strlen(s); t = strptime(substr(s, 0, 18), "%Y-%m-%dT%H:%M:%S"); ' +
    'if (substr(s, n - 1, n - 1) == "Z") { return t } ' +
    'o = strptime("1970-01-01T" . substr(s, n - 5, n - 1) . ":00Z", "%Y-%m-%dT%H:%M:%SZ"); ' +
    'return substr(s, n - 6, n - 6) == "-" ? t + o : t - o } ' +
    `$legal_hold == 1 || ep($started_at) > ${cutoffSec}`;

  const benches = [
    { name: 'retention report (SQLite)', kind: 'report', src: gen.dbPath, cmd: ret('report', gen.dbPath, ['--format', 'json']) },
    { name: 'retention report (CSV)', kind: 'report', src: gen.csvPath, cmd: ret('report', gen.csvPath, ['--format', 'json']) },
    // The peer deletes with secure_delete on, as retention does (deleted means gone); the same
    // without it shows what zeroing the freed bytes costs.
    {
      name: 'sqlite3 DELETE',
      kind: 'db',
      src: gen.dbPath,
      copy: copyDb,
      cmd: [
        'sqlite3',
        [copyDb, `PRAGMA secure_delete = ON; DELETE FROM cdr WHERE unixepoch(started_at) <= unixepoch('${cutoffIso}') AND legal_hold = 0`],
      ],
    },
    {
      name: 'sqlite3 DELETE, secure_delete off',
      kind: 'db',
      src: gen.dbPath,
      copy: copyDb,
      cmd: [
        'sqlite3',
        [copyDb, `PRAGMA secure_delete = OFF; DELETE FROM cdr WHERE unixepoch(started_at) <= unixepoch('${cutoffIso}') AND legal_hold = 0`],
      ],
    },
    { name: 'retention purge (SQLite)', kind: 'db', src: gen.dbPath, copy: copyDb, retention: true, cmd: ret('purge', copyDb) },
    {
      name: 'retention purge --vacuum (SQLite)',
      kind: 'db',
      src: gen.dbPath,
      copy: copyDb,
      retention: true,
      cmd: ret('purge', copyDb, ['--vacuum']),
    },
    // What any purge that decides in JavaScript pays before deciding anything (bench/floor.mjs).
    {
      name: 'floor: Node DELETE, no JS',
      kind: 'db',
      src: gen.dbPath,
      copy: copyDb,
      cmd: [process.execPath, [FLOOR, copyDb, cutoffIso, 'native', 'secure']],
    },
    {
      name: 'floor: Node DELETE, no JS, secure_delete off',
      kind: 'db',
      src: gen.dbPath,
      copy: copyDb,
      cmd: [process.execPath, [FLOOR, copyDb, cutoffIso, 'native', 'plain']],
    },
    {
      name: 'floor: + a JS call per row',
      kind: 'db',
      src: gen.dbPath,
      copy: copyDb,
      cmd: [process.execPath, [FLOOR, copyDb, cutoffIso, 'js-call', 'secure']],
    },
    { name: 'mlr filter', kind: 'csv', src: gen.csvPath, copy: copyCsv, out: outCsv, cmd: ['mlr', ['--csv', 'filter', mlrExpr, copyCsv]] },
    {
      name: 'retention purge (CSV)',
      kind: 'csv',
      src: gen.csvPath,
      copy: copyCsv,
      out: copyCsv,
      retention: true,
      cmd: ret('purge', copyCsv),
    },
  ];

  const results = [];
  for (const b of benches) {
    const [cmd, args] = b.cmd;
    console.log(`\n$ ${[rel(cmd), ...args.map((a) => quote(rel(a)))].join(' ')}${b.out === outCsv ? ` > ${outCsv}` : ''}`);
    const runs = [];
    for (let i = 0; i < opts.repeat; i++) {
      if (b.copy) {
        rmDb(b.copy);
        fs.copyFileSync(b.src, b.copy);
      }
      const r = timed(cmd, args, b.out === outCsv ? outCsv : stdoutFile, tmp);
      let line = `  run ${i + 1}: ${r.wall.toFixed(2)} s, ${(r.rssKB / 1024).toFixed(0)} MB`;
      if (r.status !== 0) {
        console.log(`${line}  FAILED (exit ${r.status ?? r.signal})`);
        const so = fs.readFileSync(stdoutFile, 'utf8');
        if (so.trim()) console.log(`  stdout: ${so.slice(-2000)}`);
        if (r.stderr.trim()) console.log(`  stderr: ${r.stderr.slice(-2000)}`);
        failed = true;
        runs.push({ ...r, ok: false });
        continue;
      }
      let kept;
      if (b.kind === 'report') {
        const j = JSON.parse(fs.readFileSync(stdoutFile, 'utf8'));
        const d = j.datasets.find((x) => x.dataset === 'cdr');
        kept = opts.rows - d.delete;
        line += `; report: scanned ${d.scanned}, delete ${d.delete}, redact ${d.redact}, keep ${d.keep}, held ${d.held}, invalid ${d.invalid}, unmanaged ${d.unmanaged}`;
        if (d.scanned !== opts.rows) warn(`${b.name}: scanned ${d.scanned}, expected ${opts.rows}`);
      } else {
        kept = b.kind === 'db' ? sqliteCount(b.copy) : csvCount(b.out);
        line += `; rows left: ${kept} (expected ${expectedKept}), deleted ${opts.rows - kept}`;
      }
      console.log(line);
      if (kept !== expectedKept)
        warn(
          `${b.name}: ${kept} rows kept, expected ${expectedKept} (the generator's count of non-held rows with started_at <= ${cutoffIso})`,
        );
      runs.push({ ...r, ok: true });
    }
    if (b.copy) rmDb(b.copy);
    fs.rmSync(outCsv, { force: true });
    const ok = runs.filter((r) => r.ok);
    results.push({
      name: b.name,
      retention: b.retention || b.kind === 'report',
      runs: runs.length,
      okRuns: ok.length,
      wall: ok.length ? median(ok.map((r) => r.wall)) : NaN,
      rssMB: ok.length ? Math.max(...ok.map((r) => r.rssKB)) / 1024 : NaN,
    });
  }

  // ---------- table ----------
  const head = ['command', 'rows', 'wall s (median)', 'rows/s', 'peak RSS MB (max)', 'runs ok'];
  const body = results.map((r) => [
    r.name,
    opts.rows.toLocaleString('en-US'),
    Number.isNaN(r.wall) ? '-' : r.wall.toFixed(2),
    Number.isNaN(r.wall) ? '-' : r.wall > 0 ? Math.round(opts.rows / r.wall).toLocaleString('en-US') : 'inf',
    Number.isNaN(r.rssMB) ? '-' : r.rssMB.toFixed(0),
    `${r.okRuns}/${r.runs}`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const fmt = (row) => row.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(`\n${fmt(head)}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${body.map(fmt).join('\n')}\n`);

  const by = Object.fromEntries(results.map((r) => [r.name, r]));
  const ratio = (a, b, target, cmp) => {
    const x = by[a].wall / by[b].wall;
    const verdict = !Number.isFinite(x) ? 'n/a' : cmp(x, target) ? 'met' : 'MISSED';
    console.log(`${`${a} / ${b}`.padEnd(48)} ${Number.isFinite(x) ? x.toFixed(2) : '-'}x  (target <= ${target.toFixed(2)}x: ${verdict})`);
  };
  ratio('retention purge (SQLite)', 'sqlite3 DELETE', TARGET_SQLITE_RATIO, (x, t) => x <= t);
  ratio('retention purge (CSV)', 'mlr filter', TARGET_CSV_RATIO, (x, t) => x <= t);
  for (const f of [
    'sqlite3 DELETE, secure_delete off',
    'retention purge --vacuum (SQLite)',
    'floor: Node DELETE, no JS',
    'floor: Node DELETE, no JS, secure_delete off',
    'floor: + a JS call per row',
  ]) {
    console.log(`${`${f} / sqlite3 DELETE`.padEnd(48)} ${(by[f].wall / by['sqlite3 DELETE'].wall).toFixed(2)}x  (for information)`);
  }
  for (const r of results.filter((x) => x.retention)) {
    const verdict = Number.isNaN(r.rssMB) ? 'n/a' : r.rssMB < TARGET_RSS_MB ? 'met' : 'MISSED';
    console.log(
      `${`peak RSS ${r.name}`.padEnd(48)} ${Number.isNaN(r.rssMB) ? '-' : r.rssMB.toFixed(0)} MB (target < ${TARGET_RSS_MB} MB: ${verdict})`,
    );
  }
  console.log(
    failed ? '\nRESULT: FAILED (a run failed or row counts disagree; see above)' : '\nRESULT: all runs succeeded, all row counts agree',
  );
} catch (err) {
  console.error(`bench: ${err.stack ?? err}`);
  failed = true;
} finally {
  if (opts.keep) console.log(`kept data in ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
