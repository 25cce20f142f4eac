import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Matrix, matmul, norm2, row, zeros } from '../../src/linalg/matrix.js';
import {
  defaultRankTolerance,
  gramSchmidtRows,
  orthonormalRows,
  projectOntoComplement,
  projectOntoComplementInPlace,
  randomOrthonormal,
} from '../../src/linalg/orthonormal.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { Rng } from '../../src/random/rng.js';
import { gaussian, orthonormalityError } from './matrices.js';

/**
 * Orthonormality after the Gram–Schmidt clean-up: max |Q Qᵀ − I| at rounding level, a small
 * multiple of √n·ε (≈ 1e-15 for our sizes), far below the SVD's own ~1e-14.
 */
const ORTHONORMAL_TOL = 1e-14;
/** Residual of a vector of norm 1 after two Gram–Schmidt passes against its own span: rounding. */
const IN_SPAN_RESIDUAL_TOL = 1e-14;

/** max over rows of ‖(I − P_basis) rowᵢ(m)‖ / ‖rowᵢ(m)‖: 0 when m's rows lie in the span. */
function relativeResidual(basis: Matrix, m: Matrix): number {
  let worst = 0;
  for (let i = 0; i < m.rows; i++) {
    const r = row(m, i);
    worst = Math.max(worst, norm2(projectOntoComplement(basis, r)) / norm2(r));
  }
  return worst;
}

describe('orthonormalRows', () => {
  it('returns an orthonormal basis of the row span of a full-rank matrix (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (k, extra, seed) => {
          const a = gaussian(k, k + extra, new Rng(seed));
          const q = orthonormalRows(a);
          assert.equal(q.rows, k);
          assert.equal(q.cols, k + extra);
          assert.ok(orthonormalityError(q) <= ORTHONORMAL_TOL);
          assert.ok(relativeResidual(q, a) <= IN_SPAN_RESIDUAL_TOL);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('drops directions of a rank-deficient matrix (rank = numerical rank)', () => {
    const rng = new Rng(11);
    const a = matmul(gaussian(9, 4, rng), gaussian(4, 20, rng)); // 9 rows, rank 4
    const q = orthonormalRows(a);
    assert.equal(q.rows, 4);
    assert.ok(orthonormalityError(q) <= ORTHONORMAL_TOL);
    assert.ok(relativeResidual(q, a) <= IN_SPAN_RESIDUAL_TOL * 10);
  });

  it('handles more rows than columns', () => {
    const q = orthonormalRows(gaussian(12, 5, new Rng(12)));
    assert.equal(q.rows, 5);
    assert.ok(orthonormalityError(q) <= ORTHONORMAL_TOL);
  });

  it('returns no rows for a zero or empty matrix', () => {
    assert.deepEqual(
      [orthonormalRows(zeros(3, 6)).rows, orthonormalRows(zeros(3, 6)).cols],
      [0, 6],
    );
    assert.equal(orthonormalRows(zeros(0, 6)).rows, 0);
  });

  it('applies a caller-supplied relative tolerance', () => {
    // Row span of diag(1, 1e-6, 0): rank 2 by default, rank 1 at relTol 1e-3.
    const a = zeros(3, 3);
    a.data[0] = 1;
    a.data[4] = 1e-6;
    assert.equal(orthonormalRows(a).rows, 2);
    assert.equal(orthonormalRows(a, 1e-3).rows, 1);
    assert.throws(() => orthonormalRows(a, -1), /relTol must be finite and >= 0, got -1/);
  });

  it('documents the default tolerance as max(rows, cols)·ε', () => {
    assert.equal(defaultRankTolerance(3, 1536), 1536 * Number.EPSILON);
  });
});

describe('projectOntoComplement', () => {
  const rng = new Rng(21);
  const basis = randomOrthonormal(5, 17, rng);

  it('is orthogonal to the basis, idempotent, and leaves its input untouched', () => {
    const v = rng.gaussianVector(17);
    const copy = Float64Array.from(v);
    const p = projectOntoComplement(basis, v);
    assert.deepEqual(v, copy);
    for (let i = 0; i < basis.rows; i++) {
      const c = row(basis, i).reduce((s, x, t) => s + x * p[t], 0);
      assert.ok(Math.abs(c) <= IN_SPAN_RESIDUAL_TOL * norm2(v), `component ${i}: ${c}`);
    }
    const twice = projectOntoComplement(basis, p);
    for (let t = 0; t < 17; t++) assert.ok(Math.abs(twice[t] - p[t]) <= 1e-15 * norm2(v));
    // v − p lies in the span: projecting it leaves nothing.
    const inSpan = v.map((x, t) => x - p[t]);
    assert.ok(norm2(projectOntoComplement(basis, inSpan)) <= IN_SPAN_RESIDUAL_TOL * norm2(v));
  });

  it('reduces a vector of the span to rounding level (two passes)', () => {
    const coeffs = zeros(1, 5);
    coeffs.data.set([3, -1, 2, 0.5, 7]);
    const v = matmul(coeffs, basis).data;
    assert.ok(norm2(projectOntoComplement(basis, v)) <= IN_SPAN_RESIDUAL_TOL * norm2(v));
  });

  it('has an in-place variant that returns its argument', () => {
    const v = rng.gaussianVector(17);
    const expected = projectOntoComplement(basis, v);
    const same = projectOntoComplementInPlace(basis, v);
    assert.equal(same, v);
    assert.deepEqual(v, expected);
  });

  it('with an empty basis is the identity', () => {
    const v = rng.gaussianVector(4);
    assert.deepEqual(projectOntoComplement(zeros(0, 4), v), v);
  });

  it('rejects a vector of the wrong length', () => {
    assert.throws(
      () => projectOntoComplement(basis, new Float64Array(3)),
      /vector has length 3, basis has 17 columns/,
    );
  });
});

describe('randomOrthonormal', () => {
  it('has orthonormal rows for any shape rows <= cols (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (cols, fraction, seed) => {
          const rows = fraction === 1 ? cols : Math.ceil(cols / 2);
          const q = randomOrthonormal(rows, cols, new Rng(seed));
          assert.deepEqual([q.rows, q.cols], [rows, cols]);
          assert.ok(orthonormalityError(q) <= ORTHONORMAL_TOL);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is reproducible from the seed', () => {
    assert.deepEqual(randomOrthonormal(3, 8, new Rng(5)), randomOrthonormal(3, 8, new Rng(5)));
    assert.notDeepEqual(randomOrthonormal(3, 8, new Rng(5)), randomOrthonormal(3, 8, new Rng(6)));
  });

  it('has no preferred direction: the mean of many draws is near zero', () => {
    // For a Haar-random unit vector in R^n each coordinate has mean 0 and variance 1/n, so the
    // mean of N draws has standard deviation 1/√(nN) ≈ 0.016 here; 0.08 is five of those.
    const rng = new Rng(8);
    const n = 4;
    const draws = 1000;
    const mean = new Float64Array(n);
    for (let d = 0; d < draws; d++) {
      const q = randomOrthonormal(1, n, rng);
      for (let t = 0; t < n; t++) mean[t] += q.data[t] / draws;
    }
    for (let t = 0; t < n; t++) assert.ok(Math.abs(mean[t]) < 0.08, `coordinate ${t}: ${mean[t]}`);
  });

  it('rejects impossible shapes', () => {
    assert.throws(() => randomOrthonormal(4, 3, new Rng(1)), /0 <= rows <= cols, got 4 x 3/);
    assert.throws(() => randomOrthonormal(1.5, 3, new Rng(1)), /got 1.5 x 3/);
  });
});

