// bin/retention runs one bundle of dist/cli (esbuild): loading the ~300 files of dist/ and its
// dependencies one by one cost ~0.3 s before any work (zod alone ~85 ms), measured against
// ~0.1 s for the bundle. The native module (better-sqlite3) and what only tests use stay outside.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * zod's error messages in English only: its index imports all ~40 locales (~300 KB of the bundle,
 * ~9 ms of every start, measured importing the chunk alone) for `z.locales`, which this CLI never
 * selects. The build fails if zod's layout changes so that English is not where it was.
 */
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) => {
      if (!a.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)) return undefined;
      const en = path.join(path.dirname(a.importer), '..', 'locales', 'en.js');
      if (!fs.existsSync(en)) throw new Error(`zod-english-only: no ${en}; update scripts/bundle.mjs for this zod`);
      return { path: en, namespace: 'zod-locales', pluginData: en };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(a.pluginData)};`,
      resolveDir: path.dirname(a.pluginData),
    }));
  },
};

// One CommonJS file, which bin/retention loads through V8's code cache of it (bin/load-bundle.js):
// the cache holds what the commands compile, so that a run compiles almost nothing of its own.
// Without a cache, the split ES modules this replaced started 10 ms faster (--version 85 ms
// against 96); with it, --version takes 75 ms and a PostgreSQL report of an empty table 128 ms
// against 177.
fs.rmSync('bundle', { recursive: true, force: true });
await build({
  entryPoints: ['dist/cli/entry.js'],
  outfile: 'bundle/main.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg-native', 'playwright-core'],
  plugins: [englishOnly],
  // version.ts and the CSV decoder find files from import.meta.url, which CommonJS has not.
  banner: { js: '"use strict"; ' + "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // pg (and zod) ask whether they run on Cloudflare Workers by navigator.userAgent, which Node 20
  // lacks (21 has it), and pg then builds a fetch Response to find out, loading undici: ~25 ms.
  // Without whitespace and comments (names kept, for stack traces): read, hashed and deserialized
  // at every start, the bundle is 1.2 MB instead of 1.8 MB, all ASCII: 10 ms of 138 (a report of
  // an empty PostgreSQL table), 5 of 77 (--version).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  define: { navigator: JSON.stringify({ userAgent: `Node.js/${process.versions.node.split('.')[0]}` }), 'import.meta.url': '__bundleUrl' },
  logLevel: 'warning',
});
await import('./build-native.mjs');
// In a process of its own, so that its runs share nothing with this one and a hang cannot hang the build.
const trained = spawnSync(process.execPath, ['scripts/train-code-cache.mjs'], { stdio: 'inherit', timeout: 120_000 });
if (trained.status !== 0)
  console.warn(
    `bundle: no code cache (${trained.error?.message ?? `exit ${trained.status}`}); the CLI compiles its bundle at each start instead`,
  );
