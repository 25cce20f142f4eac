import { norm2, zeros, type Matrix } from '../linalg/matrix.js';
import { projectOntoComplement } from '../linalg/orthonormal.js';
import { svd } from '../linalg/svd.js';

/**
 * Forward differences share one base value per gradient: every entry of a measured gradient
 * is `(y(x + h e_j) − y(x)) / h`, so the base point's error `δ₀` adds `−δ₀/h` to all n entries
 * — a multiple of the all-ones direction `e = 1/√n`, different for every row. Stacked, these
 * form a rank-one term of norm ≈ σ√(Gn) that grows with n and G: on a float32 ONNX net with
 * n = 784 it stood 5× above the noise plateau as a spurious 129th direction (90 % along e).
 *
 * So the span is read from the rows with their component along e removed (`W = G − a eᵀ`,
 * `a = G e`), where the nuisance cannot appear, and the component along e is restored by least
 * squares: true rows are `w + β(w) e` with β linear on the recovered span, and `a ≈ Z β` with
 * `Z = U S` the rows' coordinates, so `β = S⁻¹ Uᵀ a`. The per-row offsets average out in β
 * instead of adding a direction. For float64 data the result equals the plain SVD's up to
 * rounding.
 */
export interface OffsetFreeSvd {
  /** Singular values of the rows with their e-component removed, descending. */
  readonly s: Float64Array;
  /** Left singular vectors (`R × p`). */
  readonly u: Matrix;
  /** Right singular vectors (`p × n`), orthogonal to e. */
  readonly vt: Matrix;
  /** Each row's component along e. */
  readonly a: Float64Array;
}

export function offsetFreeSvd(g: Matrix): OffsetFreeSvd {
  const n = g.cols;
  const inv = 1 / Math.sqrt(n);
  const a = new Float64Array(g.rows);
  const w = zeros(g.rows, n);
  for (let r = 0; r < g.rows; r++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += g.data[r * n + j];
    a[r] = sum * inv;
    const shift = a[r] * inv;
    for (let j = 0; j < n; j++) w.data[r * n + j] = g.data[r * n + j] - shift;
  }
  const d = svd(w);
  return { s: d.s, u: d.u, vt: d.vt, a };
}

/**
 * Orthonormal basis (`rank × n`) of the span of the first `rank` directions with their
 * e-components restored: rows `v_i + β_i e`, orthonormalised through the small matrix
 * `I + ββᵀ` (the `v_i` are orthonormal and orthogonal to e).
 */
export function restoreOffset(d: OffsetFreeSvd, rank: number): Matrix {
  const n = d.vt.cols;
  const R = d.u.rows;
  const p = d.u.cols;
  const inv = 1 / Math.sqrt(n);
  const beta = new Float64Array(rank);
  for (let i = 0; i < rank; i++) {
    let dot = 0;
    for (let r = 0; r < R; r++) dot += d.u.data[r * p + i] * d.a[r];
    beta[i] = d.s[i] > 0 ? dot / d.s[i] : 0;
  }
  // B = V + β eᵀ has Gram I + ββᵀ; Q = (I + ββᵀ)^(-1/2) B, where
  // (I + ββᵀ)^(-1/2) = I − c ββᵀ with c = (1 − 1/√(1 + ‖β‖²)) / ‖β‖².
  let b2 = 0;
  for (let i = 0; i < rank; i++) b2 += beta[i] * beta[i];
  const c = b2 > 0 ? (1 - 1 / Math.sqrt(1 + b2)) / b2 : 0;
  // Q = B − c β (βᵀ B), with βᵀB = βᵀV + ‖β‖² eᵀ
  const btb = new Float64Array(n);
  for (let i = 0; i < rank; i++) {
    for (let j = 0; j < n; j++) btb[j] += beta[i] * d.vt.data[i * n + j];
  }
  for (let j = 0; j < n; j++) btb[j] += b2 * inv;
  const q = zeros(rank, n);
  for (let i = 0; i < rank; i++) {
    for (let j = 0; j < n; j++) {
      q.data[i * n + j] = d.vt.data[i * n + j] + beta[i] * inv - c * beta[i] * btb[j];
    }
  }
  return q;
}

/**
 * Whether the rows' e-components are explained by the first `rank` directions: when the
 * residual of `a` off them exceeds the noise, the span also contains a direction that the
 * removal of e hid (the span is all of R^n, or e itself lies in it).
 */
export function offsetResidualNorm(d: OffsetFreeSvd, rank: number): number {
  const R = d.u.rows;
  const p = d.u.cols;
  const res = Float64Array.from(d.a);
  for (let i = 0; i < rank; i++) {
    let dot = 0;
    for (let r = 0; r < R; r++) dot += d.u.data[r * p + i] * d.a[r];
    for (let r = 0; r < R; r++) res[r] -= dot * d.u.data[r * p + i];
  }
  let s = 0;
  for (let r = 0; r < R; r++) s += res[r] * res[r];
  return Math.sqrt(s);
}

/** How far the rows' unexplained e-components must exceed their noise to count as a direction. */
export const OFFSET_MARGIN = 3;
/** Relative size of unexplained e-components that float64 rounding alone can leave. */
export const OFFSET_EXACT = 1e-9;

/** `basis` extended by the all-ones direction, orthogonalised against it. */
export function withAllOnesDirection(basis: Matrix): Matrix {
  const n = basis.cols;
  const e = projectOntoComplement(basis, new Float64Array(n).fill(1 / Math.sqrt(n)));
  const norm = norm2(e);
  const out = zeros(basis.rows + 1, n);
  out.data.set(basis.data);
  for (let j = 0; j < n; j++) out.data[basis.rows * n + j] = e[j] / norm;
  return out;
}
