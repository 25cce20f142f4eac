/**
 * Rank selection from a descending singular-value spectrum: where does the signal end?
 *
 * The spectra we read come from stacked gradient estimates. Their signal part (the `k`
 * directions of the row span) has values spread over one to two decades (first-layer units
 * influence the output unequally); below it sits a noise plateau set by the measurement: about
 * 1e-4·s₀ for finite differences on float32 models, 1e-13…1e-10·s₀ for float64 ones, and the
 * SVD's own rounding (≲ max(rows, cols)·ε·s₀) for exact gradients. The rank is the index of
 * the largest drop between consecutive values, provided that drop is too large to be a
 * within-signal spread.
 *
 * The rule, for `s` descending with `s₀ = s[0] > 0` and length `L`:
 * 1. `zeroTol = maxDim·ε·s₀` (`maxDim = max(rows, cols)` of the decomposed matrix; default
 *    `L`): values at or below it are zero — the SVD cannot tell them from 0.
 * 2. `floorAbs = max(floor·s₀, zeroTol)` with `floor` default {@link DEFAULT_RELATIVE_FLOOR}.
 *    Only indices `i` with `s[i] > floorAbs` may end the signal: below the floor lies rounding
 *    debris whose consecutive ratios are meaningless (1e-15 / 1e-18 is a "gap" of 1000).
 * 3. `ratio(i) = s[i] / max(s[i+1], zeroTol)` for those `i < L − 1`; the best `i` maximises it.
 *    Measuring against `zeroTol` keeps the ratio finite when the next value is exactly zero.
 * 4. If `ratio(best) ≥ minGapRatio` (default {@link MIN_GAP_RATIO}) the rank is `best + 1`
 *    (rule `gap`). Otherwise there is no gap to read: the rank is the number of values above
 *    `floorAbs` (rule `no-gap`) — the full length for a full-rank spectrum, since a matrix with
 *    as many rows as its rank has no noise plateau at all.
 * 5. An empty or all-zero spectrum has rank 0 (rule `zero`).
 *
 * Known limit: if the noise block of the stacked matrix is nearly square, its smallest singular
 * value can drop far below the plateau (the smallest singular value of an N×N Gaussian matrix
 * is ~1/N of the largest), creating a trailing ratio that may, rarely, beat the signal gap.
 * Stack clearly fewer rows than the input dimension, or pass a spectrum truncated to the
 * interesting part.
 */

/**
 * Smallest consecutive ratio `s[i]/s[i+1]` accepted as the end of the signal.
 *
 * It must lie between two measured scales: genuine signal spectra have consecutive ratios up
 * to ~10–30 (a few units, spread over up to 100×, can sit a decade apart), while a float32
 * finite-difference spectrum separates its weakest signal value (≥ s₀/100) from its noise
 * plateau (≲ 1e-4·s₀) by ≥ 100. 50 sits near the geometric middle of 30 and 100, a ~2× margin
 * each way. Float64 spectra clear it by many decades. It only decides *whether* there is a gap:
 * *where* the gap is, is always the largest ratio.
 */
export const MIN_GAP_RATIO = 50;

/**
 * Default relative floor for gap candidates: 1e-13·s₀. Above every float64 rounding level of
 * the matrices we decompose (the SVD's own error is a few ε·s₀ ≈ 1e-15·s₀, and accumulated
 * rounding in gradients built from f64 sums is ~1e-14·s₀), below every meaningful float64
 * finite-difference plateau (~1e-13…1e-10·s₀).
 */
export const DEFAULT_RELATIVE_FLOOR = 1e-13;

/** Options of {@link selectRank}. */
export interface RankOptions {
  /** Relative floor (× s₀) below which no value may end the signal; default 1e-13. */
  readonly floor?: number;
  /** Smallest consecutive ratio accepted as a gap; default {@link MIN_GAP_RATIO}. */
  readonly minGapRatio?: number;
  /** `max(rows, cols)` of the decomposed matrix, for the zero tolerance; default `s.length`. */
  readonly maxDim?: number;
}

/** Which branch of the rule decided: see {@link selectRank}. */
export type RankRule = 'zero' | 'gap' | 'no-gap' | 'noise';

