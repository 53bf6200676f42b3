// The benchmark's data shapes, generated with a seeded PRNG as a SQLite table and/or a CSV file
// holding the same rows. Each shape names its policy, its dataset and the honest peer commands
// (the fastest a DBA or a shell user would write for the same cut); the generator counts the
// rows due (by the integer second it drew, not by the text), which every run is checked against.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { csvField } from '../dist/sources/csv/serialize.js';
import { mulberry32 } from '../scripts/prng.mjs';
import { AS_OF, cutoff, HERE, TZ } from './lib.mjs';

const DUE_SHARE = 0.3;
const HOLD_SHARE = 0.001;
const PERIOD = { months: 6 };
export const CUT = cutoff(PERIOD);

// [value, cumulative weight]; two values need quoting in CSV (comma, and comma + quotes).
const SERVICES = [
  ['voice', 0.48],
  ['voip', 0.7],
  ['sms', 0.88],
  ['data', 0.96],
  ['voice, roaming', 0.99],
  ['conference "bridge", EU', 1.0],
].map(([v, w]) => ({ v, w, csv: csvField(v) }));
const MIXED = [
  [0, 'Z'],
  [60, '+01:00'],
  [120, '+02:00'],
];
const STREETS = ['Keizersgracht', 'Herengracht', 'Damrak', 'Coolsingel', 'Oudegracht', 'Lange Voorhout', 'Grote Markt', 'Stationsplein'];
const CITIES = ['Amsterdam', 'Rotterdam', 'Utrecht', 'Den Haag', 'Groningen', 'Eindhoven'];
const NOTES = ['call back', 'invoice sent', 'address changed', 'complaint closed', 'contract renewed', 'newsletter opt-in'];

// Miller 6.6's strptime has no %z: parse the local part, then subtract the offset (or Z).
const mlrEpoch =
  'func ep(str s): num { n = strlen(s); t = strptime(substr(s, 0, 18), "%Y-%m-%dT%H:%M:%S"); ' +
  'if (substr(s, n - 1, n - 1) == "Z") { return t } ' +
  'o = strptime("1970-01-01T" . substr(s, n - 5, n - 1) . ":00Z", "%Y-%m-%dT%H:%M:%SZ"); ' +
  'return substr(s, n - 6, n - 6) == "-" ? t + o : t - o } ';

function cdrShape(name, offsets) {
  const mixed = offsets.length > 1;
  // Mixed offsets need a parse on both sides; ISO Z text sorts as it reads, so the peers compare strings.
  const due = mixed
    ? `unixepoch(started_at) <= unixepoch('${CUT.iso}') AND legal_hold = 0`
    : `started_at <= '${CUT.iso}' AND legal_hold = 0`;
  return {
    name,
    label: mixed ? 'cdr, 8 columns, offsets Z/+01:00/+02:00, legal hold' : 'cdr, 8 columns, ISO Z, legal hold',
    dataset: 'cdr',
    policy: path.join(HERE, 'policy.yaml'),
    createSql: `CREATE TABLE cdr (id INTEGER PRIMARY KEY, started_at TEXT, service TEXT, caller TEXT,
      callee TEXT, duration INTEGER, ip_address TEXT, legal_hold INTEGER)`,
    insertSql: 'INSERT INTO cdr VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    sqlDelete: `PRAGMA secure_delete = ON; DELETE FROM cdr WHERE ${due}`,
    sqlCount: `SELECT count(*) FROM cdr WHERE ${due}`,
    mlrKeep: mixed ? `${mlrEpoch}$legal_hold == 1 || ep($started_at) > ${CUT.sec}` : `$legal_hold == 1 || $started_at > "${CUT.iso}"`,
    peerNote: mixed ? 'unixepoch() / strptime' : 'string comparison',
    row(rnd, id, t) {
      const [offMin, suffix] = offsets.length > 1 ? offsets[Math.floor(rnd() * offsets.length)] : offsets[0];
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
      return {
        held: hold === 1,
        values: [id, startedAt, s.v, caller, callee, duration, ip, hold],
        csv: `${id},${startedAt},${s.csv},${caller},${callee},${duration},${ip ?? ''},${hold}\n`,
      };
    },
  };
}

