import { vstack, type Matrix } from '../linalg/matrix.js';
import { randomOrthonormal } from '../linalg/orthonormal.js';
import { isRealValued } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import {
  pointGradients,
  stencilRows,
  type PointGradients,
  type PointStencil,
} from './differences.js';
import { measureWithinBudget, rowsPerCallFor } from './measure.js';
import { defineMethod } from './method.js';
import { ModelFailures, type RunOutcome } from './modelFailures.js';
import { NEWS_FACTOR, NewsTracker } from './newsTracker.js';
import { planNextRound, type Round } from './gradientPlan.js';
import { defaultChecks, defaultStep, resolvePrecision, unitRoundoff } from './precision.js';
import type { ProgressListener, RecoveryResult, StopReason } from './result.js';
import { RunningNoise, screenPoints, type Screening } from './screening.js';
import { analyseSpectrum, emptyAnalysis, type SpectrumAnalysis } from './spectrum.js';

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
  rowsPerCall?: number;
}

/** What the gradient method reports beyond the common result fields. */
export interface GradientDetails {
  readonly [key: string]: number | string | boolean;
  precision: string;
  step: number;
  checks: number;
  points: number;
  pointsRejected: number;
  gradients: number;
  medianRelativeResidual: number;
  noisePerEntry: number;
  rankRule: string;
  modelFailures: number;
}

/** Fixed settings of one run, resolved from the options and the model's precision. */
interface RunSettings {
  readonly n: number;
  readonly step: number;
  readonly roundoff: number;
  readonly checks: number;
  readonly pointScale: number;
  readonly pointsPerCall: number;
  readonly rowsPerPoint: number;
  readonly points?: number;
}

/** Everything measured so far, and what was read from it. */
interface RunState extends RunOutcome {
  readonly measured: PointGradients[];
  readonly news: NewsTracker;
  readonly noise: RunningNoise;
  /** Points fed to the news tracker so far. */
  tracked: number;
  pointsWithoutNews: number;
  screen: Screening;
  analysis: SpectrumAnalysis;
}

/**
 * The paper's method 1 (Section 3, "ReLU networks, real-valued output"): gradients by finite
 * differences at random Gaussian points, stacked; the SVD gives the basis and the spectrum
 * gives the rank. Points are measured in rounds (gradientPlan.ts) until the rank saturates
 * (or exactly `points` of them); each point's queries are fixed before it is sent, so within
 * a round the method is non-adaptive as in the paper.
 */
export async function recoverByGradients(
  oracle: Oracle,
  rng: Rng,
  options: GradientOptions = {},
  onProgress: ProgressListener = () => {},
): Promise<RecoveryResult<GradientDetails>> {
  const n = oracle.inputDim;
  const precision = await resolvePrecision(oracle, rng);
  if (precision === null) return emptyResult(n, 'budget');
  const checks = options.checks ?? defaultChecks(precision);
  const rowsPerPoint = 1 + n + checks;
  const settings: RunSettings = {
    n,
    step: options.step ?? defaultStep(precision),
    roundoff: unitRoundoff(precision),
    checks,
    pointScale: options.pointScale ?? 1,
    rowsPerPoint,
    pointsPerCall: Math.max(1, Math.floor(rowsPerCallFor(n, options.rowsPerCall) / rowsPerPoint)),
    points: options.points,
  };
  const state: RunState = {
    measured: [],
    news: new NewsTracker(n),
    noise: new RunningNoise(),
    tracked: 0,
    pointsWithoutNews: 0,
    screen: screenPoints([], checks),
    analysis: emptyAnalysis(n),
    failures: new ModelFailures(),
    stopReason: null,
  };
  while (state.stopReason === null) {
    const round = planNextRound(planInput(state, settings));
    if (round === null) {
      state.stopReason = stopReasonAtEnd(state, settings);
      break;
    }
    await measureRound(oracle, rng, settings, state, round, onProgress);
    analyse(state, settings);
  }
  const a = state.analysis;
  return {
    method: gradientMethod.name,
    basis: a.basis,
    rank: a.rank,
    singularValues: a.singularValues,
    rankGapRatio: a.gapRatio,
    stopReason: state.stopReason,
    failure: state.failure,
    pointScale: settings.pointScale,
    details: {
      precision,
      step: settings.step,
      checks,
      points: state.measured.length,
      pointsRejected: state.measured.length - state.screen.accepted.length,
      gradients: state.screen.gradients,
      medianRelativeResidual: state.screen.medianRelativeResidual,
      noisePerEntry: state.screen.noisePerEntry,
      rankRule: a.rankRule,
      modelFailures: state.failures.total,
    },
  };
}

function planInput(state: RunState, s: RunSettings): Parameters<typeof planNextRound>[0] {
  return {
    n: s.n,
    rank: state.analysis.rank,
    accepted: state.screen.accepted.length,
    gradients: state.screen.gradients,
    // Outputs per point are known once a point is measured (a cmd: model announces m only
    // with its first answer); until then assume one.
    outputsPerPoint: state.measured.length > 0 ? state.measured[0].gradients.rows : 1,
    measured: state.measured.length,
    pointsWithoutNews: state.pointsWithoutNews,
    points: s.points,
  };
}

function stopReasonAtEnd(state: RunState, s: RunSettings): StopReason {
  if (s.points !== undefined) return 'points';
  return state.analysis.rank === s.n ? 'full-rank' : 'saturated';
}

