#!/usr/bin/env node
import { EXIT_FAILURE } from '../errors.js';
import { main } from './program.js';

// Ctrl-C or a kill: exit through process.exit so that oracles' exit hooks stop child
// processes (a cmd: model runs in its own process group and would not see the signal).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`spanrec: interrupted (${signal})\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
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
