import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Matrix, matmul, norm2, vstack, zeros } from '../../src/linalg/matrix.js';
import { projectOntoComplement, randomOrthonormal } from '../../src/linalg/orthonormal.js';
import { compareSubspaces, principalAngles } from '../../src/linalg/principalAngles.js';
import { singularValues } from '../../src/linalg/svd.js';
import { Rng } from '../../src/random/rng.js';
import { gaussian } from './matrices.js';

/**
 * Absolute accuracy of the sine-based angles: rounding of the inputs and of the residual,
 * O(ε) (measured ≤ 3e-16 for n ≤ 400, including ambient rotations). It makes a 1e-10 angle
 * good to 1e-4 relative and a 1e-9 angle to 1e-5; cosines alone would give 0 or ~1e-8.
 */
const ANGLE_ABS_TOL = 1e-14;
/** Angles of identical or rotated spans, computed from Gaussian (κ ≈ 10) inputs: rounding. */
const SAME_SPAN_TOL = 1e-13;

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `angle ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`,
    );
  }
}

/**
 * Two subspaces of R^n with chosen principal angles θ₁…θ_p, presented in a random orientation:
 * A = [e₁ … e_p], B = [cos θᵢ eᵢ + sin θᵢ e_{p+i}], both multiplied by a random orthogonal Q.
 */
function planesWithAngles(angles: number[], n: number, rng: Rng): [Matrix, Matrix] {
  const p = angles.length;
  const a = zeros(p, n);
  const b = zeros(p, n);
  angles.forEach((theta, i) => {
    a.data[i * n + i] = 1;
    b.data[i * n + i] = Math.cos(theta);
    b.data[i * n + p + i] = Math.sin(theta);
  });
  const q = randomOrthonormal(n, n, rng);
  return [matmul(a, q), matmul(b, q)];
}

