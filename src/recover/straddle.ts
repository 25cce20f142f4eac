/**
 * Which symmetric ratio measurements straddle a ReLU kink. The asymmetry `(t(+δ) + t(−δ)) / 2δ`
 * of a ratio is the curvature term c_u·δ on a smooth model, exactly 0 (to the bisection's
 * resolution) on one linear piece of a ReLU model, and the jump of the ratio between two pieces
 * when a kink lies between the offsets — the same size as the error that jump causes. So on a
 * piecewise-linear model every asymmetry above the resolution marks a straddle; on a smooth one
 * only an asymmetry far above the point's typical curvature does.
 */

/** Asymmetry above this many resolutions is not bisection noise (each side errs ≤ ½). */
export const STRADDLE_FACTOR = 4;
/** On a smooth model, asymmetry above this many times the point's median is a straddle. */
export const CURVATURE_MARGIN = 8;
/** A point where at least this share of the ratios is asymmetric votes "smooth". */
export const SMOOTH_SHARE = 0.5;
/** Points whose votes decide, once, whether the model is smooth. */
export const SMOOTH_EVIDENCE = 5;

/** Votes of the first boundary points on whether the model is smooth (curved everywhere). */
export class SmoothnessVotes {
  private seen = 0;
  private curved = 0;
  /** The decision, once {@link SMOOTH_EVIDENCE} points voted; null before. */
  smooth: boolean | null = null;

  record(curved: boolean): void {
    if (this.smooth !== null) return;
    this.seen++;
    if (curved) this.curved++;
    if (this.seen === SMOOTH_EVIDENCE) this.smooth = this.curved > SMOOTH_EVIDENCE / 2;
  }
}

/**
 * Indices of the straddled ratios among `asymmetry` (resolution in the same units). With
 * `vote`, the point also votes on smoothness; until the votes decide, its own share decides.
 */
export function findStraddles(
  asymmetry: Float64Array,
  resolution: number,
  votes: SmoothnessVotes,
  vote: boolean,
): number[] {
  const noise = STRADDLE_FACTOR * resolution;
  const sizes = Array.from(asymmetry, Math.abs);
  const curved = sizes.filter((a) => a > noise).length >= SMOOTH_SHARE * sizes.length;
  if (vote) votes.record(curved);
  const smooth = votes.smooth ?? curved;
  const limit = smooth ? noise + CURVATURE_MARGIN * median(sizes) : noise;
  return sizes.flatMap((a, i) => (a > limit ? [i] : []));
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length === 0 ? 0 : v[v.length >> 1];
}
