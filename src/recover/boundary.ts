import { EchelonBasis } from '../linalg/echelon.js';
import { norm2, zeros } from '../linalg/matrix.js';
import { gramSchmidtRows } from '../linalg/orthonormal.js';
import { singularValues } from '../linalg/svd.js';
import { isRealValued } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import { coarseLook, fineLook } from './boundaryProbes.js';
import { measureNewPart } from './boundaryNewPart.js';
import { BoundarySearch, certificatePoints, type BoundaryPoint } from './boundarySearch.js';
import { RowStreamer } from './complementPoint.js';
import { rowsPerCallFor } from './measure.js';
import { defineMethod } from './method.js';
import { CANDIDATES_OPTION, NO_NEWS_RUN_OPTION } from './sharedOptions.js';
import { measureGuarded, ModelFailures, type RunOutcome } from './modelFailures.js';
import { NEWS_FACTOR } from './newsTracker.js';
import type { ProgressListener, RecoveryResult, StopReason } from './result.js';
import { SmoothnessVotes } from './straddle.js';

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

/** What the boundary method reports beyond the common result fields. */
export interface BoundaryDetails {
  readonly [key: string]: number | string | boolean;
  offset: number;
  bits: number;
  boundaryPoints: number;
  pointsWithNews: number;
  pointsRejected: number;
  straddlesRemeasured: number;
  bracketExpansions: number;
  randomPoints: number;
  spanError: number;
  smooth: boolean;
  rankRule: string;
  modelFailures: number;
}

interface Settings {
  readonly n: number;
  readonly offset: number;
  readonly bits: number;
  readonly probes: number;
  readonly candidates: number;
  readonly noNewsRun: number;
  readonly symmetric: boolean;
}

interface State extends RunOutcome {
  readonly basis: EchelonBasis;
  readonly added: Float64Array[];
  /** Largest relative error of a direction found (its noise over its size). */
  spanError: number;
  /** Size of the last point's normal in ratio units (the next point's first guess). */
  ratioScale: number;
  /** Curvature asymmetry per unit component size (the next −δ brackets' guess). */
  curvatureShare: number;
  points: number;
  pointsWithNews: number;
  pointsRejected: number;
  straddles: number;
  readonly tally: { expansions: number };
  streak: number;
  /** Points rejected since the last one measured cleanly. */
  rejectedRun: number;
  readonly votes: SmoothnessVotes;
}

/** A boundary point looked at. */
interface Candidate {
  readonly point: BoundaryPoint;
  /** Whether the point's segment is fully halved (a measurement needs it). */
  readonly refined: boolean;
  /** Size of the normal, and its typical new component (0: no news). */
  readonly scale: number;
  readonly sigma: number;
  readonly delta: number;
  /** Share of the normal that is new: σ√(n − r) over the normal's size. */
  readonly share: number;
}

/**
 * The paper's method 2 (Section 4, "thresholded outputs, adaptive queries"), with the
 * deflation of our adaptive method: boundary points by bisection between random points that
 * disagree; at the best of a few, the normal's part off the span found so far, one ratio per
 * complement direction d_j of the echelon basis, each bisected from decisions; the part
 * becomes a direction when it stands above the noise. Stops after a run of boundary points
 * without news.
 */
export async function recoverFromBoundary(
  oracle: Oracle,
  rng: Rng,
  options: BoundaryOptions = {},
  onProgress: ProgressListener = () => {},
): Promise<RecoveryResult<BoundaryDetails>> {
  const n = oracle.inputDim;
  const s: Settings = {
    n,
    offset: options.offset ?? DEFAULT_OFFSET,
    bits: options.bits ?? DEFAULT_BITS,
    probes: options.probes ?? DEFAULT_PROBES,
    candidates: options.candidates ?? DEFAULT_CANDIDATES,
    noNewsRun: options.noNewsRun ?? DEFAULT_NO_NEWS_RUN,
    symmetric: options.symmetric ?? true,
  };
  const state: State = {
    basis: new EchelonBasis(n),
    added: [],
    spanError: 0,
    ratioScale: 1,
    curvatureShare: Infinity,
    points: 0,
    pointsWithNews: 0,
    pointsRejected: 0,
    straddles: 0,
    tally: { expansions: 0 },
    streak: 0,
    rejectedRun: 0,
    votes: new SmoothnessVotes(),
    failures: new ModelFailures(),
    stopReason: null,
  };
  const streamer = new RowStreamer(oracle, n, rowsPerCallFor(n, options.rowsPerCall));
  const search = new BoundarySearch(streamer, rng);
  while (state.stopReason === null) {
    await measureGuarded(
      state,
      () => streamer.rowsAnswered > 0,
      async () => {
        state.stopReason = await measurePoint(streamer, search, rng, s, state);
      },
    );
    if (state.stopReason === null) state.stopReason = stopCheck(s, state);
    onProgress({
      phase: 'boundary',
      done: state.basis.rank,
      total: n,
      message: `rank ${state.basis.rank}, ${state.points} boundary points, ${state.streak} without news`,
    });
  }
  const near = state.stopReason === 'saturated' ? await certificatePoints(search) : undefined;
  return { ...result(s, state, search), nearBoundary: near };
}

function stopCheck(s: Settings, state: State): StopReason | null {
  if (state.basis.rank === s.n) return 'full-rank';
  if (state.rejectedRun >= REJECTED_RUN_FACTOR * s.noNewsRun) return 'saturated';
  return state.streak >= s.noNewsRun ? 'saturated' : null;
}

/**
 * Rejected points in a row (each a failed line: another class met, a flip out of reach, a
 * straddle that shorter offsets did not resolve), as a multiple of the no-news run, after which
 * the run ends with what it has: the model's boundary cannot be measured at this offset.
 */