describe('principalAngles', () => {
  it('is zero between a span and itself (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (k, extra, seed) => {
          const a = gaussian(k, k + extra, new Rng(seed));
          const angles = principalAngles(a, a);
          assert.equal(angles.length, k);
          for (const t of angles) assert.ok(t >= 0 && t <= SAME_SPAN_TOL, `angle ${t}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is invariant under a change of basis and under ambient rotations (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (ka, kb, extra, seed) => {
          const rng = new Rng(seed);
          const n = Math.max(ka, kb) + extra;
          const a = gaussian(ka, n, rng);
          const b = gaussian(kb, n, rng);
          const reference = principalAngles(a, b);
          // Another basis of the same span: a random orthogonal mix of A's rows, and a
          // non-orthogonal (Gaussian, invertible) mix of B's rows.
          const rotatedA = matmul(randomOrthonormal(ka, ka, rng), a);
          const mixedB = matmul(gaussian(kb, kb, rng), b);
          assertClose(principalAngles(rotatedA, mixedB), reference, 1e-9);
          // Rotating the whole space changes nothing either.
          const q = randomOrthonormal(n, n, rng);
          assertClose(principalAngles(matmul(a, q), matmul(b, q)), reference, 1e-9);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is symmetric in its arguments (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (ka, kb, seed) => {
          const rng = new Rng(seed);
          const a = gaussian(ka, 9, rng);
          const b = gaussian(kb, 9, rng);
          assertClose(principalAngles(a, b), principalAngles(b, a), 1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('recovers chosen angles, tiny and near π/2 alike', () => {
    const rng = new Rng(1);
    const chosen = [1e-12, 1e-10, 1e-9, 1e-6, 0.3, 1.2, Math.PI / 2 - 1e-10, Math.PI / 2];
    for (const n of [2 * chosen.length, 60]) {
      const [a, b] = planesWithAngles(chosen, n, rng);
      assertClose(principalAngles(a, b), chosen, ANGLE_ABS_TOL);
    }
  });

  it('measures 1e-10 and 1e-9 to good relative accuracy', () => {
    const rng = new Rng(2);
    for (const theta of [1e-10, 1e-9]) {
      const [a, b] = planesWithAngles([0.5, theta], 40, rng);
      const angles = principalAngles(a, b);
      const relative = Math.abs(angles[0] - theta) / theta;
      assert.ok(relative < 1e-4, `θ = ${theta}: got ${angles[0]} (relative error ${relative})`);
    }
  });

  it('measures a 1e-9 tilt of one direction of a 40-dimensional span in R^300', () => {
    const rng = new Rng(3);
    const n = 300;
    const k = 40;
    const tilt = 1e-9;
    const qa = randomOrthonormal(k, n, rng);
    const away = projectOntoComplement(qa, rng.gaussianVector(n));
    const awayUnit = away.map((x) => x / norm2(away));
    const b = zeros(k, n);
    b.data.set(qa.data);
    for (let t = 0; t < n; t++)
      b.data[t] = Math.cos(tilt) * qa.data[t] + Math.sin(tilt) * awayUnit[t];
    // B given as a non-orthonormal basis: the dimension is its numerical rank.
    const mixedB = matmul(gaussian(k, k, rng), b);
    const c = compareSubspaces(qa, mixedB);
    assert.deepEqual([c.dimA, c.dimB], [k, k]);
    assert.ok(Math.abs(c.maxAngle - tilt) / tilt < 1e-4, `max angle ${c.maxAngle}`);
    assert.ok(Math.abs(c.meanAngle - tilt / k) / (tilt / k) < 1e-2, `mean angle ${c.meanAngle}`);
    assert.ok(Math.abs(c.projectionDistance - Math.sin(c.maxAngle)) <= 1e-25);
  });

  it('uses the numerical rank of rank-deficient inputs as the dimension', () => {
    const rng = new Rng(4);
    const a = gaussian(3, 10, rng);
    const repeated = vstack([a, matmul(gaussian(4, 3, rng), a)], 10); // 7 rows, rank 3
    const angles = principalAngles(repeated, a);
    assert.equal(angles.length, 3);
    for (const t of angles) assert.ok(t <= SAME_SPAN_TOL);
  });

  it('compares subspaces of differing dimensions over min(dimA, dimB) pairs', () => {
    const rng = new Rng(5);
    const big = gaussian(5, 12, rng);
    const inside = matmul(gaussian(3, 5, rng), big); // a 3-dim subspace of span(big)
    const angles = principalAngles(inside, big);
    assert.equal(angles.length, 3);
    for (const t of angles) assert.ok(t <= SAME_SPAN_TOL);
    const c = compareSubspaces(big, inside);
    assert.deepEqual([c.dimA, c.dimB, c.projectionDistance], [5, 3, 1]);
    assert.ok(c.maxAngle <= SAME_SPAN_TOL);
  });

  it('returns angles in [0, π/2], ascending', () => {
    const rng = new Rng(6);
    const angles = principalAngles(gaussian(6, 9, rng), gaussian(7, 9, rng));
    for (let i = 0; i < angles.length; i++) {
      assert.ok(angles[i] >= 0 && angles[i] <= Math.PI / 2);
      if (i > 0) assert.ok(angles[i] >= angles[i - 1]);
    }
  });

  it('rejects matrices with different column counts', () => {
    assert.throws(() => principalAngles(zeros(2, 3), zeros(2, 4)), /got 2x3 and 2x4/);
  });
});

describe('compareSubspaces', () => {
  it('reports ‖P_A − P_B‖₂ = sin(maxAngle) for equal dimensions', () => {
    const rng = new Rng(7);
    const n = 8;
    const a = randomOrthonormal(3, n, rng);
    const b = randomOrthonormal(3, n, rng);
    const c = compareSubspaces(a, b);
    // The spectral norm of the explicit projector difference.
    const diff = zeros(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let r = 0; r < 3; r++) v += a.data[r * n + i] * a.data[r * n + j];
        for (let r = 0; r < 3; r++) v -= b.data[r * n + i] * b.data[r * n + j];
        diff.data[i * n + j] = v;
      }
    }
    const explicit = singularValues(diff)[0];
    assert.ok(Math.abs(c.projectionDistance - explicit) <= 1e-12);
    assert.ok(Math.abs(c.projectionDistance - Math.sin(c.maxAngle)) <= 1e-15);
    const angles = principalAngles(a, b);
    assert.ok(Math.abs(c.meanAngle - angles.reduce((s, t) => s + t, 0) / 3) <= 1e-15);
  });

  it('reports distance 0 for the same span given by different bases', () => {
    const rng = new Rng(8);
    const a = gaussian(4, 11, rng);
    const c = compareSubspaces(a, matmul(gaussian(4, 4, rng), a));
    assert.deepEqual([c.dimA, c.dimB], [4, 4]);
    assert.ok(c.maxAngle <= SAME_SPAN_TOL && c.projectionDistance <= SAME_SPAN_TOL);
  });

  it('treats a zero span as maximally far from a non-zero one, and equal to another zero span', () => {
    const a = gaussian(2, 5, new Rng(9));
    assert.deepEqual(compareSubspaces(zeros(3, 5), a), {
      dimA: 0,
      dimB: 2,
      maxAngle: Math.PI / 2,
      meanAngle: Math.PI / 2,
      projectionDistance: 1,
    });
    assert.deepEqual(compareSubspaces(zeros(1, 5), zeros(0, 5)), {
      dimA: 0,
      dimB: 0,
      maxAngle: 0,
      meanAngle: 0,
      projectionDistance: 0,
    });
  });
});
