import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, oneLine, UserError } from '../errors.js';
import { certifyCommand, parseCertifyFlags, runCertify } from './certify.js';
import { runCompare } from './compare.js';
import { experimentCommand, parseExperimentGridFlags, runExperimentGrid } from './experiment.js';
import {
  experimentMnistCommand,
  parseExperimentMnistFlags,
  runExperimentMnist,
} from './experimentMnist.js';
import { demoCommand, parseDemoFlags, runDemo } from './demo.js';
import { makeNetCommand, parseMakeNetFlags, runMakeNet } from './makeNet.js';
import { obfuscateCommand, parseObfuscateFlags, runObfuscate } from './obfuscate.js';
import { parseRecoverFlags, recoverCommand, runRecover } from './recover.js';
import { parseServeFlags, runServe, serveCommand } from './serve.js';

/** Wire the commands; each action's exit code lands in `exitCode`. */
function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('spanrec')
    .description("Recover the row span of a black-box network's first weight matrix from queries.")
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces of internal errors')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: () => {} }); // errors are printed once, by main()

  recoverCommand(program, async (flags) => setExit(await runRecover(parseRecoverFlags(flags))));

  program
    .command('compare')
    .description('principal angles between the row spans of two .npy matrices')
    .argument('<a>', 'first matrix (.npy, rows × n)')
    .argument('<b>', 'second matrix (.npy, rows × n)')
    .option('--json', 'print JSON')
    .action(async (a: string, b: string, flags: { json?: boolean }) =>
      setExit(await runCompare({ a, b, json: flags.json ?? false })),
    );

  certifyCommand(program, async (flags) => setExit(await runCertify(parseCertifyFlags(flags))));

  obfuscateCommand(program, async (flags) =>
    setExit(await runObfuscate(parseObfuscateFlags(flags))),
  );

  serveCommand(program, async (flags) => setExit(await runServe(parseServeFlags(flags))));

  demoCommand(program, async (flags) => setExit(await runDemo(parseDemoFlags(flags))));

  makeNetCommand(program, async (flags) => setExit(await runMakeNet(parseMakeNetFlags(flags))));

  const experiment = experimentCommand(program, async (which, flags) =>
    setExit(await runExperimentGrid(parseExperimentGridFlags(which, flags))),
  );
  experimentMnistCommand(experiment, async (flags) =>
    setExit(await runExperimentMnist(parseExperimentMnistFlags(flags))),
  );

  return program;
}

function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}

/** Run the CLI on `argv` (without `node` and the script); resolves to the exit code. */
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
    return reportError(e, debug);
  }
}

/** Print an error as one line (docs/REFERENCE.md, "Exit codes"); the exit code it deserves. */
export function reportError(e: unknown, debug: boolean): number {
  if (e instanceof CommanderError) {
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code)) {
      return EXIT_OK;
    }
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
