import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Matrix, matmul, matmulTransB, transpose, zeros } from '../../src/linalg/matrix.js';
import { singularValues, svd, svdRight } from '../../src/linalg/svd.js';
import { randomOrthonormal } from '../../src/linalg/orthonormal.js';
import { Rng } from '../../src/random/rng.js';
import { gaussian, orthonormalityError } from './matrices.js';

/**
 * Backward-stable SVD: max reconstruction error ≤ this × max(rows,cols)·ε·s₀ (measured ≤ 0.4
 * over 300 random shapes up to 40×40; 10 leaves room for unlucky shapes).
 */
const RECONSTRUCTION_FACTOR = 10;
/** Householder/Givens factors: max |QᵀQ − I| ≤ this × max(rows,cols)·ε (measured ≤ 1.3). */
const ORTHOGONALITY_FACTOR = 10;

function maxAbsDiff(a: Matrix, b: Matrix): number {
  assert.equal(a.rows, b.rows);
  assert.equal(a.cols, b.cols);
  let d = 0;
  for (let t = 0; t < a.data.length; t++) d = Math.max(d, Math.abs(a.data[t] - b.data[t]));
  return d;
}

function reconstruct(u: Matrix, s: Float64Array, vt: Matrix): Matrix {
  const us = zeros(u.rows, u.cols);
  for (let i = 0; i < u.rows; i++) {
    for (let j = 0; j < u.cols; j++) us.data[i * u.cols + j] = u.data[i * u.cols + j] * s[j];
  }
  return matmul(us, vt);
}

function checkDecomposition(a: Matrix): void {
  const { u, s, vt } = svd(a);
  const p = Math.min(a.rows, a.cols);
  const scale = Math.max(a.rows, a.cols) * Number.EPSILON;
  assert.equal(s.length, p);
  assert.deepEqual([u.rows, u.cols, vt.rows, vt.cols], [a.rows, p, p, a.cols]);
  for (let i = 0; i < p; i++) {
    assert.ok(s[i] >= 0, `s[${i}] = ${s[i]}`);
    if (i > 0) assert.ok(s[i] <= s[i - 1], `not descending at ${i}`);
  }
  const err = maxAbsDiff(reconstruct(u, s, vt), a);
  assert.ok(err <= RECONSTRUCTION_FACTOR * scale * Math.max(s[0], 1e-300), `reconstruction ${err}`);
  assert.ok(orthonormalityError(transpose(u)) <= ORTHOGONALITY_FACTOR * scale, 'U not orthogonal');
  assert.ok(orthonormalityError(vt) <= ORTHOGONALITY_FACTOR * scale, 'Vᵀ not orthogonal');
}

describe('svd', () => {
  it('decomposes tall, wide and square matrices (U·S·Vᵀ ≈ A, orthonormal factors)', () => {
    const rng = new Rng(1);
    for (const [r, c] of [
      [7, 3],
      [3, 7],
      [6, 6],
      [1, 5],
      [5, 1],
      [1, 1],
      [40, 120],
    ]) {
      checkDecomposition(gaussian(r, c, rng));
    }
  });

  it('holds on random shapes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 14 }),
        fc.integer({ min: 1, max: 14 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (rows, cols, seed) => checkDecomposition(gaussian(rows, cols, new Rng(seed))),
      ),
      { numRuns: 60 },
    );
  });

  it('recovers chosen singular values, including exact zeros of a rank-deficient matrix', () => {
    const rng = new Rng(2);
    const chosen = [30, 7, 1, 1e-3, 0, 0];
    const n = 9;
    const uq = randomOrthonormal(chosen.length, chosen.length, rng); // orthogonal 6×6
    const vq = randomOrthonormal(chosen.length, n, rng); // 6 orthonormal rows in R^9
    const a = reconstruct(transpose(uq), Float64Array.from(chosen), vq);
    const s = singularValues(a);
    const tol = RECONSTRUCTION_FACTOR * n * Number.EPSILON * chosen[0];
    chosen.forEach((v, i) => assert.ok(Math.abs(s[i] - v) <= tol, `s[${i}] = ${s[i]} vs ${v}`));
    checkDecomposition(a);
  });

  it('gives a wide matrix and its transpose the same singular values', () => {
    const a = gaussian(5, 11, new Rng(3));
    const s1 = singularValues(a);
    const s2 = singularValues(transpose(a));
    const tol = RECONSTRUCTION_FACTOR * 11 * Number.EPSILON * s1[0];
    s1.forEach((v, i) => assert.ok(Math.abs(v - s2[i]) <= tol));
  });

  it('svdRight and singularValues agree with the full decomposition', () => {
    const a = gaussian(6, 15, new Rng(4));
    const full = svd(a);
    const right = svdRight(a);
    const values = singularValues(a);
    const tol = RECONSTRUCTION_FACTOR * 15 * Number.EPSILON * full.s[0];
    for (let i = 0; i < 6; i++) {
      assert.ok(Math.abs(right.s[i] - full.s[i]) <= tol);
      assert.ok(Math.abs(values[i] - full.s[i]) <= tol);
    }
    // Right vectors are defined up to sign (the values are distinct here).
    const overlap = matmulTransB(right.vt, full.vt);
    for (let i = 0; i < 6; i++) {
      assert.ok(Math.abs(Math.abs(overlap.data[i * 6 + i]) - 1) <= 1e-12, `vector ${i}`);
    }
  });

  it('handles empty matrices', () => {
    const r = svd(zeros(0, 4));
    assert.deepEqual([r.u.rows, r.u.cols, r.s.length, r.vt.rows, r.vt.cols], [0, 0, 0, 0, 4]);
    assert.equal(singularValues(zeros(3, 0)).length, 0);
    assert.equal(svdRight(zeros(0, 2)).vt.cols, 2);
  });

  it('gives the zero matrix zero singular values', () => {
    assert.deepEqual(Array.from(singularValues(zeros(3, 5))), [0, 0, 0]);
  });

  it('rejects non-finite entries, naming the entry', () => {
    const a = zeros(2, 3);
    a.data[4] = Number.NaN;
    assert.throws(() => svd(a), /entry \(1, 1\) is NaN/);
    a.data[4] = Number.POSITIVE_INFINITY;
    assert.throws(() => singularValues(a), /entry \(1, 1\) is Infinity/);
  });
});
