import { norm2, zeros, type Matrix } from '../linalg/matrix.js';

/**
 * Forward-difference gradients at one point, with a kink check (our addition to the paper's
 * method 1). A ReLU network is piecewise linear, so `(M(x + h e_j) − M(x)) / h` is the exact
 * partial derivative unless the step crosses a ReLU boundary; then coordinate j holds an
 * average over two linear pieces and the assembled vector leaves the row span. One extra
 * query along a random unit direction `u` tests the whole gradient: without a kink,
 * `(M(x + h u) − M(x)) / h = ∇M(x)·u` up to rounding; a corrupted coordinate j shows up as
 * a residual of about `error_j · u_j`.
 */
export interface PointStencil {
  /** The point x (length n). */
  readonly x: Float64Array;
  /** Random unit check directions (`checks × n`). */
  readonly checkDirections: Matrix;
}

/** Rows to query for one point: x, then x + h e_j for every j, then x + h u_c. */
export function stencilRows(p: PointStencil, step: number): Matrix {
  const n = p.x.length;
  const c = p.checkDirections.rows;
  const rows = zeros(1 + n + c, n);
  for (let r = 0; r < 1 + n + c; r++) rows.data.set(p.x, r * n);
  for (let j = 0; j < n; j++) rows.data[(1 + j) * n + j] += step;
  for (let t = 0; t < c; t++) {
    const base = (1 + n + t) * n;
    for (let j = 0; j < n; j++) rows.data[base + j] += step * p.checkDirections.data[t * n + j];
  }
  return rows;
}

export interface PointGradients {
  /** `m × n`: one gradient per output. */
  readonly gradients: Matrix;
  /** Largest check residual divided by its rounding-noise tolerance (≤ 1 means consistent). */
  readonly checkRatio: number;
  /**
   * Largest check residual relative to its gradient's norm: comparable across points, so a
   * method can screen outliers against the median of many points (see gradient.ts). NaN when
   * every gradient of the point is zero.
   */
  readonly relativeResidual: number;
  /** Root mean square of the absolute check residuals (all checks, all outputs). */
  readonly residualRms: number;
  /** True when a check failed: some step probably crossed a kink. */
  readonly kinked: boolean;
}

/**
 * Safety factor on the rounding-noise estimate of a check residual. The estimate
 * `u · (|M(x)| + ‖∇M‖·‖x‖) / h` bounds the error of one difference quotient by the size of
 * the terms a network sums; the check combines a few quotients, and deep networks
 * accumulate a few roundings per layer, so clean points sit well below 64× of it (measured
 * in test/recover/differences.test.ts), while a kink leaves a residual of the order of the
 * gradient itself.
 */
export const CHECK_NOISE_FACTOR = 64;

/**
 * Allowance for curvature, as a multiple of `step · ‖∇M‖`. On a smooth (tanh, sigmoid, GELU)
 * network a forward difference errs by about `step/2 · uᵀ∇²M u`; this admits curvature up to
 * ten times the gradient's scale per unit input. On a ReLU network it widens the tolerance by
 * only 1e-5 of the gradient at the float64 step, far below the O(1)·u_j residual of a kink.
 */
export const TRUNCATION_ALLOWANCE = 10;

/**
 * Turn the outputs of `stencilRows` (`(1 + n + c) × m`) into gradients and the check verdict.
 */
export function pointGradients(
  p: PointStencil,
  outputs: Matrix,
  step: number,
  unitRoundoff: number,
): PointGradients {
  const n = p.x.length;
  const m = outputs.cols;
  const c = p.checkDirections.rows;
  const y = outputs.data;
  const grads = zeros(m, n);
  for (let o = 0; o < m; o++) {
    const y0 = y[o];
    for (let j = 0; j < n; j++) grads.data[o * n + j] = (y[(1 + j) * m + o] - y0) / step;
  }
  const xNorm = norm2(p.x);
  let checkRatio = 0;
  let relativeResidual = 0;
  let anyGradient = false;
  let sumSquares = 0;
  for (let o = 0; o < m; o++) {
    const g = grads.data.subarray(o * n, (o + 1) * n);
    const gNorm = norm2(g);
    const scale = Math.abs(y[o]) + gNorm * (xNorm + step);
    const tolerance =
      (CHECK_NOISE_FACTOR * unitRoundoff * scale) / step + TRUNCATION_ALLOWANCE * step * gNorm;
    for (let t = 0; t < c; t++) {
      let predicted = 0;
      for (let j = 0; j < n; j++) predicted += g[j] * p.checkDirections.data[t * n + j];
      const measured = (y[(1 + n + t) * m + o] - y[o]) / step;
      const residual = Math.abs(measured - predicted);
      sumSquares += residual * residual;
      const ratio = tolerance > 0 ? residual / tolerance : 0;
      if (!(ratio <= checkRatio)) checkRatio = ratio; // NaN propagates as a failed check
      if (gNorm > 0) {
        anyGradient = true;
        if (!(residual / gNorm <= relativeResidual)) relativeResidual = residual / gNorm;
      }
    }
  }
  return {
    gradients: grads,
    checkRatio,
    relativeResidual: anyGradient ? relativeResidual : NaN,
    residualRms: c > 0 ? Math.sqrt(sumSquares / (c * m)) : NaN,
    kinked: !(checkRatio <= 1),
  };
}
