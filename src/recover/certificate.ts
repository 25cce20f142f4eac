import { unit, zeros, type Matrix } from '../linalg/matrix.js';
import { projectOntoComplement } from '../linalg/orthonormal.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import { measureWithinBudget } from './measure.js';

/** The verdict of a completeness check (docs/REFERENCE.md, "Certificate"). */
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
  /**
   * Base points next to the decision boundary (one per row, cycled), with the length of the
   * moves from them: see {@link NearBoundary}. Only with `decisions`; no wide moves then.
   */
  nearBoundary?: NearBoundary;
}

/**
 * Points just off a decision boundary, which make a decision certificate sensitive. A point at
 * distance η (along the normal, in decision terms) from the boundary flips under any move that
 * changes the score by more than its margin, so a move orthogonal to a complete span flips
 * nothing (the score is exactly unchanged but for the span's own error), while a move of the
 * same length in a random direction — the baseline — flips often; a missing direction shows as
 * orthogonal flips. Without such points (random base points sit far from the boundary), no
 * flip proves little.
 */
export interface NearBoundary {
  readonly points: Matrix;
  readonly moveNorm: number;
}

/**
 * Share of the baseline moves that must flip for a flip-free orthogonal check to count as
 * complete: the check is sensitive at these points (a random move of that length flips half
 * the time at a point on the boundary).
 */
export const SENSITIVE_BASELINE_SHARE = 0.25;

/** Moves a certificate makes unless told otherwise: 8 at the recovery's scale, 8 wide. */
export const DEFAULT_CERTIFY_MOVES = 16;

/**
 * Every second move starts from a point this many times farther out (and moves that much
 * farther). A first-layer unit whose bias keeps it off at all but a few percent of the
 * recovery's points is on at a third of these (measured: on 10-unit ReLU nets missing one
 * unit that is on at 1.4 %, 0.1 % or 3e-7 of unit-scale points, 12 moves at the recovery's
 * scale called 29 of 30 such spans complete; 8 of them and 8 wide moves 3 of 30), so a span missing it shows here. The two
 * groups are judged apart, each against its own unconstrained moves, so the wide moves'
 * larger outputs do not drown the narrow ones.
 */
export const WIDE_MOVE_SCALE = 10;
const WIDE_EVERY = 2;

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
 * (docs/METHOD.md, "The certificate"): move random points along random directions
 * orthogonal to the basis, and along unconstrained random directions of the same length, and
 * compare how much what the oracle reveals changes.
 */
export async function certify(
  oracle: Oracle,
  basis: Matrix,
  rng: Rng,
  options: CertifyOptions = {},
): Promise<Certificate> {
  return (await certifyWithLeads(oracle, basis, rng, options)).certificate;
}

/** A certificate and its leads: where the output showed directions missing from the basis. */
export interface CheckedSpan {
  readonly certificate: Certificate;
  /**
   * The base and moved points of every orthogonal move whose change was beyond doubt (above
   * {@link INCOMPLETE_RELATIVE_CHANGE} of its group's unconstrained change, or a flipped
   * decision), one per row: a unit missing from the basis is on at one of each pair, so a
   * recovery that goes on from them finds it there. Empty when nothing was missing.
   */
  readonly leads: Matrix;
}