/** The outcome of {@link selectRank}. */
export interface RankSelection {
  /** The selected rank, `0 ≤ rank ≤ s.length`. */
  readonly rank: number;
  /**
   * The largest consecutive ratio among candidate indices: for rule `gap`, the ratio at the cut
   * (how sure: 1e10 is certain, 60 is marginal); for `no-gap`, the strongest drop that was
   * rejected (how close a cut came); 1 when there was nothing to compare (rule `zero`, or a
   * single value).
   */
  readonly gapRatio: number;
  /** `gap`, `no-gap` or `zero`. */
  readonly rule: RankRule;
  /**
   * An absolute singular-value threshold that reproduces the cut (`s[i] > threshold` ⇔
   * `i < rank`): the geometric mean of the values on either side for `gap`, the floor for
   * `no-gap`, 0 for `zero`.
   */
  readonly threshold: number;
}

/**
 * Selects the numerical rank of a descending singular-value spectrum by its largest
 * significant gap (the rule is described at the top of this module).
 *
 * @param s - singular values, non-negative, finite and sorted descending.
 * @param opts - see {@link RankOptions}.
 * @returns the rank, the gap ratio that decided it, which rule applied and a threshold.
 * @throws Error if `s` is not a finite non-negative descending sequence or an option is
 *   out of range.
 */
export function selectRank(s: Float64Array, opts: RankOptions = {}): RankSelection {
  const floor = opts.floor ?? DEFAULT_RELATIVE_FLOOR;
  const minGapRatio = opts.minGapRatio ?? MIN_GAP_RATIO;
  const maxDim = opts.maxDim ?? s.length;
  if (!(floor >= 0 && floor < 1))
    throw new Error(`selectRank: floor must be in [0, 1), got ${floor}`);
  if (!(minGapRatio > 1) || !Number.isFinite(minGapRatio)) {
    throw new Error(`selectRank: minGapRatio must be finite and > 1, got ${minGapRatio}`);
  }
  if (!Number.isInteger(maxDim) || maxDim < s.length) {
    throw new Error(`selectRank: maxDim must be an integer >= ${s.length}, got ${maxDim}`);
  }
  for (let i = 0; i < s.length; i++) {
    if (!Number.isFinite(s[i]) || s[i] < 0) {
      throw new Error(`selectRank: s[${i}] = ${s[i]}, expected finite and >= 0`);
    }
    if (i > 0 && s[i] > s[i - 1]) {
      throw new Error(`selectRank: not descending, s[${i}] = ${s[i]} > s[${i - 1}] = ${s[i - 1]}`);
    }
  }

  const length = s.length;
  if (length === 0 || s[0] === 0) return { rank: 0, gapRatio: 1, rule: 'zero', threshold: 0 };

  // MIN_VALUE guards the denominator when s₀ is so small that zeroTol underflows.
  const zeroTol = Math.max(maxDim * Number.EPSILON * s[0], Number.MIN_VALUE);
  const floorAbs = Math.max(floor * s[0], zeroTol);

  let candidates = 0;
  while (candidates + 1 < length && s[candidates] > floorAbs) candidates++;
  const gap = largestGap(s, candidates, zeroTol);
  if (gap.rank > 0 && gap.gapRatio >= minGapRatio) return gap;
  let rank = 0;
  while (rank < length && s[rank] > floorAbs) rank++;
  return { rank, gapRatio: gap.gapRatio, rule: 'no-gap', threshold: floorAbs };
}

/**
 * The largest ratio `s[i] / s[i+1]` over `i < candidates` (denominators floored at `zeroTol`),
 * as a `gap` selection with rank `i + 1`; rank 0 and ratio 1 when no ratio exceeds 1.
 */
function largestGap(s: Float64Array, candidates: number, zeroTol: number): RankSelection {
  let best = -1;
  let bestRatio = 1;
  for (let i = 0; i < candidates && i + 1 < s.length; i++) {
    const ratio = s[i] / Math.max(s[i + 1], zeroTol);
    if (ratio > bestRatio) {
      best = i;
      bestRatio = ratio;
    }
  }
  if (best < 0) return { rank: 0, gapRatio: 1, rule: 'gap', threshold: 0 };
  // Geometric mean as a product of roots: s[best]·below can underflow for tiny spectra.
  const threshold = Math.sqrt(s[best]) * Math.sqrt(Math.max(s[best + 1], zeroTol));
  return { rank: best + 1, gapRatio: bestRatio, rule: 'gap', threshold };
}

