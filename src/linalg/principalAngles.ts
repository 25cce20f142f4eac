/**
 * Principal angles between row spans — the project's accuracy measure (docs/METHOD.md, "Principal angles").
 *
 * Cosines alone (singular values of Q_A·Q_Bᵀ) cannot resolve small angles: cos θ = 1 − θ²/2
 * rounds to 1 for θ below ~1e-8, so a recovered subspace off by 1e-9 would read as exact.
 * We follow Björck–Golub and Knyazev–Argentati (SIAM J. Sci. Comput. 23, 2002): sines come from
 * the singular values of the part of one basis orthogonal to the other, `Q_S − (Q_S Q_Lᵀ) Q_L`,
 * which is computed with absolute error ~ε and therefore gives small angles to good *relative*
 * accuracy; cosines resolve angles near π/2. Pairing the i-th largest cosine with the i-th
 * smallest sine and taking `atan2(sin, cos)` uses whichever is better conditioned.
 */
import { type Matrix, matmul, matmulTransB, zeros } from './matrix.js';
import { orthonormalRows } from './orthonormal.js';
import { singularValues } from './svd.js';

/**
 * Principal angles between the row spans of `a` and `b`.
 *
 * The inputs need not be orthonormal: each is first reduced to an orthonormal basis of its
 * numerical row span ({@link orthonormalRows}, tolerance `max(rows, cols)·ε·s₀`), and that
 * rank is its dimension.
 *
 * @param a - `rA × n`, finite entries.
 * @param b - `rB × n`, finite entries.
 * @returns `min(dimA, dimB)` angles in radians, ascending, each in `[0, π/2]`.
 * @throws Error if the column counts differ or an entry is not finite.
 */
export function principalAngles(a: Matrix, b: Matrix): Float64Array {
  return anglesBetweenBases(...orthonormalPair(a, b));
}

/** The summary that `spanrec compare` prints (docs/REFERENCE.md, "spanrec compare"). */
export interface SubspaceComparison {
  /** Numerical rank of the first matrix (dimension of its row span). */
  readonly dimA: number;
  /** Numerical rank of the second matrix. */
  readonly dimB: number;
  /** Largest principal angle over the `min(dimA, dimB)` pairs, radians. */
  readonly maxAngle: number;
  /** Mean principal angle over the `min(dimA, dimB)` pairs, radians. */
  readonly meanAngle: number;
  /** `‖P_A − P_B‖₂`: `sin(maxAngle)` when the dimensions agree, 1 when they differ. */
  readonly projectionDistance: number;
}

/**
 * Compares the row spans of `a` and `b` by their principal angles.
 *
 * When one span is `{0}` and the other is not, there are no angle pairs; we then report
 * `maxAngle = meanAngle = π/2` (the zero subspace is as far as can be, consistent with
 * `projectionDistance = 1 = sin(π/2)`) rather than a vacuous 0 that would read as a perfect
 * match. Two zero spans compare as identical (all zeros).
 *
 * @param a - `rA × n`, finite entries (need not be orthonormal).
 * @param b - `rB × n`, finite entries.
 * @returns dimensions, largest and mean angle, and the projection distance.
 * @throws Error if the column counts differ or an entry is not finite.
 */
export function compareSubspaces(a: Matrix, b: Matrix): SubspaceComparison {
  const [qa, qb] = orthonormalPair(a, b);
  const dimA = qa.rows;
  const dimB = qb.rows;
  if (dimA === 0 || dimB === 0) {
    const same = dimA === dimB;
    const angle = same ? 0 : Math.PI / 2;
    return { dimA, dimB, maxAngle: angle, meanAngle: angle, projectionDistance: same ? 0 : 1 };
  }
  const angles = anglesBetweenBases(qa, qb);
  const maxAngle = angles[angles.length - 1];
  let sum = 0;
  for (const t of angles) sum += t;
  // For equal dimensions ‖P_A − P_B‖₂ = sin θ_max. For unequal ones the larger span contains a
  // unit vector orthogonal to the smaller, on which P_A − P_B acts as ±identity, so the norm is 1.
  const projectionDistance = dimA === dimB ? Math.sin(maxAngle) : 1;
  return { dimA, dimB, maxAngle, meanAngle: sum / angles.length, projectionDistance };
}

function orthonormalPair(a: Matrix, b: Matrix): [Matrix, Matrix] {
  if (a.cols !== b.cols) {
    throw new Error(
      `principal angles: matrices must have equal column counts, got ${a.rows}x${a.cols} and ${b.rows}x${b.cols}`,
    );
  }
  return [orthonormalRows(a), orthonormalRows(b)];
}

/** Angles between the spans of two bases with orthonormal rows, ascending. */
function anglesBetweenBases(qa: Matrix, qb: Matrix): Float64Array {
  // S is the smaller basis: the angles are indexed by its dimension.
  const [qs, ql] = qa.rows <= qb.rows ? [qa, qb] : [qb, qa];
  const p = qs.rows;
  if (p === 0) return new Float64Array(0);

  const coupling = matmulTransB(qs, ql); // p × dL, singular values = cos θ
  const cosines = singularValues(coupling); // descending ↔ angles ascending

  // Residual of QS after removing its QL components, twice: the second pass removes what
  // rounding left of the QL components in the first, so the residual's singular values are
  // the sines to absolute accuracy ~ε.
  let residual = subtractProjection(qs, ql);
  residual = subtractProjection(residual, ql);
  const sines = singularValues(residual); // descending ↔ angles descending

  const angles = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const c = Math.min(cosines[i], 1);
    const s = Math.min(sines[p - 1 - i], 1);
    angles[i] = Math.atan2(s, c);
  }
  // Rounding can swap neighbours of a cluster; principalAngles documents ascending order.
  return angles.sort();
}

/** X − (X·Qᵀ)·Q for a basis Q with orthonormal rows. */
function subtractProjection(x: Matrix, q: Matrix): Matrix {
  const coeffs = matmulTransB(x, q);
  const inSpan = matmul(coeffs, q);
  const out = zeros(x.rows, x.cols);
  for (let t = 0; t < out.data.length; t++) out.data[t] = x.data[t] - inSpan.data[t];
  return out;
}
