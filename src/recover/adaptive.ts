import { EchelonBasis } from '../linalg/echelon.js';
import { norm2, zeros, type Matrix } from '../linalg/matrix.js';
import { gramSchmidtRows } from '../linalg/orthonormal.js';
import { singularValues } from '../linalg/svd.js';
import { isRealValued } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import {
  assembleGradients,
  extendProbes,
  readComplement,
  readCoordinates,
  readProbes,
  RowStreamer,
  type ProbeReading,
} from './complementPoint.js';
import { defineMethod, type ContinueFrom } from './method.js';
import { CANDIDATES_OPTION, NO_NEWS_RUN_OPTION, REFINE_FACTOR_OPTION } from './sharedOptions.js';
import { measureGuarded, ModelFailures, type RunOutcome } from './modelFailures.js';
import { rowsPerCallFor } from './measure.js';
import { NEWS_FACTOR } from './newsTracker.js';
import { NoiseScale } from './noiseScale.js';
import { refineSpan, TILT_ITERATIONS, type Refined } from './refinement.js';
import { rankAgainstNoise } from './spanRank.js';
import { fitTilt, type GradientSample } from './tiltFit.js';
import { resolvePrecision, unitRoundoff } from './precision.js';
import { locateSingleError, probeResiduals } from './probeCheck.js';
import type { ProgressListener, RecoveryResult, StopReason } from './result.js';

/** Options of the adaptive method. */
export interface AdaptiveOptions {
  /** Forward-difference step (input-space length of each move); default by precision. */
  step?: number;
  /** Random complement probes per point (kink check); default {@link DEFAULT_PROBES}. */
  probes?: number;
  /** Candidates in a row without news that end the run; default {@link DEFAULT_NO_NEWS_RUN}. */
  noNewsRun?: number;
  /** Candidate points probed for each point measured; the most informative is measured. */
  candidates?: number;
  /**
   * Rows to spend in all, as a multiple of the query floor k(n − k) + k, by pooling extra
   * precise gradients after the span is found; 0 skips that phase. Default
   * {@link REFINE_FACTOR_F32} for float32 models, 0 for float64 ones.
   */
  refineFactor?: number;
  /** Rows per oracle call. */
  rowsPerCall?: number;
}

/**
 * Candidate points in a row whose probes show nothing new before the span is called complete.
 * A point whose gradient has a component off the span found shows it on a random complement
 * probe with probability 1 (a random direction is orthogonal to a fixed nonzero vector with
 * probability 0); a first-layer direction that this many random points in a row all leave
 * unexcited is one random Gaussian points rarely excite, which the certificate then checks.
 * Patience is cheap (3 rows a candidate): at 8 a float32 sigmoid lookalike stopped 4
 * directions short (rank 124 of 128), at 32 it found them all.
 */
export const DEFAULT_NO_NEWS_RUN = 32;

/**
 * Probes per point: two locate a single bad coordinate, more tell a bad coordinate from a bad
 * probe and find several bad coordinates one after another; each costs one row against the
 * n − r of a measurement (on n = 784, k = 128 float64 nets 5 probes left no point rejected
 * where 3 rejected up to 3 per run, each a wasted measurement).
 */
export const DEFAULT_PROBES = 5;

/**
 * Total rows of a float32 run, as a multiple of the floor: the deflation finds the span for
 * about 1.1–1.2× (with the in-span slopes the refinement needs), the rest pools precise
 * gradients.
 */
export const REFINE_FACTOR_F32 = 2;

/**
 * Calibrated noise, in units of the rounding bound, above which a float64 model counts as
 * noisy and gets the refinement phase: real float64 models sit below 1 (their arithmetic is
 * exact at most points), outputs rounded to 6 digits near 1e8.
 */
export const NOISY_LEVEL = 1e3;

/**
 * Default step of the adaptive method. float64: 1e-3, where rounding leaves ~1e-13 relative
 * error per slope and the ReLU boundaries the steps cross are screened by the candidates' bend
 * test and repaired by the probes (on n = 784, k = 128 nets: max angle 3e-9–9e-9 against
 * 3e-8 at 1e-4 and 1e-6 at 1e-5). float32: 1e-2, rounding ~3e-5 relative against kinks in
 * ~4 % of steps (NumPy prototype), which the probes repair.
 */
