import type { EchelonBasis } from '../linalg/echelon.js';
import { norm2 } from '../linalg/matrix.js';
import { asymmetryNoise, type RatioNoise } from './boundaryNoise.js';
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

/**
 * Share of a point's ratios that may straddle a kink on a model whose noise grows at shorter
 * offsets: more, and the point lies next to a kink and is given up rather than re-measured.
 */
export const NOISY_STRADDLE_SHARE = 1 / 8;

/**
 * A point whose own noise exceeds the model's by this factor, once this many points have
 * measured the model's, lies next to a kink (most of its ratios straddle it) and is given up,
 * at most {@link MAX_KINKED_RUN} in a row (a model whose points differ that much is measured
 * as it is). On a float32 n = 1536 net one such point (0.46 of a new share) gave a direction
 * off by 3.5e-2 at offset 1e-2, when the others were off by 1e-3–5e-3; on a float32 n = 200
 * net the points' own levels were 0.6–6 times the median, 10, 20 and 2000 at three points.
 */
export const KINKED_POINT_FACTOR = 8;
export const KINKED_POINT_EVIDENCE = 3;
export const MAX_KINKED_RUN = 2;

/**
 * Offset shrink per re-measurement on a model with a noise floor, and re-measurements before
 * giving up (the same 256× in all): its noise grows as the offset shrinks, so in steps of 4.
 */
export const NOISY_STRADDLE_SHRINK = 4;
export const NOISY_MAX_SHRINKS = 4;

/** Quantile of a point's curvature asymmetries that guesses the next −δ brackets. */
export const CURVATURE_QUANTILE = 0.9;

/** How ratios are measured. */
export interface NewPartSettings {
  /** Bits of each ratio below the typical new component. */
  readonly bits: number;
  /** Measure at −δ too (curvature cancelled, straddles seen). */
  readonly symmetric: boolean;
  /** Read the model's noise from the asymmetries (a model not known to be float64). */
  readonly noiseFloor: boolean;
}

/** What a measurement reads of the run, and what it updates. */
export interface NewPartRun {
  readonly basis: EchelonBasis;
  /** Curvature asymmetry per unit component size (−δ bracket guess); updated here. */
  curvatureShare: number;
  straddles: number;
  readonly tally: { expansions: number };
  readonly votes: SmoothnessVotes;
  /** The model's ratio noise: calibrated here, and a floor of every resolution. */
  readonly noise: RatioNoise;
  /** Points given up in a row as lying next to a kink. */
  kinkedRun: number;
}

/** The point measured: refined, its offset δ, its normal's size and typical new component σ. */
export interface MeasuredPoint {
  readonly point: BoundaryPoint;
  readonly delta: number;
  readonly scale: number;
  readonly sigma: number;
}

/** A measured new part, and the norm of its noise (resolution or model noise, per ratio). */
export interface NewPart {
  readonly part: Float64Array;
  readonly noise: number;
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
): Promise<NewPart | 'rejected' | null> {
  const n = state.basis.n;
  const free = state.basis.freeCoordinates();
  const directions = Array.from(free, (j) => {
    const d = new Float64Array(n);
    state.basis.addDirection(d, j, 1);
    return d;
  });
  const clean = await measureAlong(streamer, candidate, directions, s, state);
  if (clean === null || clean === 'rejected') return clean;
  const v = new Float64Array(n);
  free.forEach((j, i) => (v[j] = clean.ratios[i]));
  return { part: v, noise: clean.noise };
}

/** Ratios along some directions, and the norm of their errors. */
export interface MeasuredRatios {
  readonly ratios: Float64Array;
  readonly noise: number;
}

/**
 * The ratios of the normal at the candidate along `directions` (symmetric, straddles
 * re-measured at shorter offsets, a point next to a kink given up), with σ the typical size
 * of one: 'rejected' when some ratio cannot be had cleanly.
 */
