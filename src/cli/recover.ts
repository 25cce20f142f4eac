import { join } from 'node:path';
import { EXIT_BUDGET, EXIT_FAILURE, EXIT_OK, UserError } from '../errors.js';
import { writeNpy } from '../io/npy.js';
import { formatAccess, parseAccess, type AccessLevel } from '../oracle/access.js';
import type { Precision } from '../oracle/oracle.js';
import { openModel, parseModelSpec, type ModelSpec } from '../oracle/spec.js';
import {
  METHODS,
  recoverSpan,
  type MethodName,
  type RecoverySummary,
} from '../recover/recoverSpan.js';
import { optional, parseChoice, parseInteger, parsePositiveNumber } from './parse.js';
import { prepareOutDir, writeResultFile } from './outDir.js';
import { makeReporter } from './progress.js';

/** `spanrec recover` after validation: plain data. */
export interface RecoverCommand {
  readonly model: ModelSpec;
  readonly access: AccessLevel;
  readonly method: MethodName;
  readonly budget: number | null;
  readonly seed: number;
  readonly outDir: string;
  readonly inputDim?: number;
  readonly inputName?: string;
  readonly outputName?: string;
  readonly precision?: Precision;
  readonly step?: number;
  readonly points?: number;
  readonly checks?: number;
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Raw flag values as commander hands them over. */
export interface RecoverFlags {
  model?: string;
  access?: string;
  method?: string;
  budget?: string;
  seed?: string;
  out?: string;
  inputDim?: string;
  input?: string;
  output?: string;
  precision?: string;
  step?: string;
  points?: string;
  checks?: string;
  json?: boolean;
  quiet?: boolean;
}

export const DEFAULT_OUT_DIR = 'spanrec-out';

export function parseRecoverFlags(f: RecoverFlags): RecoverCommand {
  if (f.model === undefined) throw new UserError('recover needs --model SPEC');
  return {
    model: parseModelSpec(f.model),
    access: parseAccess(f.access ?? 'scores'),
    method: parseChoice('--method', f.method ?? 'auto', METHODS),
    budget: optional(f.budget, (v) => parseInteger('--budget', v, { min: 1 })) ?? null,
    seed: optional(f.seed, (v) => parseInteger('--seed', v, { min: 0, max: 2 ** 32 - 1 })) ?? 1,
    outDir: f.out ?? DEFAULT_OUT_DIR,
    inputDim: optional(f.inputDim, (v) => parseInteger('--input-dim', v, { min: 1 })),
    inputName: f.input,
    outputName: f.output,
    precision: optional(f.precision, (v) => parseChoice('--precision', v, ['f32', 'f64'] as const)),
    step: optional(f.step, (v) => parsePositiveNumber('--step', v)),
    points: optional(f.points, (v) => parseInteger('--points', v, { min: 1 })),
    checks: optional(f.checks, (v) => parseInteger('--checks', v, { min: 0, max: 16 })),
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
  await prepareOutDir(cmd.outDir);
  const reporter = makeReporter(cmd.quiet);
  const model = await openModel(cmd.model, {
    inputDim: cmd.inputDim,
    inputName: cmd.inputName,
    outputName: cmd.outputName,
    precision: cmd.precision,
  });
  try {
    if (cmd.inputDim !== undefined && cmd.inputDim !== model.inputDim) {
      throw new UserError(`--input-dim ${cmd.inputDim}: the model takes ${model.inputDim} inputs`);
    }
    const summary = await recoverSpan(
      model,
      {
        method: cmd.method,
        access: cmd.access,
        budget: cmd.budget,
        seed: cmd.seed,
        gradient: { step: cmd.step, points: cmd.points, checks: cmd.checks },
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
