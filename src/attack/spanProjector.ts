/**
 * The orthogonal projector P onto the row span of an orthonormal basis Q (`r × n`), applied
 * as `P v = Qᵀ(Q v)`: O(r·n) per vector, never the n × n matrix.
 */
import { dot, type Matrix } from '../linalg/matrix.js';

/** `Q v`: the coordinates of `v` in the basis (length r). */
export function spanCoordinates(q: Matrix, v: Float64Array): Float64Array {
  const c = new Float64Array(q.rows);
  for (let i = 0; i < q.rows; i++) c[i] = dot(q.data, i * q.cols, v, 0, q.cols);
  return c;
}

/** `out += Qᵀ c`, in place; returns `out`. */
export function addSpanCombination(q: Matrix, c: Float64Array, out: Float64Array): Float64Array {
  const n = q.cols;
  for (let i = 0; i < q.rows; i++) {
    const ci = c[i];
    if (ci === 0) continue;
    for (let t = 0; t < n; t++) out[t] += ci * q.data[i * n + t];
  }
  return out;
}

/** `P v = Qᵀ(Q v)`, a new vector. */
export function projectOntoSpan(q: Matrix, v: Float64Array): Float64Array {
  return addSpanCombination(q, spanCoordinates(q, v), new Float64Array(q.cols));
}
