import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Whether bin/load-bundle.js in `root` loaded its bundle from the code cache. */
function cached(root: string): string {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import(${JSON.stringify(join(root, 'bin', 'load-bundle.js'))}).then((m) => console.log(m.loadBundle().cached))`,
    ],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** A copy of the built CLI (bin, bundle, package.json) in a temp dir. */
function copy(): string {
  const d = mkdtempSync(join(tmpdir(), 'retention-code-cache-'));
  dirs.push(d);
  for (const p of ['bin', 'bundle']) cpSync(join(ROOT, p), join(d, p), { recursive: true });
  writeFileSync(join(d, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  mkdirSync(join(d, 'node_modules'));
  return d;
}

describe('the code cache of the bundle', () => {
  it('is made by the build and used', () => {
    expect(cached(ROOT)).toBe('true');
  });

  it('is not used for a bundle it was not made from, even of the same length, and the CLI runs all the same', () => {
    const d = copy();
    const file = join(d, 'bundle', 'main.cjs');
    const source = readFileSync(file, 'utf8');
    // V8 itself checks only the length of the source a cache was made from.
    const i = source.indexOf('// ');
    writeFileSync(file, `${source.slice(0, i)}//x${source.slice(i + 3)}`);
    expect(readFileSync(file, 'utf8').length).toBe(source.length);
    expect(cached(d)).toBe('false');
    const r = spawnSync(process.execPath, [join(d, 'bin', 'retention'), '--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
  });

  it('is not used where its bytes changed after it was written, and the CLI runs all the same', () => {
    const d = copy();
    const file = join(d, 'bundle', 'main.cjs.cache');
    const c = readFileSync(file);
    // A byte of the cached code (V8 checks none of them: a changed string constant runs as changed).
    c[c.length >> 1] ^= 0x20;
    writeFileSync(file, c);
    expect(cached(d)).toBe('false');
    const r = spawnSync(process.execPath, [join(d, 'bin', 'retention'), '--help'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Enforce data retention policies');
  });

  it('is of a bundle that runs in strict mode from its first statement', () => {
    expect(readFileSync(join(ROOT, 'bundle', 'main.cjs'), 'utf8').startsWith('"use strict";')).toBe(true);
  });

  it('is not needed: without it the CLI compiles its bundle and runs', () => {
    const d = copy();
    rmSync(join(d, 'bundle', 'main.cjs.cache'));
    expect(cached(d)).toBe('false');
    const r = spawnSync(process.execPath, [join(d, 'bin', 'retention'), '--version'], { encoding: 'utf8' });
    expect(r.stdout).toBe(`${VERSION}\n`);
  });
});
