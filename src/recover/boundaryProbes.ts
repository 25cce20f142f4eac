import type { EchelonBasis } from '../linalg/echelon.js';
import { unit } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';
import type { RatioNoise } from './boundaryNoise.js';
import { measureRatios, type Ratios } from './boundaryNormal.js';
import type { BoundaryPoint } from './boundarySearch.js';
import type { RowStreamer } from './complementPoint.js';
import { NEWS_FACTOR } from './newsTracker.js';

/**
 * Cheap looks at a boundary point's normal before it is measured: its size, and whether it
 * has a part off the span found so far (the paper's novelty question, asked as in our adaptive
 * method: along a few random complement directions).
 */

/**
 * Random unconstrained directions whose ratios give the size R of a point's whole normal:
 * E[(∇f·w)²] = ‖∇f‖²/n for a random unit w. With the coarse complement probes they give a
 * candidate's new share, the ratio of two such estimates, whose spread with two probes each
 * (an F(2, 2) variable: its 90th percentile is 9) made the choice among candidates nearly
 * blind: on an n = 100, k = 20 sigmoid net the chosen point's share was 0.04 at the last
 * direction and the angle 1.5e-4; with four each (F(4, 4), 4.1) 3.5e-5.
 */
export const SCALE_PROBES = 4;
/** Bits of the scale probes below the guessed size: a share within ~10 % is all they are for. */
export const SCALE_BITS = 6;
/** Coarse complement probes per candidate (see {@link SCALE_PROBES}). */
export const COARSE_PROBES = 4;
/**
 * Bits of the coarse novelty probes: enough to see a new part of a few percent of the normal
 * and to size its components; a point they show nothing on gets the fine probes.
 */
export const COARSE_BITS = 6;

/** Half-width of a component's guessed bracket, in typical component sizes. */
export const BRACKET_SIGMAS = 2.5;

/**
 * The −δ side's guessed bracket, in multiples of the curvature asymmetry seen so far (per unit
 * component size and scaled by ‖d‖², as curvature is quadratic in the offset direction).
 */
export const MIRROR_MARGIN = 4;

/**
 * Finest resolution of a probe relative to the normal's size: float64 rounding of the query
 * points (~1e-15 of their size) moves a crossing by about that much of the normal, and a probe
 * resolved far below it would only measure rounding.
 */
export const ARITHMETIC_FLOOR = 1e-12;

/** What the probes need to know of the run. */
export interface ProbeContext {
  readonly streamer: RowStreamer;
  readonly rng: Rng;
  readonly basis: EchelonBasis;
  readonly probes: number;
  readonly symmetric: boolean;
  /** Root mean square relative error of the directions found (the fine probes' resolution). */
  readonly spanErrorRms: number;
  /** Curvature asymmetry per unit component size, as last seen (Infinity: not yet). */
  readonly curvatureShare: number;
  /** Bracket expansions spent, added to as probes run. */
  readonly tally: { expansions: number };
  /** The model's ratio noise (a floor of every resolution). */
  readonly noise: RatioNoise;
}

/** A point's normal looked at coarsely: its size R, and its typical new component σ. */
export interface CoarseLook {
  readonly scale: number;
  /** Typical new component; 0 when the coarse probes show nothing (a fine look decides). */
  readonly sigma: number;
}

/**
 * Size the normal ({@link SCALE_PROBES} random directions) and probe it coarsely for news
 * (one-sided, {@link COARSE_BITS}). `previousScale` is the last point's size (the first bracket
 * guess). Null when the budget ran out, 'rejected' when a line failed.
 */