export function adaptiveStep(p: 'f32' | 'f64'): number {
  return p === 'f32' ? 1e-2 : 1e-3;
}

/**
 * Central-difference step for smooth models: truncation error ∝ step², rounding ∝ 1/step.
 * float64: on n = 784, k = 128 tanh nets max angle 9e-7 / 9e-8 / 2e-8 at 3e-6 / 3e-5 / 1e-4
 * (GELU 7e-8 at 1e-4); float32: 1e-2, where both are near 1e-4 relative.
 */
export function centralStep(p: 'f32' | 'f64'): number {
  return p === 'f32' ? 1e-2 : 1e-4;
}

/** Candidates whose bends decide smoothness, and the share that must bend. */
export const SMOOTH_EVIDENCE = 16;
export const SMOOTH_SHARE = 0.75;

/**
 * The in-span slopes that complete a gradient (pivot axes) use this share of the step: their
 * errors enter the pooled fit only at second order, so a shorter, kink-free step costs little
 * (NumPy prototype: 3e-3 against the deflation's 1e-2 on float32 nets).
 */
export const IN_SPAN_STEP_SHARE = 0.3;

/**
 * Candidate points probed per point measured. The error of a direction is the noise over the
 * size of the new part it came from; probing a few candidates (c + 1 rows each, against the
 * n − r rows of a measurement) and measuring the one with the largest new part keeps the last,
 * smallest new parts from dominating the span's error.
 */
export const DEFAULT_CANDIDATES = 4;

/**
 * The candidates' forward and backward probe moves are this many steps long: longer than any
 * of the point's own steps, so a ReLU boundary close enough for those steps to cross is
 * crossed by the probe too (and makes it bend).
 */
export const BEND_PROBE_FACTOR = 4;

/**
 * How much less a candidate whose probe bends counts: it is measured only when every candidate
 * bends (a smooth model bends everywhere) or its news is that much larger.
 */
export const BENT_PENALTY = 1e6;

/** A probe slope above this many noise levels is news (noise alone stays below ~4). */
export const PROBE_NEWS_FACTOR = 20;

/** Re-measurements of bad coordinates tried before a point's measurements are dropped. */
export const MAX_REPAIRS = 6;

/**
 * Scales of the Gaussian query points. Tried in turn while a model is flat at every point of
 * the current scale (dead ReLUs everywhere, a saturated sigmoid): the live region of a
 * network may sit far inside or far outside the unit sphere. Once the first live scale is
 * saturated, the scale 10× farther out is swept too ({@link SWEEP_RUN}): a unit whose bias keeps it
 * off on all but a few percent of unit-scale points is on at a third of scale-10 points.
 */
export const POINT_SCALES = [1, 10, 0.1, 100, 0.01];

/**
 * Candidates without news probed at the sweep's scale once the live scale is saturated. Each
 * costs 3 rows, so the sweep adds about 50 rows to a run (more when it finds something); 16
 * candidates miss a unit that is on at a fifth of that scale's points with probability
 * 0.8^16 ≈ 3 %.
 */
export const SWEEP_RUN = 16;
/** The sweep's scale over the live one ({@link POINT_SCALES}). */
export const SWEEP_FACTOR = 10;

/** What the adaptive method reports beyond the common result fields. */
export interface AdaptiveDetails {
  readonly [key: string]: number | string | boolean;
  precision: string;
  step: number;
  probes: number;
  points: number;
  pointsWithNews: number;
  pointsRejected: number;
  repairs: number;
  noisePerDerivative: number;
  refinePoints: number;
  refinePredictedError: number;
  refineScreened: number;
  differences: string;
  modelFailures: number;
  rankRule: string;
}

