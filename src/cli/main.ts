#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, oneLine, UserError } from '../errors.js';
import { runCertify, parseCertifyFlags } from './certify.js';
import { runCompare } from './compare.js';
import { parseMakeNetFlags, runMakeNet } from './makeNet.js';
import { DEFAULT_OUT_DIR, parseRecoverFlags, runRecover } from './recover.js';

/** Wire the commands; each action's exit code lands in `exitCode`. */
function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('spanrec')
    .description("Recover the row span of a black-box network's first weight matrix from queries.")
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces of internal errors')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: () => {} }); // errors are printed once, by main()

  const modelOptions = (c: Command): Command =>
    c
      .option('--input-dim <n>', 'input size n (required for cmd: models)')
      .option('--input <name>', 'ONNX graph input name (default: the first)')
      .option('--output <name>', 'ONNX graph output name (default: the first)')
      .addOption(
        new Option('--precision <p>', "the model's arithmetic, if the backend cannot tell").choices(
          ['f32', 'f64'],
        ),
      )
      .option('--access <mode>', 'scores | score:I | label | threshold:I:T', 'scores');

  modelOptions(
    program
      .command('recover')
      .description('recover the row span of the first layer; writes basis.npy and result.json')
      .requiredOption(
        '--model <spec>',
        'onnx:PATH | cmd:COMMAND | http://HOST:PORT/v2/models/NAME',
      ),
  )
    .option('--method <m>', 'auto | gradient | adaptive | boundary', 'auto')
    .option('--budget <n>', 'maximum number of queries (rows sent to the model)')
    .option('--seed <s>', 'random seed', '1')
    .option('--out <dir>', 'output directory', DEFAULT_OUT_DIR)
    .option('--step <h>', 'finite-difference step (default: 1e-5 for f64, 1e-3 for f32)')
    .option('--points <n>', 'measure exactly this many points instead of stopping at saturation')
    .option(
      '--checks <n>',
      'kink-check directions per point (0 disables; default 1 for f64, 3 for f32)',
    )
    .option('--json', 'print result.json on stdout')
    .option('--quiet', 'no progress or log lines on stderr')
    .action(async (flags) => setExit(await runRecover(parseRecoverFlags(flags))));

  program
    .command('compare')
    .description('principal angles between the row spans of two .npy matrices')
    .argument('<a>', 'first matrix (.npy, rows × n)')
    .argument('<b>', 'second matrix (.npy, rows × n)')
    .option('--json', 'print JSON')
    .action(async (a: string, b: string, flags: { json?: boolean }) =>
      setExit(await runCompare({ a, b, json: flags.json ?? false })),
    );

  modelOptions(
    program
      .command('certify')
      .description('check without ground truth whether a basis spans all the model reads')
      .requiredOption('--model <spec>', 'model spec, as for recover')
      .requiredOption('--basis <file>', 'basis (.npy, rows × n)'),
  )
    .option('--moves <n>', 'number of random orthogonal moves', '8')
    .option('--seed <s>', 'random seed', '1')
    .option('--json', 'print JSON')
    .action(async (flags) => setExit(await runCertify(parseCertifyFlags(flags))));

  program
    .command('make-net')
    .description('write a random network as ONNX, and its true first layer A as .npy')
    .option('--n <n>', 'input dimension (may be left out when --input-shape gives it)')
    .requiredOption('--k <k>', 'first-layer width (rows of A)')
    .option('--widths <list>', 'hidden widths after the first layer', '64,32')
    .option('--act <name>', 'relu | leaky | tanh | sigmoid | gelu', 'relu')
    .option('--outputs <m>', 'number of outputs', '1')
    .option('--head <h>', 'output head after the last layer: linear | sigmoid | softmax', 'linear')
    .option('--bias', 'use biases (default)')
    .option('--no-bias', 'no biases')
    .option('--dtype <d>', 'f32 | f64', 'f64')
    .option('--rank <r>', 'rank of A (default min(n, k)); lower makes it rank-deficient')
    .option(
      '--input-shape <dims>',
      'ONNX input shape, e.g. 1,16,96 (fixed batch of 1) or batch,16,96 (default batch,n)',
    )
    .option(
      '--layernorm',
      'LayerNorm over the k first-layer units before their activation (the model then reads ' +
        'only k−1 directions of the row span of A when k ≤ n; --truth is still A)',
    )
    .option(
      '--influence-spread <s>',
      "give the first-layer units' outgoing weights norms spaced geometrically over a factor " +
        'S, in random order: the weakest unit moves the output S times less than the strongest',
      '1',
    )
    .option('--seed <s>', 'random seed', '1')
    .requiredOption('--out <file>', 'ONNX file to write')
    .option('--truth <file>', 'write A (k × n, float64) here')
    .action(async (flags) => setExit(await runMakeNet(parseMakeNetFlags(flags))));

  return program;
}

function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram((code) => (exitCode = code));
  const debug = argv.includes('--debug');
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync')
        return EXIT_OK;
      process.stderr.write(`spanrec: ${oneLine(e.message.replace(/^error: /, ''))}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof UserError) {
      process.stderr.write(`spanrec: ${oneLine(e.message)}\n`);
      if (debug && e.stack) process.stderr.write(e.stack + '\n');
      return e.exitCode;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(
      `spanrec: internal error: ${oneLine(err.message)}${debug ? '' : ' (run with --debug for details)'}\n`,
    );
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    return EXIT_FAILURE;
  }
}

// Ctrl-C or a kill: exit through process.exit so that oracles' exit hooks stop child
// processes (a cmd: model runs in its own process group and would not see the signal).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`spanrec: interrupted (${signal})\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT_FAILURE;
  },
);