export async function coarseLook(
  ctx: ProbeContext,
  point: BoundaryPoint,
  delta: number,
  previousScale: number,
): Promise<CoarseLook | 'rejected' | null> {
  const n = ctx.basis.n;
  const scaleDirections = Array.from({ length: SCALE_PROBES }, () =>
    unit(ctx.rng.gaussianVector(n)),
  );
  const sized = await probe(ctx, point, delta, scaleDirections, {
    halfWidth: previousScale,
    resolution: previousScale * 2 ** -SCALE_BITS,
    symmetric: false,
  });
  if (sized === null || sized === 'rejected') return sized;
  const scale = Math.sqrt(n) * rms(sized.ratios);
  if (!(scale > 0 && Number.isFinite(scale))) return 'rejected';
  const perComponent = scale / Math.sqrt(n - ctx.basis.rank);
  // one-sided: the point's own offset from a noisy boundary adds as much noise again
  const noise = 2 * ctx.noise.level(delta, scale / Math.sqrt(n));
  const resolution = Math.max(perComponent * 2 ** -COARSE_BITS, noise);
  const coarse = await probe(ctx, point, delta, complementDirections(ctx, COARSE_PROBES), {
    halfWidth: BRACKET_SIGMAS * perComponent,
    resolution,
    symmetric: false,
  });
  if (coarse === null || coarse === 'rejected') return coarse;
  const news = maxAbs(coarse.ratios) > NEWS_FACTOR * resolution;
  return { scale, sigma: news ? rms(coarse.ratios) : 0 };
}

/** A fine look: the typical new component (0: no news) and the curvature per unit of it. */
export interface FineLook {
  readonly sigma: number;
  /** Largest asymmetry of the probes per unit σ (NaN without news). */
  readonly curvatureShare: number;
}

/**
 * Probe the normal of size `scale` finely for news: symmetric, resolved down to what the span's
 * own error leaves ({@link ARITHMETIC_FLOOR} and the model's ratio noise at least), so that
 * "nothing new" is decided at the precision the span was measured with. The point must be
 * refined (its segment fully halved).
 */
export async function fineLook(
  ctx: ProbeContext,
  point: BoundaryPoint,
  delta: number,
  scale: number,
): Promise<FineLook | 'rejected' | null> {
  const perComponent = scale / Math.sqrt(ctx.basis.n - ctx.basis.rank);
  const leak = ctx.spanErrorRms * perComponent;
  const noise = ctx.noise.level(delta, scale / Math.sqrt(ctx.basis.n));
  const resolution = Math.max(leak, ARITHMETIC_FLOOR * scale, noise);
  const fine = await probe(ctx, point, delta, complementDirections(ctx), {
    halfWidth: BRACKET_SIGMAS * perComponent,
    resolution,
    mirrorHalfWidth: MIRROR_MARGIN * ctx.curvatureShare * perComponent,
    symmetric: ctx.symmetric,
  });
  if (fine === null || fine === 'rejected') return fine;
  const news = maxAbs(fine.ratios) > NEWS_FACTOR * (resolution + leak);
  const sigma = rms(fine.ratios);
  return {
    sigma: news ? sigma : 0,
    curvatureShare: news ? maxAbs(fine.asymmetry) / sigma : NaN,
  };
}

/** How a probe's ratios are bracketed and resolved (one value for every direction). */
export interface ProbeSpec {
  readonly halfWidth: number;
  readonly resolution: number;
  readonly mirrorHalfWidth?: number;
  readonly symmetric: boolean;
}

/**
 * Ratios of the normal at `point` along `directions`, all bracketed and resolved alike; the
 * expansions counted. Null when the budget ran out, 'rejected' when a line failed.
 */
export async function probe(
  ctx: Pick<ProbeContext, 'streamer' | 'tally'>,
  point: BoundaryPoint,
  delta: number,
  directions: readonly Float64Array[],
  spec: ProbeSpec,
): Promise<Ratios | 'rejected' | null> {
  const fill = (v: number) => new Float64Array(directions.length).fill(v);
  const r = await measureRatios(ctx.streamer, point, directions, {
    offset: delta,
    centres: fill(0),
    halfWidths: fill(spec.halfWidth),
    resolutions: fill(spec.resolution),
    mirrorHalfWidths: spec.mirrorHalfWidth === undefined ? undefined : fill(spec.mirrorHalfWidth),
    symmetric: spec.symmetric,
  });
  if (r === null) return null;
  ctx.tally.expansions += r.expansions;
  return r.ratios.some(Number.isNaN) ? 'rejected' : r;
}

/** Random unit directions orthogonal to the span found so far. */
function complementDirections(ctx: ProbeContext, count = ctx.probes): Float64Array[] {
  return Array.from({ length: count }, () => {
    const w = ctx.rng.gaussianVector(ctx.basis.n);
    ctx.basis.toComplement(w);
    return unit(w);
  });
}

function rms(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum / values.length);
}

function maxAbs(values: Float64Array): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}
