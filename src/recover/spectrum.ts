import { zeros, type Matrix } from '../linalg/matrix.js';
import { finiteDifferenceNoiseNorm, selectRank, selectRankWithNoise } from '../linalg/rank.js';
import {
  OFFSET_EXACT,
  OFFSET_MARGIN,
  offsetFreeSvd,
  offsetResidualNorm,
  restoreOffset,
  withAllOnesDirection,
} from './commonOffset.js';

/** The span read from stacked gradient measurements: basis, rank and the evidence for it. */
export interface SpectrumAnalysis {
  /** `rank × n` orthonormal rows. */
  readonly basis: Matrix;
  readonly rank: number;
  /** Singular values of the stacked rows (all-ones component removed), descending. */
  readonly singularValues: Float64Array;
  /** s[rank-1] / s[rank]: how clearly the spectrum separates signal from noise. */
  readonly gapRatio: number;
  /** Which rank rule decided (linalg/rank.ts), `+offset` when the all-ones direction was added. */
  readonly rankRule: string;
}

/** The analysis of no measurement at all. */
export function emptyAnalysis(n: number): SpectrumAnalysis {
  return {
    basis: zeros(0, n),
    rank: 0,
    singularValues: new Float64Array(0),
    gapRatio: 1,
    rankRule: 'none',
  };
}

/**
 * Read the span from stacked gradients (`G × n`) whose entries each carry noise
 * `noisePerEntry` (σ/h; NaN when unknown). The SVD is taken with each row's all-ones
 * component removed (commonOffset.ts); the rank comes from the largest significant gap above
 * the noise norm, or from the gap rule alone when the noise is unknown. The offset-free rows
 * cannot show a direction along e = 1/√n, so when the rows' e-components are not explained
 * by the span found, e is added as one more direction.
 */
export function analyseSpectrum(stacked: Matrix, noisePerEntry: number): SpectrumAnalysis {
  const n = stacked.cols;
  if (stacked.rows === 0) return emptyAnalysis(n);
  const d = offsetFreeSvd(stacked);
  const noiseKnown = Number.isFinite(noisePerEntry);
  const sel = noiseKnown
    ? selectRankWithNoise(d.s, finiteDifferenceNoiseNorm(noisePerEntry, stacked.rows, n))
    : selectRank(d.s);
  let rank = sel.rank;
  let rankRule: string = sel.rule;
  let basis = restoreOffset(d, rank);
  const sigma = noiseKnown ? noisePerEntry : 0;
  const unexplained = offsetResidualNorm(d, rank);
  const expected = sigma * Math.sqrt(n) * Math.sqrt(Math.max(stacked.rows - rank, 1));
  let scale = d.s[0] ?? 0;
  for (const a of d.a) scale = Math.max(scale, Math.abs(a));
  if (rank < n && unexplained > OFFSET_MARGIN * expected + OFFSET_EXACT * scale) {
    basis = withAllOnesDirection(basis);
    rank += 1;
    rankRule += '+offset';
  }
  return { basis, rank, singularValues: d.s, gapRatio: sel.gapRatio, rankRule };
}
