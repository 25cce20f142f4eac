import type { Matrix } from '../../src/linalg/matrix.js';
import { randomOrthonormal } from '../../src/linalg/orthonormal.js';
import { Rng } from '../../src/random/rng.js';
import type { GradientSample } from '../../src/recover/tiltFit.js';

export interface SpanProblemOptions {
  readonly n: number;
  readonly k: number;
  /** Number of gradient samples P. */
  readonly gradients: number;
  /** Noise of one entry of a precise sample. */
  readonly sigma: number;
  /** Every this many samples one is ten times noisier (0: none). */
  readonly noisyEvery: number;
  /** Size of the gradients' coefficient along each row of S (default 1 for all). */
  readonly scales?: readonly number[];
  readonly seed: number;
}

/** A known span and noisy gradients in it: the setting of the adaptive method's refinement. */
export interface SpanProblem {
  readonly n: number;
  readonly k: number;
  readonly sigma: number;
  /** The true span, k × n orthonormal. */
  readonly s: Matrix;
  /** g_p = c_pᵀS + σ_p·N(0, I), weight 1/σ_p², spanNoise σ_p. */
  readonly samples: GradientSample[];
  /** A fresh noiseless gradient c ᵀS. */
  gradient(rng: Rng): Float64Array;
}

export function spanProblem(o: SpanProblemOptions): SpanProblem {
  const rng = new Rng(o.seed);
  const { n, k } = o;
  const s = randomOrthonormal(k, n, rng);
  const gradient = (r: Rng): Float64Array => {
    const g = new Float64Array(n);
    for (let i = 0; i < k; i++) {
      const c = (o.scales?.[i] ?? 1) * r.gaussian();
      for (let j = 0; j < n; j++) g[j] += c * s.data[i * n + j];
    }
    return g;
  };
  const samples = Array.from({ length: o.gradients }, (_, p) => {
    const sigma = o.noisyEvery > 0 && p % o.noisyEvery === 0 ? 10 * o.sigma : o.sigma;
    const g = gradient(rng);
    for (let j = 0; j < n; j++) g[j] += sigma * rng.gaussian();
    return { g, weight: 1 / sigma ** 2, spanNoise: sigma };
  });
  return { n, k, sigma: o.sigma, s, samples, gradient };
}
