// --startup: what a run costs before it reads a record: `retention --version`, and `report` on an
// empty SQLite table with a one-rule policy, against `node -e 0` (Node's own start) and sqlite3.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AS_OF, BIN, fmtMB, fmtX, machine, median, shown, table, timed, tmpDir } from './lib.mjs';

export async function startup(o) {
  const repeat = o.repeat ?? 10;
  const tmp = tmpDir('retention-bench-startup-');
  console.log(machine());
  const db = path.join(tmp, 'empty.db');
  const policy = path.join(tmp, 'trivial.yaml');
  const conn = new Database(db);
  conn.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT)');
  conn.close();
  fs.writeFileSync(
    policy,
    'version: 1\nname: trivial\ndatasets:\n  t:\n    key: id\nrules:\n  - id: t\n    dataset: t\n    from: at\n    delete_after: 1 day\n',
  );
  const cmds = [
    ['retention --version', BIN, ['--version']],
    ['retention report (empty SQLite table)', BIN, ['report', '--policy', policy, '--source', db, '--as-of', AS_OF, '--log-level', 'warn']],
    ['node -e 0 (for information)', process.execPath, ['-e', '0']],
    ['sqlite3 count(*) (for information)', 'sqlite3', [db, 'SELECT count(*) FROM t']],
  ];
  const runs = cmds.map(() => []);
  let ok = true;
  try {
    for (const [, cmd, args] of cmds) console.log(`$ ${shown(cmd, args)}`);
    // Interleaved, so that a burst of load on the shared machine hits every command alike.
    for (let i = 0; i < repeat; i++) {
      for (const [k, [, cmd, args]] of cmds.entries()) {
        const r = await timed(cmd, args);
        if (r.status !== 0) {
          ok = false;
          console.log(`WARNING: ${cmds[k][0]}: exit ${r.status}: ${r.stderr.slice(-1000)}`);
        }
        runs[k].push(r);
      }
    }
    table(
      ['command', 'median s', 'min s', 'max s', 'x node -e 0', 'peak RSS MB', 'runs'],
      cmds.map(([name], k) => {
        const w = runs[k].map((r) => r.wall);
        const node = median(runs[2].map((r) => r.wall));
        return [
          name,
          median(w).toFixed(2),
          Math.min(...w).toFixed(2),
          Math.max(...w).toFixed(2),
          fmtX(median(w) / node),
          fmtMB(Math.max(...runs[k].map((r) => r.rssKB))),
          String(w.length),
        ];
      }),
    );
    console.log('(/usr/bin/time reports wall seconds to 0.01 s)');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return ok;
}
