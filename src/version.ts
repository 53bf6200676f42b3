import { readFileSync } from 'node:fs';

/** The tool's version, from its package.json (dist/version.js and bundle/main.js sit one level below it). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;
