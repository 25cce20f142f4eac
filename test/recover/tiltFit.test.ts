import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { vstack, zeros, type Matrix } from '../../src/linalg/matrix.js';
import {
  gramSchmidtRows,
  projectOntoComplement,
  randomOrthonormal,
} from '../../src/linalg/orthonormal.js';
import { principalAngles } from '../../src/linalg/principalAngles.js';
import { Rng } from '../../src/random/rng.js';
import {
  coordinates,
  fitTilt,
  Information,
  type GradientSample,
} from '../../src/recover/tiltFit.js';
import { orthonormalityError } from '../linalg/matrices.js';
import { spanProblem, type SpanProblem } from './spanProblem.js';

/** Tilt steps, as the adaptive method's refinement takes them. */
const ITERATIONS = 3;
/**
 * Tangent of the angle between the true span and the starting estimate, per direction. A
 * nearby span is the row span of Û + Eᵀ for some E off Û, so the fit is exact even for a far
 * start: ten times further off must reach the same noise level.
 */
const START_TILT = 1e-2;
const FAR_START_TILT = 1e-1;
/**
 * Root-sum-square principal angle over `sqrt(n − k) · predictedError`: predictedError² = tr M⁻¹
 * is the expected squared span component of one unit complement direction, and the n − k of
 * them add up to Σθ². Σθ² is a chi-square-like sum with (n − k)·k = 104 terms, so the ratio
 * spreads by ~7%; the band is four to five of those.
 */
const NOISE_LEVEL_BAND = [0.7, 1.4] as const;
/** Fits that differ only by rounding and second-order terms of the tilt (radians, relative). */
const SAME_FIT_FRACTION = 0.05;
/** The fitted frame is off the true one by ~1e-4 rad and the ridge adds ~1e-8 relative to M. */
const OWN_PREDICTION_TOL = 1e-2;

/** Root of the sum of squares. */
function rss(angles: Float64Array): number {
  return Math.sqrt(angles.reduce((s, t) => s + t * t, 0));
}

/** The span S tilted by `tilt` toward k random directions orthogonal to it, plus `extra`
 * further unit directions orthogonal to S and to the tilt, put first. */
function tiltedStart(s: Matrix, rng: Rng, extra = 0, tilt = START_TILT): Matrix {
  const { rows: k, cols: n } = s;
  const off = gramSchmidtRows(vstack([s, randomOrthonormal(k + extra, n, rng)], n));
  const tilted = zeros(k, n);
  tilted.data.set(s.data);
  for (let t = 0; t < k * n; t++) tilted.data[t] += tilt * off.data[k * n + t];
  const extraRows = { rows: extra, cols: n, data: off.data.slice(2 * k * n) };
  return gramSchmidtRows(vstack([extraRows, tilted], n));
}

/** The noise level Information predicts for the true span, in root-sum-square angle. */
function noiseLevel(p: SpanProblem): number {
  return Math.sqrt(p.n - p.k) * new Information(p.s, p.samples).predictedError;
}

/** A gradient of the span whose off-span part is off by a unit vector (a kinked derivative,
 * 10⁴ times the noise of the precise samples). */
function outlier(p: SpanProblem, rng: Rng): GradientSample {
  const e = projectOntoComplement(p.s, rng.gaussianVector(p.n));
  const norm = Math.hypot(...e);
  const g = p.gradient(rng);
  for (let j = 0; j < p.n; j++) g[j] += e[j] / norm;
  return { g, weight: 1 / p.sigma ** 2, spanNoise: p.sigma };
}

