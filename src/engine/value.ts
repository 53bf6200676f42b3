import { createHash } from 'node:crypto';
import type { WhereClause } from '../policy/model.js';

/** NULL, an empty string or only spaces: the event has not happened yet. */
export function isEmpty(v: unknown): boolean {
  // Checked per value per record: a string that starts with a visible character is not empty.
  return (
    v === null ||
    v === undefined ||
    (typeof v === 'string' && (v.length === 0 || (v.charCodeAt(0) <= 32 || v.charCodeAt(0) >= 127 ? v.trim() === '' : false)))
  );
}

/** The value as text, as a where clause and a report's key see it. */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

const HELD = new Set(['1', 'true', 'yes', 'y']);
const NOT_HELD = new Set(['', '0', 'false', 'no', 'n']);

/**
 * `held` for 1/true/yes/y (any case), `free` for empty/0/false/no/n; anything else is doubt:
 * the record is kept and counted invalid rather than guessed free.
 */
export function holdState(v: unknown): 'held' | 'free' | 'unclear' {
  if (v === 0 || v === null) return 'free';
  if (v === 1) return 'held';
  const t = asText(v).trim().toLowerCase();
  if (HELD.has(t)) return 'held';
  if (NOT_HELD.has(t)) return 'free';
  return 'unclear';
}

export function whereMatches(where: readonly WhereClause[], get: (column: string) => unknown): boolean {
  for (const w of where) {
    const v = get(w.column);
    if (v === null || v === undefined) return false;
    if (!w.values.includes(asText(v))) return false;
  }
  return true;
}

/** SHA-256 of the first `n` values, as plan files record what a decision read. */
export function valuesHash(values: readonly unknown[], n: number): string {
  const h = createHash('sha256');
  for (let i = 0; i < n; i++) h.update(`${JSON.stringify(values[i] ?? null, bigintAsText)}\u0000`);
  return h.digest('hex');
}

/** JSON for values that may hold a BigInt (a rowid beyond 2^53): its digits as a string. */
export const bigintAsText = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
