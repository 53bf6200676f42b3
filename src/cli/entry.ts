import { main } from './program.js';

export { main };

/** Runs the CLI in this process on its arguments and streams; the exit code is the process's. */
export async function runCli(): Promise<void> {
  // A reader that stops early (`| head`) is not an error of ours; the run itself has finished.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    else throw e;
  });
  process.exitCode = await main(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, exitCode: 0 });
}
