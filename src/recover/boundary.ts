import { isRealValued } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import { measurePoint } from './boundaryMeasurement.js';
import { adaptOffset } from './boundaryOffset.js';
import {
  BOUNDARY_OPTION_DECLARATIONS,
  SEEDS_OPTION,
  boundarySettings,
  type BoundaryOptions,
  type BoundarySettings,
} from './boundaryOptions.js';
import {
  refineBoundarySpan,
  refineRowLimit,
  type BoundaryRefined,
  type PooledNormal,
} from './boundaryRefinement.js';
import { boundaryResult, type BoundaryDetails } from './boundaryResult.js';
import { BoundarySearch, certificatePoints } from './boundarySearch.js';
import {
  resumeFrom,
  startBoundaryState,
  withExtensions,
  type BoundaryState,
} from './boundaryState.js';
import { RowStreamer } from './complementPoint.js';
import { rowsPerCallFor } from './measure.js';
import { defineMethod } from './method.js';
import { measureGuarded } from './modelFailures.js';
import type { ProgressListener, RecoveryResult, StopReason } from './result.js';

export type { BoundaryOptions } from './boundaryOptions.js';
export type { BoundaryDetails } from './boundaryResult.js';
export { REFINE_FACTOR_NOISY } from './boundaryRefinement.js';

/**
 * The paper's method 2 (Section 4, "thresholded outputs, adaptive queries"), with the
 * deflation of our adaptive method: boundary points by bisection between random points that
 * disagree; at the best of a few, the normal's part off the span found so far, one ratio per
 * complement direction d_j of the echelon basis, each bisected from decisions; the part
 * becomes a direction when it stands above the noise. Stops after a run of boundary points
 * without news. On a model of unknown precision the run starts again at the float32 offset
 * once the noise read at the measured points shows a float32 model (boundaryOffset.ts).
 */
export async function recoverFromBoundary(
  oracle: Oracle,
  rng: Rng,
  options: BoundaryOptions = {},
  onProgress: ProgressListener = () => {},
): Promise<RecoveryResult<BoundaryDetails>> {
  const n = oracle.inputDim;
  const s = boundarySettings(n, options, oracle.precision);
  let state: BoundaryState = startBoundaryState(n, s.offset);
  const streamer = new RowStreamer(oracle, n, rowsPerCallFor(n, options.rowsPerCall));
  const search = new BoundarySearch(streamer, rng, options.seeds);
  state = await deflate(streamer, search, rng, s, state, onProgress);
  // On a noisy model: pool as many normals as directions (the fit then determines each), look
  // again for directions that the deflation's error hid (its news test allows for it), and so
  // on; after a look that finds none, or the last, pool normals until the row limit.
  const samples: PooledNormal[] = [];
  let refined: BoundaryRefined | null = null;
  for (let look = 0; ; look++) {
    const limit = refineRowLimit(s, state, streamer.rowsAnswered, samples.length);
    if (limit <= streamer.rowsAnswered) break;
    const last = look === MAX_LOOKS_AGAIN;
    const normals = last ? Infinity : state.basis.rank;
    const pooled = await refineBoundarySpan(
      streamer,
      search,
      s,
      state,
      limit,
      normals,
      samples,
      onProgress,
    );
    if (pooled !== null) state = withExtensions(state, pooled);
    refined = pooled ?? refined;
    if (last || refined === null) break;
    const before = state.basis.rank;
    state = await deflate(streamer, search, rng, s, resumeFrom(state, refined), onProgress);
    if (state.basis.rank === before) look = MAX_LOOKS_AGAIN - 1;
  }
  const near = state.stopReason === 'saturated' ? await certificatePoints(search) : undefined;
  return { ...boundaryResult(boundaryMethod.name, s, state, search, refined), nearBoundary: near };
}

/**
 * Measure boundary points, absorbing their news, until the run stops (no news, full rank,
 * budget, model failures); on a model of unknown precision, start again at the float32 offset
 * once its noise shows (boundaryOffset.ts).
 */
export async function deflate(
  streamer: RowStreamer,
  search: BoundarySearch,
  rng: Rng,
  s: BoundarySettings,
  start: BoundaryState,
  onProgress: ProgressListener,
): Promise<BoundaryState> {
  let state = start;
  while (state.stopReason === null) {
    await measureGuarded(
      state,
      () => streamer.rowsAnswered > 0,
      async () => {
        state.stopReason = await measurePoint(streamer, search, rng, s, state);
      },
    );
    // noise at the default offset also ends a run early, as no news
    if (state.stopReason === null || state.stopReason === 'saturated') {
      state = adaptOffset(s, state, search.scale);
    }
    if (state.stopReason === null) state.stopReason = stopCheck(s, state);
    onProgress({
      phase: 'boundary',
      done: state.basis.rank,
      total: s.n,
      message: `rank ${state.basis.rank}, ${state.points} boundary points, ${state.streak} without news`,
    });
  }
  return state;
}

function stopCheck(s: BoundarySettings, state: BoundaryState): StopReason | null {
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
 * Looks again for directions after pooling normals on a noisy model, each once as many normals
 * as directions are pooled; a look that finds nothing leaves the rest to one last pooling.
 */
export const MAX_LOOKS_AGAIN = 3;

/** The registry's entry: the paper's method 2, for labels and thresholded bits. */
export const boundaryMethod = defineMethod({
  name: 'boundary',
  summary: "the paper's method for bits and labels: normals at decision-boundary points",
  accepts: (access) => !isRealValued(access),
  autoPriority: 1,
  options: BOUNDARY_OPTION_DECLARATIONS,
  inputOptions: [SEEDS_OPTION],
  run: (oracle, rng, options, onProgress) => recoverFromBoundary(oracle, rng, options, onProgress),
});
