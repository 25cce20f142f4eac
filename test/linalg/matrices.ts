import { matmulTransB, zeros, type Matrix } from '../../src/linalg/matrix.js';
import type { Rng } from '../../src/random/rng.js';

/** A `rows × cols` matrix of independent standard normals. */
export function gaussian(rows: number, cols: number, rng: Rng): Matrix {
  const m = zeros(rows, cols);
  for (let t = 0; t < m.data.length; t++) m.data[t] = rng.gaussian();
  return m;
}

/** max |Q Qᵀ − I| for a matrix whose rows should be orthonormal. */
export function orthonormalityError(q: Matrix): number {
  const g = matmulTransB(q, q);
  let d = 0;
  for (let i = 0; i < g.rows; i++) {
    for (let j = 0; j < g.cols; j++) {
      d = Math.max(d, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)));
    }
  }
  return d;
}
