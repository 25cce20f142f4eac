import {
  dot,
  matmul,
  matmulTransB,
  norm2,
  row,
  unit,
  zeros,
  type Matrix,
} from '../linalg/matrix.js';
import { projectOntoComplement } from '../linalg/orthonormal.js';
import type { GradientSample } from './tiltFit.js';

/**
 * A direction of the span that a span estimate misses, read from the pooled normals' parts
 * off it: every normal carries the missing direction with its own coefficient, far above its
 * noise in some of them, so the normals' off-span parts, each in units of its own noise, share
 * one dominant direction, while noise alone spreads evenly over all of them.
 *
 * Why it is needed: a first-layer unit that few boundary points switch on (a ReLU unit active
 * in a small region) shows in few normals; the deflation's run of points without news can end
 * before one of them is measured, and the tilt fit's kink screen then leaves out the very
 * normals that show it (their off-span parts look like kinks). On a float32 n = 1536, k = 128
 * net two runs ended at rank 127: the pooled normals' top direction matched the missing one
 * (cosine 1.000 and 0.998), at 61× and 9.5× the noise edge (6 and 11 normals carried it).
 */

/**
 * Evidence needed, as a multiple of the noise edge √N + √(n − k) (the largest singular value
 * of an N × (n − k) matrix of unit Gaussian noise, Marchenko–Pastur), measured without the
 * normal that carries the direction most: one kinked normal alone never makes a direction, and
 * a noise level misjudged by up to this factor does not either. After the missing directions
 * were added on the runs above the top singular value was 0.05–1.1 of the edge.
 */
export const RESIDUAL_EVIDENCE = 4;

/** Power iterations for the top singular vector (a dominant one converges in a few). */
export const POWER_ITERATIONS = 60;

/** A missing direction and its typical size in the normals (their root mean square along it). */
export interface MissingDirection {
  readonly direction: Float64Array;
  readonly size: number;
}

/**
 * The direction off `basis` (k × n, orthonormal rows) that the samples' off-span parts share
 * beyond their noise ({@link RESIDUAL_EVIDENCE}), as a unit vector orthogonal to the basis;
 * null when there is none.
 */
export function missingDirection(
  basis: Matrix,
  samples: readonly GradientSample[],
): MissingDirection | null {
  const { rows: k, cols: n } = basis;
  const count = samples.length;
  if (count < 2 || k >= n) return null;
  // off-span parts in units of their noise: unit Gaussian entries where there is nothing else
  const w = zeros(count, n);
  samples.forEach((s, i) => {
    const part = projectOntoComplement(basis, s.g);
    const scale = Math.sqrt(s.weight);
    for (let j = 0; j < n; j++) w.data[i * n + j] = scale * part[j];
  });
  const v = topRightSingular(w);
  if (v === null) return null;
  const along = multiply(w, v);
  let total = 0;
  let largest = 0;
  for (const p of along) {
    total += p * p;
    largest = Math.max(largest, p * p);
  }
  const edge = Math.sqrt(count) + Math.sqrt(n - k);
  if (!(total - largest > (RESIDUAL_EVIDENCE * edge) ** 2)) return null;
  // the direction is orthogonal to the basis up to rounding: made exactly so
  const direction = unit(projectOntoComplement(basis, v));
  let size2 = 0;
  for (const s of samples) size2 += dot(s.g, 0, direction, 0, n) ** 2;
  return { direction, size: Math.sqrt(size2 / count) };
}

/** Top right singular vector of `w` by power iteration from its largest row; null if w = 0. */
function topRightSingular(w: Matrix): Float64Array | null {
  const { rows, cols: n } = w;
  let best = -1;
  let bestNorm = 0;
  for (let i = 0; i < rows; i++) {
    const s = norm2(row(w, i));
    if (s > bestNorm) [best, bestNorm] = [i, s];
  }
  if (best < 0) return null;
  // a copy: the row itself stays part of w
  let v = unit(row(w, best).slice());
  for (let it = 0; it < POWER_ITERATIONS; it++) {
    // Wᵀ(W v), as a row vector: (v Wᵀ) W
    const next = matmul(asRow(multiply(w, v)), w).data;
    if (!(norm2(next) > 0)) return null;
    unit(next);
    let change = 0;
    for (let j = 0; j < n; j++) change += (next[j] - v[j]) ** 2;
    v = next;
    if (change < 1e-24) break;
  }
  return v;
}

/** W v. */
function multiply(w: Matrix, v: Float64Array): Float64Array {
  return matmulTransB(w, asRow(v)).data;
}

function asRow(v: Float64Array): Matrix {
  return { rows: 1, cols: v.length, data: v };
}
