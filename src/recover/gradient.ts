import { BudgetExhaustedError, UserError } from '../errors.js';
import { vstack, zeros, type Matrix } from '../linalg/matrix.js';
import { randomOrthonormal } from '../linalg/orthonormal.js';
import { finiteDifferenceNoiseNorm, selectRank, selectRankWithNoise } from '../linalg/rank.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import {
  pointGradients,
  stencilRows,
  type PointGradients,
  type PointStencil,
} from './differences.js';
import {
  OFFSET_EXACT,
  OFFSET_MARGIN,
  offsetFreeSvd,
  offsetResidualNorm,
  restoreOffset,
  withAllOnesDirection,
} from './commonOffset.js';
import {
  MIN_OUTLIER_LIMIT,
  OUTLIER_FACTOR,
  runningNoise,
  screenPoints,
  type Screening,
} from './screening.js';
import { NewsTracker } from './newsTracker.js';
import { defaultChecks, defaultStep, probePrecision, unitRoundoff } from './precision.js';
import type { ProgressListener, RecoveryResult, StopReason } from './result.js';

/** Options of the paper's non-adaptive gradient method. */
export interface GradientOptions {
  /** Forward-difference step; defaults by the model's precision (see precision.ts). */
  step?: number;
  /** Measure exactly this many points; by default measure until the rank saturates. */
  points?: number;
  /** Random check directions per point (kink detection); 0 disables the check. Default by precision. */
  checks?: number;
  /** Standard deviation of the Gaussian query points (the paper uses N(0, I)). */
  pointScale?: number;
  /** Rows per oracle call (points are never split across calls). */
  maxBatchRows?: number;
}

/**
 * Points beyond those the current rank needs that must bring no new direction before we call
 * the rank saturated. Counted in points, not gradients: the m gradients of one point share
 * its activation pattern, so they are not independent draws from the span (a 10-output net
 * with k = 70 shows rank 69 from 8 points). Each point's gradient is a generic vector of the
 * span its pattern excites; if the span had a direction 8 random points all miss, they would
 * all have to lie in a hyperplane of it — probability zero for directions that random points
 * excite at all.
 */
export const SATURATION_OVERSAMPLE = 8;

