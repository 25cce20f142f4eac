import { BudgetExhaustedError } from '../errors.js';
import { norm2, zeros, type Matrix } from '../linalg/matrix.js';
import { projectOntoComplement } from '../linalg/orthonormal.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';

/** The verdict of a completeness check (CONTRACT.md, `spanrec certify`). */
export type Verdict = 'complete' | 'incomplete' | 'unsure';

export interface Certificate {
  readonly verdict: Verdict;
  /**
   * Largest output change over the orthogonal moves (real outputs), or the number of moves
   * that flipped the decision (labels, bits); null when the check did not run.
   */
  readonly maxChange: number | null;
  /**
   * maxChange divided by the largest change of equally long unconstrained moves from the same
   * points (real outputs), or the share of moves that flipped (decisions); null when not run.
   */
  readonly relativeChange: number | null;
  /** Rows this check sent. */
  readonly queries: number;
  /** Moves made (each: a base point, an orthogonal move and an unconstrained one). */
  readonly moves: number;
  /** Length of each move, in input units. */
  readonly moveNorm: number;
  /** Why the verdict is what it is, in a few words. */
  readonly reason: string;
}

export interface CertifyOptions {
  /** Number of moves (3 rows each). */
  moves?: number;
  /** Scale of the Gaussian base points (the recovery's query distribution). */
  pointScale?: number;
  /**
   * The oracle reveals decisions (a label or a bit), not real scores: then a change is a
   * flipped decision, and no flip is weak evidence (random points rarely sit near a decision
   * boundary), so the verdict is `incomplete` on any flip and `unsure` otherwise.
   */
  decisions?: boolean;
}

/** Rows one move costs: the base point, the orthogonal move, the unconstrained move. */
export const ROWS_PER_MOVE = 3;

/**
 * Relative change below which a span is certified complete. The relative change compares the
 * output's response to moves orthogonal to the basis with its response to unconstrained moves
 * of the same length from the same points, so output offsets and scales cancel. Measured on
 * random float64 ReLU nets (n = 100…784, k = 50…128, 1 or
 * 10 outputs; test/recover/certificate.test.ts checks the missing-direction case): the true span gives ~1e-15; the true span less one random
 * direction 0.05–0.27; less five 0.15–0.74; the true span perturbed by relative noise 0.01 /
 * 0.05 / 0.2 gives ~1e-2 / 0.04–0.1 / 0.16–0.34. So a float32 recovery 0.04–0.2 rad off is not
 * distinguishable from one missing a weak direction, and is reported as such.
 */
export const COMPLETE_RELATIVE_CHANGE = 1e-4;
/** Relative change above which the span is reported incomplete: below every missing-direction case measured. */
export const INCOMPLETE_RELATIVE_CHANGE = 3e-2;

/** The certificate of a check that did not run (kept in result.json with the full shape). */
export function certificateNotRun(reason: string): Certificate {
  return {
    verdict: 'unsure',
    maxChange: null,
    relativeChange: null,
    queries: 0,
    moves: 0,
    moveNorm: 0,
    reason,
  };
}

/**
 * Test, without ground truth, whether the row span of `basis` is complete for the model
 * (SPEC.md, "A completeness certificate"): move random points along random directions
 * orthogonal to the basis, and along unconstrained random directions of the same length, and
 * compare how much what the oracle reveals changes.
 */
export async function certify(
  oracle: Oracle,
  basis: Matrix,
  rng: Rng,
  options: CertifyOptions = {},
): Promise<Certificate> {
  const n = oracle.inputDim;
  const moves = options.moves ?? 8;
  const pointScale = options.pointScale ?? 1;
  const moveNorm = pointScale * Math.sqrt(n);
  if (basis.rows >= n) {
    return { ...certificateNotRun('the basis spans all of R^n'), verdict: 'complete' };
  }
  const rows = zeros(ROWS_PER_MOVE * moves, n);
  for (let t = 0; t < moves; t++) {
    const x = rng.gaussianVector(n);
    const v = unit(projectOntoComplement(basis, rng.gaussianVector(n)));
    const w = unit(rng.gaussianVector(n));
    const base = ROWS_PER_MOVE * t * n;
    for (let j = 0; j < n; j++) {
      const xj = pointScale * x[j];
      rows.data[base + j] = xj;
      rows.data[base + n + j] = xj + moveNorm * v[j];
      rows.data[base + 2 * n + j] = xj + moveNorm * w[j];
    }
  }
  let out: Matrix;
  try {
    out = await oracle.query(rows);
  } catch (e) {
    if (e instanceof BudgetExhaustedError) {
      return certificateNotRun('the query budget left no room for the check');
    }
    throw e;
  }
  const m = out.cols;
  const queries = ROWS_PER_MOVE * moves;
  const at = (t: number, r: number, o: number): number => out.data[(ROWS_PER_MOVE * t + r) * m + o];
  if (options.decisions) {
    let flips = 0;
    for (let t = 0; t < moves; t++) {
      let flipped = false;
      for (let o = 0; o < m; o++) if (at(t, 1, o) !== at(t, 0, o)) flipped = true;
      if (flipped) flips++;
    }
    const common = { maxChange: flips, relativeChange: flips / moves, queries, moves, moveNorm };
    return flips > 0
      ? {
          ...common,
          verdict: 'incomplete',
          reason: `${flips} orthogonal moves flipped the decision`,
        }
      : {
          ...common,
          verdict: 'unsure',
          reason: 'no orthogonal move flipped the decision; decisions are coarse evidence',
        };
  }
  let maxChange = 0;
  let baseline = 0;
  for (let t = 0; t < moves; t++) {
    for (let o = 0; o < m; o++) {
      maxChange = Math.max(maxChange, Math.abs(at(t, 1, o) - at(t, 0, o)));
      baseline = Math.max(baseline, Math.abs(at(t, 2, o) - at(t, 0, o)));
    }
  }
  if (baseline === 0) {
    return {
      verdict: maxChange === 0 ? 'complete' : 'incomplete',
      maxChange,
      relativeChange: maxChange === 0 ? 0 : Infinity,
      queries,
      moves,
      moveNorm,
      reason: 'the model did not respond to unconstrained moves either',
    };
  }
  const relativeChange = maxChange / baseline;
  const verdict: Verdict =
    relativeChange <= COMPLETE_RELATIVE_CHANGE
      ? 'complete'
      : relativeChange > INCOMPLETE_RELATIVE_CHANGE
        ? 'incomplete'
        : 'unsure';
  const reason =
    verdict === 'complete'
      ? 'orthogonal moves left every output unchanged'
      : verdict === 'incomplete'
        ? 'the output responds to moves orthogonal to the basis'
        : 'the output responds slightly to orthogonal moves (an imprecise basis or a weak missing direction)';
  return { verdict, maxChange, relativeChange, queries, moves, moveNorm, reason };
}

function unit(v: Float64Array): Float64Array {
  const norm = norm2(v);
  for (let j = 0; j < v.length; j++) v[j] /= norm;
  return v;
}