/** {@link certify}, also returning the points that showed a missing direction. */
export async function certifyWithLeads(
  oracle: Oracle,
  basis: Matrix,
  rng: Rng,
  options: CertifyOptions = {},
): Promise<CheckedSpan> {
  const n = oracle.inputDim;
  const pointScale = options.pointScale ?? 1;
  const near = options.decisions ? options.nearBoundary : undefined;
  // the moves' length at the recovery's own scale (wide moves are WIDE_MOVE_SCALE× longer)
  const moveNorm = near?.moveNorm ?? pointScale * Math.sqrt(n);
  const noLeads = zeros(0, n);
  if (basis.rows >= n) {
    const certificate: Certificate = {
      ...certificateNotRun('the basis spans all of R^n'),
      verdict: 'complete',
    };
    return { certificate, leads: noLeads };
  }
  const widen = (t: number): number => (near === undefined && isWide(t) ? WIDE_MOVE_SCALE : 1);
  const base = (t: number): Float64Array =>
    near === undefined
      ? rng.gaussianVector(n).map((v) => widen(t) * pointScale * v)
      : near.points.data.slice((t % near.points.rows) * n, ((t % near.points.rows) + 1) * n);
  const rows = drawMoves(
    basis,
    options.moves ?? DEFAULT_CERTIFY_MOVES,
    base,
    (t) => widen(t) * moveNorm,
    rng,
  );
  const answer = await measureWithinBudget(
    oracle,
    rows.rows / ROWS_PER_MOVE,
    ROWS_PER_MOVE,
    (count) => ({
      rows: ROWS_PER_MOVE * count,
      cols: n,
      data: rows.data.subarray(0, ROWS_PER_MOVE * count * n),
    }),
  );
  if (answer.kind === 'budget') {
    return {
      certificate: certificateNotRun('the query budget left no room for the check'),
      leads: noLeads,
    };
  }
  const moves = answer.units;
  const out = answer.outputs;
  const m = out.cols;
  const at = (t: number, r: number, o: number): number => out.data[(ROWS_PER_MOVE * t + r) * m + o];
  const common = { queries: ROWS_PER_MOVE * moves, moves, moveNorm };
  const judgement = options.decisions
    ? judgeDecisions(moves, m, at, near !== undefined)
    : judgeScores(moves, m, at);
  return {
    certificate: { ...common, ...judgement.findings },
    leads: leadPoints(rows, judgement.leadMoves),
  };
}

/** The base and orthogonally moved points of the given moves, one per row. */
function leadPoints(rows: Matrix, moves: readonly number[]): Matrix {
  const n = rows.cols;
  const leads = zeros(2 * moves.length, n);
  moves.forEach((t, i) => {
    leads.data.set(
      rows.data.subarray(ROWS_PER_MOVE * t * n, (ROWS_PER_MOVE * t + 2) * n),
      2 * i * n,
    );
  });
  return leads;
}

/** Whether move `t` is a wide one ({@link WIDE_MOVE_SCALE}). */
function isWide(t: number): boolean {
  return t % WIDE_EVERY === WIDE_EVERY - 1;
}

/**
 * Rows of `moves` moves: base point, orthogonal move, unconstrained move of the same length
 * (`moveNorm(t)` for move t).
 */
function drawMoves(
  basis: Matrix,
  moves: number,
  basePoint: (t: number) => Float64Array,
  moveNorm: (t: number) => number,
  rng: Rng,
): Matrix {
  const n = basis.cols;
  const rows = zeros(ROWS_PER_MOVE * moves, n);
  for (let t = 0; t < moves; t++) {
    const x = basePoint(t);
    const v = unit(projectOntoComplement(basis, rng.gaussianVector(n)));
    const w = unit(rng.gaussianVector(n));
    const base = ROWS_PER_MOVE * t * n;
    const length = moveNorm(t);
    for (let j = 0; j < n; j++) {
      rows.data[base + j] = x[j];
      rows.data[base + n + j] = x[j] + length * v[j];
      rows.data[base + 2 * n + j] = x[j] + length * w[j];
    }
  }
  return rows;
}

interface Judgement {
  readonly findings: Pick<Certificate, 'verdict' | 'maxChange' | 'relativeChange' | 'reason'>;
  /** Moves whose change showed a missing direction beyond doubt. */
  readonly leadMoves: number[];
}
/** Output `o` of row `r` (0 base, 1 orthogonal, 2 unconstrained) of move `t`. */
type Outputs = (t: number, r: number, o: number) => number;

/**
 * Decisions (labels, bits): any flip proves a missing direction; none proves completeness only
 * from points next to the boundary where the baseline moves flip often (see {@link NearBoundary}).
 */