export async function measureAlong(
  streamer: RowStreamer,
  candidate: MeasuredPoint,
  directions: readonly Float64Array[],
  s: NewPartSettings,
  state: NewPartRun,
): Promise<MeasuredRatios | 'rejected' | null> {
  const n = state.basis.n;
  const { point, delta, sigma } = candidate;
  const perComponent = candidate.scale / Math.sqrt(n);
  // bisecting below the model's noise at that offset buys nothing
  const resolutionAt = (offset: number) =>
    Math.max(sigma * 2 ** -s.bits, state.noise.level(offset, perComponent));
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
        resolutions: new Float64Array(indices.length).fill(resolutionAt(offset)),
        // the −δ side differs from the +δ side's mirror by curvature, ∝ offset·‖d‖²
        mirrorHalfWidths: Float64Array.from(
          indices,
          (i) => mirror * (offset / delta) * norms[i] ** 2,
        ),
        symmetric: s.symmetric,
      },
    );
  const used = resolutionAt(delta);
  const model = state.noise.level(delta, perComponent);
  // most ratios of a point next to a kink straddle it: its "noise" is the kink's jump
  const ownNoise = (r: Ratios) =>
    s.symmetric && s.noiseFloor ? asymmetryNoise(r.asymmetry, used) : 0;
  const kinked = (own: number) =>
    state.noise.points >= KINKED_POINT_EVIDENCE &&
    model > 0 &&
    own > KINKED_POINT_FACTOR * model &&
    state.kinkedRun < MAX_KINKED_RUN;
  // each ratio errs by its resolution or by the noise at its offset (the model's, or this
  // point's own where larger), whichever is more
  const errorsAt = (own: number) => (offset: number) =>
    Math.max(used, resolutionAt(offset), (own * delta) / offset);
  // on a model whose noise is known, a pilot decides first whether the point is worth measuring
  const pilot =
    s.symmetric && s.noiseFloor && state.noise.points >= KINKED_POINT_EVIDENCE && model > 0
      ? (r: Ratios) => {
          const own = ownNoise(r);
          if (kinked(own)) return 'kinked';
          return pilotStraddled(r, delta, errorsAt(own), state.votes) ? 'straddled' : null;
        }
      : null;
  const measured = await measureWithPilot(directions.length, delta, again, pilot);
  if (measured === null) return null;
  if (measured === 'kinked' || measured === 'straddled') {
    if (measured === 'kinked') state.kinkedRun++;
    return 'rejected';
  }
  state.tally.expansions += measured.expansions;
  learnCurvature(state, measured, norms, sigma);
  const own = ownNoise(measured);
  if (kinked(own)) {
    state.kinkedRun++;
    return 'rejected';
  }
  state.kinkedRun = 0;
  if (s.symmetric && s.noiseFloor) state.noise.observe(own, delta, perComponent);
  const clean = await resolveStraddles(measured, delta, errorsAt(own), s, state, again);
  if (clean === null || clean === 'rejected') return clean;
  let noise2 = 0;
  for (const e of clean.errors) noise2 += e * e;
  return { ratios: clean.ratios, noise: Math.sqrt(noise2) };
}

/**
 * Ratios measured first at a point, spread over its directions, when it has many: a point next
 * to a kink (its own noise far above the model's, or many ratios straddling) shows as much in
 * a few ratios as in all of them, and is given up after these. On a float32 n = 1536, k = 128
 * one-bit net (the lookalike's shape), measured whole, 118 points were given up as kinked and
 * 44 for their straddles, each after ~1400 ratios: 14.0 of the run's 57.9× the floor.
 */
export const PILOT_RATIOS = 32;

/**
 * A pilot gives a point up for straddles when more than this many times the share that gives
 * up a whole measurement ({@link NOISY_STRADDLE_SHARE}) of its ratios straddle: 32 ratios tell
 * the share only to about ±50 %, and a point the pilot keeps is still judged on all of them.
 */
export const PILOT_MARGIN = 2;

/**
 * All the ratios (indices 0 … count − 1) at offset δ: first {@link PILOT_RATIOS} of them when
 * there are at least twice as many and a `pilot` judges points, then the rest unless the pilot
 * gives the point up (its verdict returned instead); null when the budget ran out.
 */
async function measureWithPilot<V extends string>(
  count: number,
  delta: number,
  again: (indices: number[], offset: number) => Promise<Ratios | null>,
  pilot: ((first: Ratios) => V | null) | null,
): Promise<Ratios | V | null> {
  const all = Array.from({ length: count }, (_, i) => i);
  if (pilot === null || count < 2 * PILOT_RATIOS) return again(all, delta);
  const stride = count / PILOT_RATIOS;
  const first = Array.from({ length: PILOT_RATIOS }, (_, p) => Math.floor(p * stride));
  const head = await again(first, delta);
  if (head === null) return null;
  const verdict = pilot(head);
  if (verdict !== null) return verdict;
  const chosen = new Set(first);
  const rest = all.filter((i) => !chosen.has(i));
  const tail = await again(rest, delta);
  if (tail === null) return null;
  const ratios = new Float64Array(count);
  const asymmetry = new Float64Array(count);
  first.forEach((i, p) => {
    ratios[i] = head.ratios[p];
    asymmetry[i] = head.asymmetry[p];
  });
  rest.forEach((i, p) => {
    ratios[i] = tail.ratios[p];
    asymmetry[i] = tail.asymmetry[p];
  });
  return { ratios, asymmetry, expansions: head.expansions + tail.expansions };
}

