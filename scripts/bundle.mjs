// bin/retention runs one bundle of dist/cli (esbuild): loading the ~300 files of dist/ and its
// dependencies one by one cost ~0.3 s before any work (zod alone ~85 ms), measured against
// ~0.1 s for the bundle. Each lazily loaded command stays its own chunk. The native module
// (better-sqlite3) and what only tests use stay outside.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg-native', 'playwright-core'],
  // CommonJS dependencies (pg, pino) call require(): an ES module has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // pg (and zod) ask whether they run on Cloudflare Workers by navigator.userAgent, which Node 20
  // lacks (21 has it), and pg then builds a fetch Response to find out, loading undici: ~25 ms.
  define: { navigator: JSON.stringify({ userAgent: `Node.js/${process.versions.node.split('.')[0]}` }) },
  logLevel: 'warning',
});
