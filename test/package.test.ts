import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { cli } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('the package', () => {
  it('has a name no other registry package is confused with, and installs the command `retention`', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8'));
    expect(pkg.name).toBe('retention-enforcer');
    expect(pkg.bin).toEqual({ retention: 'bin/retention' });
    expect(JSON.parse(readFileSync(`${ROOT}/package-lock.json`, 'utf8')).packages[''].name).toBe('retention-enforcer');
  });

  it('npm pack ships the built CLI, the policies and the schema, not the sources or tests', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/retention',
        'bundle/main.cjs',
        'bundle/main.cjs.cache',
        'bin/load-bundle.js',
        'dist/cli/main.js',
        'policies/ip-central.yaml',
        'schema/policy.schema.json',
      ]),
    );
    expect(files.filter((f) => /^(src|test|bench|demo)\//.test(f))).toEqual([]);
  }, 60_000);

  it('`npx retention -- --version` and `--version` print the version (npm passes the separator on)', async () => {
    for (const args of [['--', '--version'], ['--version']]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    }
  });
});
