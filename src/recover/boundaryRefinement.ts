import { EchelonBasis } from '../linalg/echelon.js';
import { matmul, norm2, row, unit, vstack, type Matrix } from '../linalg/matrix.js';
import { gramSchmidtRows, projectOntoComplement } from '../linalg/orthonormal.js';
import { measureAlong, measureNewPart, type NewPartRun } from './boundaryNewPart.js';
import { BRACKET_SIGMAS, COARSE_BITS, probe } from './boundaryProbes.js';
import type { BoundarySettings } from './boundaryOptions.js';
import type { BoundaryPoint, BoundarySearch } from './boundarySearch.js';
import type { BoundaryState } from './boundaryState.js';
import type { RowStreamer } from './complementPoint.js';
import { insertSorted } from './sortedInsert.js';
import { TILT_ITERATIONS } from './refinement.js';
import type { ProgressListener } from './result.js';
import { missingDirection } from './residualDirection.js';
import { fitTilt, Information, type GradientSample, type TiltFit } from './tiltFit.js';

/**
 * The boundary method's second phase on a noisy (float32) model, the adaptive method's pooled
 * tilt fit (tiltFit.ts) fed with whole normals from fresh boundary points.
 *
 * Why it is needed: the deflation's span is the span of k noisy normals, and a first-layer
 * unit that moves the decision little (influence spread) shows in every normal with a small
 * share, so the span errs most along it. On a float32 n = 400, k = 64 ReLU net with a sigmoid
 * head (influence spread 12×), every ratio erred within its estimate, yet the directions found
 * last were 0.1–0.2 rad off.
 *
 * Why the pooled normals are precise: a normal's part off a span estimate that errs by ε is
 * ε times its in-span part, and a move along a complement direction moves the first layer's
 * pre-activations only ε times as much as a general move, so it may be ~1/ε times longer at the
 * same risk of meeting a kink; a crossing's float32 noise falls with the offset. The in-span
 * coordinates are measured at the usual offset: their errors enter the fit only at second order.
 *
 * A direction the span misses altogether is read from the pooled normals' parts off it, which
 * share it (residualDirection.ts), and added.
 */

/**
 * Offset of the off-span ratios, in units of the in-span offset δ: the float32 noise of a ratio
 * falls as 1/offset. Not set from the span's predicted error, which is a mean: the worst
 * direction errs far more (0.2 rad against a mean of 1e-3 on the n = 400 net), and a first-layer
 * unit along it moves that share of the offset. On that net 8 lost few points to kinks, 64
 * most of them.
 */
export const OFF_SPAN_OFFSET_FACTOR = 8;
/**
 * The longer offset only where the normals' part off the span is below this share of them (the
 * first normal after each fit, before any shows it, at δ): a span that misses directions
 * leaves them in that part, and a long move along it meets their units' kinks. On a float32
 * n = 1536 net whose deflation stopped at rank 77 of 128 (its own error hid the rest), 112 of
 * 119 normals measured at 8δ were given up.
 */
export const OFF_SPAN_SHARE = 0.1;
/** The off-span parts' typical size over the normal's, before any was measured. */
export const FIRST_TILT = 1e-2;
/** Off-span bracket half-width, in typical off-span components of the normals so far. */
export const TILT_BRACKET_MARGIN = 2;
/** Fewest bisection bits of an in-span coordinate. */
export const MIN_SPAN_BITS = 4;

/**
 * Rows in all, as a multiple of the floor, on a model whose ratios showed noise: the deflation
 * takes ~30× on a float32 n = 1536, k = 128 net, the rest pools whole normals.
 */
export const REFINE_FACTOR_NOISY = 58;

/**
 * Rows a whole normal costs per input coordinate, as measured (n = 100–1536: 12–19, more on
 * small nets, whose boundary search and turn to the normal weigh more): by default the
 * refinement runs only when the rows left pay for k normals, as fewer leave directions of the
 * fit undetermined (on the n = 400 net, 47 normals for k = 64 took the worst angle from 0.21 to
 * 0.15 rad; 302 to 9e-5).
 */