interface Settings {
  readonly n: number;
  readonly step: number;
  readonly roundoff: number;
  readonly probes: number;
  readonly noNewsRun: number;
  readonly candidates: number;
  /** Step of central differences, used once the model shows itself smooth. */
  readonly centralStep: number;
  /** Total rows to spend, as a multiple of the floor k(n − k) + k; 0: no refinement phase. */
  readonly refineFactor: number;
  /** The refinement factor was left to the method (float64 models turn it on when noisy). */
  readonly refineByNoise: boolean;
}

interface State extends RunOutcome {
  readonly basis: EchelonBasis;
  /** The new parts that became directions, for the spectrum. */
  readonly added: Float64Array[];
  readonly noise: NoiseScale;
  /** Outputs per query (known after the first answer). */
  outputs: number;
  /** Full gradients of the points measured, kept when a refinement phase will pool them. */
  readonly samples: GradientSample[];
  points: number;
  pointsWithNews: number;
  pointsRejected: number;
  repairs: number;
  streak: number;
  /** Points to measure before any fresh one (a continued run's leads). */
  readonly leads: Float64Array[];
  /** Scale of the points now drawn ({@link POINT_SCALES}). */
  scaleIndex: number;
  /** The first scale where the model responded: refinement and the certificate use it. */
  liveScaleIndex: number | null;
  /** Candidates seen for the smoothness decision, and how many of them bent. */
  bendsSeen: number;
  bendsFound: number;
  /** Measured with central differences (decided from the first candidates). */
  smooth: boolean;
}

/**
 * Our adaptive method (deflation): at each fresh Gaussian point, a few random probes along the
 * orthogonal complement of the span found so far ask whether the point has anything new; if
 * so, forward differences along the n − r complement directions of the echelon basis give the
 * new part of every output's gradient, checked against the probes (a kinked coordinate is
 * located and re-measured backwards), and every output's new part that stands above the noise
 * becomes a direction. Summed over r = 0 … k − 1 this costs about k·n − k²/2 queries, near the
 * floor k(n − k) + k. Stops after a run of points with no news.
 */
export async function recoverAdaptively(
  oracle: Oracle,
  rng: Rng,
  options: AdaptiveOptions = {},
  onProgress: ProgressListener = () => {},
  from?: ContinueFrom,
): Promise<RecoveryResult<AdaptiveDetails>> {
  const n = oracle.inputDim;
  const precision = await resolvePrecision(oracle, rng);
  const s: Settings = {
    n,
    step: options.step ?? adaptiveStep(precision ?? 'f64'),
    roundoff: unitRoundoff(precision ?? 'f64'),
    probes: options.probes ?? DEFAULT_PROBES,
    noNewsRun: options.noNewsRun ?? DEFAULT_NO_NEWS_RUN,
    candidates: options.candidates ?? DEFAULT_CANDIDATES,
    centralStep: options.step ?? centralStep(precision ?? 'f64'),
    refineFactor: options.refineFactor ?? (precision === 'f32' ? REFINE_FACTOR_F32 : 0),
    refineByNoise: options.refineFactor === undefined && precision !== 'f32',
  };
  const carried = from?.carry instanceof AdaptiveCarry ? from.carry : undefined;
  const state: State = {
    basis: from === undefined ? new EchelonBasis(n) : EchelonBasis.fromRows(from.basis),
    leads: from === undefined ? [] : matrixRows(from.leads),
    added: [],
    noise: carried?.noise ?? new NoiseScale(s.roundoff, s.step),
    samples: [],
    outputs: carried?.outputs ?? 1,
    points: 0,
    pointsWithNews: 0,
    pointsRejected: 0,
    repairs: 0,
    streak: 0,
    scaleIndex: from === undefined ? 0 : scaleIndexOf(from.pointScale),
    liveScaleIndex: null,
    bendsSeen: carried === undefined ? 0 : SMOOTH_EVIDENCE,
    bendsFound: 0,
    smooth: carried?.smooth ?? false,
    failures: new ModelFailures(),
    stopReason: precision === null ? 'budget' : null,
  };
  const streamer = new RowStreamer(oracle, n, rowsPerCallFor(n, options.rowsPerCall));
  while (state.stopReason === null) {
    await measureGuarded(
      state,
      () => streamer.rowsAnswered > 0,
      () => measurePoint(streamer, rng, s, state),
    );
    if (state.stopReason === null) state.stopReason = stopCheck(s, state);
    onProgress({
      phase: 'adaptive',
      done: state.basis.rank,
      total: n,
      message: `rank ${state.basis.rank}, ${state.points} points, ${state.streak} without news`,
    });
  }
  const refined = await refineIfAsked(streamer, rng, s, state, onProgress);
  return result(s, state, precision ?? 'unknown', refined);
}

