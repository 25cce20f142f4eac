import { norm2 } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';
import { GOOD_SHARE, type BoundarySettings } from './boundaryOptions.js';
import { coarseLook, fineLook } from './boundaryProbes.js';
import { measureNewPart } from './boundaryNewPart.js';
import type { BoundaryPoint, BoundarySearch } from './boundarySearch.js';
import type { BoundaryState } from './boundaryState.js';
import type { RowStreamer } from './complementPoint.js';
import { NEWS_FACTOR } from './newsTracker.js';
import type { StopReason } from './result.js';

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
 * One measurement: examine up to `candidates` boundary points (stopping at the first whose new
 * share reaches {@link GOOD_SHARE}), measure the new part of the one with the largest share,
 * absorb it.
 */
export async function measurePoint(
  streamer: RowStreamer,
  search: BoundarySearch,
  rng: Rng,
  s: BoundarySettings,
  state: BoundaryState,
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
  const brought = absorb(state, v.part, v.noise, best.scale);
  state.streak = brought ? 0 : state.streak + 1;
  if (brought) state.pointsWithNews++;
  return null;
}

/**
 * Find a boundary point and look at its normal: coarsely, then (refined) finely when the coarse
 * look shows nothing, or while no curvature is known for the −δ brackets (the fine look's
 * asymmetry gives the first guess; measured points keep it up to date).
 */
async function examine(
  streamer: RowStreamer,
  search: BoundarySearch,
  rng: Rng,
  s: BoundarySettings,
  state: BoundaryState,
): Promise<Candidate | 'rejected' | 'flat' | null> {
  const found = await search.next();
  if (found === null || found === 'flat') return found;
  state.points++;
  const delta = state.offset * search.scale;
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
  // Only the first guess of the −δ brackets: a fine look's curvature is the whole normal's
  // over a small new part, so on a sigmoid net it read ~20× the measured points' asymmetry and
  // widened every later −δ bracket (n = 100, k = 20: 24.4 → 20.6 rows per ratio without it).
  if (!Number.isFinite(state.curvatureShare) && Number.isFinite(fine.curvatureShare)) {
    state.curvatureShare = fine.curvatureShare;
  }
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
 * in it (eliminating directions off by a root mean square `spanErrorRms` from a normal of size
 * `scale`, spread over them, leaves about spanErrorRms·scale); true when it did. The largest
 * error would do for float64 bits, whose directions err alike, but on a float32 model a few
 * weak directions off by 1e-2 then hid the last ones (n = 200, k = 32 ONNX net with a sigmoid
 * head: rank 30, 32 with the root mean square).
 */
function absorb(state: BoundaryState, v: Float64Array, noise: number, scale: number): boolean {
  const size = norm2(v);
  const leak = state.spanErrorRms * scale;
  const floor = NEWS_FACTOR * (noise + leak);
  if (!(size > floor) || !state.basis.add(v)) return false;
  state.added.push(v);
  const error = noise / size;
  const found = state.added.length;
  state.spanError = Math.max(state.spanError, error);
  state.spanErrorRms = Math.sqrt(((found - 1) * state.spanErrorRms ** 2 + error ** 2) / found);
  return true;
}