export const ROWS_PER_COORDINATE = 20;

/**
 * Rows the run may spend in all, its refinement included, once `spent` are spent and `pooled`
 * normals pooled: a multiple of the query floor of the rank found, on a saturated run (its
 * span complete); 0 for none. By default only on a model whose ratios showed noise, and only
 * when the rows left pay for as many normals as the rank or some are pooled already (a later
 * look's new directions need them); an explicit factor is always used.
 */
export function refineRowLimit(
  s: BoundarySettings,
  state: BoundaryState,
  spent: number,
  pooled = 0,
): number {
  const r = state.basis.rank;
  const noisy = state.noise.relative(state.offset) > 0;
  const factor = s.refineFactor ?? (noisy ? REFINE_FACTOR_NOISY : 0);
  if (state.stopReason !== 'saturated' || r === 0 || factor === 0) return 0;
  const limit = factor * (r * (s.n - r) + r);
  const enough = pooled > 0 || limit - spent >= ROWS_PER_COORDINATE * s.n * r;
  return s.refineFactor !== undefined || enough ? limit : 0;
}

/** A pooled normal and the boundary point it was measured at. */
export interface PooledNormal extends GradientSample {
  readonly at: Float64Array;
}

/** What the refinement leaves. */
export interface BoundaryRefined {
  readonly basis: Matrix;
  /** Boundary points whose whole normal entered the fit. */
  readonly points: number;
  readonly predictedError: number;
  /** Normals the fit's kink screen left out. */
  readonly screened: number;
  /**
   * Directions the normals' parts off the span showed (residualDirection.ts), added to it by
   * this refinement: each a unit vector times its typical size in the normals.
   */
  readonly extensions: readonly Float64Array[];
}

/**
 * Directions added from the pooled normals' residuals per fit, at most (more are left to the
 * next fit and to the deflation's next look, which measure them better).
 */
export const MAX_EXTENSIONS_PER_FIT = 4;

/**
 * The tilt fit of `basis` to the samples, then, while the samples' parts off the fitted span
 * share a direction beyond their noise, that direction added and the span fitted again (its
 * size-scaled direction pushed to `extensions`).
 */
function fitAndExtend(
  basis: Matrix,
  samples: readonly PooledNormal[],
  extensions: Float64Array[],
): TiltFit {
  let fit = fitTilt(basis, samples, TILT_ITERATIONS);
  for (let e = 0; e < MAX_EXTENSIONS_PER_FIT; e++) {
    const missing = missingDirection(fit.basis, samples);
    if (missing === null) break;
    extensions.push(missing.direction.map((x) => x * missing.size));
    const added = { rows: 1, cols: basis.cols, data: missing.direction };
    fit = fitTilt(vstack([fit.basis, added], basis.cols), samples, TILT_ITERATIONS);
  }
  return fit;
}

/**
 * Measure whole normals at fresh boundary points until `normals` are pooled in `samples` or
 * `rowLimit` rows are spent, refitting the span whenever the normals pooled double; null when
 * none is pooled.
 */
