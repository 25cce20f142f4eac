import { BudgetExhaustedError } from '../errors.js';
import { zeros, type Matrix } from '../linalg/matrix.js';
import { projectOntoComplement } from '../linalg/orthonormal.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';

/** The verdict of a completeness check (CONTRACT.md, `spanrec certify`). */
export type Verdict = 'complete' | 'incomplete' | 'unsure';

export interface Certificate {
  readonly verdict: Verdict;
  /** Largest absolute output change over all moves (real outputs), or the number of flipped decisions. */
  readonly maxChange: number;
  /** maxChange relative to the output scale at the moved points, or the share of moves that flipped. */
  readonly relativeChange: number;
  /** Rows this check sent. */
  readonly queries: number;
  /** Moves made (each: a base point and the point moved orthogonally to the basis). */
  readonly moves: number;
  /** Length of each orthogonal move, in input units. */
  readonly moveNorm: number;
  /** Why the verdict is what it is, in a few words. */
  readonly reason: string;
}

export interface CertifyOptions {
  /** Number of moves (2 rows each). */
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

/**
 * Relative output change below which a span is certified complete. The model is evaluated at
 * x and at x + v with v ⊥ span and ‖v‖ = ‖x‖: if the span is complete, M cannot tell them
 * apart except through rounding (~1e-7 relative in float32) and through the recovered basis's
 * own error (angle θ moves the output by ~θ relative); a missing direction moves it by O(1).
 */
export const COMPLETE_RELATIVE_CHANGE = 1e-4;
/** Relative change above which the span is certainly incomplete. */
export const INCOMPLETE_RELATIVE_CHANGE = 1e-2;

/**
 * Test, without ground truth, whether the row span of `basis` is complete for the model
 * (SPEC.md, "A completeness certificate"): move random points along random directions
 * orthogonal to the basis and measure the largest change in what the oracle reveals.
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
    return result('complete', 0, 0, 0, 0, moveNorm, 'the basis spans all of R^n');
  }
  const rows = zeros(2 * moves, n);
  for (let t = 0; t < moves; t++) {
    const x = rng.gaussianVector(n);
    const v = projectOntoComplement(basis, rng.gaussianVector(n));
    let vNorm = 0;
    for (let j = 0; j < n; j++) vNorm += v[j] * v[j];
    vNorm = Math.sqrt(vNorm);
    for (let j = 0; j < n; j++) {
      const xj = pointScale * x[j];
      rows.data[2 * t * n + j] = xj;
      rows.data[(2 * t + 1) * n + j] = xj + (moveNorm * v[j]) / vNorm;
    }
  }
  let out: Matrix;
  try {
    out = await oracle.query(rows);
  } catch (e) {
    if (e instanceof BudgetExhaustedError) {
      return result(
        'unsure',
        NaN,
        NaN,
        0,
        0,
        moveNorm,
        'the query budget left no room for the check',
      );
    }
    throw e;
  }
  const m = out.cols;
  let maxChange = 0;
  let scale = 0;
  for (let t = 0; t < moves; t++) {
    for (let o = 0; o < m; o++) {
      const a = out.data[2 * t * m + o];
      const b = out.data[(2 * t + 1) * m + o];
      maxChange = Math.max(maxChange, Math.abs(b - a));
      scale = Math.max(scale, Math.abs(a), Math.abs(b));
    }
  }
  if (options.decisions) {
    let flips = 0;
    for (let t = 0; t < moves; t++) {
      for (let o = 0; o < m; o++) {
        if (out.data[2 * t * m + o] !== out.data[(2 * t + 1) * m + o]) {
          flips++;
          break;
        }
      }
    }
    return flips > 0
      ? result(
          'incomplete',
          flips,
          flips / moves,
          2 * moves,
          moves,
          moveNorm,
          `${flips} orthogonal moves flipped the decision`,
        )
      : result(
          'unsure',
          0,
          0,
          2 * moves,
          moves,
          moveNorm,
          'no orthogonal move flipped the decision; decisions are coarse evidence',
        );
  }
  const relative = scale > 0 ? maxChange / scale : maxChange;
  const verdict: Verdict =
    relative <= COMPLETE_RELATIVE_CHANGE
      ? 'complete'
      : relative > INCOMPLETE_RELATIVE_CHANGE
        ? 'incomplete'
        : 'unsure';
  const reason =
    verdict === 'complete'
      ? 'orthogonal moves left every output unchanged'
      : verdict === 'incomplete'
        ? 'an orthogonal move changed the output'
        : 'orthogonal moves changed the output slightly';
  return result(verdict, maxChange, relative, 2 * moves, moves, moveNorm, reason);
}

function result(
  verdict: Verdict,
  maxChange: number,
  relativeChange: number,
  queries: number,
  moves: number,
  moveNorm: number,
  reason: string,
): Certificate {
  return { verdict, maxChange, relativeChange, queries, moves, moveNorm, reason };
}
