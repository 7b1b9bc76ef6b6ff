// Entry point of the `cnm` command (bundled to dist/cli.js).
import { processIo } from './io';
import { runCli } from './run';

// `cnm inspect x | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// exitCode rather than exit(): large outputs are flushed before the process ends.
// (--docker commands answer asynchronously.)
void Promise.resolve(runCli(process.argv.slice(2), processIo)).then((code) => {
  process.exitCode = code;
});
