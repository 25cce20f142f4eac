import type { Matrix } from '../linalg/matrix.js';
import type { Precision } from '../oracle/oracle.js';
import type { InputsOption, MethodOption } from './method.js';
import { CANDIDATES_OPTION, NO_NEWS_RUN_OPTION, REFINE_FACTOR_OPTION } from './sharedOptions.js';

/** Options of the boundary method. */
export interface BoundaryOptions {
  /** Offset δ of the normal's measurements, relative to the scale of the random points. */
  offset?: number;
  /** Bits of each ratio below its typical size (bisection steps past the bracket). */
  bits?: number;
  /** Random complement probes per boundary point (novelty, bracket size). */
  probes?: number;
  /** Boundary points examined per point measured (the one with the largest new share wins). */
  candidates?: number;
  /** Boundary points in a row without news that end the run. */
  noNewsRun?: number;
  /** Rows per oracle call. */
  rowsPerCall?: number;
  /** Measure each ratio at −δ too (curvature cancelled, straddles seen); default true. */
  symmetric?: boolean;
  /**
   * Rows to spend in all, as a multiple of the query floor k(n − k) + k, pooling whole normals
   * after the span is found; 0 skips that phase. Default: REFINE_FACTOR_NOISY on a model whose
   * ratios show noise when the rows left pay for k normals, else none (boundaryRefinement.ts).
   */
  refineFactor?: number;
  /** Inputs (one per row) around which boundary points are sought before random ones. */
  seeds?: Matrix;
}

/**
 * Default offset δ, relative to the point scale. The symmetric measurement leaves an error of
 * order δ² (third derivatives) and spends bits on the −δ side in proportion to the curvature
 * asymmetry, ∝ δ; the bisection resolution it needs, δ × 2^-bits of a component, must stay
 * well above the float64 rounding of the query points (~1e-15 of their size): at 1e-5 and 16
 * bits it is ~1e-10 of a component.
 */
export const DEFAULT_OFFSET = 1e-5;

/**
 * Default offset on a float32 model. Its decision flips in a band (rounded inputs, rounded
 * score) that offsets every crossing, so a ratio errs by ~5e-6/δ of a typical component on a
 * float32 n = 1536 ReLU net (sigmoid head, threshold 0.5): 0.5 at the default 1e-5, pure
 * noise. A longer offset meets more kinks (re-measured shorter, noisier). On that net (k = 128,
 * the bench's lookalike): median angle 2.1e-3 / 7.6e-4–7.8e-4 at 1e-2 / 3e-2, max 0.155 /
 * 3.8e-2–0.37 rad (rank 126–127 of 128), 24 / 32–35× the floor; on an n = 200, k = 32 one
 * 1.3e-2–1.8e-2 / 8e-3–1.7e-2 rad for 24–29 / 31–39×.
 */
export const F32_OFFSET = 3e-2;

/**
 * Default bits per ratio: each is bisected to 2^-15 of the typical new component, so a
 * direction's own relative error is ~6e-6 (uniform errors over the final bracket, averaged over
 * the two sides, n − r of them in quadrature); earlier directions' errors reach a later one
 * divided by its new share. On n = 100, k = 20 nets (tanh, GELU, ReLU, sigmoid; three recovery
 * seeds): max angle 2e-5–3.1e-4 rad at 15 bits for 29–40× the floor, about half at 16 bits
 * for ~1.1× the floor more.
 */
export const DEFAULT_BITS = 15;

/** Fine novelty probes per boundary point (those the coarse probes showed nothing on). */
export const DEFAULT_PROBES = 2;

/**
 * Boundary points in a row that bring nothing new before the span is called complete: a
 * smooth model's normal has a component on every first-layer direction at almost every point,
 * a ReLU model's on the units active there, which vary from point to point.
 */
export const DEFAULT_NO_NEWS_RUN = 8;

/**
 * Candidates examined per point measured, and the new share that ends the search early. The
 * error of the span found so far enters each later direction divided by that direction's new
 * share (its new part over the whole normal), so a point whose normal is mostly old makes a
 * poor direction; examining one costs ~100 rows against the n − r ratios of a measurement. On
 * n = 100, k = 20 GELU nets the largest angle was 2.3e-4 / 1.4e-4 / 5e-5 at shares 0.1 / 0.2 /
 * 0.3 (8 candidates), for 30.3 / 30.9 / 32.3 × the floor.
 */
export const DEFAULT_CANDIDATES = 8;
export const GOOD_SHARE = 0.3;

/** The options as the run uses them: defaults filled in. */
export interface BoundarySettings {
  readonly n: number;
  readonly offset: number;
  readonly bits: number;
  readonly probes: number;
  readonly candidates: number;
  readonly noNewsRun: number;
  readonly symmetric: boolean;
  /**
   * Measure the model's ratio noise from the asymmetries and never resolve below it (models
   * not known to compute in float64: a float64 model's asymmetries are curvature and kinks).
   */
  readonly noiseFloor: boolean;
  /**
   * Start again at {@link F32_OFFSET} when the noise read at the default offset shows a float32
   * model (boundaryOffset.ts): a model of unknown precision, its offset not set.
   */
  readonly adaptOffset: boolean;
  /** Rows in all as a multiple of the floor (refinement); undefined: by the noise measured. */
  readonly refineFactor: number | undefined;
}

/** Fill in the defaults for inputs of dimension `n`, on a model of the given precision. */
export function boundarySettings(
  n: number,
  options: BoundaryOptions,
  precision: Precision = 'unknown',
): BoundarySettings {
  const symmetric = options.symmetric ?? true;
  return {
    n,
    offset: options.offset ?? (precision === 'f32' ? F32_OFFSET : DEFAULT_OFFSET),
    bits: options.bits ?? DEFAULT_BITS,
    probes: options.probes ?? DEFAULT_PROBES,
    candidates: options.candidates ?? DEFAULT_CANDIDATES,
    noNewsRun: options.noNewsRun ?? DEFAULT_NO_NEWS_RUN,
    symmetric,
    noiseFloor: precision !== 'f64',
    // the noise is read from the ±δ asymmetries: a one-sided run sees none
    adaptOffset: precision === 'unknown' && options.offset === undefined && symmetric,
    refineFactor: options.refineFactor,
  };
}

/** The options the boundary method declares to the CLI and the library's front door. */
export const BOUNDARY_OPTION_DECLARATIONS = [
  {
    key: 'offset',
    placeholder: 'd',
    kind: 'positive',
    description:
      'offset of the normal measurements, relative to the point scale (default 1e-5; 3e-2 on float32 models)',
  },
  {
    key: 'bits',
    placeholder: 'n',
    kind: 'integer',
    min: 4,
    max: 40,
    description: 'bisection bits per normal component (default 15)',
  },
  CANDIDATES_OPTION,
  NO_NEWS_RUN_OPTION,
  REFINE_FACTOR_OPTION,
] as const satisfies readonly MethodOption[];

/** Seed inputs: the boundary search starts from them (boundarySearch.ts). */
export const SEEDS_OPTION: InputsOption<'seeds'> = {
  key: 'seeds',
  placeholder: 'X.npy',
  kind: 'inputs',
  description:
    'inputs [s, n] (or [s, …input shape]) to seek boundary points around before random ones',
};
