/**
 * Orthonormal bases of row spans, projections onto their orthogonal complements, and random
 * orthonormal frames. A "basis" here is always a row-major Matrix whose rows are orthonormal.
 */
import { type Matrix, dot, zeros } from './matrix.js';
import type { Rng } from '../random/rng.js';
import { svdRight } from './svd.js';

/**
 * The default relative rank tolerance of a `rows × cols` matrix: singular values at or below
 * `max(rows, cols)·ε·s₀` are treated as zero. A backward-stable SVD perturbs every singular
 * value by up to about that much, so anything smaller is indistinguishable from rounding
 * (the same rule as LAPACK's, NumPy's `matrix_rank` and ml-matrix's `rank`).
 *
 * @returns the tolerance relative to the largest singular value `s₀`.
 */
export function defaultRankTolerance(rows: number, cols: number): number {
  return Math.max(rows, cols) * Number.EPSILON;
}

/**
 * An orthonormal basis of the row span of `m`: the right singular vectors whose singular
 * values exceed `relTol·s₀`, followed by one modified Gram–Schmidt pass that brings their
 * orthogonality from the SVD's ~1e-14 (128×1536) down to rounding level, which tiny principal
 * angles need. The pass changes no span beyond rounding.
 *
 * @param m - any matrix (`rows × n`) with finite entries.
 * @param relTol - rank tolerance relative to the largest singular value; default
 *   {@link defaultRankTolerance}`(rows, cols)`.
 * @returns an `r × n` matrix with orthonormal rows, `r` the numerical rank (0 for a zero matrix).
 * @throws Error if `relTol` is negative or not finite, or `m` has a non-finite entry.
 */
export function orthonormalRows(m: Matrix, relTol?: number): Matrix {
  const tol = relTol ?? defaultRankTolerance(m.rows, m.cols);
  if (!(tol >= 0) || !Number.isFinite(tol)) {
    throw new Error(`orthonormalRows: relTol must be finite and >= 0, got ${tol}`);
  }
  const { s, vt } = svdRight(m);
  if (s.length === 0 || s[0] === 0) return zeros(0, m.cols);
  let rank = 0;
  while (rank < s.length && s[rank] > tol * s[0]) rank++;
  const basis: Matrix = { rows: rank, cols: m.cols, data: vt.data.slice(0, rank * m.cols) };
  reorthonormalize(basis);
  return basis;
}

/**
 * One modified Gram–Schmidt pass over the rows of a nearly orthonormal matrix, in place.
 * For rows that are already orthonormal to ~1e-14 a single pass suffices (the loss of
 * orthogonality of MGS is proportional to the input's condition number, here ≈ 1).
 */
function reorthonormalize(b: Matrix): void {
  const n = b.cols;
  for (let i = 0; i < b.rows; i++) {
    const oi = i * n;
    for (let j = 0; j < i; j++) {
      const c = dot(b.data, oi, b.data, j * n, n);
      for (let t = 0; t < n; t++) b.data[oi + t] -= c * b.data[j * n + t];
    }
    const norm = Math.sqrt(dot(b.data, oi, b.data, oi, n));
    for (let t = 0; t < n; t++) b.data[oi + t] /= norm;
  }
}

/**
 * The component of `v` orthogonal to the row span of `basis`: `v − Bᵀ B v`, computed as two
 * Gram–Schmidt passes ("twice is enough", Giraud–Langou–Rozložník) so that the result is
 * orthogonal to the basis to rounding level even when most of `v` lies in the span.
 *
 * @param basis - `k × n` with orthonormal rows.
 * @param v - a vector of length `n` (not modified).
 * @returns a new vector of length `n`.
 * @throws Error if `v.length !== basis.cols`.
 */
export function projectOntoComplement(basis: Matrix, v: Float64Array): Float64Array {
  return projectOntoComplementInPlace(basis, Float64Array.from(v));
}

/**
 * {@link projectOntoComplement} that overwrites `v` (no allocation, for hot loops).
 *
 * @param basis - `k × n` with orthonormal rows.
 * @param v - a vector of length `n`; replaced by its projection.
 * @returns `v` itself.
 * @throws Error if `v.length !== basis.cols`.
 */
export function projectOntoComplementInPlace(basis: Matrix, v: Float64Array): Float64Array {
  const n = basis.cols;
  if (v.length !== n) {
    throw new Error(`projectOntoComplement: vector has length ${v.length}, basis has ${n} columns`);
  }
  const b = basis.data;
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < basis.rows; i++) {
      const oi = i * n;
      const c = dot(b, oi, v, 0, n);
      if (c === 0) continue;
      for (let t = 0; t < n; t++) v[t] -= c * b[oi + t];
    }
  }
  return v;
}

/**
 * A random `rows × cols` matrix with orthonormal rows, distributed uniformly (Haar) on the
 * Stiefel manifold: Gram–Schmidt of i.i.d. Gaussian rows, each orthogonalised twice.
 *
 * @param rows - number of orthonormal rows, `0 ≤ rows ≤ cols`.
 * @param cols - the ambient dimension.
 * @param rng - the seeded generator to draw from.
 * @returns the new basis.
 * @throws Error if `rows` or `cols` is not an integer or `rows > cols`.
 */
export function randomOrthonormal(rows: number, cols: number, rng: Rng): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || rows > cols) {
    throw new Error(`randomOrthonormal: need integers 0 <= rows <= cols, got ${rows} x ${cols}`);
  }
  const q = zeros(rows, cols);
  for (let i = 0; i < rows; i++) {
    const v = q.data.subarray(i * cols, (i + 1) * cols);
    // A Gaussian vector's residual after projecting out i < cols directions has norm about
    // sqrt(cols − i) ≥ 1; one below 1e-6 has probability ~1e-6^(cols−i): redraw then.
    let norm = 0;
    while (norm < 1e-6) {
      for (let t = 0; t < cols; t++) v[t] = rng.gaussian();
      projectOntoComplementInPlace({ rows: i, cols, data: q.data }, v); // rows 0..i-1 only
      norm = Math.sqrt(dot(v, 0, v, 0, cols));
    }
    for (let t = 0; t < cols; t++) v[t] /= norm;
  }
  return q;
}

/**
 * Gram–Schmidt of the rows of a full-rank matrix, each row orthogonalised twice against the
 * ones before it: an orthonormal basis of the same row span in O(rows²·cols), without an SVD.
 * For a basis built row by row from independent vectors (the adaptive method's echelon rows).
 *
 * @throws Error if a row is (numerically) dependent on the rows before it.
 */
export function gramSchmidtRows(m: Matrix): Matrix {
  const q = zeros(m.rows, m.cols);
  const n = m.cols;
  for (let i = 0; i < m.rows; i++) {
    const v = q.data.subarray(i * n, (i + 1) * n);
    v.set(m.data.subarray(i * n, (i + 1) * n));
    const before = Math.sqrt(dot(v, 0, v, 0, n));
    projectOntoComplementInPlace({ rows: i, cols: n, data: q.data }, v);
    const norm = Math.sqrt(dot(v, 0, v, 0, n));
    if (!(norm > 1e-12 * before)) throw new Error(`gramSchmidtRows: row ${i} is dependent`);
    for (let t = 0; t < n; t++) v[t] /= norm;
  }
  return q;
}
