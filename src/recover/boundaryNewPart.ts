import type { EchelonBasis } from '../linalg/echelon.js';
import { norm2 } from '../linalg/matrix.js';
import { measureRatios, type Ratios } from './boundaryNormal.js';
import { BRACKET_SIGMAS, MIRROR_MARGIN } from './boundaryProbes.js';
import type { BoundaryPoint } from './boundarySearch.js';
import type { RowStreamer } from './complementPoint.js';
import { findStraddles, type SmoothnessVotes } from './straddle.js';

/**
 * The measurement of a boundary point's new part (the paper's method 2, step 2, deflated): one
 * ratio per complement direction of the echelon basis, straddles re-measured at shorter offsets.
 */

/** Offset shrink per re-measurement of a straddle, and re-measurements before giving up. */
export const STRADDLE_SHRINK = 16;
export const MAX_SHRINKS = 2;

/** Quantile of a point's curvature asymmetries that guesses the next −δ brackets. */
export const CURVATURE_QUANTILE = 0.9;

/** How ratios are measured. */
export interface NewPartSettings {
  /** Bits of each ratio below the typical new component. */
  readonly bits: number;
  /** Measure at −δ too (curvature cancelled, straddles seen). */
  readonly symmetric: boolean;
}

/** What a measurement reads of the run, and what it updates. */
export interface NewPartRun {
  readonly basis: EchelonBasis;
  /** Curvature asymmetry per unit component size (−δ bracket guess); updated here. */
  curvatureShare: number;
  straddles: number;
  readonly tally: { expansions: number };
  readonly votes: SmoothnessVotes;
}

/** The point measured: refined, its offset δ and its typical new component σ. */
export interface MeasuredPoint {
  readonly point: BoundaryPoint;
  readonly delta: number;
  readonly sigma: number;
}

/**
 * The new part of the normal: one ratio per complement direction d_j (v_j = ĝ·d_j, zero at the
 * pivots: the echelon form's reduced vector), straddles re-measured at shorter offsets;
 * 'rejected' when some ratio cannot be had cleanly.
 */
export async function measureNewPart(
  streamer: RowStreamer,
  candidate: MeasuredPoint,
  s: NewPartSettings,
  state: NewPartRun,
): Promise<Float64Array | 'rejected' | null> {
  const n = state.basis.n;
  const { point, delta, sigma } = candidate;
  const free = state.basis.freeCoordinates();
  const directions = Array.from(free, (j) => {
    const d = new Float64Array(n);
    state.basis.addDirection(d, j, 1);
    return d;
  });
  const resolution = sigma * 2 ** -s.bits;
  const norms = directions.map(norm2);
  const mirror = MIRROR_MARGIN * state.curvatureShare * sigma;
  const again = (indices: number[], offset: number) =>
    measureRatios(
      streamer,
      point,
      indices.map((i) => directions[i]),
      {
        offset,
        centres: new Float64Array(indices.length),
        halfWidths: Float64Array.from(indices, (i) => BRACKET_SIGMAS * sigma * norms[i]),
        resolutions: new Float64Array(indices.length).fill(resolution),
        // the −δ side differs from the +δ side's mirror by curvature, ∝ offset·‖d‖²
        mirrorHalfWidths: Float64Array.from(
          indices,
          (i) => mirror * (offset / delta) * norms[i] ** 2,
        ),
        symmetric: s.symmetric,
      },
    );
  const measured = await again(
    Array.from(free, (_, i) => i),
    delta,
  );
  if (measured === null) return null;
  state.tally.expansions += measured.expansions;
  learnCurvature(state, measured, norms, sigma);
  const clean = await resolveStraddles(measured, delta, resolution, s, state, again);
  if (clean === null || clean === 'rejected') return clean;
  const v = new Float64Array(n);
  free.forEach((j, i) => (v[j] = clean[i]));
  return v;
}

/** Keep a high quantile of the point's curvature asymmetries, per unit ‖d‖² and σ. */
function learnCurvature(state: NewPartRun, measured: Ratios, norms: number[], sigma: number): void {
  const shares = Array.from(measured.asymmetry, (a, i) => Math.abs(a) / (norms[i] ** 2 * sigma))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (shares.length === 0) return;
  state.curvatureShare = shares[Math.floor(CURVATURE_QUANTILE * (shares.length - 1))];
}

/** Re-measure straddled ratios at shorter offsets until none is left, or give the point up. */
async function resolveStraddles(
  measured: Ratios,
  delta: number,
  resolution: number,
  s: NewPartSettings,
  state: NewPartRun,
  again: (indices: number[], offset: number) => Promise<Ratios | null>,
): Promise<Float64Array | 'rejected' | null> {
  const ratios = Float64Array.from(measured.ratios);
  if (ratios.some(Number.isNaN)) return 'rejected';
  if (!s.symmetric) return ratios;
  let pending = findStraddles(measured.asymmetry, resolution, state.votes, true);
  for (let shrink = 1; pending.length > 0; shrink++) {
    if (shrink > MAX_SHRINKS) return 'rejected';
    state.straddles += pending.length;
    const r = await again(pending, delta * STRADDLE_SHRINK ** -shrink);
    if (r === null) return null;
    state.tally.expansions += r.expansions;
    if (r.ratios.some(Number.isNaN)) return 'rejected';
    pending.forEach((i, p) => (ratios[i] = r.ratios[p]));
    const still = findStraddles(r.asymmetry, resolution, state.votes, false);
    pending = still.map((p) => pending[p]);
  }
  return ratios;
}
