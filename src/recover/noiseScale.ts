import { CHECK_NOISE_FACTOR } from './differences.js';
import { insertSorted } from './sortedInsert.js';

/**
 * The noise of one forward-difference slope, for the adaptive method's news and kink tests.
 *
 * A priori, one slope `(f(x + h z) − f(x)) / h` errs by about `u·(|f(x)| + G·‖x‖)/h`: u the
 * model's unit roundoff, G the size of its gradient (the terms a network sums are of the size
 * of its inputs times its weights). Real models differ from this bound in both directions
 * (float32 ONNX kernels round ~30× less than it; rounded or noisy outputs far more), so the
 * bound is calibrated by the probes' own residuals: the median residual over all points, in
 * units of the bound, gives the model's real level.
 */
export class NoiseScale {
  /** Largest gradient part seen, per output: the G of the bound. */
  private readonly gradientScale: number[] = [];
  /** Residuals in units of their a-priori bound, sorted ascending. */
  private readonly normalized: number[] = [];
  /** Σ over directions found of (their noise / their size)²: the span's squared error. */
  private spanError2 = 0;

  constructor(
    private readonly roundoff: number,
    private readonly step: number,
  ) {}

  /** Record the measured new parts of a point's gradients (`m × n`), for the scale G. */
  observeGradients(v: Float64Array, n: number, m: number): void {
    for (let o = 0; o < m; o++) {
      let s = 0;
      for (let j = o * n; j < (o + 1) * n; j++) s += v[j] * v[j];
      this.gradientScale[o] = Math.max(this.gradientScale[o] ?? 0, Math.sqrt(s));
    }
  }

  /** Record a point's probe residuals (`c × m`, first check of the point). */
  observeResiduals(residuals: Float64Array, base: Float64Array, xNorm: number): void {
    const m = base.length;
    for (let i = 0; i < residuals.length; i++) {
      const r = Math.abs(residuals[i]) / this.bound(base[i % m], i % m, xNorm);
      if (Number.isFinite(r)) insertSorted(this.normalized, r);
    }
  }

  /**
   * Record a direction found from a new part of norm `size` carrying noise of norm `noise`: its
   * angle error is about noise / size, and the span found so far errs by the root sum of
   * squares of these.
   */
  recordDirection(noise: number, size: number): void {
    this.spanError2 += (noise / size) ** 2;
  }

  /**
   * How large the part of output o's gradient off the span found can be through the span's own
   * error alone (its estimated angle error times the gradient's size): a new part this small is
   * no evidence of a missing direction.
   */
  spanResidual(o: number): number {
    return Math.min(Math.sqrt(this.spanError2), SPAN_ERROR_CAP) * (this.gradientScale[o] ?? 0);
  }

  /** Enough residuals have been seen for {@link relativeLevel} to be measured, not assumed. */
  get calibrated(): boolean {
    return this.normalized.length >= MIN_RESIDUALS;
  }

  /**
   * The model's noise in units of the a-priori bound: from the median residual once
   * {@link MIN_RESIDUALS} exist (a residual combines about {@link RESIDUAL_NOISE_MULTIPLE}
   * slope errors; the median of |N(0,1)| is 0.674), floored at {@link MIN_RELATIVE_LEVEL};
   * 1 before.
   */
  get relativeLevel(): number {
    const v = this.normalized;
    if (v.length < MIN_RESIDUALS) return 1;
    const median = v[v.length >> 1];
    return Math.max(MIN_RELATIVE_LEVEL, median / 0.674 / RESIDUAL_NOISE_MULTIPLE);
  }

  /** Noise of one slope of output `o` at a point with base value `f0` and norm `xNorm`. */
  perDerivative(f0: number, o: number, xNorm: number): number {
    return this.relativeLevel * this.bound(f0, o, xNorm);
  }

  /**
   * Largest probe residual accepted as noise: KINK_FACTOR noise levels once calibrated; before
   * that the a-priori bound times CHECK_NOISE_FACTOR, as the gradient method's check.
   */
  residualTolerance(f0: number, o: number, xNorm: number): number {
    const b = this.bound(f0, o, xNorm);
    if (this.normalized.length < MIN_RESIDUALS) return CHECK_NOISE_FACTOR * b;
    return KINK_FACTOR * RESIDUAL_NOISE_MULTIPLE * this.relativeLevel * b;
  }

  private bound(f0: number, o: number, xNorm: number): number {
    const g = this.gradientScale[o] ?? 0;
    const b = (this.roundoff * (Math.abs(f0) + g * (xNorm + this.step))) / this.step;
    return b > 0 ? b : Number.MIN_VALUE;
  }
}

/** Residuals needed before their median calibrates the noise (8 points of 3 probes). */
export const MIN_RESIDUALS = 24;
/** A residual is the difference of a probe slope and a weighted sum of n slopes: ≈ 2 slope errors. */
export const RESIDUAL_NOISE_MULTIPLE = 2;
/**
 * Calibrated tolerance, in noise levels of a residual: Gaussian noise exceeds 8σ with
 * probability 1e-15, while a kinked coordinate leaves a residual of the order of the gradient.
 */
export const KINK_FACTOR = 8;
/**
 * Lowest calibrated level, as a share of the a-priori bound: a model exact at most points
 * (median residual 0) must not have its merely-rounded points called kinked.
 */
export const MIN_RELATIVE_LEVEL = 0.05;

/**
 * Largest span error the news tests allow for. A missing direction's part is at least ~1e-3
 * of a gradient even for units 1000× weaker than typical ones; a span error estimated above
 * this cap (float32 deflation) would hide it, and is left to the refinement phase.
 */
export const SPAN_ERROR_CAP = 1e-4;
