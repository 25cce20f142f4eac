/**
 * Why the whole span matters: obfuscate with only a share of the basis's directions and watch
 * the model's labels go. The directions left out are those the noise may now move, so the
 * network sees the noise through them.
 */
import type { Matrix } from '../linalg/matrix.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import type { ObfuscationOptions } from './obfuscate.js';
import { runObfuscation } from './obfuscationRun.js';

export interface BasisFractionLabelKept {
  /** Share of the basis's directions kept, 0..1. */
  readonly basisFraction: number;
  /** Share of inputs whose top-1 output survived. */
  readonly labelKept: number;
}

/** The basis's first `round(fraction · r)` rows. */
export function truncateBasis(q: Matrix, fraction: number): Matrix {
  const rows = Math.round(fraction * q.rows);
  return { rows, cols: q.cols, data: q.data.slice(0, rows * q.cols) };
}

/**
 * Label kept when obfuscating `inputs` under the first `fraction` of the orthonormal basis
 * `q`'s rows, for each fraction (3 × count queries each).
 */
export async function labelKeptByBasisFraction(
  oracle: Oracle,
  q: Matrix,
  inputs: Matrix,
  fractions: readonly number[],
  options: ObfuscationOptions,
  rng: Rng,
): Promise<BasisFractionLabelKept[]> {
  const out: BasisFractionLabelKept[] = [];
  for (const basisFraction of fractions) {
    const run = await runObfuscation(oracle, truncateBasis(q, basisFraction), inputs, options, rng);
    out.push({ basisFraction, labelKept: run.evaluation.labelKept });
  }
  return out;
}