/** Default rows per oracle call: large enough that batched backends amortise their calls. */
export const DEFAULT_MAX_ROWS_PER_CALL = 1024;

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
  let precision = oracle.precision;
  if (precision === 'unknown') {
    try {
      precision = await probePrecision(oracle, rng);
    } catch (e) {
      if (e instanceof BudgetExhaustedError) return emptyResult(n, 'budget');
      throw e;
    }
  }
  const step = options.step ?? defaultStep(precision);
  const roundoff = unitRoundoff(precision);
  const checks = options.checks ?? defaultChecks(precision);
  const pointScale = options.pointScale ?? 1;
  const maxBatchRows = options.maxBatchRows ?? DEFAULT_MAX_ROWS_PER_CALL;
  const rowsPerPoint = 1 + n + checks;
  const pointsPerCall = Math.max(1, Math.floor(maxBatchRows / rowsPerPoint));

  const measured: PointGradients[] = [];
  const news = new NewsTracker(n);
  let pointsWithoutNews = 0;
  let screen: Screening = screenPoints(measured, checks);
  let rank = 0;
  let spectrum: Float64Array = new Float64Array(0);
  let basis: Matrix = zeros(0, n);
  let gapRatio = Infinity;
  let rankRule = 'none';
  let stopReason: StopReason | null = null;
  let failure: Error | undefined;

  const analyse = (): void => {
    screen = screenPoints(measured, checks);
    if (screen.accepted.length === 0) return;
    const stacked = vstack(
      screen.accepted.map((i) => measured[i].gradients),
      n,
    );
    const d = offsetFreeSvd(stacked);
    spectrum = d.s;
    const sel = Number.isFinite(screen.noisePerEntry)
      ? selectRankWithNoise(d.s, finiteDifferenceNoiseNorm(screen.noisePerEntry, stacked.rows, n))
      : selectRank(d.s);
    rankRule = sel.rule;
    rank = sel.rank;
    gapRatio = sel.gapRatio;
    basis = restoreOffset(d, rank);
    // The offset-free rows cannot show a direction along e = 1/√n; if the rows' e-components
    // are not explained by the span found, the span holds one more direction.
    const sigma = Number.isFinite(screen.noisePerEntry) ? screen.noisePerEntry : 0;
    const unexplained = offsetResidualNorm(d, rank);
    const expected = sigma * Math.sqrt(n) * Math.sqrt(Math.max(stacked.rows - rank, 1));
    const scale = Math.max(...Array.from(d.a, Math.abs), d.s[0] ?? 0);
    if (rank < n && unexplained > OFFSET_MARGIN * expected + OFFSET_EXACT * scale) {
      basis = withAllOnesDirection(basis);
      rank += 1;
      rankRule += '+offset';
    }
  };

  // Feed a point's gradients to the news tracker, once the noise can be estimated; until
  // then every point counts as news (the streak cannot end a round early).
  const trackNews = (pg: PointGradients): void => {
    const noise = runningNoise(measured);
    if (checks === 0 || !Number.isFinite(noise.perEntry)) return;
    if (!Number.isFinite(pg.relativeResidual)) {
      pointsWithoutNews++; // every gradient zero: no direction here
      return;
    }
    // Screened out, as in screenPoints: neither news nor evidence of its absence.
    if (pg.relativeResidual > Math.max(OUTLIER_FACTOR * noise.median, MIN_OUTLIER_LIMIT)) return;
    const threshold = NEWS_FACTOR * noise.perEntry * Math.sqrt(n);
    let brought = false;
    for (let o = 0; o < pg.gradients.rows; o++) {
      if (news.add(pg.gradients.data.subarray(o * n, (o + 1) * n), threshold)) brought = true;
    }
    pointsWithoutNews = brought ? 0 : pointsWithoutNews + 1;
  };

  // Outputs per point are known once a point is measured (a cmd: model announces m only with
  // its first answer); until then assume one.
  const perPoint = (): number => (measured.length > 0 ? measured[0].gradients.rows : 1);

  // Points to measure in the next round, or null to stop: saturated when SATURATION_OVERSAMPLE
  // accepted points beyond those the rank needs exist; while every gradient is independent
  // (rank = gradients), double the points, ending the round early once 8 points bring no news.
  const nextRound = (): { wanted: number; untilNoNews: boolean } | null => {
    if (options.points !== undefined) {
      const left = options.points - measured.length;
      return left > 0 ? { wanted: left, untilNoNews: false } : null;
    }
    if (rank === n) return null;
    const accepted = screen.accepted.length;
    const needed = Math.ceil(rank / perPoint()) + SATURATION_OVERSAMPLE;
    if (accepted >= needed) return null;
    const independent = accepted > 0 && rank >= screen.gradients;
    if (!independent) return { wanted: needed - accepted, untilNoNews: false };
    // The news tracker already saw 8 points without news: its threshold and the SVD's
    // disagree about a direction at the noise level; stop rather than loop.
    if (pointsWithoutNews >= SATURATION_OVERSAMPLE) return null;
    const cap = Math.ceil(n / perPoint()) + SATURATION_OVERSAMPLE - accepted;
    return { wanted: Math.max(needed - accepted, Math.min(accepted, cap)), untilNoNews: true };
  };

  for (;;) {
    const round = nextRound();
    if (round === null) {
      stopReason = options.points !== undefined ? 'points' : rank === n ? 'full-rank' : 'saturated';
      break;
    }
    let wanted = round.wanted;
    while (wanted > 0 && stopReason === null) {
      if (round.untilNoNews && pointsWithoutNews >= SATURATION_OVERSAMPLE) break;
      const count = Math.min(pointsPerCall, wanted);
      const stencils: PointStencil[] = [];
      for (let i = 0; i < count; i++) {
        const x = rng.gaussianVector(n);
        if (pointScale !== 1) for (let j = 0; j < n; j++) x[j] *= pointScale;
        stencils.push({ x, checkDirections: randomOrthonormal(checks, n, rng) });
      }
      const rows = vstack(
        stencils.map((st) => stencilRows(st, step)),
        n,
      );
      let outputs: Matrix;
      try {
        outputs = await oracle.query(rows);
      } catch (e) {
        if (e instanceof BudgetExhaustedError) {
          // Spend what is left on fewer points, then stop.
          const affordable = Math.floor((e.budget - e.used) / rowsPerPoint);
          if (affordable >= 1 && affordable < count) wanted = affordable;
          else stopReason = 'budget';
          continue;
        }
        // The model failed: keep what was measured (queries were paid for) and report.
        if (!(e instanceof UserError) || measured.length === 0) throw e;
        failure = e;
        stopReason = 'model-error';
        continue;
      }
      const m = outputs.cols;
      for (let i = 0; i < count; i++) {
        const pointOutputs: Matrix = {
          rows: rowsPerPoint,
          cols: m,
          data: outputs.data.subarray(i * rowsPerPoint * m, (i + 1) * rowsPerPoint * m),
        };
        const pg = pointGradients(stencils[i], pointOutputs, step, roundoff);
        measured.push(pg);
        trackNews(pg);
      }
      wanted -= count;
      onProgress({
        phase: 'gradients',
        done: measured.length,
        total: measured.length + wanted,
        message: `rank ${rank}`,
      });
    }
    analyse();
    if (stopReason !== null) break;
  }

  return {
    method: 'gradient',
    basis,
    rank,
    singularValues: spectrum,
    rankGapRatio: gapRatio,
    stopReason,
    failure,
    details: {
      precision,
      step,
      checks,
      points: measured.length,
      pointsRejected: measured.length - screen.accepted.length,
      gradients: screen.gradients,
      medianRelativeResidual: screen.medianRelativeResidual,
      noisePerEntry: screen.noisePerEntry,
      rankRule,
    },
  };
}

function emptyResult(n: number, stopReason: StopReason): RecoveryResult {
  return {
    method: 'gradient',
    basis: zeros(0, n),
    rank: 0,
    singularValues: new Float64Array(0),
    rankGapRatio: 1,
    stopReason,
    details: {},
  };
}

/**
 * A gradient brings news when its residual off the directions seen so far exceeds this many
 * times the norm of its own noise (σ√n): noise alone exceeds 2× that with negligible
 * probability, and a real new direction of float64 data stands decades above it.
 */
export const NEWS_FACTOR = 10;
