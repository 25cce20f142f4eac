import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dot, firstRows, row } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/random/rng.js';
import { missingDirection, RESIDUAL_EVIDENCE } from '../../src/recover/residualDirection.js';
import type { GradientSample } from '../../src/recover/tiltFit.js';
import { spanProblem } from './spanProblem.js';

/**
 * A span of k + 1 directions whose last one the gradients do not carry, the estimate its first
 * k rows (exact), and a way to give chosen samples a coefficient along the last one. Noise
 * σ = 1e-4 per entry; n = 200, k = 10, 60 samples: the noise edge √60 + √190 is 21.5, so a
 * direction needs ~86 (in units of σ) beyond its largest carrier.
 */
const N = 200;
const K = 10;
const SAMPLES = 60;
const SIGMA = 1e-4;
/**
 * Angle to the true missing direction, over the noise's expectation √(n − k) / ‖a‖ (‖a‖ the
 * samples' coefficients along it in units of σ: the noise in the other n − k − 1 directions
 * against the signal), at most: a χ-like ratio, within ~20 % of 1.
 */
const ANGLE_OVER_NOISE = 2;

/** Angle between `v` and `missing` (unit vectors) over what noise alone explains. */
function angleOverNoise(v: Float64Array, missing: Float64Array, signal: number): number {
  const angle = Math.acos(Math.min(1, Math.abs(dot(v, 0, missing, 0, N))));
  return angle / (Math.sqrt(N - K) / signal);
}

function problem(seed = 1) {
  const p = spanProblem({
    n: N,
    k: K + 1,
    gradients: SAMPLES,
    sigma: SIGMA,
    noisyEvery: 0,
    scales: [...new Array<number>(K).fill(1), 0],
    seed,
  });
  const missing = row(p.s, K);
  const carry = (samples: GradientSample[], indices: number[], size: number) =>
    samples.map((s, i) =>
      indices.includes(i) ? { ...s, g: s.g.map((x, j) => x + size * missing[j]) } : s,
    );
  return { basis: firstRows(p.s, K), samples: p.samples, missing, carry };
}

test('a direction that three of 60 normals carry is found', () => {
  const { basis, samples, missing, carry } = problem();
  const found = missingDirection(basis, carry(samples, [3, 17, 41], 200 * SIGMA));
  assert.ok(found !== null, 'no direction found');
  const off = angleOverNoise(found.direction, missing, 200 * Math.sqrt(3));
  assert.ok(off < ANGLE_OVER_NOISE, `angle ${off} times the noise's`);
  // orthogonal to the basis, unit length
  for (let i = 0; i < K; i++)
    assert.ok(Math.abs(dot(basis.data, i * N, found.direction, 0, N)) < 1e-12);
  assert.ok(Math.abs(dot(found.direction, 0, found.direction, 0, N) - 1) < 1e-12);
  // its size: the root mean square of the samples' coefficients along it (3 of 60 at 200σ)
  const expected = 200 * SIGMA * Math.sqrt(3 / SAMPLES);
  assert.ok(Math.abs(found.size / expected - 1) < 0.05, `size ${found.size} vs ${expected}`);
});

test('one normal alone never makes a direction, however large its off-span part (a kink)', () => {
  const { basis, samples, carry } = problem();
  assert.equal(missingDirection(basis, carry(samples, [17], 1e4 * SIGMA)), null);
});

test('noise alone makes no direction, even at twice the stated noise', () => {
  for (const seed of [1, 2, 3]) {
    const { basis, samples } = problem(seed);
    assert.equal(missingDirection(basis, samples), null, `seed ${seed}`);
    const rng = new Rng(seed + 10);
    const louder = samples.map((s) => ({
      ...s,
      g: s.g.map((x) => x + SIGMA * Math.sqrt(3) * rng.gaussian()),
    }));
    assert.equal(missingDirection(basis, louder), null, `seed ${seed}, twice the noise`);
  }
});

test('a direction too weak for any one normal is found when every normal carries it', () => {
  const { basis, samples, missing, carry } = problem();
  const all = samples.map((_, i) => i);
  // 20σ along it: a normal's own news test needs ~10·√190 ≈ 138σ; the 60 pooled reach
  // √59·20 ≈ 154 against the 4 × 21.5 ≈ 86 needed
  const found = missingDirection(basis, carry(samples, all, 20 * SIGMA));
  assert.ok(found !== null, 'no direction found');
  const off = angleOverNoise(found.direction, missing, 20 * Math.sqrt(SAMPLES));
  assert.ok(off < ANGLE_OVER_NOISE, `angle ${off} times the noise's`);
  // 5σ: √59·5 ≈ 38, below the evidence needed
  const edge = Math.sqrt(SAMPLES) + Math.sqrt(N - K);
  assert.ok(Math.sqrt(SAMPLES - 1) * 5 < RESIDUAL_EVIDENCE * edge);
  assert.equal(missingDirection(basis, carry(samples, all, 5 * SIGMA)), null);
});