/** Keep a high quantile of the point's curvature asymmetries, per unit ‖d‖² and σ. */
function learnCurvature(state: NewPartRun, measured: Ratios, norms: number[], sigma: number): void {
  const shares = Array.from(measured.asymmetry, (a, i) => Math.abs(a) / (norms[i] ** 2 * sigma))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (shares.length === 0) return;
  state.curvatureShare = shares[Math.floor(CURVATURE_QUANTILE * (shares.length - 1))];
}

/** Whether a pilot's ratios give the point up for its straddles (see {@link PILOT_MARGIN}). */
function pilotStraddled(
  r: Ratios,
  delta: number,
  errorAt: (offset: number) => number,
  votes: SmoothnessVotes,
): boolean {
  const found = findStraddles(r.asymmetry, errorAt(delta), votes, false);
  const shorter = errorAt(delta / NOISY_STRADDLE_SHRINK);
  const worth = found.filter((i) => Math.abs(r.asymmetry[i]) > shorter).length;
  return straddledAway(worth, r.ratios.length, delta, errorAt, NOISY_STRADDLE_SHRINK, PILOT_MARGIN);
}

/**
 * Whether a point is given up for its straddles: `worth` of its `count` ratios straddle by
 * more than a shorter offset's error, more than `margin` times {@link NOISY_STRADDLE_SHARE} of
 * them, where the shorter offset costs precision (a noisy model).
 */
function straddledAway(
  worth: number,
  count: number,
  delta: number,
  errorAt: (offset: number) => number,
  shrinkBy: number,
  margin: number,
): boolean {
  return (
    errorAt(delta / shrinkBy) > errorAt(delta) && worth > margin * NOISY_STRADDLE_SHARE * count
  );
}

/**
 * Re-measure straddled ratios at shorter offsets until none is left, or give the point up.
 * `errorAt(offset)` is a ratio's error at that offset (resolution or noise), the unit in which
 * an asymmetry is judged; the errors of the ratios kept are returned beside them.
 */
async function resolveStraddles(
  measured: Ratios,
  delta: number,
  errorAt: (offset: number) => number,
  s: NewPartSettings,
  state: NewPartRun,
  again: (indices: number[], offset: number) => Promise<Ratios | null>,
): Promise<{ ratios: Float64Array; errors: Float64Array } | 'rejected' | null> {
  const ratios = Float64Array.from(measured.ratios);
  const errors = new Float64Array(ratios.length).fill(errorAt(delta));
  const shrinkBy = s.noiseFloor ? NOISY_STRADDLE_SHRINK : STRADDLE_SHRINK;
  const maxShrinks = s.noiseFloor ? NOISY_MAX_SHRINKS : MAX_SHRINKS;
  if (ratios.some(Number.isNaN)) return 'rejected';
  if (!s.symmetric) return { ratios, errors };
  // A shorter offset is worth it only where the straddle's error (its asymmetry) exceeds the
  // shorter offset's noise; a smaller asymmetry stays, counted as that ratio's error.
  const worthIt = (found: number[], asymmetry: Float64Array, offset: number) =>
    found.filter((p) => Math.abs(asymmetry[p]) > errorAt(offset / shrinkBy));
  const kept = (found: number[], asymmetry: Float64Array, indices: (p: number) => number) => {
    for (const p of found) {
      const i = indices(p);
      errors[i] = Math.max(errors[i], Math.abs(asymmetry[p]));
    }
  };
  const first = findStraddles(measured.asymmetry, errorAt(delta), state.votes, true);
  let pending = worthIt(first, measured.asymmetry, delta);
  kept(
    first.filter((i) => !pending.includes(i)),
    measured.asymmetry,
    (i) => i,
  );
  // on a noisy model a shorter offset costs precision: a point next to a kink is given up
  if (straddledAway(pending.length, ratios.length, delta, errorAt, shrinkBy, 1)) return 'rejected';
  for (let shrink = 1; pending.length > 0; shrink++) {
    if (shrink > maxShrinks) return 'rejected';
    state.straddles += pending.length;
    const offset = delta * shrinkBy ** -shrink;
    const r = await again(pending, offset);
    if (r === null) return null;
    state.tally.expansions += r.expansions;
    if (r.ratios.some(Number.isNaN)) return 'rejected';
    pending.forEach((i, p) => {
      ratios[i] = r.ratios[p];
      errors[i] = errorAt(offset);
    });
    const still = findStraddles(r.asymmetry, errorAt(offset), state.votes, false);
    const worth = worthIt(still, r.asymmetry, offset);
    const before = pending;
    kept(
      still.filter((p) => !worth.includes(p)),
      r.asymmetry,
      (p) => before[p],
    );
    pending = worth.map((p) => before[p]);
  }
  return { ratios, errors };
}