/** Measure the round's points in batches, stopping early as the round allows. */
async function measureRound(
  oracle: Oracle,
  rng: Rng,
  s: RunSettings,
  state: RunState,
  round: Round,
  onProgress: ProgressListener,
): Promise<void> {
  let wanted = round.wanted;
  while (wanted > 0 && state.stopReason === null) {
    if (round.untilNoNews && state.pointsWithoutNews >= round.noNewsLimit) break;
    const stencils = Array.from({ length: Math.min(s.pointsPerCall, wanted) }, () =>
      drawStencil(rng, s),
    );
    let answer;
    try {
      answer = await measureWithinBudget(oracle, stencils.length, s.rowsPerPoint, (count) =>
        vstack(
          stencils.slice(0, count).map((st) => stencilRows(st, s.step)),
          s.n,
        ),
      );
    } catch (e) {
      // Untrusted answers: drop these points and go on, or stop with what was measured.
      if (state.failures.failed(e, state.measured.length > 0)) continue;
      state.failure = state.failures.final ?? undefined;
      state.stopReason = 'model-error';
      return;
    }
    state.failures.succeeded();
    if (answer.kind === 'budget') {
      state.stopReason = 'budget';
      return;
    }
    recordPoints(state, s, stencils.slice(0, answer.units), answer.outputs);
    wanted = answer.units < stencils.length ? 0 : wanted - answer.units;
    if (answer.units < stencils.length) state.stopReason = 'budget';
    onProgress({
      phase: 'gradients',
      done: state.measured.length,
      total: state.measured.length + wanted,
      message: `rank ${state.analysis.rank}`,
    });
  }
}

function drawStencil(rng: Rng, s: RunSettings): PointStencil {
  const x = rng.gaussianVector(s.n);
  if (s.pointScale !== 1) for (let j = 0; j < s.n; j++) x[j] *= s.pointScale;
  return { x, checkDirections: randomOrthonormal(s.checks, s.n, rng) };
}

/** Turn a batch's outputs into gradients, and feed each point to the news tracker. */
function recordPoints(
  state: RunState,
  s: RunSettings,
  stencils: readonly PointStencil[],
  outputs: Matrix,
): void {
  const m = outputs.cols;
  const size = s.rowsPerPoint * m;
  stencils.forEach((stencil, i) => {
    const pointOutputs = {
      rows: s.rowsPerPoint,
      cols: m,
      data: outputs.data.subarray(i * size, (i + 1) * size),
    };
    const pg = pointGradients(stencil, pointOutputs, s.step, s.roundoff);
    state.measured.push(pg);
    state.noise.add(pg);
    trackNews(state, s);
  });
}

/**
 * Feed the points not yet tracked to the news tracker, once the noise can be estimated; until
 * then every point counts as news (the streak cannot end a round early). The points measured
 * before that moment are fed too, so the tracker knows their directions.
 */
function trackNews(state: RunState, s: RunSettings): void {
  const perEntry = state.noise.perEntry;
  if (s.checks === 0 || !Number.isFinite(perEntry)) return;
  const threshold = NEWS_FACTOR * perEntry * Math.sqrt(s.n);
  for (; state.tracked < state.measured.length; state.tracked++) {
    const pg = state.measured[state.tracked];
    if (!Number.isFinite(pg.relativeResidual)) {
      state.pointsWithoutNews++; // every gradient zero: no direction here
      continue;
    }
    // Screened out, as in screenPoints: neither news nor evidence of its absence.
    if (pg.relativeResidual > state.noise.outlierLimit) continue;
    let brought = false;
    const g = pg.gradients;
    for (let o = 0; o < g.rows; o++) {
      if (state.news.add(g.data.subarray(o * s.n, (o + 1) * s.n), threshold)) brought = true;
    }
    state.pointsWithoutNews = brought ? 0 : state.pointsWithoutNews + 1;
  }
}

/** Screen the points and read the span from the accepted gradients. */
function analyse(state: RunState, s: RunSettings): void {
  state.screen = screenPoints(state.measured, s.checks);
  if (state.screen.accepted.length === 0) return;
  const stacked = vstack(
    state.screen.accepted.map((i) => state.measured[i].gradients),
    s.n,
  );
  state.analysis = analyseSpectrum(stacked, state.screen.noisePerEntry);
}

/** The result of a run that could not measure anything. */
function emptyResult(n: number, stopReason: StopReason): RecoveryResult<GradientDetails> {
  const a = emptyAnalysis(n);
  return {
    method: gradientMethod.name,
    basis: a.basis,
    rank: 0,
    singularValues: a.singularValues,
    rankGapRatio: a.gapRatio,
    stopReason,
    pointScale: 1,
    details: {
      precision: 'unknown',
      step: NaN,
      checks: 0,
      points: 0,
      pointsRejected: 0,
      gradients: 0,
      medianRelativeResidual: NaN,
      noisePerEntry: NaN,
      rankRule: a.rankRule,
      modelFailures: 0,
    },
  };
}

/** The registry's entry: the paper's method 1, for real-valued access. */
export const gradientMethod = defineMethod({
  name: 'gradient',
  summary: "the paper's non-adaptive method: finite-difference gradients at random points",
  accepts: isRealValued,
  autoPriority: 1,
  options: [
    {
      key: 'step',
      placeholder: 'h',
      kind: 'positive',
      description: 'finite-difference step (default by precision: see docs)',
    },
    {
      key: 'points',
      placeholder: 'n',
      kind: 'integer',
      min: 1,
      description: 'measure exactly this many points instead of stopping at saturation',
    },
    {
      key: 'checks',
      placeholder: 'n',
      kind: 'integer',
      min: 0,
      max: 16,
      description: 'kink-check directions per point (0 disables; default by precision)',
    },
  ],
  run: (oracle, rng, options, onProgress) => recoverByGradients(oracle, rng, options, onProgress),
});
