import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './cli.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The demo data of the five shipped policies (scripts/demo-data.mjs, from dist/), in a temp dir. */
export function demo(): { db: string; csv: string } {
  const dir = tempDir();
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'demo-data.mjs'), dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return { db: join(dir, 'demo.db'), csv: join(dir, 'csv') };
}
