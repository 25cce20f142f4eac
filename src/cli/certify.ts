import type { Command } from 'commander';
import { readFiniteMatrix } from './readMatrix.js';
import { UserError } from '../errors.js';
import { isRealValued } from '../oracle/access.js';
import { openModel } from '../oracle/spec.js';
import { buildOracleStack } from '../oracle/stack.js';
import { Rng } from '../random/rng.js';
import { certify } from '../recover/certificate.js';
import { orthonormalRows } from '../linalg/orthonormal.js';
import { DEFAULTS } from './defaults.js';
import * as modelFlags from './modelFlags.js';
import { parseInteger } from './parse.js';

/** More moves than this add no evidence worth their queries (and would not fit in memory). */
export const MAX_MOVES = 10000;

export interface CertifyCommand extends modelFlags.ModelFlags {
  readonly basis: string;
  readonly moves: number;
  readonly json: boolean;
}

export interface CertifyFlags extends modelFlags.RawModelFlags {
  basis?: string;
  moves?: string;
  json?: boolean;
}

/** Declare `certify` and its flags on the program. */
export function certifyCommand(
  program: Command,
  run: (flags: CertifyFlags) => Promise<void>,
): void {
  modelFlags
    .addModelFlags(
      program
        .command('certify')
        .description('check without ground truth whether a basis spans all the model reads'),
    )
    .option('--basis <file>', 'basis (.npy, rows × n)')
    .option('--moves <n>', 'number of random orthogonal moves', String(DEFAULTS.certifyMoves))
    .option('--json', 'print JSON')
    .action(run);
}

export function parseCertifyFlags(f: CertifyFlags): CertifyCommand {
  if (f.model === undefined || f.basis === undefined) {
    throw new UserError('certify needs --model SPEC and --basis B.npy');
  }
  return {
    ...modelFlags.parseModelFlags(f, 'certify'),
    basis: f.basis,
    moves: parseInteger('--moves', f.moves ?? String(DEFAULTS.certifyMoves), {
      min: 1,
      max: MAX_MOVES,
    }),
    json: f.json ?? false,
  };
}

/** `spanrec certify`: is the basis's span complete for the model? No ground truth needed. */
export async function runCertify(cmd: CertifyCommand): Promise<number> {
  const basisRows = await readFiniteMatrix(cmd.basis);
  const model = await openModel(cmd.model, {
    ...modelFlags.openOptions(cmd),
    inputDim: cmd.inputDim ?? basisRows.cols,
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
