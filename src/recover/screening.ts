import type { Matrix } from '../linalg/matrix.js';
import type { PointGradients } from './differences.js';
import { insertSorted } from './sortedInsert.js';

/**
 * Which measured points enter the SVD, and the noise level their check residuals show
 * (the kink screen of the gradient method; see differences.ts for the checks themselves).
 */

/**
 * The screen's noise estimates, kept up to date point by point for the news tracker: the same
 * figures {@link screenPoints} gives for all points measured so far. Points are kept sorted by
 * relative residual (binary insertion), so a new point costs O(log P) to place and O(P) to
 * sum, never a sort of all P points.
 */
export class RunningNoise {
  private points = 0;
  /** Finite relative residuals, ascending, and each one's residualRms², in the same order. */
  private readonly residuals: number[] = [];
  private readonly squares: number[] = [];

  add(p: PointGradients): void {
    this.points++;
    if (!Number.isFinite(p.relativeResidual)) return;
    const at = insertSorted(this.residuals, p.relativeResidual);
    this.squares.splice(at, 0, p.residualRms ** 2);
  }

  /** Median relative residual; NaN before {@link MIN_POINTS_FOR_MEDIAN} points. */
  get median(): number {
    if (this.points < MIN_POINTS_FOR_MEDIAN) return NaN;
    const v = this.residuals;
    if (v.length === 0) return 0;
    const mid = v.length >> 1;
    return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** Relative residual above which a point is an outlier. */
  get outlierLimit(): number {
    return Math.max(OUTLIER_FACTOR * this.median, MIN_OUTLIER_LIMIT);
  }

  /** Noise of one difference quotient (σ_δ/h), as {@link Screening.noisePerEntry}. */
  get perEntry(): number {
    const median = this.median;
    if (Number.isNaN(median)) return NaN;
    const limit = this.outlierLimit;
    let sum = 0;
    let count = 0;
    for (; count < this.residuals.length && this.residuals[count] <= limit; count++) {
      sum += this.squares[count];
    }
    return noiseFromSquares(sum, count);
  }
}

/**
 * A check residual combines about three quotient errors (the check point's, the base point's,
 * and the sum over coordinates weighted by the unit check direction), so its rms is ≈ √3·σ_δ/h.
 */
function noiseFromSquares(sumOfSquares: number, count: number): number {
  return count > 0 ? Math.sqrt(sumOfSquares / count) / Math.sqrt(3) : 0;
}

/** Which measured points enter the SVD. */
export interface Screening {
  /** Indices of accepted points. */
  readonly accepted: number[];
  /** Signal-carrying (nonzero) gradients among them. */
  readonly gradients: number;
  /** Median check residual relative to the gradient norm, over points that passed the a-priori tolerance. */
  readonly medianRelativeResidual: number;
  /**
   * Estimated noise of one output value over the step (σ_δ/h), from the check residuals:
   * a residual combines about three such errors (the check point's, the base point's and the
   * sum over coordinates weighted by the unit check direction), so its rms is ≈ √3·σ_δ/h.
   * NaN without checks or with too few points.
   */
  readonly noisePerEntry: number;
}

/**
 * Once {@link MIN_POINTS_FOR_MEDIAN} points exist, a point is rejected when its relative check
 * residual exceeds OUTLIER_FACTOR times the median over all points (before that, when it fails
 * the a-priori rounding tolerance of differences.ts). The median calibrates itself to the
 * model's real noise: the a-priori bound overestimates rounding by ~30× on float32 ONNX nets
 * (clean points at 0.003–0.03 of it, kinked ones at 0.04–0.3, so it lets kinks through) and
 * underestimates noisy or rounded outputs (where it would reject every point).
 */
export const OUTLIER_FACTOR = 4;
/**
 * Relative residual that never makes a point an outlier: an error this small moves no angle
 * we report, and a model whose arithmetic is exact at most points (median residual 0) must not
 * have its merely-rounded points rejected.
 */
export const MIN_OUTLIER_LIMIT = 1e-12;
/** Points needed before the median is trusted for screening. */
export const MIN_POINTS_FOR_MEDIAN = 8;

export function screenPoints(measured: readonly PointGradients[], checks: number): Screening {
  const all = measured.map((_, i) => i);
  let median = NaN;
  let noisePerEntry = NaN;
  let accepted = checks === 0 ? all : all.filter((i) => !measured[i].kinked);
  if (checks > 0 && measured.length >= MIN_POINTS_FOR_MEDIAN) {
    // Enough points: the median calibrates the screen to the model's real noise, which may be
    // far above rounding (noisy or rounded outputs), so the a-priori bound no longer decides.
    // Points whose gradients are all zero (a locally constant model) have no relative
    // residual; they are accepted and carry no direction.
    const residuals = all.map((i) => measured[i].relativeResidual).filter(Number.isFinite);
    median = residuals.length > 0 ? medianOf(residuals) : 0;
    const limit = Math.max(OUTLIER_FACTOR * median, MIN_OUTLIER_LIMIT);
    accepted = all.filter(
      (i) =>
        !Number.isFinite(measured[i].relativeResidual) || measured[i].relativeResidual <= limit,
    );
    // The noise level comes from points that have a gradient: a constant region's zero
    // residual says nothing about the noise elsewhere.
    const measuring = accepted.filter((i) => Number.isFinite(measured[i].relativeResidual));
    const sum = measuring.reduce((s, i) => s + measured[i].residualRms ** 2, 0);
    noisePerEntry = noiseFromSquares(sum, measuring.length);
  }
  const gradients = accepted.reduce((s, i) => s + countNonzeroRows(measured[i].gradients), 0);
  return { accepted, gradients, medianRelativeResidual: median, noisePerEntry };
}

function medianOf(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function countNonzeroRows(g: Matrix): number {
  let c = 0;
  for (let r = 0; r < g.rows; r++) {
    for (let j = 0; j < g.cols; j++) {
      if (g.data[r * g.cols + j] !== 0) {
        c++;
        break;
      }
    }
  }
  return c;
}