function judgeDecisions(moves: number, m: number, at: Outputs, nearBoundary: boolean): Judgement {
  const flipped = (t: number, r: number): boolean => {
    for (let o = 0; o < m; o++) if (at(t, r, o) !== at(t, 0, o)) return true;
    return false;
  };
  const all = Array.from({ length: moves }, (_, t) => t);
  const leadMoves = all.filter((t) => flipped(t, 1));
  const flips = leadMoves.length;
  const baseline = all.filter((t) => flipped(t, 2)).length;
  const counts = { maxChange: flips, relativeChange: flips / moves };
  const findings: Judgement['findings'] =
    flips > 0
      ? {
          ...counts,
          verdict: 'incomplete',
          reason: `${flips} orthogonal moves flipped the decision`,
        }
      : nearBoundary && baseline >= SENSITIVE_BASELINE_SHARE * moves
        ? {
            ...counts,
            verdict: 'complete',
            reason: `no orthogonal move from points next to the boundary flipped the decision, ${baseline} of ${moves} random moves did`,
          }
        : {
            ...counts,
            verdict: 'unsure',
            reason: nearBoundary
              ? `no orthogonal move flipped the decision, but only ${baseline} of ${moves} random moves did either`
              : 'no orthogonal move flipped the decision; decisions are coarse evidence',
          };
  return { findings, leadMoves };
}

/** One group of moves (recovery scale or wide): its largest changes, orthogonal and free. */
interface MoveGroup {
  readonly change: number;
  readonly baseline: number;
  readonly ratio: number;
}

/**
 * Real outputs: the orthogonal moves' largest change against the unconstrained moves', in each
 * group of moves (recovery scale, wide); the group with the larger ratio decides.
 */
function judgeScores(moves: number, m: number, at: Outputs): Judgement {
  // Largest output change of each move's orthogonal (r = 1) and unconstrained (r = 2) row.
  const largestChange = (r: number): Float64Array =>
    Float64Array.from({ length: moves }, (_, t) => {
      let largest = 0;
      for (let o = 0; o < m; o++) largest = Math.max(largest, Math.abs(at(t, r, o) - at(t, 0, o)));
      return largest;
    });
  const orthogonal = largestChange(1);
  const free = largestChange(2);
  const groups = [false, true].map((wide): MoveGroup => {
    let change = 0;
    let baseline = 0;
    for (let t = 0; t < moves; t++) {
      if (isWide(t) !== wide) continue;
      change = Math.max(change, orthogonal[t]);
      baseline = Math.max(baseline, free[t]);
    }
    return { change, baseline, ratio: change === 0 ? 0 : change / baseline };
  });
  const leadMoves: number[] = [];
  for (let t = 0; t < moves; t++) {
    const group = groups[isWide(t) ? 1 : 0];
    if (orthogonal[t] > INCOMPLETE_RELATIVE_CHANGE * group.baseline) leadMoves.push(t);
  }
  return { findings: scoreFindings(groups[0], groups[1]), leadMoves };
}

/** The verdict from the two groups' changes. */
function scoreFindings(narrow: MoveGroup, wide: MoveGroup): Judgement['findings'] {
  // the larger ratio decides; on a tie (both 0) the group where the model responded at all
  const worst =
    wide.ratio > narrow.ratio || (wide.ratio === narrow.ratio && wide.baseline > narrow.baseline)
      ? wide
      : narrow;
  const maxChange = worst.change;
  if (worst.baseline === 0) {
    return {
      verdict: maxChange === 0 ? 'complete' : 'incomplete',
      maxChange,
      relativeChange: maxChange === 0 ? 0 : Infinity,
      reason: 'the model did not respond to unconstrained moves either',
    };
  }
  const relativeChange = worst.ratio;
  if (relativeChange <= COMPLETE_RELATIVE_CHANGE) {
    return {
      verdict: 'complete',
      maxChange,
      relativeChange,
      reason: 'orthogonal moves left every output unchanged',
    };
  }
  if (relativeChange > INCOMPLETE_RELATIVE_CHANGE) {
    return {
      verdict: 'incomplete',
      maxChange,
      relativeChange,
      reason: 'the output responds to moves orthogonal to the basis',
    };
  }
  return {
    verdict: 'unsure',
    maxChange,
    relativeChange,
    reason:
      'the output responds slightly to orthogonal moves (an imprecise basis or a weak missing direction)',
  };
}
