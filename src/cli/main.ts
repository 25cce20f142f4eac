#!/usr/bin/env node
import { constants } from 'node:os';
import { EXIT_FAILURE } from '../errors.js';
import { requestStop } from './interrupt.js';
import { main } from './program.js';

/** Seconds a stopping command gets to finish (write partial results) before the exit. */
const STOP_GRACE_SECONDS = 10;

// Ctrl-C, a kill or a closed terminal: a command that can stop cleanly does (recover writes
// its partial results, serve closes); otherwise, or on a second signal, exit through
// process.exit, so that oracles' exit hooks stop child processes (a cmd: model runs in its own
// process group and sees no signal).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    const code = 128 + constants.signals[signal];
    if (requestStop(signal, code)) {
      process.stderr.write(`spanrec: interrupted (${signal}): stopping; repeat to quit at once\n`);
      setTimeout(() => process.exit(code), STOP_GRACE_SECONDS * 1000).unref();
      return;
    }
    process.stderr.write(`spanrec: interrupted (${signal})\n`);
    process.exit(code);
  });
}

// A reader that closed our stdout early (`spanrec compare a b --json | true`): the results
// files are already written; say so in one line instead of dying on an unhandled EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.stderr.write('spanrec: stdout was closed before the output was written (EPIPE)\n');
  process.exit(EXIT_FAILURE);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT_FAILURE;
  },
);
