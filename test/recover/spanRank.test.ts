import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matmul, vstack, type Matrix } from '../../src/linalg/matrix.js';
import { gramSchmidtRows, randomOrthonormal } from '../../src/linalg/orthonormal.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { Rng } from '../../src/random/rng.js';
import { rankAgainstNoise, suspectTail } from '../../src/recover/spanRank.js';
import { spanProblem, type SpanProblem } from './spanProblem.js';

/**
 * The rule's documented margin: a direction is kept when its share of the gradients exceeds
 * this many times a typical direction's error (the root-sum error over √k').
 */
const STATED_SPAN_MARGIN = 10;
/** How far either side of the cut the span error is put: the cut is computed from the data. */
const CUT_SIDE = 0.1;
/**
 * Principal angle between the kept basis and the genuine span: the noise the coordinates carry
 * relative to their unit-size signal (≤ 10σ = 1e-3 per entry), times 10.
 */
const KEPT_ANGLE_TOL = 1e-2;

/** The rows of S and `extra` unit directions orthogonal to it, mixed by a random rotation. */
function estimateWithNoiseDirections(p: SpanProblem, extra: number, rng: Rng): Matrix {
  const all = gramSchmidtRows(vstack([p.s, randomOrthonormal(extra, p.n, rng)], p.n));
  return matmul(randomOrthonormal(p.k + extra, p.k + extra, rng), all);
}

/** The first `rows` rows of `m`. */
function firstRows(m: Matrix, rows: number): Matrix {
  return { rows, cols: m.cols, data: m.data.slice(0, rows * m.cols) };
}

describe('rankAgainstNoise', () => {
  it('drops two directions that carry only noise: rank k, the span of the genuine ones', () => {
    const p = spanProblem({ n: 30, k: 4, gradients: 100, sigma: 1e-4, noisyEvery: 3, seed: 51 });
    const estimate = estimateWithNoiseDirections(p, 2, new Rng(52));
    const r = rankAgainstNoise(estimate, p.samples, 0);
    assert.equal(r.rank, p.k);
    assert.equal(r.basis.rows, p.k);
    assert.ok(r.singularValues[p.k - 1] > r.threshold && r.singularValues[p.k] <= r.threshold);
    assert.equal(r.gapRatio, r.singularValues[p.k - 1] / r.singularValues[p.k]);
    const c = compareSubspaces(r.basis, p.s);
    assert.equal(c.dimA, p.k);
    assert.ok(c.maxAngle <= KEPT_ANGLE_TOL, `angle ${c.maxAngle}`);
  });

  it('drops a weak genuine direction exactly when the span error hides it', () => {
    const alpha = 0.05; // the weak direction's coefficient size, against 1 for the others
    const p = spanProblem({
      n: 30,
      k: 4,
      gradients: 100,
      sigma: 1e-4,
      noisyEvery: 3,
      scales: [1, 1, 1, alpha],
      seed: 53,
    });
    const estimate = estimateWithNoiseDirections(p, 2, new Rng(54));
    const kPrime = estimate.rows;
    const exact = rankAgainstNoise(estimate, p.samples, 0);
    assert.equal(exact.rank, p.k, 'with an exact span the weak direction is kept');
    // the weak direction's singular value in units of the gradients' total size, and the span
    // error at which the stated margin reaches it
    let energy = 0;
    for (const s of p.samples) energy += s.g.reduce((a, x) => a + x * x, 0) / s.spanNoise ** 2;
    const share = exact.singularValues[p.k - 1] / Math.sqrt(energy);
    const cut = (share * Math.sqrt(kPrime)) / STATED_SPAN_MARGIN;
    // about α / ‖scales‖ (chi fluctuations of P = 100 draws aside): it is the weak direction
    const expected = alpha / Math.sqrt(3 + alpha ** 2);
    assert.ok(share < 2 * expected && share > expected / 2, `share ${share}`);

    const below = rankAgainstNoise(estimate, p.samples, (1 - CUT_SIDE) * cut);
    assert.equal(below.rank, p.k, 'just below the cut it stays');
    const above = rankAgainstNoise(estimate, p.samples, (1 + CUT_SIDE) * cut);
    assert.equal(above.rank, p.k - 1, 'just above the cut it goes');
    // The kept directions are the strong ones, mixed with the weak one only by their sample
    // correlation over P draws: an angle of about α/√P, here taken 4 times.
    const mixingAngleTol = (4 * alpha) / Math.sqrt(p.samples.length);
    const strong = compareSubspaces(above.basis, firstRows(p.s, p.k - 1));
    assert.equal(strong.dimA, p.k - 1);
    assert.ok(strong.maxAngle <= mixingAngleTol, `the weak one went: ${strong.maxAngle}`);
  });
});

it('suspectTail: a short tail clearly apart is suspect, a smooth spectrum is not', () => {
  const smooth = Float64Array.from({ length: 40 }, (_, i) => 100 * 0.95 ** i);
  assert.equal(suspectTail(smooth, 40), 0);
  const tailed = Float64Array.from([...smooth.slice(0, 37), 0.2, 0.15, 0.1]);
  assert.equal(suspectTail(tailed, 40), 3);
  // a gap further in than the tail share is a genuine spread, not a suspect tail
  const early = Float64Array.from(smooth.map((v, i) => (i < 20 ? v : v / 10)));
  assert.equal(suspectTail(early, 40), 0);
});