/** The acceptance-style file: id, an ISO Z timestamp, a quoted field with commas, a text column (~84 bytes a row at 1M rows). */
const EVENTS = {
  name: 'events',
  label: 'events, 4 columns, ISO Z, a quoted field with commas',
  dataset: 'events',
  policy: path.join(HERE, 'policy-events.yaml'),
  createSql: 'CREATE TABLE events (id INTEGER PRIMARY KEY, recorded_at TEXT, address TEXT, note TEXT)',
  insertSql: 'INSERT INTO events VALUES (?, ?, ?, ?)',
  sqlDelete: `PRAGMA secure_delete = ON; DELETE FROM events WHERE recorded_at <= '${CUT.iso}'`,
  sqlCount: `SELECT count(*) FROM events WHERE recorded_at <= '${CUT.iso}'`,
  mlrKeep: `$recorded_at > "${CUT.iso}"`,
  peerNote: 'string comparison',
  row(rnd, id, t) {
    const at = `${new Date(t * 1000).toISOString().slice(0, 19)}Z`;
    const address = `${STREETS[Math.floor(rnd() * STREETS.length)]} ${1 + Math.floor(rnd() * 300)}, ${1000 + Math.floor(rnd() * 9000)} AB, ${CITIES[Math.floor(rnd() * CITIES.length)]}`;
    const note = `${NOTES[Math.floor(rnd() * NOTES.length)]} #${Math.floor(rnd() * 100000)}`;
    return { held: false, values: [id, at, address, note], csv: `${id},${at},"${address}",${note}\n` };
  },
};

/** The PostgreSQL table (bench/postgres.mjs): written as CSV for COPY; its peers are SQL, in postgres.mjs. */
const PG_SERVICES = ['voice', 'voice', 'voip', 'sms', 'data'];
export const PG_CALLS = {
  name: 'calls',
  label: 'calls: id bigint primary key, recorded_at timestamptz, legal_hold bool (0.1% true), service text, payload text',
  dataset: 'calls',
  createSql:
    'CREATE TABLE calls (id bigint PRIMARY KEY, recorded_at timestamptz NOT NULL, legal_hold bool NOT NULL, service text NOT NULL, payload text)',
  row(rnd, id, t) {
    const at = `${new Date(t * 1000).toISOString().slice(0, 19)}Z`;
    const hold = rnd() < HOLD_SHARE;
    const service = PG_SERVICES[Math.floor(rnd() * PG_SERVICES.length)];
    const payload = `cell ${Math.floor(rnd() * 2 ** 31).toString(36)} imsi 2040${Math.floor(rnd() * 1e10)} bytes ${Math.floor(rnd() * 1e7)}`;
    return { held: hold, values: [], csv: `${id},${at},${hold ? 't' : 'f'},${service},${payload}\n` };
  },
};

/**
 * cdr-z under three delete rules (bench/policy-rules.yaml): sms 30 days, voice and voip 6 months,
 * every call 7 months; due by the first rule that applies and is due.
 */
const RULE_CUTS = { sms: cutoff({ days: 30 }), calls: CUT, rest: cutoff({ months: 7 }) };
function rulesShape() {
  const z = cdrShape('cdr-rules', [MIXED[0]]);
  const sql = `legal_hold = 0 AND ((service = 'sms' AND started_at <= '${RULE_CUTS.sms.iso}') OR (service IN ('voice', 'voip') AND started_at <= '${RULE_CUTS.calls.iso}') OR started_at <= '${RULE_CUTS.rest.iso}')`;
  return {
    ...z,
    label: 'cdr, 8 columns, ISO Z, legal hold; three rules, two with a where',
    policy: path.join(HERE, 'policy-rules.yaml'),
    sqlDelete: `PRAGMA secure_delete = ON; DELETE FROM cdr WHERE ${sql}`,
    sqlCount: `SELECT count(*) FROM cdr WHERE ${sql}`,
    mlrKeep:
      `$legal_hold == 1 || !(($service == "sms" && $started_at <= "${RULE_CUTS.sms.iso}") || ` +
      `(($service == "voice" || $service == "voip") && $started_at <= "${RULE_CUTS.calls.iso}") || $started_at <= "${RULE_CUTS.rest.iso}")`,
    peerNote: 'string comparisons, one per rule',
    due: (r, t) =>
      (r.values[2] === 'sms' && t <= RULE_CUTS.sms.sec) ||
      ((r.values[2] === 'voice' || r.values[2] === 'voip') && t <= RULE_CUTS.calls.sec) ||
      t <= RULE_CUTS.rest.sec,
  };
}