describe('fitTilt', () => {
  // every third sample ten times noisier: the weights and the screen's units must matter
  const p = spanProblem({ n: 30, k: 4, gradients: 200, sigma: 1e-4, noisyEvery: 3, seed: 41 });
  const start = tiltedStart(p.s, new Rng(42));

  it('brings a tilt of 1e-2 or 1e-1 down to the noise level Information predicts', () => {
    for (const tilt of [START_TILT, FAR_START_TILT]) {
      const from = tiltedStart(p.s, new Rng(42), 0, tilt);
      assert.ok(Math.max(...principalAngles(from, p.s)) >= Math.atan(tilt) * 0.999);
      const fit = fitTilt(from, p.samples, ITERATIONS);
      assert.ok(orthonormalityError(fit.basis) <= 1e-14);
      assert.equal(fit.screened, 0);
      const ratio = rss(principalAngles(fit.basis, p.s)) / noiseLevel(p);
      assert.ok(ratio >= NOISE_LEVEL_BAND[0] && ratio <= NOISE_LEVEL_BAND[1], `${tilt}: ${ratio}`);
      // its own prediction, made in the fitted frame, agrees with the one in the true frame
      const own = Math.sqrt(p.n - p.k) * fit.predictedError;
      assert.ok(Math.abs(own / noiseLevel(p) - 1) <= OWN_PREDICTION_TOL, `${tilt}: ${own}`);
    }
  });

  it('screens out a gross outlier, leaving the angle as without it', () => {
    const rng = new Rng(43);
    const bad = outlier(p, rng);
    const clean = fitTilt(start, p.samples, ITERATIONS);
    const screened = fitTilt(start, [...p.samples, bad], ITERATIONS);
    assert.equal(screened.screened, 1, 'the outlier, and only it (precise samples stay)');
    const apart = Math.max(...principalAngles(screened.basis, clean.basis));
    assert.ok(apart <= SAME_FIT_FRACTION * noiseLevel(p), `moved ${apart}`);
    // the outlier matters: one step, taken before any screen, is pulled far off
    const oneStep = fitTilt(start, [...p.samples, bad], 1);
    const oneStepClean = fitTilt(start, p.samples, 1);
    const pulled = Math.max(...principalAngles(oneStep.basis, oneStepClean.basis));
    assert.ok(pulled >= 30 * noiseLevel(p), `pulled ${pulled}`);
  });

  it('keeps a direction the gradients do not excite from tilting far (the ridge)', () => {
    const withExtra = tiltedStart(p.s, new Rng(44), 1);
    const extra = withExtra.data.slice(0, p.n);
    // That direction's coordinates are pure noise, M ≈ P along it; the ridge (Σ w σ² = P)
    // doubles that, so one step moves it by ≈ √((n−k−1)/4P) ≈ 0.18 instead of ≈ 0.35.
    const EXTRA_STEP_LIMIT = 0.25;
    const one = fitTilt(withExtra, p.samples, 1);
    const cos = one.basis.data.slice(0, p.n).reduce((s, x, j) => s + x * extra[j], 0);
    const step = Math.sqrt(Math.max(0, 2 - 2 * Math.abs(cos)));
    assert.ok(step <= EXTRA_STEP_LIMIT, `extra direction moved ${step}`);
    // and the k genuine directions still converge, S inside the (k+1)-dimensional fit
    const fit = fitTilt(withExtra, p.samples, ITERATIONS);
    assert.equal(fit.basis.rows, p.k + 1);
    assert.ok(Number.isFinite(fit.predictedError));
    assert.ok(orthonormalityError(fit.basis) <= 1e-14);
    const inside = rss(principalAngles(p.s, fit.basis));
    assert.ok(inside <= NOISE_LEVEL_BAND[1] * noiseLevel(p), `S off the fit by ${inside}`);
  });
});

describe('Information', () => {
  it('is sqrt(Σ 1/(w a_i²)) for gradients a_i·u_i along the rows, and Infinity when singular', () => {
    const u = randomOrthonormal(3, 7, new Rng(45));
    const sizes = [2, 0.5, 3];
    const weight = 4;
    const info = new Information(u);
    assert.equal(info.predictedError, Infinity);
    sizes.forEach((a, i) => {
      const g = u.data.slice(i * 7, (i + 1) * 7).map((x) => a * x);
      info.add({ g, weight, spanNoise: 1 });
      if (i < 2) assert.equal(info.predictedError, Infinity, 'a direction without samples');
    });
    const expected = Math.sqrt(sizes.reduce((s, a) => s + 1 / (weight * a * a), 0));
    assert.ok(Math.abs(info.predictedError - expected) <= 1e-14 * expected);
  });

  it('adds samples one by one as the constructor adds them all', () => {
    const q = spanProblem({ n: 12, k: 3, gradients: 20, sigma: 1e-3, noisyEvery: 3, seed: 46 });
    const incremental = new Information(q.s);
    for (const sample of q.samples) incremental.add(sample);
    assert.equal(incremental.predictedError, new Information(q.s, q.samples).predictedError);
  });
});

describe('coordinates', () => {
  it('recovers c from cᵀU plus any part orthogonal to U', () => {
    const rng = new Rng(47);
    const u = randomOrthonormal(4, 10, rng);
    const c = rng.gaussianVector(4);
    const g = projectOntoComplement(u, rng.gaussianVector(10));
    for (let i = 0; i < 4; i++) for (let j = 0; j < 10; j++) g[j] += c[i] * u.data[i * 10 + j];
    const got = coordinates(u, g);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(got[i] - c[i]) <= 1e-14 * Math.hypot(...g));
  });
});
