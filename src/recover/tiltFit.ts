import { cholesky, choleskySolve, inverseTrace } from '../linalg/cholesky.js';
import { zeros, type Matrix } from '../linalg/matrix.js';
import { gramSchmidtRows } from '../linalg/orthonormal.js';

/**
 * The adaptive method's pooled estimate of the span from every full gradient measured.
 *
 * With Û (k × n, orthonormal rows) the current estimate, every gradient estimate g̃ splits
 * into in-span coordinates `c = Û g̃` and an off-span part `Y = g̃ − Ûᵀc`. A true gradient lies
 * in the true span, which is Û tilted by a small map E (n × k, columns off Û): `Y ≈ E c`. The
 * weighted least-squares tilt is `E = (Σ w Y cᵀ)(Σ w c cᵀ)⁻¹`, w = 1/σ² the inverse noise of a
 * gradient's off-span part; the rows of Û + Eᵀ, orthonormalised, are the new estimate, and a
 * few such steps converge (each re-splits the gradients in the new frame).
 *
 * Errors in c enter only as E·δc, second order: the in-span part may be measured coarsely
 * while the off-span part carries the precision (large complement steps, refinement.ts).
 * Error model (measured in a NumPy prototype within 1.5× on every direction): the angle along
 * in-span direction v is about `1 / sqrt(vᵀ M v)` per unit noise, M = Σ w c cᵀ.
 */
export interface GradientSample {
  readonly g: Float64Array;
  /** 1/σ², σ the noise of one derivative of the off-span part. */
  readonly weight: number;
  /** Noise of one derivative of the in-span part (its coarse slopes). */
  readonly spanNoise: number;
}

export interface TiltFit {
  /** The refined k × n orthonormal basis. */
  readonly basis: Matrix;
  /**
   * Predicted error of the span: `sqrt(tr M⁻¹)`, the size of the span component of one unit
   * complement direction (the root-sum-square of the principal angles is about √(n − k) times
   * this; measured within 0.88–1.08 of that in test/recover/tiltFit.test.ts).
   */
  readonly predictedError: number;
  /** Samples the kink screen left out of the last fit. */
  readonly screened: number;
}

/**
 * A sample whose off-span residual, in units of its own noise, exceeds this many times the
 * median is left out (a kinked derivative): clean residuals spread over ~2× the median.
 */
export const TILT_SCREEN_FACTOR = 5;

/** Refit the span from the samples by `iterations` tilt steps (k = basis rows). */
export function fitTilt(
  basis: Matrix,
  samples: readonly GradientSample[],
  iterations: number,
): TiltFit {
  let u = basis;
  let use = samples.map(() => true);
  let predictedError = Infinity;
  for (let it = 0; it < iterations; it++) {
    const step = tiltStep(u, samples, use, it < iterations - 1);
    if (step === null) break;
    u = step.basis;
    predictedError = step.predictedError;
    // Screen again after every step but the last: residuals against a fit that an outlier
    // pulled also flag the precise samples, which the next, cleaner fit clears.
    if (it < iterations - 1) use = screen(step.scaledResiduals);
  }
  return { basis: u, predictedError, screened: use.filter((x) => !x).length };
}

/**
 * The information matrix `M = Σ w c cᵀ` of samples in a fixed frame, kept up to date sample by
 * sample (O(k·n) each), and its predicted error `sqrt(tr M⁻¹)`: for choosing the next step
 * size between fits.
 */
export class Information {
  private readonly m: Matrix;

  constructor(
    private readonly basis: Matrix,
    samples: readonly GradientSample[] = [],
  ) {
    this.m = zeros(basis.rows, basis.rows);
    for (const sample of samples) this.add(sample);
  }

  add(sample: GradientSample): void {
    addOuter(this.m, coordinates(this.basis, sample.g), sample.weight);
  }

  /** `sqrt(tr M⁻¹)`; Infinity while M is singular. */
  get predictedError(): number {
    const l = cholesky(this.m);
    return l === null ? Infinity : Math.sqrt(inverseTrace(l, this.basis.rows));
  }
}

function tiltStep(
  u: Matrix,
  samples: readonly GradientSample[],
  use: readonly boolean[],
  wantResiduals: boolean,
): { basis: Matrix; predictedError: number; scaledResiduals: number[] } | null {
  const { rows: k, cols: n } = u;
  const m = zeros(k, k);
  const b = zeros(n, k);
  const split = samples.map((s) => {
    const c = coordinates(u, s.g);
    const y = Float64Array.from(s.g);
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) y[j] -= c[i] * u.data[i * n + j];
    return { c, y };
  });
  let ridge = 0;
  split.forEach(({ c, y }, p) => {
    if (!use[p]) return;
    const w = samples[p].weight;
    ridge += w * samples[p].spanNoise ** 2;
    addOuter(m, c, w);
    for (let j = 0; j < n; j++) {
      const wy = w * y[j];
      if (wy === 0) continue;
      for (let i = 0; i < k; i++) b.data[j * k + i] += wy * c[i];
    }
  });
  // The noise of the coordinates alone would give M this much along any direction: a ridge
  // of that size leaves directions the gradients excite untouched and keeps a direction they
  // do not excite (one a deflation added from noise) from tilting wildly.
  for (let i = 0; i < k; i++) m.data[i * k + i] += ridge;
  const l = cholesky(m);
  if (l === null) return null;
  // E row j = M⁻¹ (B row j); tilted rows u_i + E[:, i].
  const tilted = zeros(k, n);
  tilted.data.set(u.data);
  for (let j = 0; j < n; j++) {
    const e = choleskySolve(l, k, b.data.slice(j * k, (j + 1) * k));
    for (let i = 0; i < k; i++) tilted.data[i * n + j] += e[i];
  }
  const next = gramSchmidtRows(tilted);
  if (!wantResiduals) {
    return { basis: next, predictedError: Math.sqrt(inverseTrace(l, k)), scaledResiduals: [] };
  }
  const scaledResiduals = split.map(({ c, y }, p) => {
    // residual of the fit, Y − E c, in units of the sample's noise per entry
    let s = 0;
    const ec = new Float64Array(n);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) ec[j] += (tilted.data[i * n + j] - u.data[i * n + j]) * c[i];
    }
    for (let j = 0; j < n; j++) s += (y[j] - ec[j]) ** 2;
    return Math.sqrt((s * samples[p].weight) / Math.max(1, n - k));
  });
  return { basis: next, predictedError: Math.sqrt(inverseTrace(l, k)), scaledResiduals };
}

function screen(scaled: readonly number[]): boolean[] {
  const sorted = [...scaled].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] ?? 0;
  return scaled.map((r) => !(r > TILT_SCREEN_FACTOR * median));
}

/** In-span coordinates `Û g`. */
export function coordinates(u: Matrix, g: Float64Array): Float64Array {
  const { rows: k, cols: n } = u;
  const c = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += u.data[i * n + j] * g[j];
    c[i] = s;
  }
  return c;
}

function addOuter(m: Matrix, c: Float64Array, w: number): void {
  const k = c.length;
  for (let i = 0; i < k; i++) {
    const wc = w * c[i];
    for (let j = 0; j < k; j++) m.data[i * k + j] += wc * c[j];
  }
}
