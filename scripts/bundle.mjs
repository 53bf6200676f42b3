// bin/retention runs one bundle of dist/cli (esbuild): loading the ~300 files of dist/ and its
// dependencies one by one cost ~0.3 s before any work (zod alone ~85 ms), measured against
// ~0.1 s for the bundle. Each lazily loaded command stays its own chunk. The native module
// (better-sqlite3) and what only tests use stay outside.
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

// Chunk names change with their content: without this, every build's chunks would stay beside the new ones.
fs.rmSync('bundle', { recursive: true, force: true });
await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg-native', 'playwright-core'],
  plugins: [englishOnly],
  // CommonJS dependencies (pg, pino) call require(): an ES module has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // pg (and zod) ask whether they run on Cloudflare Workers by navigator.userAgent, which Node 20
  // lacks (21 has it), and pg then builds a fetch Response to find out, loading undici: ~25 ms.
  define: { navigator: JSON.stringify({ userAgent: `Node.js/${process.versions.node.split('.')[0]}` }) },
  logLevel: 'warning',
});
