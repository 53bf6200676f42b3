// What every bench mode shares: paths, the cutoff, timed runs (wall seconds, peak RSS of the
// child, optionally its RSS sampled over time), medians and the printed table.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..');
export const BIN = path.join(ROOT, 'bin', 'retention');
/** The instant every mode runs at; $RETENTION_BENCH_AS_OF another (e.g. a day near a month's end). */
export const AS_OF = process.env.RETENTION_BENCH_AS_OF ?? '2026-11-24T00:00:00+01:00';
export const TZ = 'Europe/Amsterdam';

/**
 * The last second C with C + period <= asOf in TZ (Luxon): a record is due when its start is at or
 * before C. Adding months clamps the 29th-31st to a month's end and keeps the time of day, so that
 * holds unless two start days land on asOf's date (asOf on a short month's last days): such an
 * asOf is refused, since the peers' predicates could not say what is due.
 */
export function cutoff(period, asOfIso = AS_OF) {
  const asOf = DateTime.fromISO(asOfIso, { setZone: true });
  const refuse = (why) => {
    console.error(`bench: $RETENTION_BENCH_AS_OF ${asOfIso}: ${why}`);
    process.exit(2);
  };
  if (!asOf.isValid) refuse('not an ISO date-time');
  const date = asOf.setZone(TZ).toISODate();
  const around = asOf.setZone(TZ).minus(period).startOf('day');
  const landing = [...Array(13).keys()].filter(
    (k) =>
      around
        .plus({ days: k - 6 })
        .plus(period)
        .toISODate() === date,
  );
  if (landing.length > 1) refuse(`${landing.length} start days land on ${date} (months clamp onto it): pick another day`);
  const dueAt = (sec) => DateTime.fromSeconds(sec, { zone: TZ }).plus(period).toMillis() <= asOf.toMillis();
  let sec = Math.floor(asOf.setZone(TZ).minus(period).toSeconds());
  while (!dueAt(sec)) sec--;
  while (dueAt(sec + 1)) sec++;
  return { sec, iso: new Date(sec * 1000).toISOString().replace('.000Z', 'Z'), asOfSec: Math.floor(asOf.toSeconds()) };
}

export function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Exits with a hint unless every command is there (and dist/ is built). */
export function preflight(cmds) {
  for (const [cmd, hint] of cmds) {
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
    console.error('bench: dist/ not built; run `npm run build`');
    process.exit(1);
  }
}

export function sh(cmd, args, input) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

export function tmpDir(prefix = 'retention-bench-') {
  return fs.mkdtempSync(path.join(process.env.RETENTION_BENCH_TMP ?? os.tmpdir(), prefix));
}

export function rmDb(p) {
  for (const s of ['', '-wal', '-shm', '-journal']) fs.rmSync(p + s, { force: true });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
export const rel = (p) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);
export const shown = (cmd, args, outFile) => `${[rel(cmd), ...args.map((a) => quote(rel(a)))].join(' ')}${outFile ? ` > ${outFile}` : ''}`;

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
/** The command /usr/bin/time runs: its child (or, for a shell pipeline, all of the child's descendants). */
function descendants(pid) {
  let kids = [];
  try {
    kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {}
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/**
 * Runs cmd under /usr/bin/time (stdout to outFile, stderr kept). Returns wall seconds, peak RSS
 * in KB (the largest of the processes, as time reports it), the exit status and stderr. With
 * `sampleMs`, the RSS of the command's processes (summed) is also read every sampleMs: `samples`
 * holds [seconds since start, KB].
 */
export function timed(cmd, args, { outFile = '/dev/null', sampleMs, env } = {}) {
  const timeFile = `${os.tmpdir()}/retention-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const out = fs.openSync(outFile, 'w');
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], {
    stdio: ['ignore', out, 'pipe'],
    env: env ? { ...process.env, ...env } : process.env,
  });
  fs.closeSync(out);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
  });
  const samples = [];
  const timer = sampleMs
    ? setInterval(() => {
        const kb = descendants(child.pid)
          .map(rssOf)
          .reduce((a, b) => a + (b ?? 0), 0);
        if (kb) samples.push([(performance.now() - started) / 1000, kb]);
      }, sampleMs)
    : undefined;
  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      if (timer) clearInterval(timer);
      let wall = Number.NaN;
      let rssKB = Number.NaN;
      try {
        const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        [wall, rssKB] = last.split(/\s+/).map(Number);
      } catch {}
      fs.rmSync(timeFile, { force: true });
      // time prints "Command exited with non-zero status" and the child's own exit in its file.
      resolve({ status, signal, stderr, wall, rssKB, samples });
    });
  });
}

/** The `purged` (or `scanned`) JSON line a retention run logs on stderr at level info, parsed; undefined if none. */
export function summaryLines(stderr, msg = 'purged') {
  const lines = [];
  for (const l of stderr.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      const j = JSON.parse(l);
      if (j.msg === msg) lines.push(j);
    } catch {}
  }
  return lines;
}

export const fmtS = (x) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '-');
export const fmtMB = (kb) => (Number.isFinite(kb) ? (kb / 1024).toFixed(0) : '-');
export const fmtX = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '-');
export const n = (x) => x.toLocaleString('en-US');
export const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

/** Prints rows (arrays of strings) under head, the first column left-aligned. */
export function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  console.log(`\n${fmt(head)}\n${w.map((x) => '-'.repeat(x)).join('  ')}\n${rows.map(fmt).join('\n')}\n`);
}

export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  return `machine: nproc ${os.availableParallelism()}, ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, load ${load}; node ${process.version}; ${new Date().toISOString().slice(0, 16)}Z`;
}

/**
 * The comparison table every mode prints: per row the data shape, the source, rows, retention's
 * median seconds, the peer's, their ratio and both peak RSS (max over the runs).
 */
export function compareTable(results) {
  table(
    ['shape', 'what', 'rows', 'retention s', 'peer', 'peer s', 'ratio', 'RSS ret MB', 'RSS peer MB', 'runs'],
    results.map((r) => [
      r.shape,
      r.what,
      n(r.rows),
      fmtS(r.ret.wall),
      r.peer.name,
      fmtS(r.peer.wall),
      fmtX(r.ret.wall / r.peer.wall),
      fmtMB(r.ret.rssKB),
      fmtMB(r.peer.rssKB),
      `${r.ret.ok}+${r.peer.ok}/${r.ret.runs}+${r.peer.runs}`,
    ]),
  );
}

/** Median wall and max RSS of the successful runs. */
export function summarize(runs) {
  const ok = runs.filter((r) => r.ok);
  return {
    runs: runs.length,
    ok: ok.length,
    wall: ok.length ? median(ok.map((r) => r.wall)) : Number.NaN,
    rssKB: ok.length ? Math.max(...ok.map((r) => r.rssKB)) : Number.NaN,
  };
}

/** RSS over a run, at each tenth of its duration (MB), from timed()'s samples. */
export function rssProfile(samples) {
  if (samples.length < 3) return `(${samples.length} samples)`;
  const end = samples[samples.length - 1][0];
  const at = [];
  for (let k = 1; k <= 10; k++) {
    const s = samples.find(([t]) => t >= (end * k) / 10) ?? samples[samples.length - 1];
    at.push((s[1] / 1024).toFixed(0));
  }
  const steady = samples.filter(([t]) => t >= end * 0.1).map(([, kb]) => kb / 1024);
  return `RSS MB at 10%..100% of the run: ${at.join(' ')} (after the first 10%: min ${Math.min(...steady).toFixed(0)}, max ${Math.max(...steady).toFixed(0)}; ${samples.length} samples)`;
}