export const SHAPES = {
  'cdr-mixed': cdrShape('cdr-mixed', MIXED),
  'cdr-z': cdrShape('cdr-z', [MIXED[0]]),
  'cdr-rules': rulesShape(),
  events: EVENTS,
};
export const SHAPE_INFO = `as-of ${AS_OF}, delete 6 months after the timestamp (${TZ}); cutoff: timestamp <= ${CUT.iso}`;

/**
 * Writes `rows` rows of `shape` (or, with csvBytes and no dbPath, as many as fill csvBytes) to
 * dbPath (SQLite) and/or csvPath. Timestamps are uniform over a span that ends a day before the
 * as-of, with ~30% at or before the cutoff. Returns { rows, due (not held), held, dueAll (held or not) }.
 */
export function generate(shape, { rows = Number.POSITIVE_INFINITY, seed = 42, dbPath, csvPath, csvBytes = Number.POSITIVE_INFINITY }) {
  const rnd = mulberry32(seed);
  const t1 = CUT.asOfSec - 86400;
  const t0 = Math.floor(CUT.sec - ((t1 - CUT.sec) * DUE_SHARE) / (1 - DUE_SHARE));
  const span = t1 - t0;
  let db;
  let insert;
  if (dbPath) {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    db = new Database(dbPath);
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(shape.createSql);
    insert = db.prepare(shape.insertSql);
  }
  let fd;
  if (csvPath) {
    fs.mkdirSync(path.dirname(csvPath), { recursive: true });
    fd = fs.openSync(csvPath, 'w');
  }
  const header = `${shape.createSql
    .replace(/^[^(]*\(/, '')
    .replace(/\)\s*$/, '')
    .split(',')
    .map((c) => c.trim().split(/\s+/)[0])
    .join(',')}\n`;
  // Rows are encoded straight into one reused buffer: keeping many short-lived row strings alive
  // makes V8's young-generation GC dominate the generation time.
  const out = Buffer.allocUnsafe(4 << 20);
  let pos = csvPath ? out.latin1Write(header, 0) : 0;
  let bytes = pos;
  let due = 0;
  let held = 0;
  let dueAll = 0;
  let id = 0;
  const CHUNK = 1_000_000;
  const chunk = (end) => {
    for (; id < end && bytes < csvBytes; ) {
      id++;
      const t = t0 + Math.floor(rnd() * span);
      const r = shape.row(rnd, id, t);
      const isDue = shape.due ? shape.due(r, t) : t <= CUT.sec;
      if (isDue) dueAll++;
      if (r.held) held++;
      else if (isDue) due++;
      insert?.run(...r.values);
      if (fd !== undefined) {
        // All generated text is ASCII.
        const w = out.latin1Write(r.csv, pos);
        pos += w;
        bytes += w;
        if (pos > out.length - 4096) {
          fs.writeSync(fd, out, 0, pos);
          pos = 0;
        }
      }
    }
  };
  const run = db ? db.transaction(chunk) : chunk;
  while (id < rows && bytes < csvBytes) run(Math.min(rows, id + CHUNK));
  if (fd !== undefined) {
    if (pos) fs.writeSync(fd, out, 0, pos);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  db?.close();
  return { rows: id, due, held, dueAll };
}
