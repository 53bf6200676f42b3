import { runCli } from './entry.js';

await runCli();
