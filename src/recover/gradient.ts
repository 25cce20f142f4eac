import { BudgetExhaustedError, EXIT_FAILURE, UserError } from '../errors.js';
import { vstack, zeros, type Matrix } from '../linalg/matrix.js';
import { randomOrthonormal } from '../linalg/orthonormal.js';
import { selectRank } from '../linalg/rank.js';
import { svd } from '../linalg/svd.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import { pointGradients, stencilRows, type PointStencil } from './differences.js';
import { defaultStep, unitRoundoff } from './precision.js';
import type { ProgressListener, RecoveryResult, StopReason } from './result.js';

/** Options of the paper's non-adaptive gradient method. */
export interface GradientOptions {
  /** Forward-difference step; defaults by the model's precision (see precision.ts). */
  step?: number;
  /** Measure exactly this many points; by default measure until the rank saturates. */
  points?: number;
  /** Random check directions per point (kink detection); 0 disables the check. */
  checks?: number;
  /** Standard deviation of the Gaussian query points (the paper uses N(0, I)). */
  pointScale?: number;
  /** Rows per oracle call (points are never split across calls). */
  maxBatchRows?: number;
  /** Stop after this many consecutive kinked points (the step is wrong for this model). */
  maxConsecutiveRejects?: number;
}

/**
 * Gradients beyond the current rank that must bring no new direction before we call the
 * rank saturated. Each is a generic vector of the row span; if the span had a direction
 * they all miss, they would all have to lie in a hyperplane of it — probability zero for
 * directions that random points excite at all, so a few suffice.
 */
export const SATURATION_OVERSAMPLE = 8;

/** Default rows per oracle call: large enough that batched backends amortise their calls. */
export const DEFAULT_MAX_BATCH_ROWS = 1024;

/**
 * The paper's method 1 (Section 3, "ReLU networks, real-valued output"): gradients by finite
 * differences at random Gaussian points, stacked; the SVD gives the basis and the spectrum
 * gives the rank. Points are measured in rounds that double the gradient count until the
 * rank saturates (or exactly `points` of them); each point's queries are fixed before it is
 * sent, so within a round the method is non-adaptive as in the paper.
 */
