import { readFiniteMatrix } from './readMatrix.js';
import { UserError } from '../errors.js';
import { compareSubspaces } from '../linalg/principalAngles.js';

export interface CompareCommand {
  readonly a: string;
  readonly b: string;
  readonly json: boolean;
}

/** `spanrec compare A.npy B.npy`: principal angles between the two row spans. */
export async function runCompare(cmd: CompareCommand): Promise<number> {
  const a = await readFiniteMatrix(cmd.a);
  const b = await readFiniteMatrix(cmd.b);
  if (a.cols !== b.cols) {
    throw new UserError(
      `compare: ${cmd.a} has ${a.cols} columns but ${cmd.b} has ${b.cols}; both must be rows × n`,
    );
  }
  const c = compareSubspaces(a, b);
  if (cmd.json) {
    process.stdout.write(JSON.stringify(c) + '\n');
  } else {
    process.stdout.write(
      `dimA ${c.dimA}  dimB ${c.dimB}  maxAngle ${c.maxAngle.toExponential(3)} rad  ` +
        `meanAngle ${c.meanAngle.toExponential(3)} rad  projectionDistance ${c.projectionDistance.toExponential(3)}\n`,
    );
  }
  return 0;
}