/**
 * The refinement factor in force: as set, or for a float64 model whose calibrated noise lies
 * far above rounding (rounded or noisy outputs) the float32 one.
 */
function refineFactor(s: Settings, state: State): number {
  if (!s.refineByNoise || !state.noise.calibrated) return s.refineFactor;
  return state.noise.relativeLevel > NOISY_LEVEL ? REFINE_FACTOR_F32 : s.refineFactor;
}

/** The refinement phase, when asked for and the deflation ended normally with a span. */
async function refineIfAsked(
  streamer: RowStreamer,
  rng: Rng,
  s: Settings,
  state: State,
  onProgress: ProgressListener,
): Promise<Refined | null> {
  const r = state.basis.rank;
  const factor = refineFactor(s, state);
  if (factor === 0 || state.stopReason !== 'saturated' || r === 0) return null;
  if (state.samples.length < r) return null;
  const refined = await refineSpan(
    streamer,
    rng,
    {
      n: s.n,
      coarseStep: s.step * IN_SPAN_STEP_SHARE,
      pointScale: POINT_SCALES[state.liveScaleIndex ?? state.scaleIndex],
      // the floor with m real outputs per query is k(n − k) + k over m
      rowLimit: Math.floor((factor * (r * (s.n - r) + r)) / state.outputs),
      noiseAt: (f0, o, xNorm) => state.noise.perDerivative(f0, o, xNorm) / IN_SPAN_STEP_SHARE,
    },
    gramSchmidtRows(state.basis.toMatrix()),
    state.samples,
    onProgress,
  );
  if (refined.budgetSpent) state.stopReason = 'budget';
  return refined;
}

/**
 * What a continued run takes over from the run before (see {@link ContinueFrom}): the noise
 * calibration, the gradients' scale and the span's error (without them the first probes of a
 * continuation would read rounding as news), and the smoothness decision.
 */
class AdaptiveCarry {
  constructor(
    readonly noise: NoiseScale,
    readonly smooth: boolean,
    readonly outputs: number,
  ) {}
}

/** The rows of `m` as vectors (copies). */
function matrixRows(m: Matrix): Float64Array[] {
  return Array.from({ length: m.rows }, (_, i) => m.data.slice(i * m.cols, (i + 1) * m.cols));
}

/** The index of `scale` in {@link POINT_SCALES} (the nearest one on a log scale). */
function scaleIndexOf(scale: number): number {
  const distance = (i: number): number => Math.abs(Math.log(POINT_SCALES[i] / scale));
  let best = 0;
  for (let i = 1; i < POINT_SCALES.length; i++) if (distance(i) < distance(best)) best = i;
  return best;
}

/** Why to stop now, or null to go on. */
function stopCheck(s: Settings, state: State): StopReason | null {
  if (state.basis.rank === s.n) return 'full-rank';
  if (state.basis.rank > 0) state.liveScaleIndex ??= state.scaleIndex;
  const live = state.liveScaleIndex;
  const run = live === null || state.scaleIndex === live ? s.noNewsRun : SWEEP_RUN;
  if (state.streak < run) return null;
  const next =
    live === null ? state.scaleIndex + 1 : live === state.scaleIndex ? sweepScale(live) : -1;
  if (next < 0 || next >= POINT_SCALES.length) return 'saturated';
  state.scaleIndex = next;
  state.streak = 0;
  return null;
}

/**
 * Where to sweep once the live scale is saturated: the scale {@link SWEEP_FACTOR} times
 * farther out, or −1 when there is none. Only outwards: units that are rarely on are kept off
 * by their biases, which matter less the farther out the point; closer in, every point sees
 * the same units on (those on at the origin).
 */
