import { insertSorted } from './sortedInsert.js';

/**
 * The noise of a boundary ratio, measured from the ratios' own asymmetries.
 *
 * A model that rounds (float32 arithmetic, float32 inputs, a float32 score thresholded) flips
 * its decision not on a surface but in a thin band around it, so each bisected crossing is off
 * by up to the band's width ε_t, and a ratio `(t(−δ) − t(+δ)) / 2δ` by ε_t/δ: noise that falls
 * as 1/δ and that no number of bits removes. The asymmetry `(t(+δ) + t(−δ)) / 2δ` carries the
 * same noise, on top of a curvature term (∝ δ) and the rare straddled kink, so the median
 * |asymmetry| over a point's ratios is an upper bound of it that the kinks do not move.
 * Measured on a float32 n = 1536 ReLU net with a sigmoid head, thresholded at 0.5: ratio errors
 * of about 5e-6/δ of a typical component, asymmetries 1–2.5× that. On a float64 model the
 * asymmetries are curvature and kinks only (at offsets of 1e-3 and more they exceed the
 * resolution), so the boundary method uses this floor on models not known to be float64.
 *
 * Levels are stored in a unit that does not depend on the offset or the point: noise times δ
 * (noise ∝ 1/δ) over the point's typical component (the normal's size over √n).
 */
export class RatioNoise {
  /** Each measured point's own level, times δ over its typical component; ascending. */
  private readonly levels: number[] = [];

  /**
   * Record a point's own noise level `own` ({@link asymmetryNoise}; 0 when none showed),
   * measured at offset `delta` at a point whose typical component is `perComponent`.
   */
  observe(own: number, delta: number, perComponent: number): void {
    const level = (own * delta) / perComponent;
    if (Number.isFinite(level)) insertSorted(this.levels, level);
  }

  /**
   * Standard deviation of one ratio measured at offset `delta` at a point whose typical
   * component is `perComponent` (in that point's ratio units): the median over the points
   * measured, so that the few points next to a kink (most of their ratios straddled) do not
   * set it; 0 before any point.
   */
  level(delta: number, perComponent: number): number {
    if (this.levels.length === 0) return 0;
    return (this.levels[this.levels.length >> 1] * perComponent) / delta;
  }

  /** Points measured so far. */
  get points(): number {
    return this.levels.length;
  }

  /** The noise level relative to a typical component at offset `delta` (for the details). */
  relative(delta: number): number {
    return this.level(delta, 1);
  }
}

/**
 * The noise of one ratio as a point's own asymmetries show it (their median |·| over 0.674,
 * a Gaussian's); 0 when that median is below {@link NOISE_VISIBLE} resolutions (the
 * bisection's own rounding). Points differ (the band's width over ∇f·d varies), so a point's
 * own level, from its n − r ratios, judges its straddles better than the pooled one.
 */
export function asymmetryNoise(asymmetry: Float64Array, resolution: number): number {
  const sizes = Array.from(asymmetry, Math.abs)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (sizes.length === 0) return 0;
  const median = sizes[sizes.length >> 1];
  return median > NOISE_VISIBLE * resolution ? median / 0.674 : 0;
}

/**
 * Median |asymmetry| over the resolution above which it is noise: the bisection alone leaves
 * each side off by up to half a resolution, a median |asymmetry| of ~0.1 resolution (measured
 * on float64 tanh and sigmoid nets at the default offset).
 */
export const NOISE_VISIBLE = 0.3;
