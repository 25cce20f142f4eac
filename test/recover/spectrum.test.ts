import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matmul, zeros } from '../../src/linalg/matrix.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { Rng } from '../../src/random/rng.js';
import { analyseSpectrum } from '../../src/recover/spectrum.js';

/** Noise σ per entry on rows of a 6-dimensional span in R^40. */
const SIGMA = 1e-6;
/** An angle the noise cannot explain: σ√n relative to unit-scale signal, times 100. */
const ANGLE_TOL = 100 * SIGMA * Math.sqrt(40);

function noisyRows(rng: Rng, span: number, rows: number, n: number, sigma: number, ones = false) {
  const basis = zeros(span, n);
  for (let i = 0; i < basis.data.length; i++) basis.data[i] = rng.gaussian();
  if (ones) basis.data.fill(1, 0, n); // the all-ones direction is part of the span
  const coef = zeros(rows, span);
  for (let i = 0; i < coef.data.length; i++) coef.data[i] = rng.gaussian();
  const g = matmul(coef, basis);
  for (let i = 0; i < g.data.length; i++) g.data[i] += sigma * rng.gaussian();
  return { g, basis };
}

test('known noise: the rank is the span dimension and the basis matches it', () => {
  const rng = new Rng(1);
  const { g, basis } = noisyRows(rng, 6, 20, 40, SIGMA);
  const a = analyseSpectrum(g, SIGMA);
  assert.equal(a.rank, 6);
  assert.ok(compareSubspaces(a.basis, basis).maxAngle < ANGLE_TOL);
  assert.ok(a.gapRatio > 1e3, `gap ${a.gapRatio}`);
});

test('a span holding the all-ones direction gets it back after the offset removal', () => {
  const rng = new Rng(2);
  const { g, basis } = noisyRows(rng, 6, 20, 40, SIGMA, true);
  const a = analyseSpectrum(g, SIGMA);
  assert.equal(a.rank, 6);
  assert.match(a.rankRule, /\+offset$/);
  assert.ok(compareSubspaces(a.basis, basis).maxAngle < ANGLE_TOL);
});

test('no rows: rank 0; unknown noise falls back on the gap rule', () => {
  assert.equal(analyseSpectrum(zeros(0, 5), NaN).rank, 0);
  const { g } = noisyRows(new Rng(3), 4, 12, 30, 1e-12);
  const a = analyseSpectrum(g, NaN);
  assert.equal(a.rank, 4);
  assert.equal(a.rankRule, 'gap');
});