function sweepScale(live: number): number {
  const target = POINT_SCALES[live] * SWEEP_FACTOR;
  return POINT_SCALES.findIndex((scale) => Math.abs(scale - target) <= 1e-9 * target);
}

/** One fresh point: probe; if there is news, measure, check, repair, absorb. */
async function measurePoint(
  streamer: RowStreamer,
  rng: Rng,
  s: Settings,
  state: State,
): Promise<void> {
  const scale = POINT_SCALES[state.scaleIndex];
  // The first round probes enough candidates to decide smoothness before anything is measured.
  const count = Math.max(s.candidates, SMOOTH_EVIDENCE - state.bendsSeen);
  const points = Array.from({ length: count }, () => {
    const lead = state.leads.shift();
    if (lead !== undefined) return lead;
    const x = rng.gaussianVector(s.n);
    for (let j = 0; j < s.n; j++) x[j] *= scale;
    return x;
  });
  // One probe per candidate, forward and backward, picks the point; the point measured gets
  // the other probes for its check.
  const probes = drawProbes(state.basis, s.probes, rng);
  const z = probes.directions[0];
  const pair = [z, z.map((value) => -value)];
  const readings = await readProbes(streamer, points, pair, BEND_PROBE_FACTOR * s.step);
  if (readings === null) {
    state.stopReason = 'budget';
    return;
  }
  state.points += readings.length;
  state.outputs = readings[0]?.outputs ?? state.outputs;
  const chosen = bestCandidate(readings, state, s.n);
  if (chosen === null) {
    state.streak += readings.length;
    return;
  }
  const step = state.smooth ? s.centralStep : s.step;
  // A smooth model's probes are all taken centrally at its step (the candidate's pair was long).
  const probe = state.smooth
    ? await extendProbes(
        streamer,
        { ...chosen, slopes: new Float64Array(0) },
        probes.directions,
        step,
        true,
      )
    : await extendProbes(streamer, chosen, probes.directions.slice(1), step);
  if (probe === null) {
    state.stopReason = 'budget';
    return;
  }
  const x = probe.x;
  const xNorm = norm2(x);
  const measured = await readComplement(
    streamer,
    state.basis,
    x,
    probe.base,
    step,
    undefined,
    state.smooth ? 0 : 1,
  );
  if (measured === null) {
    state.stopReason = 'budget';
    return;
  }
  const v = measured.v;
  state.noise.observeGradients(v, s.n, probe.outputs);
  const consistent = await checkAndRepair(streamer, s, state, probe, probes, v, step);
  if (consistent === null) {
    state.stopReason = 'budget';
    return;
  }
  if (!consistent) {
    state.pointsRejected++;
    return;
  }
  if (refineFactor(s, state) > 0 && !(await completeGradients(streamer, s, state, probe, v))) {
    state.stopReason = 'budget';
    return;
  }
  const brought = absorb(s, state, v, probe, xNorm);
  state.streak = brought ? 0 : state.streak + 1;
  if (brought) state.pointsWithNews++;
}

/**
 * The candidate point whose probe shows the most news, in noise units, among those where the
 * model is linear along the probe; null when none shows news. A larger new part makes a
 * better-conditioned direction (its error is the noise over the part's size). A probe that
 * bends (forward and backward slopes differ beyond noise) marks a point next to a ReLU
 * boundary, where many of the point's steps would cross it: such points are passed over.
 * The returned reading keeps the forward slope only.
 */
function bestCandidate(readings: ProbeReading[], state: State, n: number): ProbeReading | null {
  let best: ProbeReading | null = null;
  let bestEnergy = 0;
  const bends = readings.map((r) => bendsAlongProbe(r, state, norm2(r.x)));
  bends.forEach((b) => recordBend(state, b));
  readings.forEach((r, i) => {
    const m = r.outputs;
    const xNorm = norm2(r.x);
    // forward slope, or the central one (forward and backward averaged) for a smooth model
    const first = r.slopes.slice(0, m);
    if (state.smooth) for (let o = 0; o < m; o++) first[o] = (r.slopes[o] - r.slopes[m + o]) / 2;
    const reading: ProbeReading = { ...r, slopes: first };
    if (!hasNews(reading, state, xNorm, n)) return;
    let energy = 0;
    for (let o = 0; o < m; o++) {
      energy += (first[o] / state.noise.perDerivative(r.base[o], o, xNorm)) ** 2;
    }
    if (bends[i] && !state.smooth) energy /= BENT_PENALTY;
    if (energy > bestEnergy) {
      bestEnergy = energy;
      best = reading;
    }
  });
  return best;
}

