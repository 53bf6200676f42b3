// Makes V8's code cache of the bundle (bundle/main.cjs.cache; see bin/load-bundle.js): runs the
// CLI in this process on small generated data, the commands a night's job and an engineer run
// (validate, report, dry run, purge with receipts, on SQLite and CSV, a PostgreSQL URL that
// refuses), so that the cache holds the functions those call, then writes it. Nothing is written
// outside a temp dir but the cache; a command that fails here only leaves its functions out.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { BUNDLE, loadBundle } from '../bin/load-bundle.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-code-cache-'));
try {
  const { exports: cli, saveCache } = loadBundle({ fresh: true });
  const policy = path.join(dir, 'policy.yaml');
  fs.writeFileSync(
    policy,
    `version: 1
name: code-cache
title: Code cache training
timezone: Europe/Amsterdam
datasets:
  calls:
    key: id
    hold: legal_hold
rules:
  - id: voice
    dataset: calls
    where: { service: [voice, sms] }
    from: started_at
    delete_after: 6 months
    basis: contract
  - id: data
    dataset: calls
    where: { service: data }
    from: started_at
    delete_after: 1 year
    redact_after: 90 days
    redact: [caller]
    basis: contract
`,
  );
  const services = ['voice', 'sms', 'data', 'fax'];
  const rows = Array.from({ length: 400 }, (_, i) => {
    const t = new Date(Date.UTC(2025, 0, 1) + i * 37 * 3_600_000).toISOString().replace('.000Z', i % 3 ? 'Z' : '+01:00');
    return [i + 1, i % 97 === 5 ? 'not a time' : t, services[i % 4], `+3120${i}`, i % 50 === 0 ? 1 : 0];
  });
  const Database = createRequire(BUNDLE)('better-sqlite3');
  const db = new Database(path.join(dir, 'calls.db'));
  db.exec('CREATE TABLE calls (id INTEGER PRIMARY KEY, started_at TEXT, service TEXT, caller TEXT, legal_hold INTEGER)');
  const insert = db.prepare('INSERT INTO calls VALUES (?, ?, ?, ?, ?)');
  for (const r of rows) insert.run(...r);
  db.close();
  fs.writeFileSync(path.join(dir, 'calls.csv'), `id,started_at,service,caller,legal_hold\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  const sink = { write: () => true };
  const env = { ...process.env, RETENTION_AUDIT_KEY_FILE: path.join(dir, 'audit.key') };
  // A run that ends otherwise than it should trains the wrong functions: no cache then.
  const run = async (expected, ...args) => {
    const code = await cli.main(['node', 'retention', ...args], { stdout: sink, stderr: sink, env, exitCode: 0 });
    if (code !== expected) throw new Error(`retention ${args.join(' ')} exited ${code}, not ${expected}`);
  };
  const common = (source) => ['--policy', policy, '--source', source, '--as-of', '2026-11-24T00:00:00+01:00', '--log-level', 'info'];
  await run(0, '--version');
  await run(0, 'validate', policy);
  for (const source of [path.join(dir, 'calls.db'), path.join(dir, 'calls.csv')]) {
    await run(0, 'report', ...common(source));
    await run(0, 'report', ...common(source), '--format', 'json');
    await run(0, 'purge', ...common(source), '--dry-run');
    await run(0, 'purge', ...common(source), '--audit-log', path.join(dir, 'audit.jsonl'));
  }
  await run(1, 'report', ...common(`postgresql:///retention?host=${encodeURIComponent(path.join(dir, 'no-server'))}`));
  saveCache();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
