import { EchelonBasis } from '../linalg/echelon.js';
import { norm2, type Matrix } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';
import {
  assembleGradients,
  readComplement,
  readCoordinates,
  type RowStreamer,
} from './complementPoint.js';
import type { ProgressListener } from './result.js';
import { fitTilt, Information, type GradientSample } from './tiltFit.js';

/**
 * The adaptive method's second phase, for models whose differences are noisy (float32,
 * rounded outputs): more full gradients, each measured so that its off-span part is precise,
 * all pooled in one weighted tilt fit (tiltFit.ts).
 *
 * Why the off-span part can be precise: a direction orthogonal to a span estimate that is off
 * by ε moves the first layer's pre-activations only ε times as much as a direction of the same
 * length in general, so it crosses ReLU boundaries ε times as rarely, and a step 1/ε times
 * longer has the same crossing risk with 1/ε times less rounding noise. Measured in a NumPy
 * prototype on a float32 784-128-256-256-1 ReLU net: with ε = 1e-2 steps of 3e-2 were clean,
 * with ε = 1e-3 steps of 0.3, against 1e-2 for general directions.
 */
export interface RefineSettings {
  readonly n: number;
  /** Step of the in-span (pivot axis) slopes: a general direction's safe step. */
  readonly coarseStep: number;
  /** Scale of the Gaussian points. */
  readonly pointScale: number;
  /** Stop when the method's own rows reach this many. */
  readonly rowLimit: number;
  /** Noise of one slope at step `coarseStep`, for output o at base value f0. */
  noiseAt(f0: number, o: number, xNorm: number): number;
}

/** Complement step = COMPLEMENT_STEP_SCALE / (predicted span error), capped. */
export const COMPLEMENT_STEP_SCALE = 1e-3;
/** Longest complement step, in input units (a point's coordinates are O(1)). */
export const MAX_COMPLEMENT_STEP = 1;
/**
 * Tilt steps per fit: one step is exact for noiseless gradients (any nearby span is the row span
 * of Û + Eᵀ); the later ones re-split the gradients so that the kink screen judges them in the
 * refitted frame.
 */
export const TILT_ITERATIONS = 3;

export interface Refined {
  readonly basis: Matrix;
  readonly points: number;
  readonly predictedError: number;
  readonly screened: number;
  readonly budgetSpent: boolean;
}

/**
 * Measure fresh points until `rowLimit`, refitting the span when the points measured since the
 * last fit double; returns the final fit.
 */
export async function refineSpan(
  streamer: RowStreamer,
  rng: Rng,
  s: RefineSettings,
  start: Matrix,
  samples: GradientSample[],
  onProgress: ProgressListener,
): Promise<Refined> {
  let fit = fitTilt(start, samples, TILT_ITERATIONS);
  let basis = fit.basis;
  let echelon = EchelonBasis.fromRows(basis);
  let information = new Information(basis, samples);
  let error = fit.predictedError;
  let points = 0;
  let nextFit = 8;
  const perPoint = 1 + s.n;
  let budgetSpent = false;
  while (streamer.rowsAnswered + perPoint <= s.rowLimit) {
    const step = Math.min(MAX_COMPLEMENT_STEP, COMPLEMENT_STEP_SCALE / error);
    const added = await measureFullGradients(streamer, rng, s, echelon, step);
    if (added === null) {
      budgetSpent = true;
      break;
    }
    samples.push(...added);
    points++;
    if (points === nextFit) {
      fit = fitTilt(basis, samples, TILT_ITERATIONS);
      basis = fit.basis;
      echelon = EchelonBasis.fromRows(basis);
      information = new Information(basis, samples);
      nextFit *= 2;
    } else {
      for (const sample of added) information.add(sample);
    }
    error = information.predictedError;
    onProgress({
      phase: 'refine',
      done: streamer.rowsAnswered,
      total: s.rowLimit,
      message: `${points} points, predicted error ${error.toExponential(1)}`,
    });
  }
  fit = fitTilt(basis, samples, TILT_ITERATIONS);
  return {
    basis: fit.basis,
    points,
    predictedError: fit.predictedError,
    screened: fit.screened,
    budgetSpent,
  };
}

/**
 * One point's full gradients: base, slopes along the pivot axes at the coarse step, and the
 * complement at `complementStep`; each output's gradient weighted by its off-span noise.
 */
async function measureFullGradients(
  streamer: RowStreamer,
  rng: Rng,
  s: RefineSettings,
  echelon: EchelonBasis,
  complementStep: number,
): Promise<GradientSample[] | null> {
  const x = rng.gaussianVector(s.n);
  for (let j = 0; j < s.n; j++) x[j] *= s.pointScale;
  let base: Float64Array | null = null;
  const ok = await streamer.stream(
    1,
    (_r, row) => row.set(x),
    (_f, out) => (base = out.data.slice()),
  );
  if (!ok || base === null) return null;
  const f0: Float64Array = base;
  const pivots = await readCoordinates(streamer, x, f0, echelon.pivots(), s.coarseStep);
  if (pivots === null) return null;
  const measured = await readComplement(streamer, echelon, x, f0, complementStep);
  if (measured === null) return null;
  const m = f0.length;
  const xNorm = norm2(x);
  return assembleGradients(echelon, measured.v, pivots, m).map((g, o) => {
    const coarse = s.noiseAt(f0[o], o, xNorm);
    const sigma = (coarse * s.coarseStep) / complementStep;
    return { g, weight: 1 / (sigma * sigma), spanNoise: coarse };
  });
}
