#!/usr/bin/env node
// The floor under `retention purge` on SQLite, for bench.mjs: the benchmark's DELETE run from
// Node through better-sqlite3 in the same 50,000-rowid batches as retention, with no decision
// in JavaScript (`native`), or with one call into a JavaScript function per row that decides
// nothing (`js-call`): what crossing from SQLite into JavaScript costs before any decision.
// `secure` sets secure_delete as retention's purge does (`plain`, the default, leaves it off).
// Usage: node bench/floor.mjs DB CUTOFF_ISO native|js-call [secure|plain]
import Database from 'better-sqlite3';

const [db, cutoff, mode, secure = 'plain'] = process.argv.slice(2);
if (!db || !cutoff || !['native', 'js-call'].includes(mode) || !['secure', 'plain'].includes(secure)) {
  console.error('usage: node bench/floor.mjs DB CUTOFF_ISO native|js-call [secure|plain]');
  process.exit(2);
}
const BATCH = 50_000;
const conn = new Database(db, { fileMustExist: true });
conn.pragma(`secure_delete = ${secure === 'secure' ? 'ON' : 'OFF'}`);
let calls = 0;
conn.function('floor_noop', { varargs: true, deterministic: false }, (...row) => {
  calls++;
  return row.length - 4;
});
const call = mode === 'js-call' ? 'floor_noop(started_at, legal_hold, id, rowid) = 0 AND ' : '';
const del = conn.prepare(
  `DELETE FROM cdr WHERE rowid > ? AND rowid <= ? AND ${call}unixepoch(started_at) <= unixepoch(?) AND legal_hold = 0`,
);
// One min() or max() per SELECT is a b-tree seek; both in one SELECT would read the whole table.
const { lo, hi } = conn.prepare('SELECT (SELECT min(rowid) FROM cdr) AS lo, (SELECT max(rowid) FROM cdr) AS hi').get();
let deleted = 0;
const batch = conn.transaction((a, b) => {
  deleted += del.run(a, b, cutoff).changes;
});
for (let a = lo - 1; a < hi; a += BATCH) batch(a, Math.min(a + BATCH, hi));
conn.close();
console.log(JSON.stringify({ deleted, jsCalls: calls }));
