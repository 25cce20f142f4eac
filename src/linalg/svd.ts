/**
 * Thin singular value decomposition of a row-major {@link Matrix}, through ml-matrix's
 * Golub–Kahan (JAMA) implementation.
 *
 * Two behaviours of ml-matrix 6.15 decide the shape of this wrapper:
 * - Without `autoTranspose`, a wide input (rows < cols) yields `min(rows + 1, cols)` singular
 *   values and a right factor that is not orthogonal (measured: ‖VᵀV − I‖ = 0.72 on a 5×8
 *   input). With `autoTranspose` it decomposes the transpose (tall) and swaps the factors,
 *   which is correct (reconstruction and orthogonality ~1e-15 on small inputs, ~3e-14 on
 *   128×1536). We therefore always pass `autoTranspose: true`.
 * - Its iteration never terminates cleanly on NaN/Infinity, so non-finite entries are rejected
 *   up front.
 *
 * Accuracy is the usual backward-stable one: singular values carry an absolute error of a few
 * `max(rows, cols)·ε·s₀`, so values far below that are not resolved relatively. (An SVD through
 * the eigenvalues of A·Aᵀ would lose everything below ~1e-8·s₀; we never do that.)
 */
import { Matrix as MlMatrix, SVD } from 'ml-matrix';
import { type Matrix, zeros } from './matrix.js';

/** A thin SVD `m = u · diag(s) · vt` with `p = min(rows, cols)` singular triplets. */
export interface Svd {
  /** `rows × p`, orthonormal columns (left singular vectors). */
  readonly u: Matrix;
  /** `p` singular values, non-negative and sorted descending. */
  readonly s: Float64Array;
  /** `p × cols`, orthonormal rows (right singular vectors, one per row). */
  readonly vt: Matrix;
}

/** Singular values and right singular vectors only (cheaper when `u` is not needed). */
export interface RightSvd {
  /** `p = min(rows, cols)` singular values, sorted descending. */
  readonly s: Float64Array;
  /** `p × cols`, the right singular vectors as orthonormal rows. */
  readonly vt: Matrix;
}

/**
 * Thin SVD of `m` (any shape, including rows < cols).
 *
 * @param m - the matrix to decompose; every entry must be finite.
 * @returns `u` (`rows × p`), `s` (length `p`, descending) and `vt` (`p × cols`), where
 *   `p = min(rows, cols)`, with `m ≈ u · diag(s) · vt`.
 * @throws Error if an entry is NaN or infinite.
 */
export function svd(m: Matrix): Svd {
  const p = Math.min(m.rows, m.cols);
  if (p === 0) return { u: zeros(m.rows, 0), s: new Float64Array(0), vt: zeros(0, m.cols) };
  const d = decompose(m, true, true);
  return {
    u: fromMl(d.leftSingularVectors, m.rows, p),
    s: Float64Array.from(d.diagonal),
    vt: transposeFromMl(d.rightSingularVectors, m.cols, p),
  };
}

/**
 * Singular values and right singular vectors of `m`, skipping the left factor.
 *
 * @param m - the matrix to decompose; every entry must be finite.
 * @returns `s` (length `min(rows, cols)`, descending) and `vt` (`min(rows, cols) × cols`).
 * @throws Error if an entry is NaN or infinite.
 */
export function svdRight(m: Matrix): RightSvd {
  const p = Math.min(m.rows, m.cols);
  if (p === 0) return { s: new Float64Array(0), vt: zeros(0, m.cols) };
  const d = decompose(m, false, true);
  return {
    s: Float64Array.from(d.diagonal),
    vt: transposeFromMl(d.rightSingularVectors, m.cols, p),
  };
}

/**
 * Singular values of `m` only (about 3× faster than the full SVD on wide inputs).
 *
 * @param m - any matrix with finite entries.
 * @returns `min(rows, cols)` singular values, sorted descending.
 * @throws Error if an entry is NaN or infinite.
 */
export function singularValues(m: Matrix): Float64Array {
  if (Math.min(m.rows, m.cols) === 0) return new Float64Array(0);
  return Float64Array.from(decompose(m, false, false).diagonal);
}

function decompose(m: Matrix, wantU: boolean, wantV: boolean): SVD {
  for (let t = 0; t < m.data.length; t++) {
    if (!Number.isFinite(m.data[t])) {
      const i = Math.floor(t / m.cols);
      throw new Error(`svd: entry (${i}, ${t - i * m.cols}) is ${m.data[t]}, expected finite`);
    }
  }
  const rowViews: Float64Array[] = [];
  for (let i = 0; i < m.rows; i++) rowViews.push(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  const d = new SVD(new MlMatrix(rowViews), {
    computeLeftSingularVectors: wantU,
    computeRightSingularVectors: wantV,
    autoTranspose: true,
  });
  // ml-matrix orders and sign-fixes the values itself; assert it, since everything downstream
  // (rank selection, angle pairing) relies on the order.
  const s = d.diagonal;
  for (let i = 1; i < s.length; i++) {
    if (!(s[i] <= s[i - 1]) || s[i] < 0) throw new Error(`svd: singular values not sorted at ${i}`);
  }
  return d;
}

/** The leading `cols` columns of an ml-matrix as our row-major Matrix. */
function fromMl(a: MlMatrix, rows: number, cols: number): Matrix {
  const out = zeros(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out.data[i * cols + j] = a.get(i, j);
  }
  return out;
}

/** Columns `0..p-1` of an ml-matrix `v` (`n × ≥p`) as the rows of a `p × n` Matrix. */
function transposeFromMl(v: MlMatrix, n: number, p: number): Matrix {
  const out = zeros(p, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) out.data[j * n + i] = v.get(i, j);
  }
  return out;
}
