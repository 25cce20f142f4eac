import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matmul, zeros } from '../../src/linalg/matrix.js';
import { orthonormalRows } from '../../src/linalg/orthonormal.js';
import { principalAngles } from '../../src/linalg/principalAngles.js';
import { Rng } from '../../src/random/rng.js';
import {
  offsetFreeSvd,
  offsetResidualNorm,
  restoreOffset,
} from '../../src/recover/commonOffset.js';
import { gaussian, orthonormalityError } from '../linalg/matrices.js';

/** Exact rows: the restored span equals the true one to rounding. */
const EXACT_ANGLE = 1e-12;

test('rows of a subspace plus per-row offsets along 1: the offsets do not add a direction', () => {
  const rng = new Rng(1);
  const n = 40;
  const k = 12;
  const span = gaussian(k, n, rng);
  const rows = matmul(gaussian(60, k, rng), span);
  const noisy = { ...rows, data: rows.data.slice() };
  for (let r = 0; r < 60; r++) {
    const c = 1e-3 * rng.gaussian();
    for (let j = 0; j < n; j++) noisy.data[r * n + j] += c;
  }
  const d = offsetFreeSvd(noisy);
  assert.ok(d.s[k - 1] / d.s[k] > 1e10, 'the offset-free spectrum has an exact gap at k');
  const basis = restoreOffset(d, k);
  assert.ok(orthonormalityError(basis) < 1e-13);
  // the offsets perturb β a little; without them the span is exact
  const clean = restoreOffset(offsetFreeSvd(rows), k);
  assert.ok(Math.max(...principalAngles(clean, span)) < EXACT_ANGLE);
  assert.ok(Math.max(...principalAngles(basis, span)) < 1e-3);
  assert.ok(offsetResidualNorm(offsetFreeSvd(rows), k) < 1e-10);
});

test('a full-rank span leaves unexplained offsets (the hidden direction along 1)', () => {
  const rng = new Rng(2);
  const n = 10;
  const rows = gaussian(30, n, rng);
  const d = offsetFreeSvd(rows);
  assert.ok(d.s[n - 2] > 1e-3 && d.s[n - 1] < 1e-12, 'removing 1 leaves n − 1 directions');
  assert.ok(offsetResidualNorm(d, n - 1) > 0.1);
});

test('restoreOffset of rows orthogonal to 1 is the plain right singular basis', () => {
  const rng = new Rng(3);
  const n = 20;
  const v = orthonormalRows(gaussian(5, n, rng));
  const rows = zeros(15, n);
  const coeff = gaussian(15, 5, rng);
  const product = matmul(coeff, v);
  for (let r = 0; r < 15; r++) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += product.data[r * n + j] / n;
    for (let j = 0; j < n; j++) rows.data[r * n + j] = product.data[r * n + j] - mean;
  }
  const basis = restoreOffset(offsetFreeSvd(rows), 5);
  assert.ok(Math.max(...principalAngles(basis, orthonormalRows(rows))) < EXACT_ANGLE);
});
