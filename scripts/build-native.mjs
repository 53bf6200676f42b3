// Compiles native/retention-sqlite.c (the SQLite source's fast path, src/sources/sqlite/fast.ts)
// into bundle/ with the machine's C compiler ($CC, else cc) against the SQLite headers
// better-sqlite3 ships. Where that fails (no compiler, no headers, another platform) the build
// goes on: the SQLite source then decides every record in JavaScript, as it did before.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const platform = { linux: ['-shared', 'so'], darwin: ['-dynamiclib -undefined dynamic_lookup', 'dylib'] }[process.platform];
const headers = 'node_modules/better-sqlite3/deps/sqlite3';
const why = !platform
  ? `not built on ${process.platform}`
  : !fs.existsSync(`${headers}/sqlite3ext.h`)
    ? `no ${headers}/sqlite3ext.h`
    : undefined;
let built = false;
let problem = why;
if (!why) {
  const out = `bundle/retention-sqlite.${platform[1]}`;
  const r = spawnSync(
    process.env.CC || 'cc',
    ['-O2', '-fPIC', ...platform[0].split(' '), '-I', headers, 'native/retention-sqlite.c', '-o', out],
    { encoding: 'utf8' },
  );
  built = r.status === 0;
  problem = r.error?.message ?? r.stderr.trim().split('\n')[0];
}
if (!built) console.warn(`build-native: the SQLite fast path is not built (${problem}); SQLite records are decided in JavaScript`);
