import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT_BUDGET, EXIT_FAILURE, EXIT_OK, UserError } from '../errors.js';
import { writeNpy } from '../io/npy.js';
import type { QueryJournal } from '../io/queryJournal.js';
import { formatAccess } from '../oracle/access.js';
import { DEFAULT_MAX_CONCURRENT } from '../oracle/httpOracle.js';
import { InterruptibleOracle } from '../oracle/interruptibleOracle.js';
import { JournalOracle } from '../oracle/journalOracle.js';
import { openModel } from '../oracle/spec.js';
import { recoverSpan, type RecoverySummary } from '../recover/recoverSpan.js';
import type { Certificate } from '../recover/certificate.js';
import type { RecoveryResult, StopReason } from '../recover/result.js';
import { methodNames } from '../recover/registry.js';
import { DEFAULTS } from './defaults.js';
import { stoppable } from './interrupt.js';
import {
  addMethodFlags,
  methodInputsFor,
  parseMethodFlags,
  readMethodInputs,
} from './methodFlags.js';
import {
  addModelFlags,
  openOptions,
  parseModelFlags,
  type ModelFlags,
  type RawModelFlags,
} from './modelFlags.js';
import { optional, parseChoice, parseInteger } from './parse.js';
import { prepareOutDir, writeResultFile } from './outDir.js';
import { CostEstimate } from './costEstimate.js';
import { makeReporter } from './progress.js';
import { openRunJournal } from './runJournal.js';

/** The files `recover` writes into its `--out` folder. */
const RECOVER_OUTPUTS = ['basis.npy', 'result.json'] as const;

/** `spanrec recover` after validation: plain data. */
export interface RecoverCommand extends ModelFlags {
  readonly method: string;
  readonly methodOptions: Readonly<Record<string, number>>;
  /** Files of the method's inputs options by key (`--seeds X.npy`). */
  readonly methodInputFiles: Readonly<Record<string, string>>;
  readonly budget: number | null;
  readonly outDir: string;
  /** Continue the interrupted run whose journal is in `outDir`. */
  readonly resume: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Raw flag values as commander hands them over (method options by key). */
export interface RecoverFlags extends RawModelFlags {
  method?: string;
  budget?: string;
  out?: string;
  resume?: string;
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
    .option('--out <dir>', 'output directory', DEFAULTS.outDir)
    .option(
      '--resume <dir>',
      'continue the interrupted run in DIR (same flags), paying no query twice',
    );
  addMethodFlags(c)
    .option('--json', 'print result.json on stdout')
    .option('--quiet', 'no progress or log lines on stderr')
    .action(run);
}

export function parseRecoverFlags(f: RecoverFlags): RecoverCommand {
  const model = parseModelFlags(f, 'recover');
  if (
    f.resume !== undefined &&
    f.out !== undefined &&
    f.out !== DEFAULTS.outDir &&
    f.out !== f.resume
  ) {
    throw new UserError('--resume DIR writes to DIR: give no other --out');
  }
  const method = parseChoice('--method', f.method ?? DEFAULTS.method, methodNames());
  const methodFlags = parseMethodFlags(f, method, model.access);
  return {
    ...model,
    method,
    methodOptions: methodFlags.options,
    methodInputFiles: methodFlags.inputFiles,
    budget: optional(f.budget, (v) => parseInteger('--budget', v, { min: 1 })) ?? null,
    outDir: f.resume ?? f.out ?? DEFAULTS.outDir,
    resume: f.resume !== undefined,
    json: f.json ?? false,
    quiet: f.quiet ?? false,
  };
}

/** The result.json object (docs/REFERENCE.md, "result.json"). */
export interface ResultJson {
  readonly rank: number;
  readonly inputDim: number;
  readonly queries: number;
  readonly method: string;
  readonly access: string;
  readonly complete: boolean;
  readonly singularValues: number[];
  readonly certificate: Certificate;
  readonly seconds: number;
  readonly stopReason: StopReason;
  readonly rankGapRatio: number | null;
  readonly suspectDirections: number;
  readonly continuations: number;
  readonly secondsInOracle: number;
  readonly overheadShare: number;
  readonly details: RecoveryResult['details'];
}

export function resultJson(s: RecoverySummary, inputDim: number): ResultJson {
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
    suspectDirections: r.suspectDirections ?? 0,
    continuations: s.continuations,
    secondsInOracle: round(s.secondsInOracle, 3),
    overheadShare: s.seconds > 0 ? round(1 - s.secondsInOracle / s.seconds, 4) : 0,
    details: r.details,
  };
}