export const REJECTED_RUN_FACTOR = 4;

/**
 * One measurement: examine up to `candidates` boundary points (stopping at the first whose new
 * share reaches {@link GOOD_SHARE}), measure the new part of the one with the largest share,
 * absorb it.
 */
async function measurePoint(
  streamer: RowStreamer,
  search: BoundarySearch,
  rng: Rng,
  s: Settings,
  state: State,
): Promise<StopReason | null> {
  let best: Candidate | null = null;
  for (let c = 0; c < s.candidates && (best === null || best.share < GOOD_SHARE); c++) {
    const found = await examine(streamer, search, rng, s, state);
    if (found === null) return 'budget';
    if (found === 'flat') return best === null ? 'saturated' : null;
    if (found === 'rejected') {
      state.pointsRejected++;
      state.rejectedRun++;
      continue;
    }
    state.rejectedRun = 0;
    if (found.sigma === 0) state.streak++;
    else if (best === null || found.share > best.share) best = found;
    if (state.streak >= s.noNewsRun) break;
  }
  if (best === null) return null;
  const point = best.refined ? best.point : await search.refine(best.point);
  if (point === null) return 'budget';
  const v = await measureNewPart(streamer, { ...best, point }, s, state);
  if (v === null) return 'budget';
  if (v === 'rejected') {
    state.pointsRejected++;
    state.rejectedRun++;
    return null;
  }
  const brought = absorb(s, state, v, best.sigma * 2 ** -s.bits, best.scale);
  state.streak = brought ? 0 : state.streak + 1;
  if (brought) state.pointsWithNews++;
  return null;
}

/**
 * Find a boundary point and look at its normal: coarsely, then (refined) finely when the coarse
 * look shows nothing, or while no curvature is known for the −δ brackets.
 */
async function examine(
  streamer: RowStreamer,
  search: BoundarySearch,
  rng: Rng,
  s: Settings,
  state: State,
): Promise<Candidate | 'rejected' | 'flat' | null> {
  const found = await search.next();
  if (found === null || found === 'flat') return found;
  state.points++;
  const delta = s.offset * search.scale;
  const ctx = { streamer, rng, ...s, ...state };
  const coarse = await coarseLook(ctx, found, delta, state.ratioScale);
  if (coarse === null || coarse === 'rejected') return coarse;
  state.ratioScale = coarse.scale;
  const share = (sigma: number) => (sigma * Math.sqrt(s.n - state.basis.rank)) / coarse.scale;
  if (coarse.sigma > 0 && Number.isFinite(state.curvatureShare)) {
    return { point: found, refined: false, delta, ...coarse, share: share(coarse.sigma) };
  }
  const point = await search.refine(found);
  if (point === null) return null;
  const fine = await fineLook(ctx, point, delta, coarse.scale);
  if (fine === null || fine === 'rejected') return fine;
  if (Number.isFinite(fine.curvatureShare)) state.curvatureShare = fine.curvatureShare;
  return {
    point,
    refined: true,
    delta,
    scale: coarse.scale,
    sigma: fine.sigma,
    share: share(fine.sigma),
  };
}

/**
 * Add the new part when it stands above its noise and above what the span's own error leaves
 * in it (the directions found are off by up to `spanError`, so eliminating them from a normal
 * of size `scale` leaves up to spanError·scale); true when it did.
 */
function absorb(
  s: Settings,
  state: State,
  v: Float64Array,
  resolution: number,
  scale: number,
): boolean {
  const free = s.n - state.basis.rank;
  const noise = resolution * Math.sqrt(free);
  const size = norm2(v);
  const floor = NEWS_FACTOR * (noise + state.spanError * scale);
  if (!(size > floor) || !state.basis.add(v)) return false;
  state.added.push(v);
  state.spanError = Math.max(state.spanError, noise / size);
  return true;
}

function result(
  s: Settings,
  state: State,
  search: BoundarySearch,
): RecoveryResult<BoundaryDetails> {
  const rank = state.basis.rank;
  const stacked = zeros(state.added.length, s.n);
  state.added.forEach((v, i) => stacked.data.set(v, i * s.n));
  return {
    method: boundaryMethod.name,
    basis: rank > 0 ? gramSchmidtRows(state.basis.toMatrix()) : zeros(0, s.n),
    rank,
    singularValues: singularValues(stacked),
    rankGapRatio: Infinity,
    stopReason: state.stopReason ?? 'saturated',
    failure: state.failure,
    pointScale: search.scale,
    details: {
      offset: s.offset,
      bits: s.bits,
      boundaryPoints: state.points,
      pointsWithNews: state.pointsWithNews,
      pointsRejected: state.pointsRejected,
      straddlesRemeasured: state.straddles,
      bracketExpansions: state.tally.expansions,
      randomPoints: search.drawn,
      spanError: state.spanError,
      smooth: state.votes.smooth ?? false,
      rankRule: 'news',
      modelFailures: state.failures.total,
    },
  };
}

/** The registry's entry: the paper's method 2, for labels and thresholded bits. */
export const boundaryMethod = defineMethod({
  name: 'boundary',
  summary: "the paper's method for bits and labels: normals at decision-boundary points",
  accepts: (access) => !isRealValued(access),
  autoPriority: 1,
  options: [
    {
      key: 'offset',
      placeholder: 'd',
      kind: 'positive',
      description: 'offset of the normal measurements, relative to the point scale (default 1e-5)',
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
  ],
  run: (oracle, rng, options, onProgress) => recoverFromBoundary(oracle, rng, options, onProgress),
});
