import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

/**
 * The PostgreSQL server of the tests: RETENTION_TEST_PG holds its URL (.ci/run starts a
 * throwaway cluster with scripts/pg-test-cluster.sh and sets it). Without it the PostgreSQL
 * tests are skipped, with one line that says so.
 */
export const PG_URL = process.env.RETENTION_TEST_PG;

export function describePg(name: string, body: () => void): void {
  if (!PG_URL) {
    console.log(`skipped: ${name} (no PostgreSQL server: set RETENTION_TEST_PG, as .ci/run does with scripts/pg-test-cluster.sh)`);
    describe.skip(name, body);
  } else describe(name, body);
}

/** A new empty database on the test server; returns its URL. */
export async function pgDatabase(): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await sql(PG_URL as string, `CREATE DATABASE ${name}`);
  return (PG_URL as string).replace(/^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?/, `$1/${name}`);
}

/** A copy of a database on the test server (CREATE DATABASE ... TEMPLATE); returns its URL. */
export async function pgClone(url: string): Promise<string> {
  const db = url.match(/^postgres(?:ql)?:\/\/[^/?]*\/([^?]+)/)?.[1];
  if (!db) throw new Error(`no database name in ${url}`);
  const name = `t_${randomBytes(6).toString('hex')}`;
  await sql(PG_URL as string, `CREATE DATABASE ${name} TEMPLATE ${db}`);
  return url.replace(`/${db}`, `/${name}`);
}

/** Runs statements on a database and returns the rows of the last one. */
export async function sql(url: string, text: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(text, values);
    return (Array.isArray(r) ? r[r.length - 1] : r).rows;
  } finally {
    await c.end();
  }
}