export async function runRecover(cmd: RecoverCommand): Promise<number> {
  await prepareOutDir(cmd.outDir, RECOVER_OUTPUTS);
  const journal = await openRunJournal(cmd.outDir, runIdentity(cmd), cmd.resume, cmd.budget);
  try {
    return await stoppable((signal) => recoverInto(cmd, journal, signal));
  } finally {
    // Over, however it ended: a new run may replace this journal (--resume still reuses it).
    // Only a crash or kill -9 leaves it unfinished, and then a new run refuses to discard it.
    journal.setMeta('finished', 'true');
    journal.close();
  }
}

/** What must not change between a run and its resumption: all but the budget and outputs. */
function runIdentity(cmd: RecoverCommand): string {
  const { model, method, methodOptions, access, seed, inputDim, inputName, outputName } = cmd;
  const files = cmd.methodInputFiles;
  return JSON.stringify({
    model,
    method,
    methodOptions,
    // Only when given, so that the journals of runs without them keep their identity.
    ...(Object.keys(files).length > 0 ? { methodInputFiles: files } : {}),
    access,
    seed,
    inputDim,
    inputName,
    outputName,
    precision: cmd.precision,
  });
}

/** Recover and write the results; `signal` stops the queries (partial results are written). */
async function recoverInto(
  cmd: RecoverCommand,
  journal: QueryJournal,
  signal: AbortSignal,
): Promise<number> {
  const reporter = makeReporter(cmd.quiet);
  // Read before the model is opened: a bad file costs no query.
  const inputSets = await readMethodInputs(cmd.methodInputFiles);
  const model = await openModel(cmd.model, openOptions(cmd));
  const concurrency = cmd.model.kind === 'http' ? DEFAULT_MAX_CONCURRENT : 1;
  const journaled = new JournalOracle(model, journal, concurrency);
  try {
    if (cmd.inputDim !== undefined && cmd.inputDim !== model.inputDim) {
      throw new UserError(`--input-dim ${cmd.inputDim}: the model takes ${model.inputDim} inputs`);
    }
    const inputs = methodInputsFor(inputSets, cmd.methodInputFiles, model.inputDim);
    const estimate = new CostEstimate(model.inputDim);
    const summary = await recoverSpan(
      new InterruptibleOracle(journaled, signal),
      {
        method: cmd.method,
        methodOptions: { ...cmd.methodOptions, ...inputs },
        access: cmd.access,
        budget: cmd.budget,
        seed: cmd.seed,
      },
      (e) => {
        const line = estimate.update(e);
        if (line !== null) reporter.log(line);
        reporter.onProgress(e);
      },
    );
    reporter.stop();
    // Queries paid in earlier runs whose answers this run did not need still count.
    const paid = { ...summary, queries: summary.queries + journaled.unreplayedRows };
    const json = resultJson(paid, model.inputDim);
    await writeNpy(join(cmd.outDir, 'basis.npy'), summary.result.basis);
    await writeResultFile(join(cmd.outDir, 'result.json'), JSON.stringify(json, null, 2) + '\n');
    if (cmd.json) process.stdout.write(JSON.stringify(json) + '\n');
    const failure = summary.result.failure;
    if (failure !== undefined) {
      throw new UserError(
        `${failure.message} (partial results from ${paid.queries} queries written to ${cmd.outDir})`,
        failure instanceof UserError ? failure.exitCode : EXIT_FAILURE,
      );
    }
    reporter.log(
      `rank ${summary.result.rank} of n=${model.inputDim} from ${paid.queries} queries ` +
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
