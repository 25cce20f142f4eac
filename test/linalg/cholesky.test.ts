import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inverse, Matrix as MlMatrix } from 'ml-matrix';
import { cholesky, choleskySolve, inverseTrace } from '../../src/linalg/cholesky.js';
import {
  matmul,
  matmulTransB,
  norm2,
  transpose,
  zeros,
  type Matrix,
} from '../../src/linalg/matrix.js';
import { randomOrthonormal } from '../../src/linalg/orthonormal.js';
import { Rng } from '../../src/random/rng.js';
import { gaussian } from './matrices.js';

const EPS = Number.EPSILON;
/**
 * Backward error of Cholesky (Higham, Thm 10.3): |A − L Lᵀ|_ij ≤ γ_{k+1} (|L||Lᵀ|)_ij, and
 * (|L||Lᵀ|)_ij ≤ √(A_ii A_jj) by Cauchy–Schwarz; γ_{k+1} ≈ (k+1)ε, doubled for slack.
 */
const RECONSTRUCTION_FACTOR = 2;
/**
 * Backward-stable solve: ‖A x − b‖ ≤ c·k·ε·‖A‖_F·‖x‖; c = 8 covers the factorisation and both
 * triangular solves.
 */
const SOLVE_RESIDUAL_FACTOR = 8;
/**
 * tr A⁻¹ against an LU inverse: both are accurate to about cond(A)·k·ε relatively; the
 * matrices here have cond ≲ 1e3 (BᵀB + I with B 2k × k Gaussian), so 1e-10 has ample room.
 */
const INVERSE_TRACE_REL_TOL = 1e-10;

/** A random symmetric positive definite k × k matrix: BᵀB + I, B 2k × k Gaussian. */
function spd(k: number, rng: Rng): Matrix {
  const b = gaussian(2 * k, k, rng);
  const a = matmul(transpose(b), b);
  for (let i = 0; i < k; i++) a.data[i * k + i] += 1;
  return a;
}

const cases = fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }));

describe('cholesky', () => {
  it('factors A = L Lᵀ with L lower triangular, positive diagonal (property)', () => {
    fc.assert(
      fc.property(cases, ([k, seed]) => {
        const a = spd(k, new Rng(seed));
        const l = cholesky(a);
        assert.ok(l !== null);
        const lm: Matrix = { rows: k, cols: k, data: l };
        for (let i = 0; i < k; i++) {
          assert.ok(l[i * k + i] > 0);
          for (let j = i + 1; j < k; j++) assert.equal(l[i * k + j], 0, 'upper triangle empty');
        }
        const llt = matmulTransB(lm, lm);
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const bound =
              RECONSTRUCTION_FACTOR *
              (k + 1) *
              EPS *
              Math.sqrt(a.data[i * k + i] * a.data[j * k + j]);
            assert.ok(Math.abs(llt.data[i * k + j] - a.data[i * k + j]) <= bound, `(${i}, ${j})`);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('returns null for an indefinite or non-finite matrix (property)', () => {
    fc.assert(
      fc.property(cases, fc.double({ min: 1e-6, max: 10, noNaN: true }), ([k, seed], negative) => {
        // Q diag(λ) Qᵀ with λ_0 = −negative < 0 and the others positive
        const rng = new Rng(seed);
        const q = randomOrthonormal(k, k, rng);
        const scaled = zeros(k, k);
        for (let i = 0; i < k; i++) {
          const lambda = i === 0 ? -negative : 0.5 + rng.uniform();
          for (let j = 0; j < k; j++) scaled.data[i * k + j] = lambda * q.data[i * k + j];
        }
        assert.equal(cholesky(matmul(transpose(q), scaled)), null);
      }),
      { numRuns: 60 },
    );
    assert.equal(cholesky(zeros(3, 3)), null, 'semidefinite: zero pivot');
    const a = spd(3, new Rng(1));
    a.data[4] = NaN;
    assert.equal(cholesky(a), null, 'NaN');
  });
});

describe('choleskySolve', () => {
  it('solves A x = b in place to a backward-stable residual (property)', () => {
    fc.assert(
      fc.property(cases, ([k, seed]) => {
        const rng = new Rng(seed);
        const a = spd(k, rng);
        const l = cholesky(a);
        assert.ok(l !== null);
        const b = rng.gaussianVector(k);
        const x = b.slice();
        assert.equal(choleskySolve(l, k, x), x, 'in place');
        const ax = matmul(a, { rows: k, cols: 1, data: x }).data;
        const residual = norm2(ax.map((v, i) => v - b[i]));
        const bound = SOLVE_RESIDUAL_FACTOR * k * EPS * norm2(a.data) * norm2(x);
        assert.ok(residual <= bound, `residual ${residual} > ${bound}`);
      }),
      { numRuns: 60 },
    );
  });
});

describe('inverseTrace', () => {
  it('equals the trace of an explicit (LU) inverse (property)', () => {
    fc.assert(
      fc.property(cases, ([k, seed]) => {
        const a = spd(k, new Rng(seed));
        const l = cholesky(a);
        assert.ok(l !== null);
        const inv = inverse(
          new MlMatrix(
            Array.from({ length: k }, (_, i) => [...a.data.subarray(i * k, (i + 1) * k)]),
          ),
        );
        let expected = 0;
        for (let i = 0; i < k; i++) expected += inv.get(i, i);
        const got = inverseTrace(l, k);
        assert.ok(
          Math.abs(got - expected) <= INVERSE_TRACE_REL_TOL * expected,
          `${got} vs ${expected}`,
        );
      }),
      { numRuns: 40 },
    );
  });

  it('is Σ 1/d_i for a diagonal matrix', () => {
    const d = [4, 0.25, 9, 1e-3];
    const a = zeros(4, 4);
    d.forEach((v, i) => (a.data[i * 4 + i] = v));
    const l = cholesky(a);
    assert.ok(l !== null);
    const expected = d.reduce((s, v) => s + 1 / v, 0);
    assert.ok(Math.abs(inverseTrace(l, 4) - expected) <= 4 * EPS * expected);
  });
});
