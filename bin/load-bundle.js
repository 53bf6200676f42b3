// Loads the bundled CLI (bundle/main.cjs, one CommonJS file) through V8's code cache of it
// (bundle/main.cjs.cache, made by `npm run build`): compiling the bundle and the functions a run
// calls first cost ~50 ms of a 0.18 s report. The cache is used only if it was made from this very
// script (the SHA-256 of the text compiled heads the file), its bytes are the ones written (their
// SHA-256 follows: V8 does not check them, and a changed byte can change what runs), and V8
// accepts it (same Node, same flags); otherwise the bundle is compiled as any script is.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../bundle/main.cjs', import.meta.url));
const CACHE = `${BUNDLE}.cache`;
const sha256 = (data) => createHash('sha256').update(data).digest();
const HASH = 32;

/** The bundle's exports; `saveCache` writes V8's cache of what has been compiled so far. */
export function loadBundle({ fresh = false } = {}) {
  // Strict from the first statement: the bundle's own "use strict" follows esbuild's banner.
  const code = `(function (exports, require, module, __filename, __dirname) {"use strict";${readFileSync(BUNDLE, 'utf8')}\n})`;
  const hash = sha256(code);
  let cachedData;
  if (!fresh) {
    try {
      const c = readFileSync(CACHE);
      const data = c.subarray(2 * HASH);
      if (data.length > 0 && c.subarray(0, HASH).equals(hash) && c.subarray(HASH, 2 * HASH).equals(sha256(data))) cachedData = data;
    } catch {}
  }
  const script = new vm.Script(code, { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return {
    exports: module.exports,
    cached: cachedData !== undefined && !script.cachedDataRejected,
    saveCache() {
      const data = script.createCachedData();
      writeFileSync(`${CACHE}.tmp`, Buffer.concat([hash, sha256(data), data]));
      renameSync(`${CACHE}.tmp`, CACHE);
    },
  };
}