/** Whether the model bends along the candidate's probe: forward and backward slopes differ. */
function bendsAlongProbe(r: ProbeReading, state: State, xNorm: number): boolean {
  const m = r.outputs;
  for (let o = 0; o < m; o++) {
    const bend = Math.abs(r.slopes[o] + r.slopes[m + o]);
    if (bend > state.noise.residualTolerance(r.base[o], o, xNorm)) return true;
  }
  return false;
}

/**
 * Count bends until {@link SMOOTH_EVIDENCE} candidates are seen, then decide once: a model
 * that bends at nearly every point is smooth (tanh, GELU, sigmoid layers), and its forward
 * differences carry a curvature error that leaves the span; it is measured with central
 * differences from then on. A ReLU network bends only next to a boundary.
 */
function recordBend(state: State, bends: boolean): void {
  if (state.bendsSeen >= SMOOTH_EVIDENCE) return;
  state.bendsSeen++;
  if (bends) state.bendsFound++;
  if (state.bendsSeen === SMOOTH_EVIDENCE) {
    state.smooth = state.bendsFound >= SMOOTH_SHARE * SMOOTH_EVIDENCE;
  }
}

/** Unit probe directions in the complement, and their coefficients on the d_j. */
interface Probes {
  readonly directions: Float64Array[];
  readonly coefficients: Float64Array[];
}

/** `c` random unit directions in the complement, and their coefficients on the d_j. */
function drawProbes(basis: EchelonBasis, c: number, rng: Rng): Probes {
  const directions: Float64Array[] = [];
  const coefficients: Float64Array[] = [];
  for (let t = 0; t < c; t++) {
    const w = rng.gaussianVector(basis.n);
    for (let i = 0; i < basis.rank; i++) w[basis.pivot(i)] = 0;
    const z = Float64Array.from(w);
    basis.toComplement(z);
    const norm = norm2(z);
    for (let j = 0; j < basis.n; j++) {
      z[j] /= norm;
      w[j] /= norm;
    }
    directions.push(z);
    coefficients.push(w);
  }
  return { directions, coefficients };
}

/**
 * Whether any probe slope of any output stands above what noise and the span's own error can
 * explain (a unit probe sees about 1/√(n − r) of a new part).
 */
function hasNews(probe: ProbeReading, state: State, xNorm: number, n: number): boolean {
  const m = probe.outputs;
  const share = 1 / Math.sqrt(Math.max(1, n - state.basis.rank));
  for (let t = 0; t < probe.slopes.length / m; t++) {
    for (let o = 0; o < m; o++) {
      const noise = state.noise.perDerivative(probe.base[o], o, xNorm);
      const limit = PROBE_NEWS_FACTOR * (noise + share * state.noise.spanResidual(o));
      if (Math.abs(probe.slopes[t * m + o]) > limit) return true;
    }
  }
  return false;
}

/**
 * Compare the probes with the complement measurements and repair what disagrees, up to
 * MAX_REPAIRS re-measurements at the point's own `step` (central for a smooth model): when a single probe disagrees while the others agree, the probe
 * itself crossed a kink and is re-measured backwards; otherwise the coordinate that best
 * explains the residuals (probeCheck.ts) is. True when consistent, false when the point must be
 * dropped, null when the budget ran out.
 */