export async function refineBoundarySpan(
  streamer: RowStreamer,
  search: BoundarySearch,
  s: BoundarySettings,
  state: BoundaryState,
  rowLimit: number,
  normals: number,
  samples: PooledNormal[],
  onProgress: ProgressListener,
): Promise<BoundaryRefined | null> {
  let basis = gramSchmidtRows(state.basis.toMatrix());
  const extensions: Float64Array[] = [];
  if (samples.length > 0) basis = fitAndExtend(basis, samples, extensions).basis;
  // in-span and off-span ratios differ in curvature: each kind keeps its own −δ bracket guess
  const start = (): NewPartRun => ({ ...state, basis: EchelonBasis.fromRows(basis), straddles: 0 });
  const runs = { span: start(), off: start() };
  let span = spanOf(basis);
  let information = new Information(basis, samples);
  let nextFit = Math.max(8, 2 * samples.length);
  const tilts: number[] = [];
  // the dearest point so far: the next one is not begun unless that many rows are left
  let perPoint = 0;
  while (samples.length < normals && streamer.rowsAnswered + perPoint <= rowLimit) {
    const before = streamer.rowsAnswered;
    const sample = await measureNormal(streamer, search, s, state, runs, span, tilts);
    if (sample === null) break;
    perPoint = Math.max(perPoint, streamer.rowsAnswered - before);
    if (sample === 'rejected') continue;
    samples.push(sample);
    if (samples.length === nextFit) {
      basis = fitAndExtend(basis, samples, extensions).basis;
      span = spanOf(basis);
      const echelon = EchelonBasis.fromRows(basis);
      runs.span = { ...runs.span, basis: echelon };
      runs.off = { ...runs.off, basis: echelon };
      information = new Information(basis, samples);
      nextFit *= 2;
      // off-span parts shrink with each fit: the bracket guess starts again
      tilts.length = 0;
    } else {
      information.add(sample);
    }
    onProgress({
      phase: 'refine',
      done: streamer.rowsAnswered,
      total: rowLimit,
      message: `${samples.length} normals pooled, predicted error ${information.predictedError.toExponential(1)}`,
    });
  }
  state.straddles += runs.span.straddles + runs.off.straddles;
  if (samples.length === 0) return null;
  const fit = fitAndExtend(basis, samples, extensions);
  return {
    basis: fit.basis,
    extensions,
    points: samples.length,
    predictedError: fit.predictedError,
    screened: fit.screened,
  };
}

/**
 * One boundary point's whole normal: its coordinates along the span's orthonormal rows at the
 * offset δ, its part off the span at up to {@link OFF_SPAN_OFFSET_FACTOR}·δ (see
 * {@link OFF_SPAN_SHARE}); `tilts` holds the last normals' off-span parts over a typical
 * component. Null when the budget ran out or no boundary point is left, 'rejected' when a line
 * failed.
 */
async function measureNormal(
  streamer: RowStreamer,
  search: BoundarySearch,
  s: BoundarySettings,
  state: BoundaryState,
  runs: { readonly span: NewPartRun; readonly off: NewPartRun },
  span: Span,
  tilts: number[],
): Promise<PooledNormal | 'rejected' | null> {
  const { basis } = span;
  const found = await search.next();
  if (found === null || found === 'flat') return null;
  const refined = await search.refine(found);
  if (refined === null) return null;
  state.points++;
  const delta = state.offset * search.scale;
  // the off-span part's share of the normal, as the last normals showed it (their median)
  const share = tilts.length > 0 ? tilts[tilts.length >> 1] * Math.sqrt(1 - basis.rows / s.n) : 1;
  const factor = Math.min(OFF_SPAN_OFFSET_FACTOR, Math.max(1, OFF_SPAN_SHARE / share));
  const point = await alongNormal(streamer, refined, span, delta, state);
  if (point === null || point === 'rejected') {
    if (point === 'rejected') state.pointsRejected++;
    return point;
  }
  const { n } = s;
  // typical off-span component over a typical component: as the last normals showed it (their
  // median), else as the offset's rule predicts it
  const tilt = tilts.length > 0 ? tilts[tilts.length >> 1] : FIRST_TILT;
  // An in-span coordinate's error δc enters the fit as E·δc, ~tilt·|δc|/√n per off-span entry
  // (the normal's size in ratio units is about 1 along it): resolved to put that at the
  // off-span noise, no finer.
  const offNoise = state.noise.level(factor * delta, 1 / Math.sqrt(n));
  const spanBits = Math.ceil(Math.log2(tilt / (offNoise * Math.sqrt(n))));
  const coordinates = await spanCoordinates(
    streamer,
    point,
    span,
    delta,
    { ...s, bits: Math.min(s.bits, Math.max(MIN_SPAN_BITS, spanBits)) },
    runs.span,
  );
  if (coordinates === null || coordinates === 'rejected') {
    if (coordinates === 'rejected') state.pointsRejected++;
    return coordinates;
  }
  const { c, scale, noise: spanNoise } = coordinates;
  const r = basis.rows;
  const sigma = (TILT_BRACKET_MARGIN * tilt * scale) / Math.sqrt(n);
  const offPart = await measureNewPart(
    streamer,
    { point, delta: factor * delta, scale, sigma },
    s,
    runs.off,
  );
  if (offPart === null || offPart === 'rejected') {
    if (offPart === 'rejected') state.pointsRejected++;
    return offPart;
  }
  // The part off the span is the measured reduced vector v made orthogonal to the span: every
  // span vector is orthogonal to the complement directions d_j, so (v − UᵀUv)·d_j = v·d_j = v_j;
  // the part in it is Uᵀc.
  const v = offPart.part;
  const g = projectOntoComplement(basis, v);
  const along = inSpan(basis, c);
  for (let j = 0; j < n; j++) g[j] += along[j];
  const perRatio = offPart.noise / Math.sqrt(Math.max(1, n - r));
  insertSorted(tilts, (norm2(v) * Math.sqrt(n)) / (scale * Math.sqrt(Math.max(1, n - r))));
  return { g, weight: 1 / (perRatio * perRatio), spanNoise, at: point.x };
}

