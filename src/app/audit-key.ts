import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, type Stats, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

/**
 * The secret that keys the hashes of an audit log: HMAC-SHA-256 of a key with it cannot be
 * reversed by trying candidate keys (phone numbers, small ids) without it. The log never holds
 * it; `id` (an HMAC of a fixed text) is written in run lines so that `audit find` can tell
 * whether it holds the key a receipt was made with.
 */
export interface AuditKey {
  readonly file: string;
  readonly id: string;
  /** HMAC-SHA-256 of a record's key, hex. */
  hash(key: string): string;
  /** Set when this run created the key file. */
  readonly created: boolean;
}

const ID_TEXT = 'retention audit key id';

/**
 * Reads the key file, or creates it (32 random bytes, hex, mode 0600, in a directory of mode
 * 0700) when `create` and it does not exist. A key file that others can read or write is
 * refused: whoever reads it can test guesses against the log, whoever writes it can swap it.
 */
export function loadAuditKey(file: string, create: boolean): AuditKey {
  let created = false;
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`cannot read audit key ${file}: ${(e as Error).message}`);
    if (!create) throw new UserError(`no audit key ${file}: give the key file the receipts were made with (--audit-key FILE)`);
    writeNewKey(file);
    created = true;
    st = statSync(file);
  }
  if (!st.isFile()) throw new UserError(`audit key ${file} is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    throw new UserError(
      `audit key ${file} can be read or written by others (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')}); run chmod 600 ${file}, and make a new key if others may have read it`,
    );
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64,}$/i.test(text))
    throw new UserError(`audit key ${file} does not hold a key (64 or more hex digits); it is not a file retention made`);
  const secret = Buffer.from(text, 'hex');
  const hmac = (s: string) => createHmac('sha256', secret).update(s).digest('hex');
  return { file, id: hmac(ID_TEXT).slice(0, 16), hash: hmac, created };
}

function writeNewKey(file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const fd = openSync(file, 'wx', 0o600);
    // Receipts made with a key lost in a crash could never be matched again: synced before use.
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new UserError(`cannot create audit key ${file}: ${(e as Error).message}`);
  }
}
