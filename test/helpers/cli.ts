import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/program.js';
import { serializeRecord } from '../../src/sources/csv/serialize.js';

export const BIN = fileURLToPath(new URL('../../bin/retention', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  input?: string;
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Run bin/retention in a process of its own even where the test could do without. */
  spawn?: boolean;
  /** In this process: stdout and stderr are terminals (isTTY). */
  tty?: boolean;
}

/**
 * Runs the CLI as a user would, with the same arguments, output and exit code. In this process
 * (main() with buffers for stdout and stderr) unless the point needs a process of its own: another
 * user, a clock or timezone of its own (env NODE_OPTIONS, TZ), standard input, or `spawn`.
 */
export async function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  if (opts.spawn || opts.uid !== undefined || opts.input !== undefined || opts.env?.NODE_OPTIONS || opts.env?.TZ)
    return spawnCli(args, opts);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = {
    stdout: { write: (s) => stdout.push(s) > 0, isTTY: opts.tty },
    stderr: { write: (s) => stderr.push(s) > 0, isTTY: opts.tty },
    env: { ...process.env, XDG_CONFIG_HOME: config(), ...opts.env },
    exitCode: 0,
  };
  const here = process.cwd();
  if (opts.cwd) process.chdir(opts.cwd);
  try {
    const code = await main(['node', BIN, ...args], io);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    process.chdir(here);
  }
}

/** Runs the real bin/retention in a process of its own. */
export function spawnCli(args: string[], opts: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    uid: opts.uid,
    gid: opts.gid,
    env: { ...process.env, NODE_OPTIONS: '', XDG_CONFIG_HOME: config(), ...opts.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A config directory of this test process's own, so that audit keys the CLI creates stay out of $HOME. */
let configDir: string | undefined;
export function config(): string {
  configDir ??= mkdtempSync(join(tmpdir(), 'retention-config-'));
  return configDir;
}

/** The audit key the CLI made for this test process (unless a test gives --audit-key). */
export const defaultAuditKey = () => join(config(), 'retention', 'audit.key');

/** The HMAC-SHA-256 of a record's key as receipts hold it, with the secret of a key file. */
export function hmac(key: string, keyFile = defaultAuditKey()): string {
  return createHmac('sha256', Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex'))
    .update(key)
    .digest('hex');
}

/** The receipt lines of an audit log (type receipt), parsed. */
export function receipts(log: string): {
  policy: string;
  dataset: string;
  rule: string;
  action: string;
  count: number;
  keyHmac: string[];
  run: string;
  batch: number;
  asOf: string;
}[] {
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'receipt');
}

/** Environment that makes the CLI's clock read `iso` (Date.now and Luxon's now), still ticking. */
export function fakeClock(iso: string): Record<string, string> {
  return { NODE_OPTIONS: `--import ${FAKE_CLOCK}`, RETENTION_TEST_NOW: String(Date.parse(iso)) };
}
const FAKE_CLOCK = new URL('./fake-clock.mjs', import.meta.url).href;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'retention-test-'));
}

export function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

export function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A SQLite table from rows of objects; columns from the first row unless given. */
export function sqliteTable(file: string, table: string, rows: Record<string, unknown>[], ddl?: string): string {
  const db = new Database(file);
  const cols = Object.keys(rows[0] ?? {});
  db.exec(ddl ?? `CREATE TABLE "${table}" (${cols.map((c) => `"${c}"`).join(', ')})`);
  const ins = db.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  db.transaction(() => {
    for (const r of rows) ins.run(...cols.map((c) => r[c] as never));
  })();
  db.close();
  return file;
}

export function sqliteRows(file: string, sql: string): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Minimal CSV text from rows (quotes only where needed), written as the tool writes CSV. */
export function csvText(rows: Record<string, unknown>[], eol = '\n', columns = Object.keys(rows[0] ?? {})): string {
  return [columns, ...rows.map((r) => columns.map((c) => r[c]))].map((cells) => serializeRecord(cells, ',', eol)).join('');
}

/** stderr's log lines (JSON on a pipe), parsed; a line that is not JSON fails the test. */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The messages of stderr's log lines (JSON on a pipe), one per line, as a person would read them. */
export function logText(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return String((JSON.parse(l) as { msg?: unknown }).msg ?? l);
      } catch {
        return l;
      }
    })
    .join('\n');
}