describe('gramSchmidtRows', () => {
  /** Rows u + δ·wᵢ: nearly parallel, condition number about 1/δ. */
  function nearlyParallel(rows: number, cols: number, delta: number, rng: Rng): Matrix {
    const u = rng.gaussianVector(cols);
    const m = gaussian(rows, cols, rng);
    for (let t = 0; t < m.data.length; t++) m.data[t] = u[t % cols] + delta * m.data[t];
    return m;
  }
  /**
   * Angle between the span of Gaussian rows (condition number ≲ 1e3 at these sizes) and the
   * span of their Gram–Schmidt rows: rounding times that condition number.
   */
  const SPAN_ANGLE_TOL = 1e-12;

  it('returns orthonormal rows spanning the input rows, in order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (k, extra, seed) => {
          const a = gaussian(k, k + extra, new Rng(seed));
          const q = gramSchmidtRows(a);
          assert.deepEqual([q.rows, q.cols], [k, k + extra]);
          assert.ok(orthonormalityError(q) <= ORTHONORMAL_TOL);
          assert.ok(relativeResidual(q, a) <= IN_SPAN_RESIDUAL_TOL);
          assert.ok(compareSubspaces(q, a).maxAngle <= SPAN_ANGLE_TOL);
          // Gram–Schmidt keeps the flag: row i spans the same as input rows 0..i
          const first = { rows: 1, cols: a.cols, data: a.data.slice(0, a.cols) };
          assert.ok(relativeResidual({ ...first, data: q.data.slice(0, a.cols) }, first) <= 1e-15);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('stays orthonormal to rounding on nearly parallel rows (the second pass)', () => {
    // One pass leaves an orthogonality error of about ε·cond ≈ 1e-9 here; two reach ε.
    for (const delta of [1e-4, 1e-6, 1e-8]) {
      const a = nearlyParallel(6, 25, delta, new Rng(31));
      const q = gramSchmidtRows(a);
      assert.ok(
        orthonormalityError(q) <= ORTHONORMAL_TOL,
        `δ = ${delta}: ${orthonormalityError(q)}`,
      );
      assert.ok(relativeResidual(q, a) <= IN_SPAN_RESIDUAL_TOL, `δ = ${delta}`);
    }
  });

  it('throws on a dependent row, and not on a barely independent one', () => {
    const rng = new Rng(32);
    const a = gaussian(3, 10, rng);
    const w = rng.gaussianVector(10);
    const withThird = (eta: number): Matrix => {
      const m = zeros(3, 10);
      m.data.set(a.data.subarray(0, 20));
      for (let t = 0; t < 10; t++) m.data[20 + t] = a.data[t] - 2 * a.data[10 + t] + eta * w[t];
      return m;
    };
    // the check is at 1e-12 of the row's norm: rounding (1e-16) is dependent, 1e-9 is not
    assert.throws(() => gramSchmidtRows(withThird(0)), /row 2 is dependent/);
    assert.throws(() => gramSchmidtRows(withThird(1e-15)), /row 2 is dependent/);
    assert.equal(gramSchmidtRows(withThird(1e-9)).rows, 3);
    assert.throws(() => gramSchmidtRows(zeros(2, 4)), /row 0 is dependent/);
  });
});
