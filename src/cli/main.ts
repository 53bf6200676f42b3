import { main } from './program.js';

// A reader that stops early (`| head`) is not an error of ours; the run itself has finished.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  else throw e;
});

process.exitCode = await main(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, exitCode: 0 });