/**
 * Rank by a noise threshold, for spectra whose noise level is known: the number of singular
 * values above `NOISE_MARGIN × noiseNorm`, where `noiseNorm` bounds the spectral norm of the
 * measurement noise (see {@link finiteDifferenceNoiseNorm}). Unlike the gap rule it needs no
 * clean drop between signal and noise — on float32 models the weakest signal directions sit
 * only 10–100× above the noise, and kinks or correlated noise can leave a few values between
 * them, so the largest ratio there is often below any safe gap threshold.
 * The returned `gapRatio` is `s[rank-1] / s[rank]`, for reporting.
 */
export function selectRankAboveNoise(s: Float64Array, noiseNorm: number): RankSelection {
  if (!(noiseNorm >= 0)) throw new Error(`selectRankAboveNoise: bad noise norm ${noiseNorm}`);
  if (s.length === 0 || s[0] === 0) return { rank: 0, gapRatio: 1, rule: 'zero', threshold: 0 };
  const zeroTol = Math.max(s.length * Number.EPSILON * s[0], Number.MIN_VALUE);
  const threshold = Math.max(NOISE_MARGIN * noiseNorm, zeroTol);
  let rank = 0;
  while (rank < s.length && s[rank] > threshold) rank++;
  const gapRatio =
    rank === 0 ? 1 : rank === s.length ? Infinity : s[rank - 1] / Math.max(s[rank], zeroTol);
  return { rank, gapRatio, rule: 'noise', threshold };
}

/**
 * Rank from a spectrum with a known noise level: the largest gap among the values above the
 * noise threshold (`NOISE_MARGIN × noiseNorm`) when that gap is significant (≥ `minGapRatio`),
 * otherwise the count above the threshold ({@link selectRankAboveNoise}).
 *
 * The threshold alone miscounts when a stray value sits just above it — e.g. a finite
 * difference that crossed a kink by a hair leaves a direction 5× above the float64 noise and
 * eight decades below the signal (seen on a n = 784, k = 128 ReLU net); the largest gap puts
 * the cut where it belongs. The gap alone fails on float32 spectra, whose weakest signal lies
 * only 10–30× above noise with stragglers between; there the threshold decides.
 */
export function selectRankWithNoise(
  s: Float64Array,
  noiseNorm: number,
  minGapRatio = MIN_GAP_RATIO,
): RankSelection {
  const byNoise = selectRankAboveNoise(s, noiseNorm);
  if (byNoise.rank === 0) return byNoise;
  const zeroTol = Math.max(s.length * Number.EPSILON * s[0], Number.MIN_VALUE);
  const gap = largestGap(s, byNoise.rank, zeroTol);
  return gap.rank > 0 && gap.gapRatio >= minGapRatio ? gap : byNoise;
}

/**
 * How far above the estimated noise norm a singular value must lie to count as signal. The
 * norm estimate is itself a bound on Gaussian-like noise (exceeded by less than ~10 % in
 * practice); 3× also covers the error of estimating the per-entry noise from a few dozen
 * check residuals.
 */
export const NOISE_MARGIN = 3;

/**
 * The spectral norm of the noise in `G` stacked forward-difference gradients of length `n`,
 * given the noise `σ` of one difference quotient (`σ_δ / h`): ≈ σ(√G + √n) for independent
 * entries. The base point's error, shared by the `n` quotients of a row, adds a rank-one part
 * along the all-ones direction of norm up to σ√(Gn); callers remove that direction before
 * reading the spectrum (recover/commonOffset.ts), so it is not part of this bound. Measured on
 * float32 ONNX nets (n = 100, G = 64): predicted 6e-3, largest noise singular value 4e-3–8e-3.
 */
export function finiteDifferenceNoiseNorm(sigmaOverStep: number, G: number, n: number): number {
  return sigmaOverStep * (Math.sqrt(G) + Math.sqrt(n));
}
