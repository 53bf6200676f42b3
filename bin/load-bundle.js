// Loads the bundled CLI (bundle/main.cjs, one CommonJS file) through V8's code cache of it
// (bundle/main.cjs.cache, made by `npm run build`): compiling the bundle and the functions a run
// calls first cost ~50 ms of a 0.18 s report. The cache is used only if it was made from this very
// bundle (its SHA-256 heads the file) and V8 accepts it (same Node, same flags); otherwise the
// bundle is compiled as any script is.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../bundle/main.cjs', import.meta.url));
const CACHE = `${BUNDLE}.cache`;

/** The bundle's exports; `saveCache` writes V8's cache of what has been compiled so far. */
export function loadBundle({ fresh = false } = {}) {
  const source = readFileSync(BUNDLE, 'utf8');
  const hash = createHash('sha256').update(source).digest();
  let cachedData;
  if (!fresh) {
    try {
      const c = readFileSync(CACHE);
      if (c.length > hash.length && c.subarray(0, hash.length).equals(hash)) cachedData = c.subarray(hash.length);
    } catch {}
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return {
    exports: module.exports,
    cached: cachedData !== undefined && !script.cachedDataRejected,
    saveCache() {
      writeFileSync(`${CACHE}.tmp`, Buffer.concat([hash, script.createCachedData()]));
      renameSync(`${CACHE}.tmp`, CACHE);
    },
  };
}