async function checkAndRepair(
  streamer: RowStreamer,
  s: Settings,
  state: State,
  probe: ProbeReading,
  probes: Probes,
  v: Float64Array,
  step: number,
): Promise<boolean | null> {
  const m = probe.outputs;
  const xNorm = norm2(probe.x);
  const slopes = probe.slopes;
  const remeasured = new Set<number>();
  const reprobed = new Set<number>();
  for (let attempt = 0; ; attempt++) {
    const residuals = probeResiduals(probes.coefficients, slopes, v, s.n, m);
    if (attempt === 0) state.noise.observeResiduals(residuals, probe.base, xNorm);
    const badness = probeBadness(residuals, probe, state, xNorm);
    const failing = badness.flatMap((b, t) => (b > 1 ? [t] : []));
    if (failing.length === 0) return true;
    if (attempt === MAX_REPAIRS || probes.coefficients.length < 2) return false;
    state.repairs++;
    if (failing.length === 1 && badness.length >= 3 && !reprobed.has(failing[0])) {
      const t = failing[0];
      reprobed.add(t);
      const back = probes.directions[t].map((z) => -z);
      const again = await extendProbes(
        streamer,
        { ...probe, slopes: new Float64Array(0) },
        [back],
        step,
        state.smooth,
      );
      if (again === null) return null;
      for (let o = 0; o < m; o++) slopes[t * m + o] = -again.slopes[o];
      continue;
    }
    const j = locateSingleError(probes.coefficients, residuals, s.n, m, remeasured).coordinate;
    if (j < 0) return false;
    remeasured.add(j);
    const again = await readComplement(
      streamer,
      state.basis,
      probe.x,
      probe.base,
      step,
      Int32Array.of(j),
      state.smooth ? 0 : -1,
    );
    if (again === null) return null;
    for (let o = 0; o < m; o++) v[o * s.n + j] = again.v[o * s.n + j];
  }
}

/** Each probe's largest residual over the outputs, in units of its tolerance (NaN: Infinity). */
function probeBadness(
  residuals: Float64Array,
  probe: ProbeReading,
  state: State,
  xNorm: number,
): number[] {
  const m = probe.outputs;
  const c = residuals.length / m;
  return Array.from({ length: c }, (_, t) => {
    let worst = 0;
    for (let o = 0; o < m; o++) {
      const r = Math.abs(residuals[t * m + o]);
      if (Number.isNaN(r)) return Infinity;
      worst = Math.max(worst, r / state.noise.residualTolerance(probe.base[o], o, xNorm));
    }
    return worst;
  });
}

/**
 * Complete the point's gradients for the refinement phase: slopes along the current pivot axes
 * (r rows) turn each output's new part into a full gradient. False when the budget ran out.
 */
async function completeGradients(
  streamer: RowStreamer,
  s: Settings,
  state: State,
  probe: ProbeReading,
  v: Float64Array,
): Promise<boolean> {
  const step = s.step * IN_SPAN_STEP_SHARE;
  const pivots = await readCoordinates(streamer, probe.x, probe.base, state.basis.pivots(), step);
  if (pivots === null) return false;
  const xNorm = norm2(probe.x);
  assembleGradients(state.basis, v, pivots, probe.outputs).forEach((g, o) => {
    const sigma = state.noise.perDerivative(probe.base[o], o, xNorm);
    state.samples.push({ g, weight: 1 / (sigma * sigma), spanNoise: sigma / IN_SPAN_STEP_SHARE });
  });
  return true;
}

/** Add every output's new part that stands above its noise; true when any did. */
function absorb(
  s: Settings,
  state: State,
  v: Float64Array,
  probe: ProbeReading,
  xNorm: number,
): boolean {
  const m = probe.outputs;
  const order = Array.from({ length: m }, (_, o) => o).sort(
    (a, b) => partNorm(v, b, s.n) - partNorm(v, a, s.n),
  );
  let brought = false;
  for (const o of order) {
    const part = v.slice(o * s.n, (o + 1) * s.n);
    state.basis.reduce(part);
    const noiseNorm =
      state.noise.perDerivative(probe.base[o], o, xNorm) * Math.sqrt(s.n - state.basis.rank);
    const size = norm2(part);
    if (!(size > NEWS_FACTOR * (noiseNorm + state.noise.spanResidual(o)))) continue;
    if (state.basis.add(part)) {
      state.added.push(part);
      state.noise.recordDirection(noiseNorm, size);
      brought = true;
    }
  }
  return brought;
}

