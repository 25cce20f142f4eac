import { zeros, type Matrix } from '../linalg/matrix.js';
import { NOISE_MARGIN } from '../linalg/rank.js';
import { svdRight } from '../linalg/svd.js';
import { coordinates, type GradientSample } from './tiltFit.js';

/**
 * The rank of a span estimate read against the noise of the gradients measured in it.
 *
 * Each gradient's coordinates in the estimate, divided by their own noise, are stacked
 * (P × k'). A direction of the estimate that the model reads carries signal in every
 * gradient; a direction that came from noise (a float32 deflation can add a few) carries only
 * noise of unit size, whose singular values stay below `√P + √k'` (the spectral norm of a P × k'
 * matrix of unit Gaussian noise), plus the share of every gradient that the estimate's own
 * error tilts into it. The rank is the number of singular values above {@link NOISE_MARGIN}
 * times the first and {@link SPAN_MARGIN} times the second; the basis, the corresponding right
 * singular vectors.
 */
export interface SpanRank {
  readonly basis: Matrix;
  readonly rank: number;
  readonly singularValues: Float64Array;
  /** Singular-value threshold used, and the ratio at the cut (s[rank−1] / s[rank]). */
  readonly threshold: number;
  /**
   * Kept directions that stand clearly apart below the rest (see {@link suspectTail}): they
   * may be noise a deflation added, so the true rank may be this much lower.
   */
  readonly suspect: number;
  readonly gapRatio: number;
}

export function rankAgainstNoise(
  estimate: Matrix,
  samples: readonly GradientSample[],
  spanError: number,
): SpanRank {
  const k = estimate.rows;
  const stacked = zeros(samples.length, k);
  samples.forEach((sample, p) => {
    const c = coordinates(estimate, sample.g);
    for (let i = 0; i < k; i++) stacked.data[p * k + i] = c[i] / sample.spanNoise;
  });
  const d = svdRight(stacked);
  // A direction of the estimate off the true span by a typical direction's error (the
  // root-sum spanError over √k') still shows that share of every gradient.
  let energy = 0;
  for (const sample of samples) {
    let g2 = 0;
    for (const v of sample.g) g2 += v * v;
    energy += g2 / sample.spanNoise ** 2;
  }
  const threshold = Math.max(
    NOISE_MARGIN * (Math.sqrt(samples.length) + Math.sqrt(k)),
    (SPAN_MARGIN * spanError * Math.sqrt(energy)) / Math.sqrt(k),
  );
  let rank = 0;
  while (rank < d.s.length && d.s[rank] > threshold) rank++;
  const n = estimate.cols;
  const basis = zeros(rank, n);
  for (let r = 0; r < rank; r++) {
    for (let i = 0; i < k; i++) {
      const w = d.vt.data[r * k + i];
      if (w === 0) continue;
      for (let j = 0; j < n; j++) basis.data[r * n + j] += w * estimate.data[i * n + j];
    }
  }
  const gapRatio = rank === 0 ? 1 : rank === d.s.length ? Infinity : d.s[rank - 1] / d.s[rank];
  return { basis, rank, singularValues: d.s, threshold, gapRatio, suspect: suspectTail(d.s, rank) };
}

/**
 * How far above a typical direction's predicted error (tiltFit.ts's predictedError over √k') a
 * direction's share of the gradients must lie. Conservative: on float32 n = 784, k = 128 nets
 * the directions a deflation added from noise carried ~1e-3 of the gradients, the weakest
 * genuine one 6e-3, the typical error 2e-4 — they are kept (the rank errs high, and the
 * certificate says unsure); a cut at the root-sum itself removed genuine directions on
 * n = 100, k = 50 nets.
 */
export const SPAN_MARGIN = 10;

/**
 * Smallest ratio between the weakest of the rest and the strongest of a suspect tail: genuine
 * directions' shares run smoothly (consecutive ratios ~1.05–1.2 on 128 directions spread over
 * 12×), while those a float32 deflation adds from noise sit 4–9× below the weakest genuine one
 * (n = 784, k = 128 float32 nets at 2× and 4× the floor).
 */
export const TAIL_GAP_RATIO = 3;
/** At most this share of the directions (and at least 2) can form a suspect tail. */
export const TAIL_SHARE = 0.1;

/**
 * How many of the `rank` kept values form a short tail clearly apart from the rest: the
 * largest consecutive ratio among the last `max(2, TAIL_SHARE·rank)`, when it reaches
 * {@link TAIL_GAP_RATIO}. Such directions are kept (dropping them loses the part of the genuine
 * span they carry) but reported: the rank may be that much too high.
 */
export function suspectTail(s: Float64Array, rank: number): number {
  const tail = Math.max(2, Math.floor(TAIL_SHARE * rank));
  let cut = rank;
  let bestRatio = TAIL_GAP_RATIO;
  for (let i = Math.max(1, rank - tail); i < rank; i++) {
    const ratio = s[i - 1] / s[i];
    if (ratio >= bestRatio) {
      bestRatio = ratio;
      cut = i;
    }
  }
  return rank - cut;
}