export async function recoverByGradients(
  oracle: Oracle,
  rng: Rng,
  options: GradientOptions = {},
  onProgress: ProgressListener = () => {},
): Promise<RecoveryResult> {
  const n = oracle.inputDim;
  const step = options.step ?? defaultStep(oracle.precision);
  const roundoff = unitRoundoff(oracle.precision);
  const checks = options.checks ?? 1;
  const pointScale = options.pointScale ?? 1;
  const maxBatchRows = options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS;
  const maxConsecutiveRejects = options.maxConsecutiveRejects ?? 50;
  const rowsPerPoint = 1 + n + checks;
  const pointsPerCall = Math.max(1, Math.floor(maxBatchRows / rowsPerPoint));

  const accepted: Matrix[] = [];
  let gradientCount = 0; // rows of `accepted` that carry signal (nonzero gradients)
  let pointsMeasured = 0;
  let pointsRejected = 0;
  let consecutiveRejects = 0;
  let worstAcceptedCheck = 0;
  let rank = 0;
  let spectrum: Float64Array = new Float64Array(0);
  let basis: Matrix = zeros(0, n);
  let gapRatio = Infinity;
  let stopReason: StopReason | null = null;

  const analyse = (): void => {
    const stacked = vstack(accepted, n);
    const d = svd(stacked);
    spectrum = d.s;
    const sel = selectRank(d.s);
    rank = sel.rank;
    gapRatio = sel.gapRatio;
    basis = { rows: rank, cols: n, data: d.vt.data.slice(0, rank * n) };
  };

  // How many more signal-carrying gradients to collect before the next rank decision.
  const nextRoundGradients = (): number => {
    if (gradientCount === 0) return SATURATION_OVERSAMPLE;
    if (rank < gradientCount) return rank + SATURATION_OVERSAMPLE - gradientCount;
    return Math.min(gradientCount, n + SATURATION_OVERSAMPLE - gradientCount); // double
  };

  while (stopReason === null) {
    let wanted: number;
    if (options.points !== undefined) {
      wanted = options.points - pointsMeasured;
      if (wanted <= 0) {
        stopReason = 'points';
        break;
      }
    } else {
      const need = nextRoundGradients();
      if (rank === n) {
        stopReason = 'full-rank';
        break;
      }
      if (need <= 0) {
        stopReason = 'saturated';
        break;
      }
      wanted = Math.ceil(need / oracle.outputDim);
    }
    // Measure `wanted` accepted points, in calls of at most `pointsPerCall` points.
    let got = 0;
    while (got < wanted) {
      const count = Math.min(pointsPerCall, wanted - got);
      const stencils: PointStencil[] = [];
      for (let i = 0; i < count; i++) {
        const x = rng.gaussianVector(n);
        if (pointScale !== 1) for (let j = 0; j < n; j++) x[j] *= pointScale;
        stencils.push({ x, checkDirections: randomOrthonormal(checks, n, rng) });
      }
      const rows = vstack(
        stencils.map((s) => stencilRows(s, step)),
        n,
      );
      let outputs: Matrix;
      try {
        outputs = await oracle.query(rows);
      } catch (e) {
        if (e instanceof BudgetExhaustedError && count > 1) {
          // Spend what is left on fewer points.
          const affordable = Math.floor((e.budget - e.used) / rowsPerPoint);
          if (affordable >= 1) {
            wanted = got + affordable;
            continue;
          }
        }
        if (e instanceof BudgetExhaustedError) {
          stopReason = 'budget';
          break;
        }
        throw e;
      }
      const m = outputs.cols;
      for (let i = 0; i < count; i++) {
        const pointOutputs: Matrix = {
          rows: rowsPerPoint,
          cols: m,
          data: outputs.data.subarray(i * rowsPerPoint * m, (i + 1) * rowsPerPoint * m),
        };
        const pg = pointGradients(stencils[i], pointOutputs, step, roundoff);
        pointsMeasured++;
        if (pg.kinked && checks > 0) {
          pointsRejected++;
          consecutiveRejects++;
          continue;
        }
        consecutiveRejects = 0;
        worstAcceptedCheck = Math.max(worstAcceptedCheck, pg.checkRatio);
        accepted.push(pg.gradients);
        gradientCount += countNonzeroRows(pg.gradients);
        got++;
      }
      if (consecutiveRejects >= maxConsecutiveRejects) {
        throw new KinkedStepError(step, consecutiveRejects);
      }
      onProgress({
        phase: 'gradients',
        done: pointsMeasured,
        total: pointsMeasured + (wanted - got),
        message: `rank ${rank}`,
      });
    }
    if (accepted.length > 0) analyse();
  }

  return {
    method: 'gradient',
    basis,
    rank,
    singularValues: spectrum,
    rankGapRatio: gapRatio,
    stopReason: stopReason ?? 'points',
    details: {
      step,
      checks,
      points: pointsMeasured,
      pointsRejected,
      gradients: gradientCount,
      worstAcceptedCheckRatio: worstAcceptedCheck,
    },
  };
}

function countNonzeroRows(g: Matrix): number {
  let c = 0;
  for (let r = 0; r < g.rows; r++) {
    for (let j = 0; j < g.cols; j++) {
      if (g.data[r * g.cols + j] !== 0) {
        c++;
        break;
      }
    }
  }
  return c;
}

/** Every recent point failed its kink check: the step does not suit this model. */
export class KinkedStepError extends UserError {
  constructor(
    readonly step: number,
    readonly rejects: number,
  ) {
    super(
      `${rejects} consecutive points failed the finite-difference check at step ${step}: ` +
        'the model is not piecewise linear at this scale or its precision is lower than assumed ' +
        '(try --precision f32 or a different --step)',
      EXIT_FAILURE,
    );
    this.name = 'KinkedStepError';
  }
}
