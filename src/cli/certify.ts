import { readFiniteMatrix } from './readMatrix.js';
import { UserError } from '../errors.js';
import { isRealValued, parseAccess, type AccessLevel } from '../oracle/access.js';
import type { Precision } from '../oracle/oracle.js';
import { openModel, parseModelSpec, type ModelSpec } from '../oracle/spec.js';
import { buildOracleStack } from '../oracle/stack.js';
import { Rng } from '../random/rng.js';
import { certify } from '../recover/certificate.js';
import { orthonormalRows } from '../linalg/orthonormal.js';
import { optional, parseChoice, parseInteger } from './parse.js';

/** More moves than this add no evidence worth their queries (and would not fit in memory). */
export const MAX_MOVES = 10000;

export interface CertifyCommand {
  readonly model: ModelSpec;
  readonly basis: string;
  readonly access: AccessLevel;
  readonly moves: number;
  readonly seed: number;
  readonly inputDim?: number;
  readonly inputName?: string;
  readonly outputName?: string;
  readonly precision?: Precision;
  readonly json: boolean;
}

export interface CertifyFlags {
  model?: string;
  basis?: string;
  access?: string;
  moves?: string;
  seed?: string;
  inputDim?: string;
  input?: string;
  output?: string;
  precision?: string;
  json?: boolean;
}

export function parseCertifyFlags(f: CertifyFlags): CertifyCommand {
  if (f.model === undefined || f.basis === undefined) {
    throw new UserError('certify needs --model SPEC and --basis B.npy');
  }
  return {
    model: parseModelSpec(f.model),
    basis: f.basis,
    access: parseAccess(f.access ?? 'scores'),
    moves: parseInteger('--moves', f.moves ?? '8', { min: 1, max: MAX_MOVES }),
    seed: parseInteger('--seed', f.seed ?? '1', { min: 0, max: 2 ** 32 - 1 }),
    inputDim: optional(f.inputDim, (v) => parseInteger('--input-dim', v, { min: 1 })),
    inputName: f.input,
    outputName: f.output,
    precision: optional(f.precision, (v) => parseChoice('--precision', v, ['f32', 'f64'] as const)),
    json: f.json ?? false,
  };
}

/** `spanrec certify`: is the basis's span complete for the model? No ground truth needed. */
export async function runCertify(cmd: CertifyCommand): Promise<number> {
  const basisRows = await readFiniteMatrix(cmd.basis);
  const model = await openModel(cmd.model, {
    inputDim: cmd.inputDim ?? basisRows.cols,
    inputName: cmd.inputName,
    outputName: cmd.outputName,
    precision: cmd.precision,
  });
  try {
    if (basisRows.cols !== model.inputDim) {
      throw new UserError(
        `certify: ${cmd.basis} has ${basisRows.cols} columns but the model takes ${model.inputDim} inputs`,
      );
    }
    const stack = buildOracleStack(model, cmd.access, null);
    const c = await certify(stack.oracle, orthonormalRows(basisRows), new Rng(cmd.seed), {
      moves: cmd.moves,
      decisions: !isRealValued(cmd.access),
    });
    const json = { ...c, queries: stack.counter.queries };
    if (cmd.json) process.stdout.write(JSON.stringify(json) + '\n');
    else
      process.stdout.write(
        `${c.verdict}: ${c.reason}; largest change ${fmt(c.maxChange)} ` +
          `(relative ${fmt(c.relativeChange)}) over ${c.moves} moves, ${stack.counter.queries} queries\n`,
      );
    return 0;
  } finally {
    await model.dispose();
  }
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : x.toExponential(3);
}
