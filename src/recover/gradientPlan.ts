/**
 * How many points the gradient method measures next: a pure function of what it has seen,
 * so the stopping rule can be tested without a model.
 */

/**
 * Points beyond those the current rank needs that must bring no new direction before we call
 * the rank saturated. Counted in points, not gradients: the m gradients of one point share
 * its activation pattern, so they are not independent draws from the span (a 10-output net
 * with k = 70 shows rank 69 from 8 points). Each point's gradient is a generic vector of the
 * span its pattern excites; if the span had a direction 8 random points all miss, they would
 * all have to lie in a hyperplane of it — probability zero for directions that random points
 * excite at all.
 */
export const SATURATION_OVERSAMPLE = 8;

/** What the plan looks at. */
export interface PlanInput {
  readonly n: number;
  /** Rank read from the spectrum so far. */
  readonly rank: number;
  /** Points accepted by the kink screen, and their nonzero gradients. */
  readonly accepted: number;
  readonly gradients: number;
  readonly outputsPerPoint: number;
  /** Points measured, accepted or not. */
  readonly measured: number;
  /** Consecutive points whose gradients brought no new direction. */
  readonly pointsWithoutNews: number;
  /** A fixed number of points to measure (the `points` option), if any. */
  readonly points?: number;
}

/** The next round: measure `wanted` points, or stop early once `noNewsLimit` bring nothing. */
export interface Round {
  readonly wanted: number;
  readonly untilNoNews: boolean;
  readonly noNewsLimit: number;
}

/**
 * The next round, or null to stop. Saturated when SATURATION_OVERSAMPLE accepted points beyond
 * those the rank needs exist; while every gradient is independent (rank = gradients), double
 * the points, ending the round early once SATURATION_OVERSAMPLE points bring no news.
 */
export function planNextRound(p: PlanInput): Round | null {
  const round = (wanted: number, untilNoNews: boolean): Round => ({
    wanted,
    untilNoNews,
    noNewsLimit: SATURATION_OVERSAMPLE,
  });
  if (p.points !== undefined) {
    const left = p.points - p.measured;
    return left > 0 ? round(left, false) : null;
  }
  if (p.rank === p.n) return null;
  const needed = Math.ceil(p.rank / p.outputsPerPoint) + SATURATION_OVERSAMPLE;
  if (p.accepted >= needed) return null;
  const independent = p.accepted > 0 && p.rank >= p.gradients;
  if (!independent) return round(needed - p.accepted, false);
  // The news tracker already saw enough points without news: its threshold and the SVD's
  // disagree about a direction at the noise level; stop rather than loop.
  if (p.pointsWithoutNews >= SATURATION_OVERSAMPLE) return null;
  const cap = Math.ceil(p.n / p.outputsPerPoint) + SATURATION_OVERSAMPLE - p.accepted;
  return round(Math.max(needed - p.accepted, Math.min(p.accepted, cap)), true);
}