function partNorm(v: Float64Array, o: number, n: number): number {
  return norm2(v.subarray(o * n, (o + 1) * n));
}

function result(
  s: Settings,
  state: State,
  precision: string,
  refined: Refined | null,
): RecoveryResult<AdaptiveDetails> {
  const read = refined === null ? readDeflation(s, state) : readRefined(refined, state.samples);
  return {
    method: adaptiveMethod.name,
    ...read,
    stopReason: state.stopReason ?? 'saturated',
    failure: state.failure,
    pointScale: POINT_SCALES[state.liveScaleIndex ?? state.scaleIndex],
    carry: new AdaptiveCarry(state.noise, state.smooth, state.outputs),
    details: {
      precision,
      step: s.step,
      probes: s.probes,
      points: state.points,
      pointsWithNews: state.pointsWithNews,
      pointsRejected: state.pointsRejected,
      repairs: state.repairs,
      noisePerDerivative: state.noise.relativeLevel,
      refinePoints: refined?.points ?? 0,
      refinePredictedError: refined?.predictedError ?? NaN,
      refineScreened: refined?.screened ?? 0,
      differences: state.smooth ? 'central' : 'forward',
      modelFailures: state.failures.total,
      rankRule: read.rankRule,
    },
  };
}

type Reading = Pick<
  RecoveryResult,
  'basis' | 'rank' | 'singularValues' | 'rankGapRatio' | 'suspectDirections'
> & {
  rankRule: string;
};

/**
 * The deflation's span: its echelon rows orthonormalised; the rank is the number of news
 * found, the spectrum that of the new parts that became directions (one per direction, so
 * there is no value below the cut: the gap ratio is infinite).
 */
function readDeflation(s: Settings, state: State): Reading {
  const rank = state.basis.rank;
  const stacked = zeros(state.added.length, s.n);
  state.added.forEach((v, i) => stacked.data.set(v, i * s.n));
  return {
    basis: rank > 0 ? gramSchmidtRows(state.basis.toMatrix()) : zeros(0, s.n),
    rank,
    singularValues: singularValues(stacked),
    rankGapRatio: Infinity,
    rankRule: 'news',
  };
}

/** The refined span, its rank read against the gradients' noise (spanRank.ts). */
function readRefined(refined: Refined, samples: readonly GradientSample[]): Reading {
  // Noise alone decides: the span-error margin of spanRank.ts removed genuine weak directions
  // whenever the refinement ended with a large predicted error (few points, many outputs), and
  // a rank that errs high is caught by the certificate ("unsure"), one that errs low is not.
  const r = rankAgainstNoise(refined.basis, samples, 0);
  // Fewer directions than the estimate had: refit the kept ones to all gradients, so that
  // what the dropped ones absorbed of the genuine span returns to it.
  const basis =
    r.rank > 0 && r.rank < refined.basis.rows
      ? fitTilt(r.basis, samples, TILT_ITERATIONS).basis
      : r.basis;
  return {
    basis,
    rank: r.rank,
    singularValues: r.singularValues,
    rankGapRatio: r.gapRatio,
    suspectDirections: r.suspect,
    rankRule: 'noise',
  };
}

/** The registry's entry: our adaptive method, for real-valued access. */
export const adaptiveMethod = defineMethod({
  name: 'adaptive',
  summary: 'ours: deflation along the complement of the span found, near the query floor',
  accepts: isRealValued,
  autoPriority: 2,
  options: [
    {
      key: 'step',
      placeholder: 'h',
      kind: 'positive',
      description: 'finite-difference step (default by precision: see docs)',
    },
    {
      key: 'probes',
      placeholder: 'n',
      kind: 'integer',
      min: 1,
      max: 32,
      description: 'random complement probes per point (novelty and kink check)',
    },
    CANDIDATES_OPTION,
    REFINE_FACTOR_OPTION,
    NO_NEWS_RUN_OPTION,
  ],
  continues: true,
  run: (oracle, rng, options, onProgress, from) =>
    recoverAdaptively(oracle, rng, options, onProgress, from),
});