/**
 * The point with its bisection direction turned to its normal, as its coarse coordinates along
 * the span's rows show it. Each ratio is measured by bisecting along that direction, and a
 * random one is nearly tangent to the boundary (the normal's share of it is ~1/√n), so a move
 * δ·u put the crossing ~√n·δ away, past kinks where ∇f·d, the ratios' unit, differs: on a
 * float32 n = 400 net the in-span ratios, crossing far, came out in a unit 0.77–1.07 times the
 * off-span ones' at a few points, each then off the span by 3–50 times its noise. Along the
 * normal a crossing lies within δ of the point.
 */
async function alongNormal(
  streamer: RowStreamer,
  point: BoundaryPoint,
  span: Span,
  delta: number,
  state: BoundaryState,
): Promise<BoundaryPoint | 'rejected' | null> {
  const perComponent = state.ratioScale / Math.sqrt(span.basis.rows);
  const coarse = await probe({ streamer, tally: state.tally }, point, delta, span.rows, {
    halfWidth: BRACKET_SIGMAS * perComponent,
    resolution: perComponent * 2 ** -COARSE_BITS,
    symmetric: false,
  });
  if (coarse === null || coarse === 'rejected') return coarse;
  // the ratios are ∇f·u / ∇f·d: their combination has a positive part along d, low to high
  return { ...point, direction: unit(inSpan(span.basis, coarse.ratios)) };
}

/**
 * The normal's coordinates along the span's orthonormal rows (ratios at offset δ, straddles
 * re-measured shorter), its size, and the noise of one coordinate.
 */
async function spanCoordinates(
  streamer: RowStreamer,
  point: BoundaryPoint,
  span: Span,
  delta: number,
  s: BoundarySettings,
  run: NewPartRun,
): Promise<{ c: Float64Array; scale: number; noise: number } | 'rejected' | null> {
  const r = span.basis.rows;
  // along the normal, the normal's size in ratio units is about 1
  const measured = await measureAlong(
    streamer,
    { point, delta, scale: 1, sigma: 1 / Math.sqrt(r) },
    span.rows,
    s,
    run,
  );
  if (measured === null || measured === 'rejected') return measured;
  const c = measured.ratios;
  return { c, scale: norm2(c), noise: measured.noise / Math.sqrt(r) };
}

/** The span's orthonormal rows, as a matrix and one by one (the directions measured along). */
interface Span {
  readonly basis: Matrix;
  readonly rows: readonly Float64Array[];
}

function spanOf(basis: Matrix): Span {
  return { basis, rows: Array.from({ length: basis.rows }, (_, i) => row(basis, i)) };
}

/** Σ cᵢ uᵢ over the span's rows uᵢ. */
function inSpan(basis: Matrix, c: Float64Array): Float64Array {
  return matmul({ rows: 1, cols: c.length, data: c }, basis).data;
}
