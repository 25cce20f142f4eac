import { zeros } from '../linalg/matrix.js';
import { gramSchmidtRows } from '../linalg/orthonormal.js';
import { singularValues } from '../linalg/svd.js';
import type { BoundarySettings } from './boundaryOptions.js';
import type { BoundaryRefined } from './boundaryRefinement.js';
import type { BoundarySearch } from './boundarySearch.js';
import type { BoundaryState } from './boundaryState.js';
import type { RecoveryResult } from './result.js';

/** What the boundary method reports beyond the common result fields. */
export interface BoundaryDetails {
  readonly [key: string]: number | string | boolean;
  offset: number;
  /** Whether the run started again at the float32 offset after reading a float32 model's noise. */
  offsetSwitched: boolean;
  bits: number;
  boundaryPoints: number;
  pointsWithNews: number;
  pointsRejected: number;
  straddlesRemeasured: number;
  bracketExpansions: number;
  randomPoints: number;
  spanError: number;
  /** Noise of one ratio over a typical normal component, at the offset (0: none measured). */
  ratioNoise: number;
  smooth: boolean;
  rankRule: string;
  modelFailures: number;
  /** Boundary points whose whole normal the refinement pooled (0: no refinement). */
  refinePoints: number;
  /** The refined span's predicted error (0: no refinement). */
  refinePredictedError: number;
  /** Normals the refinement's kink screen left out. */
  refineScreened: number;
  /** Directions the refinement added from its normals' parts off the span (0: none). */
  refineExtended: number;
}

/** The result of a finished run, under the method name `method`. */
export function boundaryResult(
  method: string,
  s: BoundarySettings,
  state: BoundaryState,
  search: BoundarySearch,
  refined: BoundaryRefined | null = null,
): RecoveryResult<BoundaryDetails> {
  const rank = state.basis.rank;
  // a later look's new directions are in the run's basis, not yet in the refined one
  const basis =
    refined !== null && refined.basis.rows === rank
      ? refined.basis
      : rank > 0
        ? gramSchmidtRows(state.basis.toMatrix())
        : zeros(0, s.n);
  const stacked = zeros(state.added.length, s.n);
  state.added.forEach((v, i) => stacked.data.set(v, i * s.n));
  return {
    method,
    basis,
    rank,
    singularValues: singularValues(stacked),
    rankGapRatio: Infinity,
    stopReason: state.stopReason ?? 'saturated',
    failure: state.failure,
    pointScale: search.scale,
    details: {
      offset: state.offset,
      offsetSwitched: state.offsetSwitched,
      bits: s.bits,
      boundaryPoints: state.points,
      pointsWithNews: state.pointsWithNews,
      pointsRejected: state.pointsRejected,
      straddlesRemeasured: state.straddles,
      bracketExpansions: state.tally.expansions,
      randomPoints: search.drawn,
      spanError: state.spanError,
      ratioNoise: state.noise.relative(state.offset * search.scale),
      smooth: state.votes.smooth ?? false,
      rankRule: 'news',
      modelFailures: state.failures.total,
      refinePoints: refined?.points ?? 0,
      refinePredictedError: refined?.predictedError ?? 0,
      refineScreened: refined?.screened ?? 0,
      refineExtended: state.extended,
    },
  };
}
