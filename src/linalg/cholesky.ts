import type { Matrix } from './matrix.js';

/**
 * Cholesky factor of a symmetric positive definite `k × k` matrix (lower triangle, row-major),
 * for the small information matrices of the adaptive method's refinement (k ≤ a few hundred:
 * O(k³/3) is negligible there). Returns null when the matrix is not numerically positive
 * definite.
 */
export function cholesky(a: Matrix): Float64Array | null {
  const k = a.rows;
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a.data[i * k + j];
      for (let p = 0; p < j; p++) s -= l[i * k + p] * l[j * k + p];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * k + i] = Math.sqrt(s);
      } else {
        l[i * k + j] = s / l[j * k + j];
      }
    }
  }
  return l;
}

/** Solve `L Lᵀ x = b` in place for a factor from {@link cholesky}. */
export function choleskySolve(l: Float64Array, k: number, b: Float64Array): Float64Array {
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= l[i * k + p] * b[p];
    b[i] = s / l[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i];
    for (let p = i + 1; p < k; p++) s -= l[p * k + i] * b[p];
    b[i] = s / l[i * k + i];
  }
  return b;
}

/** Trace of `(L Lᵀ)⁻¹`, column by column: O(k³). */
export function inverseTrace(l: Float64Array, k: number): number {
  let trace = 0;
  const e = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    e.fill(0);
    e[i] = 1;
    trace += choleskySolve(l, k, e)[i];
  }
  return trace;
}
