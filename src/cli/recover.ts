import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT_BUDGET, EXIT_FAILURE, EXIT_OK, UserError } from '../errors.js';
import { writeNpy } from '../io/npy.js';
import { formatAccess } from '../oracle/access.js';
import { InterruptibleOracle } from '../oracle/interruptibleOracle.js';
import { openModel } from '../oracle/spec.js';
import { recoverSpan, type RecoverySummary } from '../recover/recoverSpan.js';
import { methodNames } from '../recover/registry.js';
import { DEFAULTS } from './defaults.js';
import { stoppable } from './interrupt.js';
import { addMethodFlags, parseMethodFlags } from './methodFlags.js';
import {
  addModelFlags,
  openOptions,
  parseModelFlags,
  type ModelFlags,
  type RawModelFlags,
} from './modelFlags.js';
import { optional, parseChoice, parseInteger } from './parse.js';
import { prepareOutDir, writeResultFile } from './outDir.js';
import { makeReporter } from './progress.js';

/** The files `recover` writes into its `--out` folder. */
const RECOVER_OUTPUTS = ['basis.npy', 'result.json'] as const;

/** `spanrec recover` after validation: plain data. */
export interface RecoverCommand extends ModelFlags {
  readonly method: string;
  readonly methodOptions: Readonly<Record<string, number>>;
  readonly budget: number | null;
  readonly outDir: string;
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Raw flag values as commander hands them over (method options by key). */
export interface RecoverFlags extends RawModelFlags {
  method?: string;
  budget?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  [methodOption: string]: unknown;
}

/** Declare `recover` and its flags on the program. */
export function recoverCommand(
  program: Command,
  run: (flags: RecoverFlags) => Promise<void>,
): void {
  const c = addModelFlags(
    program
      .command('recover')
      .description('recover the row span of the first layer; writes basis.npy and result.json'),
  )
    .option('--method <m>', methodNames().join(' | '), DEFAULTS.method)
    .option('--budget <n>', 'maximum number of queries (rows sent to the model)')
    .option('--out <dir>', 'output directory', DEFAULTS.outDir);
  addMethodFlags(c)
    .option('--json', 'print result.json on stdout')
    .option('--quiet', 'no progress or log lines on stderr')
    .action(run);
}

export function parseRecoverFlags(f: RecoverFlags): RecoverCommand {
  const model = parseModelFlags(f, 'recover');
  const method = parseChoice('--method', f.method ?? DEFAULTS.method, methodNames());
  return {
    ...model,
    method,
    methodOptions: parseMethodFlags(f, method, model.access),
    budget: optional(f.budget, (v) => parseInteger('--budget', v, { min: 1 })) ?? null,
    outDir: f.out ?? DEFAULTS.outDir,
    json: f.json ?? false,
    quiet: f.quiet ?? false,
  };
}

/** The contract's result.json object. */
export function resultJson(s: RecoverySummary, inputDim: number): Record<string, unknown> {
  const r = s.result;
  return {
    rank: r.rank,
    inputDim,
    queries: s.queries,
    method: r.method,
    access: formatAccess(s.access),
    complete: s.complete,
    singularValues: Array.from(r.singularValues),
    certificate: s.certificate,
    seconds: round(s.seconds, 3),
    stopReason: r.stopReason,
    rankGapRatio: Number.isFinite(r.rankGapRatio) ? r.rankGapRatio : null,
    secondsInOracle: round(s.secondsInOracle, 3),
    overheadShare: s.seconds > 0 ? round(1 - s.secondsInOracle / s.seconds, 4) : 0,
    details: r.details,
  };
}

export async function runRecover(cmd: RecoverCommand): Promise<number> {
  await prepareOutDir(cmd.outDir, RECOVER_OUTPUTS);
  return stoppable((signal) => recoverInto(cmd, signal));
}

/** Recover and write the results; `signal` stops the queries (partial results are written). */
async function recoverInto(cmd: RecoverCommand, signal: AbortSignal): Promise<number> {
  const reporter = makeReporter(cmd.quiet);
  const model = await openModel(cmd.model, openOptions(cmd));
  try {
    if (cmd.inputDim !== undefined && cmd.inputDim !== model.inputDim) {
      throw new UserError(`--input-dim ${cmd.inputDim}: the model takes ${model.inputDim} inputs`);
    }
    const summary = await recoverSpan(
      new InterruptibleOracle(model, signal),
      {
        method: cmd.method,
        methodOptions: cmd.methodOptions,
        access: cmd.access,
        budget: cmd.budget,
        seed: cmd.seed,
      },
      reporter.onProgress,
    );
    reporter.stop();
    const json = resultJson(summary, model.inputDim);
    await writeNpy(join(cmd.outDir, 'basis.npy'), summary.result.basis);
    await writeResultFile(join(cmd.outDir, 'result.json'), JSON.stringify(json, null, 2) + '\n');
    if (cmd.json) process.stdout.write(JSON.stringify(json) + '\n');
    const failure = summary.result.failure;
    if (failure !== undefined) {
      throw new UserError(
        `${failure.message} (partial results from ${summary.queries} queries written to ${cmd.outDir})`,
        failure instanceof UserError ? failure.exitCode : EXIT_FAILURE,
      );
    }
    reporter.log(
      `rank ${summary.result.rank} of n=${model.inputDim} from ${summary.queries} queries ` +
        `(${summary.result.stopReason}; certificate: ${summary.certificate.verdict}); ` +
        `wrote ${join(cmd.outDir, 'basis.npy')} and result.json`,
    );
    return summary.budgetSpent ? EXIT_BUDGET : EXIT_OK;
  } finally {
    reporter.stop();
    await model.dispose();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
