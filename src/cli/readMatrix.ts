import { UserError } from '../errors.js';
import { readNpyMatrix } from '../io/npy.js';
import type { Matrix } from '../linalg/matrix.js';

/** Read a `.npy` matrix given on the command line; NaN or infinite entries are bad input. */
export async function readFiniteMatrix(path: string): Promise<Matrix> {
  const m = await readNpyMatrix(path);
  const bad = m.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const i = Math.floor(bad / m.cols);
    throw new UserError(`${path}: entry (${i}, ${bad - i * m.cols}) is ${m.data[bad]}`);
  }
  return m;
}
