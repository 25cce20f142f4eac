import { EchelonBasis } from '../linalg/echelon.js';
import type { Matrix } from '../linalg/matrix.js';
import { RatioNoise } from './boundaryNoise.js';
import { ModelFailures, type RunOutcome } from './modelFailures.js';
import { SmoothnessVotes } from './straddle.js';

/** What a boundary run has found and counted so far. */
export interface BoundaryState extends RunOutcome {
  readonly basis: EchelonBasis;
  readonly added: Float64Array[];
  /** Largest relative error of a direction found (its noise over its size). */
  spanError: number;
  /**
   * Root mean square of those errors: what they leave, together, in the new part of a normal
   * spread over the directions found (the news tests' allowance).
   */
  spanErrorRms: number;
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
  /** The model's ratio noise, from the asymmetries measured. */
  readonly noise: RatioNoise;
  /** Points given up in a row as lying next to a kink. */
  kinkedRun: number;
  /** Directions a refinement added from its normals' residuals (boundaryRefinement.ts). */
  extended: number;
  /** Offset δ in use, relative to the point scale. */
  readonly offset: number;
  /** Whether the run started again at a longer offset (boundaryOffset.ts). */
  readonly offsetSwitched: boolean;
}

/**
 * The state of a run that has found nothing yet, on inputs of dimension `n`, measuring at
 * offset `offset`.
 */
export function startBoundaryState(n: number, offset: number): BoundaryState {
  return {
    basis: new EchelonBasis(n),
    added: [],
    spanError: 0,
    spanErrorRms: 0,
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
    noise: new RatioNoise(),
    kinkedRun: 0,
    extended: 0,
    offset,
    offsetSwitched: false,
    failures: new ModelFailures(),
    stopReason: null,
  };
}

/**
 * The state of `state`'s run started again at offset `offset`: what it measured is dropped
 * (directions, noise, curvature, smoothness votes, runs), what it spent stays counted (points,
 * straddles, expansions, model failures), as does the last normal's size (a bracket guess that
 * does not depend on the offset).
 */
export function restartBoundaryState(state: BoundaryState, offset: number): BoundaryState {
  return {
    ...startBoundaryState(state.basis.n, offset),
    offsetSwitched: true,
    ratioScale: state.ratioScale,
    points: state.points,
    pointsRejected: state.pointsRejected,
    straddles: state.straddles,
    tally: state.tally,
    failures: state.failures,
  };
}

/**
 * The state of `state`'s run continued from a refined span (its rows `basis`, their predicted
 * error): the deflation looks again, its news test allowing for that error (or the
 * deflation's own, when smaller).
 */
export function resumeFrom(
  state: BoundaryState,
  refined: { readonly basis: Matrix; readonly predictedError: number },
): BoundaryState {
  const basis = EchelonBasis.fromRows(refined.basis);
  // a fit of fewer normals than directions predicts more error than the deflation's own
  const error = Math.min(refined.predictedError, state.spanErrorRms);
  return {
    ...state,
    basis,
    added: [...state.added],
    spanError: error,
    spanErrorRms: error,
    streak: 0,
    rejectedRun: 0,
    stopReason: null,
  };
}

/**
 * The state of `state`'s run with the directions a refinement added from its normals'
 * residuals (boundaryRefinement.ts): its basis the refined span's rows, the additions among the
 * directions found; the state as it was when the refinement added none.
 */
export function withExtensions(
  state: BoundaryState,
  refined: { readonly basis: Matrix; readonly extensions: readonly Float64Array[] },
): BoundaryState {
  if (refined.extensions.length === 0) return state;
  return {
    ...state,
    basis: EchelonBasis.fromRows(refined.basis),
    added: [...state.added, ...refined.extensions],
    extended: state.extended + refined.extensions.length,
  };
}
